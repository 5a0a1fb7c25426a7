// Channel dropout for volumes: F.dropout3d and Dropout3d zero whole channels of [N, C, D, H, W]
// (or an unbatched [C, D, H, W]) with probability p and scale the others by 1/(1−p). Each channel
// volume is one plane of Dropout2d's channel dropout (shape-layers.ts) seen as [N, C, D·H·W, 1],
// so both draw alike: one uniform per channel in order, kept when ≥ p, none drawn for p = 1.
import { probability } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { dropout2d } from "./shape-layers.js";

/** x's channel volumes as the planes of a 4-d [N, C, D·H·W, 1], after checking x. */
function planeShape(where: string, x: Tensor): number[] {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  if (x.ndim !== 4 && x.ndim !== 5) throw new ShapeError(`${where}: expected a 4-d [C, D, H, W] or 5-d [N, C, D, H, W] input, got shape [${x.shape}]`);
  const [N, C] = x.ndim === 5 ? x.shape : [1, x.shape[0]];
  return [N, C, x.shape.slice(-3).reduce((a, b) => a * b, 1), 1];
}

const dropChannels = (x: Tensor, planes: number[], p: number, rng: Rng): Tensor =>
  dropout2d(x.reshape(planes), p, { rng }).reshape(x.shape);

export interface Dropout3dOptions extends RandomOptions {
  /** Off (the identity) when false, as F.dropout3d(training=False). Default true. */
  training?: boolean;
}

/** F.dropout3d: channel-wise inverted dropout of volumes, drawing from { seed }, { rng } or the global generator. */
export function dropout3d(x: Tensor, p = 0.5, o: Dropout3dOptions = {}): Tensor {
  checkOptions("dropout3d", o, ["training", "seed", "rng"]);
  probability("dropout3d", "probability", p);
  if (o.training !== undefined && typeof o.training !== "boolean") throw new ValueError(`dropout3d: training must be true or false, got ${String(o.training)}`);
  const planes = planeShape("dropout3d", x); // a wrong input is refused in eval mode too
  return (o.training ?? true) && p > 0 ? dropChannels(x, planes, p, rngFrom(o)) : x;
}

/** torch.nn.Dropout3d(p, { seed | rng }): zeroes whole channel volumes in training; the identity in eval mode. */
export class Dropout3d extends Module {
  static readonly typeName: string = "Dropout3d";
  /** Its own generator when seeded; otherwise null, and each forward draws from the global one. */
  private readonly rng: Rng | null;
  constructor(readonly p = 0.5, o: RandomOptions = {}) {
    super();
    checkOptions("Dropout3d", o, ["seed", "rng"]);
    probability("Dropout3d", "probability", p);
    this.rng = o.rng || o.seed !== undefined ? rngFrom(o) : null;
  }
  forward(x: Tensor): Tensor {
    const planes = planeShape("Dropout3d", x);
    // rngFrom(undefined) at call time, so a later manualSeed() governs unseeded dropout too.
    return this.training && this.p > 0 ? dropChannels(x, planes, this.p, this.rng ?? rngFrom(undefined)) : x;
  }
}
