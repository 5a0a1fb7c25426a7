// PyTorch's PackedSequence (torch.nn.utils.rnn): a batch of sequences of different lengths stored
// time step by time step without padding. Step t holds batchSizes[t] rows, one per sequence still
// running, the sequences sorted longest first; data [Σ lengths, *] concatenates the steps. Packing
// and padding are each one indexSelect (a recorded op), so gradients flow between the padded and
// the packed forms in both directions.
import { boolean, nonNegativeInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { concat, full, indexSelect, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

const indexTensor = (rows: readonly number[]) => new Tensor(Int32Array.from(rows), "int32", [rows.length]);

/** True when `p` lists 0 … n−1 once each. */
function isPermutation(p: readonly number[], n: number): boolean {
  if (!Array.isArray(p) || p.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of p) {
    if (!Number.isInteger(i) || i < 0 || i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

/**
 * The packed batch. batchSizes, sortedIndices and unsortedIndices are plain number arrays (PyTorch
 * holds int64 tensors). sortedIndices[k] is the original batch position of the k-th longest
 * sequence, unsortedIndices its inverse; both are null when the batch came sorted.
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batchSizes: readonly number[];
  readonly sortedIndices: readonly number[] | null;
  readonly unsortedIndices: readonly number[] | null;

  constructor(data: Tensor, batchSizes: readonly number[], sortedIndices: readonly number[] | null = null,
              unsortedIndices: readonly number[] | null = null) {
    const fn = "PackedSequence";
    if (!(data instanceof Tensor)) throw new ValueError(`${fn}: data must be a Tensor, got ${typeof data}`);
    if (data.ndim === 0) throw new ShapeError(`${fn}: data must have a leading dimension of packed steps, got a 0-d tensor`);
    if (!Array.isArray(batchSizes) || batchSizes.length === 0) throw new ValueError(`${fn}: batchSizes must be a non-empty array of numbers`);
    batchSizes.forEach((b, t) => {
      if (!Number.isInteger(b) || b < 1 || (t > 0 && b > batchSizes[t - 1])) {
        throw new ValueError(`${fn}: batchSizes must be positive integers that never increase, got [${batchSizes}]`);
      }
    });
    const total = batchSizes.reduce((s, b) => s + b, 0);
    if (data.shape[0] !== total) throw new ShapeError(`${fn}: data of shape [${data.shape}] has ${data.shape[0]} rows, batchSizes [${batchSizes}] sum to ${total}`);
    const B = batchSizes[0];
    if (unsortedIndices === null && sortedIndices !== null) unsortedIndices = invert(sortedIndices);
    for (const [key, p] of [["sortedIndices", sortedIndices], ["unsortedIndices", unsortedIndices]] as const) {
      if (p !== null && !isPermutation(p, B)) throw new ValueError(`${fn}: ${key} must be a permutation of 0…${B - 1}, got [${String(p)}]`);
    }
    if ((sortedIndices === null) !== (unsortedIndices === null) || (sortedIndices && sortedIndices.some((s, k) => unsortedIndices![s] !== k))) {
      throw new ValueError(`${fn}: unsortedIndices [${String(unsortedIndices)}] is not the inverse of sortedIndices [${String(sortedIndices)}]`);
    }
    this.data = data;
    this.batchSizes = batchSizes.slice();
    this.sortedIndices = sortedIndices ? sortedIndices.slice() : null;
    this.unsortedIndices = unsortedIndices ? unsortedIndices.slice() : null;
  }

  /** Each sequence's length, in sorted order (longest first). */
  sortedLengths(): number[] {
    const lengths = new Array<number>(this.batchSizes[0]).fill(0);
    for (const b of this.batchSizes) for (let s = 0; s < b; s++) lengths[s]++;
    return lengths;
  }
}

function invert(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((s, k) => (inv[s] = k));
  return inv;
}

/** lengths as B integers in [1, T], from a number array or a 1-D integer tensor. */
function checkLengths(fn: string, lengths: unknown, B: number, T: number): number[] {
  let list: number[];
  if (lengths instanceof Tensor) {
    if (lengths.dtype !== "int32" && lengths.dtype !== "float32" && lengths.dtype !== "float64") {
      throw new DTypeError(`${fn}: lengths must be a number array or a numeric tensor, got ${lengths.dtype}`);
    }
    if (lengths.ndim !== 1) throw new ShapeError(`${fn}: lengths must be 1-D, got shape [${lengths.shape}]`);
    list = Array.from(lengths.data as ArrayLike<number>);
  } else if (Array.isArray(lengths)) list = lengths.slice();
  else throw new ValueError(`${fn}: lengths must be a number array or a 1-D tensor, got ${typeof lengths}`);
  if (list.length !== B) throw new ShapeError(`${fn}: ${list.length} lengths for a batch of ${B} sequences`);
  list.forEach((n, i) => {
    if (typeof n !== "number" || !Number.isInteger(n)) throw new ValueError(`${fn}: lengths[${i}] must be an integer, got ${String(n)}`);
    if (n < 1) throw new ValueError(`${fn}: lengths[${i}] is ${n}; every sequence needs at least one step`);
    if (n > T) throw new ValueError(`${fn}: lengths[${i}] is ${n}, more than the input's ${T} time steps`);
  });
  return list;
}

export interface PackPaddedOptions {
  /** input as [B, T, *] when true, [T, B, *] (PyTorch's default) when false. */
  batchFirst?: boolean;
  /** Require lengths in decreasing order (default true); when false the batch is sorted here and unsorted by padPackedSequence. */
  enforceSorted?: boolean;
}

/**
 * Packs a padded batch: input [T, B, *] (or [B, T, *]) whose sequence b has its first lengths[b]
 * steps valid. Gradients of the packed data flow back to those positions of the input.
 */
export function packPaddedSequence(input: Tensor, lengths: readonly number[] | Tensor, o: PackPaddedOptions = {}): PackedSequence {
  const fn = "packPaddedSequence";
  checkOptions(fn, o, ["batchFirst", "enforceSorted"]);
  const batchFirst = boolean(fn, "batchFirst", o.batchFirst ?? false);
  const enforceSorted = boolean(fn, "enforceSorted", o.enforceSorted ?? true);
  if (!(input instanceof Tensor)) throw new ValueError(`${fn}: input must be a Tensor, got ${typeof input}`);
  if (input.ndim < 2) throw new ShapeError(`${fn}: input must have time and batch dimensions, got shape [${input.shape}]`);
  const [T, B] = batchFirst ? [input.shape[1], input.shape[0]] : [input.shape[0], input.shape[1]];
  if (B === 0) throw new ShapeError(`${fn}: input of shape [${input.shape}] has an empty batch`);
  const lens = checkLengths(fn, lengths, B, T);
  let sorted: number[] | null = null;
  if (enforceSorted) {
    const at = lens.findIndex((n, i) => i > 0 && n > lens[i - 1]);
    if (at > 0) throw new ValueError(`${fn}: lengths [${lens}] must be in decreasing order with enforceSorted (lengths[${at}] > lengths[${at - 1}]); pass enforceSorted: false to sort them`);
  } else {
    // A stable sort: equal lengths keep their batch order.
    sorted = lens.map((_, i) => i).sort((a, b) => lens[b] - lens[a] || a - b);
  }
  const order = sorted ?? lens.map((_, i) => i);
  const batchSizes: number[] = [];
  const rows: number[] = [];
  for (let t = 0; t < lens[order[0]]; t++) {
    let b = 0;
    while (b < B && lens[order[b]] > t) {
      rows.push(batchFirst ? order[b] * T + t : t * B + order[b]);
      b++;
    }
    batchSizes.push(b);
  }
  const flat = input.reshape([T * B, ...input.shape.slice(2)]);
  return new PackedSequence(indexSelect(flat, 0, indexTensor(rows)), batchSizes, sorted, sorted ? invert(sorted) : null);
}

export interface PadPackedOptions {
  /** Output [B, T, *] when true, [T, B, *] (PyTorch's default) when false. */
  batchFirst?: boolean;
  /** The value of the padded positions (default 0). */
  paddingValue?: number;
  /** Pad to this many steps instead of the longest length (not fewer than it). */
  totalLength?: number | null;
}

/**
 * Unpacks to [padded, lengths]: padded [T, B, *] (or [B, T, *]) in the original batch order,
 * T = totalLength or the longest length, and lengths a number array in that order.
 */
export function padPackedSequence(sequence: PackedSequence, o: PadPackedOptions = {}): [Tensor, number[]] {
  const fn = "padPackedSequence";
  checkOptions(fn, o, ["batchFirst", "paddingValue", "totalLength"]);
  if (!(sequence instanceof PackedSequence)) throw new ValueError(`${fn}: sequence must be a PackedSequence, got ${typeof sequence}`);
  const batchFirst = boolean(fn, "batchFirst", o.batchFirst ?? false);
  if (o.paddingValue !== undefined && typeof o.paddingValue !== "number") {
    throw new DTypeError(`${fn}: paddingValue must be a number, got ${typeof o.paddingValue}`);
  }
  const steps = sequence.batchSizes.length, B = sequence.batchSizes[0];
  const T = o.totalLength == null ? steps : nonNegativeInt(fn, "totalLength", o.totalLength);
  if (T < steps) throw new ValueError(`${fn}: totalLength ${T} is less than the longest sequence's length ${steps}`);
  const { data } = sequence, N = data.shape[0];
  // One extra source row holds the padding value; every padded position reads it.
  const filler = full([1, ...data.shape.slice(1)], o.paddingValue ?? 0, { dtype: data.dtype });
  const source = concat([data, filler], 0);
  const rank = sequence.unsortedIndices ?? Array.from({ length: B }, (_, i) => i);
  const offsets = [0];
  sequence.batchSizes.forEach((b, t) => offsets.push(offsets[t] + b));
  const rows = new Array<number>(T * B);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const s = rank[b];
      rows[batchFirst ? b * T + t : t * B + b] = t < steps && s < sequence.batchSizes[t] ? offsets[t] + s : N;
    }
  }
  const padded = indexSelect(source, 0, indexTensor(rows)).reshape([...(batchFirst ? [B, T] : [T, B]), ...data.shape.slice(1)]);
  const sortedLengths = sequence.sortedLengths();
  return [padded, rank.map((s) => sortedLengths[s])];
}
