// ONNX's shape and data-movement operators on edgegrad's views and gathers: Reshape (0 copies a
// dim, −1 is inferred), Flatten, Transpose, Gather, Concat, Slice (any step), Squeeze/Unsqueeze
// (axes as an input, opset 13), Shape, Expand, Pad, DepthToSpace, the constants, Identity and
// inference-mode Dropout. Shape tensors are int64 in ONNX and int32 here (onnx-import-values.ts).
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { concat, fromTypedArray, full, indexSelect, pad, type Tensor } from "../ndarray/index.js";
import { at, type OpContext, type OpSpec } from "./onnx-import-op.js";
import { axisOf, intList, tensorOf } from "./onnx-import-values.js";

const product = (dims: readonly number[]) => dims.reduce((a, d) => a * d, 1);
const ints32 = (v: readonly number[], shape = [v.length]) => fromTypedArray(Int32Array.from(v), shape);

function checkIndexType(t: Tensor, where: string, what: string): void {
  if (t.dtype !== "int32") throw new DTypeError(`${where}: ${what} must be int64 or int32, got ${t.dtype}`);
}

/** ONNX Reshape's target: 0 copies the input's dim (unless allowzero), one −1 takes what is left. */
function reshapeTarget(x: Tensor, target: number[], allowZero: boolean, where: string): number[] {
  const shape = target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  if (shape.some((d) => d === undefined || d < -1) || shape.filter((d) => d === -1).length > 1) {
    throw new ShapeError(`${where}: shape [${target}] is not a valid target for input [${x.shape}]`);
  }
  const known = product(shape.filter((d) => d !== -1));
  const free = shape.indexOf(-1);
  if (free >= 0) shape[free] = known === 0 ? 0 : x.size / known;
  if (!Number.isInteger(shape[free] ?? 0) || product(shape) !== x.size) throw new ShapeError(`${where}: cannot reshape [${x.shape}] (${x.size} elements) to [${target}]`);
  return shape;
}

const reshapeOp: OpSpec = {
  inputs: [2, 2], lists: [1],
  prepare: (c) => {
    const allowZero = c.a.int("allowzero", 0) === 1;
    return (x) => [at(x, 0).reshape(reshapeTarget(at(x, 0), intList(at(x, 1), c.where, "shape"), allowZero, c.where))];
  },
};

const flatten: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const axis = c.a.int("axis", 1);
    return (x) => {
      const t = at(x, 0), a = axis < 0 ? axis + t.ndim : axis;
      if (!Number.isInteger(a) || a < 0 || a > t.ndim) throw new ValueError(`${c.where}: axis ${axis} is out of range for rank ${t.ndim}`);
      return [t.reshape([product(t.shape.slice(0, a)), product(t.shape.slice(a))])];
    };
  },
};

const transpose: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const perm = c.a.ints("perm");
    return (x) => {
      const t = at(x, 0), p = perm ?? t.shape.map((_, i) => t.ndim - 1 - i);
      if (p.length !== t.ndim || !p.every((d) => Number.isInteger(d) && d >= 0 && d < t.ndim) || new Set(p).size !== p.length) {
        throw new ValueError(`${c.where}: perm [${p}] is not a permutation of the ${t.ndim} dims of [${t.shape}]`);
      }
      return [t.permute(p)];
    };
  },
};

/** Gather along `axis`: data.shape[:axis] + indices.shape + data.shape[axis+1:], negative indices counting from the end. */
const gather: OpSpec = {
  inputs: [2, 2],
  prepare: (c) => {
    const axis = c.a.int("axis", 0);
    return (x) => {
      const data = at(x, 0), indices = at(x, 1);
      checkIndexType(indices, c.where, "indices");
      if (data.ndim === 0) throw new ShapeError(`${c.where}: cannot gather from a scalar`);
      const a = axisOf(axis, data.ndim, c.where), n = data.shape[a];
      const flat = Int32Array.from(indices.contiguous().data as Int32Array, (i, k) => {
        if (i < -n || i >= n) throw new ValueError(`${c.where}: index ${i} (element ${k}) is out of range for axis ${a} of size ${n}`);
        return i < 0 ? i + n : i;
      });
      const picked = indexSelect(data, a, ints32(Array.from(flat)));
      return [picked.reshape([...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)])];
    };
  },
};

const concatOp: OpSpec = {
  inputs: [1, Infinity],
  prepare: (c) => {
    const axis = c.a.int("axis");
    if (axis === undefined) throw new ValueError(`${c.where}: attribute axis is required`);
    return (x) => {
      const ts = x as Tensor[];
      return [concat(ts, axisOf(axis, ts[0].ndim, c.where))];
    };
  },
};

/** INT32_MAX, and INT64_MAX as a double reads it: an end that means "to the last element the step reaches". */
const isEndless = (end: number) => end === 2 ** 31 - 1 || end >= 2 ** 63;

