import { DTypeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate, isFloat, promoteTypes, scalarDType, type DType, type TypedArray } from "./dtype.js";
import { broadcastShapes, contiguousStrides, describe, sizeOf } from "./shape.js";
import { broadcastStrides, forEachRow } from "./strided.js";
import { sumToShape } from "./reduce.js";
import { Tensor, type TensorLike } from "./tensor.js";

/**
 * Elementwise ops with NumPy broadcasting. Each op's loop is a case of one switch, so the
 * per-element code is monomorphic and inlined; the backward rule of each op follows below it.
 */

export type UnaryOp = "identity" | "neg" | "abs" | "exp" | "log" | "sqrt" | "sign" | "relu" | "sigmoid" | "tanh"
  | "log1p" | "expm1" | "rsqrt";
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "reluGrad";

const COMPARISONS = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge"]);
/** Unary ops whose result is a float even for integer input. */
const FLOAT_RESULT = new Set<UnaryOp>(["exp", "log", "sqrt", "sigmoid", "tanh", "log1p", "expm1", "rsqrt"]);

/** Wraps a plain number as a 0-d tensor of the dtype it takes next to `like`. */
export function asTensor(x: TensorLike, like: Tensor | null, where: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== "number") throw new DTypeError(`${where}: expected a Tensor or a number, got ${typeof x}`);
  const dtype = like ? scalarDType(x, like.dtype, where) : "float32";
  return new Tensor(allocate(dtype, 1).fill(x), dtype, []);
}

function unaryResultDType(op: UnaryOp, d: DType): DType {
  if (FLOAT_RESULT.has(op) && !isFloat(d)) return "float32";
  // Of the rest (identity, neg, abs, sign, relu), PyTorch keeps a bool's sign a bool and refuses the others.
  if (d === "bool" && op !== "identity" && op !== "sign") {
    throw new DTypeError(`${op}: not defined for bool tensors (convert with astype first)`);
  }
  return d;
}

export function unary(op: UnaryOp, x: Tensor): Tensor {
  const dtype = unaryResultDType(op, x.dtype);
  const out = allocate(dtype, x.size);
  const src = x.storage;
  forEachRow(x.shape, [x.strides, contiguousStrides(x.shape)], [x.offset, 0], (off, n, inner) => {
    const s = inner[0];
    const o = off[1];
    let p = off[0];
    switch (op) {
      case "identity": for (let j = 0; j < n; j++, p += s) out[o + j] = src[p]; break;
      case "neg": for (let j = 0; j < n; j++, p += s) out[o + j] = -src[p]; break;
      case "abs": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.abs(src[p]); break;
      case "exp": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.exp(src[p]); break;
      case "log": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.log(src[p]); break;
      case "sqrt": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.sqrt(src[p]); break;
      case "sign": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.sign(src[p]); break;
      // v < 0, not v > 0: NaN and −0 pass through, as in PyTorch and in the fused GEMM/conv epilogues.
      case "relu": for (let j = 0; j < n; j++, p += s) { const v = src[p]; out[o + j] = v < 0 ? 0 : v; } break;
      case "tanh": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.tanh(src[p]); break;
      // log1p and expm1 keep their precision near 0, where log(1 + x) and exp(x) − 1 lose it all.
      case "log1p": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.log1p(src[p]); break;
      case "expm1": for (let j = 0; j < n; j++, p += s) out[o + j] = Math.expm1(src[p]); break;
      case "rsqrt": for (let j = 0; j < n; j++, p += s) out[o + j] = 1 / Math.sqrt(src[p]); break;
      case "sigmoid":
        // Two branches so that exp never overflows: for v < 0, e^v/(1+e^v).
        for (let j = 0; j < n; j++, p += s) {
          const v = src[p];
          if (v >= 0) out[o + j] = 1 / (1 + Math.exp(-v));
          else { const e = Math.exp(v); out[o + j] = e / (1 + e); }
        }
        break;
    }
  });
  const y = new Tensor(out, dtype, x.shape.slice());
  return record(y, op, [x], (g) => [unaryGrad(op, x, y, g)]);
}

