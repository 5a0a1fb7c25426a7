// Reductions PyTorch has beside sum/mean/max/min: prod, amax/amin, any/all, nansum/nanmean and
// countNonzero, over any dims with keepdims as the core reductions. Each works on the reduced
// dims moved last and copied (one contiguous run per output element, as reduce.ts does), and
// keeps out of the tensor core: a program that never calls them never loads this file.
import { DTypeError } from "../errors.js";
import { noGrad, record } from "./autograd.js";
import { allocate, isFloat, type DType, type TypedArray } from "./dtype.js";
import { where } from "./elementwise.js";
import { max, min, sum, wantsKeepdims, type ReduceOptions } from "./reduce.js";
import { normalizeAxes, sizeOf } from "./shape.js";
import { tensorArg } from "./scan.js";
import { Tensor } from "./tensor.js";

type Dims = number | readonly number[];

/** x's elements with the reduced `axes` moved last: `outer` runs of `r`, and the result's shapes. */
export function runsOf(x: Tensor, axes: number[]) {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...kept, ...axes];
  const outShape = kept.map((i) => x.shape[i]);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const r = sizeOf(axes.map((i) => x.shape[i]));
  return { data: x.detach().permute(order).data, outer: sizeOf(outShape), r, order, outShape, keptShape };
}

/** A tensor of x's shape from data laid out as runsOf's (reduced axes last). */
function fromRuns(data: TypedArray, dtype: DType, x: Tensor, order: number[]): Tensor {
  const inverse = new Array<number>(order.length);
  order.forEach((p, i) => (inverse[p] = i));
  return new Tensor(data, dtype, order.map((i) => x.shape[i])).permute(inverse).contiguous();
}

/** One number per run of `x` over `dims` (all when undefined), by `f(data, base, r)`. */
function reduceRuns(where: string, x: Tensor, dims: Dims | undefined, o: ReduceOptions | undefined, dtype: DType,
                    f: (data: TypedArray, base: number, r: number) => number) {
  tensorArg(where, x);
  const keep = wantsKeepdims(where, o);
  const axes = normalizeAxes(dims, x.ndim, where);
  const runs = runsOf(x, axes);
  const out = allocate(dtype, runs.outer);
  for (let k = 0; k < runs.outer; k++) out[k] = f(runs.data, k * runs.r, runs.r);
  return { y: new Tensor(out, dtype, keep ? runs.keptShape : runs.outShape), runs, axes };
}

/**
 * The product over `dim` (all dims when omitted), as torch.prod; integer and bool inputs give
 * int32, wrapping as int32 does (PyTorch: int64). The gradient of each element is the product of
 * the others in its run (prefix × suffix products), exact with zeros in the run, as PyTorch's.
 */
export function prod(x: Tensor, dim?: Dims, o?: ReduceOptions): Tensor {
  const float = x instanceof Tensor && isFloat(x.dtype);
  const { y, runs } = reduceRuns("prod", x, dim, o, float ? x.dtype : "int32", (d, b, r) => {
    let p = 1;
    for (let i = 0; i < r; i++) p = float ? p * d[b + i] : Math.imul(p, d[b + i]);
    return p;
  });
  if (!float) return y;
  return record(y, "prod", [x], (g) => {
    const gd = g.contiguous().data, { data, r } = runs;
    const out = allocate(x.dtype, data.length);
    for (let k = 0, b = 0; k < runs.outer; k++, b += r) {
      // out[i] = Π_{j<i} x_j first, then times Π_{j>i} x_j from the right.
      let p = 1;
      for (let i = 0; i < r; i++) { out[b + i] = p; p *= data[b + i]; }
      p = gd[k];
      for (let i = r - 1; i >= 0; i--) { out[b + i] *= p; p *= data[b + i]; }
    }
    return [fromRuns(out, x.dtype, x, runs.order)];
  });
}

/**
 * amax/amin: the extreme over dims (all when omitted), its gradient shared evenly between ties.
 * A run holding NaN gives NaN and, as PyTorch's mask (x == NaN: none) over its count (0), a NaN
 * gradient throughout the run (max/min instead give it to the NaNs).
 */
