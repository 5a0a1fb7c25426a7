import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { noGrad, record, Tensor, type FloatArray } from "../ndarray/index.js";
import { enableRowSparseGrads } from "../ndarray/sparse-rows.js";
import { withTouchedRows } from "../ndarray/row-lists.js";
import { checkOptions } from "../options.js";
import {
  distinctRows, EMBEDDING_OPTION_KEYS, indexList, renormRows, resolveEmbeddingOptions,
  type EmbeddingOptions, type ResolvedEmbeddingOptions,
} from "./embedding-op.js";

/**
 * embeddingBag(input, weight, { offsets, mode }): the sum, mean or max of each bag of table
 * rows, as torch.nn.functional.embedding_bag, without materializing the [indices, dim] lookup
 * that embedding(...).sum() would. Bags are the rows of a 2-D input, or the runs of a 1-D input
 * that `offsets` start. Like embedding(), the loops stay in TypeScript: a bag touches a few rows
 * of a table that may be far larger than what the wasm kernels are worth copying in.
 */

export type EmbeddingBagMode = "sum" | "mean" | "max";

export interface EmbeddingBagOptions extends EmbeddingOptions {
  /** With a 1-D input: where each bag starts (an integer tensor, nondecreasing, offsets[0] = 0). */
  offsets?: Tensor | null;
  /** How a bag's rows are combined (default "mean"). */
  mode?: EmbeddingBagMode;
  /** A weight per index, of the input's shape and the table's dtype; mode "sum" only, as PyTorch. */
  perSampleWeights?: Tensor | null;
  /** offsets has one more element, the end of the last bag (1-D input only). */
  includeLastOffset?: boolean;
}

export const EMBEDDING_BAG_OPTION_KEYS = [...EMBEDDING_OPTION_KEYS, "offsets", "mode", "perSampleWeights", "includeLastOffset"] as const;

/** The mode (default "mean"), refusing what PyTorch refuses with "max": scaleGradByFreq and sparse. */
export function resolveBagMode(where: string, mode: unknown, opt: ResolvedEmbeddingOptions): EmbeddingBagMode {
  const m = mode ?? "mean";
  if (m !== "sum" && m !== "mean" && m !== "max") throw new ValueError(`${where}: mode must be "sum", "mean" or "max", got ${JSON.stringify(m)}`);
  if (m === "max" && opt.scaleGradByFreq) throw new ValueError(`${where}: mode "max" does not support scaleGradByFreq (as PyTorch)`);
  if (m === "max" && opt.sparse) throw new ValueError(`${where}: mode "max" does not support sparse gradients (as PyTorch)`);
  return m;
}

/** Bag b holds the indices at positions [starts[b], ends[b]). */
interface Bags { starts: Int32Array; ends: Int32Array }

/** The bags of a 2-D input (its rows) or of a 1-D input and its offsets, every offset checked. */
function bagsOf(input: Tensor, offsets: Tensor | null | undefined, includeLast: boolean, where: string): Bags {
  if (input.ndim === 2) {
    if (offsets !== undefined && offsets !== null) {
      throw new ValueError(`${where}: offsets must be null with a 2-D input (each row is a bag), got a tensor of shape [${offsets instanceof Tensor ? offsets.shape : "?"}]`);
    }
    // PyTorch 1.13 builds offsets of one bag per row and then reads past them (a crash).
    if (includeLast) throw new ValueError(`${where}: includeLastOffset needs a 1-D input with offsets, got a 2-D input [${input.shape}]`);
    const [n, len] = input.shape;
    const starts = new Int32Array(n), ends = new Int32Array(n);
    for (let b = 0; b < n; b++) { starts[b] = b * len; ends[b] = (b + 1) * len; }
    return { starts, ends };
  }
  if (input.ndim !== 1) throw new ShapeError(`${where}: input must be 1-D (with offsets) or 2-D [bags, length], got shape [${input.shape}]`);
  if (offsets === undefined || offsets === null) throw new ValueError(`${where}: a 1-D input needs offsets (where each bag starts)`);
  if (!(offsets instanceof Tensor)) throw new DTypeError(`${where}: offsets must be an integer Tensor, got ${typeof offsets}`);
  if (offsets.dtype !== "int32" && offsets.dtype !== "int8" && offsets.dtype !== "uint8") {
    throw new DTypeError(`${where}: offsets must be an integer tensor (int32, int8, uint8), got ${offsets.dtype}`);
  }
  if (offsets.ndim !== 1) throw new ShapeError(`${where}: offsets must be 1-D, got shape [${offsets.shape}]`);
  const off = offsets.contiguous().data as ArrayLike<number>;
  const n = input.shape[0];
  if (off.length > 0 && off[0] !== 0) throw new ValueError(`${where}: offsets[0] must be 0 (the first bag starts at the first index), got ${off[0]}`);
  for (let i = 1; i < off.length; i++) {
    if (off[i] < off[i - 1]) throw new ValueError(`${where}: offsets must not decrease, got ${off[i]} after ${off[i - 1]} at position ${i}`);
  }
  if (off.length > 0 && off[off.length - 1] > n) {
    throw new ValueError(`${where}: offsets[-1] = ${off[off.length - 1]} is past the end of the input (length ${n})`);
  }
  if (includeLast && off.length === 0) throw new ValueError(`${where}: includeLastOffset needs at least one offset (the end of the last bag)`);
  const count = includeLast ? off.length - 1 : off.length;
  const starts = new Int32Array(count), ends = new Int32Array(count);
  for (let b = 0; b < count; b++) {
    starts[b] = off[b];
    ends[b] = b + 1 < off.length ? off[b + 1] : n;
  }
  return { starts, ends };
}

