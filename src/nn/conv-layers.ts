// The convolution modules (PyTorch's nn.Conv1d, nn.Conv2d, nn.ConvTranspose2d): parameters
// `weight` and `bias` under PyTorch's names and layouts, PyTorch's default initialization, and
// the resolved geometry as public fields for the code that reads layers (fusion, export, int8).
import { positiveInt } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { rngFrom, zeros, type RandomOptions, type Rng, type Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { conv1d, conv2d } from "./conv.js";
import { registerConvFusion } from "./conv-fusion.js";
import { registerLayers } from "./layer-registry.js";
import { pairOf, resolvePadding, type Int1, type IntOrPair, type Pair } from "./conv-options.js";
import { convTranspose2d } from "./conv-transpose.js";
import { Module } from "./module.js";
import { keepsNoOutputs } from "./step-safe.js";

export interface ConvLayerOptions extends RandomOptions {
  stride?: IntOrPair;
  /** A number, [height, width], "same" (stride 1) or "valid". */
  padding?: IntOrPair | "same" | "valid";
  dilation?: IntOrPair;
  groups?: number;
  /** Add a learned bias (default true). */
  bias?: boolean;
  dtype?: "float32" | "float64";
}
export interface Conv1dLayerOptions extends RandomOptions {
  stride?: Int1;
  padding?: Int1 | "same" | "valid";
  dilation?: Int1;
  groups?: number;
  bias?: boolean;
  dtype?: "float32" | "float64";
}
export interface ConvTranspose2dLayerOptions extends RandomOptions {
  stride?: IntOrPair;
  padding?: IntOrPair;
  outputPadding?: IntOrPair;
  dilation?: IntOrPair;
  groups?: number;
  bias?: boolean;
  dtype?: "float32" | "float64";
}

const COMMON_KEYS = ["stride", "padding", "dilation", "groups", "bias", "dtype", "seed", "rng"];

/** U(±1/√fanIn) into t: kaiming_uniform(a=√5) for the weight and PyTorch's bias rule, which coincide. */
function uniformFill(t: Tensor, bound: number, rng: Rng): void {
  const d = t.storage;
  for (let i = 0; i < d.length; i++) d[i] = (2 * rng.uniform() - 1) * bound;
}

/** What every convolution module shares: checks, parameters and their initialization. */
abstract class ConvBase extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly groups: number;

  constructor(where: string, readonly inChannels: number, readonly outChannels: number, weightShape: number[],
              fanIn: number, biasSize: number, o: { groups?: number; bias?: boolean; dtype?: string } & RandomOptions) {
    super();
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${where}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    if (o.bias !== undefined && typeof o.bias !== "boolean") throw new ValueError(`${where}: bias must be true or false, got ${String(o.bias)}`);
    const rng = rngFrom(o);
    const bound = 1 / Math.sqrt(fanIn);
    const w = zeros(weightShape, { dtype });
    uniformFill(w, bound, rng);
    this.weight = this.registerParameter("weight", w);
    if (o.bias ?? true) {
      const b = zeros([biasSize], { dtype });
      uniformFill(b, bound, rng);
      this.bias = this.registerParameter("bias", b);
    } else this.bias = null;
    this.groups = o.groups ?? 1;
  }
}

function checkChannels(where: string, inChannels: number, outChannels: number, groups: unknown): number {
  positiveInt(where, "inChannels", inChannels);
  positiveInt(where, "outChannels", outChannels);
  const g = positiveInt(where, "groups", groups ?? 1);
  if (inChannels % g !== 0 || outChannels % g !== 0) {
    throw new ValueError(`${where}: groups=${g} must divide both inChannels (${inChannels}) and outChannels (${outChannels})`);
  }
  return g;
}

/** A padding option checked at construction: "same" needs stride 1, numbers must be ≥ 0. */
function checkPadding(where: string, padding: unknown, stride: Pair): Pair | "same" | "valid" {
  if (padding === "same" || padding === "valid") {
    if (padding === "same" && (stride[0] !== 1 || stride[1] !== 1)) throw new ValueError(`${where}: padding "same" needs stride 1, got stride [${stride}]`);
    return padding;
  }
  return pairOf(where, "padding", padding, 0);
}

/** 2-D convolution: [N, inChannels, H, W] → [N, outChannels, outH, outW]; weight [out, in/groups, kH, kW]. */
export class Conv2d extends ConvBase {
  static readonly typeName: string = "Conv2d";
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair | "same" | "valid";
  readonly dilation: Pair;
  /** The zeros added as [top, bottom, left, right] ("same" resolved, its odd extra bottom/right). */
  readonly pads: readonly [number, number, number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, o: ConvLayerOptions = {}) {
    checkOptions("Conv2d", o, COMMON_KEYS);
    const groups = checkChannels("Conv2d", inChannels, outChannels, o.groups);
    const k = pairOf("Conv2d", "kernelSize", kernelSize);
    super("Conv2d", inChannels, outChannels, [outChannels, inChannels / groups, k[0], k[1]], (inChannels / groups) * k[0] * k[1], outChannels, o);
    this.kernelSize = k;
    this.stride = pairOf("Conv2d", "stride", o.stride ?? 1);
    this.dilation = pairOf("Conv2d", "dilation", o.dilation ?? 1);
    this.padding = checkPadding("Conv2d", o.padding ?? 0, this.stride);
    this.pads = resolvePadding("Conv2d", this.padding, k, this.dilation, this.stride);
  }