function extremeOf(where: "amax" | "amin", x: Tensor, dim: Dims | undefined, o: ReduceOptions | undefined): Tensor {
  tensorArg(where, x);
  const keepdims = wantsKeepdims(where, o);
  // dim [] is every dim, as PyTorch's default dim=() for amax/amin.
  const axes = normalizeAxes(Array.isArray(dim) && dim.length === 0 ? undefined : dim, x.ndim, where);
  const y = noGrad(() => (where === "amax" ? max : min)(x, axes, { keepdims }));
  if (!isFloat(x.dtype)) return y;
  return record(y, where, [x], (g) => {
    const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const hit = x.eq(y.reshape(kept)).astype(g.dtype);
    return [hit.div(sum(hit, axes, { keepdims: true })).mul(g.reshape(kept))];
  });
}
/** The max over dims (all when omitted), as torch.amax. */
export const amax = (x: Tensor, dim?: Dims, o?: ReduceOptions): Tensor => extremeOf("amax", x, dim, o);
/** The min over dims (all when omitted), as torch.amin. */
export const amin = (x: Tensor, dim?: Dims, o?: ReduceOptions): Tensor => extremeOf("amin", x, dim, o);

/** Whether any element over `dim` is nonzero (NaN counts as nonzero), as torch.any: bool. */
export function any(x: Tensor, dim?: Dims, o?: ReduceOptions): Tensor {
  return reduceRuns("any", x, dim, o, "bool", (d, b, r) => {
    for (let i = 0; i < r; i++) if (d[b + i] !== 0) return 1;
    return 0;
  }).y;
}

/** Whether every element over `dim` is nonzero (NaN counts as nonzero), as torch.all: bool. */
export function all(x: Tensor, dim?: Dims, o?: ReduceOptions): Tensor {
  return reduceRuns("all", x, dim, o, "bool", (d, b, r) => {
    for (let i = 0; i < r; i++) if (d[b + i] === 0) return 0;
    return 1;
  }).y;
}

/** How many elements over `dim` are nonzero, as torch.count_nonzero: int32 (PyTorch: int64); no keepdims, as PyTorch. */
export function countNonzero(x: Tensor, dim?: Dims): Tensor {
  return reduceRuns("countNonzero", x, dim, undefined, "int32", (d, b, r) => {
    let c = 0;
    for (let i = 0; i < r; i++) if (d[b + i] !== 0) c++;
    return c;
  }).y;
}

/**
 * The sum with NaNs counted as 0, as torch.nansum. The gradient is g times the not-NaN mask, as
 * PyTorch's (so an infinite g, nanmean's over an all-NaN run, gives NaN there too).
 */
export function nansum(x: Tensor, dim?: Dims, o?: ReduceOptions): Tensor {
  tensorArg("nansum", x);
  const keepdims = wantsKeepdims("nansum", o);
  const axes = normalizeAxes(dim, x.ndim, "nansum");
  if (!isFloat(x.dtype)) return sum(x, axes, { keepdims });
  const y = noGrad(() => sum(where(x.ne(x), 0, x), axes, { keepdims }));
  return record(y, "nansum", [x], (g) =>
    [g.reshape(x.shape.map((d, i) => (axes.includes(i) ? 1 : d))).mul(x.eq(x).astype(g.dtype))]);
}

/** The mean of the non-NaN elements, as torch.nanmean (NaN where all are NaN); float input only, as PyTorch. */
export function nanmean(x: Tensor, dim?: Dims, o?: ReduceOptions): Tensor {
  tensorArg("nanmean", x);
  if (!isFloat(x.dtype)) throw new DTypeError(`nanmean: expects a float tensor, got ${x.dtype}`);
  const keepdims = wantsKeepdims("nanmean", o);
  const axes = normalizeAxes(dim, x.ndim, "nanmean");
  const count = sum(x.eq(x).astype(x.dtype), axes, { keepdims });
  return nansum(x, axes, { keepdims }).div(count);
}
