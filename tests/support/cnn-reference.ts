// A float64 reference of the CNN layers (NC(H)W, PyTorch's definitions written out as loops) that
// also carries a bound on the error any float32 evaluation may have, per element: a rounding
// term from each layer (γ(k+1)·Σ|terms| for a k-term sum, Higham) plus the incoming error
// propagated through the layer (Σ|w|·err for a convolution; max for max-pooling; the mean for
// averaging; |scale|·err for BatchNorm; unchanged through ReLU and Flatten).
import { gamma, U32 } from "./tolerance.js";

export interface Bounded {
  /** [N, ...per-sample dims]. */
  shape: number[];
  y: Float64Array;
  err: Float64Array;
}

export const bounded = (shape: readonly number[], y: ArrayLike<number>): Bounded =>
  ({ shape: [...shape], y: Float64Array.from(y), err: new Float64Array(y.length) });

export interface ConvSpec {
  /** [Cout, Cin/groups, ...kernel]. */
  weight: ArrayLike<number>; weightShape: readonly number[]; bias: ArrayLike<number> | null;
  stride: readonly number[]; padBegin: readonly number[]; padEnd: readonly number[]; dilation: readonly number[]; groups: number;
}

/** 1 or 2 spatial dims as 2 ([1, L] for 1-D), so one loop serves both. */
const two = (v: readonly number[], fill: number): [number, number] => (v.length === 1 ? [fill, v[0]] : [v[0], v[1]]);

export function conv(x: Bounded, c: ConvSpec): Bounded {
  const sp = c.weightShape.length - 2;
  const [N, C] = x.shape, [H, W] = two(x.shape.slice(2), 1);
  const [kH, kW] = two(c.weightShape.slice(2), 1), [sH, sW] = two(c.stride, 1), [dH, dW] = two(c.dilation, 1);
  const [pT, pL] = two(c.padBegin, 0), [pB, pR] = two(c.padEnd, 0);
  const Co = c.weightShape[0], cinG = c.weightShape[1], coutG = Co / c.groups, k = cinG * kH * kW;
  const oH = Math.floor((H + pT + pB - dH * (kH - 1) - 1) / sH) + 1, oW = Math.floor((W + pL + pR - dW * (kW - 1) - 1) / sW) + 1;
  const y = new Float64Array(N * Co * oH * oW), err = new Float64Array(y.length);
  let o = 0;
  for (let n = 0; n < N; n++) for (let co = 0; co < Co; co++) for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) {
    const b = c.bias ? c.bias[co] : 0;
    let s = b, abs = Math.abs(b), prop = 0;
    const g = Math.floor(co / coutG);
    for (let ci = 0; ci < cinG; ci++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
      const ih = oh * sH - pT + kh * dH, iw = ow * sW - pL + kw * dW;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const xi = ((n * C + g * cinG + ci) * H + ih) * W + iw, wv = c.weight[((co * cinG + ci) * kH + kh) * kW + kw];
      s += wv * x.y[xi]; abs += Math.abs(wv * x.y[xi]); prop += Math.abs(wv) * x.err[xi];
    }
    y[o] = s;
    err[o++] = prop + gamma(k + 1) * abs + (k + 1) * 2 ** -149;
  }
  return { shape: [N, Co, ...(sp === 1 ? [oW] : [oH, oW])], y, err };
}

export function relu(x: Bounded): Bounded {
  return { shape: x.shape, y: x.y.map((v) => Math.max(v, 0)), err: x.err.slice() };
}

export interface PoolSpec { kernel: readonly number[]; stride: readonly number[]; padding: readonly number[]; dilation?: readonly number[]; ceilMode?: boolean; countIncludePad?: boolean }

/** PyTorch's pooled size, the last window dropped when it would start in the right padding. */
export function pooledLen(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = L + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= L + p) out--;
  return out;
}

