// Hand-built ONNX graphs for what the exporter alone does not write: Conv and ConvTranspose with
// unequal pads, auto_pad and output_padding; pools with unequal pads, count_include_pad 0 and
// ceil_mode; ConvInteger with zero points; Gemm's alpha, beta and transA. Each drawn case runs in
// the importer and in onnxruntime-web and both are checked against a float64 reference written
// here from ONNX's definitions (index loops), within γ(k + 1)·Σ|terms| + u·|y| for a k-term sum;
// ConvInteger exactly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { attrFloat, attrInt, attrInts, attrString, FLOAT, graphModel, INT8, node, ortRun, UINT8 } from "../support/onnx-graph.js";
import { valuesFrom } from "../support/reference.js";
import { gamma, U32 } from "../support/tolerance.js";

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const draw = (shape: number[], seed: number, lo = -2, hi = 2) => {
  const v = valuesFrom(seed, lo, hi);
  return eg.fromTypedArray(Float32Array.from({ length: size(shape) }, (_, i) => v(i)), shape);
};
/** Row-major strides and the multi-index of a flat position. */
const strides = (s: readonly number[]) => s.map((_, i) => size(s.slice(i + 1)));
const unflat = (k: number, s: readonly number[]) => s.map((_, i) => Math.floor(k / size(s.slice(i + 1))) % s[i]);

interface Ref { y: Float64Array; tol: Float64Array; shape: number[] }

function check(who: string, got: { data: ArrayLike<number>; dims: readonly number[] }, ref: Ref): void {
  expect(got.dims, who).toEqual(ref.shape);
  for (let i = 0; i < ref.y.length; i++) {
    const bound = ref.tol[i] + U32 * Math.abs(ref.y[i]) + 2 ** -140;
    if (!(Math.abs(got.data[i] - ref.y[i]) <= bound)) throw new Error(`${who} output ${i}: ${got.data[i]} vs float64 ${ref.y[i]} (bound ${bound})`);
  }
}

async function both(bytes: Uint8Array, feeds: Record<string, eg.Tensor>, ref: Ref): Promise<void> {
  const mine = eg.noGrad(() => eg.io.importOnnx(bytes).run(feeds)).y;
  check("imported", { data: mine.data, dims: mine.shape }, ref);
  check("onnxruntime", (await ortRun(bytes, feeds)).y, ref);
}

interface Geometry { k: number[]; s: number[]; d: number[]; begin: number[]; end: number[] }

/** Convolution by ONNX's definition: y[n, m, o…] = B[m] + Σ x[n, g·C/G + c, o·s − begin + k·d]·W[m, c, k…], zero outside. */
function refConv(x: eg.Tensor, w: eg.Tensor, b: eg.Tensor | null, g: Geometry, group: number): Ref {
  const [N, , ...inSp] = x.shape, [M, Cg, ...kSp] = w.shape;
  const out = inSp.map((n, i) => Math.floor((n + g.begin[i] + g.end[i] - g.d[i] * (kSp[i] - 1) - 1) / g.s[i]) + 1);
  const shape = [N, M, ...out], y = new Float64Array(size(shape)), tol = new Float64Array(y.length), xs = strides(x.shape);
  for (let o = 0; o < y.length; o++) {
    const [n, m, ...pos] = unflat(o, shape), grp = Math.floor(m / (M / group));
    let sum = b ? b.data[m] : 0, abs = Math.abs(sum), terms = 1;
    for (let kk = 0; kk < Cg * size(kSp); kk++) {
      const [c, ...tap] = unflat(kk, [Cg, ...kSp]);
      const at = pos.map((p, i) => p * g.s[i] - g.begin[i] + tap[i] * g.d[i]);
      if (at.some((a, i) => a < 0 || a >= inSp[i])) continue;
      const v = x.data[n * xs[0] + (grp * Cg + c) * xs[1] + at.reduce((a, p, i) => a + p * xs[i + 2], 0)] * w.data[m * Cg * size(kSp) + kk];
      sum += v; abs += Math.abs(v); terms++;
    }
    y[o] = sum; tol[o] = gamma(terms + 1) * abs;
  }
  return { y, tol, shape };
}

