import { DTypeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate, isFloat, promoteTypes, type DType } from "./dtype.js";
import { asTensor, gradFor } from "./elementwise.js";
import { broadcastShapes } from "./shape.js";
import { Tensor, type TensorLike } from "./tensor.js";

/**
 * PyTorch's binary elementwise math beyond the core's `binary`: atan2, hypot, logaddexp(2),
 * xlogy, fmod, remainder, lerp. Broadcasting and dtype promotion as `binary` (a number takes the
 * tensor's dtype); each computes in float64, stores in the result's dtype and records its two
 * partial derivatives as functions of (a, b, y).
 */

/** "float": integers and bool promote to float32; "floatOnly": refused unless the promoted dtype is a float; "int": integer arithmetic kept. */
type Kind = "float" | "floatOnly" | "int";
type Partial = (a: number, b: number, y: number) => number;

function operands(name: string, aLike: TensorLike, bLike: TensorLike): [Tensor, Tensor] {
  const a = asTensor(aLike, bLike instanceof Tensor ? bLike : null, name);
  return [a, asTensor(bLike, a, name)];
}

/** The elements of t broadcast to `shape`, in row-major order (a copy). */
const valuesAt = (t: Tensor, shape: number[]) => t.detach().broadcastTo(shape).data;

function map2(name: string, aLike: TensorLike, bLike: TensorLike, kind: Kind, f: (a: number, b: number) => number,
              da: Partial, db: Partial, intF?: (a: number, b: number) => number): Tensor {
  const [a, b] = operands(name, aLike, bLike);
  const shape = broadcastShapes(a.shape, b.shape, name);
  const p = promoteTypes(a.dtype, b.dtype);
  let dtype: DType = p;
  if (!isFloat(p)) {
    if (kind === "float") dtype = "float32";
    else if (kind === "floatOnly" || p === "bool") throw new DTypeError(`${name}: not defined for ${p} tensors (convert with astype first)`);
  }
  const A = valuesAt(a, shape), B = valuesAt(b, shape);
  const out = allocate(dtype, A.length);
  const fn = isFloat(dtype) ? f : intF ?? f;
  for (let i = 0; i < out.length; i++) out[i] = fn(A[i], B[i]);
  const y = new Tensor(out, dtype, shape);
  if (!isFloat(dtype)) return y;
  return record(y, name, [a, b], (g) => {
    const partial = (d: Partial, t: Tensor) => {
      if (!t.requiresGrad) return null;
      const D = allocate(g.dtype, out.length);
      for (let i = 0; i < out.length; i++) D[i] = d(A[i], B[i], out[i]);
      return gradFor(g.mul(new Tensor(D, g.dtype, shape)), t);
    };
    return [partial(da, a), partial(db, b)];
  });
}

/** atan2(a, b): the angle of the point (b, a), in (−π, π]; integers promote to float32. */
export const atan2 = (a: TensorLike, b: TensorLike) => map2("atan2", a, b, "float", Math.atan2,
  (u, v) => v / (u * u + v * v), (u, v) => -u / (u * u + v * v));

/** √(a² + b²) without overflow; floats only, as torch.hypot. */
export const hypot = (a: TensorLike, b: TensorLike) => map2("hypot", a, b, "floatOnly", Math.hypot,
  (u, _, y) => u / y, (_, v, y) => v / y);

/** log(eᵃ + eᵇ) without overflow: max + log1p(e^(−|a−b|)), and −∞ for two −∞ (PyTorch's rule). */
function logAddExp(u: number, v: number): number {
  if (u === v && (u === Infinity || u === -Infinity)) return u;
  const m = Math.max(u, v);
  return m + Math.log1p(Math.exp(-Math.abs(u - v)));
}
export const logaddexp = (a: TensorLike, b: TensorLike) => map2("logaddexp", a, b, "floatOnly", logAddExp,
  (u, v) => 1 / (1 + Math.exp(v - u)), (u, v) => 1 / (1 + Math.exp(u - v)));