export function pool(x: Bounded, kind: "max" | "avg", p: PoolSpec): Bounded {
  const sp = p.kernel.length;
  const [N, C] = x.shape, [H, W] = two(x.shape.slice(2), 1);
  const [kH, kW] = two(p.kernel, 1), [sH, sW] = two(p.stride, 1), [pH, pW] = two(p.padding, 0), [dH, dW] = two(p.dilation ?? p.kernel.map(() => 1), 1);
  const oH = pooledLen(H, kH, sH, pH, dH, !!p.ceilMode), oW = pooledLen(W, kW, sW, pW, dW, !!p.ceilMode);
  const y = new Float64Array(N * C * oH * oW), err = new Float64Array(y.length);
  let o = 0;
  for (let nc = 0; nc < N * C; nc++) for (let oh = 0; oh < oH; oh++) for (let ow = 0; ow < oW; ow++) {
    let best = -Infinity, bestErr = 0, sum = 0, abs = 0, errSum = 0, taps = 0;
    const h0 = oh * sH - pH, w0 = ow * sW - pW;
    for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
      const ih = h0 + kh * dH, iw = w0 + kw * dW;
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const i = (nc * H + ih) * W + iw;
      if (x.y[i] > best) best = x.y[i];
      bestErr = Math.max(bestErr, x.err[i]);
      sum += x.y[i]; abs += Math.abs(x.y[i]); errSum += x.err[i]; taps++;
    }
    if (kind === "max") { y[o] = best; err[o++] = bestErr; continue; }
    // count_include_pad: the window clipped to the padded input (not to a ceil-mode overhang).
    const hEnd = Math.min(h0 + kH, H + pH), wEnd = Math.min(w0 + kW, W + pW);
    const div = p.countIncludePad ?? true ? (hEnd - h0) * (wEnd - w0) : taps;
    y[o] = sum / div;
    err[o++] = errSum / div + gamma(taps + 1) * abs / div;
  }
  return { shape: [N, C, ...(sp === 1 ? [oW] : [oH, oW])], y, err };
}

/** Eval-mode batch norm: (x − mean)/√(var + eps)·γ + β per channel (dim 1). */
export function batchNorm(x: Bounded, mean: ArrayLike<number>, variance: ArrayLike<number>, weight: ArrayLike<number> | null,
                          bias: ArrayLike<number> | null, eps: number): Bounded {
  const C = x.shape[1], plane = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const y = new Float64Array(x.y.length), err = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const c = Math.floor(i / plane) % C;
    const s = (weight ? weight[c] : 1) / Math.sqrt(variance[c] + eps), b = bias ? bias[c] : 0;
    y[i] = (x.y[i] - mean[c]) * s + b;
    // Any float32 evaluation order: a handful of roundings over |x·s| + |mean·s| + |β|.
    err[i] = Math.abs(s) * x.err[i] + 8 * U32 * (Math.abs(x.y[i] * s) + Math.abs(mean[c] * s) + Math.abs(b)) + 2 ** -140;
  }
  return { shape: x.shape, y, err };
}

export function flatten(x: Bounded): Bounded {
  return { shape: [x.shape[0], x.y.length / x.shape[0]], y: x.y, err: x.err };
}

export function linear(x: Bounded, w: ArrayLike<number>, b: ArrayLike<number> | null, outFeatures: number): Bounded {
  const [m, k] = x.shape;
  // A Linear is a 1×1 convolution of a length-1 signal.
  const y = conv({ shape: [m, k, 1], y: x.y, err: x.err },
    { weight: w, weightShape: [outFeatures, k, 1], bias: b, stride: [1], padBegin: [0], padEnd: [0], dilation: [1], groups: 1 });
  return { ...y, shape: [m, outFeatures] };
}

/** Asserts |v − y| ≤ err + u·|y| for every element (the final rounding of the output), naming the first failure. */
export function expectWithin(who: string, got: ArrayLike<number>, ref: Bounded): void {
  if (got.length !== ref.y.length) throw new Error(`${who}: ${got.length} outputs, reference has ${ref.y.length}`);
  for (let i = 0; i < ref.y.length; i++) {
    const bound = ref.err[i] + U32 * Math.abs(ref.y[i]);
    if (!(Math.abs(got[i] - ref.y[i]) <= bound)) throw new Error(`${who} output ${i}: ${got[i]} vs float64 ${ref.y[i]} (bound ${bound})`);
  }
}
