// A float64 reference of the layers over 1, 2 or 3 spatial dims ([N, C, ...spatial]), written from
// PyTorch's definitions as plain index loops, each output carrying a bound on the error any
// float32 evaluation may have (the scheme of cnn-reference.ts, whose Bounded values it shares):
// a rounding term per layer (γ(k+1)·Σ|terms| for a k-term sum) plus the incoming error propagated
// through the layer. It shares no code with src/, so the exporter's tests can check edgegrad and
// onnxruntime against the same independent values.
import { indices } from "./reference.js";
import { ETA32, gamma, U32 } from "./tolerance.js";
import type { Bounded } from "./cnn-reference.js";

const product = (v: readonly number[]) => v.reduce((a, b) => a * b, 1);

/** Row-major flat offset of a multi-index. */
function flat(shape: readonly number[], idx: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d] + idx[d];
  return o;
}

export interface ConvNdSpec {
  /** [Cout, Cin/groups, ...kernel]. */
  weight: ArrayLike<number>; weightShape: readonly number[]; bias: ArrayLike<number> | null;
  stride: readonly number[]; padBegin: readonly number[]; dilation: readonly number[]; groups: number;
  /** Per-axis output sizes (the caller's, so "same" and asymmetric pads need no rule here). */
  outSize: readonly number[];
}

/** y[n, co, o] = b[co] + Σ w[co, ci, k]·x[n, g·Cin/g + ci, o·s − p + k·d] over in-bounds taps. */
export function convNd(x: Bounded, c: ConvNdSpec): Bounded {
  const [N, C] = x.shape, inSize = x.shape.slice(2), kernel = c.weightShape.slice(2);
  const Co = c.weightShape[0], cinG = c.weightShape[1], coutG = Co / c.groups, terms = cinG * product(kernel);
  const shape = [N, Co, ...c.outSize], y = new Float64Array(product(shape)), err = new Float64Array(y.length);
  const taps = [...indices(kernel)];
  for (const [n, co, ...o] of indices(shape)) {
    const b = c.bias ? c.bias[co] : 0, g = Math.floor(co / coutG);
    let s = b, abs = Math.abs(b), prop = 0;
    for (let ci = 0; ci < cinG; ci++) for (const k of taps) {
      const at = o.map((od, d) => od * c.stride[d] - c.padBegin[d] + k[d] * c.dilation[d]);
      if (at.some((v, d) => v < 0 || v >= inSize[d])) continue;
      const xi = flat(x.shape, [n, g * cinG + ci, ...at]), wv = c.weight[flat(c.weightShape, [co, ci, ...k])];
      s += wv * x.y[xi]; abs += Math.abs(wv * x.y[xi]); prop += Math.abs(wv) * x.err[xi];
    }
    const i = flat(shape, [n, co, ...o]);
    y[i] = s;
    err[i] = prop + gamma(terms + 1) * abs + (terms + 1) * ETA32;
  }
  return { shape, y, err };
}

export interface ConvTransposeNdSpec {
  /** [Cin, Cout/groups, ...kernel]. */
  weight: ArrayLike<number>; weightShape: readonly number[]; bias: ArrayLike<number> | null;
  stride: readonly number[]; padding: readonly number[]; outputPadding: readonly number[]; dilation: readonly number[]; groups: number;
}

/** The adjoint of convNd: output o gathers x[i]·w[ci, co, k] wherever o = i·s − p + k·d. */
export function convTransposeNd(x: Bounded, c: ConvTransposeNdSpec): Bounded {
  const [N, Cin] = x.shape, inSize = x.shape.slice(2), kernel = c.weightShape.slice(2);
  const coutG = c.weightShape[1], Co = coutG * c.groups, cinG = Cin / c.groups, terms = cinG * product(kernel);
  const outSize = inSize.map((L, d) => (L - 1) * c.stride[d] - 2 * c.padding[d] + c.dilation[d] * (kernel[d] - 1) + c.outputPadding[d] + 1);
  const shape = [N, Co, ...outSize], y = new Float64Array(product(shape)), err = new Float64Array(y.length);
  const taps = [...indices(kernel)];
  for (const [n, co, ...o] of indices(shape)) {
    const b = c.bias ? c.bias[co] : 0, g = Math.floor(co / coutG);
    let s = b, abs = Math.abs(b), prop = 0;
    for (let cl = 0; cl < cinG; cl++) for (const k of taps) {
      const num = o.map((od, d) => od + c.padding[d] - k[d] * c.dilation[d]);
      if (num.some((v, d) => v < 0 || v % c.stride[d] !== 0 || v / c.stride[d] >= inSize[d])) continue;
      const ci = g * cinG + cl, xi = flat(x.shape, [n, ci, ...num.map((v, d) => v / c.stride[d])]);
      const wv = c.weight[flat(c.weightShape, [ci, co - g * coutG, ...k])];
      s += wv * x.y[xi]; abs += Math.abs(wv * x.y[xi]); prop += Math.abs(wv) * x.err[xi];
    }
    const i = flat(shape, [n, co, ...o]);
    y[i] = s;
    err[i] = prop + gamma(terms + 1) * abs + (terms + 1) * ETA32;
  }
  return { shape, y, err };
}

