// What init({ threads }) needs from the runtime: how many threads "auto" means, whether this
// runtime can share memory with workers at all (and if not, why), and how to make workers.
// Loaded by init only when more than one thread is asked for, so programs that never thread
// carry none of the pool's code.
import { embeddedKernelBytes } from "./embedded.js";
import type { BackendName } from "./kernels.js";
import { gemmOnPool } from "./parallel-gemm.js";
import { gemmOpOnPool } from "./parallel-gemm-op.js";
import { gemmPairOnPool } from "./parallel-gemm-pair.js";
import { startThreadPool, type WorkerHost } from "./thread-pool.js";
import { CONTROL } from "./thread-worker.js";
import { importsMemory, sharedMemory, type Threading, type ThreadsOption } from "./threads.js";

/** Threads at most: the caller and the workers the control block has slots for. */
const MAX_THREADS = CONTROL.MAX_WORKERS + 1;

interface RuntimeGlobals {
  process?: { versions?: { node?: string }; getBuiltinModule?: (name: string) => unknown };
  navigator?: { hardwareConcurrency?: number };
  Worker?: unknown;
  crossOriginIsolated?: boolean;
}
const runtime = globalThis as unknown as RuntimeGlobals;

/** A Node built-in module (Node, and Deno and Bun's compatibility layers), or null elsewhere. */
async function nodeBuiltin<T>(name: string): Promise<T | null> {
  if (typeof runtime.process?.versions?.node !== "string") return null;
  const builtin = runtime.process.getBuiltinModule?.(name);
  if (builtin) return builtin as T;
  try {
    // NOTE: a computed specifier, so that browser bundlers leave it alone.
    const specifier = name;
    return (await import(/* @vite-ignore */ specifier)) as T;
  } catch {
    return null;
  }
}

/** The threads "auto" stands for: the cores the runtime reports (at least 1, at most MAX_THREADS). */
export async function resolveThreads(option: ThreadsOption): Promise<number> {
  if (option !== "auto") return Math.min(option, MAX_THREADS);
  let cores = runtime.navigator?.hardwareConcurrency;
  if (!cores) {
    const os = await nodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>("node:os");
    cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  }
  return Math.max(1, Math.min(cores, MAX_THREADS));
}

/** How this runtime makes workers that share memory, or why it cannot. */
export async function findWorkerHost(): Promise<WorkerHost | string> {
  if (runtime.crossOriginIsolated === false) {
    return "the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and " +
      "Cross-Origin-Embedder-Policy: require-corp)";
  }
  if (typeof SharedArrayBuffer !== "function") return "no SharedArrayBuffer in this runtime";
  // node:worker_threads first, also in Deno and Bun: its workers can be unref'd, so the pool does
  // not keep a finished program alive (a Deno Web Worker would).
  const wt = await nodeBuiltin<{ Worker: Extract<WorkerHost, { kind: "node" }>["Worker"] }>("node:worker_threads");
  if (wt) return { kind: "node", Worker: wt.Worker };
  if (typeof runtime.Worker === "function") {
    return { kind: "web", Worker: runtime.Worker as Extract<WorkerHost, { kind: "web" }>["Worker"] };
  }
  return "no Worker in this runtime";
}

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}



/**
 * The threaded build with a pool of threads − 1 workers on a new shared memory, instantiated on
 * the calling thread by `instantiate`; or, where this runtime cannot thread or the workers do not
 * start, one thread and why.
 */
export async function startThreaded<T>(given: WebAssembly.Module | null, wanted: "auto" | BackendName, threads: number,
                                       instantiate: (m: WebAssembly.Module, t: Threading, memory?: WebAssembly.Memory) => T): Promise<T> {
  const host = await findWorkerHost();
  const one = (reason: string): Threading => ({ pool: null, reason, gemm: null });
  if (typeof host === "string") {
    return instantiate(given ?? await WebAssembly.compile(embeddedKernelBytes(wanted) as BufferSource), one(host));
  }
  if (given !== null && !importsMemory(given)) return instantiate(given, one("the module given is not a threaded build (edgegrad-mt-*.wasm)"));
  const module = given ?? await WebAssembly.compile(embeddedKernelBytes(wanted, true) as BufferSource);
  const memory = sharedMemory();
  try {
    const pool = await startThreadPool(host, threads - 1, module, memory, canBlock());
    return instantiate(module, { pool, reason: null, gemm: gemmOnPool(pool), gemmOp: gemmOpOnPool(pool), gemmPair: gemmPairOnPool(pool) }, memory);
  } catch (e) {
    return instantiate(module, one((e as Error).message), memory);
  }
}
