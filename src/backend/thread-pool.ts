import { BackendError } from "../errors.js";
import type { KernelExports } from "./kernel-exports.js";
import { CONTROL, CONTROL_BYTES, NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from "./thread-worker.js";

/**
 * The kernel exports a job may call. A parallel kernel is one of these called once per thread on
 * disjoint output tiles (see src/backend/parallel-gemm.ts). A job names its kernel by its index
 * among the module's function exports, which the caller and every worker read from the same
 * compiled module: the pool carries no list of names, so an application's bundle holds only the
 * kernels it calls.
 */
export type ParallelExport =
  | "f32_gemm_batch" | "f32_adam" | "f32_conv2d" | "f32_dwconv2d" | "f32_conv2d_backward_input"
  | "f32_conv2d_backward_weight_tile" | "qs8_gemm" | "qs8_conv2d" | "f32_spmm" | "f32_maxpool2d_2x2"
  | "f32_maxpool2d_2x2_backward" | "f32_relu_backward" | "f32_bias_backward";

/** The module's function exports in order: the index a job sends is a position in this list. */
export const functionExports = (module: WebAssembly.Module): string[] =>
  WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);

/** One part's arguments to the job's kernel. */
export type PartArgs = readonly number[];

/** Polling before sleeping, in µs (see ThreadPool.spinMicros for the measurements behind it). */
const DEFAULT_SPIN_MICROS = 250;

/** Polls of the done count the caller makes before it may sleep (a few µs: the parts end together). */
const CALLER_POLLS = 4096;

/** The claim counter's word: the job's generation (24 bits) and the next part to take (8 bits). */
const claimWord = (gen: number, next: number) => ((gen & 0xffffff) << 8) | next;

/**
 * Claims the next part of job `gen` (the same compare-and-swap as the workers' loop in
 * thread-worker.ts): its index, or -1 when none is left. The generation in the word means a
 * late claim can never take a part of a later job.
 */
function claim(i32: Int32Array, gen: number): number {
  for (;;) {
    const word = Atomics.load(i32, CONTROL.CLAIM);
    const part = word & 0xff;
    if (word >>> 8 !== (gen & 0xffffff) || part >= Atomics.load(i32, CONTROL.PARTS)) return -1;
    if (Atomics.compareExchange(i32, CONTROL.CLAIM, word, word + 1) === word) return part;
  }
}

/** The part of a worker the pool needs: Node's worker_threads Worker and the Web Worker both have it. */
interface PoolWorker {
  terminate(): unknown;
}

/** How the workers were made: node:worker_threads, or Web Workers (browsers, Deno, Bun). */
export type WorkerHost =
  | { kind: "node"; Worker: new (source: string, options: object) => NodeLikeWorker }
  | { kind: "web"; Worker: new (url: string, options: object) => WebLikeWorker };

interface NodeLikeWorker extends PoolWorker {
  on(event: string, listener: (value: unknown) => void): unknown;
  off(event: string, listener: (value: unknown) => void): unknown;
  unref(): void;
}
interface WebLikeWorker extends PoolWorker {
  addEventListener(event: string, listener: (e: { data?: unknown; message?: string }) => void): void;
  postMessage(message: unknown): void;
  unref?(): void;
}

/** What a new worker reports once: ready, or why it could not instantiate the module. */
type Hello = { ready: true } | { error: string };

/**
 * Workers running the threaded kernel module on the caller's shared memory. `run` is
 * synchronous: the caller writes each worker's call into the control block, wakes them, does its
 * own share, and waits (Atomics.wait where the thread may block, a spin on a browser's main
 * thread) until all are done. A worker's failure becomes a BackendError on the caller, and the
 * pool then stops: `failure` says why, and the kernels run on the calling thread only.
 */
export class ThreadPool {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private gen = 0;
  /** Why the pool stopped (a worker failed or exited), or null while it works. */
  failure: string | null = null;
  /** A part a worker took and has not finished after this long means the worker is dead or stuck. */
  ackTimeoutMs = 5000;

  constructor(readonly workers: readonly PoolWorker[], control: SharedArrayBuffer, private readonly canBlock: boolean,
              private readonly exportNames: readonly string[]) {
    this.i32 = new Int32Array(control);
    this.f64 = new Float64Array(control);
    this.spinMicros = DEFAULT_SPIN_MICROS;
  }

