// F.unfold (im2col) and F.fold (col2im) of 2-d images, as PyTorch 1.13: unfold copies every
// sliding block of [N, C, H, W] into a column of [N, C·kh·kw, L]; fold is its adjoint, summing the
// columns back into an image where blocks overlap. Each is the other's backward, so one pair of
// loops serves both directions and both dtypes. Unbatched inputs ([C, H, W], [C·kh·kw, L]) work too.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { allocate } from "../ndarray/dtype.js";
import { checkOptions } from "../options.js";

/** An int or one per spatial dim (height, width), as PyTorch's _pair. */
export type Pair = number | readonly [number, number];

export interface FoldOptions {
  /** Spacing of the kernel's taps (default 1). */
  dilation?: Pair;
  /** Implicit zeros on both sides of each spatial dim (default 0). */
  padding?: Pair;
  /** Step between blocks (default 1). */
  stride?: Pair;
}

export interface Geometry { k: number[]; d: number[]; p: number[]; s: number[] }

export function pair(fn: string, key: string, v: unknown, min: number): [number, number] {
  const two = typeof v === "number" ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
  if (two === null || !two.every((n) => Number.isInteger(n) && n >= min)) {
    throw new ValueError(`${fn}: ${key} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [two[0], two[1]];
}

/** The options checked and each made a pair (the Unfold and Fold modules check theirs when made). */
export function geometry(fn: string, kernelSize: Pair, o: FoldOptions): Geometry {
  checkOptions(fn, o, ["dilation", "padding", "stride"]);
  return {
    k: pair(fn, "kernelSize", kernelSize, 1), d: pair(fn, "dilation", o.dilation ?? 1, 1),
    p: pair(fn, "padding", o.padding ?? 0, 0), s: pair(fn, "stride", o.stride ?? 1, 1),
  };
}

function floatTensor(fn: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${fn}: input must be a Tensor, got ${Object.prototype.toString.call(x)}`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${fn}: input must be float32 or float64, got ${x.dtype}`);
  return x;
}

/** Blocks along each spatial dim of an [H, W] image; a ShapeError (PyTorch's words) when one has none. */
function blocks(fn: string, hw: readonly number[], g: Geometry): [number, number] {
  const n = [0, 1].map((i) => Math.floor((hw[i] + 2 * g.p[i] - g.d[i] * (g.k[i] - 1) - 1) / g.s[i]) + 1);
  if (n[0] < 1 || n[1] < 1) {
    throw new ShapeError(`${fn}: spatial size [${hw}] with kernelSize [${g.k}], dilation [${g.d}], padding [${g.p}], stride [${g.s}] has [${n}] sliding blocks; each must be at least 1`);
  }
  return [n[0], n[1]];
}

/**
 * The one loop of both directions: for every image element a block tap reads, toCols copies
 * image → columns, otherwise columns are summed into the image (zero-initialized).
 */
function im2col(img: Tensor["storage"], cols: Tensor["storage"], batch: number, c: number, hw: readonly number[],
                g: Geometry, nb: readonly number[], toCols: boolean): void {
  const [H, W] = hw, [kh, kw] = g.k, L = nb[0] * nb[1];
  for (let b = 0; b < batch * c; b++) {
    const ib = b * H * W;
    for (let ki = 0; ki < kh; ki++) for (let kj = 0; kj < kw; kj++) {
      const cb = (b * kh * kw + ki * kw + kj) * L;
      for (let oi = 0; oi < nb[0]; oi++) {
        const h = oi * g.s[0] - g.p[0] + ki * g.d[0];
        if (h < 0 || h >= H) continue;
        for (let oj = 0; oj < nb[1]; oj++) {
          const w = oj * g.s[1] - g.p[1] + kj * g.d[1];
          if (w < 0 || w >= W) continue;
          if (toCols) cols[cb + oi * nb[1] + oj] = img[ib + h * W + w];
          else img[ib + h * W + w] += cols[cb + oi * nb[1] + oj];
        }
      }
    }
  }
}

/**
 * F.unfold: the sliding kernelSize blocks of x [N, C, H, W] (or [C, H, W]) as columns,
 * [N, C·kh·kw, L] (or [C·kh·kw, L]), L = the number of blocks; rows run over (channel, kernel row,
 * kernel column), columns over block positions row by row. Taps in the padding read 0.
 */
export function unfold(x: Tensor, kernelSize: Pair, o: FoldOptions = {}): Tensor {
  const fn = "unfold";
  floatTensor(fn, x);
  const g = geometry(fn, kernelSize, o);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError(`${fn}: input must be [N, C, H, W] or [C, H, W], got shape [${x.shape}]`);
  const batched = x.ndim === 4, n = batched ? x.shape[0] : 1, c = x.shape[x.ndim - 3], hw = x.shape.slice(-2);
  const nb = blocks(fn, hw, g), rows = c * g.k[0] * g.k[1], L = nb[0] * nb[1];
  const cols = allocate(x.dtype, n * rows * L);
  im2col(x.data, cols, n, c, hw, g, nb, true);
  const y = new Tensor(cols, x.dtype, batched ? [n, rows, L] : [rows, L]);
  return record(y, "unfold2d", [x], (grad) => {
    const img = allocate(grad.dtype, x.size);
    im2col(img, grad.data, n, c, hw, g, nb, false);
    return [new Tensor(img, grad.dtype, x.shape.slice())];
  });
}

/**
 * F.fold: columns x [N, C·kh·kw, L] (or [C·kh·kw, L]) summed into an image [N, C, *outputSize]
 * (or [C, *outputSize]), overlapping blocks adding up; the adjoint of unfold, so fold(unfold(x))
 * is x times how many blocks hold each pixel. L must be the block count of outputSize.
 */
export function fold(x: Tensor, outputSize: Pair, kernelSize: Pair, o: FoldOptions = {}): Tensor {
  const fn = "fold";
  floatTensor(fn, x);
  const hw = pair(fn, "outputSize", outputSize, 1);
  const g = geometry(fn, kernelSize, o);
  if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${fn}: input must be [N, C·kh·kw, L] or [C·kh·kw, L], got shape [${x.shape}]`);
  const batched = x.ndim === 3, n = batched ? x.shape[0] : 1, rows = x.shape[x.ndim - 2], kk = g.k[0] * g.k[1];
  if (rows % kk !== 0) throw new ShapeError(`${fn}: input's dim ${x.ndim - 2} (size ${rows}) must be divisible by the kernel's ${kk} taps (kernelSize [${g.k}])`);
  const nb = blocks(fn, hw, g), L = nb[0] * nb[1], c = rows / kk;
  if (x.shape[x.ndim - 1] !== L) {
    throw new ShapeError(`${fn}: input's last dim is ${x.shape[x.ndim - 1]}, but outputSize [${hw}] with kernelSize [${g.k}], dilation [${g.d}], padding [${g.p}], stride [${g.s}] has ${L} blocks`);
  }
  const img = allocate(x.dtype, n * c * hw[0] * hw[1]);
  im2col(img, x.data, n, c, hw, g, nb, false);
  const y = new Tensor(img, x.dtype, batched ? [n, c, ...hw] : [c, ...hw]);
  return record(y, "fold2d", [x], (grad) => {
    const cols = allocate(grad.dtype, x.size);
    im2col(grad.data, cols, n, c, hw, g, nb, true);
    return [new Tensor(cols, grad.dtype, x.shape.slice())];
  });
}