/**
 * out[b, :] = Σ / mean / max over the bag's indices i ≠ paddingIdx of perSampleWeights[i]·weight[input[i], :];
 * shape [bags, embeddingDim] in the table's dtype. A bag with no index but paddingIdx gives zeros.
 * max takes, per dimension, the first of tied largest values, whose row gets that gradient.
 */
export function embeddingBag(input: Tensor, weight: Tensor, o: EmbeddingBagOptions = {}): Tensor {
  const where = "embeddingBag";
  checkOptions(where, o, EMBEDDING_BAG_OPTION_KEYS);
  if (!(weight instanceof Tensor) || weight.ndim !== 2 || (weight.dtype !== "float32" && weight.dtype !== "float64")) {
    throw new ShapeError(`${where}: weight must be a 2-D float tensor [numEmbeddings, embeddingDim], got ${weight instanceof Tensor ? `${weight.dtype} [${weight.shape}]` : typeof weight}`);
  }
  const [rows, width] = weight.shape;
  const { offsets, mode: modeOption, perSampleWeights, includeLastOffset, ...lookup } = o;
  const opt = resolveEmbeddingOptions(where, rows, lookup);
  const mode = resolveBagMode(where, modeOption, opt);
  const includeLast = boolean(where, "includeLastOffset", includeLastOffset ?? false);
  if (!(input instanceof Tensor)) throw new DTypeError(`${where}: input must be an integer Tensor of indices, got ${typeof input}`);
  const bags = bagsOf(input, offsets, includeLast, where);
  const idx = indexList(input, rows, where);
  let psw: Tensor | null = null;
  if (perSampleWeights !== undefined && perSampleWeights !== null) {
    if (mode !== "sum") throw new ValueError(`${where}: perSampleWeights is only supported with mode "sum" (as PyTorch), got mode "${mode}"`);
    if (!(perSampleWeights instanceof Tensor)) throw new DTypeError(`${where}: perSampleWeights must be a Tensor, got ${typeof perSampleWeights}`);
    if (perSampleWeights.dtype !== weight.dtype) throw new DTypeError(`${where}: perSampleWeights must have the table's dtype ${weight.dtype}, got ${perSampleWeights.dtype}`);
    if (perSampleWeights.ndim !== input.ndim || perSampleWeights.shape.some((d, i) => d !== input.shape[i])) {
      throw new ShapeError(`${where}: perSampleWeights of shape [${perSampleWeights.shape}] must have the input's shape [${input.shape}]`);
    }
    psw = perSampleWeights;
  }
  if (opt.maxNorm !== null) {
    if (!weight.isContiguous || weight.offset !== 0 || weight.storage.length !== weight.size) {
      throw new ValueError(`${where}: maxNorm rescales the table in place, which needs a weight that owns its contiguous storage`);
    }
    // As torch: every looked-up row is renormalized, the padding row and indices outside any bag too.
    renormRows(weight.storage as FloatArray, width, distinctRows(idx, -1), opt.maxNorm, opt.normType);
  }
  const table = weight.contiguous();
  const T = table.storage as FloatArray, t0 = table.offset;
  const ws = psw ? (psw.contiguous().data as ArrayLike<number>) : null;
  const B = bags.starts.length, pad = opt.paddingIdx;
  const acc = new Float64Array(B * width);
  const counts = new Int32Array(B);
  const argmax = mode === "max" ? new Int32Array(B * width).fill(-1) : null;
  for (let b = 0; b < B; b++) {
    const o = b * width;
    for (let i = bags.starts[b]; i < bags.ends[b]; i++) {
      const r = idx[i];
      if (r === pad) continue;
      counts[b]++;
      const from = t0 + r * width;
      if (argmax) {
        // Strictly greater: the first of tied maxima keeps the place (and the gradient), as torch's CPU kernel.
        for (let k = 0; k < width; k++) {
          if (argmax[o + k] < 0 || T[from + k] > acc[o + k]) { acc[o + k] = T[from + k]; argmax[o + k] = r; }
        }
      } else {
        const w = ws ? ws[i] : 1;
        for (let k = 0; k < width; k++) acc[o + k] += w * T[from + k];
      }
    }
    if (mode === "mean" && counts[b] > 1) for (let k = 0; k < width; k++) acc[o + k] /= counts[b];
  }
  const out = new (T.constructor as Float32ArrayConstructor)(acc);
  if (opt.sparse) enableRowSparseGrads();
  const y = new Tensor(out, weight.dtype, [B, width]);
  const inputs = psw ? [weight, psw] : [weight];
  return record(y, where, inputs, (g) => noGrad(() => {
    const G = g.contiguous();
    const gradW = bagTableGrad(G, idx, bags, counts, argmax, ws, rows, width, mode, opt);
    return psw ? [gradW, perSampleWeightsGrad(G, weight, idx, bags, pad, psw)] : [gradW];
  }));
}

