import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { arange } from "../ndarray/creation.js";
import { lgamma } from "../ndarray/math-unary.js";
import type { RandomOptions } from "../ndarray/random.js";
import { broadcastShapes } from "../ndarray/shape.js";
import { Tensor } from "../ndarray/tensor.js";
import { binaryProbsLogits } from "./discrete.js";
import { drawAll, inversionTable } from "./discrete-inversion.js";
import { Distribution } from "./distribution.js";
import { checkValue, constrainedParams, nonNegativeInteger, real, samplingSetup, type ParamLike } from "./params.js";

/** Binomial's options: totalCount (default 1, as PyTorch) and exactly one of probs and logits. */
export type BinomialOptions = { totalCount?: ParamLike } & ({ probs: ParamLike; logits?: undefined } | { logits: ParamLike; probs?: undefined });

/** PyTorch's _clamp_by_zero: max(x, 0) with the derivative ½ at 0. */
const clampByZero = (x: Tensor) => x.clamp(0, null).add(x).sub(x.clamp(null, 0)).mul(0.5);

/**
 * Binomial({ totalCount, probs } | { totalCount, logits }), PyTorch's: the number of successes
 * in totalCount trials, log p(k) = log C(n, k) + k·logit − n·log(1 + e^logit).
 */
export class Binomial extends Distribution {
  readonly totalCount: Tensor;
  readonly probs: Tensor;
  readonly logits: Tensor;

  constructor(o: BinomialOptions) {
    checkOptions("Binomial", o, ["totalCount", "probs", "logits"]);
    if ((o?.probs === undefined) === (o?.logits === undefined)) throw new ValueError("Binomial: give exactly one of probs and logits");
    const which = o.probs !== undefined ? "probs" : "logits", raw = o[which] as ParamLike;
    let n = o.totalCount ?? 1;
    // PyTorch's total_count.type_as(probs): an integer count tensor takes the parameter's dtype.
    if (n instanceof Tensor && raw instanceof Tensor && n.dtype !== raw.dtype) n = n.astype(raw.dtype);
    const constraint = which === "probs" ? { text: "in [0, 1]", ok: (v: number) => v >= 0 && v <= 1 } : real;
    const { values: [count, p], batchShape } = constrainedParams("Binomial", { totalCount: [n, nonNegativeInteger], [which]: [raw, constraint] });
    super("Binomial", batchShape);
    this.totalCount = count;
    ({ probs: this.probs, logits: this.logits } = binaryProbsLogits(which, p));
  }

  get mean(): Tensor { return this.totalCount.mul(this.probs); }
  get variance(): Tensor { return this.totalCount.mul(this.probs).mul(this.probs.neg().add(1)); }

  /** Exact draws by inversion from the mode (discrete-inversion.ts), as floats of the parameters' dtype. */
  override sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const rng = samplingSetup("Binomial.sample", sampleShape, o);
    const counts = this.totalCount.contiguous().data, probs = this.probs.contiguous().data;
    const tables = Array.from(counts, (n, i) => {
      const p = probs[i], odds = p / (1 - p);
      return inversionTable({
        mode: Math.min(Math.floor((n + 1) * p), n), upper: n,
        up: (k) => ((n - k) / (k + 1)) * odds, down: (k) => k / (n - k + 1) / odds,
      });
    });
    const shape = this.extendedShape(sampleShape), size = shape.reduce((a, b) => a * b, 1);
    const out = this.probs.dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
    drawAll(tables, sampleShape.reduce((a, b) => a * b, 1), rng, out);
    return new Tensor(out, this.probs.dtype, shape);
  }

  logProb(value: ParamLike): Tensor {
    const where = "Binomial.logProb";
    const v = checkValue(where, value, this.logits, this.batchShape);
    const shape = broadcastShapes(v.shape, this.batchShape, where);
    const vs = v.expand(shape).contiguous().data, ns = this.totalCount.expand(shape).contiguous().data;
    for (let i = 0; i < vs.length; i++) {
      if (!(Number.isInteger(vs[i]) && vs[i] >= 0 && vs[i] <= ns[i])) {
        throw new ValueError(`${where}: value ${vs[i]} at flat index ${i} is outside the support {0, …, ${ns[i]}}`);
      }
    }
    return this.logPmf(v);
  }

  /** k·logit − log k! − log (n − k)! − (n·max(logit, 0) + n·log(1 + e^−|logit|) − log n!), PyTorch's form. */
  private logPmf(k: Tensor): Tensor {
    const n = this.totalCount, l = this.logits;
    const normalizer = n.mul(clampByZero(l)).add(n.mul(l.abs().neg().exp().log1p())).sub(lgamma(n.add(1)));
    return k.mul(l).sub(lgamma(k.add(1))).sub(lgamma(n.sub(k).add(1))).sub(normalizer);
  }

  /**
   * −Σₖ p(k)·log p(k) over k = 0 … max(totalCount). PyTorch 1.13 needs one totalCount for the whole
   * batch; here each element sums over its own support (terms with k > n masked to 0).
   */
  entropy(): Tensor {
    const n = this.totalCount;
    let top = 0;
    for (const c of n.contiguous().data) top = Math.max(top, c);
    const k = arange(0, top + 1, 1, { dtype: n.dtype }).reshape([top + 1, ...this.batchShape.map(() => 1)]);
    const inSupport = k.le(n), kk = k.minimum(n.detach());
    const lp = this.logPmf(kk);
    return lp.exp().mul(lp).mul(inSupport.astype(n.dtype)).sum(0).neg();
  }
}
