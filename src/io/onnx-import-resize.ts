// ONNX Resize (opset 13) on edgegrad's gathers: one axis at a time, each output position a
// weighted sum of a few input positions along the axis (nearest: one, linear: two, cubic: four),
// so the gradient flows through indexSelect. The source coordinate of each output position is
// computed in float32, step by step as onnxruntime computes it (the exporter's nearest scales
// rely on that: onnx-resize-nearest.ts). As onnxruntime, an axis of scale 1 and unchanged size is
// left as it is (tf_half_pixel_for_nn would otherwise shift it), and an output of the input's
// shape is the input itself whatever the scales.
import { ShapeError, ValueError } from "../errors.js";
import { fromTypedArray, indexSelect, type Tensor } from "../ndarray/index.js";
import { MAX_ELEMENTS } from "../ndarray/dtype.js";
import { at, floatInput, type OpContext, type OpSpec } from "./onnx-import-op.js";

const f = Math.fround;

type Transform = (x: number, scale: number, inSize: number, outSize: number) => number;

const TRANSFORMS: Record<string, Transform> = {
  half_pixel: (x, s) => f(f(f(x + 0.5) / s) - 0.5),
  pytorch_half_pixel: (x, s, _, m) => (m > 1 ? f(f(f(x + 0.5) / s) - 0.5) : 0),
  align_corners: (x, _, n, m) => (m === 1 ? 0 : f(f(x * (n - 1)) / (m - 1))),
  asymmetric: (x, s) => f(x / s),
  tf_half_pixel_for_nn: (x, s) => f(f(x + 0.5) / s),
};

const NEAREST: Record<string, (x: number) => number> = {
  round_prefer_floor: (x) => (x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x)),
  round_prefer_ceil: (x) => (x === Math.floor(x) + 0.5 ? Math.ceil(x) : Math.round(x)),
  floor: Math.floor,
  ceil: Math.ceil,
};

interface Tap { index: Int32Array; weight: Float64Array }

interface Plan { mode: string; transform: Transform; nearest: (x: number) => number; a: number; excludeOutside: boolean }

const clampTo = (i: number, n: number) => Math.min(Math.max(i, 0), n - 1);

/** The taps of one axis: for each output position, the input positions it reads and their weights. */
function axisTaps(p: Plan, n: number, m: number, scale: number): Tap[] {
  const k = p.mode === "nearest" ? 1 : p.mode === "linear" ? 2 : 4;
  const taps = Array.from({ length: k }, () => ({ index: new Int32Array(m), weight: new Float64Array(m) }));
  for (let o = 0; o < m; o++) {
    const x = p.transform(o, scale, n, m);
    if (p.mode === "nearest") {
      taps[0].index[o] = clampTo(p.nearest(x), n);
      taps[0].weight[o] = 1;
    } else if (p.mode === "linear") {
      const c = Math.min(Math.max(x, 0), n - 1), i1 = Math.min(Math.trunc(c), n - 1), i2 = Math.min(i1 + 1, n - 1);
      const [w1, w2] = i1 === i2 ? [0.5, 0.5] : [f(Math.abs(c - i2)), f(Math.abs(c - i1))];
      taps[0].index[o] = i1; taps[0].weight[o] = w1;
      taps[1].index[o] = i2; taps[1].weight[o] = w2;
    } else {
      cubicTaps(p, x, n, taps, o);
    }
  }
  return taps;
}

/** Keys' cubic convolution weights (coefficient a) for the four inputs around x, edges clamped or, with exclude_outside, dropped and the rest renormalized. */
function cubicTaps(p: Plan, x: number, n: number, taps: Tap[], o: number): void {
  const base = Math.floor(x), s = f(x - base), a = p.a;
  const far = (t: number) => ((a * t - 5 * a) * t + 8 * a) * t - 4 * a, near = (t: number) => ((a + 2) * t - (a + 3)) * t * t + 1;
  const w = [far(s + 1), near(s), near(1 - s), far(2 - s)];
  let total = 0;
  for (let j = 0; j < 4; j++) {
    const i = base - 1 + j, outside = i < 0 || i >= n;
    if (p.excludeOutside && outside) w[j] = 0;
    total += w[j];
    taps[j].index[o] = clampTo(i, n);
  }
  for (let j = 0; j < 4; j++) taps[j].weight[o] = p.excludeOutside ? w[j] / total : w[j];
}

const isIdentity = (taps: Tap[], n: number) =>
  taps[0].index.length === n && taps[0].index.every((i, o) => i === o && taps[0].weight[o] === 1) && taps.slice(1).every((t) => t.weight.every((w) => w === 0));

