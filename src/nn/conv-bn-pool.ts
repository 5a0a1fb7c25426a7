// Conv2d→BatchNorm2d→ReLU→MaxPool2d(2) in training mode (batch statistics) as one op, the
// training counterpart of the eval-mode fold: the convolution's full-size output stays where
// the kernels made it while the BatchNorm normalizes it in place (the same functions as
// batchNorm, so the same bits), the ReLU and the pooling run there too, and only the pooled
// values, the winning taps and the convolution's output (the BatchNorm's backward reads it)
// come out. The backward likewise hands the BatchNorm's backward the gradient where the
// kernels hold it and goes on to the convolution's gradients from there. Without it, the four
// modules move the full-size activations into JS and back three times and run the ReLU and its
// mask as JS loops with a data-dependent branch per element.
import { convKernels } from "../backend/index.js";
import { record, Tensor } from "../ndarray/index.js";
import { mixedPrecision } from "../ndarray/mixed-precision-hook.js";
import { conv2dOperands } from "./conv.js";
import type { Conv2d } from "./conv-layers.js";
import { batchNormAffineGrads, batchNormApply, batchNormBackward, batchNormPlan, checkBatchNorm, type BatchNormPlan } from "./normalization.js";
import type { BatchNorm2d } from "./norm-layers.js";
import type { MaxPool2d } from "./pool-layers.js";

/**
 * pool(relu(bn(conv(x)))) for a BatchNorm2d normalizing by the batch (training, or eval
 * without running statistics). The modules one by one where the one op does not apply: a
 * float64 or unbatched input, an output smaller than one window, a bfloat16 scope.
 */
export function conv2dBatchNormReluMaxPool2x2(x: Tensor, conv: Conv2d, bn: BatchNorm2d, pool: MaxPool2d): Tensor {
  const o = { stride: conv.stride, padding: conv.padding, dilation: conv.dilation, groups: conv.groups };
  const c = x.ndim === 4 ? conv2dOperands("conv2d", x, conv.weight, conv.bias, o) : null;
  if (c === null || c.dtype !== "float32" || c.g.outH < 2 || c.g.outW < 2 || mixedPrecision.active !== null) {
    return pool.forward(bn.forward(conv.forward(x)).relu());
  }
  const g = c.g, N = g.batch, C = g.outChannels, S = g.outH * g.outW;
  // The BatchNorm's checks and batch count, as its forward makes them, on a stand-in of the
  // conv output's shape (one value broadcast: they read the shape only).
  const standIn = new Tensor(new Float32Array(1), "float32", [N, C, g.outH, g.outW], [0, 0, 0, 0]);
  const a = checkBatchNorm("batchNorm", standIn, bn.runningMean, bn.runningVar, bn.stepOptions(standIn));
  const xd = c.x.data as Float32Array, wd = c.w.data as Float32Array;
  let z: Float32Array = new Float32Array(0);
  let plan: BatchNormPlan | null = null;
  const { y, code } = convKernels().conv2dReluMaxPool(xd, wd, c.b ? (c.b.data as Float32Array) : null, g, (values) => {
    z = values.slice();
    plan = batchNormPlan(z, a);
    batchNormApply(z, values, N, C, S, plan);
  });
  const out = new Tensor(y, "float32", [N, C, g.outH >> 1, g.outW >> 1]);
  const affine = [a.weight, a.bias].filter((t): t is Tensor => t !== null);
  const inputs = [c.x, c.w, ...(c.b ? [c.b] : []), ...affine];
  return record(out, "conv2dBatchNormReluMaxPool2x2", inputs, (gIn) => {
    const want = { input: c.x.requiresGrad, weight: c.w.requiresGrad, bias: c.b?.requiresGrad === true };
    let sums: { sg: Float64Array; sgx: Float64Array } | null = null;
    const r = convKernels().conv2dReluMaxPoolBackward(xd, wd, gIn.data as Float32Array, y, code, g, want, (values) => {
      sums = batchNormBackward(values, z, values, a, plan!);
    });
    const { sg, sgx } = sums!;
    return [
      r.dx ? new Tensor(r.dx, "float32", c.x.shape) : null,
      r.dw ? new Tensor(r.dw, "float32", c.w.shape) : null,
      ...(c.b ? [r.db ? new Tensor(r.db, "float32", [C]) : null] : []),
      ...batchNormAffineGrads(a, plan!, sg, sgx),
    ];
  });
}