/**
 * The positions one axis of Slice reads, by ONNX's clamping rules (steps of either sign). An end
 * of INT32_MAX or INT64_MAX runs to the last element the step reaches, backwards too, as
 * onnxruntime reads it (the spec's clamp alone would make a backward slice to INT64_MAX empty).
 */
function sliceIndices(n: number, start: number, end: number, step: number): { lo: number; hi: number; list: number[] } {
  const norm = (v: number) => (v < 0 ? v + n : v);
  const lo = step > 0 ? Math.min(Math.max(norm(start), 0), n) : Math.min(Math.max(norm(start), 0), n - 1);
  const hi = isEndless(end) ? (step > 0 ? n : -1) : step > 0 ? Math.min(Math.max(norm(end), 0), n) : Math.min(Math.max(norm(end), -1), n - 1);
  const list: number[] = [];
  for (let i = lo; step > 0 ? i < hi : i > hi; i += step) list.push(i);
  return { lo, hi, list };
}

function slice(c: OpContext, x: readonly (Tensor | null)[]): Tensor {
  let t = at(x, 0);
  const starts = intList(at(x, 1), c.where, "starts"), ends = intList(at(x, 2), c.where, "ends");
  const axes = x[3] ? intList(x[3], c.where, "axes") : starts.map((_, i) => i);
  const steps = x[4] ? intList(x[4], c.where, "steps") : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new ShapeError(`${c.where}: starts, ends, axes and steps have ${starts.length}, ${ends.length}, ${axes.length} and ${steps.length} entries`);
  }
  const seen = new Set<number>();
  axes.forEach((axis, k) => {
    const a = axisOf(axis, t.ndim, c.where, "axes entry");
    if (seen.has(a)) throw new ValueError(`${c.where}: axis ${axis} is sliced twice`);
    seen.add(a);
    if (steps[k] === 0) throw new ValueError(`${c.where}: step 0 on axis ${axis}`);
    const { lo, hi, list } = sliceIndices(t.shape[a], starts[k], ends[k], steps[k]);
    if (steps[k] > 0) t = t.slice(...t.shape.map((_, d) => (d === a ? ([lo, Math.max(lo, hi), steps[k]] as const) : null)));
    else t = indexSelect(t, a, ints32(list));
  });
  return t;
}

/** Squeeze (axes optional: every size-1 dim) and Unsqueeze (axes in the output's rank). */
function squeezeOp(unsqueeze: boolean): OpSpec {
  return {
    inputs: [unsqueeze ? 2 : 1, 2], lists: [1],
    prepare: (c) => (x) => {
      const t = at(x, 0);
      const rank = unsqueeze ? t.ndim + (x[1] ? x[1].size : 0) : t.ndim;
      const axes = x[1] ? intList(x[1], c.where, "axes").map((a) => axisOf(a, rank, c.where, "axes entry")) : null;
      if (axes && new Set(axes).size !== axes.length) throw new ValueError(`${c.where}: axes [${axes}] repeat an axis`);
      if (unsqueeze) {
        const kept = t.shape.slice(), shape: number[] = [];
        for (let d = 0; d < rank; d++) shape.push(axes!.includes(d) ? 1 : (kept.shift() as number));
        return [t.reshape(shape)];
      }
      const drop = axes ?? t.shape.flatMap((d, i) => (d === 1 ? [i] : []));
      const bad = drop.find((a) => t.shape[a] !== 1);
      if (bad !== undefined) throw new ShapeError(`${c.where}: axis ${bad} of [${t.shape}] has size ${t.shape[bad]}, not 1`);
      return [t.reshape(t.shape.filter((_, i) => !drop.includes(i)))];
    },
  };
}

const shape: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const start = c.a.int("start", 0), end = c.a.int("end");
    return (x) => {
      const dims = at(x, 0).shape, r = dims.length;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
      return [ints32(dims.slice(clamp(start), clamp(end ?? r)))];
    };
  },
};

/** Expand: the input broadcast with the shape (bidirectionally: a 1 in the shape keeps the input's dim). */
const expand: OpSpec = {
  inputs: [2, 2], lists: [1],
  prepare: (c) => (x) => {
    const t = at(x, 0), target = intList(at(x, 1), c.where, "shape");
    const rank = Math.max(t.ndim, target.length);
    const out = Array.from({ length: rank }, (_, i) => {
      const a = t.shape[i - rank + t.ndim] ?? 1, b = target[i - rank + target.length] ?? 1;
      if (a !== b && a !== 1 && b !== 1) throw new ShapeError(`${c.where}: input [${t.shape}] does not broadcast with shape [${target}]`);
      return a === 1 ? b : a;
    });
    return [t.broadcastTo(out)];
  },
};

const PAD_MODES: Record<string, "constant" | "reflect" | "replicate"> = { constant: "constant", reflect: "reflect", edge: "replicate" };

