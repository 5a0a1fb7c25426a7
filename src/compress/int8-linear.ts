// One Linear compiled to int8 (the layer quantizeModel builds): weights quantized per output
// channel and packed once; each call quantizes its float32 input per tensor and runs the
// requantizing int8 GEMM, relu fused — one kernel call.
import { compressKernels } from "../backend/index.js";
import type { Qs8LinearParams, Qs8PackedWeights } from "../backend/index.js";
import { ValueError } from "../errors.js";
import type { Linear } from "../nn/linear.js";
import { countNonZeros } from "./inference-model.js";
import { channelAbsSums, fitBiasByInputScale, fitBiasByWeightScale } from "./int32-headroom.js";
import { scaleZeroPoint } from "./quant-params.js";
import { roundHalfToEven } from "./round.js";
import { quantize } from "./tensor-ops.js";

export interface ActivationParams {
  scale: number;
  zeroPoint: number;
}

/** uint8 affine parameters (ONNX/ORT formulas) for an activation range; rejects NaN/∞. */
export function activationParams(min: number, max: number, where: string): ActivationParams {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new ValueError(`${where}: activation range [${min}, ${max}] is not finite (NaN or ∞ in the input)`);
  }
  const [scale, zeroPoint] = scaleZeroPoint(min, max, "uint8", "affine");
  return { scale: Math.fround(scale), zeroPoint };
}

/**
 * A float bias in int32 accumulator units for input scale `scaleA` and per-channel weight scales:
 * round_half_even(b / fround(scaleA·scaleW[j])), saturated to int32. The int8 layers choose their
 * scales so that this never saturates (int32-headroom.ts); the saturation only guards the cast.
 */
export function accumulatorBias(bias: Float32Array | null, scaleA: number, scaleW: Float32Array): Int32Array | null {
  if (!bias) return null;
  const out = new Int32Array(bias.length);
  for (let j = 0; j < out.length; j++) {
    const v = roundHalfToEven(bias[j] / Math.fround(scaleA * scaleW[j]));
    out[j] = v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
  }
  return out;
}

/**
 * Thrown from the kernel's params callback to abandon a call whose input holds a NaN or ±∞.
 * The kernel asks for the parameters before it quantizes or writes anything, so nothing is lost.
 */
const NON_FINITE_INPUT = Symbol("non-finite input");

/** A Linear in int8: weights quantized per channel and packed once for the int8 GEMM. */
export class Int8LinearLayer {
  readonly kind = "int8";
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** int8 weights [out, in] and their per-output-channel scales. */
  readonly weight: Int8Array;
  readonly weightScale: Float32Array;
  readonly bias: Float32Array | null;
  /** Static input quantization, or null for dynamic (from each batch's range). */
  readonly input: ActivationParams | null;
  private readonly packed: Qs8PackedWeights;
  private readonly staticBias: Int32Array | null;
  /** Σ|w| per output channel, for the dynamic path's int32 headroom check. */
  private readonly absSums: Float64Array;

  constructor(linear: Linear, readonly relu: boolean, input: ActivationParams | null) {
    this.inFeatures = linear.inFeatures;
    this.outFeatures = linear.outFeatures;
    const q = quantize(linear.weight, { scheme: "symmetric", axis: 0, dtype: "int8" });
    this.weight = q.values as Int8Array;
    this.weightScale = q.scale;
    this.bias = linear.bias ? Float32Array.from(linear.bias.data) : null;
    this.input = input;
    // Before packing: a channel whose bias would overflow the int32 accumulator gets a larger scale.
    if (input) fitBiasByWeightScale(linear.weight.data, this.weight, this.weightScale, this.bias, input);
    this.absSums = channelAbsSums(this.weight, this.outFeatures);
    // B = Wᵀ [in × out]: W read with swapped strides, no transposed copy.
    this.packed = compressKernels().qs8PackB(this.inFeatures, this.outFeatures,
      { data: this.weight, offset: 0, rowStride: 1, colStride: this.inFeatures, zeroPoint: 0 });
    this.staticBias = input ? this.intBias(input.scale) : null;
  }

  /** The bias in accumulator units for input scale `scaleA` (saturated to int32). */
  intBias(scaleA: number): Int32Array | null {
    return accumulatorBias(this.bias, scaleA, this.weightScale);
  }

  /**
   * y [m × out] for x [m × in]. A row of x holding a NaN or ±∞ gives a row of NaN (an int8 grid
   * has no such values, and a saturated code would be a confident wrong answer); the other rows
   * are computed as if those rows were not in the batch.
   */
  run(x: Float32Array, m: number): Float32Array {
    const y = new Float32Array(m * this.outFeatures);
    try {
      this.runKernel(x, m, y);
    } catch (e) {
      if (e !== NON_FINITE_INPUT) throw e;
      return this.runWithNonFiniteRows(x, m);
    }
    return y;
  }

  private runKernel(x: Float32Array, m: number, y: Float32Array): void {
    const input = this.input;
    compressKernels().qs8LinearF32(m, x, 0, this.packed, y, 0, {
      signed: false,
      // The range pass (one vector min/max over x) runs for static parameters too: it is what
      // finds a NaN or ±∞ in the input.
      needsRange: true,
      params: (lo, hi): Qs8LinearParams => {
        if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw NON_FINITE_INPUT;
        if (input) return { scaleA: input.scale, zeroPointA: input.zeroPoint, bias: this.staticBias };
        const p = activationParams(lo, hi, "int8 layer (dynamic)");
        const scaleA = fitBiasByInputScale(p.scale, p.zeroPoint, this.bias, this.weightScale, this.absSums);
        return { scaleA, zeroPointA: p.zeroPoint, bias: this.intBias(scaleA) };
      },
      scaleB: this.weightScale,
      relu: this.relu,
    });
  }

  /**
   * The rare path: rows with a NaN or ±∞ are zeroed, the batch runs, and those output rows are
   * set to NaN. Zero rows leave a dynamic range as it was (the range always includes 0), so the
   * other rows get the bits they would get without the bad rows.
   */
  private runWithNonFiniteRows(x: Float32Array, m: number): Float32Array {
    const k = this.inFeatures, n = this.outFeatures;
    const clean = x.slice(0, m * k);
    const bad: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let t = i * k; t < (i + 1) * k; t++) {
        if (clean[t] - clean[t] !== 0) { bad.push(i); clean.fill(0, i * k, (i + 1) * k); break; }
      }
    }
    const y = new Float32Array(m * n);
    this.runKernel(clean, m, y);
    for (const i of bad) y.fill(NaN, i * n, (i + 1) * n);
    return y;
  }

  /** int8 weights, one f32 scale and one int32 (or f32) bias per channel, the input scale and zero point. */
  bytes(): number {
    return this.weight.length + this.outFeatures * 4 + (this.bias ? this.outFeatures * 4 : 0) + (this.input ? 8 : 0);
  }
  parameters(): number {
    return this.weight.length + (this.bias?.length ?? 0);
  }
  nonZeros(): number {
    return countNonZeros(this.weight, this.bias);
  }
}
