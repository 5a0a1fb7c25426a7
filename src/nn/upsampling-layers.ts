// torch.nn.UpsamplingNearest2d and UpsamplingBilinear2d: Upsample with the mode fixed, the
// bilinear one with alignCorners true as PyTorch's (so it differs from
// Upsample({ mode: "bilinear" }), whose default is false).
import { ShapeError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Upsample } from "./shape-layers.js";

export interface Upsampling2dOptions {
  /** The output's [height, width] (or one number for both). */
  size?: number | readonly number[] | null;
  /** Multiplier of height and width; give size or scaleFactor, not both. */
  scaleFactor?: number | readonly number[] | null;
}

function checkRank(where: string, x: Tensor): void {
  if (x.ndim !== 4) throw new ShapeError(`${where}: expected a 4-d input [N, C, H, W], got shape [${x.shape}]`);
}

/** torch.nn.UpsamplingNearest2d over [N, C, H, W]. */
export class UpsamplingNearest2d extends Upsample {
  static override readonly typeName: string = "UpsamplingNearest2d";
  constructor(o: Upsampling2dOptions = {}) {
    checkOptions("UpsamplingNearest2d", o, ["size", "scaleFactor"]);
    super({ size: o.size, scaleFactor: o.scaleFactor, mode: "nearest" });
  }
  override forward(x: Tensor): Tensor {
    checkRank("UpsamplingNearest2d", x);
    return super.forward(x);
  }
}

/** torch.nn.UpsamplingBilinear2d over [N, C, H, W], corners aligned. */
export class UpsamplingBilinear2d extends Upsample {
  static override readonly typeName: string = "UpsamplingBilinear2d";
  constructor(o: Upsampling2dOptions = {}) {
    checkOptions("UpsamplingBilinear2d", o, ["size", "scaleFactor"]);
    super({ size: o.size, scaleFactor: o.scaleFactor, mode: "bilinear", alignCorners: true });
  }
  override forward(x: Tensor): Tensor {
    checkRank("UpsamplingBilinear2d", x);
    return super.forward(x);
  }
}
