// torch.nn.BatchNorm3d and InstanceNorm3d: the 2-d modules over one more spatial dim. The
// arithmetic (normalization.ts, instance-norm.ts) already runs over [N, C, *], so each is only its
// rank check and name; the parameters, buffers and state-dict keys are the shared bases'. Their
// own file, so a program without volumes bundles none of it.
import { ShapeError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { registerLayers } from "./layer-registry.js";
import { BatchNormBase, type BatchNormModuleOptions } from "./norm-layers.js";
import { InstanceNormBase, type InstanceNormModuleOptions } from "./instance-norm.js";

/** torch.nn.BatchNorm3d over [N, C, D, H, W]. */
export class BatchNorm3d extends BatchNormBase {
  static readonly typeName: string = "BatchNorm3d";
  constructor(numFeatures: number, o: BatchNormModuleOptions = {}) { super("BatchNorm3d", numFeatures, o); }
  protected checkRank(x: Tensor): void {
    if (x.ndim !== 5) throw new ShapeError(`BatchNorm3d: expected a 5-d input, got shape [${x.shape}]`);
  }
}

/** torch.nn.InstanceNorm3d over [N, C, D, H, W] or unbatched [C, D, H, W]. */
export class InstanceNorm3d extends InstanceNormBase {
  static readonly typeName: string = "InstanceNorm3d";
  constructor(numFeatures: number, o: InstanceNormModuleOptions = {}) { super("InstanceNorm3d", 4, numFeatures, o); }
}

// Code that reads models (updateBn; the ONNX exporter) recognizes them through the registry.
registerLayers({ BatchNorm3d, InstanceNorm3d });