  /**
   * How long a worker polls for the next job after its part before it sleeps in Atomics.wait,
   * and the caller for the workers' parts after its own. Threads pay on a machine with idle
   * cores, so the default is tuned there: with the cores idle, waking a sleeping worker cost
   * 92 µs (median; 142 µs with jobs 1 ms apart) against 2.2 µs for a polling one
   * (bench/threads-gemm.mjs), and the MLP epoch on 2 threads went from 0.98× to 0.79× the
   * one-thread time with 250 µs of polling (bench/threads-training.mjs). On an oversubscribed
   * machine the opposite holds: a polling thread is descheduled mid-job (0.2× one thread at a
   * load of 25 on 2 cores, against 1.1-1.3× sleeping at once); set 0 there.
   */
  get spinMicros(): number {
    return Atomics.load(this.i32, CONTROL.SPIN_MICROS);
  }
  set spinMicros(micros: number) {
    Atomics.store(this.i32, CONTROL.SPIN_MICROS, Math.max(0, Math.round(micros)));
  }

  /**
   * Parts one job may have: the control block has an argument slot for each (the caller's part
   * 0 and one per possible worker), whatever the thread count. Splitters cap their part count
   * here (partCount in parallel-split.ts).
   */
  readonly maxParts: number = CONTROL.MAX_WORKERS + 1;

  /** Threads that run a job: the workers and the caller, or 1 once the pool has failed. */
  get threads(): number {
    return this.failure === null ? this.workers.length + 1 : 1;
  }

  /**
   * Calls `exports[name](...parts[p])` for every part p and returns when all calls have: parts
   * must write disjoint memory. The caller runs part 0, workers claim the others from a shared
   * counter, and the caller, done with its own, runs any part no worker has claimed yet (when
   * `stealing`): a worker that wakes late, or is not scheduled on a busy machine, delays the op
   * by no more than the part it actually took. Which thread runs a part changes no bit of it.
   * The caller's part may be a function that makes its arguments once the workers are woken: an
   * op copies its own operands there while the workers run theirs.
   */
  run(exports: KernelExports, name: ParallelExport, parts: readonly (PartArgs | (() => PartArgs))[]): void {
    if (this.failure !== null) throw new BackendError(`thread pool: ${this.failure}`);
    if (parts.some((p, i) => i > 0 && typeof p === "function")) {
      throw new BackendError("thread pool: only the caller's part (part 0) may be made by a function");
    }
    if (parts.length > this.maxParts || parts.some((p) => p.length > CONTROL.SLOT - 2)) {
      throw new BackendError(`thread pool: ${parts.length} parts (at most ${this.maxParts}), ` +
        `or more than ${CONTROL.SLOT - 2} arguments in one`);
    }
    const { i32, f64 } = this;
    const index = this.exportNames.indexOf(name);
    if (index < 0) throw new BackendError(`thread pool: the kernel module has no export ${name}`);
    for (let p = 1; p < parts.length; p++) {
      const slot = CONTROL.ARGS / 8 + (p - 1) * CONTROL.SLOT, args = parts[p] as PartArgs;
      f64[slot] = args.length;
      f64[slot + 1] = index;
      for (let i = 0; i < args.length; i++) f64[slot + 2 + i] = args[i];
    }
    Atomics.store(i32, CONTROL.PARTS, parts.length);
    Atomics.store(i32, CONTROL.DONE, 0);
    Atomics.store(i32, CONTROL.ERRORS, 0);
    const gen = this.gen = (this.gen + 1) | 0;
    Atomics.store(i32, CONTROL.CLAIM, claimWord(gen, 1));
    Atomics.store(i32, CONTROL.GEN, gen);
    Atomics.notify(i32, CONTROL.GEN, parts.length - 1);
    const fn = exports[name] as (...args: number[]) => void;
    let callerError: unknown = null;
    try {
      const own = parts[0];
      fn(...(typeof own === "function" ? own() : own));
      for (let p = this.stealing ? claim(i32, gen) : -1; p > 0; p = claim(i32, gen)) {
        fn(...(parts[p] as PartArgs));
        Atomics.add(i32, CONTROL.DONE, 1);
      }
    } catch (e) {
      callerError = e; // thrown only once the workers are done: they still use the scratch memory
      while (claim(i32, gen) > 0) Atomics.add(i32, CONTROL.DONE, 1); // parts left are not run
    }
    this.waitForParts(parts.length - 1);
    if (callerError !== null) throw callerError;
    if (Atomics.load(i32, CONTROL.ERRORS) > 0) {
      const length = Atomics.load(i32, CONTROL.ERROR_LENGTH);
      const text = new TextDecoder().decode(new Uint8Array(i32.buffer, CONTROL.ERROR_TEXT, length).slice());
      this.stop(`a worker failed (${text}); running on one thread`);
      throw new BackendError(`thread pool: ${text}; the pool has stopped and kernels now run on one thread`);
    }
  }

  /** Whether the caller runs parts no worker has claimed once its own is done (tests turn it off). */
  stealing = true;

