// Structured pruning masks for a 2-D weight [out, in] (a Linear): whole rows (output neurons),
// whole columns (input features), or N:M (in every group of M consecutive inputs of a row keep
// the N largest, e.g. 2:4). Scores are L2 norms for rows/columns and |w| within a group; ties
// are pruned in index order, as in unstructured pruning.
import { ValueError } from "../errors.js";
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

/** Keep-mask of w [rows×cols] pruning round(sparsity·rows) whole rows with the smallest L2 norms. */
export function rowMask(w: ArrayLike<number>, rows: number, cols: number, sparsity: number): Uint8Array {
  const score = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] ** 2;
    score[r] = s;
  }
  const keep = smallestMask(score, Math.round(sparsity * rows));
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) if (keep[r]) mask.fill(1, r * cols, (r + 1) * cols);
  return mask;
}

/** Keep-mask pruning round(sparsity·cols) whole columns (inputs) with the smallest L2 norms. */
export function columnMask(w: ArrayLike<number>, rows: number, cols: number, sparsity: number): Uint8Array {
  const score = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) score[c] += w[r * cols + c] ** 2;
  const keep = smallestMask(score, Math.round(sparsity * cols));
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mask[r * cols + c] = keep[c];
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