const spatial = fc.integer({ min: 1, max: 3 });
const geometryArb = (sp: number) => fc.record({
  k: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: sp, maxLength: sp }), s: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: sp, maxLength: sp }),
  d: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: sp, maxLength: sp }), begin: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: sp, maxLength: sp }),
  end: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: sp, maxLength: sp }),
});

describe("Conv, ConvTranspose and ConvInteger from hand-built graphs", () => {
  it("Conv (1-d to 3-d) with unequal pads, strides, dilations, groups and a bias, or auto_pad SAME_UPPER/SAME_LOWER/VALID", async () => {
    await fc.assert(fc.asyncProperty(spatial.chain((sp) => geometryArb(sp)), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }),
      fc.constantFrom("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), async (g, group, perGroup, autoPad, bias, seed) => {
        const inSp = g.k.map((k, i) => g.d[i] * (k - 1) + 1 + ((seed >> i) % 4));
        if (autoPad.startsWith("SAME")) g.d = g.d.map(() => 1);  // onnxruntime refuses dilations with SAME padding
        const C = group * perGroup, M = group * 2;
        const x = draw([2, C, ...inSp], seed), w = draw([M, perGroup, ...g.k], seed + 1), b = draw([M], seed + 2);
        if (autoPad.startsWith("SAME")) {
          const total = inSp.map((n, i) => Math.max(0, (Math.ceil(n / g.s[i]) - 1) * g.s[i] + g.d[i] * (g.k[i] - 1) + 1 - n));
          g.begin = total.map((t) => (autoPad === "SAME_UPPER" ? Math.floor(t / 2) : Math.ceil(t / 2)));
          g.end = total.map((t, i) => t - g.begin[i]);
        } else if (autoPad === "VALID") { g.begin = g.begin.map(() => 0); g.end = g.end.map(() => 0); }
        const attrs = [attrInts("kernel_shape", g.k), attrInts("strides", g.s), attrInts("dilations", g.d), attrInt("group", group),
          autoPad === "NOTSET" ? attrInts("pads", [...g.begin, ...g.end]) : attrString("auto_pad", autoPad)];
        const bytes = graphModel({ nodes: [node("Conv", bias ? ["x", "w", "b"] : ["x", "w"], ["y"], "conv", attrs)],
          inputs: ["x", "w", ...(bias ? ["b"] : [])].map((name) => ({ name, type: FLOAT })), outputs: [{ name: "y", type: FLOAT }] });
        await both(bytes, bias ? { x, w, b } : { x, w }, refConv(x, w, bias ? b : null, g, group));
      }), { numRuns: 40 });
  });

  it("ConvTranspose with unequal pads and output_padding: ONNX's scatter definition", async () => {
    await fc.assert(fc.asyncProperty(spatial.chain((sp) => geometryArb(sp)), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 1e6 }), async (g, group, seed) => {
      const inSp = g.k.map((_, i) => 1 + ((seed >> i) % 3));
      // onnxruntime takes output_padding below the stride only (PyTorch, and the importer, below the stride or the dilation).
      const extra = g.s.map((s, i) => ((seed >> (i + 3)) % s));
      const full = inSp.map((n, i) => (n - 1) * g.s[i] + g.d[i] * (g.k[i] - 1) + 1 + extra[i]);
      g.end = g.end.map((e, i) => Math.min(e, full[i] - g.begin[i] - 1));
      if (g.end.some((e) => e < 0)) g.begin = g.begin.map(() => 0), g.end = g.end.map(() => 0);
      const C = group * 2, Mg = 2, x = draw([1, C, ...inSp], seed), w = draw([C, Mg, ...g.k], seed + 1), b = draw([group * Mg], seed + 2);
      const out = full.map((f, i) => f - g.begin[i] - g.end[i]), shape = [1, group * Mg, ...out];
      const y = new Float64Array(size(shape)), abs = new Float64Array(y.length), terms = new Float64Array(y.length).fill(1);
      y.forEach((_, o) => { const m = unflat(o, shape)[1]; y[o] = b.data[m]; abs[o] = Math.abs(b.data[m]); });
      for (let i = 0; i < x.size; i++) {
        const [, c, ...pos] = unflat(i, x.shape), grp = Math.floor(c / 2);
        for (let kk = 0; kk < Mg * size(g.k); kk++) {
          const [m, ...tap] = unflat(kk, [Mg, ...g.k]);
          const at = pos.map((p, d) => p * g.s[d] - g.begin[d] + tap[d] * g.d[d]);
          if (at.some((a, d) => a < 0 || a >= out[d])) continue;
          const o = (grp * Mg + m) * size(out) + at.reduce((a, p, d) => a + p * size(out.slice(d + 1)), 0);
          const v = x.data[i] * w.data[c * Mg * size(g.k) + kk];
          y[o] += v; abs[o] += Math.abs(v); terms[o]++;
        }
      }
      const attrs = [attrInts("kernel_shape", g.k), attrInts("strides", g.s), attrInts("dilations", g.d), attrInt("group", group),
        attrInts("pads", [...g.begin, ...g.end]), attrInts("output_padding", extra)];
      const bytes = graphModel({ nodes: [node("ConvTranspose", ["x", "w", "b"], ["y"], "convT", attrs)],
        inputs: ["x", "w", "b"].map((name) => ({ name, type: FLOAT })), outputs: [{ name: "y", type: FLOAT }] });
      await both(bytes, { x, w, b }, { y, tol: abs.map((a, o) => gamma(terms[o] + 1) * a), shape });
    }), { numRuns: 40 });
  });

  it("ConvInteger: exact int32 Σ (x − x_zero_point)·(w − w_zero_point), per-output-channel weight zero points, pads reading the input's zero point", async () => {
    await fc.assert(fc.asyncProperty(geometryArb(2), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), async (g, perChannel, seed) => {
      const inSp = g.k.map((k, i) => g.d[i] * (k - 1) + 1 + ((seed >> i) % 3)), C = 2, M = 3;
      const ints = (n: number, lo: number, hi: number, k: number) => { const v = valuesFrom(seed + k, lo, hi + 1); return Array.from({ length: n }, (_, i) => Math.floor(v(i))); };
      const x = eg.fromTypedArray(Uint8Array.from(ints(2 * C * size(inSp), 0, 255, 1)), [2, C, ...inSp]);
      const w = eg.fromTypedArray(Int8Array.from(ints(M * C * size(g.k), -128, 127, 2)), [M, C, ...g.k]);
      const xz = eg.fromTypedArray(Uint8Array.of(ints(1, 0, 255, 3)[0]), []);
      const wz = perChannel ? eg.fromTypedArray(Int8Array.from(ints(M, -10, 10, 4)), [M]) : eg.fromTypedArray(Int8Array.of(5), []);
      const attrs = [attrInts("kernel_shape", g.k), attrInts("strides", g.s), attrInts("dilations", g.d), attrInts("pads", [...g.begin, ...g.end])];
      const bytes = graphModel({ nodes: [node("ConvInteger", ["x", "w", "xz", "wz"], ["y"], "conv", attrs)],
        inputs: [{ name: "x", type: UINT8 }, { name: "w", type: INT8 }, { name: "xz", type: UINT8 }, { name: "wz", type: INT8 }], outputs: [{ name: "y", type: 6 }] });
      const centeredX = eg.fromTypedArray(Float64Array.from(x.data, (v) => v - xz.data[0]), x.shape);
      const centeredW = eg.fromTypedArray(Float64Array.from(w.data, (v, i) => v - (perChannel ? wz.data[Math.floor(i / (C * size(g.k)))] : wz.data[0])), w.shape);
      const ref = refConv(centeredX, centeredW, null, g, 1);
      const mine = eg.io.importOnnx(bytes).run({ x, w, xz, wz }).y;
      expect(mine.dtype).toBe("int32");
      expect(mine.shape).toEqual(ref.shape);
      expect(Array.from(mine.data)).toEqual(Array.from(ref.y));
      // onnxruntime's ConvInteger takes one weight zero point only.
      if (!perChannel) expect(Array.from((await ortRun(bytes, { x, w, xz, wz })).y.data)).toEqual(Array.from(ref.y));
    }), { numRuns: 25 });
  });
});

