// Fractional max pooling (Graham 2014): F.fractional_max_pool2d/3d and FractionalMaxPool2d/3d, as
// PyTorch 1.13. The output size is given or a ratio of the input's; along each axis the windows of
// size k start at a pseudo-random sequence from one sample u ∈ [0, 1) per plane and axis:
// α = (in − k)/(out − 1), start_i = ⌊(i + u)·α⌋ − ⌊u·α⌋, the last start in − k. The samples are
// drawn per call (seeded), or given as randomSamples [N, C, dims], then the result is PyTorch's
// exactly: the sequence is computed in the input's precision (float32 steps rounded as its C++
// kernel rounds them), the sample of a 2-d plane's width first (PyTorch's [W, H] order; depth,
// height, width for 3-d). Each window's maximum is its first largest value, or its last NaN; the
// backward adds the output gradient at the recorded flat per-plane index.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, rngFrom, Tensor, type FloatArray, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { checkFlag, perDim } from "./pool-geometry.js";

type Size = number | readonly number[];

export interface FractionalMaxPoolOptions extends RandomOptions {
  /** The output's spatial size (give this or outputRatio). */
  outputSize?: Size | null;
  /** The output's spatial size as ⌊in·ratio⌋ per dim (give this or outputSize). */
  outputRatio?: number | readonly number[] | null;
  /** Also return the flat per-plane index of each maximum (int32), as maxPool's. */
  returnIndices?: boolean;
  /** The samples u, [N, C, dims] ([1, C, dims] unbatched) in [0, 1), the input's dtype; drawn when absent. */
  randomSamples?: Tensor | null;
}

interface Pooling { dims: number; planes: number; inSize: number[]; outSize: number[]; kernel: number[] }

function checkInput(where: string, x: Tensor, dims: number): { batch: number; channels: number } {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) throw new ShapeError(`${where}: expected a ${dims + 1}-d or ${dims + 2}-d input, got shape [${x.shape}]`);
  const batched = x.ndim === dims + 2;
  if (x.shape.slice(batched ? 1 : 0).some((d) => d === 0)) throw new ShapeError(`${where}: input of shape [${x.shape}] has an empty non-batch dim`);
  return { batch: batched ? x.shape[0] : 1, channels: x.shape[batched ? 1 : 0] };
}

/** outputSize or outputRatio, exactly one given, checked (the modules take ratios in (0, 1) only, as PyTorch's). */
interface SizeSpec { outputSize: number[] | null; outputRatio: number[] | null }

function sizeSpec(where: string, dims: number, o: FractionalMaxPoolOptions, ratioBelowOne: boolean): SizeSpec {
  if ((o.outputSize != null) === (o.outputRatio != null)) throw new ValueError(`${where}: give exactly one of outputSize and outputRatio`);
  if (o.outputSize != null) return { outputSize: perDim(where, "outputSize", o.outputSize, dims, 0), outputRatio: null };
  const ratios = typeof o.outputRatio === "number" ? new Array<number>(dims).fill(o.outputRatio) : o.outputRatio;
  const ok = (r: unknown) => typeof r === "number" && r > 0 && (ratioBelowOne ? r < 1 : Number.isFinite(r));
  if (!Array.isArray(ratios) || ratios.length !== dims || !ratios.every(ok)) {
    throw new ValueError(`${where}: outputRatio must be a number ${ratioBelowOne ? "in (0, 1)" : "> 0"} or ${dims} of them, got ${JSON.stringify(o.outputRatio)}`);
  }
  return { outputSize: null, outputRatio: ratios.slice() };
}

/** The output's spatial size (⌊in·ratio⌋ for a ratio), checked against the kernel as PyTorch does. */
function outputSizeOf(where: string, inSize: number[], kernel: number[], spec: SizeSpec): number[] {
  const out = spec.outputSize ?? inSize.map((n, i) => Math.trunc(n * spec.outputRatio![i]));
  out.forEach((n, i) => {
    if (n + kernel[i] - 1 > inSize[i]) {
      throw new ShapeError(`${where}: kernel ${kernel[i]} is too large for output size ${n} from input size ${inSize[i]} (spatial dim ${i})`);
    }
  });
  return out;
}

