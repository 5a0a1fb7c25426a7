// Scaled dot-product attention over (batch, head) blocks as ONE autograd op: the forward runs the
// fused kernel (scores, softmax and values row by row; attention-kernels.ts) and keeps only the
// probabilities and the dropout multipliers; the backward is the kernel's hand-written gradient,
// not a graph of matmul, softmax and mask ops.
import { attentionBackwardJs, attentionForwardJs } from "../backend/attention-js.js";
import { attentionKernels, type AttentionBlocks } from "../backend/attention-kernels.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor, type FloatArray, type Rng } from "../ndarray/index.js";

export interface AttentionCoreOptions {
  /** Additive mask, [l, s] values per block, `maskStride` elements apart (0: shared by all blocks). */
  mask?: FloatArray | null;
  maskStride?: number;
  /** Query i sees keys j ≤ i + s − l only; the masked half is skipped. */
  causal?: boolean;
  /** Dropout on the probabilities (inverted: survivors scaled by 1/(1−p)), drawn from `rng`. */
  dropoutP?: number;
  rng?: Rng | null;
  /** Multiplies Q·Kᵀ; default 1/√e. */
  scale?: number;
}

export interface AttentionCoreResult {
  /** [blocks, l, ev] */
  out: Tensor;
  /** The attention weights [blocks, l, s] after dropout (what multiplied V); no gradient flows through them. */
  weights: FloatArray;
}

const dims = (t: Tensor) => `[${t.shape.join(", ")}]`;

/** Q [B, L, E], K [B, S, E], V [B, S, Ev] (float32 or float64, one dtype) → softmax(QKᵀ·scale + mask)·V. */
export function attentionCore(q: Tensor, k: Tensor, v: Tensor, o: AttentionCoreOptions = {}): AttentionCoreResult {
  const where = "attention";
  if (q.ndim !== 3 || k.ndim !== 3 || v.ndim !== 3) throw new ShapeError(`${where}: q, k, v must be 3-D [blocks, len, dim], got ${dims(q)}, ${dims(k)}, ${dims(v)}`);
  const [blocks, l, e] = q.shape, [, s, ev] = v.shape;
  if (k.shape[0] !== blocks || v.shape[0] !== blocks || k.shape[2] !== e || k.shape[1] !== s) {
    throw new ShapeError(`${where}: q ${dims(q)}, k ${dims(k)}, v ${dims(v)} do not fit [B, L, E], [B, S, E], [B, S, Ev]`);
  }
  if (q.dtype !== k.dtype || q.dtype !== v.dtype || (q.dtype !== "float32" && q.dtype !== "float64")) {
    throw new DTypeError(`${where}: q, k, v must all be float32 or all float64, got ${q.dtype}, ${k.dtype}, ${v.dtype}`);
  }
  const causal = o.causal ?? false;
  if (causal && s < l) throw new ShapeError(`${where}: a causal mask needs at least as many keys (${s}) as queries (${l})`);
  const g: AttentionBlocks = { blocks, l, s, e, ev, scale: o.scale ?? 1 / Math.sqrt(e), causal, maskStride: o.maskStride ?? 0 };
  const f64 = q.dtype === "float64";
  const mask = o.mask ? (f64 ? Float64Array.from(o.mask) : Float32Array.from(o.mask)) : null;
  const p = o.dropoutP ?? 0;
  if (!(p >= 0 && p < 1)) throw new ValueError(`${where}: dropout probability must be in [0, 1), got ${p}`);
  let drop: FloatArray | null = null;
  if (p > 0) {
    if (!o.rng) throw new ValueError(`${where}: dropout needs a generator`);
    drop = f64 ? new Float64Array(blocks * l * s) : new Float32Array(blocks * l * s);
    const keep = 1 / (1 - p), rng = o.rng;
    for (let i = 0; i < drop.length; i++) drop[i] = rng.uniform() >= p ? keep : 0;
  }
  const qd = q.data as FloatArray, kd = k.data as FloatArray, vd = v.data as FloatArray;
  const { out, probs } = f64
    ? attentionForwardJs(g, qd, kd, vd, mask, drop)
    : attentionKernels().attentionForward(g, qd as Float32Array, kd as Float32Array, vd as Float32Array,
      mask as Float32Array | null, drop as Float32Array | null);
  const y = new Tensor(out, q.dtype, [blocks, l, ev]);
  record(y, "attention", [q, k, v], (grad) => {
    const gd = grad.data as FloatArray;
    const { dq, dk, dv } = f64
      ? attentionBackwardJs(g, qd, kd, vd, drop, probs, gd)
      : attentionKernels().attentionBackward(g, qd as Float32Array, kd as Float32Array, vd as Float32Array,
        drop as Float32Array | null, probs as Float32Array, gd as Float32Array);
    return [
      q.requiresGrad ? new Tensor(dq, q.dtype, q.shape.slice()) : null,
      k.requiresGrad ? new Tensor(dk, k.dtype, k.shape.slice()) : null,
      v.requiresGrad ? new Tensor(dv, v.dtype, v.shape.slice()) : null,
    ];
  });
  let weights: FloatArray = probs;
  if (drop) {
    weights = f64 ? new Float64Array(probs.length) : new Float32Array(probs.length);
    for (let i = 0; i < probs.length; i++) weights[i] = probs[i] * drop[i];
  }
  return { out: y, weights };
}
