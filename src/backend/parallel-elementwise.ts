// Loops over independent elements split over the pool: 2×2 max pooling and its backward by planes, the ReLU
// epilogue's backward by ranges, the bias gradient by channels. Each output element is written
// by one thread with the instructions of the whole call: the bits of one thread.
import type { KernelExports } from "./kernel-exports.js";
import { partCount, ranges, threadPool } from "./parallel-split.js";

export const parallelElementwise = {
  /**
   * Elements from which a loop is split. Max pooling costs 3–7 ns an input element in the CNN's
   * profile (bench/RESULTS-threads.md), an empty job 14–50 µs (bench/threads-gemm.mjs): a loop
   * of some 10^4 elements pays for its dispatch, so four times that. Tests set 0.
   */
  minElements: 1 << 15,
  /**
   * The same for the ReLU backward, a masked copy at memory speed (well under 1 ns an element):
   * some 10^5 elements pay for a dispatch.
   */
  reluMinElements: 1 << 17,
  /**
   * The same for the bias gradient, a float64 sum per channel at about 0.4 ns an element (bound
   * by memory: the CNN's first layer sums a 6.4 MB gradient): some 10^5 elements pay for a
   * dispatch. Unsplit, it was the CNN's largest kernel on the calling thread alone (1.4 ms of a
   * 36 ms batch on 2 threads, with scalar loads before it read four lanes at once).
   */
  biasMinElements: 1 << 17,
};

/**
 * kernel(planes, h, w, ...pointers) for a 2×2 pool's forward or backward, split by planes when
 * worth it: pointer i advances by bytesPerPlane[i] a plane.
 */
function planesSplit(wasm: KernelExports, kernel: "f32_maxpool2d_2x2" | "f32_maxpool2d_2x2_backward", planes: number,
                     h: number, w: number, pointers: readonly number[], bytesPerPlane: readonly number[]): void {
  const pool = threadPool();
  if (pool === null || planes < 2 || planes * h * w < parallelElementwise.minElements) {
    (wasm[kernel] as (...args: number[]) => void)(planes, h, w, ...pointers);
    return;
  }
  pool.run(wasm, kernel, ranges(planes, 1, partCount(pool, 2)).map(([p0, p1]) =>
    [p1 - p0, h, w, ...pointers.map((p, i) => p + p0 * bytesPerPlane[i])]));
}

/** f32_maxpool2d_2x2(planes, h, w, x, y, code), split by planes when worth it; code 0: maxima only. */
export function maxPoolSplit(wasm: KernelExports, planes: number, h: number, w: number, x: number, y: number, code: number): void {
  const out = (h >> 1) * (w >> 1);
  planesSplit(wasm, "f32_maxpool2d_2x2", planes, h, w, [x, y, code], [4 * h * w, 4 * out, code === 0 ? 0 : out]);
}

/** f32_maxpool2d_2x2_backward(planes, h, w, code, g, gx), split by planes like the forward. */
export function maxPoolBackwardSplit(wasm: KernelExports, planes: number, h: number, w: number, code: number, g: number,
                                     gx: number): void {
  const out = (h >> 1) * (w >> 1);
  planesSplit(wasm, "f32_maxpool2d_2x2_backward", planes, h, w, [code, g, gx], [out, 4 * out, 4 * h * w]);
}

/** f32_relu_backward(n, dy, y): dy[i] = y[i] > 0 ? dy[i] : 0 in place, split by ranges when worth it. */
export function reluBackwardSplit(wasm: KernelExports, n: number, dy: number, y: number): void {
  const pool = threadPool();
  if (pool === null || n < parallelElementwise.reluMinElements) {
    wasm.f32_relu_backward(n, dy, y);
    return;
  }
  pool.run(wasm, "f32_relu_backward", ranges(n, 4, partCount(pool, 2)).map(([i0, i1]) => [i1 - i0, dy + 4 * i0, y + 4 * i0]));
}

/**
 * f32_bias_backward over dy [batch, channels, plane] into db [channels], split by ranges of
 * channels when worth it: each channel's sum is one thread's, in the order of the whole call.
 */
export function biasBackwardSplit(wasm: KernelExports, batch: number, channels: number, plane: number, dy: number, db: number): void {
  const pool = threadPool(), stride = channels * plane;
  if (pool === null || channels < 2 || batch * stride < parallelElementwise.biasMinElements) {
    wasm.f32_bias_backward(batch, channels, plane, stride, dy, db);
    return;
  }
  pool.run(wasm, "f32_bias_backward", ranges(channels, 1, partCount(pool, 2)).map(([c0, c1]) =>
    [batch, c1 - c0, plane, stride, dy + 4 * c0 * plane, db + 4 * c0]));
}
