import { boolean, positiveInt } from "../checks.js";
import { DTypeError } from "../errors.js";
import type { RandomOptions, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { embedding, EMBEDDING_OPTION_KEYS, resolveEmbeddingOptions, type EmbeddingOptions } from "./embedding-op.js";
import { registerLayers } from "./layer-registry.js";
import { copyPretrained, normalTable, pretrainedShape } from "./embedding-table.js";
import { Module } from "./module.js";

export interface EmbeddingLayerOptions extends EmbeddingOptions, RandomOptions {
  dtype?: "float32" | "float64";
}

export interface FromPretrainedOptions extends EmbeddingOptions {
  /** Keep the table fixed (requiresGrad false; default true), as PyTorch. */
  freeze?: boolean;
}

/**
 * A lookup table of numEmbeddings vectors of embeddingDim, as torch.nn.Embedding: input an
 * integer tensor of any shape, output [...input.shape, embeddingDim]. The table (state-dict key
 * `weight`) starts N(0, 1), its paddingIdx row zero.
 */
export class Embedding extends Module {
  static readonly typeName: string = "Embedding";
  /** [numEmbeddings, embeddingDim]. Assignable: a tensor assigned here is registered in its place. */
  weight: Tensor;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, o: EmbeddingLayerOptions = {}) {
    super();
    positiveInt("Embedding", "numEmbeddings", numEmbeddings);
    positiveInt("Embedding", "embeddingDim", embeddingDim);
    checkOptions("Embedding", o, [...EMBEDDING_OPTION_KEYS, "dtype", "seed", "rng"]);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`Embedding: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    const { seed, rng, dtype: _, ...lookup } = o;
    const r = resolveEmbeddingOptions("Embedding", numEmbeddings, lookup);
    this.weight = this.registerParameter("weight", normalTable(numEmbeddings, embeddingDim, dtype, { seed, rng }, r.paddingIdx));
    this.paddingIdx = r.paddingIdx >= 0 ? r.paddingIdx : null;
    this.maxNorm = r.maxNorm;
    this.normType = r.normType;
    this.scaleGradByFreq = r.scaleGradByFreq;
    this.sparse = r.sparse;
  }

  /**
   * An Embedding holding a copy of `weights` ([numEmbeddings, embeddingDim]); as in PyTorch the
   * paddingIdx row is kept as given, not zeroed.
   */
  static fromPretrained(weights: Tensor, o: FromPretrainedOptions = {}): Embedding {
    checkOptions("Embedding.fromPretrained", o, [...EMBEDDING_OPTION_KEYS, "freeze"]);
    const [rows, dim, dtype] = pretrainedShape("Embedding.fromPretrained", weights);
    const { freeze, ...lookup } = o;
    const frozen = boolean("Embedding.fromPretrained", "freeze", freeze ?? true);
    const layer = new Embedding(rows, dim, { ...lookup, dtype, seed: 0 });
    copyPretrained(layer.weight, weights, frozen);
    return layer;
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq, sparse: this.sparse,
    });
  }
}

// The ONNX exporter recognizes it through the registry (layer-registry.ts).
registerLayers({ Embedding });
