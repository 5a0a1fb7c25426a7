// torch.nn.Unfold and torch.nn.Fold: the module forms of F.unfold (im2col) and F.fold (col2im)
// in fold.ts, which hold the loops and each other's backward. The sizes are checked when the
// module is made (PyTorch checks them at the first forward) and kept as given, number or pair.
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { fold, geometry, pair, unfold, type FoldOptions, type Pair } from "./fold.js";
import { Module } from "./module.js";

function tensorArg(where: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor, got ${Object.prototype.toString.call(x)}`);
  return x;
}

/** A size as given (number or pair), a pair copied so that later edits of the caller's array do not reach the module. */
const kept = (v: Pair): Pair => (typeof v === "number" ? v : Object.freeze([v[0], v[1]] as const));

/** torch.nn.Unfold(kernelSize, { dilation, padding, stride }): [N, C, H, W] → [N, C·kh·kw, L]. */
export class Unfold extends Module {
  static readonly typeName: string = "Unfold";
  readonly dilation: Pair;
  readonly padding: Pair;
  readonly stride: Pair;
  readonly kernelSize: Pair;
  constructor(kernelSize: Pair, o: FoldOptions = {}) {
    super();
    geometry("Unfold", kernelSize, o);
    this.kernelSize = kept(kernelSize);
    this.dilation = kept(o.dilation ?? 1);
    this.padding = kept(o.padding ?? 0);
    this.stride = kept(o.stride ?? 1);
  }
  forward(x: Tensor): Tensor {
    return unfold(tensorArg("Unfold", x), this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }
}

/** torch.nn.Fold(outputSize, kernelSize, { dilation, padding, stride }): [N, C·kh·kw, L] → [N, C, *outputSize]. */
export class Fold extends Module {
  static readonly typeName: string = "Fold";
  readonly dilation: Pair;
  readonly padding: Pair;
  readonly stride: Pair;
  readonly outputSize: Pair;
  readonly kernelSize: Pair;
  constructor(outputSize: Pair, kernelSize: Pair, o: FoldOptions = {}) {
    super();
    pair("Fold", "outputSize", outputSize, 1);
    geometry("Fold", kernelSize, o);
    this.outputSize = kept(outputSize);
    this.kernelSize = kept(kernelSize);
    this.dilation = kept(o.dilation ?? 1);
    this.padding = kept(o.padding ?? 0);
    this.stride = kept(o.stride ?? 1);
  }
  forward(x: Tensor): Tensor {
    return fold(tensorArg("Fold", x), this.outputSize, this.kernelSize, { dilation: this.dilation, padding: this.padding, stride: this.stride });
  }
}
