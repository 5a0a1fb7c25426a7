import { ValueError } from "../errors.js";
import { rngFrom, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";

/**
 * Weight initializers, in place (like PyTorch's nn.init.*_) and returning the tensor. Fans follow
 * PyTorch for its [out, in, ...receptive] layout: fanIn = in·receptive, fanOut = out·receptive.
 * The normal variants draw from a plain normal (PyTorch), not Keras's truncated normal.
 */

export interface InitOptions extends RandomOptions {
  /** Multiplies the standard deviation / bound (PyTorch's gain). */
  gain?: number;
}
export type Initializer = (t: Tensor, o?: RandomOptions) => Tensor;

export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) return { fanIn: Math.max(t.size, 1), fanOut: Math.max(t.size, 1) };
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

/** Writes draws into the tensor's storage (parameters are contiguous owners). */
function fill(t: Tensor, draw: () => number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = draw();
  if (d !== t.storage) t.storage.set(d);
  return t;
}
const uniformIn = (rng: Rng, bound: number) => () => (2 * rng.uniform() - 1) * bound;
const normalWith = (rng: Rng, std: number) => () => rng.normal() * std;

export const zeros = (t: Tensor): Tensor => fill(t, () => 0);
export const ones = (t: Tensor): Tensor => fill(t, () => 1);
export const constant = (t: Tensor, value: number): Tensor => fill(t, () => value);
export function uniform(t: Tensor, o: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const lo = o.low ?? 0, hi = o.high ?? 1;
  const rng = rngFrom(o);
  return fill(t, () => lo + (hi - lo) * rng.uniform());
}
export function normal(t: Tensor, o: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const mean = o.mean ?? 0, std = o.std ?? 1;
  const rng = rngFrom(o);
  return fill(t, () => mean + std * rng.normal());
}

/** Glorot & Bengio 2010: U(±gain·√(6/(fanIn+fanOut))). */
export function xavierUniform(t: Tensor, o: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  return fill(t, uniformIn(rngFrom(o), (o.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut))));
}
export function xavierNormal(t: Tensor, o: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans(t);
  return fill(t, normalWith(rngFrom(o), (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut))));
}
/** He et al. 2015 for ReLU: U(±√(6/fanIn)) — PyTorch's kaiming_uniform_ with gain √2. */
export function heUniform(t: Tensor, o: InitOptions = {}): Tensor {
  return fill(t, uniformIn(rngFrom(o), (o.gain ?? Math.SQRT2) * Math.sqrt(3 / fans(t).fanIn)));
}
export function heNormal(t: Tensor, o: InitOptions = {}): Tensor {
  return fill(t, normalWith(rngFrom(o), (o.gain ?? Math.SQRT2) / Math.sqrt(fans(t).fanIn)));
}
/** LeCun 1998 (for SELU/tanh): U(±√(3/fanIn)), N(0, 1/fanIn). */
export function lecunUniform(t: Tensor, o: InitOptions = {}): Tensor {
  return fill(t, uniformIn(rngFrom(o), (o.gain ?? 1) * Math.sqrt(3 / fans(t).fanIn)));
}
export function lecunNormal(t: Tensor, o: InitOptions = {}): Tensor {
  return fill(t, normalWith(rngFrom(o), (o.gain ?? 1) / Math.sqrt(fans(t).fanIn)));
}
export const kaimingUniform = heUniform;
export const kaimingNormal = heNormal;
export const glorotUniform = xavierUniform;
export const glorotNormal = xavierNormal;

/**
 * Saxe et al. 2014: a (semi-)orthogonal matrix from the QR decomposition of a normal matrix,
 * with R's diagonal signs folded into Q so the result is uniformly distributed. Modified
 * Gram–Schmidt in float64 on the longer side's columns.
 */
export function orthogonal(t: Tensor, o: InitOptions = {}): Tensor {
  if (t.ndim < 2) throw new ValueError(`orthogonal: needs a tensor of at least 2 dims, got shape [${t.shape}]`);
  const rows = t.shape[0];
  const cols = t.size / rows;
  const rng = rngFrom(o);
  // Orthonormalize the k = min(rows, cols) vectors of length L = max(rows, cols).
  const k = Math.min(rows, cols), L = Math.max(rows, cols);
  const q = Array.from({ length: k }, () => Float64Array.from({ length: L }, () => rng.normal()));
  for (let i = 0; i < k; i++) {
    const v = q[i];
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let p = 0; p < L; p++) dot += v[p] * q[j][p];
      for (let p = 0; p < L; p++) v[p] -= dot * q[j][p];
    }
    let norm = 0;
    for (let p = 0; p < L; p++) norm += v[p] * v[p];
    norm = Math.sqrt(norm);
    for (let p = 0; p < L; p++) v[p] /= norm;
  }
  const gain = o.gain ?? 1;
  const d = t.data;
  // rows ≤ cols: the k vectors are the rows; otherwise they are the columns.
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) d[r * cols + c] = gain * (rows <= cols ? q[r][c] : q[c][r]);
  if (d !== t.storage) t.storage.set(d);
  return t;
}

const BY_NAME: Record<string, Initializer> = {
  zeros, ones, uniform, normal, orthogonal,
  glorot_uniform: xavierUniform, glorot_normal: xavierNormal, xavier_uniform: xavierUniform, xavier_normal: xavierNormal,
  he_uniform: heUniform, he_normal: heNormal, kaiming_uniform: heUniform, kaiming_normal: heNormal,
  lecun_uniform: lecunUniform, lecun_normal: lecunNormal,
  random_uniform: (t, o) => uniform(t, { ...o, low: -0.05, high: 0.05 }), // Keras's defaults
  random_normal: (t, o) => normal(t, { ...o, std: 0.05 }),
};

/** An initializer from a function or a Keras/PyTorch name ("he_uniform", "xavierNormal", …). */
export function getInitializer(init: string | Initializer): Initializer {
  if (typeof init === "function") return init;
  const key = String(init).replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  const f = BY_NAME[key];
  if (!f) throw new ValueError(`unknown initializer "${init}"; expected one of ${Object.keys(BY_NAME).join(", ")}`);
  return f;
}