  /** Waits until `all` parts past the caller's are done, polling first, then in Atomics.wait. */
  private waitForParts(all: number): void {
    const { i32 } = this;
    const started = performance.now();
    const spinUntil = started + this.spinMicros / 1000;
    for (let i = 1; ; i++) {
      const done = Atomics.load(i32, CONTROL.DONE);
      if (done >= all) return;
      // Poll first: a worker's part usually ends within microseconds of the caller's.
      if (i < CALLER_POLLS || (i & 255) !== 0) continue;
      if (this.canBlock && performance.now() > spinUntil) Atomics.wait(i32, CONTROL.DONE, done, 50);
      if (performance.now() - started > this.ackTimeoutMs) {
        this.stop(`a worker did not finish its part within ${this.ackTimeoutMs} ms; running on one thread`);
        throw new BackendError(`thread pool: a worker did not finish its part within ${this.ackTimeoutMs} ms; ` +
          "the pool has stopped and kernels now run on one thread");
      }
    }
  }

  /** Ends the workers (they leave their loop, then are terminated); the pool runs nothing after. */
  stop(why: string): void {
    if (this.failure === null) this.failure = why;
    Atomics.store(this.i32, CONTROL.STOP, 1);
    Atomics.store(this.i32, CONTROL.GEN, (this.gen = (this.gen + 1) | 0));
    Atomics.notify(this.i32, CONTROL.GEN);
    for (const w of this.workers) void w.terminate();
  }
}

/**
 * Starts `workers` workers on `memory` and resolves once each has instantiated `module` there;
 * rejects (with the workers ended) if one cannot.
 */
export async function startThreadPool(host: WorkerHost, workers: number, module: WebAssembly.Module,
                                      memory: WebAssembly.Memory, canBlock: boolean): Promise<ThreadPool> {
  const control = new SharedArrayBuffer(CONTROL_BYTES);
  const started: PoolWorker[] = [];
  let pool: ThreadPool | null = null;
  const gone = (w: number) => (why: string) => pool?.stop(`worker ${w + 1} ${why}; running on one thread`);
  const hellos: Promise<Hello>[] = [];
  let blobUrl: string | null = null;
  try {
    if (host.kind === "web") blobUrl = URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: "text/javascript" }));
    for (let w = 0; w < workers; w++) {
      const data = { module, memory, control, index: w };
      hellos.push(host.kind === "node" ? spawnNode(host.Worker, data, started, gone(w))
                                       : spawnWeb(host.Worker, blobUrl!, data, started, gone(w)));
    }
    const replies = await withinStartTimeout(Promise.all(hellos));
    const failed = replies.find((r): r is { error: string } => "error" in r);
    if (failed) throw new Error(failed.error);
  } catch (e) {
    for (const w of started) void w.terminate();
    throw new BackendError(`init: the thread pool's workers did not start (${(e as Error).message})`);
  } finally {
    if (blobUrl !== null) URL.revokeObjectURL(blobUrl);
  }
  pool = new ThreadPool(started, control, canBlock, functionExports(module));
  return pool;
}

/**
 * How long the workers may take to instantiate the module and say so. A worker that never
 * answers (one that a loaded browser never starts, say) would otherwise hang init() for good;
 * past this, init runs on one thread and says why.
 */
export const poolStart = {
  /** Milliseconds; tests shorten it. */
  timeoutMs: 30_000,
};

function withinStartTimeout<T>(started: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ms = poolStart.timeoutMs;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from the workers within ${ms} ms`)), ms);
  });
  return Promise.race([started, late]).finally(() => clearTimeout(timer));
}

function spawnNode(Worker: Extract<WorkerHost, { kind: "node" }>["Worker"], data: object, started: PoolWorker[],
                   gone: (why: string) => void): Promise<Hello> {
  const worker = new Worker(NODE_WORKER_SOURCE, { eval: true, workerData: data });
  started.push(worker);
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      worker.off("message", onMessage);
      worker.unref(); // the pool must never keep a finished program alive
      resolve(m as Hello);
    };
    worker.on("message", onMessage);
    worker.on("error", (e) => { reject(e as Error); gone(`failed: ${(e as Error).message}`); });
    worker.on("exit", (code) => { reject(new Error(`exited with code ${String(code)}`)); gone(`exited`); });
  });
}

function spawnWeb(Worker: Extract<WorkerHost, { kind: "web" }>["Worker"], url: string, data: object,
                  started: PoolWorker[], gone: (why: string) => void): Promise<Hello> {
  const worker = new Worker(url, { type: "module", name: "edgegrad kernels" });
  started.push(worker);
  worker.unref?.(); // Bun's workers have it; browsers need nothing
  return new Promise((resolve, reject) => {
    worker.addEventListener("message", (e) => resolve(e.data as Hello));
    worker.addEventListener("error", (e) => { reject(new Error(e.message ?? "worker error")); gone("failed"); });
    worker.postMessage(data);
  });
}
