// ONNX MatMulInteger on typed arrays: int32 C = Σ (a − za)(b − zb), exact, through the int8
// GEMM kernel. Packing B is separate, so a quantized model packs its weights once.
import { compressKernels } from "../backend/index.js";
import type { Qs8PackedWeights, Qs8Weights } from "../backend/index.js";
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { asArray, checkScales, checkZeroPoints } from "./quant-checks.js";

const dtypeOf = (x: Int8Array | Uint8Array) => (x instanceof Int8Array ? "int8" : "uint8");

/**
 * Packs B [k×n] (row-major int8/uint8) with its zero point (one, or one per column) taken off
 * and widened to i16. Keep the result as long as the weights are used; it is plain JS memory.
 */
export function packMatmulIntegerB(b: Int8Array | Uint8Array, k: number, n: number,
                                   bZeroPoint: number | ArrayLike<number> = 0): Qs8PackedWeights {
  return compressKernels().qs8PackB(k, n, weightsB(b, k, n, bZeroPoint));
}

/** Row-major B [k×n] with its zero points, checked, as the kernels take it. */
function weightsB(b: Int8Array | Uint8Array, k: number, n: number, bZeroPoint: number | ArrayLike<number>): Qs8Weights {
  if (b.length !== k * n) throw new ShapeError(`matmulInteger: B has ${b.length} elements, [${k}, ${n}] needs ${k * n}`);
  const zp = checkZeroPoints(asArray(bZeroPoint), dtypeOf(b), "matmulInteger (b zero point)");
  if (zp.length !== 1 && zp.length !== n) {
    throw new ShapeError(`matmulInteger: ${zp.length} b zero points for ${n} columns (expected 1 or ${n})`);
  }
  return { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: zp.length === 1 ? zp[0] : zp };
}

function rowZeroPoints(a: Int8Array | Uint8Array, m: number, k: number, aZeroPoint: number | ArrayLike<number>): ArrayLike<number> {
  if (a.length !== m * k) throw new ShapeError(`matmulInteger: A has ${a.length} elements, [${m}, ${k}] needs ${m * k}`);
  const za = checkZeroPoints(asArray(aZeroPoint), dtypeOf(a), "matmulInteger (a zero point)");
  if (za.length !== 1 && za.length !== m) {
    throw new ShapeError(`matmulInteger: ${za.length} a zero points for ${m} rows (expected 1 or ${m})`);
  }
  return za;
}

/**
 * A per-row a zero point, applied after a GEMM with za[0]: C[i,j] −= (za[i] − za[0])·colSum[j],
 * where colSum[j] = Σp (b[p,j] − zb[j]) (the GEMM of a row of ones with B, passed in).
 */
function applyRowZeroPoints(c: Int32Array, m: number, n: number, za: ArrayLike<number>,
                            columnSums: (ones: Int8Array, out: Int32Array) => void, k: number): void {
  if (za.length <= 1 || m === 0) return;
  const colSum = new Int32Array(n);
  columnSums(new Int8Array(k).fill(1), colSum);
  for (let i = 1; i < m; i++) {
    const d = za[i] - za[0];
    if (d !== 0) for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] - Math.imul(d, colSum[j])) | 0;
  }
}

/**
 * C [m×n] int32 = (A − aZeroPoint)·(B − bZeroPoint) for a B used once: packed inside the kernel
 * call and dropped with it (a model that reuses B packs it once with packMatmulIntegerB).
 */
export function matmulIntegerOnce(a: Int8Array | Uint8Array, m: number, b: Int8Array | Uint8Array, k: number,
                                  n: number, aZeroPoint: number | ArrayLike<number> = 0,
                                  bZeroPoint: number | ArrayLike<number> = 0): Int32Array {
  const w = weightsB(b, k, n, bZeroPoint);
  const za = rowZeroPoints(a, m, k, aZeroPoint);
  const K = compressKernels();
  const c = K.qs8GemmUnpacked(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: za[0] }, w, null, 0);
  applyRowZeroPoints(c, m, n, za, (ones, out) =>
    K.qs8GemmUnpacked(1, n, k, { data: ones, offset: 0, rowStride: k, zeroPoint: 0 }, w, out, 0), k);
  return c;
}

/**
 * C [m×n] int32 = (A − aZeroPoint)·(B − bZeroPoint) with B packed by packMatmulIntegerB.
 * aZeroPoint is one value or one per row (ONNX allows both); per row it is applied as
 * C[i,j] −= (za[i] − za0)·Σp (b[p,j] − zb[j]), exact in int32 like the sum itself.
 */
export function matmulIntegerPacked(a: Int8Array | Uint8Array, m: number, w: Qs8PackedWeights,
                                    aZeroPoint: number | ArrayLike<number> = 0): Int32Array {
  const { k, n } = w;
  const za = rowZeroPoints(a, m, k, aZeroPoint);
  const c = new Int32Array(m * n);
  const K = compressKernels();
  K.qs8Gemm(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: za[0] }, w, c, 0);
  applyRowZeroPoints(c, m, n, za, (ones, out) =>
    K.qs8Gemm(1, n, k, { data: ones, offset: 0, rowStride: k, zeroPoint: 0 }, w, out, 0), k);
  return c;
}

export interface ScaledMatmulOptions {
  /** Scale of A (activations). */
  scaleA: number;
  /** Scale of B: one, or one per column (per output channel). */
  scaleB: number | ArrayLike<number>;
  /** n int32 biases in the accumulator's units (bias_float / (scaleA·scaleB[j]), rounded). */
  bias?: Int32Array | null;
  relu?: boolean;
}

/**
 * The quantized-layer path: float32 C [m×n] = f32(Σ (a − za)(b − zb) + bias[j]) · fround(scaleA·scaleB[j]),
 * then relu, in one kernel call (the int32 accumulator never leaves wasm).
 */
export function matmulIntegerScaled(a: Int8Array | Uint8Array, m: number, w: Qs8PackedWeights,
                                    aZeroPoint: number, o: ScaledMatmulOptions): Float32Array {
  if (o === undefined) throw new ValueError("matmulIntegerScaled: options { scaleA, scaleB } are required");
  checkOptions("matmulIntegerScaled", o, ["scaleA", "scaleB", "bias", "relu"]);
  const { k, n } = w;
  if (a.length !== m * k) throw new ShapeError(`matmulInteger: A has ${a.length} elements, [${m}, ${k}] needs ${m * k}`);
  const za = checkZeroPoints([aZeroPoint], dtypeOf(a), "matmulInteger (a zero point)");
  checkScales([o.scaleA], "matmulInteger (scaleA)");
  const sb = checkScales(asArray(o.scaleB), "matmulInteger (scaleB)");
  if (sb.length !== 1 && sb.length !== n) throw new ShapeError(`matmulInteger: ${sb.length} scaleB values for ${n} columns`);
  if (o.bias && o.bias.length !== n) throw new ShapeError(`matmulInteger: bias has ${o.bias.length} values for ${n} columns`);
  const c = new Float32Array(m * n);
  compressKernels().qs8GemmF32(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: za[0] }, w, c, 0,
                               { scaleA: o.scaleA, scaleB: sb.length === 1 ? sb[0] : sb, bias: o.bias, relu: o.relu });
  return c;
}