/** PyTorch's pooled length: floor or ceil, the last window dropped when it would start in the right padding. */
export function pooledLength(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = L + 2 * p - d * (k - 1) - 1;
  const out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  return ceil && (out - 1) * s >= L + p ? out - 1 : out;
}

export interface PoolNdSpec {
  kernel: readonly number[]; stride: readonly number[]; padding: readonly number[]; dilation: readonly number[];
  ceilMode: boolean; countIncludePad: boolean;
}

/** Max or average over each window; the average divides by the window clipped to the padded input (countIncludePad) or by its in-bounds taps. */
export function poolNd(x: Bounded, kind: "max" | "avg", p: PoolNdSpec): Bounded {
  const inSize = x.shape.slice(2);
  const outSize = inSize.map((L, d) => pooledLength(L, p.kernel[d], p.stride[d], p.padding[d], p.dilation[d], p.ceilMode));
  const window = (o: number[]) => o.map((od, d) => {
    const start = od * p.stride[d] - p.padding[d];
    return { start, span: Math.min(start + p.kernel[d], inSize[d] + p.padding[d]) - start };
  });
  return reduceWindows(x, outSize, kind, (o) => {
    const w = window(o);
    const taps = [...indices(p.kernel)].map((k) => k.map((kd, d) => w[d].start + kd * p.dilation[d]));
    return { taps, divisor: p.countIncludePad ? product(w.map((a) => a.span)) : null };
  });
}

/** PyTorch's adaptive windows ⌊o·L/n⌋ … ⌈(o + 1)·L/n⌉ per axis (null keeps the axis). */
export function adaptivePoolNd(x: Bounded, kind: "max" | "avg", outputSize: readonly (number | null)[]): Bounded {
  const inSize = x.shape.slice(2), outSize = inSize.map((L, d) => outputSize[d] ?? L);
  return reduceWindows(x, outSize, kind, (o) => {
    const lo = o.map((od, d) => Math.floor((od * inSize[d]) / outSize[d]));
    const hi = o.map((od, d) => Math.ceil(((od + 1) * inSize[d]) / outSize[d]));
    return { taps: [...indices(hi.map((h, d) => h - lo[d]))].map((k) => k.map((kd, d) => lo[d] + kd)), divisor: null };
  });
}

/** Max (exact: the incoming error only) or mean (divisor, or the in-bounds count when null) over the taps of each output. */
function reduceWindows(x: Bounded, outSize: number[], kind: "max" | "avg", windowOf: (o: number[]) => { taps: number[][]; divisor: number | null }): Bounded {
  const [N, C] = x.shape, inSize = x.shape.slice(2);
  const shape = [N, C, ...outSize], y = new Float64Array(product(shape)), err = new Float64Array(y.length);
  for (const [n, c, ...o] of indices(shape)) {
    const { taps, divisor } = windowOf(o);
    let best = -Infinity, bestErr = 0, sum = 0, abs = 0, errSum = 0, count = 0;
    for (const at of taps) {
      if (at.some((v, d) => v < 0 || v >= inSize[d])) continue;
      const xi = flat(x.shape, [n, c, ...at]);
      best = Math.max(best, x.y[xi]); bestErr = Math.max(bestErr, x.err[xi]);
      sum += x.y[xi]; abs += Math.abs(x.y[xi]); errSum += x.err[xi]; count++;
    }
    const i = flat(shape, [n, c, ...o]), div = divisor ?? count;
    y[i] = kind === "max" ? best : sum / div;
    err[i] = kind === "max" ? bestErr : errSum / div + (gamma(count + 1) * abs) / div;
  }
  return { shape, y, err };
}

/**
 * Instance normalization by each (n, c) plane's own mean and biased variance, then γ·x̂ + β. The
 * bound covers a two-pass or a one-pass (E[x²] − μ²) variance of S terms: rounding moves the mean
 * by e_μ = γ(S+1)·mean|x| and the variance by γ(S+4)·(mean x² + μ²) + 2e_μ(mean|x| + |μ|) + e_μ²;
 * incoming errors δ move the mean by mean|δ| and the variance by 2·mean(|x − μ|·|δ|) + mean δ²
 * (Var(x + δ) − Var(x) = 2·cov(x, δ) + Var(δ)); each moves the output by its derivative, and
 * the output takes a few roundings more.
 */
