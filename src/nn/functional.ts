import { geluKernels } from "../backend/gelu-kernels.js";
import { probability } from "../checks.js";
import { ValueError } from "../errors.js";
import { record, Tensor, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { sigmoidOf } from "./activations.js";
import { erf, erfc } from "./erf.js";

/**
 * Pointwise activations that the Tensor does not have, each a forward loop and, next to it, the
 * derivative used by its backward. Loops run over the contiguous copy of the input, in its dtype.
 */
type Kind = "leakyRelu" | "elu" | "gelu" | "geluTanh";
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2_OVER_PI = 0.7978845608028654;
const KAPPA = 0.044715;
const TINY = 2 ** -60;

function forwardLoop(kind: Kind, x: ArrayLike<number>, y: Float32Array | Float64Array, a: number): void {
  const n = y.length;
  switch (kind) {
    case "leakyRelu": for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : a * v; } break;
    case "elu": for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : a * Math.expm1(v); } break;
    // GELU, exact form: x·Φ(x) = x·(1 + erf(x/√2))/2; for x < 0 as x·erfc(−x/√2)/2, which keeps
    // Φ's small values accurate where 1 + erf would cancel them.
    case "gelu": for (let i = 0; i < n; i++) {
      const v = x[i];
      y[i] = v >= 0 ? 0.5 * v * (1 + erf(v * INV_SQRT2)) : 0.5 * v * erfc(-v * INV_SQRT2);
    } break;
    // GELU, tanh approximation (Hendrycks & Gimpel 2016): ½x·(1 + tanh u), u = √(2/π)·(x + κx³),
    // as x·σ(2u) (the same function): 1 + tanh u cancels where tanh u ≈ −1 (relative error 1.5e-5
    // at x = −6.3), σ(2u) keeps its small values.
    case "geluTanh": for (let i = 0; i < n; i++) {
      const v = x[i];
      y[i] = v * sigmoidOf(2 * SQRT_2_OVER_PI * (v + KAPPA * v * v * v));
    } break;
  }
}

