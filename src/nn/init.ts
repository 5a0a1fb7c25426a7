import { DTypeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { typeName } from "../type-name.js";

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

/**
 * Writes draws into the tensor's elements in order, through its strides: a view such as one
 * gate's rows w.slice([h, 2 * h]) gets them where it points, as PyTorch's init_ on a view.
 */
function fill(t: Tensor, draw: () => number): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`init: expected a Tensor, got ${typeName(t)}`);
  const { shape, strides, storage, offset, size } = t, contiguous = t.isContiguous;
  for (let i = 0; i < size; i++) {
    let p = offset + i;
    if (!contiguous) {
      // Element i's place from its index along each dim.
      p = offset;
      for (let d = shape.length - 1, r = i; d >= 0; d--) {
        p += (r % shape[d]) * strides[d];
        r = Math.floor(r / shape[d]);
      }
    }
    storage[p] = draw();
  }
  return t;
}
/** What a random initializer checks first: its options, and a float tensor to fill (PyTorch refuses integer ones). */
function start(where: string, t: Tensor, o: object, keys: readonly string[]): void {
  checkOptions(where, o, keys);
  if (!(t instanceof Tensor) || (t.dtype !== "float32" && t.dtype !== "float64")) {
    throw new DTypeError(`${where}: expected a float32 or float64 tensor, got ${t instanceof Tensor ? t.dtype : typeName(t)}`);
  }
}
const uniformIn = (rng: Rng, bound: number) => () => (2 * rng.uniform() - 1) * bound;
const normalWith = (rng: Rng, std: number) => () => rng.normal() * std;

const RANDOM_KEYS = ["seed", "rng"] as const;
const GAIN_KEYS = [...RANDOM_KEYS, "gain"] as const;

export const zeros = (t: Tensor): Tensor => fill(t, () => 0);
export const ones = (t: Tensor): Tensor => fill(t, () => 1);
export const constant = (t: Tensor, value: number): Tensor => fill(t, () => value);
export function uniform(t: Tensor, o: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  start("init.uniform", t, o, [...RANDOM_KEYS, "low", "high"]);
  const lo = o.low ?? 0, hi = o.high ?? 1;
  if (!(lo <= hi && Number.isFinite(hi - lo))) throw new ValueError(`init.uniform: low and high must be finite with low ≤ high, got ${lo}, ${hi}`);
  const rng = rngFrom(o);
  return fill(t, () => lo + (hi - lo) * rng.uniform());
}
export function normal(t: Tensor, o: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  start("init.normal", t, o, [...RANDOM_KEYS, "mean", "std"]);
  const mean = o.mean ?? 0, std = o.std ?? 1;
  if (!(std >= 0)) throw new ValueError(`init.normal: std must be ≥ 0, got ${std}`);
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
  start("init.xavierUniform", t, o, GAIN_KEYS);
  const { fanIn, fanOut } = fans(t);
  return fill(t, uniformIn(rngFrom(o), (o.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut))));
}
export function xavierNormal(t: Tensor, o: InitOptions = {}): Tensor {
  start("init.xavierNormal", t, o, GAIN_KEYS);
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
  start(where, t, o, [...GAIN_KEYS, "mode", "nonlinearity", "a"]);
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
  start("init.lecunUniform", t, o, GAIN_KEYS);
  return fill(t, uniformIn(rngFrom(o), (o.gain ?? 1) * Math.sqrt(3 / fans(t).fanIn)));
}
export function lecunNormal(t: Tensor, o: InitOptions = {}): Tensor {
  start("init.lecunNormal", t, o, GAIN_KEYS);
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
  start("init.orthogonal", t, o, GAIN_KEYS);
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
  // Element i is (r, c) = (⌊i/cols⌋, i mod cols); rows ≤ cols: the k vectors are the rows, otherwise the columns.
  let i = 0;
  return fill(t, () => {
    const r = Math.floor(i / cols), c = i++ % cols;
    return gain * (rows <= cols ? q[r][c] : q[c][r]);
  });
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
