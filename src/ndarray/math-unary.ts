import { DTypeError, ValueError } from "../errors.js";
import { erf as erfScalar, erfc as erfcScalar } from "../nn/erf.js";
import { checkOptions } from "../options.js";
import { record } from "./autograd.js";
import { allocate, isFloat, type DType } from "./dtype.js";
import { digamma as digammaScalar, erfinv as erfinvScalar, lgamma as lgammaScalar, trigamma } from "./special.js";
import { Tensor } from "./tensor.js";

/**
 * PyTorch's elementwise math that the core's `unary` lacks (trigonometric and hyperbolic
 * functions, rounding, erf/erfinv/lgamma/digamma, NaN tests), as top-level functions: each
 * computes in float64 and stores in the result's dtype, and records its derivative as a
 * function of x and y. Kept out of elementwise.ts, whose switch every program loads.
 */

/** What the result's dtype is: "float" promotes integers and bool to float32 (PyTorch's sin of an int). */
type Kind = "float" | "round" | "floatOnly" | "bool";

function checkInput(name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${name}: expected a Tensor, got ${x === null ? "null" : typeof x}`);
}

function resultDType(name: string, kind: Kind, d: DType): DType {
  if (kind === "bool") return "bool";
  if (isFloat(d)) return d;
  if (kind === "float") return "float32";
  throw new DTypeError(`${name}: not defined for ${d} tensors (convert with astype first)`);
}

/**
 * y = f(x) elementwise; `grad(x, y)` is dy/dx, null for ops without a gradient (bool results).
 * Rounding ops of integers return a copy, as PyTorch (the integer is its own floor).
 */
function map(name: string, x: Tensor, kind: Kind, f: (v: number) => number,
             grad: ((v: number, y: number) => number) | null): Tensor {
  checkInput(name, x);
  if (kind === "round" && !isFloat(x.dtype)) {
    if (x.dtype === "bool") throw new DTypeError(`${name}: not defined for bool tensors (convert with astype first)`);
    const copy = x.data.slice();
    return new Tensor(copy, x.dtype, x.shape.slice());
  }
  const dtype = resultDType(name, kind, x.dtype);
  const src = x.data;
  const out = allocate(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  const y = new Tensor(out, dtype, x.shape.slice());
  if (grad === null) return y;
  return record(y, name, [x], (g) => {
    const d = allocate(g.dtype, out.length);
    // From y in float64, recomputed: a float32 y would carry its rounding into exp(y²) (erfinv)
    // or 1 + y² (tan) magnified.
    for (let i = 0; i < out.length; i++) d[i] = grad(src[i], f(src[i]));
    return [g.mul(new Tensor(d, g.dtype, x.shape.slice()))];
  });
}

const zero = () => 0;
const TWO_OVER_SQRT_PI = 1.1283791670955126;

export const sin = (x: Tensor) => map("sin", x, "float", Math.sin, (v) => Math.cos(v));
export const cos = (x: Tensor) => map("cos", x, "float", Math.cos, (v) => -Math.sin(v));
export const tan = (x: Tensor) => map("tan", x, "float", Math.tan, (_, y) => 1 + y * y);
export const asin = (x: Tensor) => map("asin", x, "float", Math.asin, (v) => 1 / Math.sqrt(1 - v * v));
export const acos = (x: Tensor) => map("acos", x, "float", Math.acos, (v) => -1 / Math.sqrt(1 - v * v));
export const atan = (x: Tensor) => map("atan", x, "float", Math.atan, (v) => 1 / (1 + v * v));
export const sinh = (x: Tensor) => map("sinh", x, "float", Math.sinh, (v) => Math.cosh(v));
export const cosh = (x: Tensor) => map("cosh", x, "float", Math.cosh, (v) => Math.sinh(v));
export const asinh = (x: Tensor) => map("asinh", x, "float", Math.asinh, (v) => 1 / Math.sqrt(v * v + 1));
export const acosh = (x: Tensor) => map("acosh", x, "float", Math.acosh, (v) => 1 / Math.sqrt(v * v - 1));
export const atanh = (x: Tensor) => map("atanh", x, "float", Math.atanh, (v) => 1 / (1 - v * v));
export const reciprocal = (x: Tensor) => map("reciprocal", x, "float", (v) => 1 / v, (_, y) => -y * y);
// ±0 kept (nn/erf.ts's scalar erf gives +0 for −0).
export const erf = (x: Tensor) => map("erf", x, "float", (v) => (v === 0 ? v : erfScalar(v)), (v) => TWO_OVER_SQRT_PI * Math.exp(-v * v));
export const erfc = (x: Tensor) => map("erfc", x, "float", erfcScalar, (v) => -TWO_OVER_SQRT_PI * Math.exp(-v * v));
export const erfinv = (x: Tensor) => map("erfinv", x, "float", erfinvScalar, (_, y) => Math.exp(y * y) / TWO_OVER_SQRT_PI);
export const lgamma = (x: Tensor) => map("lgamma", x, "float", lgammaScalar, digammaScalar);
export const digamma = (x: Tensor) => map("digamma", x, "float", digammaScalar, trigamma);

// Rounding: gradient 0 everywhere, as PyTorch (frac's is 1).
export const floor = (x: Tensor) => map("floor", x, "round", Math.floor, zero);
export const ceil = (x: Tensor) => map("ceil", x, "round", Math.ceil, zero);
export const trunc = (x: Tensor) => map("trunc", x, "round", Math.trunc, zero);
/** x − trunc(x), sign of x kept (frac(−1.5) = −0.5), as torch.frac; floats only. */
export const frac = (x: Tensor) => map("frac", x, "floatOnly", (v) => v - Math.trunc(v), () => 1);

/** Round half to even (C's nearbyint, as PyTorch): 0.5 → 0, 1.5 → 2, −2.5 → −2; keeps −0. */
function roundHalfEven(v: number): number {
  const r = Math.round(v); // half up: differs only at exact halves
  const e = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return e === 0 && v < 0 ? -0 : e; // −0.5 → −0, as nearbyint
}

export interface RoundOptions {
  /** Digits after the point to keep (negative: before it), as torch.round's `decimals` (default 0). */
  decimals?: number;
}

/**
 * torch.round: half to even; with `decimals`, PyTorch's formula nearbyint(x·10^d)/10^d (for d < 0,
 * nearbyint(x/10^−d)·10^−d), so the same float64 products round the same way.
 */
export function round(x: Tensor, o: RoundOptions = {}): Tensor {
  checkOptions("round", o, ["decimals"]);
  const d = o.decimals ?? 0;
  if (typeof d !== "number" || !Number.isInteger(d)) throw new ValueError(`round: decimals must be an integer, got ${String(d)}`);
  if (d === 0) return map("round", x, "round", roundHalfEven, zero);
  checkInput("round", x);
  // PyTorch 1.13 has no integer kernel for round with decimals.
  if (!isFloat(x.dtype)) throw new DTypeError(`round: decimals is not defined for ${x.dtype} tensors`);
  const p = 10 ** Math.abs(d);
  const f = d > 0 ? (v: number) => roundHalfEven(v * p) / p : (v: number) => roundHalfEven(v / p) * p;
  return map("round", x, "floatOnly", f, zero);
}

export const isnan = (x: Tensor) => map("isnan", x, "bool", (v) => (v !== v ? 1 : 0), null);
export const isinf = (x: Tensor) => map("isinf", x, "bool", (v) => (v === Infinity || v === -Infinity ? 1 : 0), null);
export const isfinite = (x: Tensor) => map("isfinite", x, "bool", (v) => (Number.isFinite(v) ? 1 : 0), null);

export interface NanToNumOptions {
  /** What NaN becomes (default 0). */
  nan?: number;
  /** What +∞ becomes (default the dtype's largest finite value). */
  posinf?: number;
  /** What −∞ becomes (default the dtype's lowest finite value). */
  neginf?: number;
}

/**
 * torch.nan_to_num: NaN, +∞ and −∞ replaced; integers and bool come back as a copy. The gradient
 * passes where x is finite and is 0 at the replaced elements, as PyTorch's.
 */
export function nanToNum(x: Tensor, o: NanToNumOptions = {}): Tensor {
  checkOptions("nanToNum", o, ["nan", "posinf", "neginf"]);
  for (const k of ["nan", "posinf", "neginf"] as const) {
    const v = o[k];
    if (v !== undefined && typeof v !== "number") throw new ValueError(`nanToNum: ${k} must be a number, got ${String(v)} (${typeof v})`);
  }
  checkInput("nanToNum", x);
  if (!isFloat(x.dtype)) return new Tensor(x.data.slice(), x.dtype, x.shape.slice());
  const big = x.dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  const nan = o.nan ?? 0, posinf = o.posinf ?? big, neginf = o.neginf ?? -big;
  return map("nanToNum", x, "float", (v) => (v !== v ? nan : v === Infinity ? posinf : v === -Infinity ? neginf : v),
    (v) => (Number.isFinite(v) ? 1 : 0));
}