function derivLoop(kind: Kind, x: ArrayLike<number>, y: ArrayLike<number>, g: ArrayLike<number>, out: Float32Array | Float64Array, a: number): void {
  const n = out.length;
  switch (kind) {
    case "leakyRelu": for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : a * g[i]; break;
    case "elu": for (let i = 0; i < n; i++) { const v = x[i]; out[i] = v > 0 ? g[i] : g[i] * a * Math.exp(v); } break;
    // d/dx x·Φ(x) = Φ(x) + x·φ(x), with Φ(x) = y/x read back from the forward's output (one
    // rounding of y: relative error u, as recomputing it would have) instead of a second erf;
    // below 2⁻⁶⁰, where y may have underflowed and Φ rounds to ½ anyway, ½.
    case "gelu": for (let i = 0; i < n; i++) {
      const v = x[i];
      out[i] = g[i] * ((Math.abs(v) < TINY ? 0.5 : y[i] / v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
    } break;
    // ½(1 + tanh u) + ½x·(1 − tanh² u)·√(2/π)·(1 + 3κx²), u = √(2/π)·(x + κx³), with
    // ½(1 + tanh u) = σ(2u) and 1 − tanh² u = 4σ(2u)σ(−2u), each side computed without cancelling.
    case "geluTanh": for (let i = 0; i < n; i++) {
      const v = x[i];
      // σ(w) and σ(−w) from one exponential, e^−|w|: the values sigmoidOf gives for each.
      const w = 2 * SQRT_2_OVER_PI * (v + KAPPA * v * v * v), e = Math.exp(-Math.abs(w));
      const s = w >= 0 ? 1 / (1 + e) : e / (1 + e), sNeg = w >= 0 ? e / (1 + e) : 1 / (1 + e);
      out[i] = g[i] * (s + 2 * v * s * sNeg * SQRT_2_OVER_PI * (1 + 3 * KAPPA * v * v));
    } break;
  }
}

/** A Tensor argument, checked: F.relu([1, 2]) would otherwise fail deep inside with a message about something else. */
export function tensorInput(where: string, x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  return x;
}
function floatOf(x: Tensor, where: string): Tensor {
  return tensorInput(where, x).dtype === "float32" || x.dtype === "float64" ? x : x.astype("float32");
}
const alloc = (t: Tensor, n: number) => (t.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

function pointwise(kind: Kind, xIn: Tensor, a: number): Tensor {
  const x = floatOf(xIn, kind);
  const xd = x.data;
  const y = alloc(x, x.size);
  forwardLoop(kind, xd, y, a);
  const out = new Tensor(y, x.dtype, x.shape.slice());
  return record(out, kind, [x], (g) => {
    const d = alloc(x, x.size);
    derivLoop(kind, xd, y, g.data, d, a);
    return [new Tensor(d, x.dtype, x.shape.slice())];
  });
}

export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => pointwise("leakyRelu", x, finiteNumber("leakyRelu", "negativeSlope", negativeSlope));
export const elu = (x: Tensor, alpha = 1): Tensor => pointwise("elu", x, finiteNumber("elu", "alpha", alpha));

/** A slope or scale must be a finite number: an options object here would silently give NaN. */
export function finiteNumber(where: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${where}: ${name} must be a finite number, got ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  return v;
}
export interface GeluOptions {
  /** "none": the exact x·Φ(x); "tanh": the tanh approximation (PyTorch's approximate). */
  approximate?: "none" | "tanh";
}
export function checkGeluOptions(where: string, o: GeluOptions): "none" | "tanh" {
  checkOptions(where, o, ["approximate"]);
  const a = o.approximate ?? "none";
  if (a !== "none" && a !== "tanh") throw new ValueError(`${where}: approximate must be "none" or "tanh", got ${JSON.stringify(a)}`);
  return a;
}
export function gelu(xIn: Tensor, o: GeluOptions = {}): Tensor {
  const kind = checkGeluOptions("gelu", o) === "tanh" ? "geluTanh" : "gelu";
  const x = floatOf(xIn, "gelu");
  const kernels = x.dtype === "float32" ? geluKernels() : null;
  if (kernels === null) return pointwise(kind, x, 0);
  // float32 on a wasm backend: one fused kernel each way (assembly/f32-gelu.ts); the backward
  // reads x and the output back, as derivLoop does.
  const approximate = kind === "geluTanh";
  const xd = float32Data(x);
  const y = kernels.geluForward(xd, approximate);
  return record(new Tensor(y, "float32", x.shape.slice()), kind, [x], (g) =>
    [new Tensor(kernels.geluBackward(xd, y, float32Data(g), approximate), "float32", x.shape.slice())]);
}

/** The elements of a float32 tensor in order: a view of its storage when it is contiguous. */
function float32Data(t: Tensor): Float32Array {
  if (t.dtype !== "float32") return Float32Array.from(t.data);
  return t.isContiguous ? (t.storage as Float32Array).subarray(t.offset, t.offset + t.size) : (t.data as Float32Array);
}

/**
 * Inverted dropout: zeroes each element with probability p and scales survivors by 1/(1−p), so
 * evaluation needs no rescaling. The same mask gates the gradient. p = 1 multiplies everything
 * by 0 without drawing, as PyTorch's CPU dropout does (x · 0: NaN and ±∞ stay NaN).
 */
export function dropout(xIn: Tensor, p: number, rng: Rng): Tensor {
  probability("dropout", "probability", p);
  const x = floatOf(xIn, "dropout");
  if (p === 0) return x;
  const mask = alloc(x, x.size);
  if (p < 1) {
    const scale = 1 / (1 - p);
    const u = rng.fillUniform(new Float64Array(mask.length));
    for (let i = 0; i < mask.length; i++) mask[i] = u[i] >= p ? scale : 0;
  }
  const xd = x.data;
  const y = alloc(x, x.size);
  for (let i = 0; i < y.length; i++) y[i] = xd[i] * mask[i];
  const out = new Tensor(y, x.dtype, x.shape.slice());
  return record(out, "dropout", [x], (g) => {
    const gd = g.data;
    const d = alloc(x, x.size);
    for (let i = 0; i < d.length; i++) d[i] = gd[i] * mask[i];
    return [new Tensor(d, x.dtype, x.shape.slice())];
  });
}
