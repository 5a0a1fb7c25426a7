import { boolean, positiveInt } from "../checks.js";
import { DTypeError, ShapeError } from "../errors.js";
import { rngFrom, Tensor, zeros, type RandomOptions } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { embedding, EMBEDDING_OPTION_KEYS, resolveEmbeddingOptions, type EmbeddingOptions } from "./embedding-op.js";
import { registerLayers } from "./layer-registry.js";
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
    const gen = rngFrom({ seed, rng });
    const weight = zeros([numEmbeddings, embeddingDim], { dtype }), data = weight.storage; // a size no array holds: a ShapeError
    for (let i = 0; i < data.length; i++) data[i] = gen.normal();
    if (r.paddingIdx >= 0) data.fill(0, r.paddingIdx * embeddingDim, (r.paddingIdx + 1) * embeddingDim);
    this.weight = this.registerParameter("weight", weight);
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
    if (!(weights instanceof Tensor) || weights.ndim !== 2 || (weights.dtype !== "float32" && weights.dtype !== "float64")) {
      throw new ShapeError(`Embedding.fromPretrained: weights must be a 2-D float tensor, got ${weights instanceof Tensor ? `${weights.dtype} [${weights.shape}]` : typeof weights}`);
    }
    const { freeze, ...lookup } = o;
    const frozen = boolean("Embedding.fromPretrained", "freeze", freeze ?? true);
    const [rows, dim] = weights.shape;
    const layer = new Embedding(rows, dim, { ...lookup, dtype: weights.dtype, seed: 0 });
    const src = weights.contiguous();
    layer.weight.storage.set(src.storage.subarray(src.offset, src.offset + src.size));
    if (frozen) layer.weight.requiresGrad = false;
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
