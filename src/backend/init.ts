import { checkOptions } from "../options.js";
import { BackendError } from "../errors.js";
import { compileEmbeddedKernels, embeddedKernelBytes, hasEmbeddedKernels } from "./embedded.js";
import { detectFeatures } from "./features.js";
import { jsKernels } from "./js-kernels.js";
import type { Arena } from "./arena.js";
import type { BackendName, Kernels } from "./kernels.js";
import type { KernelExports } from "./kernel-exports.js";
import { wasmKernels } from "./wasm-kernels.js";
import type { ThreadPool } from "./thread-pool.js";
import { checkThreads, importsMemory, sharedMemory, type Threading, type ThreadsOption } from "./threads.js";

export interface InitOptions {
  /**
   * A precompiled kernel module (a .wasm file of the package), for runtimes that forbid
   * compiling wasm from bytes at run time (Cloudflare Workers, Vercel Edge): the full build
   * (edgegrad-simd.wasm, edgegrad-relaxed.wasm); the dense build (edgegrad-dense-*.wasm), which
   * holds what an MLP trains with: the f32 GEMM, Adam's step and Linear's ReLU and bias-gradient
   * kernels; or the core build (edgegrad-core-*.wasm), the f32 GEMM that tensor ops use alone.
   * A kernel family the loaded build lacks throws a BackendError asking for the full build.
   */
  module?: WebAssembly.Module;
  /** "auto" (default) picks wasm-relaxed-simd, then wasm-simd, then js. */
  backend?: "auto" | BackendName;
  /**
   * Threads the kernels may use: 1 (default), a number, or "auto" (the cores the runtime
   * reports). Above 1, a pool of workers shares the threaded build's memory (edgegrad-mt-*.wasm;
   * embedded in the default entry, or given as `module`) and large GEMMs, convolutions, Adam
   * steps, int8 and sparse products and pooling are split among them, bit-identically to one thread. Where threads cannot work (no SharedArrayBuffer, a page that
   * is not cross-origin isolated, no Worker), one thread, and backendInfo().threadsReason says why.
   */
  threads?: ThreadsOption;
}

export interface BackendInfo {
  backend: BackendName;
  simd: boolean;
  relaxedSimd: boolean;
  /** Bytes of wasm linear memory (0 for the js backend). */
  wasmMemoryBytes: number;
  /**
   * Which kernel module is loaded: "full" (edgegrad-simd.wasm, edgegrad-relaxed.wasm, and the
   * default entry's embedded bytes), "dense" (edgegrad-dense-*.wasm: the f32 GEMM, Adam, Linear's
   * ReLU and bias gradients), "core" (edgegrad-core-*.wasm: the f32 GEMM only), or null for the
   * js backend.
   */
  wasmBuild: "full" | "dense" | "core" | null;
  /** Threads the kernels use (the calling thread and the pool's workers). */
  threads: number;
  /** Why the kernels run on one thread (e.g. "threads: 1 requested"), or null when they use more. */
  threadsReason: string | null;
}

type WasmBuild = NonNullable<BackendInfo["wasmBuild"]>;

/** The loaded backend: its core table, and for wasm the instance's exports and scratch arena. */
interface ActiveBackend {
  kernels: Kernels;
  wasm: { exports: KernelExports; arena: Arena; build: WasmBuild } | null;
  /** Kernel families built for this backend so far (see kernelFamily). */
  families: Map<KernelFamily<unknown>, unknown>;
  threading: Threading;
}
let active: ActiveBackend | null = null;

/**
 * Makes `next` the active backend. The one it replaces may hold values in pinned wasm blocks that
 * their JS copies lack (Adam's moments, see optim-kernels.ts): those are written back first.
 */
function activate(next: ActiveBackend): void {
  writeBackPinned();
  // The pool it replaces stops only now: an init() that fails leaves the running backend whole.
  if (next.threading.pool !== active?.threading.pool) stopThreads("init() was called again");
  active = next;
}

/** Brings the JS copies of the active backend's pinned values up to date (loads no backend). */
export function writeBackPinned(): void {
  active?.wasm?.arena.flush();
}

/**
 * A table of kernels beyond the core one (int8 and sparse, optimizers), built on first use for
 * the active backend. Keeping them out of init means a program that never quantizes does not
 * bundle the quantized kernels' code.
 */
