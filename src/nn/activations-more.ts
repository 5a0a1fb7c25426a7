import { ShapeError, DTypeError, ValueError } from "../errors.js";
import { record, softmax, Tensor } from "../ndarray/index.js";
import { normalizeAxis } from "../ndarray/shape.js";
import { pointwise } from "./activations.js";

/**
 * The activations PyTorch users port that activations.ts does not hold: PReLU (a learned slope),
 * ReLU6, the shrinks, Threshold, GLU and Softmin, with torch.nn.functional's names and
 * positional arguments. In their own file so that a program using none of them bundles none.
 * The derivative at each kink is the one PyTorch 1.13's backward gives there (noted per function).
 */

/** λ of softshrink: a number ≥ 0 (PyTorch refuses a negative one). */
export function checkLambd(where: string, lambd: unknown, allowNegative: boolean): number {
  if (typeof lambd !== "number" || Number.isNaN(lambd) || (!allowNegative && !(lambd >= 0))) {
    throw new ValueError(`${where}: lambd must be a number${allowNegative ? "" : " ≥ 0"}, got ${typeof lambd === "object" ? JSON.stringify(lambd) : String(lambd)}`);
  }
  return lambd;
}

/** min(max(x, 0), 6); the derivative is 0 at and beyond 0 and 6, 1 strictly between (PyTorch's hardtanh backward). */
export const relu6 = (x: Tensor): Tensor => pointwise("relu6", x,
  (v) => (v < 0 ? 0 : v > 6 ? 6 : v),
  (v) => (v <= 0 || v >= 6 ? 0 : 1));

/**
 * x − λ above λ, x + λ below −λ, 0 on [−λ, λ] (derivative 0 there, at ±λ too, as PyTorch). NaN
 * stays NaN: PyTorch 1.13 maps it to 0 (its comparisons are false for NaN), which hides it; the
 * derivative at NaN is PyTorch's 0.
 */
export function softshrink(x: Tensor, lambd = 0.5): Tensor {
  const l = checkLambd("softshrink", lambd, false);
  return pointwise("softshrink", x,
    (v) => (v > l ? v - l : v < -l ? v + l : v === v ? 0 : v),
    (v) => (v > l || v < -l ? 1 : 0));
}

/**
 * x outside [−λ, λ], 0 on it (derivative 0 at ±λ, and at NaN, as PyTorch); any λ, as PyTorch
 * takes a negative one too (then nothing is zeroed).
 */
export function hardshrink(x: Tensor, lambd = 0.5): Tensor {
  const l = checkLambd("hardshrink", lambd, true);
  return pointwise("hardshrink", x,
    (v) => (v >= -l && v <= l ? 0 : v),
    (v) => (v > l || v < -l ? 1 : 0));
}

/** x − tanh(x), computed in float64; derivative tanh²(x). */
export const tanhshrink = (x: Tensor): Tensor => pointwise("tanhshrink", x,
  (v) => v - Math.tanh(v),
  (v) => { const t = Math.tanh(v); return t * t; });

/**
 * x where x > threshold, `value` elsewhere (x = threshold included, derivative 0 there, as
 * PyTorch; NaN passes as x). Both arguments are required, as in PyTorch.
 */
