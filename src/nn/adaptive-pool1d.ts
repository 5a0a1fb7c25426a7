// F.adaptive_avg_pool1d / F.adaptive_max_pool1d and their modules: the 2-D adaptive pools over
// [N, C, 1, L] (a window of height 1), so the windows, the first-maximum rule on ties and the
// backward are the 2-D ones; max indices index L, as in PyTorch.
import { ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { checkFlag, poolInput } from "./pool-geometry.js";
import { adaptiveAvgPool2d, adaptiveMaxPool2d } from "./pooling.js";

/** A 1-D adaptive pool's output length: a number, a one-element array, or null (the input's). */
export type AdaptiveSize1d = number | null | readonly [number | null];

function outputLength(where: string, outputSize: AdaptiveSize1d): number | null {
  const n = Array.isArray(outputSize) && outputSize.length === 1 ? outputSize[0] : outputSize;
  if (n !== null && !(typeof n === "number" && Number.isSafeInteger(n) && n >= 1)) {
    throw new ValueError(`${where}: outputSize must be a positive integer, a one-element array of one or null, got ${JSON.stringify(outputSize)}`);
  }
  return n as number | null;
}

/** x [N, C, L] or [C, L] as a 2-D pool input with height 1, checked under the 1-D op's name. */
function asRows(where: string, x: Tensor): Tensor {
  poolInput(where, x, 1);
  return x.unsqueeze(x.ndim - 1);
}

/** F.adaptive_avg_pool1d: window o spans ⌊o·L/n⌋ .. ⌈(o+1)·L/n⌉. */
export function adaptiveAvgPool1d(x: Tensor, outputSize: AdaptiveSize1d): Tensor {
  const n = outputLength("adaptiveAvgPool1d", outputSize);
  const rows = asRows("adaptiveAvgPool1d", x);
  return adaptiveAvgPool2d(rows, [1, n]).squeeze(rows.ndim - 2);
}

/** F.adaptive_max_pool1d; with { returnIndices: true }, [output, indices] (indices into L). */
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize1d, o?: { returnIndices?: false }): Tensor;
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize1d, o: { returnIndices: true }): [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize1d, o: { returnIndices?: boolean }): Tensor | [Tensor, Tensor];
export function adaptiveMaxPool1d(x: Tensor, outputSize: AdaptiveSize1d, o: { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  checkOptions("adaptiveMaxPool1d", o, ["returnIndices"]);
  const withIndices = checkFlag("adaptiveMaxPool1d", "returnIndices", o.returnIndices, false);
  const n = outputLength("adaptiveMaxPool1d", outputSize);
  const rows = asRows("adaptiveMaxPool1d", x), axis = rows.ndim - 2;
  if (!withIndices) return adaptiveMaxPool2d(rows, [1, n]).squeeze(axis);
  const [y, indices] = adaptiveMaxPool2d(rows, [1, n], { returnIndices: true });
  return [y.squeeze(axis), indices.squeeze(axis)];
}

/** torch.nn.AdaptiveAvgPool1d over [N, C, L] or [C, L]. */
export class AdaptiveAvgPool1d extends Module {
  static readonly typeName: string = "AdaptiveAvgPool1d";
  readonly outputSize: number | null;
  constructor(outputSize: AdaptiveSize1d) {
    super();
    this.outputSize = outputLength("AdaptiveAvgPool1d", outputSize);
  }
  forward(x: Tensor): Tensor { return adaptiveAvgPool1d(x, this.outputSize); }
}

/** torch.nn.AdaptiveMaxPool1d; forward gives [output, indices] when built with { returnIndices: true }. */
export class AdaptiveMaxPool1d<R extends boolean = false> extends Module {
  static readonly typeName: string = "AdaptiveMaxPool1d";
  readonly outputSize: number | null;
  readonly returnIndices: boolean;
  constructor(outputSize: AdaptiveSize1d, o: { returnIndices?: R } = {}) {
    super();
    checkOptions("AdaptiveMaxPool1d", o, ["returnIndices"]);
    this.outputSize = outputLength("AdaptiveMaxPool1d", outputSize);
    this.returnIndices = checkFlag("AdaptiveMaxPool1d", "returnIndices", o.returnIndices, false);
  }
  forward(x: Tensor): R extends true ? [Tensor, Tensor] : Tensor {
    return adaptiveMaxPool1d(x, this.outputSize, { returnIndices: this.returnIndices }) as R extends true ? [Tensor, Tensor] : Tensor;
  }
}
