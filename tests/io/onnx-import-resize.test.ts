// Resize (nearest in every nearest_mode and coordinate transform, linear, cubic with its
// coefficient and exclude_outside; scales or sizes) and the normalizations (BatchNormalization,
// InstanceNormalization, LRN, the global pools) from hand-built graphs, in the importer and in
// onnxruntime-web, both against float64 references written here from ONNX's definitions. The
// source coordinates are formed in float32, as onnxruntime forms them: the spec leaves their
// precision to the runtime, and a nearest index can hinge on it. Where onnxruntime departs from
// the spec's formulas (an axis of scale 1 is copied), the reference follows onnxruntime.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { attrFloat, attrInt, attrString, f32, FLOAT, graphModel, node, ortRun } from "../support/onnx-graph.js";
import { valuesFrom } from "../support/reference.js";
import { gamma, U32 } from "../support/tolerance.js";

const f = Math.fround;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const draw = (shape: number[], seed: number, lo = -2, hi = 2) => {
  const v = valuesFrom(seed, lo, hi);
  return eg.fromTypedArray(Float32Array.from({ length: size(shape) }, (_, i) => v(i)), shape);
};
const unflat = (k: number, s: readonly number[]) => s.map((_, i) => Math.floor(k / size(s.slice(i + 1))) % s[i]);

function within(who: string, got: ArrayLike<number>, want: Float64Array, tol: Float64Array): void {
  expect(got.length, who).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const bound = tol[i] + U32 * Math.abs(want[i]) + 2 ** -140;
    if (!(Math.abs(got[i] - want[i]) <= bound)) throw new Error(`${who} output ${i}: ${got[i]} vs float64 ${want[i]} (bound ${bound})`);
  }
}

/** ONNX's source coordinate of output o along an axis (in float32, step by step). */
function sourceCoordinate(mode: string, o: number, s: number, n: number, m: number): number {
  switch (mode) {
    case "half_pixel": return f(f(f(o + 0.5) / s) - 0.5);
    case "pytorch_half_pixel": return m > 1 ? f(f(f(o + 0.5) / s) - 0.5) : 0;
    case "align_corners": return m === 1 ? 0 : f(f(o * (n - 1)) / (m - 1));
    case "asymmetric": return f(o / s);
    default: return f(f(o + 0.5) / s);  // tf_half_pixel_for_nn
  }
}

function nearestIndex(mode: string, x: number): number {
  const frac = x - Math.floor(x);
  if (mode === "floor") return Math.floor(x);
  if (mode === "ceil") return Math.ceil(x);
  if (frac === 0.5) return mode === "round_prefer_floor" ? Math.floor(x) : Math.ceil(x);
  return frac < 0.5 ? Math.floor(x) : Math.ceil(x);
}

/** Keys' cubic kernel W(t) with coefficient a, and the bound on its float32 evaluation: γ(8)·Σ|terms| (its terms cancel to a small weight far out). */
function keys(t: number, a: number): [number, number] {
  const u = Math.abs(t), b = Math.abs(a);
  if (u <= 1) return [(a + 2) * u ** 3 - (a + 3) * u ** 2 + 1, gamma(8) * ((b + 2) * u ** 3 + (b + 3) * u ** 2 + 1)];
  if (u < 2) return [a * u ** 3 - 5 * a * u ** 2 + 8 * a * u - 4 * a, gamma(8) * b * (u ** 3 + 5 * u ** 2 + 8 * u + 4)];
  return [0, 0];
}

interface ResizeCase { mode: "nearest" | "linear" | "cubic"; coords: string; nearest: string; a: number; exclude: boolean }

type Tap = [index: number, weight: number, weightError: number];

/** Per axis, the taps of every output position (linear weights are exact in float32: x − ⌊x⌋). */
function taps(c: ResizeCase, n: number, m: number, s: number): Tap[][] {
  return Array.from({ length: m }, (_, o) => {
    const x = sourceCoordinate(c.coords, o, s, n, m), clamp = (i: number) => Math.min(Math.max(i, 0), n - 1);
    // onnxruntime leaves an axis of scale 1 and unchanged size as it is (in every mode).
    if (m === n && s === 1) return [[o, 1, 0]];
    if (c.mode === "nearest") return [[clamp(nearestIndex(c.nearest, x)), 1, 0]];
    if (c.mode === "linear") {
      const xc = Math.min(Math.max(x, 0), n - 1), i0 = Math.floor(xc), w1 = xc - i0;
      return [[i0, 1 - w1, 0], [clamp(i0 + 1), w1, 0]];
    }
    const base = Math.floor(x), list: Tap[] = [];
    for (let j = -1; j <= 2; j++) {
      const i = base + j, [w, e] = keys(x - i, c.a);
      if (!(c.exclude && (i < 0 || i >= n))) list.push([clamp(i), w, e]);
    }
    const total = list.reduce((acc, [, w]) => acc + w, 0), err = list.reduce((acc, [, , e]) => acc + e, 0);
    // Renormalized: w/Σw moves by (e + |w|·Σe/|Σw|)/|Σw| at most (first order).
    return c.exclude ? list.map(([i, w, e]) => [i, w / total, (e + Math.abs(w) * err / Math.abs(total)) / Math.abs(total)]) : list;
  });
}