function unaryGrad(op: UnaryOp, x: Tensor, y: Tensor, g: Tensor): Tensor {
  switch (op) {
    case "identity": return g;
    case "neg": return g.neg();
    case "abs": return g.mul(x.sign());
    case "exp": return g.mul(y);
    case "log": return g.div(x);
    case "sqrt": return g.div(y.mul(2));
    case "sign": return g.mul(0);
    case "relu": return binary("reluGrad", g, x);
    case "sigmoid": return g.mul(y.mul(y.neg().add(1)));
    case "tanh": return g.mul(y.mul(y).neg().add(1));
    case "log1p": return g.div(x.add(1));
    case "expm1": return g.mul(y.add(1));
    case "rsqrt": return g.mul(y.mul(y).mul(y).mul(-0.5)); // d x^(−1/2) = −½ x^(−3/2)
  }
}

function binaryResultDType(op: BinaryOp, a: DType, b: DType): DType {
  if (COMPARISONS.has(op)) return "bool";
  const p = promoteTypes(a, b);
  if (op === "div") return isFloat(p) ? p : "float32";
  if (op === "reluGrad") return a;
  // Two bools (PyTorch): add is a logical or, mul a logical and, maximum/minimum stay bool;
  // sub and pow are refused.
  if (p === "bool" && (op === "sub" || op === "pow")) {
    throw new DTypeError(`${op}: not defined for bool tensors (convert with astype first)`);
  }
  return p;
}

/**
 * The loop that computes `op` for a result of `dtype`, where it is not the op's own: integer
 * products wrap exactly (Math.imul; a float64 product loses the low bits past 2^53), and add of
 * bools is a logical or (max of 0/1). Integer powers are exact (intPow, chosen in binary).
 */
type Kernel = BinaryOp | "imul";
function kernelFor(op: BinaryOp, dtype: DType): Kernel {
  if (isFloat(dtype)) return op;
  if (op === "mul") return "imul";
  if (op === "add" && dtype === "bool") return "maximum";
  return op;
}

export function binary(op: BinaryOp, aLike: TensorLike, bLike: TensorLike): Tensor {
  const a = asTensor(aLike, bLike instanceof Tensor ? bLike : null, op);
  const b = asTensor(bLike, a, op);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const dtype = binaryResultDType(op, a.dtype, b.dtype);
  const kernel = kernelFor(op, dtype);
  const power = isFloat(dtype) ? ieeePow : intPow;
  if (op === "pow" && power === intPow && typeof bLike === "number" && bLike < 0) {
    throw new ValueError(`pow: a ${dtype} tensor to the negative power ${bLike}`);
  }
  const out = allocate(dtype, sizeOf(shape), shape);
  const A = a.storage;
  const B = b.storage;
  if (op === "add" && float32Run(a, out.length) && float32Run(b, out.length)) {
    addFloat32(A as Float32Array, a.offset, B as Float32Array, b.offset, out as Float32Array);
    return record(new Tensor(out, dtype, shape), op, [a, b], (g) => [gradFor(g, a), gradFor(g, b)]);
  }
  const strides = [broadcastStrides(a.shape, a.strides, shape), broadcastStrides(b.shape, b.strides, shape), contiguousStrides(shape)];
  forEachRow(shape, strides, [a.offset, b.offset, 0], (off, n, inner) => {
    const sa = inner[0];
    const sb = inner[1];
    const o = off[2];
    let p = off[0];
    let q = off[1];
    switch (kernel) {
      case "add": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] + B[q]; break;
      case "sub": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] - B[q]; break;
      case "mul": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] * B[q]; break;
      case "div": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] / B[q]; break;
      case "pow": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = power(A[p], B[q]); break;
      case "imul": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = Math.imul(A[p], B[q]); break;
      case "maximum": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = nanMax(A[p], B[q]); break;
      case "minimum": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = nanMin(A[p], B[q]); break;
      case "eq": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] === B[q] ? 1 : 0; break;
      case "ne": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] !== B[q] ? 1 : 0; break;
      case "lt": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] < B[q] ? 1 : 0; break;
      case "le": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] <= B[q] ? 1 : 0; break;
      case "gt": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] > B[q] ? 1 : 0; break;
      case "ge": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = A[p] >= B[q] ? 1 : 0; break;
      // Gradient of relu: passes `a` (the incoming gradient) where `b` (the input) was positive.
      case "reluGrad": for (let j = 0; j < n; j++, p += sa, q += sb) out[o + j] = B[q] > 0 ? A[p] : 0; break;
    }
  });
  const y = new Tensor(out, dtype, shape);
  if (COMPARISONS.has(op)) return y;
  return record(y, op, [a, b], (g) => binaryGrad(op, a, b, y, g));
}

