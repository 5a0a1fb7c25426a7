// torch.nn.TransformerDecoderLayer and TransformerDecoder (PyTorch 1.13's names, defaults and
// state-dict keys): self-attention over the target, attention from the target to the encoder's
// output (memory), and a two-layer feed-forward block, each with a residual connection and a
// LayerNorm, after (post-norm, the default) or before (normFirst) the block. Built from the
// encoder layer's pieces; every input and mask is checked before any layer runs, so an error
// names the decoder's own argument and leaves a KV cache as it was.
import { boolean, inRange, positive, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { MultiheadAttention } from "./attention.js";
import { ModuleList } from "./containers.js";
import { KVCache } from "./kv-cache.js";
import { Dropout } from "./layers.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";
import { LayerNorm } from "./norm-layers.js";
import { copyLayerState, feedForwardActivation, feedForwardBlock, type FeedForwardActivation } from "./transformer.js";

export interface TransformerDecoderLayerOptions extends RandomOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout on both attentions' weights, the feed-forward hidden layer and the three residual branches (default 0.1). */
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

export interface DecoderLayerForwardOptions {
  /** The self-attention's mask: [T, T] or [N·nhead, T, T], bool (true = masked) or float (added). */
  tgtMask?: Tensor | null;
  /** The attention over memory's mask: [T, S] or [N·nhead, T, S], bool or float. */
  memoryMask?: Tensor | null;
  /** [N, T] (or [T] unbatched), bool (true = padding) or float. */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S] (or [S] unbatched), bool (true = padding) or float. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Target position i attends to target positions ≤ i only (the masked half is skipped); no tgtMask needed. */
  tgtIsCausal?: boolean;
  /** Causal incremental decoding (with tgtIsCausal): this layer's KVCache (createCache()) of the target's keys and values. */
  cache?: KVCache | null;
}

export interface DecoderForwardOptions extends Omit<DecoderLayerForwardOptions, "cache"> {
  /** One KVCache per layer (createCache()), for causal incremental decoding. */
  cache?: KVCache[] | null;
}

const LAYER_KEYS = ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "dtype", "seed", "rng"];
const FORWARD_KEYS = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "tgtIsCausal", "cache"];

const shapeText = (t: Tensor) => `[${t.shape.join(", ")}]`;

/** A mask option: null, or a bool or float Tensor of one of the shapes given. */
function checkMask(where: string, name: string, m: unknown, shapes: number[][], meaning: string): void {
  if (m === undefined || m === null) return;
  if (!(m instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor or null, got ${typeof m}`);
  if (m.dtype !== "bool" && m.dtype !== "float32" && m.dtype !== "float64") {
    throw new DTypeError(`${where}: ${name} must be a bool (true = masked) or float (added) tensor, got ${m.dtype}`);
  }
  if (!shapes.some((s) => s.length === m.ndim && s.every((d, i) => d === m.shape[i]))) {
    throw new ShapeError(`${where}: ${name} must be ${shapes.map((s) => `[${s.join(", ")}]`).join(" or ")} (${meaning}), got ${shapeText(m)}`);
  }
}

export interface SequencePair {
  /** Batch size (1 for unbatched inputs), target and source lengths. */
  n: number; t: number; s: number; unbatched: boolean;
}

/**
 * Checks a target / memory pair and the masks between them (the decoder's argument names, or
 * the encoder's with `names`): both 3-D or both 2-D, dModel features, one batch size. Returns
 * the sizes.
 */
export function checkSequencePair(where: string, tgt: unknown, memory: unknown, dModel: number, batchFirst: boolean,
                                  names: [string, string] = ["tgt", "memory"]): SequencePair {
  const [tn, mn] = names;
  for (const [name, x] of [[tn, tgt], [mn, memory]] as const) {
    if (!(x instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor, got ${x === null ? "null" : typeof x}`);
  }
  const a = tgt as Tensor, b = memory as Tensor;
  if (a.ndim < 2 || a.ndim > 3 || b.ndim !== a.ndim) {
    throw new ShapeError(`${where}: ${tn} and ${mn} must both be 3-D (batched) or both 2-D (unbatched), got ${shapeText(a)} and ${shapeText(b)}`);
  }
  if (a.dtype !== b.dtype) throw new DTypeError(`${where}: ${tn} (${a.dtype}) and ${mn} (${b.dtype}) must have one dtype`);
  if (a.dtype !== "float32" && a.dtype !== "float64") throw new DTypeError(`${where}: ${tn} and ${mn} must be float32 or float64 (embed token ids first), got ${a.dtype}`);
  if (a.shape[a.ndim - 1] !== dModel || b.shape[b.ndim - 1] !== dModel) {
    throw new ShapeError(`${where}: the feature number of ${tn} ${shapeText(a)} and ${mn} ${shapeText(b)} must be dModel ${dModel}`);
  }
  const unbatched = a.ndim === 2;
  const bf = batchFirst && !unbatched;
  const n = unbatched ? 1 : bf ? a.shape[0] : a.shape[1];
  if (!unbatched && (bf ? b.shape[0] : b.shape[1]) !== n) {
    throw new ShapeError(`${where}: ${tn} ${shapeText(a)} and ${mn} ${shapeText(b)} must have one batch size (dim ${bf ? 0 : 1}${bf ? ", batchFirst" : ""})`);
  }
  const len = (x: Tensor) => (unbatched ? x.shape[0] : bf ? x.shape[1] : x.shape[0]);
  return { n, t: len(a), s: len(b), unbatched };
}

