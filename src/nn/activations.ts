import { ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

/**
 * Pointwise activations with PyTorch's definitions and defaults. Each is a scalar function and,
 * next to it, its derivative; the derivative at a kink is the value PyTorch's backward gives
 * there (noted per function). Values are computed in float64 in forms that neither overflow nor
 * cancel for large |x|, then stored in the input's float dtype.
 */
type Scalar = (x: number) => number;

/** y = f(x) elementwise in float64, stored in x's float dtype; backward g·df(x). Also used by activations-more.ts. */
export function pointwise(name: string, xIn: Tensor, f: Scalar, df: Scalar): Tensor {
  if (!(xIn instanceof Tensor)) throw new ValueError(`${name}: input must be a Tensor`);
  const x = xIn.dtype === "float32" || xIn.dtype === "float64" ? xIn : xIn.astype("float32");
  const F = x.dtype === "float64" ? Float64Array : Float32Array;
  const xd = x.data;
  const n = xd.length;
  const y = new F(n);
  for (let i = 0; i < n; i++) y[i] = f(xd[i]);
  const out = new Tensor(y, x.dtype, x.shape.slice());
  return record(out, name, [x], (g) => {
    const gd = g.data;
    const d = new F(n);
    for (let i = 0; i < n; i++) d[i] = gd[i] * df(xd[i]);
    return [new Tensor(d, x.dtype, x.shape.slice())];
  });
}

/** log(1 + e^v) = max(v, 0) + log1p(e^−|v|): exact for large |v|, no overflow. */
export const softplusOf = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
/** σ(v) without overflow of e^−v. */
export const sigmoidOf = (v: number): number => {
  const e = Math.exp(-Math.abs(v));
  return v >= 0 ? 1 / (1 + e) : e / (1 + e);
};

export interface SoftplusOptions {
  beta?: number;
  /** Above β·x > threshold the function is x itself (default 20). */
  threshold?: number;
}
/** The options with defaults filled in, checked (also used by the module's constructor). */
export function softplusParams(where: string, o: SoftplusOptions): Required<SoftplusOptions> {
  checkOptions(where, o, ["beta", "threshold"]);
  const beta = o.beta ?? 1, threshold = o.threshold ?? 20;
  if (!(beta !== 0 && Number.isFinite(beta))) throw new ValueError(`${where}: beta must be a finite non-zero number, got ${beta}`);
  if (typeof threshold !== "number" || Number.isNaN(threshold)) throw new ValueError(`${where}: threshold must be a number, got ${threshold}`);
  return { beta, threshold };
}
/** (1/β)·log(1 + e^(βx)), x where βx > threshold; derivative σ(βx), 1 beyond the threshold. */
export function softplus(x: Tensor, o: SoftplusOptions = {}): Tensor {
  const { beta, threshold } = softplusParams("softplus", o);
  return pointwise("softplus", x,
    (v) => (v * beta > threshold ? v : softplusOf(v * beta) / beta),
    (v) => (v * beta > threshold ? 1 : sigmoidOf(v * beta)));
}

/** x·σ(x) (Swish-1); derivative σ(x)·(1 + x·(1 − σ(x))). */
export const silu = (x: Tensor): Tensor => pointwise("silu", x, (v) => v * sigmoidOf(v), (v) => {
  const s = sigmoidOf(v);
  return s * (1 + v * (1 - s));
});

/** x·tanh(softplus(x)) (Misra 2019); derivative tanh(sp) + x·σ(x)·(1 − tanh²(sp)). */
export const mish = (x: Tensor): Tensor => pointwise("mish", x, (v) => v * Math.tanh(softplusOf(v)), (v) => {
  const t = Math.tanh(softplusOf(v));
  return t + v * sigmoidOf(v) * (1 - t * t);
});

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
/** scale·(x for x > 0, α·(e^x − 1) otherwise) (Klambauer et al. 2017); at 0 the derivative is scale·α, as PyTorch. */
export const selu = (x: Tensor): Tensor => pointwise("selu", x,
  (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)),
  (v) => (v > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(v)));

/** max(0, x) + min(0, α·(e^(x/α) − 1)); derivative e^(x/α) for x ≤ 0 (so 1 at 0), 1 above. */
export function checkCeluAlpha(where: string, alpha: number): number {
  if (!(alpha !== 0 && Number.isFinite(alpha))) throw new ValueError(`${where}: alpha must be a finite non-zero number, got ${alpha}`);
  return alpha;
}
export function celu(x: Tensor, alpha = 1): Tensor {
  checkCeluAlpha("celu", alpha);
  return pointwise("celu", x, (v) => (v > 0 ? v : alpha * Math.expm1(v / alpha)), (v) => (v > 0 ? 1 : Math.exp(v / alpha)));
}

/** log σ(x) = −softplus(−x), finite for any x; derivative σ(−x). */
export const logSigmoid = (x: Tensor): Tensor => pointwise("logSigmoid", x, (v) => -softplusOf(-v), (v) => sigmoidOf(-v));

export interface HardtanhOptions {
  minVal?: number;
  maxVal?: number;
}
/** clamp(x, minVal, maxVal); the derivative is 1 strictly inside and 0 at and beyond the bounds (PyTorch). */
export function hardtanhParams(where: string, o: HardtanhOptions): Required<HardtanhOptions> {
  checkOptions(where, o, ["minVal", "maxVal"]);
  const minVal = o.minVal ?? -1, maxVal = o.maxVal ?? 1;
  // Numbers only: "a" ≤ "b" would pass as strings and the clamp would compare against them.
  if (typeof minVal !== "number" || typeof maxVal !== "number") throw new ValueError(`${where}: minVal and maxVal must be numbers, got ${typeof minVal}, ${typeof maxVal}`);
  if (!(minVal <= maxVal)) throw new ValueError(`${where}: minVal (${minVal}) must not exceed maxVal (${maxVal})`);
  return { minVal, maxVal };
}
export function hardtanh(x: Tensor, o: HardtanhOptions = {}): Tensor {
  const { minVal: lo, maxVal: hi } = hardtanhParams("hardtanh", o);
  return pointwise("hardtanh", x, (v) => (v < lo ? lo : v > hi ? hi : v), (v) => (v <= lo || v >= hi ? 0 : 1));
}

/** x·relu6(x + 3)/6 (Howard et al. 2019); derivative 0 below −3, x/3 + ½ on [−3, 3], 1 above (PyTorch). */
export const hardswish = (x: Tensor): Tensor => pointwise("hardswish", x,
  (v) => (v <= -3 ? 0 : v >= 3 ? v : (v * (v + 3)) / 6),
  (v) => (v < -3 ? 0 : v <= 3 ? v / 3 + 0.5 : 1));

/**
 * relu6(x + 3)/6; derivative 1/6 strictly inside (−3, 3), 0 elsewhere (PyTorch). (x + 3)/6, not
 * x/6 + ½, which cancels next to −3 (25% off at the float64 above −3).
 */
export const hardsigmoid = (x: Tensor): Tensor => pointwise("hardsigmoid", x,
  (v) => (v <= -3 ? 0 : v >= 3 ? 1 : (v + 3) / 6),
  (v) => (v > -3 && v < 3 ? 1 / 6 : 0));

/** x / (1 + |x|); derivative 1 / (1 + |x|)². */
export const softsign = (x: Tensor): Tensor => pointwise("softsign", x, (v) => v / (1 + Math.abs(v)), (v) => {
  const d = 1 + Math.abs(v);
  return 1 / (d * d);
});
