import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { noGrad, record, Tensor, type FloatArray } from "../ndarray/index.js";
import { enableRowSparseGrads } from "../ndarray/sparse-rows.js";
import { withTouchedRows } from "../ndarray/row-lists.js";
import { checkOptions } from "../options.js";

/**
 * embedding(input, weight): rows of a lookup table, as torch.nn.functional.embedding. The
 * forward copies rows (TypedArray.set, a memcpy); the backward adds each output row's gradient
 * into its table row. Neither enters wasm: the kernel interface copies operands into wasm memory
 * per op, which for a table would cost the whole table instead of the rows a batch uses.
 */

export interface EmbeddingOptions {
  /** This row gets no gradient (and Embedding initialises it to zeros). Negative counts from the end. */
  paddingIdx?: number | null;
  /** Rows looked up whose normType-norm exceeds this are scaled to it, in the table, in place. */
  maxNorm?: number | null;
  /** The p of the maxNorm norm (default 2). */
  normType?: number;
  /** Scale each row's gradient by 1 / (how often its index occurs in the batch). */
  scaleGradByFreq?: boolean;
  /**
   * The table's gradient carries the rows the batch used (src/ndarray/sparse-rows.ts), so SGD
   * and SparseAdam update only those.
   */
  sparse?: boolean;
}

export const EMBEDDING_OPTION_KEYS = ["paddingIdx", "maxNorm", "normType", "scaleGradByFreq", "sparse"] as const;

export interface ResolvedEmbeddingOptions {
  paddingIdx: number;
  maxNorm: number | null;
  normType: number;
  scaleGradByFreq: boolean;
  sparse: boolean;
}

/** Checks the options against a table of `rows` rows; paddingIdx becomes a row (or −1 for none). */
export function resolveEmbeddingOptions(where: string, rows: number, o: EmbeddingOptions): ResolvedEmbeddingOptions {
  checkOptions(where, o, EMBEDDING_OPTION_KEYS);
  let paddingIdx = -1;
  if (o.paddingIdx !== undefined && o.paddingIdx !== null) {
    const p = o.paddingIdx;
    if (!Number.isInteger(p) || p < -rows || p >= rows) throw new ValueError(`${where}: paddingIdx must be an integer in [${-rows}, ${rows}), got ${String(p)}`);
    paddingIdx = p < 0 ? p + rows : p;
  }
  const maxNorm = o.maxNorm ?? null;
  if (maxNorm !== null && !(typeof maxNorm === "number" && maxNorm > 0)) throw new ValueError(`${where}: maxNorm must be a number > 0, got ${String(maxNorm)}`);
  const normType = o.normType ?? 2;
  if (!(typeof normType === "number" && normType > 0)) throw new ValueError(`${where}: normType must be a number > 0 (or Infinity), got ${String(normType)}`);
  return {
    paddingIdx, maxNorm, normType,
    scaleGradByFreq: boolean(where, "scaleGradByFreq", o.scaleGradByFreq ?? false),
    sparse: boolean(where, "sparse", o.sparse ?? false),
  };
}

/** The indices as one contiguous integer array, each checked against the table. */
export function indexList(input: Tensor, rows: number, where: string): ArrayLike<number> {
  if (!(input instanceof Tensor)) throw new DTypeError(`${where}: input must be an integer Tensor of indices, got ${typeof input}`);
  if (input.dtype !== "int32" && input.dtype !== "int8" && input.dtype !== "uint8") {
    throw new DTypeError(`${where}: input must be an integer tensor (int32, int8, uint8), got ${input.dtype}`);
  }
  const idx = input.contiguous().data as ArrayLike<number>;
  for (let i = 0; i < idx.length; i++) {
    if (!(idx[i] >= 0 && idx[i] < rows)) throw new ValueError(`${where}: index ${idx[i]} at position ${i} is out of range for a table of ${rows} rows`);
  }
  return idx;
}