/** An attention mask [l, s] or [n·heads, l, s] and a key padding mask [n, s] ([s] unbatched), as MultiheadAttention takes them. */
export function checkAttentionMasks(where: string, p: { n: number; unbatched: boolean }, heads: number, l: number, s: number,
                                    attn: [string, unknown], padding: [string, unknown]): void {
  checkMask(where, attn[0], attn[1], [[l, s], [p.n * heads, l, s]], p.unbatched ? "target, source; or heads, target, source" : "target, source; or batch·heads, target, source");
  checkMask(where, padding[0], padding[1], [p.unbatched ? [s] : [p.n, s]], p.unbatched ? "source" : "batch, source");
}

/** Everything a decoder layer's forward reads, checked before anything runs; the sizes. */
function checkDecoderForward(where: string, tgt: unknown, memory: unknown, o: DecoderLayerForwardOptions | DecoderForwardOptions,
                             dModel: number, nhead: number, batchFirst: boolean): SequencePair {
  const p = checkSequencePair(where, tgt, memory, dModel, batchFirst);
  checkAttentionMasks(where, p, nhead, p.t, p.t, ["tgtMask", o.tgtMask], ["tgtKeyPaddingMask", o.tgtKeyPaddingMask]);
  checkAttentionMasks(where, p, nhead, p.t, p.s, ["memoryMask", o.memoryMask], ["memoryKeyPaddingMask", o.memoryKeyPaddingMask]);
  const causal = boolean(where, "tgtIsCausal", o.tgtIsCausal ?? false);
  if (o.cache && (!causal || o.tgtMask || o.tgtKeyPaddingMask)) {
    throw new ValueError(`${where}: a cache is for causal decoding: give tgtIsCausal: true and no tgtMask or tgtKeyPaddingMask`);
  }
  return p;
}

export class TransformerDecoderLayer extends Module {
  static readonly typeName: string = "TransformerDecoderLayer";
  readonly selfAttn: MultiheadAttention;
  readonly multiheadAttn: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly norm3: LayerNorm;
  readonly activation: FeedForwardActivation;
  readonly normFirst: boolean;
  readonly batchFirst: boolean;
  private readonly drop: Dropout;
  private readonly drop1: Dropout;
  private readonly drop2: Dropout;
  private readonly drop3: Dropout;
  /** The options as given, for TransformerDecoder's copies (the generator object shared). */
  private readonly options: TransformerDecoderLayerOptions;

