// torch.nn.RMSNorm (PyTorch ≥ 2.4): y = x / √(mean(x²) + eps) · weight over the trailing dims
// normalizedShape; eps by default the machine epsilon of the input's dtype, as PyTorch's None.
import { boolean, positive } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { full, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";

export interface RMSNormOptions {
  /** Added to the mean square; default the input dtype's epsilon (2⁻²³ for float32, 2⁻⁵² for float64). */
  eps?: number | null;
  /** Learn a weight per normalized element (default true). */
  elementwiseAffine?: boolean;
  dtype?: "float32" | "float64";
}

export class RMSNorm extends Module {
  static readonly typeName: string = "RMSNorm";
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly weight: Tensor | null = null;
  constructor(normalizedShape: number | readonly number[], o: RMSNormOptions = {}) {
    super();
    const where = "RMSNorm";
    checkOptions(where, o, ["eps", "elementwiseAffine", "dtype"]);
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new ValueError(`${where}: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = shape.slice();
    this.eps = o.eps === undefined || o.eps === null ? null : positive(where, "eps", o.eps, true);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    if (boolean(where, "elementwiseAffine", o.elementwiseAffine ?? true)) this.weight = this.registerParameter("weight", full(shape, 1, { dtype }));
  }
  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.ndim < k || x.shape.slice(x.ndim - k).some((d, i) => d !== this.normalizedShape[i])) {
      throw new ShapeError(`RMSNorm: input of shape [${x.shape}] does not end in normalizedShape [${this.normalizedShape}]`);
    }
    const eps = this.eps ?? (x.dtype === "float64" ? 2 ** -52 : 2 ** -23);
    const axes = Array.from({ length: k }, (_, i) => x.ndim - k + i);
    const y = x.mul(x.square().mean(axes, { keepdims: true }).add(eps).rsqrt());
    return this.weight ? y.mul(this.weight) : y;
  }
}
