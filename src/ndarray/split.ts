import { positiveInt } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { normalizeAxis } from "./shape.js";
import type { Tensor } from "./tensor.js";

/**
 * Cuts x along `dim` into pieces that are views of it, as torch.split: a number is the size of
 * each piece (the last may be smaller), an array the size of every piece.
 */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  if (x.ndim === 0) throw new ShapeError("split: the input must have at least one dimension");
  const d = normalizeAxis(dim, x.ndim, "split");
  const n = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    const s = sizeOrSections;
    if (!Number.isInteger(s) || s < 0 || (s === 0 && n > 0)) throw new ValueError(`split: piece size ${s} must be a positive integer`);
    sizes = [];
    for (let at = 0; at < n || sizes.length === 0; at += s) sizes.push(Math.min(s, n - at));
  } else {
    if (!Array.isArray(sizeOrSections) || sizeOrSections.some((s) => !Number.isInteger(s) || s < 0)) {
      throw new ValueError(`split: sections must be non-negative integers, got [${String(sizeOrSections)}]`);
    }
    const total = sizeOrSections.reduce((a, b) => a + b, 0);
    if (total !== n) throw new ShapeError(`split: sections [${sizeOrSections}] add up to ${total}, but dimension ${d} has size ${n}`);
    sizes = sizeOrSections.slice();
  }
  const pieces: Tensor[] = [];
  let at = 0;
  for (const s of sizes) {
    pieces.push(x.slice(...x.shape.map((_, i) => (i === d ? [at, at + s] as const : null))));
    at += s;
  }
  return pieces;
}

/** At most `chunks` views of x along `dim`, each ⌈n / chunks⌉ long but the last, as torch.chunk. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  positiveInt("chunk", "the number of chunks", chunks);
  if (x.ndim === 0) throw new ShapeError("chunk: the input must have at least one dimension");
  const n = x.shape[normalizeAxis(dim, x.ndim, "chunk")];
  // An empty dim still gives `chunks` (empty) pieces, so code that unpacks them finds them all.
  if (n === 0) return split(x, new Array<number>(chunks).fill(0), dim);
  return split(x, Math.max(1, Math.ceil(n / chunks)), dim);
}
