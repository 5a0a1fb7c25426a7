import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { full } from "../ndarray/creation.js";
import { gather } from "../ndarray/indexing.js";
import { logaddexp } from "../ndarray/math-binary.js";
import type { RandomOptions } from "../ndarray/random.js";
import { broadcastShapes } from "../ndarray/shape.js";
import { Tensor } from "../ndarray/tensor.js";
import { Distribution } from "./distribution.js";
import { constrainedParams, finfo, positive, real, requireParam, samplingSetup, zeroOrOne, type ParamLike } from "./params.js";

/** Exactly one of probs and logits, as PyTorch's discrete distributions take them. */
export type ProbsOrLogits = { probs: ParamLike; logits?: undefined } | { logits: ParamLike; probs?: undefined };

const machineEps = (t: Tensor) => finfo(t.dtype).eps;
/** log(1 + e^x), with the exact derivative σ(x) everywhere (also at x = 0). */
export const softplus = (x: Tensor) => logaddexp(x, 0);

export function oneOf(where: string, o: ProbsOrLogits): "probs" | "logits" {
  checkOptions(where, o, ["probs", "logits"]);
  if ((o?.probs === undefined) === (o?.logits === undefined)) {
    throw new ValueError(`${where}: give exactly one of probs and logits`);
  }
  return o.probs !== undefined ? "probs" : "logits";
}

/**
 * Both parameterizations of a success probability from the one given: logits from probs by
 * PyTorch's probs_to_logits (probs clamped to [ε, 1 − ε] so the logits stay finite), probs from
 * logits by the sigmoid (Bernoulli, Geometric, Binomial).
 */
export function binaryProbsLogits(which: "probs" | "logits", p: Tensor): { probs: Tensor; logits: Tensor } {
  if (which === "logits") return { probs: p.sigmoid(), logits: p };
  const eps = machineEps(p), c = p.clamp(eps, 1 - eps);
  return { probs: p, logits: c.log().sub(c.neg().log1p()) };
}

/** Bernoulli({ probs } | { logits }), PyTorch's: values 0 and 1 in the parameters' float dtype. */
export class Bernoulli extends Distribution {
  readonly probs: Tensor;
  readonly logits: Tensor;

  constructor(o: ProbsOrLogits) {
    const which = oneOf("Bernoulli", o);
    const constraint = which === "probs" ? { text: "in [0, 1]", ok: (v: number) => v >= 0 && v <= 1 } : real;
    const { values: [p], batchShape } = constrainedParams("Bernoulli", { [which]: [o[which] as ParamLike, constraint] });
    super("Bernoulli", batchShape);
    ({ probs: this.probs, logits: this.logits } = binaryProbsLogits(which, p));
  }

  get mean(): Tensor { return this.probs; }
  get variance(): Tensor { return this.probs.mul(this.probs.neg().add(1)); }

  override sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const u = this.standardDraws("Bernoulli.sample", "uniform", sampleShape, o, this.probs.dtype);
    return u.lt(this.probs.detach()).astype(this.probs.dtype);
  }

  /** v·logits − log(1 + e^logits): minus binary cross-entropy with logits. */
  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Bernoulli.logProb", value, this.logits, zeroOrOne);
    return this.logits.mul(v).sub(softplus(this.logits));
  }

  entropy(): Tensor { return softplus(this.logits).sub(this.logits.mul(this.probs)); }
}

/** Categorical({ probs } | { logits }) over the last dimension, PyTorch's; samples are int32 indices. */
export class Categorical extends Distribution {
  /** Normalized to sum 1 over the last dimension. */
  readonly probs: Tensor;
  /** Normalized: logsumexp over the last dimension is 0. */
  readonly logits: Tensor;
  readonly numEvents: number;

  constructor(o: ProbsOrLogits) {
    const which = oneOf("Categorical", o);
    const raw = o[which];
    if (!(raw instanceof Tensor) || raw.ndim < 1) {
      throw new ValueError(`Categorical: ${which} must be a Tensor of at least one dimension (the categories last), got ${raw instanceof Tensor ? "a 0-d tensor" : typeof raw}`);
    }
    const constraint = which === "probs" ? { text: "non-negative", ok: (v: number) => v >= 0 } : { text: "real (not NaN)", ok: real.ok };
    const { values: [p] } = constrainedParams("Categorical", { [which]: [raw, constraint] });
    super("Categorical", p.shape.slice(0, -1));
    this.numEvents = p.shape[p.ndim - 1];
    if (which === "probs") {
      const sums = p.sum(-1, { keepdim: true });
      requireParam("Categorical", "the sum of probs over the last dimension", sums, positive);
      this.probs = p.div(sums);
      const eps = machineEps(p);
      this.logits = this.probs.clamp(eps, 1 - eps).log();
    } else {
      this.logits = p.sub(p.logsumexp(-1, { keepdim: true }));
      this.probs = this.logits.softmax(-1);
    }
  }

  /** Undefined for categories (PyTorch gives NaN). */
  get mean(): Tensor { return full(this.batchShape, NaN, { dtype: this.probs.dtype }); }
  get variance(): Tensor { return full(this.batchShape, NaN, { dtype: this.probs.dtype }); }

  /** Inverse-CDF draws per batch element: int32 category indices of shape sampleShape + batchShape. */
  override sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Categorical.sample", sampleShape, o);
    const k = this.numEvents, probs = this.probs.contiguous().data;
    const rows = probs.length / k, draws = sampleShape.reduce((a, b) => a * b, 1);
    const out = new Int32Array(draws * rows);
    for (let d = 0; d < draws; d++) {
      for (let r = 0; r < rows; r++) {
        const u = rng.uniform();
        let c = 0, acc = probs[r * k];
        while (c < k - 1 && u >= acc) acc += probs[r * k + ++c];
        out[d * rows + r] = c;
      }
    }
    return new Tensor(out, "int32", this.extendedShape(sampleShape));
  }

  logProb(value: ParamLike): Tensor {
    const k = this.numEvents;
    const v = this.supportedValue("Categorical.logProb", value, this.logits, { text: `{0, …, ${k - 1}}`, ok: (x) => Number.isInteger(x) && x >= 0 && x < k });
    const shape = broadcastShapes(v.shape, this.batchShape, "Categorical.logProb");
    const index = v.astype("int32").expand(shape).unsqueeze(-1);
    return gather(this.logits.expand([...shape, k]), -1, index).squeeze(-1);
  }

  /** −Σ p·log p, log p floored at the dtype's lowest value so that 0·(−∞) counts 0. */
  entropy(): Tensor {
    const lowest = this.logits.dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38;
    return this.probs.mul(this.logits.clamp(lowest, null)).sum(-1).neg();
  }
}
