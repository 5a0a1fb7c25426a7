// Post-training int8 quantization of a Sequential MLP (onnxruntime's QDQ recipe for MatMul):
//   weights  per output channel, symmetric int8 (zero point 0, range ±127)
//   inputs   per tensor, affine uint8: from each batch's own range ("dynamic", as
//            DynamicQuantizeLinear) or from a range calibrated once ("static", an observer)
//   bias     int32 in accumulator units: round_half_even(b / fround(s_x · s_w[j]))
//   output   float32 = f32(acc + bias) · fround(s_x · s_w[j]), relu fused — one kernel call.
import { compressKernels } from "../backend/index.js";
import type { Qs8PackedWeights } from "../backend/index.js";
import { ValueError } from "../errors.js";
import { noGrad, type Tensor } from "../ndarray/index.js";
import type { Linear } from "../nn/linear.js";
import type { Module } from "../nn/module.js";
import { countNonZeros, InferenceSequential, linearSteps, type Step } from "./inference-model.js";
import { makeObserver, type Observer, type ObserverName } from "./observers.js";
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

  constructor(linear: Linear, readonly relu: boolean, input: ActivationParams | null) {
    this.inFeatures = linear.inFeatures;
    this.outFeatures = linear.outFeatures;
    const q = quantize(linear.weight, { scheme: "symmetric", axis: 0, dtype: "int8" });
    this.weight = q.values as Int8Array;
    this.weightScale = q.scale;
    this.bias = linear.bias ? Float32Array.from(linear.bias.data) : null;
    this.input = input;
    // B = Wᵀ [in × out]: W read with swapped strides, no transposed copy.
    this.packed = compressKernels().qs8PackB(this.inFeatures, this.outFeatures,
      { data: this.weight, offset: 0, rowStride: 1, colStride: this.inFeatures, zeroPoint: 0 });
    this.staticBias = input ? this.intBias(input.scale) : null;
  }

  /** The bias in accumulator units for input scale `scaleA` (saturated to int32). */
  intBias(scaleA: number): Int32Array | null {
    if (!this.bias) return null;
    const out = new Int32Array(this.outFeatures);
    for (let j = 0; j < out.length; j++) {
      const v = roundHalfToEven(this.bias[j] / Math.fround(scaleA * this.weightScale[j]));
      out[j] = v > 2147483647 ? 2147483647 : v < -2147483648 ? -2147483648 : v;
    }
    return out;
  }

  run(x: Float32Array, m: number): Float32Array {
    const y = new Float32Array(m * this.outFeatures);
    const input = this.input;
    compressKernels().qs8LinearF32(m, x, 0, this.packed, y, 0, {
      signed: false,
      needsRange: input === null,
      params: (lo, hi) => {
        if (input) return { scaleA: input.scale, zeroPointA: input.zeroPoint, bias: this.staticBias };
        const p = activationParams(lo, hi, "int8 layer (dynamic)");
        return { scaleA: p.scale, zeroPointA: p.zeroPoint, bias: this.intBias(p.scale) };
      },
      scaleB: this.weightScale,
      relu: this.relu,
    });
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

export interface QuantizeModelOptions {
  /** Samples [n, features] whose activations set the static input ranges. */
  calibration?: Tensor;
  /** "static" (default when calibration is given) or "dynamic" (default otherwise). */
  activations?: "dynamic" | "static";
  observer?: ObserverName | (() => Observer);
  /** Calibration batch size (the moving-average observer sees one range per batch). Default 256. */
  batchSize?: number;
}

/** Runs the float model over the calibration data, one observer per Linear input. */
function calibrate(steps: ReturnType<typeof linearSteps>, x: Tensor, o: QuantizeModelOptions): Map<Linear, Observer> {
  const obs = new Map<Linear, Observer>();
  for (const s of steps) if ("linear" in s) obs.set(s.linear, makeObserver(o.observer));
  const bs = o.batchSize ?? 256;
  if (!Number.isInteger(bs) || bs < 1) throw new ValueError(`quantizeModel: batchSize must be a positive integer, got ${bs}`);
  if (x.ndim < 1 || x.shape[0] === 0) throw new ValueError(`quantizeModel: calibration data [${x.shape}] has no samples`);
  const n = x.shape[0];
  noGrad(() => {
    for (let s0 = 0; s0 < n; s0 += bs) {
      let h = x.slice([s0, Math.min(n, s0 + bs)]);
      for (const s of steps) {
        if ("linear" in s) {
          obs.get(s.linear)!.observe(h.data as Float32Array);
          h = s.relu ? s.linear.forwardRelu(h) : s.linear.forward(h);
        } else h = s.forward(h);
      }
    }
  });
  return obs;
}

/**
 * An int8 inference model from a float Sequential MLP (Linear, ReLU, Dropout, and modules that
 * run as they are). Use it like any model: model.forward(x), eg.nn.predict, eg.nn.evaluate.
 */
export function quantizeModel(model: Module, o: QuantizeModelOptions = {}): InferenceSequential {
  const mode = o.activations ?? (o.calibration ? "static" : "dynamic");
  if (mode !== "static" && mode !== "dynamic") throw new ValueError(`quantizeModel: activations must be "dynamic" or "static", got ${JSON.stringify(mode)}`);
  if (mode === "static" && !o.calibration) throw new ValueError("quantizeModel: static activations need calibration data (options.calibration)");
  const steps = linearSteps(model, "quantizeModel");
  const wasTraining = model.training;
  model.eval();
  try {
    const obs = mode === "static" ? calibrate(steps, o.calibration!, o) : null;
    const out: Step[] = steps.map((s) => {
      if (!("linear" in s)) return s;
      const input = obs ? activationParams(...obs.get(s.linear)!.range(), "quantizeModel (calibration)") : null;
      return new Int8LinearLayer(s.linear, s.relu, input);
    });
    return new InferenceSequential(out);
  } finally {
    model.train(wasTraining);
  }
}
