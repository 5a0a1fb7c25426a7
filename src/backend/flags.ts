/**
 * The flag words of the kernel module's operator exports (assembly/flags.ts defines them for the
 * kernels; the built module exports them as globals, and tests/backend/kernel-exports.test.ts
 * checks that these values are the module's).
 */

/** f32_gemm, f32_gemm_batch: max(0, ·) after the bias. */
export const GEMM_RELU = 1;
/** f32_gemm, f32_gemm_batch: C += A·B instead of C = A·B. */
export const GEMM_ACCUMULATE = 2;

/** qs8_gemm: max(0, ·) last. */
export const QS8_RELU = 1;
/** qs8_gemm: store f32(acc + bias)·scale[j] instead of the int32 accumulator. */
export const QS8_FLOAT_OUT = 2;
/** qs8_conv2d with QS8_FLOAT_OUT: each image's output max-pooled 2×2 into y while in cache. */
export const QS8_POOL_2X2 = 8;

/** f32_spmm: max(0, ·) after the bias. */
export const SPMM_RELU = 1;
/** f32_spmm: add the bias vector. */
export const SPMM_BIAS = 2;

/** kernel_isa(): the plain SIMD build. */
export const ISA_SIMD = 0;
/** kernel_isa(): the relaxed-SIMD build (f32x4.relaxed_madd, an FMA where the engine has one). */
export const ISA_RELAXED_SIMD = 1;

/** f32_rnn_cell_forward/backward: relu instead of tanh. */
export const RNN_RELU = 1;
