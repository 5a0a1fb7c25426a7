// PyTorch's padding modules over the pad op (ndarray/pad.ts), which holds the arithmetic and
// the backward: ZeroPad1d/2d/3d, ConstantPad1d/2d/3d, ReflectionPad1d/2d/3d,
// ReplicationPad1d/2d/3d and CircularPad1d/2d/3d (ZeroPad1d/3d and CircularPad* are PyTorch 2.1's
// modules; 1.13 has only F.pad's circular mode). The padding is one integer for every side or a
// list in PyTorch's order (left, right[, top, bottom[, front, back]]); negative amounts crop, as
// in PyTorch, except in circular mode, which pad.ts refuses them.
import { ShapeError, ValueError } from "../errors.js";
import { pad, Tensor, type PadMode } from "../ndarray/index.js";
import { Module } from "./module.js";
import { registerLayers } from "./layer-registry.js";

/** `padding` as 2·dims integers: a number repeated, or a list of exactly that length. */
function paddingOf(where: string, padding: number | readonly number[], dims: number): number[] {
  const list = typeof padding === "number" ? new Array<number>(2 * dims).fill(padding) : padding;
  if (!Array.isArray(list) || list.length !== 2 * dims || !list.every((p) => Number.isSafeInteger(p))) {
    const order = ["(left, right)", "(left, right, top, bottom)", "(left, right, top, bottom, front, back)"][dims - 1];
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
    // pad.ts's circular mode cannot crop (PyTorch 1.13's reads outside its input there).
    if (mode === "circular" && this.padding.some((p) => p < 0)) {
      throw new ValueError(`${where}: padding must be non-negative in circular mode, got ${JSON.stringify(padding)}`);
    }
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

/** torch.nn.ConstantPad3d(padding, value): pads the last three dims with `value`. */
export class ConstantPad3d extends PadBase {
  static readonly typeName: string = "ConstantPad3d";
  constructor(padding: number | readonly number[], readonly value: number) {
    super("ConstantPad3d", 3, padding, "constant", null);
    checkValue("ConstantPad3d", value);
  }
  protected override fill(): number { return this.value; }
}

function checkValue(where: string, value: unknown): void {
  if (typeof value !== "number") throw new ValueError(`${where}: value must be a number, got ${JSON.stringify(value) ?? String(value)}`);
}

/** torch.nn.ZeroPad1d(padding) (PyTorch 2.1): pads the last dim with zeros. */
export class ZeroPad1d extends PadBase {
  static readonly typeName: string = "ZeroPad1d";
  readonly value = 0;
  constructor(padding: number | readonly number[]) { super("ZeroPad1d", 1, padding, "constant", null); }
}

/** torch.nn.ZeroPad2d(padding): pads the last two dims with zeros. */
export class ZeroPad2d extends PadBase {
  static readonly typeName: string = "ZeroPad2d";
  readonly value = 0;
  constructor(padding: number | readonly number[]) { super("ZeroPad2d", 2, padding, "constant", null); }
}

/** torch.nn.ZeroPad3d(padding) (PyTorch 2.1): pads the last three dims with zeros. */
export class ZeroPad3d extends PadBase {
  static readonly typeName: string = "ZeroPad3d";
  readonly value = 0;
  constructor(padding: number | readonly number[]) { super("ZeroPad3d", 3, padding, "constant", null); }
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

/** torch.nn.ReflectionPad3d(padding) over [C, D, H, W] or [N, C, D, H, W]. */
export class ReflectionPad3d extends PadBase {
  static readonly typeName: string = "ReflectionPad3d";
  constructor(padding: number | readonly number[]) { super("ReflectionPad3d", 3, padding, "reflect", [4, 5]); }
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

/** torch.nn.ReplicationPad3d(padding) over [C, D, H, W] or [N, C, D, H, W]. */
export class ReplicationPad3d extends PadBase {
  static readonly typeName: string = "ReplicationPad3d";
  constructor(padding: number | readonly number[]) { super("ReplicationPad3d", 3, padding, "replicate", [4, 5]); }
}

/** torch.nn.CircularPad1d(padding) (PyTorch 2.1) over [C, W] or [N, C, W]: wraps around; amounts 0 to the size. */
export class CircularPad1d extends PadBase {
  static readonly typeName: string = "CircularPad1d";
  constructor(padding: number | readonly number[]) { super("CircularPad1d", 1, padding, "circular", [2, 3]); }
}

/** torch.nn.CircularPad2d(padding) (PyTorch 2.1) over [C, H, W] or [N, C, H, W]. */
export class CircularPad2d extends PadBase {
  static readonly typeName: string = "CircularPad2d";
  constructor(padding: number | readonly number[]) { super("CircularPad2d", 2, padding, "circular", [3, 4]); }
}

/** torch.nn.CircularPad3d(padding) (PyTorch 2.1) over [C, D, H, W] or [N, C, D, H, W]. */
export class CircularPad3d extends PadBase {
  static readonly typeName: string = "CircularPad3d";
  constructor(padding: number | readonly number[]) { super("CircularPad3d", 3, padding, "circular", [4, 5]); }
}

// The ONNX exporter recognizes these through the registry (layer-registry.ts).
registerLayers({
  ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
  ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d,
});