/** The given samples, checked, or fresh ones from the generator ([0, 1) in the input's precision). */
function samplesOf(where: string, x: Tensor, shape: number[], o: FractionalMaxPoolOptions): FloatArray {
  const given = o.randomSamples;
  if (given != null) {
    if (o.seed !== undefined || o.rng !== undefined) throw new ValueError(`${where}: give randomSamples or seed/rng, not both`);
    if (!(given instanceof Tensor)) throw new ValueError(`${where}: randomSamples must be a Tensor`);
    if (given.dtype !== x.dtype) throw new DTypeError(`${where}: randomSamples must have the input's dtype ${x.dtype}, got ${given.dtype}`);
    if (given.ndim !== 3 || given.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`${where}: randomSamples must have shape [${shape}] for input shape [${x.shape}], got [${given.shape}]`);
    }
    const u = given.data as FloatArray;
    const bad = u.findIndex((v) => !(v >= 0 && v < 1));
    if (bad >= 0) throw new ValueError(`${where}: randomSamples must lie in [0, 1), got ${u[bad]} at flat index ${bad}`);
    return u;
  }
  const rng = rngFrom(o), n = shape[0] * shape[1] * shape[2];
  // float32 samples on a 2^-24 grid, as torch.rand's: rounding a float64 draw could give 1.
  if (x.dtype === "float32") return Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * 2 ** 24) / 2 ** 24);
  return Float64Array.from({ length: n }, () => rng.uniform());
}

/** Window starts along one axis, in the input's precision (`round`), as PyTorch's generate_intervals. */
function windowStarts(u: number, inSize: number, outSize: number, k: number, round: (v: number) => number): Int32Array {
  const starts = new Int32Array(outSize);
  if (outSize > 1) {
    const alpha = round((inSize - k) / (outSize - 1)), first = Math.trunc(round(u * alpha));
    for (let i = 0; i < outSize - 1; i++) starts[i] = Math.trunc(round(round(i + u) * alpha)) - first;
  }
  if (outSize > 0) starts[outSize - 1] = inSize - k;
  return starts;
}

/** The sample of axis a within a plane's samples: 2-d planes keep [W, H], 3-d [D, H, W] (PyTorch's layouts). */
const sampleOfAxis = (dims: number, a: number): number => (dims === 2 ? 1 - a : a);

/** Every plane's maxima and their flat indices; `u` the samples. */
function pool(xd: ArrayLike<number>, u: ArrayLike<number>, p: Pooling, round: (v: number) => number, y: FloatArray, arg: Int32Array): void {
  const { dims, inSize, outSize, kernel } = p;
  const inStride = inSize.map((_, a) => inSize.slice(a + 1).reduce((s, d) => s * d, 1));
  const plane = inSize.reduce((s, d) => s * d, 1), outPlane = outSize.reduce((s, d) => s * d, 1);
  const taps = kernel.reduce((s, d) => s * d, 1);
  for (let c = 0; c < p.planes; c++) {
    const starts = inSize.map((n, a) => windowStarts(u[c * dims + sampleOfAxis(dims, a)], n, outSize[a], kernel[a], round));
    for (let o = 0; o < outPlane; o++) {
      let first = 0;
      for (let a = dims - 1, rest = o; a >= 0; a--) {
        first += starts[a][rest % outSize[a]] * inStride[a];
        rest = Math.floor(rest / outSize[a]);
      }
      let best = -Infinity, at = first;
      for (let t = 0; t < taps; t++) {
        let offset = 0;
        for (let a = dims - 1, rest = t; a >= 0; a--) {
          offset += (rest % kernel[a]) * inStride[a];
          rest = Math.floor(rest / kernel[a]);
        }
        const v = xd[c * plane + first + offset];
        if (v > best || v !== v) { best = v; at = first + offset; }
      }
      y[c * outPlane + o] = best;
      arg[c * outPlane + o] = at;
    }
  }
}

function fractionalMaxPool(where: string, dims: number, x: Tensor, kernelSize: Size, o: FractionalMaxPoolOptions): Tensor | [Tensor, Tensor] {
  checkOptions(where, o, ["outputSize", "outputRatio", "returnIndices", "randomSamples", "seed", "rng"]);
  const { batch, channels } = checkInput(where, x, dims);
  const returnIndices = checkFlag(where, "returnIndices", o.returnIndices, false);
  const kernel = perDim(where, "kernelSize", kernelSize, dims, 1);
  const inSize = x.shape.slice(x.ndim - dims), outSize = outputSizeOf(where, inSize, kernel, sizeSpec(where, dims, o, false));
  const u = samplesOf(where, x, [batch, channels, dims], o);
  const p: Pooling = { dims, planes: batch * channels, inSize, outSize, kernel };
  const n = p.planes * outSize.reduce((s, d) => s * d, 1), float64 = x.dtype === "float64";
  const y = float64 ? new Float64Array(n) : new Float32Array(n), arg = new Int32Array(n);
  pool(x.data, u, p, float64 ? (v) => v : Math.fround, y, arg);
  const plane = inSize.reduce((s, d) => s * d, 1), outPlane = n / Math.max(p.planes, 1);
  const shape = [...x.shape.slice(0, x.ndim - dims), ...outSize];
  const out = record(new Tensor(y, x.dtype, shape), where, [x], (g) => {
    const gd = g.data, gx = new Float64Array(x.size);
    for (let i = 0; i < n; i++) gx[Math.floor(i / outPlane) * plane + arg[i]] += gd[i];
    return [new Tensor(float64 ? gx : Float32Array.from(gx), x.dtype, x.shape.slice())];
  });
  return returnIndices ? [out, new Tensor(arg, "int32", shape.slice())] : out;
}

