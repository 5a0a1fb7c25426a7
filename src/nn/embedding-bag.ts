import { boolean, positiveInt } from "../checks.js";
import { DTypeError } from "../errors.js";
import type { RandomOptions, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { embeddingBag, resolveBagMode, type EmbeddingBagMode } from "./embedding-bag-op.js";
import { EMBEDDING_OPTION_KEYS, resolveEmbeddingOptions, type EmbeddingOptions } from "./embedding-op.js";
import { copyPretrained, normalTable, pretrainedShape } from "./embedding-table.js";
import { Module } from "./module.js";

/** The layer's own options: the lookup's (embedding-op.ts), how bags combine, and offsets' form. */
export interface EmbeddingBagModeOptions extends EmbeddingOptions {
  /** "mean" (default), "sum" or "max". */
  mode?: EmbeddingBagMode;
  /** forward's offsets carry one more element, the end of the last bag. */
  includeLastOffset?: boolean;
}

export interface EmbeddingBagLayerOptions extends EmbeddingBagModeOptions, RandomOptions {
  dtype?: "float32" | "float64";
}

export interface EmbeddingBagFromPretrainedOptions extends EmbeddingBagModeOptions {
  /** Keep the table fixed (requiresGrad false; default true), as PyTorch. */
  freeze?: boolean;
}

const BAG_LAYER_KEYS = [...EMBEDDING_OPTION_KEYS, "mode", "includeLastOffset"] as const;

/**
 * Sums, means or maxima of bags of embeddings, as torch.nn.EmbeddingBag: forward(input,
 * offsets?, perSampleWeights?) with a 2-D input [bags, length] or a 1-D input and offsets gives
 * [bags, embeddingDim] (embedding-bag-op.ts). The table (state-dict key `weight`) starts
 * N(0, 1), its paddingIdx row zero, as Embedding's.
 */
export class EmbeddingBag extends Module {
  static readonly typeName: string = "EmbeddingBag";
  /** [numEmbeddings, embeddingDim]. Assignable: a tensor assigned here is registered in its place. */
  weight: Tensor;
  readonly mode: EmbeddingBagMode;
  readonly includeLastOffset: boolean;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, o: EmbeddingBagLayerOptions = {}) {
    super();
    positiveInt("EmbeddingBag", "numEmbeddings", numEmbeddings);
    positiveInt("EmbeddingBag", "embeddingDim", embeddingDim);
    checkOptions("EmbeddingBag", o, [...BAG_LAYER_KEYS, "dtype", "seed", "rng"]);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`EmbeddingBag: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    const { seed, rng, dtype: _, mode, includeLastOffset, ...lookup } = o;
    const r = resolveEmbeddingOptions("EmbeddingBag", numEmbeddings, lookup);
    this.mode = resolveBagMode("EmbeddingBag", mode, r);
    this.includeLastOffset = boolean("EmbeddingBag", "includeLastOffset", includeLastOffset ?? false);
    this.weight = this.registerParameter("weight", normalTable(numEmbeddings, embeddingDim, dtype, { seed, rng }, r.paddingIdx));
    this.paddingIdx = r.paddingIdx >= 0 ? r.paddingIdx : null;
    this.maxNorm = r.maxNorm;
    this.normType = r.normType;
    this.scaleGradByFreq = r.scaleGradByFreq;
    this.sparse = r.sparse;
  }

  /** An EmbeddingBag holding a copy of `weights`; as in PyTorch the paddingIdx row is kept as given. */
  static fromPretrained(weights: Tensor, o: EmbeddingBagFromPretrainedOptions = {}): EmbeddingBag {
    checkOptions("EmbeddingBag.fromPretrained", o, [...BAG_LAYER_KEYS, "freeze"]);
    const [rows, dim, dtype] = pretrainedShape("EmbeddingBag.fromPretrained", weights);
    const { freeze, ...rest } = o;
    const frozen = boolean("EmbeddingBag.fromPretrained", "freeze", freeze ?? true);
    const layer = new EmbeddingBag(rows, dim, { ...rest, dtype, seed: 0 });
    copyPretrained(layer.weight, weights, frozen);
    return layer;
  }

  forward(input: Tensor, offsets: Tensor | null = null, perSampleWeights: Tensor | null = null): Tensor {
    return embeddingBag(input, this.weight, {
      offsets, perSampleWeights, mode: this.mode, includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq, sparse: this.sparse,
    });
  }
}