export interface KernelFamily<T> {
  readonly js: T;
  /** The raw exports its wasm table calls: checked at first use, so the core build refuses clearly. */
  readonly exports: readonly (keyof KernelExports)[];
  wasm(exports: KernelExports, arena: Arena): T;
  /** Runs a few small calls so V8 tiers the family's wasm up before the user's first real one. */
  warmUp?(table: T): void;
}

export function kernelFamily<T>(family: KernelFamily<T>): T {
  kernels(); // loads the default backend if no init() came first
  const a = active!;
  let table = a.families.get(family) as T | undefined;
  if (table === undefined) {
    if (a.wasm) {
      checkFamilyExports(family, a.wasm.exports, a.wasm.build);
      table = family.wasm(a.wasm.exports, a.wasm.arena);
      family.warmUp?.(table);
    } else {
      table = family.js;
    }
    a.families.set(family, table);
  }
  return table;
}

/**
 * Which build a module is, by a kernel each larger one adds (assembly/core.ts ⊂ dense.ts ⊂
 * index.ts); not the int8, optimizer or convolution calls, whose absence from a tree-shaken
 * bundle the package's tests look for.
 */
function buildOf(exports: object): WasmBuild {
  return !("f32_relu_backward" in exports) ? "core" : !("f32_gelu_forward" in exports) ? "dense" : "full";
}

/** Refuses, before anything runs, a family whose kernels the loaded module does not have. */
function checkFamilyExports(family: KernelFamily<unknown>, exports: KernelExports, build: WasmBuild): void {
  const missing = family.exports.filter((name) => typeof exports[name] !== "function");
  if (missing.length === 0) return;
  const which = build === "full" ? "an incomplete kernel module" : `the ${build} build (edgegrad-${build}-*.wasm)`;
  throw new BackendError(`the loaded kernel module is ${which}, which has no ${missing.join(", ")} ` +
    "kernel: pass edgegrad-simd.wasm or edgegrad-relaxed.wasm, the full build, to init({ module })");
}

// NOTE: not `instanceof WebAssembly.Module`: a module made in another realm (a vm context, a
// worker's global, a bundler's shim) fails that check although it is a perfectly good module.
function isWasmModule(x: unknown): x is WebAssembly.Module {
  return typeof x === "object" && x !== null && Object.prototype.toString.call(x) === "[object WebAssembly.Module]";
}

const ONE_THREAD: Threading = { pool: null, reason: "threads: 1 requested (the default)", gemm: null };

/** Instantiates a kernel module: the threaded build on `memory` (a new shared memory if none given). */
function instantiate(module: WebAssembly.Module, threading: Threading = ONE_THREAD,
                     memory?: WebAssembly.Memory): ActiveBackend {
  const imports: WebAssembly.Imports = importsMemory(module) ? { env: { memory: memory ?? sharedMemory() } } : {};
  const instance = new WebAssembly.Instance(module, imports);
  const wasm = instance.exports as unknown as KernelExports;
  if (typeof wasm.f32_gemm_batch !== "function" || typeof wasm.kernel_isa !== "function") {
    throw new BackendError("init: the module given is not an edgegrad kernel module (no f32_gemm_batch export)");
  }
  const k = wasmKernels(wasm, threading);
  warmUp(k);
  return { kernels: k, wasm: { exports: wasm, arena: k.arena, build: buildOf(wasm) }, families: new Map(), threading };
}

/**
 * V8 starts wasm in its baseline compiler and swaps in optimized code only for later calls, so
 * a few small calls at init make the user's first real op run at full speed.
 */
function warmUp(k: Kernels): void {
  const n = 32;
  const a = new Float32Array(n * n).fill(0.5);
  const c = new Float32Array(n * n);
  const m = { data: a, offset: 0, rowStride: n, colStride: 1 };
  for (let i = 0; i < 4; i++) k.f32Gemm(n, n, n, m, m, c, 0);
}

function checkBackendName(wanted: unknown): "auto" | BackendName {
  const allowed = ["auto", "wasm-relaxed-simd", "wasm-simd", "js"];
  if (!allowed.includes(wanted as string)) {
    throw new BackendError(`init: unknown backend ${JSON.stringify(wanted)}; expected one of ${allowed.join(", ")}`);
  }
  return wanted as "auto" | BackendName;
}