function refResize(x: eg.Tensor, c: ResizeCase, out: number[], scales: number[]): { y: Float64Array; tol: Float64Array } {
  const perAxis = out.map((m, d) => taps(c, x.shape[d], m, scales[d]));
  const y = new Float64Array(size(out)), tol = new Float64Array(y.length);
  for (let q = 0; q < y.length; q++) {
    const pos = unflat(q, out);
    // Every combination of one tap per axis: the product of their weights, and of their errors' reach.
    let combos: Tap[] = [[0, 1, 0]];
    pos.forEach((p, d) => {
      combos = combos.flatMap(([flat, w, e]) => perAxis[d][p].map(([i, wi, ei]) => [flat * x.shape[d] + i, w * wi, Math.abs(w) * ei + Math.abs(wi) * e + e * ei] as Tap));
    });
    let s = 0, abs = 0, weightErr = 0;
    for (const [flat, w, e] of combos) { s += w * x.data[flat]; abs += Math.abs(w * x.data[flat]); weightErr += e * Math.abs(x.data[flat]); }
    y[q] = s;
    tol[q] = c.mode === "nearest" ? 0 : gamma(2 * combos.length + 16) * abs + weightErr;
  }
  return { y, tol };
}

describe("Resize from hand-built graphs", () => {
  it("nearest (each nearest_mode and coordinate transform, any axes), linear and cubic (a, exclude_outside) on H and W; scales or sizes", async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom<ResizeCase["mode"]>("nearest", "linear", "cubic"), fc.constantFrom("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"),
      fc.constantFrom("round_prefer_floor", "round_prefer_ceil", "floor", "ceil"), fc.constantFrom(-0.75, -0.5), fc.boolean(), fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 2 }), fc.array(fc.constantFrom(0.5, 0.75, 1, 1.5, 2, 2.5, 3), { minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 1e6 }),
      async (mode, coords, nearestMode, a, exclude, bySizes, hw, drawn, seed) => {
        // onnxruntime's nearest mode takes tf_half_pixel_for_nn; its linear and cubic resize the last two dims only.
        if (mode !== "nearest" && coords === "tf_half_pixel_for_nn") coords = "half_pixel";
        const shape = [2, 3, ...hw];
        const scales = mode === "nearest" ? [1, drawn[1] >= 1 ? drawn[1] : 1, drawn[2], drawn[3]] : [1, 1, drawn[2], drawn[3]];
        let out = shape.map((n, d) => Math.floor(n * scales[d]));
        if (out.some((o) => o < 1)) out = out.map((o) => Math.max(o, 1));
        const given = bySizes ? out.map((m, d) => f(m / shape[d])) : scales;
        if (!bySizes) out = shape.map((n, d) => Math.floor(n * scales[d]));
        if (out.some((o) => o < 1)) return;
        const c: ResizeCase = { mode, coords, nearest: nearestMode, a, exclude };
        const x = draw(shape, seed);
        const attrs = [attrString("mode", mode), attrString("coordinate_transformation_mode", coords)];
        if (mode === "nearest") attrs.push(attrString("nearest_mode", nearestMode));
        if (mode === "cubic") attrs.push(attrFloat("cubic_coeff_a", a), attrInt("exclude_outside", exclude ? 1 : 0));
        const inits = bySizes
          ? [{ name: "sizes", type: 7, dims: [4], data: BigInt64Array.from(out, BigInt) }]
          : [{ name: "scales", type: FLOAT, dims: [4], data: f32(scales) }];
        const bytes = graphModel({ nodes: [node("Resize", bySizes ? ["x", "", "", "sizes"] : ["x", "", "scales"], ["y"], "resize", attrs)], inits,
          inputs: [{ name: "x", type: FLOAT }], outputs: [{ name: "y", type: FLOAT }] });
        // An output of the input's shape is the input, as onnxruntime copies it.
        const ref = out.every((m, d) => m === shape[d]) ? { y: Float64Array.from(x.data), tol: new Float64Array(x.size) } : refResize(x, c, out, given);
        const mine = eg.io.importOnnx(bytes).run({ x }).y, theirs = (await ortRun(bytes, { x })).y;
        expect(mine.shape).toEqual(out);
        expect(theirs.dims).toEqual(out);
        within("imported", mine.data, ref.y, ref.tol);
        within("onnxruntime", theirs.data, ref.y, ref.tol);
      }), { numRuns: 80 });
  });
});

