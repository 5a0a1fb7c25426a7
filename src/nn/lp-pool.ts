// F.lp_pool1d / F.lp_pool2d and nn.LPPool1d / nn.LPPool2d: the power-average pool
// (Σ_window x^p)^(1/p), composed as PyTorch 1.13 composes it — avg pool of x^p (no padding,
// ceilMode's partial windows divided by their clipped size), sign(out)·relu(|out|), times the
// kernel's size, to the power 1/p — so values and gradients follow from those ops' own.
import { DTypeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { checkFlag, perDim } from "./pool-geometry.js";
import { avgPool1d, avgPool2d } from "./pooling.js";

export interface LpPoolOptions {
  /** Window step; default the kernel size. */
  stride?: number | readonly number[] | null;
  /** Keep the partial windows at the end (default false). */
  ceilMode?: boolean;
}

function checkNormType(where: string, p: unknown): number {
  if (typeof p !== "number" || !Number.isFinite(p) || p <= 0) throw new ValueError(`${where}: normType must be a finite number > 0, got ${String(p)}`);
  return p;
}

interface Resolved { p: number; kernel: number[]; stride: number[]; ceilMode: boolean }

function resolve(where: string, dims: number, normType: unknown, kernelSize: unknown, o: LpPoolOptions): Resolved {
  checkOptions(where, o, ["stride", "ceilMode"]);
  const kernel = perDim(where, "kernelSize", kernelSize as number, dims, 1);
  const stride = o.stride === undefined || o.stride === null ? kernel : perDim(where, "stride", o.stride, dims, 1);
  return { p: checkNormType(where, normType), kernel, stride, ceilMode: checkFlag(where, "ceilMode", o.ceilMode, false) };
}

function lpPool(where: string, x: Tensor, r: Resolved): Tensor {
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  const o = { stride: r.stride, ceilMode: r.ceilMode };
  const powered = x.pow(r.p);
  const out = r.kernel.length === 1 ? avgPool1d(powered, r.kernel, o) : avgPool2d(powered, r.kernel, o);
  const size = r.kernel.reduce((a, b) => a * b, 1);
  return out.sign().mul(out.abs().relu()).mul(size).pow(1 / r.p);
}

/** F.lp_pool1d over [N, C, L] or [C, L]. */
export function lpPool1d(x: Tensor, normType: number, kernelSize: number | readonly number[], o: LpPoolOptions = {}): Tensor {
  return lpPool("lpPool1d", x, resolve("lpPool1d", 1, normType, kernelSize, o));
}

/** F.lp_pool2d over [N, C, H, W] or [C, H, W]. */
export function lpPool2d(x: Tensor, normType: number, kernelSize: number | readonly number[], o: LpPoolOptions = {}): Tensor {
  return lpPool("lpPool2d", x, resolve("lpPool2d", 2, normType, kernelSize, o));
}

abstract class LpPoolNd extends Module {
  readonly normType: number;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly ceilMode: boolean;
  private readonly where: string;
  constructor(where: string, dims: number, normType: number, kernelSize: number | readonly number[], o: LpPoolOptions) {
    super();
    this.where = where;
    ({ p: this.normType, kernel: this.kernelSize, stride: this.stride, ceilMode: this.ceilMode } = resolve(where, dims, normType, kernelSize, o));
  }
  forward(x: Tensor): Tensor {
    return lpPool(this.where, x, { p: this.normType, kernel: this.kernelSize, stride: this.stride, ceilMode: this.ceilMode });
  }
}

/** torch.nn.LPPool1d(normType, kernelSize, { stride, ceilMode }). */
export class LPPool1d extends LpPoolNd {
  static readonly typeName: string = "LPPool1d";
  constructor(normType: number, kernelSize: number | readonly number[], o: LpPoolOptions = {}) {
    super("LPPool1d", 1, normType, kernelSize, o);
  }
}

/** torch.nn.LPPool2d(normType, kernelSize, { stride, ceilMode }). */
export class LPPool2d extends LpPoolNd {
  static readonly typeName: string = "LPPool2d";
  constructor(normType: number, kernelSize: number | readonly number[], o: LpPoolOptions = {}) {
    super("LPPool2d", 2, normType, kernelSize, o);
  }
}
