// torch.nn.Transformer (PyTorch 1.13's names, defaults and state-dict keys): a TransformerEncoder
// over the source and a TransformerDecoder over the target attending to the encoder's output,
// each ending in a LayerNorm ("encoder.norm", "decoder.norm"), every matrix re-initialized
// Xavier-uniform as PyTorch's _reset_parameters does. Its own file: an application that builds
// only a decoder does not bundle it.
import { boolean, nonNegativeInt, positiveInt } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { full, rngFrom, triu, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { xavierUniform } from "./init.js";
import { Module } from "./module.js";
import { LayerNorm } from "./norm-layers.js";
import { TransformerEncoder, TransformerEncoderLayer, type FeedForwardActivation } from "./transformer.js";
import { checkAttentionMasks, checkSequencePair, TransformerDecoder, TransformerDecoderLayer } from "./transformer-decoder.js";

export interface TransformerOptions extends RandomOptions {
  /** Features of the encoder's and decoder's inputs (default 512). */
  dModel?: number;
  /** Heads of every attention (default 8). */
  nhead?: number;
  numEncoderLayers?: number;
  numDecoderLayers?: number;
  /** Width of the feed-forward blocks (default 2048). */
  dimFeedforward?: number;
  /** Dropout of every layer (default 0.1). */
  dropout?: number;
  /** The feed-forward blocks' activation (default "relu"), or a function. */
  activation?: FeedForwardActivation;
  /** Used instead of the TransformerEncoder built from the options (as PyTorch, re-initialized too). */
  customEncoder?: Module | null;
  customDecoder?: Module | null;
  layerNormEps?: number;
  /** [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Pre-norm layers (default false). */
  normFirst?: boolean;
  dtype?: "float32" | "float64";
}

export interface TransformerForwardOptions {
  /** The encoder's self-attention mask: [S, S] or [N·nhead, S, S], bool (true = masked) or float (added). */
  srcMask?: Tensor | null;
  /** The decoder's self-attention mask: [T, T] or [N·nhead, T, T]. */
  tgtMask?: Tensor | null;
  /** The decoder's attention over the encoder's output: [T, S] or [N·nhead, T, S]. */
  memoryMask?: Tensor | null;
  /** [N, S] (or [S] unbatched), bool (true = padding) or float. */
  srcKeyPaddingMask?: Tensor | null;
  /** [N, T] (or [T] unbatched). */
  tgtKeyPaddingMask?: Tensor | null;
  /** [N, S] (or [S] unbatched): the source's padding, as the decoder sees the encoder's output. */
  memoryKeyPaddingMask?: Tensor | null;
  /** The encoder's causal mask, applied without srcMask. */
  srcIsCausal?: boolean;
  /** The decoder's causal self-attention mask, applied without tgtMask (what generateSquareSubsequentMask gives). */
  tgtIsCausal?: boolean;
}

const KEYS = ["dModel", "nhead", "numEncoderLayers", "numDecoderLayers", "dimFeedforward", "dropout", "activation",
  "customEncoder", "customDecoder", "layerNormEps", "batchFirst", "normFirst", "dtype", "seed", "rng"];
const FORWARD_KEYS = ["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "srcIsCausal", "tgtIsCausal"];

/** The options object without its unset keys: a custom encoder or decoder is given only the masks in use. */
const given = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== false)) as Partial<T>;

/** torch.nn.Transformer: forward(src, tgt, masks) → the decoder's output, tgt's shape. */
export class Transformer extends Module {
  static readonly typeName: string = "Transformer";
  readonly encoder: Module;
  readonly decoder: Module;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(o: TransformerOptions = {}) {
    super();
    const where = "Transformer";
    checkOptions(where, o, KEYS);
    this.dModel = positiveInt(where, "dModel", o.dModel ?? 512);
    this.nhead = positiveInt(where, "nhead", o.nhead ?? 8);
    this.batchFirst = boolean(where, "batchFirst", o.batchFirst ?? false);
    for (const k of ["customEncoder", "customDecoder"] as const) {
      if (o[k] !== undefined && o[k] !== null && !(o[k] instanceof Module)) throw new ValueError(`${where}: ${k} must be a Module or null`);
    }
    const rng: Rng | undefined = o.rng ?? (o.seed !== undefined ? rngFrom(o) : undefined);
    const r = rng ? { rng } : {};
    const layerOptions = {
      dimFeedforward: o.dimFeedforward, dropout: o.dropout, activation: o.activation, layerNormEps: o.layerNormEps,
      batchFirst: this.batchFirst, normFirst: o.normFirst, dtype: o.dtype, ...r,
    };
    const norm = () => new LayerNorm(this.dModel, { eps: o.layerNormEps ?? 1e-5, dtype: o.dtype });
    // The layers check the options they share (dimFeedforward, dropout, activation, …) as they are built.
    this.encoder = this.registerModule("encoder", o.customEncoder ?? new TransformerEncoder(
      new TransformerEncoderLayer(this.dModel, this.nhead, layerOptions), positiveInt(where, "numEncoderLayers", o.numEncoderLayers ?? 6), { norm: norm() }));
    this.decoder = this.registerModule("decoder", o.customDecoder ?? new TransformerDecoder(
      new TransformerDecoderLayer(this.dModel, this.nhead, layerOptions), positiveInt(where, "numDecoderLayers", o.numDecoderLayers ?? 6), { norm: norm() }));
    // PyTorch's _reset_parameters: every parameter of more than one dim, custom parts included.
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform(p, r);
  }