function resampleAxis(x: Tensor, axis: number, taps: Tap[]): Tensor {
  const m = taps[0].index.length;
  const along = x.shape.map((_, d) => (d === axis ? m : 1));
  let y: Tensor | null = null;
  for (const t of taps) {
    const picked = indexSelect(x, axis, fromTypedArray(t.index, [m]));
    const term = t.weight.every((w) => w === 1) ? picked : picked.mul(fromTypedArray(x.dtype === "float64" ? t.weight : Float32Array.from(t.weight), along));
    y = y ? y.add(term) : term;
  }
  return y as Tensor;
}

function readPlan(c: OpContext): Plan {
  const mode = c.a.string("mode", "nearest"), coordinates = c.a.string("coordinate_transformation_mode", "half_pixel");
  const nearestMode = c.a.string("nearest_mode", "round_prefer_floor"), a = c.a.float("cubic_coeff_a", -0.75);
  const excludeOutside = c.a.int("exclude_outside", 0) === 1, extrapolation = c.a.float("extrapolation_value", 0);
  if (!["nearest", "linear", "cubic"].includes(mode)) c.a.refuse("mode", mode, "Resize's modes are nearest, linear and cubic");
  if (!TRANSFORMS[coordinates]) c.a.refuse("coordinate_transformation_mode", coordinates, `supported: ${Object.keys(TRANSFORMS).join(", ")}`);
  if (!NEAREST[nearestMode]) c.a.refuse("nearest_mode", nearestMode, `supported: ${Object.keys(NEAREST).join(", ")}`);
  // extrapolation_value fills the area outside a tf_crop_and_resize region, which is refused above.
  if (extrapolation !== 0) c.a.refuse("extrapolation_value", extrapolation, "it is used by tf_crop_and_resize only, which is not supported");
  return { mode, transform: TRANSFORMS[coordinates], nearest: NEAREST[nearestMode], a, excludeOutside };
}

/** The output size and float32 scale of every axis, from `scales` or `sizes` (exactly one given). */
function sizesAndScales(c: OpContext, x: Tensor, scales: Tensor | null, sizes: Tensor | null): { out: number[]; scale: number[] } {
  const given = [scales, sizes].filter((t) => t && t.size > 0) as Tensor[];
  if (given.length !== 1) throw new ValueError(`${c.where}: give exactly one of scales and sizes (got ${given.length})`);
  const v = Array.from(given[0].data as ArrayLike<number>);
  if (v.length !== x.ndim) throw new ShapeError(`${c.where}: ${sizes && sizes.size > 0 ? "sizes" : "scales"} has ${v.length} entries for an input of rank ${x.ndim} ([${x.shape}])`);
  if (sizes && sizes.size > 0) {
    if (v.some((d) => !Number.isInteger(d) || d < 1)) throw new ValueError(`${c.where}: sizes [${v}] must be positive integers`);
    return { out: v, scale: v.map((m, d) => f(m / x.shape[d])) };
  }
  if (v.some((s) => !(s > 0) || !Number.isFinite(s))) throw new ValueError(`${c.where}: scales [${v}] must be positive`);
  const out = v.map((s, d) => Math.floor(x.shape[d] * s));
  if (out.some((d) => d < 1)) throw new ShapeError(`${c.where}: scales [${v}] give an empty output from [${x.shape}]`);
  return { out, scale: v.map(f) };
}

const resize: OpSpec = {
  inputs: [1, 4], constants: [1, 2, 3],
  prepare: (c) => {
    const plan = readPlan(c);
    return (x) => {
      const input = floatInput(at(x, 0), c.where);
      if (x[1] && x[1].size > 0) throw new ValueError(`${c.where}: roi is used by tf_crop_and_resize only, which is not supported`);
      const { out, scale } = sizesAndScales(c, input, x[2], x[3]);
      if (out.every((m, d) => m === input.shape[d])) return [input];
      // Checked before the taps are laid out: a scale of 1e9 would otherwise fill memory first.
      const largest = out.reduce((a, m, d) => a * Math.max(m, input.shape[d]), 1);
      if (largest > MAX_ELEMENTS) throw new ShapeError(`${c.where}: output [${out}] of input [${input.shape}] has more elements than a tensor can hold (${MAX_ELEMENTS})`);
      let y = input;
      out.forEach((m, d) => {
        if (m === input.shape[d] && scale[d] === 1) return;
        const taps = axisTaps(plan, input.shape[d], m, scale[d]);
        if (!isIdentity(taps, input.shape[d])) y = resampleAxis(y, d, taps);
      });
      return [y];
    };
  },
};

export const RESIZE_OPS: Record<string, OpSpec> = { Resize: resize };
