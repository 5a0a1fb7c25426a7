/**
 * The raw exports of the kernel module (assembly/index.ts), declared once. Pointers are byte
 * offsets into `memory`, counts and strides are in elements unless a name says bytes; flag words
 * are built from src/backend/flags.ts. tests/backend/kernel-exports.test.ts checks every name and
 * parameter count against the built module.
 */
export interface KernelExports {
  memory: WebAssembly.Memory;
  /** First byte no static data uses: the scratch arena starts here. */
  heap_base(): number;
  /** ISA_SIMD or ISA_RELAXED_SIMD (flags.ts). */
  kernel_isa(): number;

  /** Bytes of scratch f32_gemm and f32_gemm_batch need for one m×n×k problem. */
  f32_gemm_workspace(m: number, n: number, k: number): number;
  /** C[m×n] = (accumulate ? C : 0) + A·B + bias, then relu (flags GEMM_*). bias 0 = none. */
  f32_gemm(m: number, n: number, k: number,
           a: number, aRowStride: number, aColStride: number,
           b: number, bRowStride: number, bColStride: number,
           c: number, cRowStride: number, bias: number, flags: number, work: number): void;
  /** f32_gemm for `batch` problems at batch strides apart (stride 0 broadcasts an operand). */
  f32_gemm_batch(batch: number, m: number, n: number, k: number,
                 a: number, aBatchStride: number, aRowStride: number, aColStride: number,
                 b: number, bBatchStride: number, bRowStride: number, bColStride: number,
                 c: number, cBatchStride: number, cRowStride: number,
                 bias: number, flags: number, work: number): void;

  /** Bytes of the packed int8/uint8 weights of a k×n B. */
  qs8_packw_gemm_size(k: number, n: number): number;
  qs8_packw_gemm(k: number, n: number, b: number, bRowStride: number, bColStride: number,
                 bSigned: number, zp: number, zpPerColumn: number, out: number): void;
  qs8_gemm_workspace(m: number, n: number, k: number): number;
  /** C = (A − aZero)·W + bias (flags QS8_*), W from qs8_packw_gemm; int32 or scaled float32 out. */
  qs8_gemm(m: number, n: number, k: number, a: number, aRowStride: number, aSigned: number,
           aZero: number, w: number, c: number, cRowStride: number, bias: number, scale: number,
           flags: number, work: number): void;
  /** ONNX QuantizeLinear per tensor: float32 → int8 (signed) or uint8. */
  qs8_quantize_f32(n: number, x: number, scale: number, zeroPoint: number, signed: number, out: number): void;
  /** out[0] = min, out[1] = max of n float32 (NaN if any is NaN). */
  f32_minmax(n: number, x: number, out: number): void;

  f32_spmm_workspace(m: number, n: number, k: number): number;
  /** Y = X·Wᵀ (+ bias) (relu), W in CSR (flags SPMM_*). */
  f32_spmm(m: number, n: number, k: number, x: number, rowPtr: number, colIdx: number, values: number,
           bias: number, y: number, flags: number, work: number): void;

  /** One Adam step in place (vMax 0 = no amsgrad); see adamUpdate in optim-kernels.ts. */
  f32_adam(n: number, param: number, grad: number, m: number, v: number, vMax: number,
           beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
           stepSize: number, invSqrtBc2: number, eps: number, shrink: number, weightDecay: number): void;
}