  constructor(readonly dModel: number, readonly nhead: number, o: TransformerDecoderLayerOptions = {}) {
    super();
    const where = "TransformerDecoderLayer";
    checkOptions(where, o, LAYER_KEYS);
    positiveInt(where, "dModel", dModel);
    positiveInt(where, "nhead", nhead);
    const ff = positiveInt(where, "dimFeedforward", o.dimFeedforward ?? 2048);
    const p = inRange(where, "dropout", o.dropout ?? 0.1, 0, 1);
    if (p >= 1) throw new ValueError(`${where}: dropout must be in [0, 1), got ${p}`);
    this.activation = feedForwardActivation(where, o.activation ?? "relu");
    // 0 allowed, as PyTorch's layer_norm_eps and LayerNorm's eps.
    const eps = positive(where, "layerNormEps", o.layerNormEps ?? 1e-5, true);
    this.batchFirst = boolean(where, "batchFirst", o.batchFirst ?? false);
    this.normFirst = boolean(where, "normFirst", o.normFirst ?? false);
    const rng: Rng | undefined = o.rng ?? (o.seed !== undefined ? rngFrom(o) : undefined);
    this.options = { ...o, seed: undefined, rng };
    const dtype = o.dtype;
    const r = rng ? { rng } : {};
    const attention = () => new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst: this.batchFirst, dtype, ...r });
    // PyTorch's registration order: self_attn, multihead_attn, linear1, dropout, linear2,
    // norm1..3, dropout1..3 (the order of stateDict()'s keys).
    this.selfAttn = this.registerModule("self_attn", attention());
    this.multiheadAttn = this.registerModule("multihead_attn", attention());
    this.linear1 = this.registerModule("linear1", new Linear(dModel, ff, { dtype, ...r }));
    this.drop = this.registerModule("dropout", new Dropout(p, r));
    this.linear2 = this.registerModule("linear2", new Linear(ff, dModel, { dtype, ...r }));
    this.norm1 = this.registerModule("norm1", new LayerNorm(dModel, { eps, dtype }));
    this.norm2 = this.registerModule("norm2", new LayerNorm(dModel, { eps, dtype }));
    this.norm3 = this.registerModule("norm3", new LayerNorm(dModel, { eps, dtype }));
    this.drop1 = this.registerModule("dropout1", new Dropout(p, r));
    this.drop2 = this.registerModule("dropout2", new Dropout(p, r));
    this.drop3 = this.registerModule("dropout3", new Dropout(p, r));
  }

  /** A layer with the same options and a copy of this one's parameters, mode and frozen parameters. */
  clone(): TransformerDecoderLayer {
    return copyLayerState(new TransformerDecoderLayer(this.dModel, this.nhead, this.options), this);
  }

  /** A cache of the target's keys and values for causal incremental decoding with this layer. */
  createCache(): KVCache {
    return new KVCache();
  }

  /** tgt [T, N, dModel] (or [N, T, dModel] batchFirst, [T, dModel] unbatched) attending to memory [S, N, dModel]; → tgt's shape. */
  forward(tgt: Tensor, memory: Tensor, o: DecoderLayerForwardOptions = {}): Tensor {
    const where = "TransformerDecoderLayer";
    checkOptions(where, o, FORWARD_KEYS);
    if (o.cache !== undefined && o.cache !== null && !(o.cache instanceof KVCache)) throw new ValueError(`${where}: cache must be a KVCache (createCache())`);
    checkDecoderForward(where, tgt, memory, o, this.dModel, this.nhead, this.batchFirst);
    return this.run(tgt, memory, o);
  }

  /** @internal forward() on inputs already checked (TransformerDecoder checks once for all its layers). */
  run(tgt: Tensor, memory: Tensor, o: DecoderLayerForwardOptions): Tensor {
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.selfAttention(this.norm1.forward(x), o));
      x = x.add(this.memoryAttention(this.norm2.forward(x), memory, o));
      return x.add(this.feedForward(this.norm3.forward(x)));
    }
    x = this.norm1.forward(x.add(this.selfAttention(x, o)));
    x = this.norm2.forward(x.add(this.memoryAttention(x, memory, o)));
    return this.norm3.forward(x.add(this.feedForward(x)));
  }

  private selfAttention(x: Tensor, o: DecoderLayerForwardOptions): Tensor {
    const [y] = this.selfAttn.forward(x, x, x, {
      attnMask: o.tgtMask ?? null, keyPaddingMask: o.tgtKeyPaddingMask ?? null, needWeights: false,
      isCausal: o.tgtIsCausal ?? false, cache: o.cache ?? null,
    });
    return this.drop1.forward(y);
  }

  private memoryAttention(x: Tensor, memory: Tensor, o: DecoderLayerForwardOptions): Tensor {
    const [y] = this.multiheadAttn.forward(x, memory, memory, {
      attnMask: o.memoryMask ?? null, keyPaddingMask: o.memoryKeyPaddingMask ?? null, needWeights: false,
    });
    return this.drop2.forward(y);
  }

  private feedForward(x: Tensor): Tensor {
    return this.drop3.forward(feedForwardBlock("TransformerDecoderLayer", this.activation, this.linear1, this.drop, this.linear2, x));
  }
}

/** torch.nn.TransformerDecoder: numLayers copies of `layer` ("layers.0.…"), then an optional final norm. */
export class TransformerDecoder extends Module {
  static readonly typeName: string = "TransformerDecoder";
  readonly layers: ModuleList;
  readonly norm: Module | null;

  constructor(layer: TransformerDecoderLayer, readonly numLayers: number, o: { norm?: Module | null } = {}) {
    super();
    checkOptions("TransformerDecoder", o, ["norm"]);
    if (!(layer instanceof TransformerDecoderLayer)) throw new ValueError("TransformerDecoder: layer must be a TransformerDecoderLayer");
    positiveInt("TransformerDecoder", "numLayers", numLayers);
    if (o.norm !== undefined && o.norm !== null && !(o.norm instanceof Module)) throw new ValueError("TransformerDecoder: norm must be a Module or null");
    this.layers = this.registerModule("layers", new ModuleList(Array.from({ length: numLayers }, () => layer.clone())));
    this.norm = o.norm ? this.registerModule("norm", o.norm) : null;
  }

  /** One KVCache per layer, for forward's `cache` option. */
  createCache(): KVCache[] {
    return Array.from({ length: this.numLayers }, () => new KVCache());
  }

  forward(tgt: Tensor, memory: Tensor, o: DecoderForwardOptions = {}): Tensor {
    const where = "TransformerDecoder";
    checkOptions(where, o, FORWARD_KEYS);
    const cache = o.cache ?? null;
    if (cache !== null && (!Array.isArray(cache) || cache.length !== this.numLayers || !cache.every((c) => c instanceof KVCache))) {
      throw new ValueError(`${where}: cache must be ${this.numLayers} KVCaches, one per layer (createCache())`);
    }
    const layers = this.layers.children() as TransformerDecoderLayer[];
    // Every layer has the first one's dModel, nhead and layout (copies of one layer).
    checkDecoderForward(where, tgt, memory, o, layers[0].dModel, layers[0].nhead, layers[0].batchFirst);
    let x = tgt;
    layers.forEach((layer, i) => {
      x = layer.run(x, memory, { ...o, cache: cache?.[i] ?? null });
    });
    return this.norm ? (this.norm.forward(x) as Tensor) : x;
  }
}
