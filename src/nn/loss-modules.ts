import { inRange, positive } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkIgnoreIndex } from "./class-targets.js";
import { flag } from "./loss-reduction.js";
import { crossEntropy, type CrossEntropyOptions } from "./cross-entropy.js";
import { LossModule } from "./loss-module.js";
import { huberLoss, l1Loss, mseLoss, smoothL1Loss, type LossOptions } from "./losses.js";
import { bceWithLogits, binaryCrossEntropy, multiLabelSoftMarginLoss, type BceWithLogitsOptions, type BinaryCrossEntropyOptions } from "./losses-binary.js";
import { gaussianNllLoss, klDivLoss, poissonNllLoss, type GaussianNllOptions, type KlDivOptions, type PoissonNllOptions } from "./losses-distribution.js";
import { cosineEmbeddingLoss, hingeEmbeddingLoss, marginRankingLoss, tripletMarginLoss, type MarginOptions, type TripletMarginOptions } from "./losses-embedding.js";
import { multilabelMarginLoss, multiMarginLoss, softMarginLoss, type MultiMarginOptions } from "./losses-margin.js";
import { nllLoss, type NllLossOptions } from "./nll-loss.js";

/**
 * The loss functions as modules, with PyTorch's class names: each takes its function's options
 * (checked when made, so a bad option fails where it is written), and forward(input, target)
 * gives the function's result. A class weight (and BCEWithLogitsLoss's posWeight) is a buffer,
 * as in PyTorch, so stateDict() holds "weight" / "pos_weight" under PyTorch's keys and
 * loadStateDict() fills it; an absent one reserves the name (null), as PyTorch's None.
 */

/** A weight option as an owning float tensor registered as buffer `key` (null when absent). */
function weightBuffer(m: LossModule, where: string, key: string, w: unknown, vector: boolean): Tensor | null {
  if (w === undefined || w === null) {
    m.registerBuffer(key, null);
    return null;
  }
  const option = key === "pos_weight" ? "posWeight" : key;
  if (!(w instanceof Tensor)) throw new ValueError(`${where}: ${option} must be a Tensor, got ${typeof w}`);
  if (w.dtype !== "float32" && w.dtype !== "float64") throw new DTypeError(`${where}: ${option} must be float32 or float64, got ${w.dtype}`);
  if (vector && w.ndim !== 1) throw new ShapeError(`${where}: ${option} must be 1-d (one per class), got shape [${w.shape}]`);
  // A buffer must own its storage (loadStateDict copies into it): a view is copied once.
  const owned = w.isContiguous && w.offset === 0 && w.storage.length === w.size ? w : w.clone();
  return m.registerBuffer(key, owned);
}

function numberOf(where: string, key: string, v: unknown, fallback: number): number {
  const x = v ?? fallback;
  if (typeof x !== "number" || Number.isNaN(x)) throw new ValueError(`${where}: ${key} must be a number, got ${String(x)}`);
  return x;
}

export class MSELoss extends LossModule {
  static readonly typeName: string = "MSELoss";
  readonly lossFunction = mseLoss;
  constructor(o: LossOptions = {}) { super("MSELoss", o, []); }
  lossOptions(): LossOptions { return { reduction: this.reduction as LossOptions["reduction"] }; }
}

export class L1Loss extends LossModule {
  static readonly typeName: string = "L1Loss";
  readonly lossFunction = l1Loss;
  constructor(o: LossOptions = {}) { super("L1Loss", o, []); }
  lossOptions(): LossOptions { return { reduction: this.reduction as LossOptions["reduction"] }; }
}

export class HuberLoss extends LossModule {
  static readonly typeName: string = "HuberLoss";
  readonly lossFunction = huberLoss;
  readonly delta: number;
  constructor(o: LossOptions & { delta?: number } = {}) {
    super("HuberLoss", o, ["delta"]);
    this.delta = positive("HuberLoss", "delta", o.delta ?? 1);
  }
  lossOptions() { return { reduction: this.reduction as LossOptions["reduction"], delta: this.delta }; }
}