/** A contiguous float32 tensor of n elements (so not broadcast). */
const float32Run = (t: Tensor, n: number) => t.dtype === "float32" && t.size === n && t.isContiguous;
/**
 * out = A + B over contiguous float32 runs (residual connections, the backward sweep's gradient
 * sums): a loop that only ever sees Float32Arrays, which the engine keeps monomorphic, unlike the
 * generic loop above that every dtype goes through.
 */
function addFloat32(A: Float32Array, pa: number, B: Float32Array, pb: number, out: Float32Array): void {
  for (let i = 0, n = out.length; i < n; i++) out[i] = A[pa + i] + B[pb + i];
}

/**
 * C's pow (IEEE 754, as PyTorch computes): pow(1, y) = 1 and pow(−1, ±∞) = 1 for every y, NaN
 * included, where Math.pow gives NaN. (pow(x, 0) = 1 for every x in both.)
 */
const ieeePow = (x: number, y: number) => (x === 1 || (x === -1 && (y === Infinity || y === -Infinity)) ? 1 : Math.pow(x, y));

/**
 * x^e for integers, by squaring with Math.imul: the exact power wrapped to 32 bits, whose low
 * bits a narrower integer store keeps (PyTorch's integer pow). A negative e gives what PyTorch's
 * does for a tensor exponent: 1 for x = 1, ±1 for x = −1, else 0 (1/x truncated).
 */
function intPow(x: number, e: number): number {
  if (e < 0) return x === 1 ? 1 : x === -1 ? (e & 1 ? -1 : 1) : 0;
  let r = 1;
  for (let b = x; e > 0; e >>>= 1, b = Math.imul(b, b)) if (e & 1) r = Math.imul(r, b);
  return r;
}

// NaN propagates through maximum/minimum, as in NumPy and PyTorch (Math.max does too, but
// keeping it explicit documents the choice).
const nanMax = (x: number, y: number) => (x !== x || y !== y ? NaN : x > y ? x : y);
const nanMin = (x: number, y: number) => (x !== x || y !== y ? NaN : x < y ? x : y);

/** A gradient summed over the dims its input was broadcast along, in the input's dtype. */
export function gradFor(g: Tensor, input: Tensor): Tensor | null {
  if (!input.requiresGrad) return null;
  const r = sumToShape(g, input.shape);
  return r.dtype === input.dtype ? r : cast(r, input.dtype);
}

function binaryGrad(op: BinaryOp, a: Tensor, b: Tensor, y: Tensor, g: Tensor): (Tensor | null)[] {
  switch (op) {
    case "add": return [gradFor(g, a), gradFor(g, b)];
    case "sub": return [gradFor(g, a), b.requiresGrad ? gradFor(g.neg(), b) : null];
    case "mul": return [a.requiresGrad ? gradFor(g.mul(b), a) : null, b.requiresGrad ? gradFor(g.mul(a), b) : null];
    case "div": return [
      a.requiresGrad ? gradFor(g.div(b), a) : null,
      b.requiresGrad ? gradFor(g.mul(y).div(b).neg(), b) : null,
    ];
    // PyTorch's masks: b·a^(b−1) is taken as 0 where b = 0 (else 0·0⁻¹ = NaN at a = 0), and
    // y·log a as 0 where a = 0 and b ≥ 0 (y is 0 or 1 there; log 0 = −∞ would give NaN).
    case "pow": return [
      a.requiresGrad ? gradFor(g.mul(where(b.eq(0), 0, b.mul(a.pow(b.sub(1))))), a) : null,
      b.requiresGrad ? gradFor(g.mul(where(a.eq(0).mul(b.ge(0)), 0, y.mul(a.log()))), b) : null,
    ];
    case "maximum":
    case "minimum": {
      // Ties split the gradient evenly, as PyTorch does for maximum/minimum; where either input
      // is NaN (so y is), both take all of it, as in PyTorch (neither compares as the loser).
      const wins = op === "maximum" ? a.gt(b) : a.lt(b);
      const share = wins.astype(g.dtype).add(a.eq(b).astype(g.dtype).mul(0.5));
      return [a.requiresGrad ? gradFor(g.mul(share.add(y.ne(y))), a) : null, b.requiresGrad ? gradFor(g.mul(share.neg().add(1)), b) : null];
    }
    default: return [null, null];
  }
}

