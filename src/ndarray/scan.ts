// Scans along one dim, as torch.cumsum, cumprod, cummax, cummin and logcumsumexp: each output
// element depends on the elements up to it along its line. Every line is walked in place through
// the input's strides (no permuted copy), accumulated in float64 and rounded once per output, and
// each backward is a reverse scan of its own, linear in the line's length.
import { ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate, isFloat, type DType, type TypedArray } from "./dtype.js";
import { gather } from "./indexing.js";
import { contiguousStrides, normalizeAxis, type Shape } from "./shape.js";
import { forEachRow } from "./strided.js";
import { Tensor } from "./tensor.js";
import { valuesIndices, type ValuesIndices } from "./values-indices.js";

/**
 * Calls `line(at)` once for every line of `shape` along `dim`, where at[k] is operand k's offset
 * of the line's first element (operand k has strides[k] and starts at starts[k]); the caller
 * steps along the line by strides[k][dim]. `at` is reused between calls.
 */
export function forEachLine(shape: Shape, dim: number, strides: readonly (readonly number[])[], starts: readonly number[],
                            line: (at: number[]) => void): void {
  // The line dim collapsed to size 1: one callback row per run of lines, walked here.
  const lineStarts = shape.map((s, i) => (i === dim ? 1 : s));
  const at = starts.slice();
  forEachRow(lineStarts, strides, starts, (off, len, inner) => {
    for (let j = 0; j < len; j++) {
      for (let k = 0; k < at.length; k++) at[k] = off[k] + j * inner[k];
      line(at);
    }
  });
}

