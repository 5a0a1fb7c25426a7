// The part of threading every program loads: the option, and loading the threaded build on a
// shared memory. The pool itself (thread-start.ts, thread-pool.ts, thread-worker.ts,
// parallel-gemm.ts) is imported by init only when more than one thread is asked for.
import { ValueError } from "../errors.js";
import type { Arena } from "./arena.js";
import type { KernelExports } from "./kernel-exports.js";
import type { GemmOptions, StridedBatch, StridedMatrix } from "./kernels.js";
import type { GemmCall } from "./parallel-gemm.js";
import type { ThreadPool } from "./thread-pool.js";

export type ThreadsOption = number | "auto";

/** The threads the kernels may use and, when that is one, why. */
export interface Threading {
  pool: ThreadPool | null;
  /** Why the kernels run on one thread, or null when they run on the pool. */
  reason: string | null;
  /** Runs one f32_gemm_batch call split over the pool; false when it belongs on the calling thread. */
  gemm: ((wasm: KernelExports, arena: Arena, call: GemmCall) => boolean) | null;
  /**
   * Runs a whole GEMM op from JS arrays (the core's f32GemmBatch: operands copied in, C copied
   * out) on the pool, its copies overlapped with the workers' parts; false when it belongs on
   * the calling thread. Absent with one thread.
   */
  gemmOp?: (wasm: KernelExports, arena: Arena, batch: number, m: number, n: number, k: number,
            a: StridedBatch, b: StridedBatch, c: Float32Array, cOffset: number, options: GemmOptions) => boolean;
  /**
   * Runs two independent products of similar size as one job, side by side on the threads
   * (parallel-gemm-pair.ts); false, having run nothing, when they belong on the calling thread.
   * Absent with one thread.
   */
  gemmPair?: (wasm: KernelExports, arena: Arena, first: GemmProduct, second: GemmProduct) => boolean;
}

/** One product C[m×n] = A·B from strided windows of JS arrays into `c` (from element 0). */
export interface GemmProduct { m: number; n: number; k: number; a: StridedMatrix; b: StridedMatrix; c: Float32Array }

/** Threads a pool can run: the caller and 63 workers (the control block's slots, thread-worker.ts). */
const MAX_THREADS = 64;

export function checkThreads(value: unknown): ThreadsOption {
  if (value === "auto" || (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_THREADS)) return value as ThreadsOption;
  throw new ValueError(`init: threads must be an integer from 1 to ${MAX_THREADS} or "auto", got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
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
