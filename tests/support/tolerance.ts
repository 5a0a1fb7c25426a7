// Error bounds derived from the problem (CONTRIBUTING.md, "Standards"), for tests that compare
// float32 kernels with a float64 reference. No fixed absolute tolerance: it hides real bugs in
// small values and fails correct code on large ones.

/** Unit roundoff of float32 (round to nearest). */
export const U32 = 2 ** -24;
/** Smallest positive subnormal float32: the absolute error one underflowing operation may add. */
export const ETA32 = 2 ** -149;

/** Higham's γn = n·u / (1 − n·u): the relative error bound of n float32 roundings in a row. */
export const gamma = (n: number): number => (n * U32) / (1 - n * U32);

/**
 * Bound on |Ĉij − Cij| for one GEMM element computed in float32 in any summation order, with or
 * without FMA: γ(k+1)·(|A||B|)ij + u·|Cij| + (k+1)·η. `absAB` is Σp |aip·bpj|; `ref` is the exact
 * (float64) value. A bias or C_old summed in is one more term of the same sum: add its magnitude
 * to `absAB` and count it in `k` (k + 1 for bias, k + 2 for bias and accumulate).
 */
export const gemmTol = (absAB: number, ref: number, k: number): number =>
  gamma(k + 1) * absAB + U32 * Math.abs(ref) + (k + 1) * ETA32;
