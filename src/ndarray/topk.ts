import { ValueError } from "../errors.js";
import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { normalizeAxis } from "./shape.js";
import { gather } from "./indexing.js";
import { Tensor } from "./tensor.js";

export interface TopkOptions {
  /** The dim to select along (default -1, the last). */
  dim?: number;
  /** The k largest (default) or the k smallest. */
  largest?: boolean;
  /**
   * Whether the k results must come in sorted order (default true). They always do here, which
   * `sorted: false` (any order) allows.
   */
  sorted?: boolean;
}

/**
 * The k largest (or smallest) entries along a dim and their positions (int32), as torch.topk.
 * NaN counts as larger than every number, as in PyTorch; equal values keep their index order.
 * The values are a gather of x by the indices, so their gradient flows back through gather.
 */
export function topk(x: Tensor, k: number, o: TopkOptions = {}): { values: Tensor; indices: Tensor } {
  checkOptions("topk", o, ["dim", "largest", "sorted"]);
  if (o.largest !== undefined) boolean("topk", "largest", o.largest);
  if (o.sorted !== undefined) boolean("topk", "sorted", o.sorted);
  const d = normalizeAxis(o.dim ?? -1, x.ndim, "topk");
  if (x.ndim === 0) {
    // Dim 0 (or -1) of a 0-d tensor is the tensor itself, as in PyTorch: a row of one element
    // (k = 0 gives an empty row; PyTorch 1.13 returns the element even then).
    const r = topk(x.reshape([1]), k, { ...o, dim: 0 });
    return k === 1 ? { values: r.values.reshape([]), indices: r.indices.reshape([]) } : r;
  }
  const n = x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > n) throw new ValueError(`topk: k = ${k} is out of range for dimension ${d} of size ${n}`);
  const largest = o.largest ?? true;
  // Rows along `d` as contiguous runs: move d last and copy.
  const order = x.shape.map((_, i) => i).filter((i) => i !== d).concat(d);
  const rows = x.detach().permute(order).data;
  const outer = n === 0 ? 0 : rows.length / n;
  const picked = new Int32Array(outer * k);
  const position = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < outer; r++) {
    const base = r * n;
    position.sort((a, b) => {
      const va = rows[base + a], vb = rows[base + b];
      const nanA = va !== va, nanB = vb !== vb;
      if (nanA || nanB) return nanA === nanB ? a - b : (nanA ? -1 : 1) * (largest ? 1 : -1);
      if (va !== vb) return (largest ? va < vb : va > vb) ? 1 : -1;
      return a - b;
    });
    for (let j = 0; j < k; j++) picked[r * k + j] = position[j];
    for (let i = 0; i < n; i++) position[i] = i;
  }
  const permutedShape = order.map((i) => (i === d ? k : x.shape[i]));
  const inverse = new Array<number>(order.length);
  order.forEach((p, i) => (inverse[p] = i));
  const indices = new Tensor(picked, "int32", permutedShape).permute(inverse).contiguous();
  return { values: gather(x, d, indices), indices };
}
