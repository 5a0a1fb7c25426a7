// eg.nn.utils.rnn: torch.nn.utils.rnn's names — the packed form of a variable-length batch
// (packed-sequence.ts) and the conversions between it, a padded batch and a list of sequences.
import { boolean } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { PackedSequence, packPaddedSequence, padPackedSequence } from "./packed-sequence.js";
import { padSequence } from "./pad-sequence.js";

export { PackedSequence, packPaddedSequence, padPackedSequence } from "./packed-sequence.js";
export type { PackPaddedOptions, PadPackedOptions } from "./packed-sequence.js";
export { padSequence, type PadSequenceOptions } from "./pad-sequence.js";

export interface PackSequenceOptions {
  /** Require the sequences longest first (default true); when false they are sorted here. */
  enforceSorted?: boolean;
}

/** Packs a list of sequences [Lᵢ, *] (the trailing dims equal); gradients flow to every sequence. */
export function packSequence(sequences: Iterable<Tensor>, o: PackSequenceOptions = {}): PackedSequence {
  checkOptions("packSequence", o, ["enforceSorted"]);
  const enforceSorted = boolean("packSequence", "enforceSorted", o.enforceSorted ?? true);
  // Read once (a generator cannot be read twice); padSequence refuses what is not a list of tensors.
  const list = typeof (sequences as Iterable<Tensor> | null)?.[Symbol.iterator] === "function" && !(sequences instanceof Tensor) ? [...sequences] : sequences;
  const padded = padSequence(list);
  const lengths = [...list].map((s) => s.shape[0]);
  return packPaddedSequence(padded, lengths, { enforceSorted });
}

/** The sequences of a packed batch, each [Lᵢ, *], in the original batch order (views: gradients flow). */
export function unpackSequence(packed: PackedSequence): Tensor[] {
  const [padded, lengths] = padPackedSequence(packed, { batchFirst: true });
  return lengths.map((n, b) => padded.slice(b, [0, n]));
}

export interface UnpadSequenceOptions {
  /** padded as [B, T, *] when true, [T, B, *] (PyTorch's default) when false. */
  batchFirst?: boolean;
}

/** The first lengths[b] steps of each sequence of a padded batch, each [Lᵢ, *] (views: gradients flow). */
export function unpadSequence(padded: Tensor, lengths: readonly number[], o: UnpadSequenceOptions = {}): Tensor[] {
  const fn = "unpadSequence";
  checkOptions(fn, o, ["batchFirst"]);
  const batchFirst = boolean(fn, "batchFirst", o.batchFirst ?? false);
  if (!(padded instanceof Tensor)) throw new ValueError(`${fn}: padded must be a Tensor, got ${typeof padded}`);
  if (padded.ndim < 2) throw new ShapeError(`${fn}: padded must have time and batch dimensions, got shape [${padded.shape}]`);
  const [T, B] = batchFirst ? [padded.shape[1], padded.shape[0]] : [padded.shape[0], padded.shape[1]];
  if (!Array.isArray(lengths) || lengths.length !== B) {
    throw new ShapeError(`${fn}: need one length per sequence of padded [${padded.shape}] (${B}), got ${Array.isArray(lengths) ? lengths.length : typeof lengths}`);
  }
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0 || n > T) throw new ValueError(`${fn}: lengths[${b}] is ${String(n)}, not an integer in [0, ${T}]`);
  });
  return lengths.map((n, b) => (batchFirst ? padded.slice(b, [0, n]) : padded.slice([0, n], b)));
}