  /**
   * The [sz, sz] float mask of causal self-attention, as PyTorch's: −∞ above the diagonal
   * (position i may not attend to j > i), 0 elsewhere. `tgtIsCausal: true` applies the same mask
   * without building it.
   */
  static generateSquareSubsequentMask(sz: number, o: { dtype?: "float32" | "float64" } = {}): Tensor {
    checkOptions("Transformer.generateSquareSubsequentMask", o, ["dtype"]);
    // sz 0 gives the [0, 0] mask of an empty target, as PyTorch's (the decoder takes one).
    nonNegativeInt("Transformer.generateSquareSubsequentMask", "sz", sz);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`Transformer.generateSquareSubsequentMask: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    return triu(full([sz, sz], -Infinity, { dtype }), 1);
  }

  /** src [S, N, dModel] and tgt [T, N, dModel] (batchFirst: [N, ·, dModel]; unbatched: [·, dModel]) → [T, N, dModel]. */
  forward(src: Tensor, tgt: Tensor, o: TransformerForwardOptions = {}): Tensor {
    const where = "Transformer";
    checkOptions(where, o, FORWARD_KEYS);
    // PyTorch's checks (one batch size, dModel features) and, for the built-in encoder and
    // decoder, every mask: an error names the argument before any layer runs.
    const p = checkSequencePair(where, tgt, src, this.dModel, this.batchFirst, ["tgt", "src"]);
    boolean(where, "srcIsCausal", o.srcIsCausal ?? false);
    boolean(where, "tgtIsCausal", o.tgtIsCausal ?? false);
    // Per-head masks have the heads of the layers that read them: a custom encoder or decoder's
    // own, which need not be this.nhead (PyTorch only builds the default layers with it).
    const heads = (m: TransformerEncoder | TransformerDecoder) => (m.layers.children()[0] as TransformerEncoderLayer | TransformerDecoderLayer).nhead;
    if (this.encoder instanceof TransformerEncoder) {
      checkAttentionMasks(where, p, heads(this.encoder), p.s, p.s, ["srcMask", o.srcMask], ["srcKeyPaddingMask", o.srcKeyPaddingMask]);
    }
    if (this.decoder instanceof TransformerDecoder) {
      const h = heads(this.decoder);
      checkAttentionMasks(where, p, h, p.t, p.t, ["tgtMask", o.tgtMask], ["tgtKeyPaddingMask", o.tgtKeyPaddingMask]);
      // The memory is as long as src only from the built-in encoder; a custom one may change the
      // length (as PyTorch, its masks are then checked by the decoder against what it returns).
      if (this.encoder instanceof TransformerEncoder) {
        checkAttentionMasks(where, p, h, p.t, p.s, ["memoryMask", o.memoryMask], ["memoryKeyPaddingMask", o.memoryKeyPaddingMask]);
      }
    }
    const memory = this.encoder.forward(src, given({ mask: o.srcMask, srcKeyPaddingMask: o.srcKeyPaddingMask, isCausal: o.srcIsCausal })) as Tensor;
    return this.decoder.forward(tgt, memory, given({
      tgtMask: o.tgtMask, memoryMask: o.memoryMask, tgtKeyPaddingMask: o.tgtKeyPaddingMask,
      memoryKeyPaddingMask: o.memoryKeyPaddingMask, tgtIsCausal: o.tgtIsCausal,
    })) as Tensor;
  }
}