export class SmoothL1Loss extends LossModule {
  static readonly typeName: string = "SmoothL1Loss";
  readonly lossFunction = smoothL1Loss;
  readonly beta: number;
  constructor(o: LossOptions & { beta?: number } = {}) {
    super("SmoothL1Loss", o, ["beta"]);
    this.beta = positive("SmoothL1Loss", "beta", o.beta ?? 1, true);
  }
  lossOptions() { return { reduction: this.reduction as LossOptions["reduction"], beta: this.beta }; }
}

/** Logits [C], [N, C] or [N, C, d1, …] against labels or probabilities (crossEntropy); buffer "weight". */
export class CrossEntropyLoss extends LossModule {
  static readonly typeName: string = "CrossEntropyLoss";
  readonly lossFunction = crossEntropy;
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(o: CrossEntropyOptions = {}) {
    super("CrossEntropyLoss", o, ["weight", "ignoreIndex", "labelSmoothing"]);
    this.ignoreIndex = checkIgnoreIndex(o.ignoreIndex, "CrossEntropyLoss");
    this.labelSmoothing = inRange("CrossEntropyLoss", "labelSmoothing", o.labelSmoothing ?? 0, 0, 1);
    this.weight = weightBuffer(this, "CrossEntropyLoss", "weight", o.weight, true);
  }
  lossOptions(): CrossEntropyOptions {
    return { reduction: this.reduction as LossOptions["reduction"], ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing,
      ...(this.weight ? { weight: this.weight } : {}) };
  }
}

/** Log-probabilities against labels (nllLoss); buffer "weight". */
export class NLLLoss extends LossModule {
  static readonly typeName: string = "NLLLoss";
  readonly lossFunction = nllLoss;
  readonly weight: Tensor | null;
  readonly ignoreIndex: number;
  constructor(o: NllLossOptions = {}) {
    super("NLLLoss", o, ["weight", "ignoreIndex"]);
    this.ignoreIndex = checkIgnoreIndex(o.ignoreIndex, "NLLLoss");
    this.weight = weightBuffer(this, "NLLLoss", "weight", o.weight, true);
  }
  lossOptions(): NllLossOptions {
    return { reduction: this.reduction as LossOptions["reduction"], ignoreIndex: this.ignoreIndex, ...(this.weight ? { weight: this.weight } : {}) };
  }
}

/** Probabilities against targets in [0, 1] (binaryCrossEntropy); buffer "weight", broadcast to the input. */
export class BCELoss extends LossModule {
  static readonly typeName: string = "BCELoss";
  readonly lossFunction = binaryCrossEntropy;
  readonly weight: Tensor | null;
  constructor(o: BinaryCrossEntropyOptions = {}) {
    super("BCELoss", o, ["weight"]);
    this.weight = weightBuffer(this, "BCELoss", "weight", o.weight, false);
  }
  lossOptions(): BinaryCrossEntropyOptions {
    return { reduction: this.reduction as LossOptions["reduction"], ...(this.weight ? { weight: this.weight } : {}) };
  }
}

/**
 * Logits against targets (bceWithLogits); buffers "weight" and "pos_weight". A number posWeight
 * (which the function takes too) is kept as a number, not a buffer: PyTorch's is a tensor.
 */
export class BCEWithLogitsLoss extends LossModule {
  static readonly typeName: string = "BCEWithLogitsLoss";
  readonly lossFunction = bceWithLogits;
  readonly weight: Tensor | null;
  readonly posWeight: Tensor | number | null;
  constructor(o: BceWithLogitsOptions = {}) {
    super("BCEWithLogitsLoss", o, ["weight", "posWeight"]);
    this.weight = weightBuffer(this, "BCEWithLogitsLoss", "weight", o.weight, false);
    const pw = o.posWeight;
    this.posWeight = weightBuffer(this, "BCEWithLogitsLoss", "pos_weight", typeof pw === "number" ? null : pw, false);
    if (typeof pw === "number") this.posWeight = numberOf("BCEWithLogitsLoss", "posWeight", pw, 1);
  }
  lossOptions(): BceWithLogitsOptions {
    return { reduction: this.reduction as LossOptions["reduction"], ...(this.weight ? { weight: this.weight } : {}),
      ...(this.posWeight !== null ? { posWeight: this.posWeight } : {}) };
  }
}

