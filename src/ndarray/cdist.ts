// Pairwise p-norm distances between the rows of two batches of matrices, as torch.cdist, with
// PyTorch's backward: 0 where a distance is 0 (and everywhere for p = 0), sign(diff) for p = 1,
// the maximal |diff| entries (every tied one) for p = ∞. Computed directly in float64 per pair
// (PyTorch's matmul shortcut for large p = 2 inputs trades accuracy for speed; edgegrad does not).
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { record } from "./autograd.js";
import { allocate, isFloat } from "./dtype.js";
import { broadcastShapes } from "./shape.js";
import { Tensor } from "./tensor.js";

const distance = (d: Float64Array, p: number): number => {
  let acc = 0;
  for (let k = 0; k < d.length; k++) {
    const a = Math.abs(d[k]);
    if (p === 0) acc += a !== 0 ? 1 : 0;
    else if (p === Infinity) acc = a > acc ? a : acc; // NaN skipped, as PyTorch's max loop does
    else if (p === 1) acc += a;
    else if (p === 2) acc += a * a;
    else acc += Math.pow(a, p);
  }
  return p === 0 || p === 1 || p === Infinity ? acc : p === 2 ? Math.sqrt(acc) : Math.pow(acc, 1 / p);
};

/** d dist / d diff[k], times g. */
function slope(diff: number, dist: number, p: number, g: number): number {
  if (p === 0 || dist === 0) return 0;
  const s = Math.sign(diff);
  if (p === 1) return g * s;
  if (p === Infinity) return Math.abs(diff) === dist ? g * s : 0;
  if (p === 2) return (g * diff) / dist;
  if (p < 1 && diff === 0) return 0;
  return (g * s * Math.pow(Math.abs(diff), p - 1)) / Math.pow(dist, p - 1);
}

function batchShapes(x1: Tensor, x2: Tensor): number[] {
  return broadcastShapes(x1.shape.slice(0, -2), x2.shape.slice(0, -2), "cdist");
}

/**
 * dist[…, i, j] = ‖x1[…, i, :] − x2[…, j, :]‖_p for x1 [B…, P, M] and x2 [B…, R, M] (batch dims
 * broadcast), as torch.cdist; p ≥ 0, ∞ included (default 2).
 */
export function cdist(x1: Tensor, x2: Tensor, p = 2, o: Record<string, never> = {}): Tensor {
  checkOptions("cdist", o, []);
  if (!(x1 instanceof Tensor) || !(x2 instanceof Tensor)) throw new ValueError("cdist: x1 and x2 must be Tensors");
  if (typeof p !== "number" || !(p >= 0)) throw new ValueError(`cdist: p must be a number ≥ 0, got ${String(p)}`);
  if (!isFloat(x1.dtype) || x1.dtype !== x2.dtype) throw new DTypeError(`cdist: x1 and x2 must have the same float dtype, got ${x1.dtype} and ${x2.dtype}`);
  if (x1.ndim < 2 || x2.ndim < 2) throw new ShapeError(`cdist: x1 and x2 must have at least 2 dimensions, got shapes [${x1.shape}] and [${x2.shape}]`);
  const m = x1.shape[x1.ndim - 1];
  if (x2.shape[x2.ndim - 1] !== m) throw new ShapeError(`cdist: x1 [${x1.shape}] and x2 [${x2.shape}] must have the same number of columns`);
  const batch = batchShapes(x1, x2);
  const P = x1.shape[x1.ndim - 2], R = x2.shape[x2.ndim - 2];
  const a = x1.detach().broadcastTo([...batch, P, m]).contiguous().data;
  const b = x2.detach().broadcastTo([...batch, R, m]).contiguous().data;
  const B = batch.reduce((s, n) => s * n, 1);
  const dist = new Float64Array(B * P * R);
  const diff = new Float64Array(m);
  for (let t = 0; t < B; t++) for (let i = 0; i < P; i++) for (let j = 0; j < R; j++) {
    for (let k = 0; k < m; k++) diff[k] = a[(t * P + i) * m + k] - b[(t * R + j) * m + k];
    dist[(t * P + i) * R + j] = distance(diff, p);
  }
  const out = allocate(x1.dtype, dist.length);
  out.set(dist);
  const y = new Tensor(out, x1.dtype, [...batch, P, R]);
  return record(y, "cdist", [x1, x2], (gT) => {
    const g = gT.contiguous().data;
    const g1 = new Float64Array(B * P * m), g2 = new Float64Array(B * R * m);
    for (let t = 0; t < B; t++) for (let i = 0; i < P; i++) for (let j = 0; j < R; j++) {
      const at = (t * P + i) * R + j;
      for (let k = 0; k < m; k++) {
        const s = slope(a[(t * P + i) * m + k] - b[(t * R + j) * m + k], dist[at], p, g[at]);
        g1[(t * P + i) * m + k] += s;
        g2[(t * R + j) * m + k] -= s;
      }
    }
    const asTensor = (v: Float64Array, rows: number, like: Tensor) => {
      const data = allocate(like.dtype, v.length);
      data.set(v);
      const full = new Tensor(data, like.dtype, [...batch, rows, m]);
      const lead = full.shape.map((_, i) => i).slice(0, full.ndim - like.ndim);
      return lead.length === 0 ? full : full.sum(lead);
    };
    return [x1.requiresGrad ? sumBatch(asTensor(g1, P, x1), x1) : null, x2.requiresGrad ? sumBatch(asTensor(g2, R, x2), x2) : null];
  });
}

/** A gradient over the broadcast batch, summed back to the input's batch dims of size 1. */
function sumBatch(g: Tensor, like: Tensor): Tensor {
  const axes = like.shape.map((s, i) => (s === 1 && g.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  return axes.length === 0 ? g : g.sum(axes, { keepdims: true });
}