export function instanceNormNd(x: Bounded, weight: ArrayLike<number> | null, bias: ArrayLike<number> | null, eps: number): Bounded {
  const C = x.shape[1], S = product(x.shape.slice(2)), y = new Float64Array(x.y.length), err = new Float64Array(y.length);
  const meanOf = (f: (j: number) => number) => { let a = 0; for (let j = 0; j < S; j++) a += f(j); return a / S; };
  for (let plane = 0; plane < x.y.length / S; plane++) {
    const c = plane % C, at = plane * S, v = (j: number) => x.y[at + j], e = (j: number) => x.err[at + j];
    const mean = meanOf(v), meanAbs = meanOf((j) => Math.abs(v(j))), meanSq = meanOf((j) => v(j) ** 2);
    const variance = meanOf((j) => (v(j) - mean) ** 2);
    const roundMean = gamma(S + 1) * meanAbs;
    const eMean = roundMean + meanOf(e);
    const eVar = gamma(S + 4) * (meanSq + mean * mean) + 2 * roundMean * (meanAbs + Math.abs(mean)) + roundMean ** 2
      + 2 * meanOf((j) => Math.abs(v(j) - mean) * e(j)) + meanOf((j) => e(j) ** 2);
    const w = weight ? weight[c] : 1, b = bias ? bias[c] : 0, inv = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < S; j++) {
      const xhat = (v(j) - mean) * inv;
      y[at + j] = w * xhat + b;
      err[at + j] = Math.abs(w) * inv * (e(j) + eMean) + (Math.abs(w * xhat) * eVar) / (2 * (variance + eps)) + gamma(8) * (Math.abs(w * xhat) + Math.abs(b)) + 2 ** -140;
    }
  }
  return { shape: x.shape, y, err };
}

/** F.pad: `padding` as (before, after) pairs from the last dim back; every output reads one input element (or the fill). */
export function padNd(x: Bounded, padding: readonly number[], mode: "constant" | "reflect" | "replicate" | "circular", value = 0): Bounded {
  const rank = x.shape.length, before = new Array<number>(rank).fill(0), after = new Array<number>(rank).fill(0);
  for (let k = 0; k < padding.length / 2; k++) { before[rank - 1 - k] = padding[2 * k]; after[rank - 1 - k] = padding[2 * k + 1]; }
  const shape = x.shape.map((L, d) => L + before[d] + after[d]), y = new Float64Array(product(shape)), err = new Float64Array(y.length);
  const source = (j: number, L: number): number | null => {
    if (j >= 0 && j < L) return j;
    if (mode === "constant") return null;
    if (mode === "replicate") return j < 0 ? 0 : L - 1;
    if (mode === "circular") return ((j % L) + L) % L;
    return j < 0 ? -j : 2 * (L - 1) - j;
  };
  for (const o of indices(shape)) {
    const at = o.map((od, d) => source(od - before[d], x.shape[d]));
    const i = flat(shape, o);
    if (at.some((a) => a === null)) { y[i] = value; continue; }
    const xi = flat(x.shape, at as number[]);
    y[i] = x.y[xi]; err[i] = x.err[xi];
  }
  return { shape, y, err };
}

/**
 * Softmax over dim 1 at every other position. The bound assumes each engine's float32 exp is
 * within 4 ulp (onnxruntime's and edgegrad's are polynomial approximations), of an argument
 * x − max rounded once (relative error u·|x − max| after exp; both terms: 2u·range); a sum of C
 * such terms and one division add γ(C + 2); the incoming errors move the output by at most
 * 2·|y|·max err (∂y_i/∂x_j = y_i(δ_ij − y_j)).
 */
export function channelSoftmax(x: Bounded): Bounded {
  const C = x.shape[1], plane = product(x.shape.slice(2)), y = new Float64Array(x.y.length), err = new Float64Array(y.length);
  for (let n = 0; n < x.shape[0]; n++) for (let p = 0; p < plane; p++) {
    const at = (c: number) => (n * C + c) * plane + p;
    let m = -Infinity, lo = Infinity, inErr = 0, sum = 0;
    for (let c = 0; c < C; c++) { m = Math.max(m, x.y[at(c)]); lo = Math.min(lo, x.y[at(c)]); inErr = Math.max(inErr, x.err[at(c)]); }
    for (let c = 0; c < C; c++) sum += Math.exp(x.y[at(c)] - m);
    for (let c = 0; c < C; c++) {
      const v = Math.exp(x.y[at(c)] - m) / sum;
      y[at(c)] = v;
      err[at(c)] = v * (2 * inErr + 8 * U32 + 2 * U32 * (m - lo) + gamma(C + 2)) + ETA32;
    }
  }
  return { shape: x.shape, y, err };
}
