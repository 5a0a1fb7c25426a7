// Scaled dot-product attention over (batch, head) blocks as ONE autograd op: the forward gathers
// each head's rows straight out of the projections (no transposed copies), runs the fused kernel
// (scores, softmax and values row by row; attention-kernels.ts) keeping only the probabilities
// and the dropout multipliers, and writes the heads' outputs side by side in the query's layout;
// the backward is the kernel's hand-written gradient scattered back into the projections, not a
// graph of matmul, softmax, mask and permute ops.
import { attentionBackwardJs, attentionForwardJs } from "../backend/attention-js.js";
import { attentionKernels, type AttentionBlocks } from "../backend/attention-kernels.js";
import { boolean, finite, nonNegativeInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor, willRecord, type FloatArray, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import type { KVCache } from "./kv-cache.js";

export interface AttentionCoreOptions {
  /** Additive mask, [l, s] values per block, `maskStride` elements apart (0: shared by all blocks). */
  mask?: FloatArray | null;
  maskStride?: number;
  /** Query i sees keys j ≤ i + s − l only; the masked half is skipped. */
  causal?: boolean;
  /** Dropout on the probabilities (inverted: survivors scaled by 1/(1−p)), drawn from `rng`. */
  dropoutP?: number;
  rng?: Rng | null;
  /** Multiplies Q·Kᵀ; default 1/√(head dim). */
  scale?: number;
}

export interface AttentionCoreResult {
  out: Tensor;
  /** The attention weights [blocks, l, s] after dropout (what multiplied V); no gradient flows through them. */
  weights: FloatArray;
  /** The same weights as a [blocks, l, s] tensor whose gradient reaches q and k through the softmax. */
  weightsTensor(): Tensor;
}

/**
 * Where the heads live: q, k, v are contiguous [n, len, width] (batchFirst) or [len, n, width]
 * tensors (they may be one tensor, e.g. a fused q|k|v projection); head h of q occupies columns
 * cols[0] + h·e … + e, likewise for k (width e) and v (width ev).
 */
export interface HeadLayout {
  n: number;
  heads: number;
  /** Per-head widths of queries/keys and of values. */
  e: number;
  ev: number;
  batchFirst: boolean;
  cols: readonly [number, number, number];
}

type Alloc = (n: number) => FloatArray;

/** Head blocks [n·heads, len, hd] copied out of a [n, len, W] / [len, n, W] source. */
function gather(src: FloatArray, lay: HeadLayout, len: number, width: number, col: number, hd: number, alloc: Alloc): FloatArray {
  const { n, heads } = lay, out = alloc(n * heads * len * hd);
  const bs = lay.batchFirst ? len * width : width, ps = lay.batchFirst ? width : n * width;
  for (let b = 0, d = 0; b < n; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < len; t++) {
        const o = b * bs + t * ps + col + h * hd;
        for (let c = 0; c < hd; c++) out[d++] = src[o + c];
      }
    }
  }
  return out;
}

/** The inverse of gather, adding into dst. */
function scatterAdd(blocks: FloatArray, dst: FloatArray, lay: HeadLayout, len: number, width: number, col: number, hd: number): void {
  const { n, heads } = lay;
  const bs = lay.batchFirst ? len * width : width, ps = lay.batchFirst ? width : n * width;
  for (let b = 0, d = 0; b < n; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < len; t++) {
        const o = b * bs + t * ps + col + h * hd;
        for (let c = 0; c < hd; c++) dst[o + c] += blocks[d++];
      }
    }
  }
}

const dims = (t: Tensor) => `[${t.shape.join(", ")}]`;
/** Sequence length of a [n, len, W] / [len, n, W] source. */
const lengthOf = (t: Tensor, lay: HeadLayout) => (lay.batchFirst ? t.shape[1] : t.shape[0]);