function logAddExp2(u: number, v: number): number {
  if (u === v && (u === Infinity || u === -Infinity)) return u;
  const m = Math.max(u, v);
  return m + Math.log1p(2 ** -Math.abs(u - v)) / Math.LN2;
}
export const logaddexp2 = (a: TensorLike, b: TensorLike) => map2("logaddexp2", a, b, "floatOnly", logAddExp2,
  (u, v) => 1 / (1 + 2 ** (v - u)), (u, v) => 1 / (1 + 2 ** (u - v)));

/**
 * a·log(b), with 0·log b = 0 for every b but NaN (PyTorch's xlogy). Gradients as PyTorch: log b
 * for a, 0 where a = 0 and b ≤ 0; a/b for b.
 */
export const xlogy = (a: TensorLike, b: TensorLike) => map2("xlogy", a, b, "float",
  (u, v) => (v !== v ? NaN : u === 0 ? 0 : u * Math.log(v)),
  (u, v) => (u === 0 && v <= 0 ? 0 : Math.log(v)), (u, v) => u / v);

function intDivisor(name: string, v: number): number {
  if (v === 0) throw new ValueError(`${name}: integer division by zero`); // PyTorch: ZeroDivisionError
  return v;
}

/** C's fmod: the remainder of a/b truncated toward zero, with a's sign (fmod(−5, 3) = −2). */
export const fmod = (a: TensorLike, b: TensorLike) => map2("fmod", a, b, "int", (u, v) => u % v,
  () => 1, (u, v) => -Math.trunc(u / v), (u, v) => u % intDivisor("fmod", v));

/** Python's %: the remainder of a/b floored, with b's sign (remainder(−5, 3) = 1), as torch.remainder. */
function pythonMod(u: number, v: number): number {
  const r = u % v;
  return r !== 0 && r < 0 !== v < 0 ? r + v : r;
}
export const remainder = (a: TensorLike, b: TensorLike) => map2("remainder", a, b, "int", pythonMod,
  () => 1, (u, v) => -Math.floor(u / v), (u, v) => pythonMod(u, intDivisor("remainder", v)));

/**
 * start + weight·(end − start), as torch.lerp: start and end (and a weight tensor) of one float
 * dtype; PyTorch's two-sided formula (end − (end − start)·(1 − w) for |w| ≥ ½), exact at w = 1.
 */
export function lerp(start: Tensor, end: Tensor, weight: TensorLike): Tensor {
  for (const [k, t] of [["start", start], ["end", end]] as const) {
    if (!(t instanceof Tensor)) throw new DTypeError(`lerp: ${k} must be a Tensor, got ${typeof t}`);
    if (!isFloat(t.dtype)) throw new DTypeError(`lerp: ${k} must be float32 or float64, got ${t.dtype}`);
  }
  if (end.dtype !== start.dtype) throw new DTypeError(`lerp: end is ${end.dtype} but start is ${start.dtype}`);
  if (weight instanceof Tensor) {
    if (weight.dtype !== start.dtype) throw new DTypeError(`lerp: weight is ${weight.dtype} but start is ${start.dtype}`);
  } else if (typeof weight !== "number") {
    throw new DTypeError(`lerp: weight must be a Tensor or a number, got ${typeof weight}`);
  }
  const w = asTensor(weight, start, "lerp");
  const shape = broadcastShapes(broadcastShapes(start.shape, end.shape, "lerp"), w.shape, "lerp");
  const S = valuesAt(start, shape), E = valuesAt(end, shape), W = valuesAt(w, shape);
  const out = allocate(start.dtype, S.length);
  for (let i = 0; i < out.length; i++) {
    const d = E[i] - S[i], v = W[i];
    out[i] = Math.abs(v) < 0.5 ? S[i] + v * d : E[i] - d * (1 - v);
  }
  const y = new Tensor(out, start.dtype, shape);
  return record(y, "lerp", [start, end, w], (g) => {
    const t = (vals: (i: number) => number, input: Tensor) => {
      if (!input.requiresGrad) return null;
      const D = allocate(g.dtype, out.length);
      for (let i = 0; i < out.length; i++) D[i] = vals(i);
      return gradFor(g.mul(new Tensor(D, g.dtype, shape)), input);
    };
    return [t((i) => 1 - W[i], start), t((i) => W[i], end), t((i) => E[i] - S[i], w)];
  });
}
