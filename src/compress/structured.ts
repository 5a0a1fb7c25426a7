// Structured pruning masks. "rows" and "columns" remove whole slices along dimension 0 or 1 of a
// weight of any rank, as torch.nn.utils.prune.ln_structured(dim=0 / dim=1): for a Linear
// [out, in] these are output neurons and input features; for a convolution [Cout, Cin/groups,
// kH, kW] (or [Cout, Cin/groups, k]) whole output filters and whole input channels. Slices are
// ranked by their L1 or L2 norm. N:M (in every group of M consecutive inputs of a row keep the N
// largest |w|, e.g. 2:4) is for 2-D weights. Ties are pruned in index order, as in unstructured
// pruning.
import { ValueError } from "../errors.js";
import { roundHalfToEven } from "./round.js";
import { smallestMask } from "./select.js";

export type PruneStructure = "unstructured" | "rows" | "columns" | { n: number; m: number };

export function checkStructure(s: unknown, where: string): PruneStructure {
  if (s === "unstructured" || s === "rows" || s === "columns") return s;
  if (typeof s === "object" && s !== null) {
    const { n, m } = s as { n: unknown; m: unknown };
    if (Number.isInteger(n) && Number.isInteger(m) && (n as number) >= 1 && (n as number) < (m as number)) return { n: n as number, m: m as number };
    throw new ValueError(`${where}: N:M structure needs integers 1 ≤ n < m, got n = ${n}, m = ${m}`);
  }
  throw new ValueError(`${where}: structure must be "unstructured", "rows", "columns" or { n, m }, got ${JSON.stringify(s)}`);
}

/** The norm that ranks whole slices: 1 (Σ|w|) or 2 (√Σw², the default), torch's ln_structured n. */
export type SliceNorm = 1 | 2;

export function checkNorm(n: unknown, where: string): SliceNorm {
  if (n === 1 || n === 2) return n;
  // String(n) for numbers: JSON.stringify(Infinity) would print null.
  throw new ValueError(`${where}: norm must be 1 or 2, got ${typeof n === "number" ? n : JSON.stringify(n)}`);
}

// Σ|w| or Σw²: ranks slices in the same order as the L1 or L2 norm itself.
const power = (v: number, norm: SliceNorm) => (norm === 1 ? Math.abs(v) : v * v);

/**
 * Keep-mask of w viewed as [rows × cols] pruning round(sparsity·rows) whole rows (slices along
 * dimension 0: cols = the product of the other dimensions) with the smallest norms.
 */
export function rowMask(w: ArrayLike<number>, rows: number, cols: number, sparsity: number,
                        norm: SliceNorm = 2): Uint8Array {
  const score = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += power(w[r * cols + c], norm);
    score[r] = s;
  }
  const keep = smallestMask(score, roundHalfToEven(sparsity * rows));
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) if (keep[r]) mask.fill(1, r * cols, (r + 1) * cols);
  return mask;
}

/**
 * Keep-mask of w viewed as [rows × cols × inner] pruning round(sparsity·cols) whole slices along
 * dimension 1 (a Linear's input features with inner = 1; a convolution's input channels with
 * inner = kH·kW) with the smallest norms.
 */
export function columnMask(w: ArrayLike<number>, rows: number, cols: number, sparsity: number,
                           norm: SliceNorm = 2, inner = 1): Uint8Array {
  const score = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const at = (r * cols + c) * inner;
      for (let t = 0; t < inner; t++) score[c] += power(w[at + t], norm);
    }
  }
  const keep = smallestMask(score, roundHalfToEven(sparsity * cols));
  const mask = new Uint8Array(rows * cols * inner);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) if (keep[c]) mask.fill(1, (r * cols + c) * inner, (r * cols + c + 1) * inner);
  }
  return mask;
}

/**
 * N:M keep-mask: in each group of m consecutive columns of a row, the n largest |w| stay. A
 * last group shorter than m keeps min(n, its length) — it cannot be pruned in the same ratio.
 */
export function nmMask(w: ArrayLike<number>, rows: number, cols: number, n: number, m: number): Uint8Array {
  const mask = new Uint8Array(rows * cols);
  const idx = new Int32Array(m);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < cols; g += m) {
      const len = Math.min(m, cols - g);
      for (let t = 0; t < len; t++) idx[t] = r * cols + g + t;
      // Tiny groups: a stable insertion sort by |w| ascending beats anything clever. Equal
      // magnitudes stay in index order, so the lower index is pruned first (as unstructured).
      const view = idx.subarray(0, len);
      for (let a = 1; a < len; a++) {
        const v = view[a];
        let b = a - 1;
        while (b >= 0 && Math.abs(w[view[b]]) > Math.abs(w[v])) { view[b + 1] = view[b]; b--; }
        view[b + 1] = v;
      }
      for (let t = Math.max(0, len - n); t < len; t++) mask[view[t]] = 1;
    }
  }
  return mask;
}
