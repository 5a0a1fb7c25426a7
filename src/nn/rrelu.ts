// Randomized leaky ReLU (Xu et al. 2015): F.rrelu and RReLU, as PyTorch 1.13. In training each
// element x ≤ 0 gets its own slope drawn uniformly from [lower, upper] (one draw per such element,
// in order, none for x > 0, as PyTorch's CPU loop), x > 0 passes; in eval mode (F.rrelu's default,
// training: false) every slope is (lower + upper)/2, a leaky ReLU. The backward multiplies by the
// slope each element used (1 for x > 0).
import { DTypeError, ValueError } from "../errors.js";
import { record, rngFrom, Tensor, type FloatArray, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { finiteNumber } from "./functional.js";
import { Module } from "./module.js";

export interface RReLUOptions extends RandomOptions {
  /** Smallest slope drawn (default 1/8). */
  lower?: number;
  /** Largest slope drawn (default 1/3); at least lower. */
  upper?: number;
}
export interface RreluOptions extends RReLUOptions {
  /** Draw the slopes (true) or use their mean (false, the default, as F.rrelu's training=False). */
  training?: boolean;
}

function bounds(where: string, o: RReLUOptions): [number, number] {
  const lower = finiteNumber(where, "lower", o.lower ?? 1 / 8), upper = finiteNumber(where, "upper", o.upper ?? 1 / 3);
  if (lower > upper) throw new ValueError(`${where}: lower (${lower}) must be at most upper (${upper})`);
  return [lower, upper];
}

function floatInput(where: string, x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  return x;
}

/** x·slope where x ≤ 0 (the slopes drawn by rng, or all their mean without one), x elsewhere. */
function randomizedLeaky(x: Tensor, lower: number, upper: number, rng: Rng | null): Tensor {
  const xd = x.data, n = xd.length;
  const alloc = (): FloatArray => (x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  // Slopes in the input's dtype, so a float32 product is rounded as PyTorch's float32 one.
  const slope = alloc(), y = alloc(), mean = (lower + upper) / 2;
  for (let i = 0; i < n; i++) {
    if (rng) slope[i] = xd[i] <= 0 ? lower + (upper - lower) * rng.uniform() : 1;
    else slope[i] = xd[i] > 0 ? 1 : mean;
    y[i] = xd[i] * slope[i];
  }
  return record(new Tensor(y, x.dtype, x.shape.slice()), "rrelu", [x], (g) => {
    const gd = g.data, gx = alloc();
    for (let i = 0; i < n; i++) gx[i] = gd[i] * slope[i];
    return [new Tensor(gx, x.dtype, x.shape.slice())];
  });
}

/** F.rrelu(x, { lower: 1/8, upper: 1/3, training: false, seed | rng }). */
export function rrelu(x: Tensor, o: RreluOptions = {}): Tensor {
  checkOptions("rrelu", o, ["lower", "upper", "training", "seed", "rng"]);
  const [lower, upper] = bounds("rrelu", o);
  if (o.training !== undefined && typeof o.training !== "boolean") throw new ValueError(`rrelu: training must be true or false, got ${String(o.training)}`);
  floatInput("rrelu", x);
  if (!o.training && (o.seed !== undefined || o.rng !== undefined)) {
    throw new ValueError("rrelu: seed and rng draw the slopes in training only; give training: true or neither");
  }
  return randomizedLeaky(x, lower, upper, o.training ? rngFrom(o) : null);
}

/** torch.nn.RReLU({ lower, upper, seed | rng }): drawn slopes in training, their mean in eval mode. */
export class RReLU extends Module {
  static readonly typeName: string = "RReLU";
  readonly lower: number;
  readonly upper: number;
  /** Its own generator when seeded; otherwise null, and each forward draws from the global one. */
  private readonly rng: Rng | null;
  constructor(o: RReLUOptions = {}) {
    super();
    checkOptions("RReLU", o, ["lower", "upper", "seed", "rng"]);
    [this.lower, this.upper] = bounds("RReLU", o);
    this.rng = o.rng || o.seed !== undefined ? rngFrom(o) : null;
  }
  forward(x: Tensor): Tensor {
    floatInput("RReLU", x);
    // rngFrom(undefined) at call time, so a later manualSeed() governs an unseeded module too.
    return randomizedLeaky(x, this.lower, this.upper, this.training ? this.rng ?? rngFrom(undefined) : null);
  }
}
