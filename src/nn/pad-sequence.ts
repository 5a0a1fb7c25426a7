// nn.utils.rnn.pad_sequence: sequences of different lengths stacked into one padded batch. Its own
// module so that nn.utils and nn.utils.rnn (rnn-utils.ts) both re-export it without importing
// each other.
import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { pad, stack, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

/** The tensors of an iterable, each checked (a ValueError naming the first that is not one). */
export function tensorList(fn: string, key: string, v: unknown): Tensor[] {
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
