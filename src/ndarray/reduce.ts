import { ValueError } from "../errors.js";
import { boolean } from "../checks.js";
import { checkOptions } from "../options.js";
import { noGrad, record } from "./autograd.js";
import { where } from "./elementwise.js";
import { allocate, isFloat, type DType } from "./dtype.js";
import { normalizeAxes, normalizeAxis, sameShape, sizeOf, type Shape } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface ReduceOptions {
  /** Keep reduced dims as size 1 (so the result broadcasts against the input). */
  keepdims?: boolean;
  /** PyTorch's name for keepdims; either may be given (they must agree if both are). */
  keepdim?: boolean;
}
export interface VarOptions extends ReduceOptions {
  /** Subtracted from the count in the divisor: 1 (PyTorch's default) is the unbiased estimate. */
  correction?: number;
}

/** What reduceRaw computes over each run of reduced elements. */
type ReductionKind = "sum" | "max" | "min" | "argmax" | "argmin";

/** How many elements of x each result over `axes` reduces. */
const countOf = (x: Tensor, axes: number[]) => sizeOf(axes.map((i) => x.shape[i]));

/**
 * Reduces `x` over sorted `axes`. The reduced axes are moved last (a view), so every output
 * element reduces one contiguous run of the copied data; summing over leading axes of a
 * contiguous tensor (the bias gradient) skips that copy.
 */
function reduceRaw(x: Tensor, axes: number[], kind: ReductionKind): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = kept.map((i) => x.shape[i]);
  const outer = sizeOf(outShape);
  const r = countOf(x, axes);
  const dtype: DType = kind === "argmax" || kind === "argmin" ? "int32"
    : kind === "sum" && !isFloat(x.dtype) ? "int32" : x.dtype;
  const out = allocate(dtype, outer);
  if (r === 0) {
    if (kind !== "sum") throw new ValueError(`${kind}: cannot reduce an empty dimension (shape [${x.shape}])`);
    return new Tensor(out, dtype, outShape);
  }
  const leading = axes.every((a, i) => a === i);
  if (kind === "sum" && leading && x.isContiguous) {
    const acc = new Float64Array(outer);
    const s = x.storage;
    for (let i = 0; i < r; i++) {
      const base = x.offset + i * outer;
      for (let j = 0; j < outer; j++) acc[j] += s[base + j];
    }
    out.set(acc);
    return new Tensor(out, dtype, outShape);
  }
  const data = x.detach().permute([...kept, ...axes]).data;
  for (let o = 0; o < outer; o++) {
    const base = o * r;
    switch (kind) {
      case "sum": {
        let acc = 0;
        for (let i = 0; i < r; i++) acc += data[base + i];
        out[o] = acc;
        break;
      }
      default: {
        // max, min, argmax, argmin. The first index of the extreme value; a NaN counts as the
        // extreme (as in NumPy/PyTorch).
        const larger = kind === "max" || kind === "argmax";
        let bi = 0;
        let best = data[base];
        for (let i = 1; i < r && best === best; i++) {
          const v = data[base + i];
          if (v !== v || (larger ? v > best : v < best)) { best = v; bi = i; }
        }
        out[o] = kind === "max" || kind === "min" ? best : bi;
        break;
      }
    }
  }
  return new Tensor(out, dtype, outShape);
}

/** The one axis an op works along, as a list: none for a 0-d tensor, whose dim 0 or -1 is itself (PyTorch). */
function singleAxis(axis: number, ndim: number, where: string): number[] {
  const a = normalizeAxis(axis, ndim, where);
  return ndim === 0 ? [] : [a];
}

