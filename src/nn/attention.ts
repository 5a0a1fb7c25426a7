// torch.nn.MultiheadAttention: projections as GEMMs (one for self-attention, whose q, k and v are
// one tensor), the heads' attention as one fused op (attention-core.ts), the output projection.
import { boolean, inRange, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { linear, maskedFill, rngFrom, Tensor, zeros, type DType, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { multiHeadAttention } from "./attention-core.js";
import { mergeMasks } from "./attention-masks.js";
import { xavierUniform } from "./init.js";
import { KVCache } from "./kv-cache.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

export interface MultiheadAttentionOptions extends RandomOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases of the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and output [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Features of the keys / values (default embedDim): separate q/k/v projection weights when they differ. */
  kdim?: number;
  vdim?: number;
  /** Not supported: refused when true. */
  addBiasKV?: boolean;
  /** Not supported: refused when true. */
  addZeroAttn?: boolean;
  dtype?: "float32" | "float64";
}

export interface AttentionForwardOptions {
  /** [N, S] (or [S] unbatched): bool, true = ignore that key; or float, added to the scores. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [N·numHeads, L, S]: bool, true = not allowed to attend; or float, added to the scores. */
  attnMask?: Tensor | null;
  /** Return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the weights over heads ([N, L, S]) instead of per head ([N, numHeads, L, S]); default true. */
  averageAttnWeights?: boolean;
  /** Query i attends to keys j ≤ i + S − L only; the masked half is never computed. */
  isCausal?: boolean;
  /** Causal incremental decoding: the new keys/values are appended and attention runs over all of them. */
  cache?: KVCache | null;
}

const FORWARD_KEYS = ["keyPaddingMask", "attnMask", "needWeights", "averageAttnWeights", "isCausal", "cache"];

/** torch.nn.MultiheadAttention(embedDim, numHeads): forward(q, k, v, options) → [output, weights | null]. */
export class MultiheadAttention extends Module {
  static readonly typeName: string = "MultiheadAttention";
  readonly headDim: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly kdim: number;
  readonly vdim: number;
  readonly inProjWeight: Tensor | null = null;
  readonly qProjWeight: Tensor | null = null;
  readonly kProjWeight: Tensor | null = null;
  readonly vProjWeight: Tensor | null = null;
  readonly inProjBias: Tensor | null = null;
  readonly outProj: Linear;
  private readonly rng: Rng | null;

  constructor(readonly embedDim: number, readonly numHeads: number, o: MultiheadAttentionOptions = {}) {
    super();
    const where = "MultiheadAttention";
    checkOptions(where, o, ["dropout", "bias", "batchFirst", "kdim", "vdim", "addBiasKV", "addZeroAttn", "dtype", "seed", "rng"]);
    positiveInt(where, "embedDim", embedDim);
    positiveInt(where, "numHeads", numHeads);
    if (embedDim % numHeads !== 0) throw new ValueError(`${where}: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    for (const k of ["addBiasKV", "addZeroAttn"] as const) {
      if (o[k] !== undefined && boolean(where, k, o[k])) throw new ValueError(`${where}: ${k} is not supported`);
    }
    this.headDim = embedDim / numHeads;
    this.dropout = inRange(where, "dropout", o.dropout ?? 0, 0, 1);
    if (this.dropout >= 1) throw new ValueError(`${where}: dropout must be in [0, 1), got ${this.dropout}`);
    this.batchFirst = boolean(where, "batchFirst", o.batchFirst ?? false);
    this.kdim = positiveInt(where, "kdim", o.kdim ?? embedDim);
    this.vdim = positiveInt(where, "vdim", o.vdim ?? embedDim);
    const withBias = boolean(where, "bias", o.bias ?? true);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    const rng = rngFrom(o);
    const weight = (name: string, rows: number, cols: number) =>
      this.registerParameter(name, xavierUniform(zeros([rows, cols], { dtype }), { rng }));
    // PyTorch's registration order, so stateDict() keys come out in its order.
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.inProjWeight = weight("in_proj_weight", 3 * embedDim, embedDim);
    } else {
      this.qProjWeight = weight("q_proj_weight", embedDim, embedDim);
      this.kProjWeight = weight("k_proj_weight", embedDim, this.kdim);
      this.vProjWeight = weight("v_proj_weight", embedDim, this.vdim);
    }
    if (withBias) this.inProjBias = this.registerParameter("in_proj_bias", zeros([3 * embedDim], { dtype }));
    this.outProj = this.registerModule("out_proj", new Linear(embedDim, embedDim, { bias: withBias, dtype, rng }));
    if (this.outProj.bias) this.outProj.bias.storage.fill(0);
    this.rng = o.rng || o.seed !== undefined ? rng : null;
  }

  /** A cache for causal incremental decoding with this layer (forward's `cache` option). */
  createCache(): KVCache {
    return new KVCache();
  }

  /** [output, weights | null]; shapes as torch.nn.MultiheadAttention's (unbatched inputs too). */
  forward(query: Tensor, key: Tensor, value: Tensor, o: AttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const where = "MultiheadAttention";
    checkOptions(where, o, FORWARD_KEYS);
    for (const [name, t] of [["query", query], ["key", key], ["value", value]] as const) {
      if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor`);
    }
    const unbatched = query.ndim === 2;
    const expected = unbatched ? 2 : 3;
    if (query.ndim < 2 || query.ndim > 3 || key.ndim !== expected || value.ndim !== expected) {
      throw new ShapeError(`${where}: query, key, value must all be 3-D (batched) or 2-D (unbatched), got [${query.shape}], [${key.shape}], [${value.shape}]`);
    }
    // Projections in the inputs' own layout ([L, N, ·] or [N, L, ·]; unbatched as a batch of 1).
    const bf = this.batchFirst || unbatched;
    const as3 = (t: Tensor) => (unbatched ? t.unsqueeze(0) : t);
    const q = as3(query), k = as3(key), v = as3(value);
    const [n, l] = bf ? q.shape : [q.shape[1], q.shape[0]], s = bf ? k.shape[1] : k.shape[0];
    const nOf = (t: Tensor) => (bf ? t.shape[0] : t.shape[1]), lenOf = (t: Tensor) => (bf ? t.shape[1] : t.shape[0]);
    if (q.shape[2] !== this.embedDim || k.shape[2] !== this.kdim || v.shape[2] !== this.vdim || nOf(k) !== n || nOf(v) !== n || lenOf(v) !== s) {
      throw new ShapeError(`${where}: query [${query.shape}], key [${key.shape}], value [${value.shape}] do not fit embedDim ${this.embedDim}, kdim ${this.kdim}, vdim ${this.vdim}${this.batchFirst ? " (batchFirst)" : ""}`);
    }
    const needWeights = boolean(where, "needWeights", o.needWeights ?? true);
    const average = boolean(where, "averageAttnWeights", o.averageAttnWeights ?? true);
    const causal = boolean(where, "isCausal", o.isCausal ?? false);
    const cache = o.cache ?? null;
    if (cache !== null && !(cache instanceof KVCache)) throw new ValueError(`${where}: cache must be a KVCache (createCache())`);
    if (cache && (o.attnMask || o.keyPaddingMask || !causal)) {
      throw new ValueError(`${where}: a cache is for causal decoding: give isCausal: true and no attnMask or keyPaddingMask`);
    }
    let kpm = o.keyPaddingMask ?? null;
    if (kpm && unbatched) {
      // Checked before it becomes the batch of one, so the message names the shape given.
      if (kpm.ndim !== 1 || kpm.shape[0] !== s) throw new ShapeError(`${where}: keyPaddingMask of unbatched inputs must be [${s}] (source), got [${kpm.shape}]`);
      kpm = kpm.unsqueeze(0);
    }
    const mask = mergeMasks(where, o.attnMask ?? null, kpm, n, this.numHeads, l, s);
    const [qp, kp, vp, cols] = this.project(q, k, v, query === key && key === value);
    const hd = this.headDim;
    const { out, weightsTensor } = multiHeadAttention(qp, kp, vp, { n, heads: this.numHeads, e: hd, ev: hd, batchFirst: bf, cols }, {
      mask: mask?.values ?? null, maskStride: mask?.stride ?? 0, causal, cache, maskGrad: this.maskGrad(o.attnMask ?? null, kpm, n, l, s, qp.dtype),
      dropoutP: this.training ? this.dropout : 0, rng: this.training && this.dropout > 0 ? this.rng ?? rngFrom(undefined) : null,
    });
    const y = this.outProj.forward(out);
    return [unbatched ? y.squeeze(0) : y, needWeights ? this.weightsOut(weightsTensor(), n, l, average, unbatched) : null];
  }

  /**
   * The q, k, v projections and the column where each one's heads start: one GEMM (q|k|v side
   * by side) when q, k and v are one tensor and share in_proj_weight.
   */
  private project(q: Tensor, k: Tensor, v: Tensor, self: boolean): [Tensor, Tensor, Tensor, [number, number, number]] {
    const e = this.embedDim, b = this.inProjBias;
    const part = (t: Tensor | null, i: number) => (t ? t.slice([i * e, (i + 1) * e]) : null);
    if (this.inProjWeight && self) {
      const qkv = linear(q, this.inProjWeight, b);
      return [qkv, qkv, qkv, [0, e, 2 * e]];
    }
    const [wq, wk, wv] = this.inProjWeight ? [0, 1, 2].map((i) => part(this.inProjWeight, i)!) : [this.qProjWeight!, this.kProjWeight!, this.vProjWeight!];
    return [linear(q, wq, part(b, 0)), linear(k, wk, part(b, 1)), linear(v, wv, part(b, 2)), [0, 0, 0]];
  }

  /**
   * The float masks that require a gradient, spread over [n·heads, l, s] as mergeMasks spreads
   * them: the graph node through which they get ∂loss/∂scores, as PyTorch's masks do (its values
   * are not read). Keys a bool key padding mask masks pass no gradient to a float attnMask, as
   * PyTorch 1.13 merges the two with masked_fill (it matters in a fully masked row, whose scores'
   * gradient is NaN). Null when no mask requires a gradient.
   */
  private maskGrad(attn: Tensor | null, kpm: Tensor | null, n: number, l: number, s: number, dtype: DType): Tensor | null {
    const parts = [[attn, attn?.ndim === 2 ? [l, s] : [n, this.numHeads, l, s]], [kpm, [n, 1, 1, s]]] as const;
    if (!parts.some(([m]) => m?.requiresGrad)) return null;
    let t = zeros([n, this.numHeads, l, s], { dtype });
    for (const [m, shape] of parts) if (m?.requiresGrad) t = t.add(m.astype(dtype).reshape(shape.slice()));
    if (kpm?.dtype === "bool") t = maskedFill(t, kpm.reshape([n, 1, 1, s]), 0);
    return t.reshape([n * this.numHeads, l, s]);
  }

  /** The weights [n·heads, l, s] as returned: [n, heads, l, s] or averaged over heads, gradients kept (as PyTorch's). */
  private weightsOut(w: Tensor, n: number, l: number, average: boolean, unbatched: boolean): Tensor {
    let t = w.reshape([n, this.numHeads, l, w.shape[2]]);
    if (average) t = t.mean(1);
    return unbatched ? t.squeeze(0) : t;
  }
}
