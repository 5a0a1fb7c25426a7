// Max unpooling, the partial inverse of max pooling: F.max_unpool1d / MaxUnpool1d,
// F.max_unpool2d / MaxUnpool2d and F.max_unpool3d / MaxUnpool3d. Each input value is written, in
// a zero output, at the flat per-plane index its max pool recorded (maxPool1d/2d/3d with
// returnIndices: true give exactly these, h·W + w or d·H·W + h·W + w within each plane, as
// PyTorch's); the backward gathers the output gradient back
// through the same indices. A repeated index keeps the last value written, as PyTorch's CPU loop,
// and every input element still receives the gradient at its index.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor, type FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { perDim } from "./pool-geometry.js";

type Size = number | readonly number[];

export interface MaxUnpoolOptions {
  /** Default: the kernel size (also for null, PyTorch's None). */
  stride?: Size | null;
  padding?: Size;
}
export interface MaxUnpoolCallOptions extends MaxUnpoolOptions {
  /**
   * The output's spatial size (or the whole shape, batch and channel first), to undo a pool whose
   * input size the default (in − 1)·stride − 2·padding + kernel does not recover; each dim must be
   * within stride of that default, as PyTorch requires.
   */
  outputSize?: readonly number[] | null;
}

interface Geometry { kernel: number[]; stride: number[]; padding: number[] }

function geometry(where: string, dims: number, kernelSize: unknown, o: MaxUnpoolOptions): Geometry {
  const kernel = perDim(where, "kernelSize", kernelSize, dims, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : perDim(where, "stride", o.stride, dims, 1);
  return { kernel, stride, padding: perDim(where, "padding", o.padding ?? 0, dims, 0) };
}

/** The output's spatial sizes: PyTorch's default, or `outputSize` checked against it. */
function outputSpatial(where: string, x: Tensor, dims: number, g: Geometry, outputSize: unknown): number[] {
  const spatial = x.shape.slice(x.ndim - dims);
  const defaults = spatial.map((n, i) => (n - 1) * g.stride[i] - 2 * g.padding[i] + g.kernel[i]);
  if (outputSize === undefined || outputSize === null) {
    if (defaults.some((d) => d < 1)) {
      throw new ShapeError(`${where}: kernel [${g.kernel}], stride [${g.stride}] and padding [${g.padding}] give an empty output [${defaults}] for input shape [${x.shape}]`);
    }
    return defaults;
  }
  if (!Array.isArray(outputSize) || (outputSize.length !== dims && outputSize.length !== dims + 2) ||
      !outputSize.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ValueError(`${where}: outputSize must be ${dims} or ${dims + 2} sizes (integers ≥ 0), got ${JSON.stringify(outputSize)}`);
  }
  const sizes = (outputSize as number[]).slice(outputSize.length - dims);
  sizes.forEach((s, i) => {
    const lo = defaults[i] - g.stride[i], hi = defaults[i] + g.stride[i];
    if (!(s > lo && s < hi) || s < 1) {
      throw new ShapeError(`${where}: outputSize [${outputSize}] is impossible for input shape [${x.shape}]: spatial dim ${i} must be between ${Math.max(lo + 1, 1)} and ${hi - 1}, got ${s}`);
    }
  });
  return sizes;
}

function unpool(where: string, dims: number, x: Tensor, indices: Tensor, kernelSize: Size, o: MaxUnpoolCallOptions): Tensor {
  checkOptions(where, o, ["stride", "padding", "outputSize"]);
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (!(indices instanceof Tensor)) throw new ValueError(`${where}: indices must be a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  if (indices.dtype !== "int32") throw new DTypeError(`${where}: indices must be int32 (as max pooling returns them), got ${indices.dtype}`);
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    throw new ShapeError(`${where}: expected a ${dims + 1}-d or ${dims + 2}-d input, got shape [${x.shape}]`);
  }
  if (indices.ndim !== x.ndim || indices.shape.some((d, i) => d !== x.shape[i])) {
    throw new ShapeError(`${where}: indices of shape [${indices.shape}] must have the input's shape [${x.shape}]`);
  }
  const g = geometry(where, dims, kernelSize, o);
  const outSpatial = outputSpatial(where, x, dims, g, o.outputSize);
  const lead = x.shape.slice(0, x.ndim - dims);
  const planes = lead.reduce((a, b) => a * b, 1);
  const inPlane = x.shape.slice(x.ndim - dims).reduce((a, b) => a * b, 1);
  const outPlane = outSpatial.reduce((a, b) => a * b, 1);
  // Every index checked before anything is written: a bad one leaves no half-filled output.
  const idx = indices.data as ArrayLike<number>;
  const to = new Int32Array(x.size);
  for (let p = 0, k = 0; p < planes; p++) {
    for (let i = 0; i < inPlane; i++, k++) {
      const at = idx[k];
      if (!(at >= 0 && at < outPlane)) {
        throw new ValueError(`${where}: index ${at} at position ${k} of indices is outside the output plane of ${outPlane} elements [${outSpatial}]`);
      }
      to[k] = p * outPlane + at;
    }
  }
  const alloc = (n: number): FloatArray => (x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  const xd = x.data, y = alloc(planes * outPlane);
  for (let k = 0; k < to.length; k++) y[to[k]] = xd[k];
  return record(new Tensor(y, x.dtype, [...lead, ...outSpatial]), where, [x], (grad) => {
    const gd = grad.data, gx = alloc(x.size);
    for (let k = 0; k < to.length; k++) gx[k] = gd[to[k]];
    return [new Tensor(gx, x.dtype, x.shape.slice())];
  });
}

/** F.max_unpool1d over [N, C, L] or [C, L], indices as maxPool1d's with returnIndices. */
export function maxUnpool1d(x: Tensor, indices: Tensor, kernelSize: Size, o: MaxUnpoolCallOptions = {}): Tensor {
  return unpool("maxUnpool1d", 1, x, indices, kernelSize, o);
}
/** F.max_unpool2d over [N, C, H, W] or [C, H, W], indices as maxPool2d's with returnIndices. */
export function maxUnpool2d(x: Tensor, indices: Tensor, kernelSize: Size, o: MaxUnpoolCallOptions = {}): Tensor {
  return unpool("maxUnpool2d", 2, x, indices, kernelSize, o);
}

/** F.max_unpool3d over [N, C, D, H, W] or [C, D, H, W], indices as maxPool3d's with returnIndices. */
export function maxUnpool3d(x: Tensor, indices: Tensor, kernelSize: Size, o: MaxUnpoolCallOptions = {}): Tensor {
  return unpool("maxUnpool3d", 3, x, indices, kernelSize, o);
}

abstract class MaxUnpoolNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];
  constructor(where: string, dims: number, kernelSize: Size, o: MaxUnpoolOptions) {
    super();
    checkOptions(where, o, ["stride", "padding"]);
    ({ kernel: this.kernelSize, stride: this.stride, padding: this.padding } = geometry(where, dims, kernelSize, o));
  }
}