/** The table's gradient: each bag's gradient into its rows (scaled as the forward combined them). */
function bagTableGrad(G: Tensor, idx: ArrayLike<number>, bags: Bags, counts: Int32Array, argmax: Int32Array | null,
                      ws: ArrayLike<number> | null, rows: number, width: number, mode: EmbeddingBagMode,
                      opt: ResolvedEmbeddingOptions): Tensor {
  const gs = G.storage as FloatArray, g0 = G.offset;
  const grad = new (gs.constructor as Float32ArrayConstructor)(rows * width);
  const B = bags.starts.length, pad = opt.paddingIdx;
  if (argmax) {
    for (let j = 0; j < B * width; j++) if (argmax[j] >= 0) grad[argmax[j] * width + (j % width)] += gs[g0 + j];
    return new Tensor(grad, G.dtype, [rows, width]);
  }
  let freq: Int32Array | null = null;
  if (opt.scaleGradByFreq) {
    // Each row's count over the indices in bags (PyTorch 1.13 shifts these counts when paddingIdx is set: a bug).
    freq = new Int32Array(rows);
    for (let b = 0; b < B; b++) for (let i = bags.starts[b]; i < bags.ends[b]; i++) freq[idx[i]]++;
  }
  for (let b = 0; b < B; b++) {
    const per = mode === "mean" && counts[b] > 0 ? 1 / counts[b] : 1;
    const s = g0 + b * width;
    for (let i = bags.starts[b]; i < bags.ends[b]; i++) {
      const r = idx[i];
      if (r === pad) continue;
      const scale = per * (ws ? ws[i] : 1) / (freq ? freq[r] : 1);
      const o = r * width;
      for (let k = 0; k < width; k++) grad[o + k] += gs[s + k] * scale;
    }
  }
  const t = new Tensor(grad, G.dtype, [rows, width]);
  if (!opt.sparse) return t;
  const used: number[] = [];
  for (let b = 0; b < B; b++) for (let i = bags.starts[b]; i < bags.ends[b]; i++) used.push(idx[i]);
  return withTouchedRows(t, distinctRows(used, pad));
}

/** d out[b] / d perSampleWeights[i] = weight[input[i]] (0 for paddingIdx and indices outside every bag). */
function perSampleWeightsGrad(G: Tensor, weight: Tensor, idx: ArrayLike<number>, bags: Bags, pad: number, psw: Tensor): Tensor {
  const table = weight.contiguous();
  const T = table.storage as FloatArray, t0 = table.offset, width = weight.shape[1];
  const gs = G.storage as FloatArray, g0 = G.offset;
  const grad = new (gs.constructor as Float32ArrayConstructor)(psw.size);
  for (let b = 0; b < bags.starts.length; b++) {
    for (let i = bags.starts[b]; i < bags.ends[b]; i++) {
      const r = idx[i];
      if (r === pad) continue;
      let dot = 0;
      for (let k = 0; k < width; k++) dot += gs[g0 + b * width + k] * T[t0 + r * width + k];
      grad[i] = dot;
    }
  }
  return new Tensor(grad, psw.dtype, psw.shape.slice());
}