describe("normalizations and global pools from hand-built graphs", () => {
  const graph = (op: string, inputs: string[], attrs: Uint8Array[] = []) => graphModel({ nodes: [node(op, inputs, ["y"], "n", attrs)],
    inputs: inputs.map((name) => ({ name, type: FLOAT })), outputs: [{ name: "y", type: FLOAT }] });

  it("BatchNormalization, InstanceNormalization, LRN, GlobalAveragePool and GlobalMaxPool on drawn 3-d and 4-d inputs", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(1, 3, 5),
      fc.constantFrom(1e-5, 0.01), fc.integer({ min: 1, max: 1e6 }), async (sp, C, lrnSize, eps, seed) => {
        if (size(sp) === 1) sp = [...sp.slice(0, -1), 2];
        const shape = [2, C, ...sp], x = draw(shape, seed), plane = size(sp);
        const scale = draw([C], seed + 1), bias = draw([C], seed + 2), mean = draw([C], seed + 3), variance = draw([C], seed + 4, 0.2, 2);
        const feeds = { x, scale, bias, mean, variance };
        const cases: [Uint8Array, (i: number) => [number, number]][] = [
          [graph("BatchNormalization", ["x", "scale", "bias", "mean", "variance"], [attrFloat("epsilon", eps)]), (i) => {
            const ch = Math.floor(i / plane) % C, sd = Math.sqrt(variance.data[ch] + f(eps)), v = (x.data[i] - mean.data[ch]) / sd * scale.data[ch] + bias.data[ch];
            return [v, 8 * U32 * (Math.abs((x.data[i] - mean.data[ch]) / sd * scale.data[ch]) + Math.abs(x.data[i] * scale.data[ch] / sd) + Math.abs(bias.data[ch]))];
          }],
          [graph("InstanceNormalization", ["x", "scale", "bias"], [attrFloat("epsilon", eps)]), (i) => {
            const start = Math.floor(i / plane) * plane, vals = Array.from(x.data.slice(start, start + plane));
            const mu = vals.reduce((a, b) => a + b, 0) / plane, v2 = vals.reduce((a, b) => a + (b - mu) ** 2, 0) / plane, ch = Math.floor(i / plane) % C;
            const sd = Math.sqrt(v2 + f(eps)), y = (x.data[i] - mu) / sd * scale.data[ch] + bias.data[ch];
            // The mean and variance are plane-long sums; their rounding reaches x̂ amplified by max|x|/σ.
            const big = Math.max(...vals.map(Math.abs));
            return [y, gamma(4 * plane + 16) * (Math.abs(scale.data[ch]) * (big + Math.abs(mu)) / sd * (1 + big * big / (sd * sd))) + 8 * U32 * Math.abs(bias.data[ch])];
          }],
        ];
        for (const [bytes, ref] of cases) {
          const want = new Float64Array(x.size), tol = new Float64Array(x.size);
          for (let i = 0; i < x.size; i++) [want[i], tol[i]] = ref(i);
          const inputs = Object.fromEntries(Object.entries(feeds).filter(([k]) => eg.io.importOnnx(bytes).inputNames.includes(k)));
          within("imported", eg.io.importOnnx(bytes).run(inputs).y.data, want, tol);
          within("onnxruntime", (await ortRun(bytes, inputs)).y.data, want, tol);
        }
        // LRN: x / (bias + α/size·Σ x²)^β over channels c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉ (onnxruntime: odd sizes, 4-d only).
        if (sp.length === 2) {
          const [alpha, beta, k] = [f(0.02), f(0.75), f(1.5)];
          const bytes = graph("LRN", ["x"], [attrInt("size", lrnSize), attrFloat("alpha", alpha), attrFloat("beta", beta), attrFloat("bias", k)]);
          const want = new Float64Array(x.size), tol = new Float64Array(x.size);
          for (let i = 0; i < x.size; i++) {
            const [n, c] = unflat(i, shape), p = i % plane;
            let s = 0;
            for (let j = c - Math.floor((lrnSize - 1) / 2); j <= c + Math.ceil((lrnSize - 1) / 2); j++) if (j >= 0 && j < C) s += x.data[(n * C + j) * plane + p] ** 2;
            want[i] = x.data[i] / (k + (alpha / lrnSize) * s) ** beta;
            tol[i] = gamma(lrnSize + 16) * Math.abs(want[i]) * 4;
          }
          within("imported LRN", eg.io.importOnnx(bytes).run({ x }).y.data, want, tol);
          within("onnxruntime LRN", (await ortRun(bytes, { x })).y.data, want, tol);
        }
        for (const op of ["GlobalAveragePool", "GlobalMaxPool"]) {
          const bytes = graph(op, ["x"]), want = new Float64Array(2 * C), tol = new Float64Array(2 * C);
          for (let q = 0; q < 2 * C; q++) {
            const vals = Array.from(x.data.slice(q * plane, (q + 1) * plane));
            want[q] = op === "GlobalMaxPool" ? Math.max(...vals) : vals.reduce((a, b) => a + b, 0) / plane;
            tol[q] = op === "GlobalMaxPool" ? 0 : gamma(plane + 2) * vals.reduce((a, b) => a + Math.abs(b), 0) / plane;
          }
          const mine = eg.io.importOnnx(bytes).run({ x }).y;
          expect(mine.shape).toEqual([2, C, ...sp.map(() => 1)]);
          within(`imported ${op}`, mine.data, want, tol);
          within(`onnxruntime ${op}`, (await ortRun(bytes, { x })).y.data, want, tol);
        }
      }), { numRuns: 25 });
  });
});