/** KL(target ‖ input) with log-probability input (klDivLoss); reduction may be "batchmean". */
export class KLDivLoss extends LossModule {
  static readonly typeName: string = "KLDivLoss";
  readonly lossFunction = klDivLoss;
  readonly logTarget: boolean;
  constructor(o: KlDivOptions = {}) {
    super("KLDivLoss", o, ["logTarget"], ["batchmean"]);
    this.logTarget = flag(o.logTarget, false, "KLDivLoss", "logTarget");
  }
  lossOptions(): KlDivOptions { return { reduction: this.reduction as KlDivOptions["reduction"], logTarget: this.logTarget }; }
}

export class PoissonNLLLoss extends LossModule {
  static readonly typeName: string = "PoissonNLLLoss";
  readonly lossFunction = poissonNllLoss;
  readonly logInput: boolean;
  readonly full: boolean;
  readonly eps: number;
  constructor(o: PoissonNllOptions = {}) {
    super("PoissonNLLLoss", o, ["logInput", "full", "eps"]);
    this.logInput = flag(o.logInput, true, "PoissonNLLLoss", "logInput");
    this.full = flag(o.full, false, "PoissonNLLLoss", "full");
    this.eps = positive("PoissonNLLLoss", "eps", o.eps ?? 1e-8, true);
  }
  lossOptions(): PoissonNllOptions {
    return { reduction: this.reduction as LossOptions["reduction"], logInput: this.logInput, full: this.full, eps: this.eps };
  }
}

/** forward(input, target, var) (gaussianNllLoss). */
export class GaussianNLLLoss extends LossModule {
  static readonly typeName: string = "GaussianNLLLoss";
  readonly lossFunction = gaussianNllLoss;
  protected override readonly inputNames = ["input", "target", "var"];
  readonly full: boolean;
  readonly eps: number;
  constructor(o: GaussianNllOptions = {}) {
    super("GaussianNLLLoss", o, ["full", "eps"]);
    this.full = flag(o.full, false, "GaussianNLLLoss", "full");
    this.eps = positive("GaussianNLLLoss", "eps", o.eps ?? 1e-6, true);
  }
  lossOptions(): GaussianNllOptions { return { reduction: this.reduction as LossOptions["reduction"], full: this.full, eps: this.eps }; }
}

/** Multi-label logits [N, C] against 0/1 targets (multiLabelSoftMarginLoss); buffer "weight". */
export class MultiLabelSoftMarginLoss extends LossModule {
  static readonly typeName: string = "MultiLabelSoftMarginLoss";
  readonly lossFunction = multiLabelSoftMarginLoss;
  readonly weight: Tensor | null;
  constructor(o: BinaryCrossEntropyOptions = {}) {
    super("MultiLabelSoftMarginLoss", o, ["weight"]);
    this.weight = weightBuffer(this, "MultiLabelSoftMarginLoss", "weight", o.weight, false);
  }
  lossOptions(): BinaryCrossEntropyOptions {
    return { reduction: this.reduction as LossOptions["reduction"], ...(this.weight ? { weight: this.weight } : {}) };
  }
}

/** forward(x1, x2, target) with labels ±1 (cosineEmbeddingLoss; margin default 0). */
export class CosineEmbeddingLoss extends LossModule {
  static readonly typeName: string = "CosineEmbeddingLoss";
  readonly lossFunction = cosineEmbeddingLoss;
  protected override readonly inputNames = ["x1", "x2", "target"];
  readonly margin: number;
  constructor(o: MarginOptions = {}) {
    super("CosineEmbeddingLoss", o, ["margin"]);
    this.margin = numberOf("CosineEmbeddingLoss", "margin", o.margin, 0);
  }
  lossOptions(): MarginOptions { return { reduction: this.reduction as LossOptions["reduction"], margin: this.margin }; }
}