/** Pad: ONNX lists every begin then every end, edgegrad (PyTorch) (begin, end) pairs from the last dim back. */
const padOp: OpSpec = {
  inputs: [2, 3], lists: [1], constants: [2],
  prepare: (c) => {
    const mode = c.a.string("mode", "constant");
    if (!PAD_MODES[mode]) c.a.refuse("mode", mode, "opset 13's Pad modes are constant, reflect and edge");
    return (x) => {
      const t = at(x, 0), pads = intList(at(x, 1), c.where, "pads"), r = t.ndim;
      if (pads.length !== 2 * r) throw new ShapeError(`${c.where}: pads has ${pads.length} entries, a rank-${r} input needs ${2 * r}`);
      const value = x[2] ? x[2].data[0] : 0;
      const torchPads = Array.from({ length: r }, (_, k) => [pads[r - 1 - k], pads[2 * r - 1 - k]]).flat();
      return [pad(t, torchPads, mode === "constant" ? { value } : { mode: PAD_MODES[mode] })];
    };
  },
};

/** DepthToSpace: DCR reads the block offsets as the outer channel digits, CRD as the inner. */
const depthToSpace: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const b = c.a.int("blocksize"), mode = c.a.string("mode", "DCR");
    if (b === undefined || b < 1) throw new ValueError(`${c.where}: attribute blocksize must be a positive integer, got ${b}`);
    if (mode !== "DCR" && mode !== "CRD") c.a.refuse("mode", mode, "DepthToSpace's modes are DCR and CRD");
    return (x) => {
      const t = at(x, 0);
      if (t.ndim !== 4 || t.shape[1] % (b * b) !== 0) throw new ShapeError(`${c.where}: input must be [N, C, H, W] with C divisible by ${b * b}, got [${t.shape}]`);
      const [N, C, H, W] = t.shape, k = C / (b * b);
      const split = mode === "DCR" ? t.reshape([N, b, b, k, H, W]).permute([0, 3, 4, 1, 5, 2]) : t.reshape([N, k, b, b, H, W]).permute([0, 1, 4, 2, 5, 3]);
      return [split.reshape([N, k, H * b, W * b])];
    };
  },
};

const CONSTANT_KEYS = ["value", "value_float", "value_floats", "value_int", "value_ints"];

function constantValue(c: OpContext): Tensor {
  const given = CONSTANT_KEYS.filter((k) => c.a.has(k));
  for (const k of ["sparse_value", "value_string", "value_strings"]) if (c.a.has(k)) c.a.refuse(k, "…", "only numeric constants are supported");
  if (given.length !== 1) throw new ValueError(`${c.where}: needs exactly one of ${CONSTANT_KEYS.join(", ")}, got ${given.length}`);
  const t = c.a.tensor("value");
  if (t) return tensorOf(t);
  const f = c.a.floats("value_floats"), i = c.a.ints("value_ints");
  if (f) return fromTypedArray(Float32Array.from(f), [f.length]);
  if (i) return ints32(i);
  if (c.a.has("value_float")) return fromTypedArray(Float32Array.of(c.a.float("value_float", 0)), []);
  return fromTypedArray(Int32Array.of(c.a.int("value_int", 0)), []);
}

const constant: OpSpec = {
  inputs: [0, 0],
  prepare: (c) => {
    const value = constantValue(c);
    return () => [value];
  },
};

const constantOfShape: OpSpec = {
  inputs: [1, 1], lists: [0],
  prepare: (c) => {
    const v = c.a.tensor("value");
    const fill = v ? tensorOf(v) : fromTypedArray(Float32Array.of(0), [1]);
    if (fill.size !== 1) throw new ValueError(`${c.where}: attribute value must hold one element, got shape [${fill.shape}]`);
    return (x) => {
      const dims = intList(at(x, 0), c.where, "shape");
      if (dims.some((d) => d < 0)) throw new ShapeError(`${c.where}: shape [${dims}] has a negative dim`);
      // A copy of the value broadcast, not full(): the value's bits (−0 too) are the output's.
      return [fill.reshape([]).broadcastTo(dims).clone()];
    };
  },
};

/** Dropout at inference is the identity; its mask, if asked for, is all true. */
const dropout: OpSpec = {
  inputs: [1, 3], outputs: 2,
  prepare: (c) => {
    c.a.int("seed");  // the seed draws nothing at inference
    return (x) => {
      if (x[2] && x[2].data[0]) throw new ValueError(`${c.where}: training_mode is true; the importer runs Dropout at inference only`);
      const t = at(x, 0);
      return c.outputs > 1 ? [t, full(t.shape, 1, { dtype: "bool" })] : [t];
    };
  },
};

export const SHAPE_OPS: Record<string, OpSpec> = {
  Reshape: reshapeOp,
  Flatten: flatten,
  Transpose: transpose,
  Gather: gather,
  Concat: concatOp,
  Slice: { inputs: [3, 5], lists: [1, 2, 3, 4], prepare: (c) => (x) => [slice(c, x)] },
  Squeeze: squeezeOp(false),
  Unsqueeze: squeezeOp(true),
  Shape: shape,
  Expand: expand,
  Pad: padOp,
  DepthToSpace: depthToSpace,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Identity: { inputs: [1, 1], prepare: () => (x) => [at(x, 0)] },
  Dropout: dropout,
};