function check(q: Tensor, k: Tensor, v: Tensor, lay: HeadLayout): void {
  const where = "attention";
  for (const [name, t, width] of [["q", q, lay.e], ["k", k, lay.e], ["v", v, lay.ev]] as const) {
    const i = ["q", "k", "v"].indexOf(name);
    if (t.ndim !== 3 || !t.isContiguous || (lay.batchFirst ? t.shape[0] : t.shape[1]) !== lay.n || lay.cols[i] + lay.heads * width > t.shape[2]) {
      throw new ShapeError(`${where}: ${name} ${dims(t)} does not hold ${lay.heads} heads of ${width} columns from column ${lay.cols[i]} for batch ${lay.n}`);
    }
  }
  if (lengthOf(k, lay) !== lengthOf(v, lay)) throw new ShapeError(`${where}: k ${dims(k)} and v ${dims(v)} differ in length`);
  if (q.dtype !== k.dtype || q.dtype !== v.dtype || (q.dtype !== "float32" && q.dtype !== "float64")) {
    throw new DTypeError(`${where}: q, k, v must all be float32 or all float64, got ${q.dtype}, ${k.dtype}, ${v.dtype}`);
  }
}

function dropoutMultipliers(p: number, rng: Rng | null | undefined, size: number, alloc: Alloc): FloatArray | null {
  if (typeof p !== "number" || !(p >= 0 && p < 1)) throw new ValueError(`attention: dropoutP must be a number in [0, 1), got ${typeof p === "string" ? JSON.stringify(p) : String(p)}`);
  if (p === 0) return null;
  if (!rng) throw new ValueError("attention: dropout needs a generator");
  const drop = alloc(size), keep = 1 / (1 - p);
  const u = rng.fillUniform(new Float64Array(size));
  for (let i = 0; i < size; i++) drop[i] = u[i] >= p ? keep : 0;
  return drop;
}

/**
 * Multi-head attention on projected q, k, v (see HeadLayout). Returns the heads' outputs side by
 * side, [n, l, heads·ev] or [l, n, heads·ev] as q is laid out. With a cache (causal decoding),
 * the new keys and values are appended to it first and no gradient is recorded.
 */
export function multiHeadAttention(q: Tensor, k: Tensor, v: Tensor, lay: HeadLayout,
                                   o: AttentionCoreOptions & { cache?: KVCache | null; maskGrad?: Tensor | null } = {}): AttentionCoreResult {
  check(q, k, v, lay);
  const f64 = q.dtype === "float64", alloc: Alloc = (n) => (f64 ? new Float64Array(n) : new Float32Array(n));
  // Looked up first: on a build without the attention kernels this throws before the cache changes.
  const kernels = f64 ? null : attentionKernels();
  const l = lengthOf(q, lay), blocks = lay.n * lay.heads;
  const qd = q.data as FloatArray, kd = k.data as FloatArray, vd = v.data as FloatArray;
  const qb = gather(qd, lay, l, q.shape[2], lay.cols[0], lay.e, alloc);
  let kb = gather(kd, lay, lengthOf(k, lay), k.shape[2], lay.cols[1], lay.e, alloc);
  let vb = gather(vd, lay, lengthOf(v, lay), v.shape[2], lay.cols[2], lay.ev, alloc);
  if (o.cache) {
    if (willRecord([q, k, v])) throw new ValueError("attention: a KV cache is for inference: run under noGrad (or predict)");
    [kb, vb] = o.cache.append(kb, vb, blocks, lay.e, lay.ev);
  }
  // From the lengths, not kb's size: with no blocks (an empty batch) that would be 0/0.
  const s = o.cache ? o.cache.length : lengthOf(k, lay);
  const causal = o.causal ?? false;
  if (causal && s < l) throw new ShapeError(`attention: a causal mask needs at least as many keys (${s}) as queries (${l})`);
  const g: AttentionBlocks = { blocks, l, s, e: lay.e, ev: lay.ev, scale: o.scale ?? 1 / Math.sqrt(lay.e), causal, maskStride: o.maskStride ?? 0 };
  const mask = o.mask ? (f64 ? Float64Array.from(o.mask) : Float32Array.from(o.mask)) : null;
  const drop = dropoutMultipliers(o.dropoutP ?? 0, o.rng, blocks * l * s, alloc);
  const { out, probs } = f64
    ? attentionForwardJs(g, qb, kb, vb, mask, drop)
    : kernels!.attentionForward(g, qb as Float32Array, kb as Float32Array, vb as Float32Array, mask as Float32Array | null, drop as Float32Array | null);
  const width = lay.heads * lay.ev, ylay: HeadLayout = { ...lay, e: lay.ev, cols: [0, 0, 0] };
  const yd = alloc(lay.n * l * width);
  scatterAdd(out, yd, ylay, l, width, 0, lay.ev);
  const y = new Tensor(yd, q.dtype, lay.batchFirst ? [lay.n, l, width] : [l, lay.n, width]);
  // maskGrad: a [blocks, l, s] tensor of q's dtype standing for the additive mask in the graph, given
  // ∂loss/∂scores (a float mask that requires a gradient gets one, as in PyTorch).
  const m = o.cache ? null : o.maskGrad ?? null;
  if (!o.cache) recordBackward(y, [q, k, v, m], lay, g, [qb, kb, vb], drop, probs, ylay, alloc);
  let weights: FloatArray = probs;
  if (drop) {
    weights = alloc(probs.length);
    for (let i = 0; i < probs.length; i++) weights[i] = probs[i] * drop[i];
  }
  const weightsTensor = () => {
    const w = new Tensor(weights.slice(), q.dtype, [blocks, l, s]);
    if (!o.cache) recordWeightsBackward(w, [q, k, m], lay, g, [qb, kb], drop, probs, alloc);
    return w;
  };
  return { out: y, weights, weightsTensor };
}

