// nn.Conv3d and nn.ConvTranspose3d: parameters `weight` and `bias` under PyTorch's names and
// layouts, PyTorch's default initialization (U(±1/√fanIn) for both, weight first), and the
// resolved geometry as public fields. Their own file, so a program without volumes bundles none
// of it.
import { positiveInt } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { rngFrom, zeros, type RandomOptions, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { conv3d, convTranspose3d } from "./conv3d.js";
import {
  checkGroups, checkOutputPadding3d, checkPadding3d, resolvePads3d, tripleOf, type IntOrTriple, type Pads3d, type Triple,
} from "./conv3d-options.js";
import { registerLayers } from "./layer-registry.js";
import { Module } from "./module.js";

interface Conv3dCommonOptions extends RandomOptions {
  stride?: IntOrTriple;
  dilation?: IntOrTriple;
  groups?: number;
  /** Add a learned bias (default true). */
  bias?: boolean;
  /**
   * "zeros" only (PyTorch's default). PyTorch's "reflect", "replicate" and "circular" are refused:
   * edgegrad's Conv1d/Conv2d have no padding modes either (pad with F.pad, then convolve).
   */
  paddingMode?: "zeros";
  dtype?: "float32" | "float64";
}
export interface Conv3dLayerOptions extends Conv3dCommonOptions {
  /** A number, [depth, height, width], "same" (stride 1) or "valid". */
  padding?: IntOrTriple | "same" | "valid";
}
export interface ConvTranspose3dLayerOptions extends Conv3dCommonOptions {
  padding?: IntOrTriple;
  outputPadding?: IntOrTriple;
}

const COMMON_KEYS = ["stride", "padding", "dilation", "groups", "bias", "paddingMode", "dtype", "seed", "rng"];

/** What both modules share: channel and option checks, the parameters and their initialization. */
abstract class Conv3dBase extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly groups: number;
  readonly kernelSize: Triple;
  readonly stride: Triple;
  readonly dilation: Triple;
  readonly paddingMode = "zeros" as const;

  /** `transposed`: weight [in, out/groups, k…] and fan-in out/groups·k (PyTorch's of that layout). */
  constructor(where: string, readonly inChannels: number, readonly outChannels: number, kernelSize: IntOrTriple,
              o: Conv3dCommonOptions, transposed: boolean) {
    super();
    positiveInt(where, "inChannels", inChannels);
    positiveInt(where, "outChannels", outChannels);
    this.groups = checkGroups(where, o.groups ?? 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new ValueError(`${where}: groups=${this.groups} must divide both inChannels (${inChannels}) and outChannels (${outChannels})`);
    }
    this.kernelSize = tripleOf(where, "kernelSize", kernelSize);
    this.stride = tripleOf(where, "stride", o.stride ?? 1);
    this.dilation = tripleOf(where, "dilation", o.dilation ?? 1);
    if (o.paddingMode !== undefined && o.paddingMode !== "zeros") {
      throw new ValueError(`${where}: paddingMode must be "zeros", got ${JSON.stringify(o.paddingMode)} (pad with F.pad first for the other modes)`);
    }
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    if (o.bias !== undefined && typeof o.bias !== "boolean") throw new ValueError(`${where}: bias must be true or false, got ${String(o.bias)}`);
    const [a, b] = transposed ? [inChannels, outChannels / this.groups] : [outChannels, inChannels / this.groups];
    const rng = rngFrom(o), bound = 1 / Math.sqrt(b * this.kernelSize[0] * this.kernelSize[1] * this.kernelSize[2]);
    const uniform = (shape: number[]): Tensor => {
      const t = zeros(shape, { dtype });
      for (let i = 0; i < t.size; i++) t.storage[i] = (2 * rng.uniform() - 1) * bound;
      return t;
    };
    this.weight = this.registerParameter("weight", uniform([a, b, ...this.kernelSize]));
    this.bias = (o.bias ?? true) ? this.registerParameter("bias", uniform([outChannels])) : null;
  }
}

/** 3-D convolution: [N, inChannels, D, H, W] → [N, outChannels, oD, oH, oW]; weight [out, in/groups, kD, kH, kW]. */
export class Conv3d extends Conv3dBase {
  static readonly typeName: string = "Conv3d";
  readonly padding: Triple | "same" | "valid";
  /** The zeros added as [front, back, top, bottom, left, right] ("same" resolved, its odd extra last). */
  readonly pads: Pads3d;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTriple, o: Conv3dLayerOptions = {}) {
    checkOptions("Conv3d", o, COMMON_KEYS);
    super("Conv3d", inChannels, outChannels, kernelSize, o, false);
    this.padding = checkPadding3d("Conv3d", o.padding ?? 0, this.stride);
    this.pads = resolvePads3d(this.padding, this.kernelSize, this.dilation);
  }

  forward(x: Tensor): Tensor {
    return conv3d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }
}

/** Transposed 3-D convolution (the adjoint of Conv3d); weight [in, out/groups, kD, kH, kW], bias [out]. */
export class ConvTranspose3d extends Conv3dBase {
  static readonly typeName: string = "ConvTranspose3d";
  readonly padding: Triple;
  readonly outputPadding: Triple;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrTriple, o: ConvTranspose3dLayerOptions = {}) {
    checkOptions("ConvTranspose3d", o, [...COMMON_KEYS, "outputPadding"]);
    super("ConvTranspose3d", inChannels, outChannels, kernelSize, o, true);
    this.padding = tripleOf("ConvTranspose3d", "padding", o.padding ?? 0, 0);
    this.outputPadding = tripleOf("ConvTranspose3d", "outputPadding", o.outputPadding ?? 0, 0);
    checkOutputPadding3d("ConvTranspose3d", this);
  }

  forward(x: Tensor): Tensor {
    return convTranspose3d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }
}

// Code that reads models (the ONNX exporter) recognizes them through the registry.
registerLayers({ Conv3d, ConvTranspose3d });