/** Pooling by ONNX's definition over the window o·s − begin + k·d; average divisors by count_include_pad (taps inside [−begin, n + end)) or the real taps. */
function refPool(x: eg.Tensor, g: Geometry, kind: "max" | "avg" | "lp", o: { countPad?: boolean; ceil?: boolean; p?: number }): Ref {
  const [N, C, ...inSp] = x.shape;
  const out = inSp.map((n, i) => {
    const span = (n + g.begin[i] + g.end[i] - g.d[i] * (g.k[i] - 1) - 1) / g.s[i];
    return (o.ceil ? Math.ceil(span) : Math.floor(span)) + 1;
  });
  const shape = [N, C, ...out], y = new Float64Array(size(shape)), tol = new Float64Array(y.length), plane = size(inSp);
  for (let q = 0; q < y.length; q++) {
    const [n, c, ...pos] = unflat(q, shape);
    let best = -Infinity, sum = 0, abs = 0, real = 0, padded = 1;
    pos.forEach((p, i) => {
      const start = p * g.s[i] - g.begin[i];
      padded *= Math.min(start + g.k[i], inSp[i] + g.end[i]) - start;
    });
    for (let kk = 0; kk < size(g.k); kk++) {
      const tap = unflat(kk, g.k), at = pos.map((p, i) => p * g.s[i] - g.begin[i] + tap[i] * g.d[i]);
      if (at.some((a, i) => a < 0 || a >= inSp[i])) continue;
      const v = x.data[(n * C + c) * plane + at.reduce((a, pp, i) => a + pp * size(inSp.slice(i + 1)), 0)];
      best = Math.max(best, v); real++;
      const t = kind === "lp" ? Math.abs(v) ** (o.p as number) : v;
      sum += t; abs += Math.abs(t);
    }
    if (kind === "max") { y[q] = best; continue; }
    if (kind === "lp") { y[q] = sum ** (1 / (o.p as number)); tol[q] = gamma(real + 8) * y[q] + 8 * U32 * y[q]; continue; }
    const div = o.countPad ? padded : real;
    y[q] = sum / div; tol[q] = gamma(real + 2) * abs / div;
  }
  return { y, tol, shape };
}