/**
 * The weights' own backward, for a loss that reads them: with P the probabilities and D the
 * dropout multipliers, ∂loss/∂scores = P ⊙ (dW⊙D − Σⱼ dW⊙D⊙P) per row, times the scale, then
 * dQ = dS·K and dK = dSᵀ·Q per block (masked keys have P = 0 and get nothing).
 */
function recordWeightsBackward(w: Tensor, [q, k, m]: [Tensor, Tensor, Tensor | null], lay: HeadLayout, g: AttentionBlocks, [qb, kb]: FloatArray[],
                               drop: FloatArray | null, probs: FloatArray, alloc: Alloc): void {
  const sources = [...new Set([q, k])];
  record(w, "attentionWeights", m ? [...sources, m] : sources, (grad) => {
    const dw = grad.data as FloatArray, { blocks, l, s, e, scale } = g;
    const dqb = alloc(blocks * l * e), dkb = alloc(blocks * s * e), ds = new Float64Array(s);
    const dm = m?.requiresGrad ? alloc(blocks * l * s) : null;
    for (let b = 0; b < blocks; b++) {
      for (let i = 0; i < l; i++) {
        const row = (b * l + i) * s, qo = (b * l + i) * e;
        let dot = 0;
        for (let j = 0; j < s; j++) {
          ds[j] = drop ? dw[row + j] * drop[row + j] : dw[row + j];
          dot += ds[j] * probs[row + j];
        }
        for (let j = 0; j < s; j++) {
          const dsj = probs[row + j] * (ds[j] - dot), d = scale * dsj;
          if (dm) dm[row + j] = dsj;
          if (d === 0) continue;
          const ko = (b * s + j) * e;
          for (let c = 0; c < e; c++) {
            dqb[qo + c] += d * kb[ko + c];
            dkb[ko + c] += d * qb[qo + c];
          }
        }
      }
    }
    const grads = sources.map((t) => (t.requiresGrad ? alloc(t.size) : null));
    [[q, dqb], [k, dkb]].forEach(([t, d], i) => {
      const gt = grads[sources.indexOf(t as Tensor)];
      if (gt) scatterAdd(d as FloatArray, gt, lay, lengthOf(t as Tensor, lay), (t as Tensor).shape[2], lay.cols[i], lay.e);
    });
    return withMaskGrad(grads.map((d, i) => (d ? new Tensor(d, sources[i].dtype, sources[i].shape.slice()) : null)), m, dm);
  });
}

const withMaskGrad = (grads: (Tensor | null)[], m: Tensor | null, dm: FloatArray | null) =>
  (m ? [...grads, dm && new Tensor(dm, m.dtype, m.shape.slice())] : grads);

