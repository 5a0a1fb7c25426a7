import { boolean, oneOf, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { arange, Rng, rngFrom, type RandomOptions, type Tensor } from "../ndarray/index.js";
import { withGlobalRng } from "../ndarray/random.js";
import { checkOptions } from "../options.js";
import { Embedding } from "./embedding.js";
import { KVCache } from "./kv-cache.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { LayerNorm } from "./norm-layers.js";
import { TransformerEncoder, TransformerEncoderLayer } from "./transformer.js";

export interface TransformerLMOptions extends RandomOptions {
  /** Width of the token vectors (default 128). */
  dModel?: number;
  /** Decoder blocks (default 4). */
  numLayers?: number;
  /** Attention heads per block; must divide dModel (default 4). */
  numHeads?: number;
  /** Longest sequence the model reads: the number of learned positions (default 128). */
  contextLength?: number;
  /** Hidden width of each block's feed-forward network (default 4·dModel). */
  dimFeedforward?: number;
  /**
   * Dropout on the attention weights and after each sub-layer while training (default 0), in
   * [0, 1). With seed or rng the masks are drawn from the model's own generator (the one its
   * initial weights came from, continued); without them from the global generator at each
   * forward (manualSeed, or fit's run), as an unseeded Dropout.
   */
  dropout?: number;
  /** The output head reuses the token embedding's matrix (Press & Wolf 2017; default false). */
  tieWeights?: boolean;
  /**
   * The feed-forward activation: "gelu" (exact, as PyTorch's F.gelu; default) or "relu", which runs in the
   * first Linear's GEMM epilogue and costs nothing beyond it.
   */
  activation?: "gelu" | "relu";
  dtype?: "float32" | "float64";
}

const KEYS = ["dModel", "numLayers", "numHeads", "contextLength", "dimFeedforward", "dropout", "tieWeights", "activation", "dtype", "seed", "rng"];

/** Weights drawn N(0, std²) in place. */
function normalFill(t: Tensor, std: number, rng: Rng): void {
  const d = t.storage;
  for (let i = 0; i < d.length; i++) d[i] = std * rng.normal();
}

/**
 * GPT-2's initialization (Radford et al. 2019): every matrix N(0, 0.02²), the two projections
 * that write into the residual stream (attention out_proj, linear2) scaled by 1/√(2·numLayers) so
 * the stream's variance does not grow with depth, biases 0. Each block is drawn on its own:
 * TransformerEncoder starts its layers as copies of one, as PyTorch's does.
 */
function initGpt2(model: TransformerLM, rng: Rng): void {
  const residual = 0.02 / Math.sqrt(2 * model.numLayers);
  for (const [name, p] of model.namedParameters()) {
    if (p.ndim === 1) {
      if (!/norm\d?\.weight$/.test(name)) p.storage.fill(0);
      continue;
    }
    normalFill(p, /out_proj\.weight$|linear2\.weight$/.test(name) ? residual : 0.02, rng);
  }
}

/**
 * The key/value cache of a TransformerLM: each block's keys and values of the positions seen so
 * far, and how many there are (the position of the next token). Made by `model.newCache()`;
 * forward refuses one whose length is not what its blocks hold.
 */
export interface LMCache {
  /** Positions already in the cache. */
  length: number;
  /** One KVCache per block. */
  blocks: KVCache[];
}

/**
 * The cache forward was given, if its length is the number of positions each of its blocks holds.
 * A hand-made `{ length: 3, blocks }` with empty blocks would otherwise place the new tokens at
 * positions 3… and let them attend to nothing before.
 */
function checkCache(cache: unknown, numLayers: number): LMCache {
  const c = cache as Partial<LMCache>;
  if (typeof c !== "object" || !Array.isArray(c.blocks)) {
    throw new ValueError(`TransformerLM.forward: cache must be { length, blocks } from model.newCache(), got ${JSON.stringify(cache)?.slice(0, 80)}`);
  }
  if (c.blocks.length !== numLayers || !c.blocks.every((b) => b instanceof KVCache)) {
    throw new ValueError(`TransformerLM.forward: cache must hold ${numLayers} blocks (a KVCache per decoder block, model.newCache()), got ${c.blocks.length}`);
  }
  c.blocks.forEach((b, i) => {
    if (b.length !== c.length) {
      throw new ValueError(`TransformerLM.forward: the cache's length is ${String(c.length)} but block ${i} holds ${b.length} positions (make caches with model.newCache())`);
    }
  });
  return c as LMCache;
}

/**
 * A GPT-style decoder-only language model: token embedding plus learned position embedding →
 * numLayers pre-norm TransformerEncoderLayers (GELU) under a causal mask → LayerNorm →
 * Linear head to one logit per vocabulary entry.
 *
 * forward(ids [B, T] int32) → logits [B, T, vocabSize]: the logits at t predict token t + 1 from
 * tokens 0…t. forward(ids, { cache }) reads only the new tokens: their positions continue after
 * the cache's, and the cache grows by T, so a generator pays one position per new token.
 *
 * State-dict keys: embedding.weight, positions.weight, encoder.layers.<i>.…, norm.weight,
 * norm.bias, head.weight (with tieWeights the head shares embedding.weight and saves no copy).
 */
export class TransformerLM extends Module {
  static readonly typeName: string = "TransformerLM";
  readonly vocabSize: number;
  readonly dModel: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly contextLength: number;
  readonly dimFeedforward: number;
  readonly tieWeights: boolean;
  readonly embedding: Embedding;
  readonly positions: Embedding;
  readonly encoder: TransformerEncoder;
  readonly norm: LayerNorm;
  readonly head: Linear | null;
  /**
   * The model's dropout generator when seeded, else null (the global one). A field of its own so
   * that saveCheckpoint saves it and loadCheckpoint restores it.
   */
  private readonly rng: Rng | null;

  constructor(vocabSize: number, o: TransformerLMOptions = {}) {
    super();
    const name = "TransformerLM";
    checkOptions(name, o, KEYS);
    this.vocabSize = positiveInt(name, "vocabSize", vocabSize);
    this.dModel = positiveInt(name, "dModel", o.dModel ?? 128);
    this.numLayers = positiveInt(name, "numLayers", o.numLayers ?? 4);
    this.numHeads = positiveInt(name, "numHeads", o.numHeads ?? 4);
    if (this.dModel % this.numHeads !== 0) throw new ValueError(`${name}: numHeads (${this.numHeads}) must divide dModel (${this.dModel})`);
    this.contextLength = positiveInt(name, "contextLength", o.contextLength ?? 128);
    this.dimFeedforward = positiveInt(name, "dimFeedforward", o.dimFeedforward ?? 4 * this.dModel);
    // Checked here so the message names TransformerLM, not the encoder layer built from it.
    const dropout = o.dropout ?? 0;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) throw new ValueError(`${name}: dropout must be in [0, 1), got ${String(dropout)}`);
    this.tieWeights = boolean(name, "tieWeights", o.tieWeights ?? false);
    const activation = oneOf(name, "activation", o.activation ?? "gelu", ["gelu", "relu"] as const);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${name}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    // The layers' own initializations are overwritten by initGpt2 below: seed 0 keeps them cheap
    // and fixed. The blocks get no seed, so that their Dropouts hold no generator of their own
    // (a seeded block's would be the same for every model); their initial weights are drawn from
    // a throwaway generator standing in for the global one, which building a model leaves alone.
    this.embedding = this.registerModule("embedding", new Embedding(this.vocabSize, this.dModel, { dtype, seed: 0 }));
    this.positions = this.registerModule("positions", new Embedding(this.contextLength, this.dModel, { dtype, seed: 0 }));
    this.encoder = this.registerModule("encoder", withGlobalRng(new Rng(0), () => {
      const layer = new TransformerEncoderLayer(this.dModel, this.numHeads, {
        dimFeedforward: this.dimFeedforward, dropout, activation, normFirst: true, batchFirst: true, dtype,
      });
      return new TransformerEncoder(layer, this.numLayers);
    }));
    this.norm = this.registerModule("norm", new LayerNorm(this.dModel, { dtype }));
    this.head = this.tieWeights ? null : this.registerModule("head", new Linear(this.dModel, this.vocabSize, { bias: false, dtype, seed: 0 }));
    const rng = rngFrom(o);
    initGpt2(this, rng);
    // As Dropout and TransformerEncoderLayer decide: a seed or rng makes the model's dropout its own.
    this.rng = o.rng || o.seed !== undefined ? rng : null;
  }

  /** An empty key/value cache for incremental decoding with this model. */
  newCache(): LMCache {
    return { length: 0, blocks: this.encoder.createCache() };
  }

  forward(ids: Tensor, o: { cache?: LMCache } = {}): Tensor {
    checkOptions("TransformerLM.forward", o, ["cache"]);
    if (ids.ndim !== 2 || (ids.dtype !== "int32" && ids.dtype !== "uint8")) {
      throw new ShapeError(`TransformerLM.forward: ids must be [batch, time] int32, got ${ids.dtype} [${ids.shape}]`);
    }
    const cache = o.cache == null ? null : checkCache(o.cache, this.numLayers);
    const T = ids.shape[1];
    const start = cache?.length ?? 0;
    if (start + T > this.contextLength) {
      throw new ShapeError(`TransformerLM.forward: ${start > 0 ? `${start} cached + ` : ""}${T} positions exceed contextLength ${this.contextLength}`);
    }
    const pos = this.positions.forward(arange(start, start + T, 1, { dtype: "int32" }));
    const x = this.embedding.forward(ids).add(pos);
    const blocks = () => this.encoder.forward(x, { isCausal: true, cache: cache?.blocks });
    // The blocks' Dropouts draw from the global generator: a seeded model's own stands in for it.
    const h = this.rng ? withGlobalRng(this.rng, blocks) : blocks();
    if (cache) cache.length += T;
    const z = this.norm.forward(h);
    return this.head ? this.head.forward(z) : z.matmul(this.embedding.weight.transpose(0, 1));
  }
}
