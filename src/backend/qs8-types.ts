/**
 * Types of the int8 GEMM in the kernel table (ONNX MatMulInteger semantics, plus a requantizing
 * epilogue for quantized layers). Shared by the wasm and JS implementations. "qs8" although the
 * operands may be int8 or uint8: the zero points come off when the operands are widened to i16,
 * and everything after that is signed arithmetic (see assembly/qs8-gemm.ts).
 */
import { QS8_GEMM } from "./manifest.js";

/** An int8 or uint8 matrix window: element (i, p) is data[offset + i·rowStride + p], minus zeroPoint. */
export interface Qs8Matrix {
  data: Int8Array | Uint8Array;
  offset: number;
  rowStride: number;
  /** Subtracted from every element before multiplying (ONNX a_zero_point); an integer of the dtype. */
  zeroPoint: number;
}

/**
 * B[k×n] packed once by `qs8PackB` for any number of `qs8Gemm` calls: zero points already
 * subtracted, widened to i16, in the micro-kernel's layout (8-column panels, k in pairs,
 * zero-padded). An ordinary JS array, so its owner (a quantized model) just keeps a reference
 * and the garbage collector frees it; each call copies it into wasm scratch (a memcpy).
 */
export interface Qs8PackedWeights {
  readonly k: number;
  readonly n: number;
  /** ceil(n/8) panels × ceil(k/2) k-pairs × 8 columns × 2 values: (b[2q+t, 8p+c] − zb). */
  readonly data: Int16Array;
}

/** B as given to qs8PackB: element (p, j) is data[offset + p·rowStride + j·colStride]. */
export interface Qs8Weights {
  data: Int8Array | Uint8Array;
  offset: number;
  rowStride: number;
  colStride: number;
  /** One zero point for all of B, or one per column (length n); integers of the dtype. */
  zeroPoint: number | ArrayLike<number>;
}

export interface Qs8GemmOptions {
  /** n int32 values added to every row of the int32 accumulator (a quantized layer's bias). */
  bias?: Int32Array | null;
  /** Apply max(0, ·) last. */
  relu?: boolean;
}

export interface Qs8RequantOptions extends Qs8GemmOptions {
  /** Scale of A (one for the whole tensor). */
  scaleA: number;
  /** Scale of B: one, or one per column (length n). */
  scaleB: number | ArrayLike<number>;
}

/** Length in i16 of the packed form of a k×n B. */
export function qs8PackedLength(k: number, n: number): number {
  const { NR, KR } = QS8_GEMM;
  return Math.ceil(n / NR) * Math.ceil(k / KR) * NR * KR;
}

/**
 * The per-column output scale of the requantizing epilogue, padded to whole panels:
 * fround(scaleA·scaleB[j]) — the product taken in float64 and rounded once, so every backend
 * multiplies by the same float32.
 */
export function qs8OutputScale(n: number, o: Qs8RequantOptions): Float32Array {
  const s = new Float32Array(Math.ceil(n / QS8_GEMM.NR) * QS8_GEMM.NR);
  const b = o.scaleB;
  for (let j = 0; j < n; j++) s[j] = o.scaleA * (typeof b === "number" ? b : b[j]);
  return s;
}

/** True for Int8Array (also one from another realm, where `instanceof` would say false). */
export function qs8IsSigned(x: Int8Array | Uint8Array): boolean {
  return x[Symbol.toStringTag] === "Int8Array";
}
