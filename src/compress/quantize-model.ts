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
import { runStep, unhandledStep, type FusedStep } from "../nn/fusion.js";
import { Conv1d, Conv2d } from "../nn/conv-layers.js";
import { ReLU } from "../nn/layers.js";
import type { Linear } from "../nn/linear.js";
import type { Module } from "../nn/module.js";
import { checkOptions } from "../options.js";
import { compileSteps, InferenceSequential, type Step } from "./inference-model.js";
import { activationParams, Int8LinearLayer } from "./int8-linear.js";
import { convArgumentsOf, Int8ConvLayer } from "./int8-conv.js";
import { makeObserver, type Observer, type ObserverName } from "./observers.js";

export interface QuantizeModelOptions {
  /** Samples [n, features] whose activations set the static input ranges. */
  calibration?: Tensor;
  /** "static" (default when calibration is given) or "dynamic" (default otherwise). */
  activations?: "dynamic" | "static";
  observer?: ObserverName | (() => Observer);
  /** Calibration batch size (the moving-average observer sees one range per batch). Default 256. */
  batchSize?: number;
}

/** The layers quantizeModel compiles besides Linear (the fusion pass runs them as plain modules). */
type Conv = Conv1d | Conv2d;
const isConv = (m: Module): m is Conv => m instanceof Conv1d || m instanceof Conv2d;

/** The Linear or convolution a step quantizes, or null for a module that runs as it is. */
function quantizedLayer(s: FusedStep): Linear | Conv | null {
  if (s.kind === "linear") return s.layer;
  if (s.kind === "module") return isConv(s.module) ? s.module : null;
  return unhandledStep(s);
}

/** Runs the float model over the calibration data, one observer per quantized layer's input. */
function calibrate(steps: FusedStep[], x: Tensor, o: QuantizeModelOptions): Map<Module, Observer> {
  const obs = new Map<Module, Observer>();
  for (const s of steps) {
    const layer = quantizedLayer(s);
    if (layer) obs.set(layer, makeObserver(o.observer));
  }
  const bs = o.batchSize ?? 256;
  positiveInt("quantizeModel", "batchSize", bs);
  if (x.ndim < 1 || x.shape[0] === 0) throw new ValueError(`quantizeModel: calibration data [${x.shape}] has no samples`);
  const n = x.shape[0];
  noGrad(() => {
    for (let s0 = 0; s0 < n; s0 += bs) {
      let h = x.slice([s0, Math.min(n, s0 + bs)]);
      for (const s of steps) {
        const layer = quantizedLayer(s);
        if (layer) obs.get(layer)!.observe(h.data as Float32Array);
        h = runStep(s, h);
      }
    }
  });
  return obs;
}

function int8Conv(conv: Conv, relu: boolean, input: ReturnType<typeof activationParams> | null): Int8ConvLayer {
  if (conv.weight.dtype !== "float32") throw new ValueError(`quantizeModel: ${conv.constructor.name} has ${conv.weight.dtype} weights; only float32 models compile`);
  return new Int8ConvLayer(conv.weight, conv.bias, convArgumentsOf(conv, conv.weight.ndim - 2), relu, input);
}

/**
 * An int8 inference model from a float Sequential MLP or CNN (Linear, Conv1d, Conv2d, ReLU,
 * Dropout, and modules that run as they are, such as pooling), or from a bare Linear. Use it
 * like any model: model.forward(x), eg.nn.predict, eg.nn.evaluate.
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
  const wasTraining = model.training;
  model.eval();
  try {
    const obs = mode === "static" ? calibrate(steps, o.calibration!, o) : null;
    const inputOf = (layer: Module) => (obs ? activationParams(...obs.get(layer)!.range(), "quantizeModel (calibration)") : null);
    const out: Step[] = [];
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s.kind === "linear") { out.push(new Int8LinearLayer(s.layer, s.relu, inputOf(s.layer))); continue; }
      if (s.kind !== "module") unhandledStep(s);
      if (!isConv(s.module)) { out.push(s.module); continue; }
      // A ReLU right after the convolution runs in its epilogue.
      const next = steps[i + 1];
      const relu = next?.kind === "module" && next.module instanceof ReLU;
      out.push(int8Conv(s.module, relu, inputOf(s.module)));
      if (relu) i++;
    }
    return new InferenceSequential(out);
  } finally {
    model.train(wasTraining);
  }
}