type PoolResult<R extends boolean> = R extends true ? [Tensor, Tensor] : Tensor;

/** F.fractional_max_pool2d over [N, C, H, W] or [C, H, W]; [output, indices] with returnIndices. */
export function fractionalMaxPool2d<R extends boolean = false>(x: Tensor, kernelSize: Size, o: FractionalMaxPoolOptions & { returnIndices?: R } = {}): PoolResult<R> {
  return fractionalMaxPool("fractionalMaxPool2d", 2, x, kernelSize, o) as PoolResult<R>;
}
/** F.fractional_max_pool3d over [N, C, D, H, W] or [C, D, H, W]; [output, indices] with returnIndices. */
export function fractionalMaxPool3d<R extends boolean = false>(x: Tensor, kernelSize: Size, o: FractionalMaxPoolOptions & { returnIndices?: R } = {}): PoolResult<R> {
  return fractionalMaxPool("fractionalMaxPool3d", 3, x, kernelSize, o) as PoolResult<R>;
}

abstract class FractionalMaxPoolNd<R extends boolean> extends Module {
  readonly kernelSize: number[];
  readonly outputSize: number[] | null;
  readonly outputRatio: number[] | null;
  readonly returnIndices: boolean;
  /** Its own generator when seeded; otherwise null, and each forward draws from the global one. */
  private readonly rng: Rng | null;
  constructor(private readonly where: string, private readonly dims: number, kernelSize: Size, o: FractionalMaxPoolOptions) {
    super();
    checkOptions(where, o, ["outputSize", "outputRatio", "returnIndices", "randomSamples", "seed", "rng"]);
    this.kernelSize = perDim(where, "kernelSize", kernelSize, dims, 1);
    this.returnIndices = checkFlag(where, "returnIndices", o.returnIndices, false);
    ({ outputSize: this.outputSize, outputRatio: this.outputRatio } = sizeSpec(where, dims, o, true));
    const samples = o.randomSamples ?? null;
    if (samples !== null && !(samples instanceof Tensor)) throw new ValueError(`${where}: randomSamples must be a Tensor`);
    if (samples !== null && (o.seed !== undefined || o.rng !== undefined)) throw new ValueError(`${where}: give randomSamples or seed/rng, not both`);
    // PyTorch's buffer "_random_samples" (absent from the state dict when not given); checked against each input in forward.
    this.registerBuffer("_random_samples", samples && samples.contiguous().clone());
    this.rng = o.rng || o.seed !== undefined ? rngFrom(o) : null;
  }
  forward(x: Tensor): PoolResult<R> {
    const samples = this.namedBuffers().find(([k]) => k === "_random_samples")?.[1];
    const size = this.outputSize ? { outputSize: this.outputSize } : { outputRatio: this.outputRatio };
    const random = samples ? { randomSamples: samples } : { rng: this.rng ?? rngFrom(undefined) };
    return fractionalMaxPool(this.where, this.dims, x, this.kernelSize, { ...size, ...random, returnIndices: this.returnIndices }) as PoolResult<R>;
  }
}

/** torch.nn.FractionalMaxPool2d(kernelSize, { outputSize | outputRatio, returnIndices, randomSamples | seed | rng }). */
export class FractionalMaxPool2d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  static readonly typeName: string = "FractionalMaxPool2d";
  constructor(kernelSize: Size, o: FractionalMaxPoolOptions & { returnIndices?: R } = {}) { super("FractionalMaxPool2d", 2, kernelSize, o); }
}
/** torch.nn.FractionalMaxPool3d(kernelSize, { outputSize | outputRatio, returnIndices, randomSamples | seed | rng }). */
export class FractionalMaxPool3d<R extends boolean = false> extends FractionalMaxPoolNd<R> {
  static readonly typeName: string = "FractionalMaxPool3d";
  constructor(kernelSize: Size, o: FractionalMaxPoolOptions & { returnIndices?: R } = {}) { super("FractionalMaxPool3d", 3, kernelSize, o); }
}