describe("pools from hand-built graphs", () => {
  it("MaxPool (dilations) and AveragePool (count_include_pad 0 and 1) with unequal pads, and LpPool, on 1-d to 3-d inputs", async () => {
    await fc.assert(fc.asyncProperty(spatial.chain((sp) => geometryArb(sp)), fc.constantFrom<"max" | "avg" | "lp">("max", "avg", "lp"), fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 1e6 }),
      async (g, kind, countPad, p, seed) => {
        if (kind !== "max") g.d = g.d.map(() => 1);
        // Runtimes take pads smaller than the kernel only.
        g.begin = g.begin.map((b, i) => Math.min(b, g.k[i] - 1)); g.end = g.end.map((e, i) => Math.min(e, g.k[i] - 1));
        const inSp = g.k.map((k, i) => g.d[i] * (k - 1) + 1 + ((seed >> i) % 4));
        const x = draw([2, 2, ...inSp], seed);
        const attrs = [attrInts("kernel_shape", g.k), attrInts("strides", g.s), attrInts("pads", [...g.begin, ...g.end])];
        if (kind === "max") attrs.push(attrInts("dilations", g.d));
        if (kind === "avg") attrs.push(attrInt("count_include_pad", countPad ? 1 : 0));
        if (kind === "lp") attrs.push(attrInt("p", p));
        const op = { max: "MaxPool", avg: "AveragePool", lp: "LpPool" }[kind];
        const bytes = graphModel({ nodes: [node(op, ["x"], ["y"], "pool", attrs)], inputs: [{ name: "x", type: FLOAT }], outputs: [{ name: "y", type: FLOAT }] });
        await both(bytes, { x }, refPool(x, g, kind, { countPad, p }));
      }), {
      numRuns: 60,
      examples: [[{ k: [2, 2], s: [3, 2], d: [1, 1], begin: [1, 1], end: [1, 0] }, "max", false, 1, 125208]],
    });
  });

  it("ceil_mode: imported where ONNX's and PyTorch's window counts agree (max and average), refused by name where the last window would start in the padding", async () => {
    const x = draw([1, 1, 7, 6], 3);
    const pool = (op: string, k: number, s: number, pads: number[], extra: ReturnType<typeof attrInt>[] = []) => graphModel({
      nodes: [node(op, ["x"], ["y"], "pool", [attrInts("kernel_shape", [k, k]), attrInts("strides", [s, s]), attrInts("pads", pads), attrInt("ceil_mode", 1), ...extra])],
      inputs: [{ name: "x", type: FLOAT }], outputs: [{ name: "y", type: FLOAT }],
    });
    const g = { k: [3, 3], s: [2, 2], d: [1, 1], begin: [1, 1], end: [1, 1] };
    await both(pool("MaxPool", 3, 2, [1, 1, 1, 1]), { x }, refPool(x, g, "max", { ceil: true }));
    await both(pool("AveragePool", 3, 2, [0, 0, 0, 0], [attrInt("count_include_pad", 0)]), { x }, refPool(x, { ...g, begin: [0, 0], end: [0, 0] }, "avg", { ceil: true }));
    // 5 + 2·1 with kernel 2, stride 3: ONNX counts ⌈5/3⌉ + 1 = 3 windows, the last starting at 6 ≥ 5 + 1 (in the right padding).
    const bytes = graphModel({ nodes: [node("MaxPool", ["x"], ["y"], "late", [attrInts("kernel_shape", [2]), attrInts("strides", [3]), attrInts("pads", [1, 1]), attrInt("ceil_mode", 1)])],
      inputs: [{ name: "x", type: FLOAT }], outputs: [{ name: "y", type: FLOAT }] });
    expect(() => eg.io.importOnnx(bytes).run({ x: draw([1, 1, 5], 4) })).toThrow(/node "late" \(MaxPool\): ceil_mode gives 3 windows on spatial axis 0/);
  });
});

