// The f32 GEMM op cases the thread benches share (threads-gemm, threads-gemm-alternated,
// threads-gemm-anatomy): the acceptance shapes in every transposition, their operands from one
// seeded generator, and the op timed on them, from Float32Array-backed tensors to a read result.

export const SHAPES = [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [64, 256, 784]]; // m, n, k
export const VARIANTS = [["A·B", false, false], ["Aᵀ·B", true, false], ["A·Bᵀ", false, true]];

export const shapeName = (m, n, k) => (m === n && n === k ? `${m}³` : `[${m}×${k}]·[${k}×${n}]`);

/** The problem's operands (stored as engines.mjs describes) and `eg`'s op on them. */
export function gemmOpCase(eg, m, n, k, transA, transB) {
  let s = m * 7919 + n * 104729 + k;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const a = Float32Array.from({ length: m * k }, next), b = Float32Array.from({ length: k * n }, next);
  const run = () => {
    const x = eg.fromTypedArray(a, transA ? [k, m] : [m, k]), y = eg.fromTypedArray(b, transB ? [n, k] : [k, n]);
    return eg.matmul(transA ? x.transpose() : x, transB ? y.transpose() : y).data;
  };
  return { run, problem: { m, n, k, transA, transB, a, b } };
}
