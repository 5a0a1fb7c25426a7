// What init({ threads }) needs from the runtime: how many threads "auto" means, whether this
// runtime can share memory with workers at all (and if not, why), and how to make workers.
import { ValueError } from "../errors.js";
import { startThreadPool, type ThreadPool, type WorkerHost } from "./thread-pool.js";
import { CONTROL } from "./thread-worker.js";

export type ThreadsOption = number | "auto";

/** The threads an op may use and, when that is one, why. */
export interface Threading {
  pool: ThreadPool | null;
  /** Why the kernels run on one thread, or null when they run on the pool. */
  reason: string | null;
}

/** Threads at most: the caller and the workers the control block has slots for. */
export const MAX_THREADS = CONTROL.MAX_WORKERS + 1;

export function checkThreads(value: unknown): ThreadsOption {
  if (value === "auto" || (Number.isInteger(value) && (value as number) >= 1)) return value as ThreadsOption;
  throw new ValueError(`init: threads must be a positive integer or "auto", got ${JSON.stringify(value) ?? String(value)}`);
}

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

/** Whether `module` is a threaded build: it imports its memory rather than defining it. */
export function importsMemory(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
}

/**
 * A shared memory for the threaded build: 17 pages, as the build declares, growing to at most
 * 2 GB, or 512 MB where the engine will not reserve that much (a shared memory cannot move, so
 * its whole maximum is reserved up front).
 */
export function sharedMemory(): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: 17, maximum: 32768, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial: 17, maximum: 8192, shared: true });
  }
}

/** Starts `threads - 1` workers on `memory`; on any failure, one thread and the reason. */
export async function startThreads(threads: number, host: WorkerHost, module: WebAssembly.Module,
                                   memory: WebAssembly.Memory): Promise<Threading> {
  try {
    return { pool: await startThreadPool(host, threads - 1, module, memory, canBlock()), reason: null };
  } catch (e) {
    return { pool: null, reason: (e as Error).message };
  }
}
