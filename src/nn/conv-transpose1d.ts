// F.conv_transpose1d and nn.ConvTranspose1d: a transposed 2-D convolution of height 1 (the way
// conv1d is a conv2d of height 1), so it runs, forward and backward, on convTranspose2d's path.
import { positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { rngFrom, zeros, type RandomOptions, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { convDType, type Int1 } from "./conv-options.js";
import { convTranspose2d } from "./conv-transpose.js";
import { Module } from "./module.js";

export interface ConvTranspose1dOptions {
  stride?: Int1;
  /** dilation·(kernel − 1) − padding zeros are added on each side of the input (PyTorch's meaning). */
  padding?: Int1;
  /** Extra positions at the end of the output, to pick among the lengths a stride maps to one input length. */
  outputPadding?: Int1;
  dilation?: Int1;
  groups?: number;
}

/** An integer ≥ min or a one-element array of one (PyTorch's 1-tuple); a pair is refused, not half read. */
function single(where: string, key: string, v: unknown, min: number): number {
  const n = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw new ValueError(`${where}: ${key} must be an integer ≥ ${min} or a one-element array of one, got ${JSON.stringify(v)}`);
  }
  return n;
}

interface Resolved { stride: number; padding: number; outputPadding: number; dilation: number; groups: number }

function resolveOptions(where: string, o: ConvTranspose1dOptions): Resolved {
  const r = {
    stride: single(where, "stride", o.stride ?? 1, 1), padding: single(where, "padding", o.padding ?? 0, 0),
    outputPadding: single(where, "outputPadding", o.outputPadding ?? 0, 0), dilation: single(where, "dilation", o.dilation ?? 1, 1),
    groups: positiveInt(where, "groups", o.groups ?? 1),
  };
  if (r.outputPadding >= r.stride && r.outputPadding >= r.dilation) {
    throw new ValueError(`${where}: outputPadding ${r.outputPadding} must be smaller than either stride ${r.stride} or dilation ${r.dilation}`);
  }
  return r;
}

/**
 * Transposed 1-D convolution: x [N, Cin, L] (or unbatched [Cin, L]), weight [Cin, Cout/groups, k],
 * bias [Cout] → [N, Cout, (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1].
 */
export function convTranspose1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, o: ConvTranspose1dOptions = {}): Tensor {
  const where = "convTranspose1d";
  checkOptions(where, o, ["stride", "padding", "outputPadding", "dilation", "groups"]);
  if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${where}: input must be [N, C, L] or [C, L], got [${x.shape}]`);
  if (weight.ndim !== 3) throw new ShapeError(`${where}: weight must be [Cin, Cout/groups, k], got [${weight.shape}]`);
  convDType(where, x, weight);
  const r = resolveOptions(where, o);
  const x3 = x.ndim === 2 ? x.unsqueeze(0) : x;
  const [inChannels, length] = [x3.shape[1], x3.shape[2]], [wIn, perGroup, k] = weight.shape;
  if (wIn !== inChannels) throw new ShapeError(`${where}: input [${x.shape}] has ${inChannels} channels but weight [${weight.shape}] expects ${wIn}`);
  if (inChannels % r.groups !== 0) throw new ValueError(`${where}: groups=${r.groups} must divide the in channels (${inChannels})`);
  if (k < 1) throw new ShapeError(`${where}: weight [${weight.shape}] has an empty kernel`);
  const outLength = (length - 1) * r.stride - 2 * r.padding + r.dilation * (k - 1) + r.outputPadding + 1;
  if (outLength < 1) throw new ShapeError(`${where}: output length ${outLength} for input [${x.shape}] and weight [${weight.shape}] is not positive`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== perGroup * r.groups)) {
    throw new ShapeError(`${where}: bias of shape [${bias.shape}] does not match ${perGroup * r.groups} output channels`);
  }
  const y = onRowsOfOne(x3, weight, bias, r);
  return x.ndim === 2 ? y.squeeze(0) : y;
}

function onRowsOfOne(x: Tensor, weight: Tensor, bias: Tensor | null, r: Resolved): Tensor {
  return convTranspose2d(x.unsqueeze(2), weight.unsqueeze(2), bias, {
    stride: [1, r.stride], padding: [0, r.padding], outputPadding: [0, r.outputPadding], dilation: [1, r.dilation], groups: r.groups,
  }).squeeze(2);
}

export interface ConvTranspose1dLayerOptions extends ConvTranspose1dOptions, RandomOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  dtype?: "float32" | "float64";
}

/** Transposed 1-D convolution (the adjoint of Conv1d); weight [in, out/groups, k], bias [out]. */
export class ConvTranspose1d extends Module {
  static readonly typeName: string = "ConvTranspose1d";
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly outputPadding: number;
  readonly dilation: number;
  readonly groups: number;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Int1, o: ConvTranspose1dLayerOptions = {}) {
    super();
    const where = "ConvTranspose1d";
    checkOptions(where, o, ["stride", "padding", "outputPadding", "dilation", "groups", "bias", "dtype", "seed", "rng"]);
    positiveInt(where, "inChannels", inChannels);
    positiveInt(where, "outChannels", outChannels);
    ({ stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups } = resolveOptions(where, o));
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new ValueError(`${where}: groups=${this.groups} must divide both inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    this.kernelSize = single(where, "kernelSize", kernelSize, 1);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    if (o.bias !== undefined && typeof o.bias !== "boolean") throw new ValueError(`${where}: bias must be true or false, got ${String(o.bias)}`);
    // PyTorch's fan-in of this weight layout is its dim 1 times the kernel: out/groups·k; weight
    // and bias are both U(±1/√fanIn), drawn in that order.
    const rng = rngFrom(o), bound = 1 / Math.sqrt((outChannels / this.groups) * this.kernelSize);
    const uniform = (shape: number[]): Tensor => {
      const t = zeros(shape, { dtype });
      for (let i = 0; i < t.size; i++) t.storage[i] = (2 * rng.uniform() - 1) * bound;
      return t;
    };
    this.weight = this.registerParameter("weight", uniform([inChannels, outChannels / this.groups, this.kernelSize]));
    this.bias = (o.bias ?? true) ? this.registerParameter("bias", uniform([outChannels])) : null;
  }

  forward(x: Tensor): Tensor {
    return convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }
}
