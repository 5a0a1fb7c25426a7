import { ValueError } from "../errors.js";
import { where } from "../ndarray/elementwise.js";
import { xlogy } from "../ndarray/math-binary.js";
import { floor, lgamma, reciprocal } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import { Tensor } from "../ndarray/tensor.js";
import { binaryProbsLogits, oneOf, softplus, type ProbsOrLogits } from "./discrete.js";
import { drawAll, inversionTable } from "./discrete-inversion.js";
import { Distribution } from "./distribution.js";
import { constrainedParams, counts, nonNegative, real, samplingSetup, type ParamLike } from "./params.js";

/** Storage for n draws in the parameters' float dtype. */
const floatArray = (dtype: string, n: number) => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Poisson(rate), PyTorch's: log p(k) = k·log rate − rate − log k! on k = 0, 1, 2, … */
export class Poisson extends Distribution {
  readonly rate: Tensor;

  constructor(rate: ParamLike) {
    const { values: [r], batchShape } = constrainedParams("Poisson", { rate: [rate, nonNegative] });
    super("Poisson", batchShape);
    this.rate = r;
  }

  get mean(): Tensor { return this.rate; }
  get variance(): Tensor { return this.rate; }

  /** Exact draws by inversion from the mode (discrete-inversion.ts), as floats of the rate's dtype. */
  override sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Poisson.sample", sampleShape, o);
    const rates = this.rate.contiguous().data;
    const tables = Array.from(rates, (lambda) => inversionTable({
      mode: Math.floor(lambda), upper: Infinity, up: (k) => lambda / (k + 1), down: (k) => k / lambda,
    }));
    const shape = this.extendedShape(sampleShape), out = floatArray(this.rate.dtype, sizeOf(shape));
    drawAll(tables, sizeOf(sampleShape), rng, out);
    return new Tensor(out, this.rate.dtype, shape);
  }

  /** k·log rate − rate − log Γ(k + 1), with 0·log 0 = 0 (xlogy) for rate 0. */
  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Poisson.logProb", value, this.rate, counts);
    return xlogy(v, this.rate).sub(this.rate).sub(lgamma(v.add(1)));
  }

  /** Refused: PyTorch 1.13's Poisson has no entropy either (there is no closed form). */
  entropy(): Tensor {
    throw new ValueError("Poisson.entropy: not defined (no closed form; PyTorch 1.13 raises NotImplementedError)");
  }
}

/** Probabilities in (0, 1], Geometric's parameter constraint (a success must be possible). */
const successProbability = { text: "in (0, 1]", ok: (v: number) => v > 0 && v <= 1 };

/**
 * Geometric({ probs } | { logits }), PyTorch's: the number of failures before the first success,
 * log p(k) = k·log(1 − p) + log p on k = 0, 1, 2, …
 */
export class Geometric extends Distribution {
  readonly probs: Tensor;
  readonly logits: Tensor;

  constructor(o: ProbsOrLogits) {
    const which = oneOf("Geometric", o);
    const constraint = which === "probs" ? successProbability : real;
    const { values: [p], batchShape } = constrainedParams("Geometric", { [which]: [o[which] as ParamLike, constraint] });
    super("Geometric", batchShape);
    ({ probs: this.probs, logits: this.logits } = binaryProbsLogits(which, p));
  }

  get mean(): Tensor { return reciprocal(this.probs).sub(1); }
  get variance(): Tensor { return reciprocal(this.probs).sub(1).div(this.probs); }

  /** ⌊log(1 − u)/log(1 − p)⌋, u uniform on [0, 1): inversion of P(X ≥ k) = (1 − p)^k. */
  override sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const u = this.standardDraws("Geometric.sample", "uniform", sampleShape, o, "float64");
    const p = this.probs.detach().astype("float64");
    // + 0 turns the −0 of p = 1 (log(1 − u)/−∞) into 0.
    return floor(u.neg().log1p().div(p.neg().log1p())).add(0).astype(this.probs.dtype);
  }

  /** k·log(1 − p) + log p; PyTorch's convention for p = 1 and k = 0 (0·log 0 counted 0). */
  logProb(value: ParamLike): Tensor {
    const v = this.supportedValue("Geometric.logProb", value, this.probs, counts);
    const p = where(this.probs.eq(1), where(v.eq(0), 0, this.probs), this.probs);
    return v.mul(p.neg().log1p()).add(this.probs.log());
  }

  /** Binary cross-entropy of the logits against p, over p: (softplus(l) − l·p)/p. */
  entropy(): Tensor { return softplus(this.logits).sub(this.logits.mul(this.probs)).div(this.probs); }
}
