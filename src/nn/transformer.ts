// torch.nn.TransformerEncoderLayer and TransformerEncoder (PyTorch's names, defaults and
// state-dict keys): self-attention and a two-layer feed-forward block, each with a residual
// connection and a LayerNorm, after (post-norm, the default) or before (normFirst) the block.
import { boolean, inRange, oneOf, positive, positiveInt } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./containers.js";
import { gelu } from "./functional.js";
import { KVCache } from "./kv-cache.js";
import { registerLayers } from "./layer-registry.js";
import { Dropout } from "./layers.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { LayerNorm } from "./norm-layers.js";

/** The feed-forward block's activation: "relu" (fused into the first Linear's GEMM), "gelu" (exact, erf), or a function, as PyTorch's unary callable. */
export type FeedForwardActivation = "relu" | "gelu" | ((x: Tensor) => Tensor);

/** The activation option checked: a name of FeedForwardActivation or a function. */
export function feedForwardActivation(where: string, a: unknown): FeedForwardActivation {
  return typeof a === "function" ? (a as (x: Tensor) => Tensor) : oneOf(where, "activation", a, ["relu", "gelu"] as const);
}

/**
 * `fresh` (a new layer of `layer`'s kind and options) made a copy of `layer`, as PyTorch's
 * deepcopy of the layer a TransformerEncoder or TransformerDecoder repeats: parameters and
 * buffers, train/eval mode, and which parameters are frozen.
 */
export function copyLayerState<M extends Module>(fresh: M, layer: Module): M {
  fresh.loadStateDict(layer.stateDict());
  fresh.train(layer.training);
  const mine = layer.parameters();
  fresh.parameters().forEach((p, i) => (p.requiresGrad = mine[i].requiresGrad));
  return fresh;
}

/** linear2(dropout(activation(linear1(x)))), the feed-forward block of the encoder and decoder layers. */
export function feedForwardBlock(where: string, activation: FeedForwardActivation, linear1: Linear, drop: Dropout, linear2: Linear, x: Tensor): Tensor {
  let h: Tensor;
  if (activation === "relu") h = linear1.forwardRelu(x);
  else if (activation === "gelu") h = gelu(linear1.forward(x));
  else {
    h = activation(linear1.forward(x));
    if (!(h instanceof Tensor)) throw new ValueError(`${where}: the activation function must return a Tensor, got ${h === null ? "null" : typeof h}`);
  }
  return linear2.forward(drop.forward(h));
}

export interface TransformerEncoderLayerOptions extends RandomOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout on the attention weights, the feed-forward hidden layer and both residual branches (default 0.1). */
  dropout?: number;
  /** The feed-forward block's activation (default "relu": fused into the first Linear's GEMM), or a function. */
  activation?: FeedForwardActivation;
  layerNormEps?: number;
  /** [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** LayerNorm before each block (pre-norm) instead of after the residual sum (default false). */
  normFirst?: boolean;
  dtype?: "float32" | "float64";
}

export interface EncoderLayerForwardOptions {
  /** attnMask of the self-attention: [S, S] or [N·nhead, S, S], bool (true = masked) or float (added). */
  srcMask?: Tensor | null;
  /** [N, S] (or [S] unbatched), bool (true = padding) or float. */
  srcKeyPaddingMask?: Tensor | null;
  /** Position i attends to positions ≤ i only (the masked half is skipped). */
  isCausal?: boolean;
  /** Causal incremental decoding (with isCausal): this layer's KVCache (createCache()). */
  cache?: KVCache | null;
}

const LAYER_KEYS = ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "dtype", "seed", "rng"];

export class TransformerEncoderLayer extends Module {
  static readonly typeName: string = "TransformerEncoderLayer";
  readonly selfAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly activation: FeedForwardActivation;
  readonly normFirst: boolean;
  private readonly drop: Dropout;
  private readonly drop1: Dropout;
  private readonly drop2: Dropout;
  /** The options as given, for TransformerEncoder's copies (the generator object shared). */
  private readonly options: TransformerEncoderLayerOptions;