export function tensorArg(where: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor, got ${Array.isArray(x) ? "an array" : typeof x}`);
}

/** A fresh contiguous tensor of x's shape, each line along `dim` filled by `fill(src, p, xs, out, q, os, n)`. */
function scanLines(x: Tensor, dim: number, dtype: DType,
                   fill: (src: TypedArray, p: number, xs: number, out: TypedArray, q: number, os: number, n: number) => void): Tensor {
  const out = allocate(dtype, x.size, x.shape);
  const outStrides = contiguousStrides(x.shape);
  const n = x.shape[dim], xs = x.strides[dim], os = outStrides[dim];
  const src = x.storage;
  forEachLine(x.shape, dim, [x.strides, outStrides], [x.offset, 0], (at) => fill(src, at[0], xs, out, at[1], os, n));
  return new Tensor(out, dtype, x.shape.slice());
}

/**
 * Running sums along `dim` (from the end when `reverse`), accumulated in float64 and rounded
 * once per output. Integer and bool inputs give int32 (PyTorch: int64).
 */
function runningSum(x: Tensor, dim: number, reverse: boolean): Tensor {
  return scanLines(x, dim, isFloat(x.dtype) ? x.dtype : "int32", (src, p, xs, out, q, os, n) => {
    let acc = 0;
    if (reverse) for (let t = n - 1; t >= 0; t--) { acc += src[p + t * xs]; out[q + t * os] = acc; }
    else for (let t = 0; t < n; t++) { acc += src[p + t * xs]; out[q + t * os] = acc; }
  });
}

/** y[i] = x[0] + … + x[i] along `dim`, as torch.cumsum. Its backward is the reversed running sum. */
export function cumsum(x: Tensor, dim: number): Tensor {
  const d = normalizeAxis(dim, x.ndim, "cumsum"); // 0 or -1 on a 0-d tensor: the tensor itself
  if (x.ndim === 0) return cumsum(x.reshape([1]), 0).reshape([]);
  const y = runningSum(x, d, false);
  return record(y, "cumsum", [x], (g) => [runningSum(g, d, true)]);
}

/**
 * y[i] = x[0] · … · x[i] along `dim`, as torch.cumprod. Integer and bool inputs give int32,
 * multiplied exactly and wrapping on overflow as int32 does (PyTorch: int64).
 *
 * The gradient never divides by x, so zeros (one or several) get the exact value:
 * dL/dx[i] = Σ_{k≥i} g[k]·Π_{j≤k, j≠i} x[j] = P[i−1]·S[i], where P is the running product and
 * S[i] = g[i] + x[i+1]·S[i+1] a reverse scan — O(n) per line, as PyTorch's value.
 */
export function cumprod(x: Tensor, dim: number): Tensor {
  tensorArg("cumprod", x);
  const d = normalizeAxis(dim, x.ndim, "cumprod");
  if (x.ndim === 0) return cumprod(x.reshape([1]), 0).reshape([]);
  const float = isFloat(x.dtype);
  const y = scanLines(x, d, float ? x.dtype : "int32", (src, p, xs, out, q, os, n) => {
    let acc = 1;
    if (float) for (let t = 0; t < n; t++) { acc *= src[p + t * xs]; out[q + t * os] = acc; }
    else for (let t = 0; t < n; t++) { acc = Math.imul(acc, src[p + t * xs]); out[q + t * os] = acc; }
  });
  return record(y, "cumprod", [x], (g) => [cumprodGrad(x, g, d)]);
}

function cumprodGrad(x: Tensor, g: Tensor, d: number): Tensor {
  const out = allocate(x.dtype, x.size, x.shape);
  const outStrides = contiguousStrides(x.shape);
  const n = x.shape[d], xs = x.strides[d], gs = g.strides[d], os = outStrides[d];
  const X = x.storage, G = g.storage;
  const prefix = new Float64Array(n); // prefix[i] = Π_{j<i} x[j]
  forEachLine(x.shape, d, [x.strides, g.strides, outStrides], [x.offset, g.offset, 0], ([p, r, q]) => {
    let acc = 1;
    for (let t = 0; t < n; t++) { prefix[t] = acc; acc *= X[p + t * xs]; }
    let s = 0;
    for (let t = n - 1; t >= 0; t--) {
      s = G[r + t * gs] + (t + 1 < n ? X[p + (t + 1) * xs] * s : 0);
      out[q + t * os] = prefix[t] * s;
    }
  });
  return new Tensor(out, x.dtype, x.shape.slice());
}

/**
 * Running maximum (or minimum) along `dim` and where it was taken, as torch.cummax/cummin.
 * PyTorch's rules (1.13): a tie moves the index to the latest occurrence, and NaN propagates —
 * once one is seen the value stays NaN, its index that of the latest NaN. Indices are int32;
 * the values keep x's dtype. They are a gather of x by the indices, so their gradient flows back
 * to the entries the indices name.
 */
function runningExtreme(x: Tensor, dim: number, max: boolean, where: string): ValuesIndices {
  tensorArg(where, x);
  const d = normalizeAxis(dim, x.ndim, where);
  if (x.ndim === 0) {
    const [v, i] = runningExtreme(x.reshape([1]), 0, max, where);
    return valuesIndices(v.reshape([]), i.reshape([]));
  }
  const indices = scanLines(x, d, "int32", (src, p, xs, out, q, os, n) => {
    let best = 0, at = 0;
    for (let t = 0; t < n; t++) {
      const v = src[p + t * xs];
      // Same test as PyTorch's: a NaN always takes over; nothing takes over from a NaN but a NaN.
      if (v !== v || (best === best && (t === 0 || (max ? v >= best : v <= best)))) { best = v; at = t; }
      out[q + t * os] = at;
    }
  });
  return valuesIndices(gather(x, d, indices), indices);
}

/** [values, indices] of the running maximum along `dim`, as torch.cummax (see runningExtreme). */
export const cummax = (x: Tensor, dim: number): ValuesIndices => runningExtreme(x, dim, true, "cummax");
/** [values, indices] of the running minimum along `dim`, as torch.cummin (see runningExtreme). */
export const cummin = (x: Tensor, dim: number): ValuesIndices => runningExtreme(x, dim, false, "cummin");

/** log(eᵃ + eᵇ) without overflow: the larger plus log1p of e^(−|a−b|); ±∞ and NaN handled first. */
function logAddExp(a: number, b: number): number {
  const m = a > b ? a : b;
  if (m === Infinity || m === -Infinity) return a !== a || b !== b ? NaN : m;
  return m + Math.log1p(Math.exp(-Math.abs(a - b))); // NaN in, NaN out
}

/**
 * y[i] = log(e^x[0] + … + e^x[i]) along `dim`, as torch.logcumsumexp, as a running log-add-exp in
 * float64 (no overflow for large x; −∞ entries add nothing). Integer and bool inputs give
 * float32, as edgegrad's exp and logsumexp do (PyTorch refuses them).
 *
 * Gradient: dL/dx[i] = Σ_{k≥i} g[k]·e^(x[i]−y[k]) = e^(x[i]−y[i])·Q[i], with the reverse scan
 * Q[i] = g[i] + e^(y[i]−y[i+1])·Q[i+1]; y never decreases, so every exponential is ≤ 1 and
 * nothing overflows. An x[i] of −∞ gets gradient 0, its limit (PyTorch 1.13 gives NaN when a
 * y[k] it enters is −∞ too); terms where y[k] = +∞ count 0, as in PyTorch.
 */
export function logcumsumexp(x: Tensor, dim: number): Tensor {
  tensorArg("logcumsumexp", x);
  const d = normalizeAxis(dim, x.ndim, "logcumsumexp");
  if (x.ndim === 0) return logcumsumexp(x.reshape([1]), 0).reshape([]);
  const y = scanLines(x, d, isFloat(x.dtype) ? x.dtype : "float32", (src, p, xs, out, q, os, n) => {
    let acc = -Infinity;
    for (let t = 0; t < n; t++) { acc = logAddExp(acc, src[p + t * xs]); out[q + t * os] = acc; }
  });
  return record(y, "logcumsumexp", [x], (g) => [logcumsumexpGrad(x, g, d)]);
}

function logcumsumexpGrad(x: Tensor, g: Tensor, d: number): Tensor {
  const out = allocate(x.dtype, x.size, x.shape);
  const outStrides = contiguousStrides(x.shape);
  const n = x.shape[d], xs = x.strides[d], gs = g.strides[d], os = outStrides[d];
  const X = x.storage, G = g.storage;
  const y = new Float64Array(n); // the forward recomputed in float64, not read back rounded
  forEachLine(x.shape, d, [x.strides, g.strides, outStrides], [x.offset, g.offset, 0], ([p, r, q]) => {
    let acc = -Infinity;
    for (let t = 0; t < n; t++) y[t] = acc = logAddExp(acc, X[p + t * xs]);
    let s = 0;
    for (let t = n - 1; t >= 0; t--) {
      const next = t + 1 < n && y[t + 1] !== Infinity && y[t + 1] !== -Infinity ? Math.exp(y[t] - y[t + 1]) * s : 0;
      s = (y[t] === Infinity ? 0 : G[r + t * gs]) + next;
      const v = X[p + t * xs];
      out[q + t * os] = v === -Infinity ? 0 : v === Infinity ? NaN : Math.exp(v - y[t]) * s;
    }
  });
  return new Tensor(out, x.dtype, x.shape.slice());
}