function initSync(options: InitOptions): void {
  const wanted = checkBackendName(options.backend ?? "auto");
  if (options.module !== undefined) {
    if (!isWasmModule(options.module)) throw new BackendError("init: options.module is not a WebAssembly.Module");
    activate(instantiate(options.module));
    return;
  }
  if (wanted === "js" || (wanted === "auto" && !detectFeatures().simd)) {
    activate({ kernels: jsKernels, wasm: null, families: new Map(), threading: { pool: null, reason: "the js backend", gemm: null } });
    return;
  }
  activate(instantiate(new WebAssembly.Module(embeddedKernelBytes(wanted) as BufferSource)));
}

/**
 * Loads the kernels: relaxed SIMD (FMA) if the engine has it, else plain SIMD, else the JS
 * reference. Optional in Node; in browsers call it (and await it) before the first op, because
 * browsers refuse to compile large modules synchronously on the main thread.
 */
const INIT_KEYS = ["module", "backend", "threads"];

export async function init(options: InitOptions = {}): Promise<BackendInfo> {
  checkOptions("init", options, INIT_KEYS);
  const wanted = checkBackendName(options.backend ?? "auto");
  const threadsOption = checkThreads(options.threads === undefined ? 1 : options.threads);
  if (options.module !== undefined && !isWasmModule(options.module)) {
    throw new BackendError("init: options.module is not a WebAssembly.Module");
  }
  const onWasm = options.module !== undefined || (wanted !== "js" && hasEmbeddedKernels && detectFeatures().simd);
  if (onWasm && threadsOption !== 1) {
    // The pool's code is loaded only by programs that ask for threads.
    const { resolveThreads, startThreaded } = await import("./thread-start.js");
    const threads = await resolveThreads(threadsOption);
    if (threads > 1) {
      activate(await startThreaded(options.module ?? null, wanted, threads, instantiate));
      return backendInfo();
    }
  }
  if (options.module === undefined && onWasm) {
    activate(instantiate(await compileEmbeddedKernels(wanted), oneThread(threadsOption)));
  } else {
    initSync(options);
    if (active!.wasm) active!.threading = oneThread(threadsOption);
  }
  return backendInfo();
}

function oneThread(option: ThreadsOption): Threading {
  return option === "auto" ? { pool: null, reason: "the runtime reports one core (threads: \"auto\")", gemm: null } : ONE_THREAD;
}

/** Ends the active pool's workers (a new init, or a test's clean-up). */
export function stopThreads(why: string): void {
  active?.threading.pool?.stop(why);
}

/** The active pool, if any: the parallel kernels' way to it (src/backend/parallel-split.ts), and tests'. */
export function activeThreadPool(): ThreadPool | null {
  return active?.threading.pool ?? null;
}

/** The active kernel module's exports, if wasm (for families that only some builds have, and tests of the pool). */
export function activeKernelExports(): KernelExports | null {
  return active?.wasm?.exports ?? null;
}

/** The active wasm backend's scratch arena, if any (loads no backend). */
export function activeArena(): Arena | null {
  return active?.wasm?.arena ?? null;
}

/** The active kernel table; the first call without init() loads the default synchronously. */
export function kernels(): Kernels {
  if (!active) {
    try {
      initSync({});
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw new BackendError(
        `edgegrad could not load its kernels synchronously (${(e as Error).message}); call \`await init()\` before the first op`);
    }
  }
  return active!.kernels;
}

export function backendInfo(): BackendInfo {
  const k = kernels();
  const f = detectFeatures();
  return {
    backend: k.name,
    simd: f.simd,
    relaxedSimd: f.relaxedSimd,
    wasmMemoryBytes: active?.wasm ? active.wasm.exports.memory.buffer.byteLength : 0,
    wasmBuild: active?.wasm ? active.wasm.build : null,
    ...threadsInfo(active!.threading),
  };
}

function threadsInfo({ pool, reason }: Threading): Pick<BackendInfo, "threads" | "threadsReason"> {
  if (pool === null) return { threads: 1, threadsReason: reason };
  return pool.failure === null ? { threads: pool.threads, threadsReason: null } : { threads: 1, threadsReason: pool.failure };
}

/** How the active backend runs GEMMs on threads (for kernel families whose wasm side calls f32_gemm_batch itself). */
export function activeThreading(): Threading | null {
  return active?.threading ?? null;
}