/** forward(x1, x2, target) (marginRankingLoss; margin default 0). */
export class MarginRankingLoss extends LossModule {
  static readonly typeName: string = "MarginRankingLoss";
  readonly lossFunction = marginRankingLoss;
  protected override readonly inputNames = ["x1", "x2", "target"];
  readonly margin: number;
  constructor(o: MarginOptions = {}) {
    super("MarginRankingLoss", o, ["margin"]);
    this.margin = numberOf("MarginRankingLoss", "margin", o.margin, 0);
  }
  lossOptions(): MarginOptions { return { reduction: this.reduction as LossOptions["reduction"], margin: this.margin }; }
}

/** hingeEmbeddingLoss (margin default 1). */
export class HingeEmbeddingLoss extends LossModule {
  static readonly typeName: string = "HingeEmbeddingLoss";
  readonly lossFunction = hingeEmbeddingLoss;
  readonly margin: number;
  constructor(o: MarginOptions = {}) {
    super("HingeEmbeddingLoss", o, ["margin"]);
    this.margin = numberOf("HingeEmbeddingLoss", "margin", o.margin, 1);
  }
  lossOptions(): MarginOptions { return { reduction: this.reduction as LossOptions["reduction"], margin: this.margin }; }
}

/** forward(anchor, positive, negative) (tripletMarginLoss; margin 1, p 2, eps 1e-6, swap false). */
export class TripletMarginLoss extends LossModule {
  static readonly typeName: string = "TripletMarginLoss";
  readonly lossFunction = tripletMarginLoss;
  protected override readonly inputNames = ["anchor", "positive", "negative"];
  readonly margin: number;
  readonly p: number;
  readonly eps: number;
  readonly swap: boolean;
  constructor(o: TripletMarginOptions = {}) {
    super("TripletMarginLoss", o, ["margin", "p", "eps", "swap"]);
    this.margin = numberOf("TripletMarginLoss", "margin", o.margin, 1);
    this.p = positive("TripletMarginLoss", "p", o.p ?? 2);
    this.eps = positive("TripletMarginLoss", "eps", o.eps ?? 1e-6, true);
    this.swap = flag(o.swap, false, "TripletMarginLoss", "swap");
  }
  lossOptions(): TripletMarginOptions {
    return { reduction: this.reduction as LossOptions["reduction"], margin: this.margin, p: this.p, eps: this.eps, swap: this.swap };
  }
}

/** Scores [N, C] or [C] against one class index per sample (multiMarginLoss; p 1, margin 1); buffer "weight". */
export class MultiMarginLoss extends LossModule {
  static readonly typeName: string = "MultiMarginLoss";
  readonly lossFunction = multiMarginLoss;
  readonly p: number;
  readonly margin: number;
  readonly weight: Tensor | null;
  constructor(o: MultiMarginOptions = {}) {
    super("MultiMarginLoss", o, ["p", "margin", "weight"]);
    const p = o.p ?? 1;
    if (p !== 1 && p !== 2) throw new ValueError(`MultiMarginLoss: p must be 1 or 2 (as PyTorch), got ${String(p)}`);
    this.p = p;
    this.margin = numberOf("MultiMarginLoss", "margin", o.margin, 1);
    this.weight = weightBuffer(this, "MultiMarginLoss", "weight", o.weight, true);
  }
  lossOptions(): MultiMarginOptions {
    return { reduction: this.reduction as LossOptions["reduction"], p: this.p, margin: this.margin, ...(this.weight ? { weight: this.weight } : {}) };
  }
}

/** Scores [N, C] or [C] against target classes padded with −1, of the same shape (multilabelMarginLoss). */
export class MultiLabelMarginLoss extends LossModule {
  static readonly typeName: string = "MultiLabelMarginLoss";
  readonly lossFunction = multilabelMarginLoss;
  constructor(o: LossOptions = {}) { super("MultiLabelMarginLoss", o, []); }
  lossOptions(): LossOptions { return { reduction: this.reduction as LossOptions["reduction"] }; }
}

/** log(1 + e^(−y·x)) against ±1 targets of the input's shape (softMarginLoss). */
export class SoftMarginLoss extends LossModule {
  static readonly typeName: string = "SoftMarginLoss";
  readonly lossFunction = softMarginLoss;
  constructor(o: LossOptions = {}) { super("SoftMarginLoss", o, []); }
  lossOptions(): LossOptions { return { reduction: this.reduction as LossOptions["reduction"] }; }
}