/** The distinct indices, sorted, leaving out `skip` (−1: none); costs the batch, not the table. */
export function distinctRows(idx: ArrayLike<number>, skip: number): Int32Array {
  const seen = new Set<number>();
  for (let i = 0; i < idx.length; i++) if (idx[i] !== skip) seen.add(idx[i]);
  return Int32Array.from(seen).sort();
}

/** torch.embedding_renorm_: each distinct looked-up row with norm > maxNorm scaled by maxNorm / (norm + 1e-7). */
export function renormRows(table: FloatArray, width: number, rows: Int32Array, maxNorm: number, p: number): void {
  const round = table instanceof Float32Array ? Math.fround : (v: number) => v;
  for (const r of rows) {
    const o = r * width;
    let norm = 0;
    if (p === Infinity) {
      for (let k = 0; k < width; k++) norm = Math.max(norm, Math.abs(table[o + k]));
    } else {
      for (let k = 0; k < width; k++) norm += Math.abs(table[o + k]) ** p;
      norm = norm ** (1 / p);
    }
    if (norm > maxNorm) {
      const scale = round(maxNorm / (norm + 1e-7));
      for (let k = 0; k < width; k++) table[o + k] *= scale;
    }
  }
}

/** out[..., :] = weight[input[...], :]; shape [...input.shape, embeddingDim]. */
export function embedding(input: Tensor, weight: Tensor, o: EmbeddingOptions = {}): Tensor {
  const where = "embedding";
  if (!(weight instanceof Tensor) || weight.ndim !== 2 || (weight.dtype !== "float32" && weight.dtype !== "float64")) {
    throw new ShapeError(`${where}: weight must be a 2-D float tensor [numEmbeddings, embeddingDim], got ${weight instanceof Tensor ? `${weight.dtype} [${weight.shape}]` : typeof weight}`);
  }
  const [rows, width] = weight.shape;
  const opt = resolveEmbeddingOptions(where, rows, o);
  const idx = indexList(input, rows, where);
  if (opt.maxNorm !== null) {
    if (!weight.isContiguous || weight.offset !== 0 || weight.storage.length !== weight.size) {
      throw new ValueError(`${where}: maxNorm rescales the table in place, which needs a weight that owns its contiguous storage`);
    }
    renormRows(weight.storage as FloatArray, width, distinctRows(idx, -1), opt.maxNorm, opt.normType);
  }
  const table = weight.contiguous();
  const T = table.storage as FloatArray;
  const out = new (T.constructor as Float32ArrayConstructor)(idx.length * width);
  for (let i = 0; i < idx.length; i++) {
    const from = table.offset + idx[i] * width;
    out.set(T.subarray(from, from + width), i * width);
  }
  if (opt.sparse) enableRowSparseGrads();
  const y = new Tensor(out, weight.dtype, [...input.shape, width]);
  return record(y, where, [weight], (g) => [noGrad(() => embeddingBackward(g, idx, rows, width, opt))]);
}

/** The table's gradient: each output row's gradient added into its row (none into paddingIdx). */
function embeddingBackward(g: Tensor, idx: ArrayLike<number>, rows: number, width: number, opt: ResolvedEmbeddingOptions): Tensor {
  const G = g.contiguous();
  const gs = G.storage as FloatArray;
  const grad = new (gs.constructor as Float32ArrayConstructor)(rows * width);
  let counts: Int32Array | null = null;
  if (opt.scaleGradByFreq) {
    counts = new Int32Array(rows);
    for (let i = 0; i < idx.length; i++) counts[idx[i]]++;
  }
  for (let i = 0; i < idx.length; i++) {
    const r = idx[i];
    if (r === opt.paddingIdx) continue;
    const o = r * width, s = G.offset + i * width;
    if (counts) {
      const scale = 1 / counts[r];
      for (let k = 0; k < width; k++) grad[o + k] += gs[s + k] * scale;
    } else {
      for (let k = 0; k < width; k++) grad[o + k] += gs[s + k];
    }
  }
  const t = new Tensor(grad, g.dtype, [rows, width]);
  return opt.sparse ? withTouchedRows(t, distinctRows(idx, opt.paddingIdx)) : t;
}
