// Pure rearrangements of a tensor's elements: F.pixel_shuffle / PixelShuffle (depth to space),
// F.pixel_unshuffle / PixelUnshuffle (space to depth), F.channel_shuffle / ChannelShuffle and
// Unflatten. Each is a reshape, a
// permute and a reshape, so autograd comes from those views and any dtype works (the values
// are moved, never computed).
import { positiveInt } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { Module } from "./module.js";
import { registerLayers } from "./layer-registry.js";

function checkInput(where: string, x: Tensor): void {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (x.ndim < 3) throw new ShapeError(`${where}: expected an input of at least 3 dims [*, C, H, W], got shape [${x.shape}]`);
}

/**
 * F.pixel_shuffle: [*, C·r², H, W] → [*, C, H·r, W·r], output (c, h·r + i, w·r + j) taken from
 * input channel c·r² + i·r + j at (h, w).
 */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const where = "pixelShuffle";
  checkInput(where, x);
  const r = positiveInt(where, "upscaleFactor", upscaleFactor);
  const lead = x.shape.slice(0, -3), [Cr, H, W] = x.shape.slice(-3), b = lead.length;
  if (Cr % (r * r) !== 0) throw new ShapeError(`${where}: the channel dim (size ${Cr}) of input shape [${x.shape}] must be divisible by upscaleFactor² = ${r * r}`);
  const C = Cr / (r * r);
  const lanes = lead.map((_, i) => i);
  return x.reshape([...lead, C, r, r, H, W]).permute([...lanes, b, b + 3, b + 1, b + 4, b + 2]).reshape([...lead, C, H * r, W * r]);
}

/** F.pixel_unshuffle, pixelShuffle's inverse: [*, C, H·r, W·r] → [*, C·r², H, W]. */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const where = "pixelUnshuffle";
  checkInput(where, x);
  const r = positiveInt(where, "downscaleFactor", downscaleFactor);
  const lead = x.shape.slice(0, -3), [C, Hr, Wr] = x.shape.slice(-3), b = lead.length;
  if (Hr % r !== 0 || Wr % r !== 0) throw new ShapeError(`${where}: height and width of input shape [${x.shape}] must be divisible by downscaleFactor ${r}`);
  const H = Hr / r, W = Wr / r;
  const lanes = lead.map((_, i) => i);
  return x.reshape([...lead, C, H, r, W, r]).permute([...lanes, b, b + 2, b + 4, b + 1, b + 3]).reshape([...lead, C * r * r, H, W]);
}

/** torch.nn.PixelShuffle(upscaleFactor). */
export class PixelShuffle extends Module {
  static readonly typeName: string = "PixelShuffle";
  constructor(readonly upscaleFactor: number) {
    super();
    positiveInt("PixelShuffle", "upscaleFactor", upscaleFactor);
  }
  forward(x: Tensor): Tensor { return pixelShuffle(x, this.upscaleFactor); }
}

/** torch.nn.PixelUnshuffle(downscaleFactor). */
export class PixelUnshuffle extends Module {
  static readonly typeName: string = "PixelUnshuffle";
  constructor(readonly downscaleFactor: number) {
    super();
    positiveInt("PixelUnshuffle", "downscaleFactor", downscaleFactor);
  }
  forward(x: Tensor): Tensor { return pixelUnshuffle(x, this.downscaleFactor); }
}

/**
 * F.channel_shuffle (ShuffleNet): the C channels of [N, C, *] in `groups` groups of C/groups,
 * interleaved: output channel k·groups + i is input channel i·(C/groups) + k. PyTorch 1.13 has
 * no derivative for it; here it is a view's, so gradients flow back through the same permutation.
 */
export function channelShuffle(x: Tensor, groups: number): Tensor {
  const where = "channelShuffle";
  const g = positiveInt(where, "groups", groups);
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (x.ndim < 3) throw new ShapeError(`${where}: expected an input of more than 2 dims [N, C, *], got shape [${x.shape}]`);
  const [N, C] = x.shape, rest = x.shape.slice(2);
  if (C % g !== 0) throw new ShapeError(`${where}: the channel dim (size ${C}) of input shape [${x.shape}] must be divisible by groups ${g}`);
  const axes = x.shape.map((_, i) => (i < 2 ? i : i + 1));
  return x.reshape([N, g, C / g, ...rest]).permute([0, 2, 1, ...axes.slice(2)]).reshape(x.shape.slice());
}

/** torch.nn.ChannelShuffle(groups). */
export class ChannelShuffle extends Module {
  static readonly typeName: string = "ChannelShuffle";
  constructor(readonly groups: number) {
    super();
    positiveInt("ChannelShuffle", "groups", groups);
  }
  forward(x: Tensor): Tensor { return channelShuffle(x, this.groups); }
}

/**
 * torch.nn.Unflatten(dim, unflattenedSize): dim `dim` becomes the dims `unflattenedSize`, one of
 * which may be −1 (inferred), whose product must be that dim's size.
 */
export class Unflatten extends Module {
  static readonly typeName: string = "Unflatten";
  readonly unflattenedSize: readonly number[];
  constructor(readonly dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Number.isSafeInteger(dim)) throw new ValueError(`Unflatten: dim must be an integer, got ${JSON.stringify(dim)}`);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0 || !unflattenedSize.every((d) => Number.isSafeInteger(d) && d >= -1)) {
      throw new ValueError(`Unflatten: unflattenedSize must be a non-empty list of sizes (integers ≥ 0, or −1 once), got ${JSON.stringify(unflattenedSize)}`);
    }
    if (unflattenedSize.filter((d) => d === -1).length > 1) throw new ValueError(`Unflatten: only one size can be −1 (inferred), got [${unflattenedSize}]`);
    this.unflattenedSize = Object.freeze(unflattenedSize.slice());
  }
  forward(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new ValueError("Unflatten: input must be a Tensor");
    const n = x.ndim, d = this.dim < 0 ? this.dim + n : this.dim;
    if (d < 0 || d >= n) throw new ValueError(`Unflatten: dim ${this.dim} is out of range for a ${n}-d input`);
    const sizes = this.unflattenedSize.slice(), size = x.shape[d];
    const unknown = sizes.indexOf(-1), known = sizes.reduce((a, s) => (s === -1 ? a : a * s), 1);
    if (unknown >= 0) {
      // As PyTorch: −1 next to a zero size could be anything.
      if (known === 0 || size % known !== 0) throw new ShapeError(`Unflatten: sizes [${sizes}] cannot unflatten dim ${this.dim} of size ${size} (input shape [${x.shape}])`);
      sizes[unknown] = size / known;
    } else if (known !== size) {
      throw new ShapeError(`Unflatten: sizes [${sizes}] do not multiply up to the size ${size} of dim ${this.dim} (input shape [${x.shape}])`);
    }
    return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }
}

// The ONNX exporter recognizes these through the registry (layer-registry.ts).
registerLayers({ PixelShuffle, PixelUnshuffle, Unflatten });