/** The shape with the reduced axes kept as size-1 dims. */
function keptShape(shape: Shape, axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Whether `o` asks to keep reduced dims, under either name; refuses unknown option keys. */
export function wantsKeepdims(where: string, o: ReduceOptions | undefined, otherKeys: readonly string[] = []): boolean {
  checkOptions(where, o, ["keepdims", "keepdim", ...otherKeys]);
  const keep = o?.keepdims ?? o?.keepdim;
  if (o?.keepdim !== undefined && o.keepdims !== undefined && o.keepdim !== o.keepdims) {
    throw new ValueError(`${where}: keepdim ${o.keepdim} and keepdims ${o.keepdims} disagree`);
  }
  return keep !== undefined && boolean(where, o?.keepdims === undefined ? "keepdim" : "keepdims", keep);
}

/** Puts the reduced axes back as size-1 dims when `keep` (keepdims) asks for them. */
function applyKeepdims(y: Tensor, x: Tensor, axes: number[], keep: boolean): Tensor {
  return keep ? y.reshape(keptShape(x.shape, axes)) : y;
}

export function sum(x: Tensor, axis?: number | readonly number[], o?: ReduceOptions): Tensor {
  const keep = wantsKeepdims("sum", o);
  const axes = normalizeAxes(axis, x.ndim, "sum");
  const y = record(reduceRaw(x, axes, "sum"), "sum", [x], (g) =>
    [g.reshape(keptShape(x.shape, axes)).broadcastTo(x.shape).contiguous()]);
  return applyKeepdims(y, x, axes, keep);
}

export function mean(x: Tensor, axis?: number | readonly number[], o?: ReduceOptions): Tensor {
  const keepdims = wantsKeepdims("mean", o);
  const axes = normalizeAxes(axis, x.ndim, "mean");
  const count = countOf(x, axes);
  const s = sum(isFloat(x.dtype) ? x : x.astype("float32"), axes, { keepdims });
  return s.div(count);
}

function extreme(kind: "max" | "min", x: Tensor, axis?: number | readonly number[], o?: ReduceOptions): Tensor {
  const keep = wantsKeepdims(kind, o);
  const axes = normalizeAxes(axis, x.ndim, kind);
  const y = record(reduceRaw(x, axes, kind), kind, [x], (g) => {
    // The gradient is shared evenly between tied extremes (PyTorch's amax/amin rule), and where
    // the extreme is NaN, between the NaNs (PyTorch's max(); amax's 0/0 makes the slice NaN).
    const k = keptShape(x.shape, axes);
    const hit = x.eq(y.detach().reshape(k)).add(x.ne(x)).astype(g.dtype);
    return [hit.div(sum(hit, axes, { keepdims: true })).mul(g.reshape(k))];
  });
  return applyKeepdims(y, x, axes, keep);
}
export const max = (x: Tensor, axis?: number | readonly number[], o?: ReduceOptions) => extreme("max", x, axis, o);
export const min = (x: Tensor, axis?: number | readonly number[], o?: ReduceOptions) => extreme("min", x, axis, o);

function argExtreme(kind: "argmax" | "argmin", x: Tensor, axis?: number, o?: ReduceOptions): Tensor {
  const keep = wantsKeepdims(kind, o);
  if (axis === undefined) {
    const y = reduceRaw(x.detach().reshape([x.size]), [0], kind);
    return keep ? y.reshape(x.shape.map(() => 1)) : y;
  }
  const axes = singleAxis(axis, x.ndim, kind);
  return applyKeepdims(reduceRaw(x, axes, kind), x, axes, keep);
}
export const argmax = (x: Tensor, axis?: number, o?: ReduceOptions) => argExtreme("argmax", x, axis, o);
export const argmin = (x: Tensor, axis?: number, o?: ReduceOptions) => argExtreme("argmin", x, axis, o);

export function variance(x: Tensor, axis?: number | readonly number[], o: VarOptions = {}): Tensor {
  const keepdims = wantsKeepdims("var", o, ["correction"]);
  const axes = normalizeAxes(axis, x.ndim, "var");
  const n = countOf(x, axes);
  const correction = o.correction ?? 1;
  const xf = isFloat(x.dtype) ? x : x.astype("float32");
  const centered = xf.sub(mean(xf, axes, { keepdims: true }));
  return sum(centered.mul(centered), axes, { keepdims }).div(Math.max(n - correction, 0));
}

/**
 * √var, with PyTorch's gradient where the result is 0 (all values equal): 0, where the chain
 * through sqrt would give ∞·0 = NaN.
 */
export function std(x: Tensor, axis?: number | readonly number[], o: VarOptions = {}): Tensor {
  const v = variance(x, axis, o);
  const y = noGrad(() => v.sqrt());
  return record(y, "std", [v], (g) => [where(y.eq(0), 0, g.div(y.mul(2)))]);
}

/**
 * The max over `axes` (kept as size-1 dims, detached) that softmax and logsumexp subtract; 0 over
 * an empty dim, which has no max: the sum of no terms is then 0, so logsumexp gives −∞ and
 * softmax an empty result, as PyTorch.
 */
function shiftOf(x: Tensor, axes: number[]): Tensor {
  const shape = keptShape(x.shape, axes);
  if (countOf(x, axes) === 0) return new Tensor(allocate(x.dtype, sizeOf(shape)), x.dtype, shape);
  // A float max for integer input, so that x − max is computed in float (uint8 would wrap, bool refuse).
  return noGrad(() => max(x, axes, { keepdims: true }).astype(isFloat(x.dtype) ? x.dtype : "float32"));
}

/** log Σ exp(x), computed as m + log Σ exp(x − m) with m the (detached) max, so it never overflows. */
export function logsumexp(x: Tensor, axis?: number | readonly number[], o?: ReduceOptions): Tensor {
  const keep = wantsKeepdims("logsumexp", o);
  const axes = normalizeAxes(axis, x.ndim, "logsumexp");
  const m = noGrad(() => {
    const raw = shiftOf(x, axes);
    const d = raw.data;
    for (let i = 0; i < d.length; i++) if (!isFinite(d[i])) d[i] = 0;
    return new Tensor(d, raw.dtype, raw.shape);
  });
  const y = sum(x.sub(m).exp(), axes, { keepdims: true }).log().add(m);
  return keep ? y : y.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * z − log Σ exp(z), z = x − max as in softmax (PyTorch's formula): a slice holding +∞ or NaN is
 * NaN throughout, where x − logsumexp(x) would give −∞ beside the +∞'s NaN.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = singleAxis(axis, x.ndim, "logSoftmax"), z = x.sub(shiftOf(x, a));
  return z.sub(sum(z.exp(), a, { keepdims: true }).log());
}

export function softmax(x: Tensor, axis = -1): Tensor {
  const a = singleAxis(axis, x.ndim, "softmax");
  const e = x.sub(shiftOf(x, a)).exp();
  return e.div(sum(e, a, { keepdims: true }));
}

/** Sums a broadcast gradient back to `shape`: over added leading dims and dims that were 1. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return sum(g, axes).reshape(shape.slice());
}
