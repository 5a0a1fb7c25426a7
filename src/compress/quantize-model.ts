// Post-training int8 quantization of a Sequential MLP or CNN (onnxruntime's QDQ recipe for MatMul
// and Conv; Conv1d/Conv2d become Int8ConvLayer, with the ReLU right after each fused):
//   weights  per output channel, symmetric int8 (zero point 0, range ±127)
//   inputs   per tensor, affine uint8: from each batch's own range ("dynamic", as
//            DynamicQuantizeLinear) or from a range calibrated once ("static", an observer)
//   bias     int32 in accumulator units: round_half_even(b / fround(s_x · s_w[j]))
//   output   float32 = f32(acc + bias) · fround(s_x · s_w[j]), relu fused — one kernel call.
import { positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { noGrad, type Tensor } from "../ndarray/index.js";
import { convSupport, runStep, unhandledStep, type FusedStep } from "../nn/fusion.js";
import { inEvalMode } from "../nn/eval-mode.js";
import type { Module } from "../nn/module.js";
import { checkOptions } from "../options.js";
import { compileSteps, InferenceSequential, type Step } from "./inference-model.js";
import { Int8ConvLayer } from "./int8-conv.js";
import { activationParams, Int8LinearLayer, type ActivationParams } from "./int8-linear.js";
import { makeObserver, type Observer, type ObserverName } from "./observers.js";

export interface QuantizeModelOptions {
  /** Samples [n, features] (or [n, C, H, W] for a CNN) whose activations set the static input ranges. */
  calibration?: Tensor;
  /** "static" (default when calibration is given) or "dynamic" (default otherwise). */
  activations?: "dynamic" | "static";
  observer?: ObserverName | (() => Observer);
  /** Calibration batch size (the moving-average observer sees one range per batch). Default 256. */
  batchSize?: number;
}

/** Runs the float model over the calibration data, one observer per Linear or Conv input. */
function calibrate(steps: FusedStep[], x: Tensor, o: QuantizeModelOptions): Map<FusedStep, Observer> {
  const obs = new Map<FusedStep, Observer>();
  for (const s of steps) if (s.kind === "linear" || s.kind === "conv") obs.set(s, makeObserver(o.observer));
  const bs = o.batchSize ?? 256;
  positiveInt("quantizeModel", "batchSize", bs);
  if (x.ndim < 1 || x.shape[0] === 0) throw new ValueError(`quantizeModel: calibration data [${x.shape}] has no samples`);
  const n = x.shape[0];
  noGrad(() => {
    for (let s0 = 0; s0 < n; s0 += bs) {
      let h = x.slice([s0, Math.min(n, s0 + bs)]);
      for (const s of steps) {
        obs.get(s)?.observe(h.data as Float32Array);
        h = runStep(s, h);
      }
    }
  });
  return obs;
}

/** A Conv1d/Conv2d step as an int8 layer: BatchNorm folded first, per-channel weights, ReLU fused. */
function int8Conv(s: Extract<FusedStep, { kind: "conv" }>, input: ActivationParams | null): Int8ConvLayer {
  const { weight, bias } = noGrad(() => convSupport().parameters(s));
  const a = convSupport().convArguments(s.layer);
  return new Int8ConvLayer(weight, bias, { stride: a.stride, padding: a.padding, paddingEnd: a.paddingEnd, dilation: a.dilation, groups: a.groups }, s.relu, input);
}

/**
 * An int8 inference model from a float Sequential MLP or CNN (Linear and Conv1d/Conv2d layers,
 * each with the BatchNorm and ReLU after it fused, and modules that run as they are in float:
 * pooling, Flatten, an unfused BatchNorm, other activations; Dropout is dropped), or from a bare
 * Linear or Conv. Use it like any model: model.forward(x), eg.nn.predict, eg.nn.evaluate.
 *
 * Non-finite inputs: a NaN in an input row gives NaN in that output row, as the float model
 * gives by IEEE arithmetic, in static and dynamic mode alike (no error, and never a finite
 * guess). A ±∞ gives a NaN row too: the int8 grid cannot hold it, and a saturated code would
 * pass for a real value. The other rows of the batch are unaffected, in dynamic mode too (the
 * batch's range is taken over the finite rows). A convolution does the same per image: an
 * image holding a NaN or ±∞ gives an all-NaN output image.
 */
export function quantizeModel(model: Module, o: QuantizeModelOptions = {}): InferenceSequential {
  checkOptions("quantizeModel", o, ["calibration", "activations", "observer", "batchSize"]);
  const mode = o.activations ?? (o.calibration ? "static" : "dynamic");
  if (mode !== "static" && mode !== "dynamic") throw new ValueError(`quantizeModel: activations must be "dynamic" or "static", got ${JSON.stringify(mode)}`);
  if (mode === "static" && !o.calibration) throw new ValueError("quantizeModel: static activations need calibration data (options.calibration)");
  if (mode === "dynamic") {
    // Dynamic layers take each batch's own range: calibration settings would be silently unused.
    const unused = (["calibration", "observer", "batchSize"] as const).filter((k) => o[k] !== undefined);
    if (unused.length > 0) throw new ValueError(`quantizeModel: ${unused.join(", ")} only apply to static activations (activations is "dynamic")`);
  }
  const steps = compileSteps(model, "quantizeModel");
  // Every module's own mode is given back, a frozen BatchNorm's too (see inEvalMode).
  return inEvalMode(model, () => {
    const obs = mode === "static" ? calibrate(steps, o.calibration!, o) : null;
    const out: Step[] = steps.map((s) => {
      if (s.kind === "module") return s.module;
      if (s.kind !== "linear" && s.kind !== "conv") return unhandledStep(s);
      const input = obs ? activationParams(...obs.get(s)!.range(), "quantizeModel (calibration)") : null;
      return s.kind === "linear" ? new Int8LinearLayer(s.layer, s.relu, input) : int8Conv(s, input);
    });
    return new InferenceSequential(out);
  });
}