/** torch.nn.MaxUnpool1d(kernelSize, { stride, padding }): forward(x, indices, outputSize?). */
export class MaxUnpool1d extends MaxUnpoolNd {
  static readonly typeName: string = "MaxUnpool1d";
  constructor(kernelSize: Size, o: MaxUnpoolOptions = {}) { super("MaxUnpool1d", 1, kernelSize, o); }
  forward(x: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return unpool("MaxUnpool1d", 1, x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
}
/** torch.nn.MaxUnpool2d(kernelSize, { stride, padding }): forward(x, indices, outputSize?). */
export class MaxUnpool2d extends MaxUnpoolNd {
  static readonly typeName: string = "MaxUnpool2d";
  constructor(kernelSize: Size, o: MaxUnpoolOptions = {}) { super("MaxUnpool2d", 2, kernelSize, o); }
  forward(x: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return unpool("MaxUnpool2d", 2, x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
}
/** torch.nn.MaxUnpool3d(kernelSize, { stride, padding }): forward(x, indices, outputSize?). */
export class MaxUnpool3d extends MaxUnpoolNd {
  static readonly typeName: string = "MaxUnpool3d";
  constructor(kernelSize: Size, o: MaxUnpoolOptions = {}) { super("MaxUnpool3d", 3, kernelSize, o); }
  forward(x: Tensor, indices: Tensor, outputSize: readonly number[] | null = null): Tensor {
    return unpool("MaxUnpool3d", 3, x, indices, this.kernelSize, { stride: this.stride, padding: this.padding, outputSize });
  }
}
