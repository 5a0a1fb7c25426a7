// The flag words of the operator exports, in one place. src/backend/flags.ts holds the same
// values for the JS side; tests/backend/kernel-exports.test.ts checks each flag's effect on the
// built module. (Exporting them as globals would cost module bytes on every page load.)

/** f32_gemm_batch: max(0, ·) after the bias. */
export const GEMM_RELU: i32 = 1;
/** f32_gemm_batch: C += A·B instead of C = A·B. */
export const GEMM_ACCUMULATE: i32 = 2;

/** qs8_gemm: max(0, ·) last. */
export const QS8_RELU: i32 = 1;
/** qs8_gemm: store f32(acc + bias)·scale[j] instead of the int32 accumulator. */
export const QS8_FLOAT_OUT: i32 = 2;
/**
 * qs8_conv2d with QS8_FLOAT_OUT: y receives each image's output max-pooled 2×2 (stride 2), as
 * f32_maxpool2d_2x2 pools it, while the full-size image is still in cache.
 */
export const QS8_POOL_2X2: i32 = 8;

/** f32_spmm: max(0, ·) after the bias. */
export const SPMM_RELU: i32 = 1;
/** f32_spmm: add the bias vector. */
export const SPMM_BIAS: i32 = 2;

/** kernel_isa(): the plain SIMD build. */
export const ISA_SIMD: i32 = 0;
/** kernel_isa(): the relaxed-SIMD build (f32x4.relaxed_madd, an FMA where the engine has one). */
export const ISA_RELAXED_SIMD: i32 = 1;

/** f32_rnn_cell_forward/backward: relu instead of tanh. */
export const RNN_RELU: i32 = 1;
