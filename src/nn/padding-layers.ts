// PyTorch's padding modules over the pad op (ndarray/pad.ts), which holds the arithmetic and
// the backward: ZeroPad2d, ConstantPad1d/2d, ReflectionPad1d/2d and ReplicationPad1d/2d. The
// padding is one integer for every side or a list in PyTorch's order (left, right[, top,
// bottom]); negative amounts crop, as in PyTorch.
import { ShapeError, ValueError } from "../errors.js";
import { pad, Tensor, type PadMode } from "../ndarray/index.js";
import { Module } from "./module.js";
import { registerLayers } from "./layer-registry.js";

/** `padding` as 2·dims integers: a number repeated, or a list of exactly that length. */
function paddingOf(where: string, padding: number | readonly number[], dims: number): number[] {
  const list = typeof padding === "number" ? new Array<number>(2 * dims).fill(padding) : padding;
  if (!Array.isArray(list) || list.length !== 2 * dims || !list.every((p) => Number.isSafeInteger(p))) {
    const order = dims === 1 ? "(left, right)" : "(left, right, top, bottom)";
    throw new ValueError(`${where}: padding must be an integer or ${2 * dims} integers ${order}, got ${JSON.stringify(padding)}`);
  }
  return list.slice();
}

abstract class PadBase extends Module {
  readonly padding: readonly number[];
  /**
   * `ranks`: the input ranks the module takes (PyTorch's reflection and replication kernels take
   * one sample or a batch of them); the constant modes take any rank with the padded dims.
   */
  constructor(private readonly where: string, private readonly dims: number, padding: number | readonly number[],
    readonly mode: PadMode, private readonly ranks: readonly number[] | null) {
    super();
    this.padding = Object.freeze(paddingOf(where, padding, dims));
  }
  protected fill(): number { return 0; }
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new ValueError(`${this.where}: input must be a Tensor`);
    if (this.ranks ? !this.ranks.includes(x.ndim) : x.ndim < this.dims) {
      const want = this.ranks ? `a ${this.ranks.join("-d or ")}-d input` : `an input of at least ${this.dims} dims`;
      throw new ShapeError(`${this.where}: expected ${want}, got shape [${x.shape}]`);
    }
    return pad(x, this.padding, this.mode === "constant" ? { mode: "constant", value: this.fill() } : { mode: this.mode });
  }
}

/** torch.nn.ConstantPad1d(padding, value): pads the last dim with `value`. */
export class ConstantPad1d extends PadBase {
  static readonly typeName: string = "ConstantPad1d";
  constructor(padding: number | readonly number[], readonly value: number) {
    super("ConstantPad1d", 1, padding, "constant", null);
    checkValue("ConstantPad1d", value);
  }
  protected override fill(): number { return this.value; }
}

/** torch.nn.ConstantPad2d(padding, value): pads the last two dims with `value`. */
export class ConstantPad2d extends PadBase {
  static readonly typeName: string = "ConstantPad2d";
  constructor(padding: number | readonly number[], readonly value: number) {
    super("ConstantPad2d", 2, padding, "constant", null);
    checkValue("ConstantPad2d", value);
  }
  protected override fill(): number { return this.value; }
}

function checkValue(where: string, value: unknown): void {
  if (typeof value !== "number") throw new ValueError(`${where}: value must be a number, got ${JSON.stringify(value) ?? String(value)}`);
}

/** torch.nn.ZeroPad2d(padding): pads the last two dims with zeros. */
export class ZeroPad2d extends PadBase {
  static readonly typeName: string = "ZeroPad2d";
  readonly value = 0;
  constructor(padding: number | readonly number[]) { super("ZeroPad2d", 2, padding, "constant", null); }
}

/** torch.nn.ReflectionPad1d(padding) over [C, W] or [N, C, W]: mirrors without repeating the edge. */
export class ReflectionPad1d extends PadBase {
  static readonly typeName: string = "ReflectionPad1d";
  constructor(padding: number | readonly number[]) { super("ReflectionPad1d", 1, padding, "reflect", [2, 3]); }
}

/** torch.nn.ReflectionPad2d(padding) over [C, H, W] or [N, C, H, W]. */
export class ReflectionPad2d extends PadBase {
  static readonly typeName: string = "ReflectionPad2d";
  constructor(padding: number | readonly number[]) { super("ReflectionPad2d", 2, padding, "reflect", [3, 4]); }
}

/** torch.nn.ReplicationPad1d(padding) over [C, W] or [N, C, W]: repeats the edge. */
export class ReplicationPad1d extends PadBase {
  static readonly typeName: string = "ReplicationPad1d";
  constructor(padding: number | readonly number[]) { super("ReplicationPad1d", 1, padding, "replicate", [2, 3]); }
}

/** torch.nn.ReplicationPad2d(padding) over [C, H, W] or [N, C, H, W]. */
export class ReplicationPad2d extends PadBase {
  static readonly typeName: string = "ReplicationPad2d";
  constructor(padding: number | readonly number[]) { super("ReplicationPad2d", 2, padding, "replicate", [3, 4]); }
}

// The ONNX exporter recognizes these through the registry (layer-registry.ts).
registerLayers({ ZeroPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d });