/** ∂loss/∂scores of the output: P ⊙ (dP − Σⱼ P⊙dP) per row, with dP = (dOut·Vᵀ) ⊙ D. */
function scoreGrad(g: AttentionBlocks, vb: FloatArray, drop: FloatArray | null, probs: FloatArray, dOut: FloatArray, alloc: Alloc): FloatArray {
  const { blocks, l, s, ev } = g, ds = alloc(blocks * l * s);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < l; i++) {
      const row = (b * l + i) * s, o = (b * l + i) * ev;
      let dot = 0;
      for (let j = 0; j < s; j++) {
        let dp = 0;
        for (let c = 0, vo = (b * s + j) * ev; c < ev; c++) dp += dOut[o + c] * vb[vo + c];
        ds[row + j] = drop ? dp * drop[row + j] : dp;
        dot += ds[row + j] * probs[row + j];
      }
      for (let j = 0; j < s; j++) ds[row + j] = probs[row + j] * (ds[row + j] - dot);
    }
  }
  return ds;
}

function recordBackward(y: Tensor, [q, k, v, m]: [Tensor, Tensor, Tensor, Tensor | null], lay: HeadLayout, g: AttentionBlocks, [qb, kb, vb]: FloatArray[],
                        drop: FloatArray | null, probs: FloatArray, ylay: HeadLayout, alloc: Alloc): void {
  const sources = [...new Set([q, k, v])];
  record(y, "multiHeadAttention", m ? [...sources, m] : sources, (grad) => {
    const dOut = gather(grad.data as FloatArray, ylay, g.l, y.shape[2], 0, g.ev, alloc);
    const { dq, dk, dv } = y.dtype === "float64"
      ? attentionBackwardJs(g, qb, kb, vb, drop, probs, dOut)
      : attentionKernels().attentionBackward(g, qb as Float32Array, kb as Float32Array, vb as Float32Array,
        drop as Float32Array | null, probs as Float32Array, dOut as Float32Array);
    const grads = sources.map((t) => (t.requiresGrad ? alloc(t.size) : null));
    [[q, dq, lay.e], [k, dk, lay.e], [v, dv, lay.ev]].forEach(([t, d, hd], i) => {
      const gt = grads[sources.indexOf(t as Tensor)];
      if (gt) scatterAdd(d as FloatArray, gt, lay, lengthOf(t as Tensor, lay), (t as Tensor).shape[2], lay.cols[i], hd as number);
    });
    const dm = m?.requiresGrad ? scoreGrad(g, vb, drop, probs, dOut, alloc) : null;
    return withMaskGrad(grads.map((d, i) => (d ? new Tensor(d, sources[i].dtype, sources[i].shape.slice()) : null)), m, dm);
  });
}

/** Q [B, L, E], K [B, S, E], V [B, S, Ev] (contiguous, float32 or float64, one dtype) → softmax(QKᵀ·scale + mask)·V, [B, L, Ev]. */
export function attentionCore(q: Tensor, k: Tensor, v: Tensor, o: AttentionCoreOptions = {}): AttentionCoreResult {
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3 || k.shape[0] !== q.shape[0] || v.shape[0] !== q.shape[0] || k.shape[2] !== q.shape[2] || k.shape[1] !== v.shape[1]) {
    throw new ShapeError(`attention: q ${dims(q)}, k ${dims(k)}, v ${dims(v)} do not fit [B, L, E], [B, S, E], [B, S, Ev]`);
  }
  // The public entry checks the options (`isCausal` for `causal` must not run unmasked) and the
  // mask's length against the blocks it must cover (the kernels read it unchecked).
  const where = "attention";
  checkOptions(where, o, ["mask", "maskStride", "causal", "dropoutP", "rng", "scale"]);
  if (o.causal !== undefined) boolean(where, "causal", o.causal);
  if (o.scale !== undefined) finite(where, "scale", o.scale);
  const stride = nonNegativeInt(where, "maskStride", o.maskStride ?? 0), [b, l] = q.shape, s = k.shape[1];
  const need = (b - 1) * stride + l * s, typed = o.mask instanceof Float32Array || o.mask instanceof Float64Array;
  if (o.mask && !(typed && o.mask.length >= need)) {
    throw new ShapeError(`${where}: mask must be a Float32Array or Float64Array of at least ${need} values ([${l}, ${s}] per block, ${stride} apart), got ${typed ? o.mask.length : String(o.mask)}`);
  }
  const [qc, kc, vc] = [q, k, v].map((t) => t.contiguous());
  return multiHeadAttention(qc, kc, vc, { n: q.shape[0], heads: 1, e: q.shape[2], ev: v.shape[2], batchFirst: true, cols: [0, 0, 0] }, o);
}
