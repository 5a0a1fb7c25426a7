import { ValueError } from "../errors.js";
import { rngFrom, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

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

const RANDOM_KEYS = ["seed", "rng"] as const;
const GAIN_KEYS = [...RANDOM_KEYS, "gain"] as const;

export const zeros = (t: Tensor): Tensor => fill(t, () => 0);
export const ones = (t: Tensor): Tensor => fill(t, () => 1);
export const constant = (t: Tensor, value: number): Tensor => fill(t, () => value);
export function uniform(t: Tensor, o: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  checkOptions("init.uniform", o, [...RANDOM_KEYS, "low", "high"]);
  const lo = o.low ?? 0, hi = o.high ?? 1;
  const rng = rngFrom(o);
  return fill(t, () => lo + (hi - lo) * rng.uniform());
}
export function normal(t: Tensor, o: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  checkOptions("init.normal", o, [...RANDOM_KEYS, "mean", "std"]);
  const mean = o.mean ?? 0, std = o.std ?? 1;
  const rng = rngFrom(o);
  return fill(t, () => mean + std * rng.normal());
}

export type Nonlinearity =
  | "linear" | "identity" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/**
 * PyTorch's calculate_gain: the factor that keeps activations' variance steady through the
 * nonlinearity — 1 (linear, conv, sigmoid), 5/3 (tanh), √2 (relu), √(2/(1 + a²)) (leaky_relu
 * with negative slope a, default 0.01), 3/4 (selu).
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "identity": case "sigmoid":
    case "conv1d": case "conv2d": case "conv3d": case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d":
      return 1;
    case "tanh": return 5 / 3;
    case "relu": return Math.SQRT2;
    case "leaky_relu": {
      const a = param ?? 0.01;
      if (typeof a !== "number" || Number.isNaN(a)) throw new ValueError(`calculateGain: negative slope must be a number, got ${String(a)}`);
      return Math.sqrt(2 / (1 + a * a));
    }
    case "selu": return 3 / 4;
    default: throw new ValueError(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** Glorot & Bengio 2010: U(±gain·√(6/(fanIn+fanOut))). */
export function xavierUniform(t: Tensor, o: InitOptions = {}): Tensor {
  checkOptions("init.xavierUniform", o, GAIN_KEYS);
  const { fanIn, fanOut } = fans(t);
  return fill(t, uniformIn(rngFrom(o), (o.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut))));
}
export function xavierNormal(t: Tensor, o: InitOptions = {}): Tensor {
  checkOptions("init.xavierNormal", o, GAIN_KEYS);
  const { fanIn, fanOut } = fans(t);
  return fill(t, normalWith(rngFrom(o), (o.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut))));
}

export interface KaimingOptions extends InitOptions {
  /** Which fan keeps its variance: "fan_in" (forward pass, default) or "fan_out" (backward pass). */
  mode?: "fan_in" | "fan_out";
  /** The nonlinearity that follows (default "leaky_relu", which with a = 0 is relu's √2). */
  nonlinearity?: Nonlinearity;
  /** Negative slope of the leaky_relu that follows (default 0). */
  a?: number;
}

/** std = gain/√fan as PyTorch's kaiming_*_; an explicit `gain` replaces calculateGain's. */
function kaimingStd(t: Tensor, o: KaimingOptions, where: string): number {
  checkOptions(where, o, [...GAIN_KEYS, "mode", "nonlinearity", "a"]);
  const mode = o.mode ?? "fan_in";
  if (mode !== "fan_in" && mode !== "fan_out") throw new ValueError(`${where}: mode must be "fan_in" or "fan_out", got ${JSON.stringify(mode)}`);
  if (o.gain !== undefined && (o.nonlinearity !== undefined || o.a !== undefined)) {
    throw new ValueError(`${where}: give either gain or nonlinearity/a, not both`);
  }
  const gain = o.gain ?? calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  const f = fans(t);
  return gain / Math.sqrt(mode === "fan_in" ? f.fanIn : f.fanOut);
}
/** He et al. 2015: U(±√3·gain/√fan); for ReLU (the default) U(±√(6/fanIn)). */
export function heUniform(t: Tensor, o: KaimingOptions = {}): Tensor {
  return fill(t, uniformIn(rngFrom(o), Math.sqrt(3) * kaimingStd(t, o, "init.heUniform")));
}
/** He et al. 2015: N(0, gain²/fan); for ReLU (the default) N(0, 2/fanIn). */
export function heNormal(t: Tensor, o: KaimingOptions = {}): Tensor {
  return fill(t, normalWith(rngFrom(o), kaimingStd(t, o, "init.heNormal")));
}
/** LeCun 1998 (for SELU/tanh): U(±√(3/fanIn)), N(0, 1/fanIn). */
export function lecunUniform(t: Tensor, o: InitOptions = {}): Tensor {
  checkOptions("init.lecunUniform", o, GAIN_KEYS);
  return fill(t, uniformIn(rngFrom(o), (o.gain ?? 1) * Math.sqrt(3 / fans(t).fanIn)));
}
export function lecunNormal(t: Tensor, o: InitOptions = {}): Tensor {
  checkOptions("init.lecunNormal", o, GAIN_KEYS);
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
  checkOptions("init.orthogonal", o, GAIN_KEYS);
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
