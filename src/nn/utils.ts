// eg.nn.utils: torch.nn.utils' helpers with PyTorch 1.13's semantics — padSequence
// (nn.utils.rnn.pad_sequence), parametersToVector / vectorToParameters, and the gradient clipping
// that edgegrad keeps in eg.optim, re-exported under the names PyTorch users look for here.
import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { concat, pad, stack, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

export { clipGradNorm, clipGradValue } from "../optim/clip.js";

function tensorList(fn: string, key: string, v: unknown): Tensor[] {
  if (v instanceof Tensor || v === null || typeof (v as Iterable<unknown>)?.[Symbol.iterator] !== "function") {
    throw new ValueError(`${fn}: ${key} must be an iterable of tensors, got ${v instanceof Tensor ? "a Tensor" : v === null ? "null" : typeof v}`);
  }
  const list = [...(v as Iterable<unknown>)];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`${fn}: ${key}[${i}] is not a Tensor`);
  });
  return list as Tensor[];
}

export interface PadSequenceOptions {
  /** Output [B, T, *] when true, [T, B, *] (PyTorch's default) when false. */
  batchFirst?: boolean;
  /** The value of the padded positions (default 0). */
  paddingValue?: number;
}

/**
 * Stacks sequences [Lᵢ, *] (the trailing dims equal) into [T, B, *] (or [B, T, *] with
 * batchFirst), T = max Lᵢ, padding each at its end with paddingValue. Gradients flow to every
 * sequence.
 */
export function padSequence(sequences: Iterable<Tensor>, o: PadSequenceOptions = {}): Tensor {
  const fn = "padSequence";
  checkOptions(fn, o, ["batchFirst", "paddingValue"]);
  const batchFirst = o.batchFirst === undefined ? false : boolean(fn, "batchFirst", o.batchFirst);
  if (o.paddingValue !== undefined && typeof o.paddingValue !== "number") {
    throw new DTypeError(`${fn}: paddingValue must be a number, got ${typeof o.paddingValue}`);
  }
  const value = o.paddingValue ?? 0;
  const seqs = tensorList(fn, "sequences", sequences);
  if (seqs.length === 0) throw new ValueError(`${fn}: sequences is empty`);
  const first = seqs[0];
  seqs.forEach((s, i) => {
    if (s.ndim === 0) throw new ShapeError(`${fn}: sequences[${i}] is 0-d; each sequence needs a time dim`);
    if (s.dtype !== first.dtype) throw new DTypeError(`${fn}: sequences[${i}] is ${s.dtype}, sequences[0] ${first.dtype}`);
    const tail = s.shape.slice(1), want = first.shape.slice(1);
    if (tail.length !== want.length || tail.some((n, k) => n !== want[k])) {
      throw new ShapeError(`${fn}: sequences[${i}] has shape [${s.shape}], whose trailing dims differ from sequences[0]'s [${first.shape}]`);
    }
  });
  const T = Math.max(...seqs.map((s) => s.shape[0]));
  // pad lists (before, after) pairs from the last dim: the time dim's pair comes last.
  const padded = seqs.map((s) => pad(s, [...new Array(2 * (s.ndim - 1)).fill(0), 0, T - s.shape[0]], { value }));
  return stack(padded, batchFirst ? 0 : 1);
}

/** The parameters flattened and concatenated into one vector (a recorded op: gradients flow back). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const fn = "parametersToVector";
  const ps = tensorList(fn, "parameters", parameters);
  if (ps.length === 0) throw new ValueError(`${fn}: parameters is empty`);
  ps.forEach((p, i) => {
    if (p.dtype !== ps[0].dtype) throw new DTypeError(`${fn}: parameters[${i}] is ${p.dtype}, parameters[0] ${ps[0].dtype}`);
  });
  return concat(ps.map((p) => p.reshape([p.size])), 0);
}

/**
 * Copies consecutive slices of vec [Σ sizes] into the parameters, in place (their storage, so
 * optimizers and modules holding them see the new values); not recorded, as PyTorch's `.data`
 * assignment. Every check runs before the first write.
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const fn = "vectorToParameters";
  if (!(vec instanceof Tensor)) throw new ValueError(`${fn}: vec must be a Tensor, got ${Object.prototype.toString.call(vec)}`);
  if (vec.ndim !== 1) throw new ShapeError(`${fn}: vec must be 1-d, got shape [${vec.shape}]`);
  const ps = tensorList(fn, "parameters", parameters);
  const total = ps.reduce((n, p) => n + p.size, 0);
  if (vec.size !== total) throw new ShapeError(`${fn}: vec has ${vec.size} elements, the parameters ${total}`);
  ps.forEach((p, i) => {
    if (p.dtype !== vec.dtype) throw new DTypeError(`${fn}: parameters[${i}] is ${p.dtype}, vec ${vec.dtype}`);
    if (!p.isContiguous) throw new ValueError(`${fn}: parameters[${i}] (shape [${p.shape}]) is not contiguous`);
  });
  const v = vec.data;
  let at = 0;
  for (const p of ps) {
    p.storage.set(v.subarray(at, at + p.size), p.offset);
    at += p.size;
  }
}
export { weightNorm, removeWeightNorm } from "./weight-norm.js";
export type { WeightNormOptions } from "./weight-norm.js";