  forward(x: Tensor): Tensor {
    return this.run(x, false);
  }
  /** max(0, conv2d(x)) as one op, the relu in the kernel's epilogue (for a fused Conv2d→ReLU step). */
  forwardRelu(x: Tensor): Tensor {
    return this.run(x, true);
  }
  private run(x: Tensor, relu: boolean): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, relu });
  }
}

/** A Conv1d size as PyTorch takes it, a number or a one-element array (its 1-tuple). */
function unwrap1(key: string, v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  if (v.length !== 1) throw new ValueError(`Conv1d: ${key} must be an integer or a one-element array of one, got ${JSON.stringify(v)}`);
  return v[0];
}

/** 1-D convolution: [N, inChannels, L] → [N, outChannels, Lout]; weight [out, in/groups, k]. */
export class Conv1d extends ConvBase {
  static readonly typeName: string = "Conv1d";
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | "same" | "valid";
  readonly dilation: number;
  /** The zeros added as [left, right] ("same" resolved, its odd extra on the right). */
  readonly pads: readonly [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Int1, o: Conv1dLayerOptions = {}) {
    checkOptions("Conv1d", o, COMMON_KEYS);
    const groups = checkChannels("Conv1d", inChannels, outChannels, o.groups);
    const k = positiveInt("Conv1d", "kernelSize", unwrap1("kernelSize", kernelSize));
    super("Conv1d", inChannels, outChannels, [outChannels, inChannels / groups, k], (inChannels / groups) * k, outChannels, o);
    this.kernelSize = k;
    this.stride = positiveInt("Conv1d", "stride", unwrap1("stride", o.stride ?? 1));
    this.dilation = positiveInt("Conv1d", "dilation", unwrap1("dilation", o.dilation ?? 1));
    const padding = Array.isArray(o.padding) && o.padding.length === 1 ? o.padding[0] : o.padding;
    // One length to pad: a pair would be read as [height, width] and its first half dropped.
    if (Array.isArray(padding)) throw new ValueError(`Conv1d: padding must be an integer ≥ 0, "same" or "valid", got ${JSON.stringify(o.padding)}`);
    const p = checkPadding("Conv1d", padding ?? 0, [1, this.stride]);
    this.padding = typeof p === "string" ? p : p[1];
    const [, , left, right] = resolvePadding("Conv1d", p, [1, k], [1, this.dilation], [1, this.stride]);
    this.pads = [left, right];
  }

  forward(x: Tensor): Tensor {
    return this.run(x, false);
  }
  forwardRelu(x: Tensor): Tensor {
    return this.run(x, true);
  }
  private run(x: Tensor, relu: boolean): Tensor {
    return conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups, relu });
  }
}

/** Transposed 2-D convolution (the adjoint of Conv2d); weight [in, out/groups, kH, kW]. */
export class ConvTranspose2d extends ConvBase {
  static readonly typeName: string = "ConvTranspose2d";
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly outputPadding: Pair;
  readonly dilation: Pair;

  constructor(inChannels: number, outChannels: number, kernelSize: IntOrPair, o: ConvTranspose2dLayerOptions = {}) {
    checkOptions("ConvTranspose2d", o, [...COMMON_KEYS, "outputPadding"]);
    const groups = checkChannels("ConvTranspose2d", inChannels, outChannels, o.groups);
    const k = pairOf("ConvTranspose2d", "kernelSize", kernelSize);
    // PyTorch's fan-in of this weight layout is its dim 1 times the kernel: out/groups·kH·kW.
    super("ConvTranspose2d", inChannels, outChannels, [inChannels, outChannels / groups, k[0], k[1]],
          (outChannels / groups) * k[0] * k[1], outChannels, o);
    this.kernelSize = k;
    this.stride = pairOf("ConvTranspose2d", "stride", o.stride ?? 1);
    this.padding = pairOf("ConvTranspose2d", "padding", o.padding ?? 0, 0);
    this.outputPadding = pairOf("ConvTranspose2d", "outputPadding", o.outputPadding ?? 0, 0);
    this.dilation = pairOf("ConvTranspose2d", "dilation", o.dilation ?? 1);
    for (const d of [0, 1]) {
      if (this.outputPadding[d] >= this.stride[d] && this.outputPadding[d] >= this.dilation[d]) {
        throw new ValueError(`ConvTranspose2d: outputPadding [${this.outputPadding}] must be smaller than either stride [${this.stride}] or dilation [${this.dilation}]`);
      }
    }
  }

  forward(x: Tensor): Tensor {
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, outputPadding: this.outputPadding, dilation: this.dilation, groups: this.groups,
    });
  }
}

// The fusion pass learns the conv rows when (and only when) the convolutions are loaded.
registerConvFusion(Conv1d, Conv2d);

// The ONNX exporter recognizes ConvTranspose2d through the registry (layer-registry.ts).
registerLayers({ ConvTranspose2d });

// fit may reuse the arrays of a model built of these (src/nn/step-safe.ts).
keepsNoOutputs("Conv2d");
