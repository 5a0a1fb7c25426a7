/**
 * The kernels' tile and blocking sizes, for the JS side: packed layouts (the int8 weights are
 * packed here as the kernel reads them), tests that must straddle every edge, and benches. The
 * assembly keeps its own constants; tests/backend/manifest.test.ts checks these against the
 * built module through its workspace and packed-size exports.
 */

/** f32 GEMM (assembly/f32-gemm.ts, f32-gemm-4x8-wasmsimd.ts): micro-tile and cache blocks. */
export const F32_GEMM = {
  /** Rows of the micro-tile (A panels are packed MR rows at a time). */
  MR: 4,
  /** Columns of the micro-tile (B panels are packed NR columns at a time). */
  NR: 8,
  /** Largest k-slice packed at once (KC·NR floats of B stay in L1). */
  KC: 512,
  /** Largest block of A rows packed at once (MC·KC floats stay in L2). */
  MC: 128,
  /** Largest block of B columns packed at once. */
  NC: 2048,
} as const;

/** int8 GEMM (assembly/qs8-gemm.ts, qs8-gemm-4x8c2-wasmsimd-dot16x2.ts, qs8-packw-gemm.ts). */
export const QS8_GEMM = {
  MR: 4,
  /** Columns per packed weight panel. */
  NR: 8,
  /** k values per packed step (one i32x4.dot_i16x8_s sums KR products per lane). */
  KR: 2,
} as const;