export function threshold(x: Tensor, thresholdValue: number, value: number): Tensor {
  checkThreshold("threshold", thresholdValue, value);
  return pointwise("threshold", x,
    (v) => (v <= thresholdValue ? value : v),
    (v) => (v <= thresholdValue ? 0 : 1));
}
export function checkThreshold(where: string, thresholdValue: unknown, value: unknown): void {
  for (const [k, v] of [["threshold", thresholdValue], ["value", value]] as const) {
    if (typeof v !== "number" || Number.isNaN(v)) throw new ValueError(`${where}: ${k} must be a number, got ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  }
}

/** softmax(−x) along `dim` (default −1, as this library's softmax), through the softmax op and its gradient. */
export function softmin(x: Tensor, dim = -1): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError("softmin: input must be a Tensor");
  checkDim("softmin", dim);
  return softmax(x.neg(), dim);
}

/** A dim given as an integer (any sign); its range is checked against the input. */
export function checkDim(where: string, dim: unknown): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new ValueError(`${where}: dim must be an integer, got ${typeof dim === "object" ? JSON.stringify(dim) : String(dim)}`);
  return dim;
}

/**
 * The gated linear unit (Dauphin et al. 2017): x split in halves a, b along `dim`, a·σ(b). An
 * odd size along `dim` and a 0-d input are refused (PyTorch refuses both). Composed of two views
 * and the tape's sigmoid and multiply, so both halves get their gradients.
 */
export function glu(x: Tensor, dim = -1): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError("glu: input must be a Tensor");
  checkDim("glu", dim);
  if (x.ndim === 0) throw new ShapeError("glu: the input must have at least one dimension (it is halved along dim), got a 0-d tensor");
  const d = normalizeAxis(dim, x.ndim, "glu");
  const n = x.shape[d];
  if (n % 2 !== 0) throw new ShapeError(`glu: the size along dim ${dim} must be even (it is halved), got ${n} of shape [${x.shape}]`);
  const xf = x.dtype === "float32" || x.dtype === "float64" ? x : x.astype("float32");
  const half = (from: number) => xf.slice(...xf.shape.map((_, i) => (i === d ? [from, from + n / 2] as const : null)));
  return half(0).mul(half(n / 2).sigmoid());
}

/**
 * x where x > 0, w·x elsewhere, w one slope per channel (dim 1; PyTorch's prelu) or one for all.
 * The weight has 1 or C elements; an input of fewer than two dims has one channel, and a 0-d
 * input takes a one-element weight only (as PyTorch). ∂/∂x is w at x ≤ 0 (w at 0, as PyTorch)
 * and 1 above; ∂/∂w_c sums x·g over the channel's elements at or below 0, in float64.
 */
export function prelu(xIn: Tensor, weight: Tensor): Tensor {
  if (!(xIn instanceof Tensor)) throw new ValueError("prelu: input must be a Tensor");
  if (!(weight instanceof Tensor)) throw new ValueError("prelu: weight must be a Tensor");
  if (weight.dtype !== "float32" && weight.dtype !== "float64") throw new DTypeError(`prelu: weight must be float32 or float64, got ${weight.dtype}`);
  if (weight.ndim > 1) throw new ShapeError(`prelu: weight must be 1-d (one slope, or one per channel), got shape [${weight.shape}]`);
  const x0 = xIn.dtype === "float32" || xIn.dtype === "float64" ? xIn : xIn.astype("float32");
  const C = x0.ndim >= 2 ? x0.shape[1] : 1;
  const k = weight.size;
  if (k !== 1 && k !== C) {
    throw new ShapeError(`prelu: weight has ${k} elements, but the input of shape [${x0.shape}] has ${C} channel${C === 1 ? "" : "s"} (dim 1); give 1 or ${C}`);
  }
  const dtype = x0.dtype === "float64" || weight.dtype === "float64" ? "float64" : "float32";
  const F = dtype === "float64" ? Float64Array : Float32Array;
  const inner = x0.shape.slice(2).reduce((a, b) => a * b, 1);
  const xd = x0.data, wd = weight.data, n = xd.length;
  // Channel of element i: ⌊i / inner⌋ mod C, or 0 for one slope.
  const slopeAt = k === 1 ? () => 0 : (i: number) => Math.floor(i / inner) % C;
  const y = new F(n);
  for (let i = 0; i < n; i++) { const v = xd[i]; y[i] = v > 0 ? v : wd[slopeAt(i)] * v; }
  const out = new Tensor(y, dtype, x0.shape.slice());
  return record(out, "prelu", [x0, weight], (g) => {
    const gd = g.data;
    const gx = x0.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    const gw = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const v = xd[i], c = slopeAt(i);
      if (v > 0) gx[i] = gd[i];
      else { gx[i] = wd[c] * gd[i]; gw[c] += v * gd[i]; }
    }
    const gwOut = weight.dtype === "float64" ? gw : Float32Array.from(gw);
    return [new Tensor(gx, x0.dtype, x0.shape.slice()), new Tensor(gwOut, weight.dtype, weight.shape.slice())];
  });
}