  constructor(readonly dModel: number, readonly nhead: number, o: TransformerEncoderLayerOptions = {}) {
    super();
    const where = "TransformerEncoderLayer";
    checkOptions(where, o, LAYER_KEYS);
    positiveInt(where, "dModel", dModel);
    positiveInt(where, "nhead", nhead);
    const ff = positiveInt(where, "dimFeedforward", o.dimFeedforward ?? 2048);
    const p = inRange(where, "dropout", o.dropout ?? 0.1, 0, 1);
    if (p >= 1) throw new ValueError(`${where}: dropout must be in [0, 1), got ${p}`);
    this.activation = feedForwardActivation(where, o.activation ?? "relu");
    // 0 allowed, as PyTorch's layer_norm_eps and LayerNorm's eps.
    const eps = positive(where, "layerNormEps", o.layerNormEps ?? 1e-5, true);
    const batchFirst = boolean(where, "batchFirst", o.batchFirst ?? false);
    this.normFirst = boolean(where, "normFirst", o.normFirst ?? false);
    const rng: Rng | undefined = o.rng ?? (o.seed !== undefined ? rngFrom(o) : undefined);
    this.options = { ...o, seed: undefined, rng };
    const dtype = o.dtype;
    const r = rng ? { rng } : {};
    // PyTorch's registration order: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
    this.selfAttn = this.registerModule("self_attn", new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst, dtype, ...r }));
    this.linear1 = this.registerModule("linear1", new Linear(dModel, ff, { dtype, ...r }));
    this.drop = this.registerModule("dropout", new Dropout(p, r));
    this.linear2 = this.registerModule("linear2", new Linear(ff, dModel, { dtype, ...r }));
    this.norm1 = this.registerModule("norm1", new LayerNorm(dModel, { eps, dtype }));
    this.norm2 = this.registerModule("norm2", new LayerNorm(dModel, { eps, dtype }));
    this.drop1 = this.registerModule("dropout1", new Dropout(p, r));
    this.drop2 = this.registerModule("dropout2", new Dropout(p, r));
  }

  /** A layer with the same options and a copy of this one's parameters, mode and frozen parameters. */
  clone(): TransformerEncoderLayer {
    return copyLayerState(new TransformerEncoderLayer(this.dModel, this.nhead, this.options), this);
  }

  /** A cache for causal incremental decoding with this layer. */
  createCache(): KVCache {
    return new KVCache();
  }

  forward(src: Tensor, o: EncoderLayerForwardOptions = {}): Tensor {
    checkOptions("TransformerEncoderLayer", o, ["srcMask", "srcKeyPaddingMask", "isCausal", "cache"]);
    if (!(src instanceof Tensor)) throw new ValueError(`TransformerEncoderLayer: src must be a Tensor, got ${src === null ? "null" : typeof src}`);
    if (src.dtype !== "float32" && src.dtype !== "float64") throw new DTypeError(`TransformerEncoderLayer: src must be float32 or float64 (embed token ids first), got ${src.dtype}`);
    let x = src;
    if (this.normFirst) {
      x = x.add(this.selfAttention(this.norm1.forward(x), o));
      return x.add(this.feedForward(this.norm2.forward(x)));
    }
    x = this.norm1.forward(x.add(this.selfAttention(x, o)));
    return this.norm2.forward(x.add(this.feedForward(x)));
  }

  private selfAttention(x: Tensor, o: EncoderLayerForwardOptions): Tensor {
    const [y] = this.selfAttn.forward(x, x, x, {
      attnMask: o.srcMask ?? null, keyPaddingMask: o.srcKeyPaddingMask ?? null, needWeights: false,
      isCausal: o.isCausal ?? false, cache: o.cache ?? null,
    });
    return this.drop1.forward(y);
  }

  private feedForward(x: Tensor): Tensor {
    return this.drop2.forward(feedForwardBlock("TransformerEncoderLayer", this.activation, this.linear1, this.drop, this.linear2, x));
  }
}

export interface EncoderForwardOptions {
  /** Every layer's srcMask. */
  mask?: Tensor | null;
  srcKeyPaddingMask?: Tensor | null;
  isCausal?: boolean;
  /** One KVCache per layer (createCache()), for causal incremental decoding. */
  cache?: KVCache[] | null;
}

/** torch.nn.TransformerEncoder: numLayers copies of `layer` ("layers.0.…"), then an optional final norm. */
export class TransformerEncoder extends Module {
  static readonly typeName: string = "TransformerEncoder";
  readonly layers: ModuleList;
  readonly norm: Module | null;

  constructor(layer: TransformerEncoderLayer, readonly numLayers: number, o: { norm?: Module | null } = {}) {
    super();
    checkOptions("TransformerEncoder", o, ["norm"]);
    if (!(layer instanceof TransformerEncoderLayer)) throw new ValueError("TransformerEncoder: layer must be a TransformerEncoderLayer");
    positiveInt("TransformerEncoder", "numLayers", numLayers);
    this.layers = this.registerModule("layers", new ModuleList(Array.from({ length: numLayers }, () => layer.clone())));
    this.norm = o.norm ? this.registerModule("norm", o.norm) : null;
  }

  /** One KVCache per layer, for forward's `cache` option. */
  createCache(): KVCache[] {
    return Array.from({ length: this.numLayers }, () => new KVCache());
  }

  forward(src: Tensor, o: EncoderForwardOptions = {}): Tensor {
    checkOptions("TransformerEncoder", o, ["mask", "srcKeyPaddingMask", "isCausal", "cache"]);
    const cache = o.cache ?? null;
    if (cache !== null && (!Array.isArray(cache) || cache.length !== this.numLayers || !cache.every((c) => c instanceof KVCache))) {
      throw new ValueError(`TransformerEncoder: cache must be ${this.numLayers} KVCaches, one per layer (createCache())`);
    }
    let x = src;
    this.layers.children().forEach((layer, i) => {
      x = (layer as TransformerEncoderLayer).forward(x, {
        srcMask: o.mask ?? null, srcKeyPaddingMask: o.srcKeyPaddingMask ?? null, isCausal: o.isCausal ?? false, cache: cache?.[i] ?? null,
      });
    });
    return this.norm ? (this.norm.forward(x) as Tensor) : x;
  }
}

// The ONNX exporter recognizes these through the registry (layer-registry.ts).
registerLayers({ TransformerEncoderLayer, TransformerEncoder });