/** cond ? x : y elementwise, all three broadcast together. */
export function where(condLike: TensorLike, xLike: TensorLike, yLike: TensorLike): Tensor {
  const cond = asTensor(condLike, null, "where");
  if (cond.dtype !== "bool") {
    throw new DTypeError(`where: the condition must be bool, got ${cond.dtype}`);
  }
  const x = asTensor(xLike, yLike instanceof Tensor ? yLike : null, "where");
  const y = asTensor(yLike, x, "where");
  const shape = broadcastShapes(broadcastShapes(cond.shape, x.shape, "where"), y.shape, "where");
  const dtype = promoteTypes(x.dtype, y.dtype);
  const out = allocate(dtype, sizeOf(shape), shape);
  const C = cond.storage, X = x.storage, Y = y.storage;
  const strides = [cond, x, y].map((t) => broadcastStrides(t.shape, t.strides, shape));
  forEachRow(shape, [...strides, contiguousStrides(shape)], [cond.offset, x.offset, y.offset, 0], (off, n, s) => {
    for (let j = 0; j < n; j++) out[off[3] + j] = C[off[0] + j * s[0]] ? X[off[1] + j * s[1]] : Y[off[2] + j * s[2]];
  });
  const result = new Tensor(out, dtype, shape);
  return record(result, "where", [x, y], (g) => [
    x.requiresGrad ? gradFor(where(cond, g, 0), x) : null,
    y.requiresGrad ? gradFor(where(cond, 0, g), y) : null,
  ]);
}

/**
 * Limits values to [lo, hi] (either bound may be null); the gradient passes inside the range.
 * The result's dtype promotes with the bounds (an integer tensor clipped to 0.5 is float32), and
 * a NaN bound makes every value NaN, as PyTorch's min(max(x, lo), hi).
 */
export function clip(x: Tensor, lo: number | null, hi: number | null): Tensor {
  let dtype: DType = x.dtype === "bool" ? "int32" : x.dtype;
  for (const bound of [lo, hi]) {
    if (bound == null) continue;
    if (typeof bound !== "number") throw new DTypeError(`clip: bounds must be numbers or null, got ${describe(bound)}`);
    dtype = promoteTypes(dtype, scalarDType(bound, x.dtype));
  }
  // Both null is refused, as PyTorch does ("At least one of 'min' or 'max' must not be None").
  if (lo == null ? hi == null : hi != null && lo > hi) throw new ValueError(`clip: bounds must be lo <= hi, not both null, got ${lo}, ${hi}`);
  const min = lo ?? -Infinity;
  const max = hi ?? Infinity;
  const out = allocate(dtype, x.size);
  const src = x.storage;
  if (min !== min || max !== max) out.fill(NaN);
  else forEachRow(x.shape, [x.strides, contiguousStrides(x.shape)], [x.offset, 0], (off, n, s) => {
    for (let j = 0; j < n; j++) {
      const v = src[off[0] + j * s[0]];
      out[off[1] + j] = v < min ? min : v > max ? max : v;
    }
  });
  const y = new Tensor(out, dtype, x.shape.slice());
  return record(y, "clip", [x], (g) => [g.mul(x.ge(min).mul(x.le(max)).astype(g.dtype))]);
}

/** A converted copy; float→int truncates toward zero, anything→bool is (value ≠ 0). */
export function cast(x: Tensor, dtype: DType): Tensor {
  const out = allocate(dtype, x.size);
  const src = x.storage;
  const toBool = dtype === "bool";
  forEachRow(x.shape, [x.strides, contiguousStrides(x.shape)], [x.offset, 0], (off, n, s) => {
    for (let j = 0; j < n; j++) {
      const v = src[off[0] + j * s[0]];
      out[off[1] + j] = toBool ? (v !== 0 ? 1 : 0) : v;
    }
  });
  const y = new Tensor(out, dtype, x.shape.slice());
  if (!isFloat(dtype)) return y;
  return record(y, "astype", [x], (g) => [isFloat(x.dtype) ? cast(g, x.dtype) : null]);
}

/** Writes `src` (broadcast to dst's shape) into the elements of the view `dst`, in place. */
export function assignInto(dst: Tensor, src: Tensor): void {
  const S = src.storage;
  const D: TypedArray = dst.storage;
  broadcastShapes(src.shape, dst.shape, "assign");
  forEachRow(dst.shape, [dst.strides, broadcastStrides(src.shape, src.strides, dst.shape)], [dst.offset, src.offset], (off, n, s) => {
    for (let j = 0; j < n; j++) D[off[0] + j * s[0]] = S[off[1] + j * s[1]];
  });
}

export function onesLikeFloat(t: Tensor): Tensor {
  const dtype = isFloat(t.dtype) ? t.dtype : "float32";
  return new Tensor(allocate(dtype, t.size).fill(1), dtype, t.shape.slice());
}
