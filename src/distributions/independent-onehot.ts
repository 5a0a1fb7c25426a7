import { ShapeError, ValueError } from "../errors.js";
import type { RandomOptions } from "../ndarray/random.js";
import { Tensor } from "../ndarray/tensor.js";
import { Categorical, type ProbsOrLogits } from "./discrete.js";
import { Distribution } from "./distribution.js";
import { requireSupport, zeroOrOne, type ParamLike } from "./params.js";

/**
 * Independent(base, n), PyTorch's: the rightmost n batch dims of `base` read as event dims, so
 * logProb and entropy sum over them (a diagonal Normal as one multivariate event).
 */
export class Independent extends Distribution {
  override readonly hasRsample: boolean;

  constructor(readonly base: Distribution, readonly reinterpretedBatchNdims: number) {
    if (!(base instanceof Distribution)) throw new ValueError(`Independent: base must be a Distribution, got ${typeof base}`);
    const nb = base.batchShape.length;
    if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0 || reinterpretedBatchNdims > nb) {
      throw new ValueError(`Independent: reinterpretedBatchNdims must be an integer in [0, ${nb}] for batchShape [${base.batchShape}], got ${reinterpretedBatchNdims}`);
    }
    const cut = nb - reinterpretedBatchNdims;
    super("Independent", base.batchShape.slice(0, cut), [...base.batchShape.slice(cut), ...base.eventShape]);
    this.hasRsample = base.hasRsample;
  }

  get mean(): Tensor { return this.base.mean; }
  get variance(): Tensor { return this.base.variance; }
  override get stddev(): Tensor { return this.base.stddev; }

  override sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor { return this.base.sample(sampleShape, o); }
  override rsample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor { return this.base.rsample(sampleShape, o); }

  logProb(value: ParamLike): Tensor { return this.sumRightmost(this.base.logProb(value)); }
  entropy(): Tensor { return this.sumRightmost(this.base.entropy()); }

  private sumRightmost(t: Tensor): Tensor {
    const n = this.reinterpretedBatchNdims;
    return n === 0 ? t : t.sum(Array.from({ length: n }, (_, i) => -1 - i));
  }
}

/** OneHotCategorical({ probs } | { logits }), PyTorch's: Categorical draws as one-hot vectors (eventShape [k]). */
export class OneHotCategorical extends Distribution {
  readonly categorical: Categorical;

  constructor(o: ProbsOrLogits) {
    const categorical = new Categorical(o);
    super("OneHotCategorical", categorical.batchShape, [categorical.numEvents]);
    this.categorical = categorical;
  }

  get probs(): Tensor { return this.categorical.probs; }
  get logits(): Tensor { return this.categorical.logits; }
  get mean(): Tensor { return this.probs; }
  get variance(): Tensor { return this.probs.mul(this.probs.neg().add(1)); }

  override sample(sampleShape: readonly number[] = [], o?: RandomOptions): Tensor {
    const index = this.categorical.sample(sampleShape, o).data, k = this.categorical.numEvents;
    const out = this.probs.dtype === "float64" ? new Float64Array(index.length * k) : new Float32Array(index.length * k);
    for (let i = 0; i < index.length; i++) out[i * k + index[i]] = 1;
    return new Tensor(out, this.probs.dtype, this.extendedShape(sampleShape));
  }

  /** The Categorical logProb of the hot index; a value that is not one-hot is refused. */
  logProb(value: ParamLike): Tensor {
    const k = this.categorical.numEvents;
    if (!(value instanceof Tensor) || value.ndim < 1 || value.shape[value.ndim - 1] !== k) {
      throw new ShapeError(`OneHotCategorical.logProb: value must be a Tensor whose last dimension is ${k}, got ${value instanceof Tensor ? `shape [${value.shape}]` : typeof value}`);
    }
    requireSupport("OneHotCategorical.logProb", value, zeroOrOne);
    const rows = value.contiguous().data;
    for (let r = 0; r < rows.length; r += k) {
      let ones = 0;
      for (let c = 0; c < k; c++) ones += rows[r + c];
      if (ones !== 1) throw new ValueError(`OneHotCategorical.logProb: row ${r / k} of the value has ${ones} ones, not one`);
    }
    return this.categorical.logProb(value.argmax(-1));
  }

  entropy(): Tensor { return this.categorical.entropy(); }
}