describe("Gemm's attributes", () => {
  it("alpha·op(A)·op(B) + beta·C for drawn transA, transB, alpha, beta and a C of any broadcastable shape", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean(),
      fc.constantFrom(1, 0.5, -2), fc.constantFrom(1, 0.25, 3), fc.constantFrom("none", "scalar", "row", "column", "full"), fc.integer({ min: 1, max: 1e6 }),
      async (M, K, N, tA, tB, alpha, beta, cKind, seed) => {
        const a = draw(tA ? [K, M] : [M, K], seed), b = draw(tB ? [N, K] : [K, N], seed + 1);
        const cShape = { none: [], scalar: [], row: [N], column: [M, 1], full: [M, N] }[cKind];
        const c = draw(cShape, seed + 2);
        const attrs = [attrFloat("alpha", alpha), attrFloat("beta", beta), attrInt("transA", tA ? 1 : 0), attrInt("transB", tB ? 1 : 0)];
        const bytes = graphModel({ nodes: [node("Gemm", cKind === "none" ? ["a", "b"] : ["a", "b", "c"], ["y"], "gemm", attrs)],
          inputs: ["a", "b", ...(cKind === "none" ? [] : ["c"])].map((name) => ({ name, type: FLOAT })), outputs: [{ name: "y", type: FLOAT }] });
        const y = new Float64Array(M * N), tol = new Float64Array(M * N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = 0, abs = 0;
          for (let k = 0; k < K; k++) { const v = a.data[tA ? k * M + i : i * K + k] * b.data[tB ? j * K + k : k * N + j]; s += v; abs += Math.abs(v); }
          const cv = cKind === "none" ? 0 : c.data[cKind === "scalar" ? 0 : cKind === "row" ? j : cKind === "column" ? i : i * N + j];
          y[i * N + j] = alpha * s + beta * cv;
          tol[i * N + j] = gamma(K + 3) * (Math.abs(alpha) * abs + Math.abs(beta * cv));
        }
        await both(bytes, cKind === "none" ? { a, b } : { a, b, c }, { y, tol, shape: [M, N] });
      }), { numRuns: 40 });
  });
});
