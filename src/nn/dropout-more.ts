// The dropouts beyond Dropout and Dropout2d: AlphaDropout and FeatureAlphaDropout (for SELU
// networks: they keep a standard normal input's mean 0 and variance 1) and Dropout1d (whole
// channels of [N, C, L]), with F.alphaDropout, F.featureAlphaDropout and F.dropout1d. They draw
// as the existing dropouts do (one uniform per element in order, or one per channel plane; an
// element survives when its draw is ≥ p), are the identity in eval mode and for p = 0, and for
// p = 1 multiply by 0 without drawing, as PyTorch 1.13's _dropout_impl (so alpha dropout with
// p = 1 gives 0, not its dropped value).
import { probability } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, rngFrom, Tensor, type FloatArray, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { registerLayers } from "./layer-registry.js";
import { Module } from "./module.js";

/** PyTorch's alpha of alpha dropout: SELU's scale·alpha, −α′ in Klambauer et al. (2017). */
const ALPHA = 1.7580993408473766;

type Kind = "alphaDropout" | "featureAlphaDropout" | "dropout1d";

/** The planes one draw decides: every element alone, or [N, C, *]'s channel planes (an unbatched [C, L] for dropout1d). */
function planesOf(where: Kind, x: Tensor): { planes: number; size: number } {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  if (where === "alphaDropout") return { planes: x.size, size: 1 };
  if (where === "dropout1d") {
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`dropout1d: expected a 2-d [C, L] or 3-d [N, C, L] input, got shape [${x.shape}]`);
    const L = x.shape[x.ndim - 1];
    return { planes: L === 0 ? 0 : x.size / L, size: L };
  }
  if (x.ndim < 2) throw new ShapeError(`featureAlphaDropout: expected an input of at least 2 dims [N, C, *], got shape [${x.shape}]`);
  const planes = x.shape[0] * x.shape[1];
  return { planes, size: planes === 0 ? 0 : x.size / planes };
}

/**
 * y = x·m + c per plane: m = 1/(1−p) or 0 for dropout1d; for the alpha kinds, with
 * a = ((α²p + 1)(1 − p))^(−½) and b = α·a·p, m = a and c = b for a kept plane, m = 0 and
 * c = −α·a + b (= a·α′ + b) for a dropped one. In float32 each of a, α·a, b and c is rounded
 * as PyTorch rounds them, and x·m is rounded before c is added, as its two tensor ops do.
 */
function maskedAffine(where: Kind, x: Tensor, p: number, rng: Rng): Tensor {
  const { planes, size } = planesOf(where, x);
  if (x.size === 0) return x;
  const alpha = where !== "dropout1d";
  const round = x.dtype === "float32" ? Math.fround : (v: number) => v;
  const alloc = (n: number): FloatArray => (x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  const scale = new Float64Array(planes), shift = new Float64Array(planes);
  if (p < 1) {
    const keep = where === "alphaDropout" ? rng.fillUniform(new Float64Array(planes)) : null;
    const a = alpha ? 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p)) : 0;
    const kept = alpha ? round(a) : 1 / (1 - p), b = round(ALPHA * a * p), dropped = round(-round(ALPHA * a) + b);
    for (let c = 0; c < planes; c++) {
      const on = (keep ? keep[c] : rng.uniform()) >= p;
      scale[c] = on ? kept : 0;
      if (alpha) shift[c] = on ? b : dropped;
    }
  }
  // p = 1: x·0 everywhere, no shift (NaN and ±∞ give NaN, −x gives −0), as PyTorch.
  const shifted = alpha && p < 1;
  const apply = (src: ArrayLike<number>, withShift: boolean): Tensor => {
    const out = alloc(x.size);
    for (let c = 0, i = 0; c < planes; c++) {
      const m = scale[c], s = shift[c];
      if (withShift) for (let end = i + size; i < end; i++) out[i] = round(src[i] * m) + s;
      else for (let end = i + size; i < end; i++) out[i] = src[i] * m;
    }
    return new Tensor(out, x.dtype, x.shape.slice());
  };
  return record(apply(x.data, shifted), where, [x], (g) => [apply(g.data, false)]);
}

export interface DropoutVariantOptions extends RandomOptions {
  /** Off (the identity) when false, as PyTorch's training=False. Default true. */
  training?: boolean;
}

function functional(where: Kind, x: Tensor, p: number, o: DropoutVariantOptions): Tensor {
  checkOptions(where, o, ["training", "seed", "rng"]);
  probability(where, "probability", p);
  planesOf(where, x); // a wrong input is refused in eval mode too
  return (o.training ?? true) && p > 0 ? maskedAffine(where, x, p, rngFrom(o)) : x;
}

/** F.alpha_dropout: each element dropped to SELU's negative saturation with probability p, then an affine map keeping mean 0 and variance 1. */
export const alphaDropout = (x: Tensor, p = 0.5, o: DropoutVariantOptions = {}): Tensor => functional("alphaDropout", x, p, o);
/** F.feature_alpha_dropout: alpha dropout of whole channels of [N, C, *]. */
export const featureAlphaDropout = (x: Tensor, p = 0.5, o: DropoutVariantOptions = {}): Tensor => functional("featureAlphaDropout", x, p, o);
/** F.dropout1d: zeroes whole channels of [N, C, L] (or unbatched [C, L]), scaling the others by 1/(1−p). */
export const dropout1d = (x: Tensor, p = 0.5, o: DropoutVariantOptions = {}): Tensor => functional("dropout1d", x, p, o);

abstract class DropoutVariant extends Module {
  /** Its own generator when seeded; otherwise null, and each forward draws from the global one. */
  private readonly rng: Rng | null;
  constructor(where: string, private readonly kind: Kind, readonly p: number, o: RandomOptions) {
    super();
    checkOptions(where, o, ["seed", "rng"]);
    probability(where, "probability", p);
    this.rng = o.rng || o.seed !== undefined ? rngFrom(o) : null;
  }
  forward(x: Tensor): Tensor {
    planesOf(this.kind, x);
    // rngFrom(undefined) at call time, so a later manualSeed() governs unseeded dropout too.
    return this.training && this.p > 0 ? maskedAffine(this.kind, x, this.p, this.rng ?? rngFrom(undefined)) : x;
  }
}

/** torch.nn.AlphaDropout(p): alpha dropout in training, the identity in eval mode. */
export class AlphaDropout extends DropoutVariant {
  static readonly typeName: string = "AlphaDropout";
  constructor(p = 0.5, o: RandomOptions = {}) { super("AlphaDropout", "alphaDropout", p, o); }
}
/** torch.nn.FeatureAlphaDropout(p): alpha dropout of whole channels of [N, C, *]. */
export class FeatureAlphaDropout extends DropoutVariant {
  static readonly typeName: string = "FeatureAlphaDropout";
  constructor(p = 0.5, o: RandomOptions = {}) { super("FeatureAlphaDropout", "featureAlphaDropout", p, o); }
}
/** torch.nn.Dropout1d(p): zeroes whole channels of [N, C, L] or [C, L] in training. */
export class Dropout1d extends DropoutVariant {
  static readonly typeName: string = "Dropout1d";
  constructor(p = 0.5, o: RandomOptions = {}) { super("Dropout1d", "dropout1d", p, o); }
}

// The ONNX exporter (the identity at inference) recognizes these through the registry.
registerLayers({ Dropout1d, AlphaDropout, FeatureAlphaDropout });
