// The importer's shape and data-movement operators from hand-built graphs: the Shape → Gather →
// Unsqueeze → Concat → Reshape chain PyTorch's exporter writes for a dynamic flatten, Reshape's 0
// and −1, Slice with steps of either sign and INT64_MAX/MIN bounds, Gather with negative indices,
// Squeeze, Unsqueeze, Transpose, Flatten, Expand, Constant, ConstantOfShape, Pad (constant, reflect,
// edge), DepthToSpace (DCR, CRD). Moving data is exact: each case is compared element for element
// with a reference written here from ONNX's definitions and with onnxruntime-web.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { attrInt, attrInts, attrString, attrTensor, FLOAT, graphModel, i64, INT64, node, ortRun, type Value } from "../support/onnx-graph.js";
import { valuesFrom } from "../support/reference.js";

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const draw = (shape: number[], seed: number) => {
  const v = valuesFrom(seed, -3, 3);
  return eg.fromTypedArray(Float32Array.from({ length: size(shape) }, (_, i) => v(i)), shape);
};
const ints = (v: number[], shape = [v.length]) => eg.fromTypedArray(Int32Array.from(v), shape);
const unflat = (k: number, s: readonly number[]) => s.map((_, i) => Math.floor(k / size(s.slice(i + 1))) % s[i]);
const flatOf = (idx: readonly number[], s: readonly number[]) => idx.reduce((a, p, i) => a * s[i] + p, 0);
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

/** Imported and onnxruntime outputs "y" equal the reference's values and shape exactly. */
async function exact(bytes: Uint8Array, feeds: Record<string, eg.Tensor>, want: ArrayLike<number>, shape: number[]): Promise<void> {
  const mine = eg.io.importOnnx(bytes).run(feeds).y, theirs = (await ortRun(bytes, feeds)).y;
  expect(mine.shape).toEqual(shape);
  expect(theirs.dims).toEqual(shape);
  expect(Array.from(mine.data)).toEqual(Array.from(want));
  expect(Array.from(theirs.data)).toEqual(Array.from(want));
}

const model = (nodes: Uint8Array[], inputs: Value[], inits: { name: string; type: number; dims: number[]; data: ArrayBufferView }[] = []) =>
  graphModel({ nodes, inits, inputs, outputs: [{ name: "y", type: FLOAT }] });

describe("shape computations as PyTorch's exporter writes them", () => {
  it("x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat with a Constant → Reshape, on drawn shapes", async () => {
    await fc.assert(fc.asyncProperty(shapeArb, fc.integer({ min: 1, max: 1e6 }), async (shape, seed) => {
      const x = draw(shape, seed);
      const bytes = model([
        node("Shape", ["x"], ["s"], "shape"),
        node("Constant", [], ["zero"], "zero", [attrTensor("value", INT64, [], i64([0]))]),
        node("Gather", ["s", "zero"], ["n"], "gather", [attrInt("axis", 0)]),
        node("Constant", [], ["axes"], "axes", [attrTensor("value", INT64, [1], i64([0]))]),
        node("Unsqueeze", ["n", "axes"], ["n1"], "unsqueeze"),
        node("Constant", [], ["rest"], "rest", [attrInts("value_ints", [-1])]),
        node("Concat", ["n1", "rest"], ["target"], "concat", [attrInt("axis", 0)]),
        node("Reshape", ["x", "target"], ["y"], "reshape"),
      ], [{ name: "x", type: FLOAT, dims: shape.map((_, i) => `d${i}`) }]);
      await exact(bytes, { x }, x.data, [shape[0], size(shape) / shape[0]]);
    }), { numRuns: 20 });
  });

  it("Reshape copies a dim for 0 and infers one −1; Flatten joins the dims before and after its axis", async () => {
    await fc.assert(fc.asyncProperty(shapeArb, fc.array(fc.constantFrom("keep", "infer", "size"), { minLength: 4, maxLength: 4 }), fc.integer({ min: -4, max: 4 }), fc.integer({ min: 1, max: 1e6 }),
      async (shape, kinds, axis, seed) => {
        const x = draw(shape, seed);
        let inferred = false;
        const target = shape.map((d, i) => {
          if (kinds[i] === "keep") return 0;
          if (kinds[i] === "infer" && !inferred) { inferred = true; return -1; }
          return d;
        });
        await exact(model([node("Reshape", ["x", "t"], ["y"], "r")], [{ name: "x", type: FLOAT }], [{ name: "t", type: INT64, dims: [target.length], data: i64(target) }]), { x }, x.data, shape);
        const a = Math.max(-shape.length, Math.min(axis, shape.length)), at = a < 0 ? a + shape.length : a;
        await exact(model([node("Flatten", ["x"], ["y"], "f", [attrInt("axis", a)])], [{ name: "x", type: FLOAT }]), { x }, x.data, [size(shape.slice(0, at)), size(shape.slice(at))]);
      }), { numRuns: 25 });
  });
});

describe("Slice, Gather and the axis operators", () => {
  // ±Infinity stand for INT64_MAX and INT64_MIN, the "to the end" bounds exporters write.
  const bound = fc.oneof(fc.integer({ min: -6, max: 6 }), fc.constantFrom(Infinity, -Infinity));
  const int64 = (v: number) => (v === Infinity ? 2n ** 63n - 1n : v === -Infinity ? -(2n ** 63n) : BigInt(v));
  it("Slice on drawn axes with drawn starts, ends (INT64_MAX/MIN too) and steps of either sign", async () => {
    await fc.assert(fc.asyncProperty(shapeArb, fc.array(fc.tuple(bound, bound, fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0)), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1e6 }),
      async (shape, specs, seed) => {
        const axes = specs.map((_, i) => i - specs.length).filter((a) => a >= -shape.length);
        const used = specs.slice(0, axes.length);
        const x = draw(shape, seed);
        // The spec's rule, axis by axis: negative bounds count from the end, then clamp ([0, n] for a positive step, [0, n − 1] and [−1, n − 1] for a negative one);
        // onnxruntime reads an end of INT64_MAX as "to the end the step runs to", backwards too, and the importer follows it.
        const picks = shape.map((n) => Array.from({ length: n }, (_, i) => i));
        used.forEach(([s0, e0, step], k) => {
          const d = axes[k] + shape.length, n = shape[d], norm = (v: number) => (v < 0 ? v + n : v);
          const s = step > 0 ? Math.min(Math.max(norm(s0), 0), n) : Math.min(Math.max(norm(s0), 0), n - 1);
          const e = e0 === Infinity ? (step > 0 ? n : -1) : step > 0 ? Math.min(Math.max(norm(e0), 0), n) : Math.min(Math.max(norm(e0), -1), n - 1);
          picks[d] = [];
          for (let i = s; step > 0 ? i < e : i > e; i += step) picks[d].push(i);
        });
        const out = picks.map((p) => p.length), want: number[] = [];
        for (let q = 0; q < size(out); q++) want.push(x.data[flatOf(unflat(q, out).map((p, d) => picks[d][p]), shape)]);
        const list = (name: string, v: number[]) => ({ name, type: INT64, dims: [v.length], data: BigInt64Array.from(v.map(int64)) });
        const inits = [list("starts", used.map((u) => u[0])), list("ends", used.map((u) => u[1])), list("axes", axes), list("steps", used.map((u) => u[2]))];
        await exact(model([node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"], "slice")], [{ name: "x", type: FLOAT }], inits), { x }, want, out);
      }), { numRuns: 60 });
  });

  it("Gather along a drawn axis with 0-d to 2-d indices, negative ones counting from the end", async () => {
    await fc.assert(fc.asyncProperty(shapeArb, fc.integer({ min: 0, max: 3 }), fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }), fc.integer({ min: 1, max: 1e6 }), async (shape, axisDraw, idxShape, seed) => {
        const axis = axisDraw % shape.length, n = shape[axis], x = draw(shape, seed);
        const v = valuesFrom(seed + 1, -n, n);
        const idx = Array.from({ length: size(idxShape) }, (_, i) => Math.floor(v(i)));
        const out = [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)], want: number[] = [];
        for (let q = 0; q < size(out); q++) {
          const p = unflat(q, out), at = idx[flatOf(p.slice(axis, axis + idxShape.length), idxShape)];
          want.push(x.data[flatOf([...p.slice(0, axis), at < 0 ? at + n : at, ...p.slice(axis + idxShape.length)], shape)]);
        }
        const bytes = model([node("Gather", ["x", "i"], ["y"], "gather", [attrInt("axis", axis - (seed % 2) * shape.length)])], [{ name: "x", type: FLOAT }, { name: "i", type: INT64 }]);
        await exact(bytes, { x, i: ints(idx, idxShape) }, want, out);
      }), { numRuns: 40 });
  });

  it("Squeeze (given axes or every size-1 dim), Unsqueeze, Transpose (drawn or default perm), Expand and Concat", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1e6 }), async (shape, seed) => {
      const x = draw(shape, seed), r = shape.length;
      const ones = shape.flatMap((d, i) => (d === 1 ? [i] : []));
      const squeezed = shape.filter((d) => d !== 1);
      const f = [{ name: "x", type: FLOAT }];
      await exact(model([node("Squeeze", ["x"], ["y"], "sq")], f), { x }, x.data, squeezed);
      if (ones.length) await exact(model([node("Squeeze", ["x", "a"], ["y"], "sq")], f, [{ name: "a", type: INT64, dims: [1], data: i64([ones[0] - r]) }]), { x }, x.data, shape.filter((_, i) => i !== ones[0]));
      await exact(model([node("Unsqueeze", ["x", "a"], ["y"], "un")], f, [{ name: "a", type: INT64, dims: [2], data: i64([-1, 0]) }]), { x }, x.data, [1, ...shape, 1]);
      const perm = shape.map((_, i) => i).sort((a, b) => ((a * 7 + seed) % 5) - ((b * 7 + seed) % 5));
      for (const p of [perm, null]) {
        const pp = p ?? shape.map((_, i) => r - 1 - i), out = pp.map((d) => shape[d]), want: number[] = [];
        for (let q = 0; q < x.size; q++) { const o = unflat(q, out), src = new Array<number>(r); pp.forEach((d, i) => { src[d] = o[i]; }); want.push(x.data[flatOf(src, shape)]); }
        await exact(model([node("Transpose", ["x"], ["y"], "t", p ? [attrInts("perm", p)] : [])], f), { x }, want, out);
      }
      const big = [2, ...shape.map((d) => (d === 1 ? 3 : d))], wantE: number[] = [];
      for (let q = 0; q < size(big); q++) wantE.push(x.data[flatOf(unflat(q, big).slice(1).map((p, i) => (shape[i] === 1 ? 0 : p)), shape)]);
      await exact(model([node("Expand", ["x", "s"], ["y"], "e")], f, [{ name: "s", type: INT64, dims: [r + 1], data: i64([2, ...shape.map((d) => (d === 1 ? 3 : 1))]) }]), { x }, wantE, big);
      const axis = seed % r, z = draw(shape.map((d, i) => (i === axis ? d + 1 : d)), seed + 1), out = shape.map((d, i) => (i === axis ? 2 * d + 1 : d)), wantC: number[] = [];
      for (let q = 0; q < size(out); q++) {
        const p = unflat(q, out);
        wantC.push(p[axis] < shape[axis] ? x.data[flatOf(p, shape)] : z.data[flatOf(p.map((v, i) => (i === axis ? v - shape[axis] : v)), z.shape)]);
      }
      await exact(model([node("Concat", ["x", "z"], ["y"], "c", [attrInt("axis", axis - r)])], [...f, { name: "z", type: FLOAT }]), { x, z }, wantC, out);
    }), { numRuns: 20 });
  });
});

describe("constants, padding and DepthToSpace", () => {
  it("Constant (value tensor, value_float(s)), ConstantOfShape of a drawn shape and fill", async () => {
    await fc.assert(fc.asyncProperty(shapeArb, fc.float({ noNaN: true, noDefaultInfinity: true }), async (shape, fill) => {
      const v = Math.fround(fill);
      await exact(model([node("ConstantOfShape", ["s"], ["y"], "c", [attrTensor("value", FLOAT, [1], Float32Array.of(v))])], [], [{ name: "s", type: INT64, dims: [shape.length], data: i64(shape) }]),
        {}, new Array(size(shape)).fill(v), shape);
      await exact(model([node("Constant", [], ["y"], "c", [attrTensor("value", FLOAT, shape, Float32Array.from({ length: size(shape) }, (_, i) => v + i))])], []),
        {}, Array.from({ length: size(shape) }, (_, i) => Math.fround(v + i)), shape);
    }), { numRuns: 20 });
  });

  it("Pad (constant with a value, reflect, edge; per-dim begins and ends) and DepthToSpace (DCR, CRD)", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 2, maxLength: 4 }), fc.constantFrom("constant", "reflect", "edge"), fc.integer({ min: 1, max: 1e6 }), async (shape, mode, seed) => {
      const x = draw(shape, seed), r = shape.length;
      const pads = Array.from({ length: 2 * r }, (_, i) => ((seed >> i) % 3) % (shape[i % r] - (mode === "reflect" ? 0 : -1)));
      const out = shape.map((d, i) => d + pads[i] + pads[i + r]), want: number[] = [];
      for (let q = 0; q < size(out); q++) {
        const p = unflat(q, out).map((v, i) => v - pads[i]);
        if (mode === "constant" && p.some((v, i) => v < 0 || v >= shape[i])) { want.push(1.5); continue; }
        const src = p.map((v, i) => (mode === "edge" ? Math.min(Math.max(v, 0), shape[i] - 1) : v < 0 ? -v : v >= shape[i] ? 2 * (shape[i] - 1) - v : v));
        want.push(x.data[flatOf(src, shape)]);
      }
      const inits = [{ name: "pads", type: INT64, dims: [2 * r], data: i64(pads) }, ...(mode === "constant" ? [{ name: "v", type: FLOAT, dims: [], data: Float32Array.of(1.5) }] : [])];
      await exact(model([node("Pad", mode === "constant" ? ["x", "pads", "v"] : ["x", "pads"], ["y"], "pad", [attrString("mode", mode)])], [{ name: "x", type: FLOAT }], inits), { x }, want, out);
      // DepthToSpace on [N, b²·k, H, W].
      const b = 2, k = 1 + (seed % 2), img = draw([2, b * b * k, 2, 3], seed + 1);
      for (const dm of ["DCR", "CRD"]) {
        const outD = [2, k, 4, 6], wantD: number[] = [];
        for (let q = 0; q < size(outD); q++) {
          const [n, c, h, w] = unflat(q, outD), i = h % b, j = w % b;
          const ch = dm === "DCR" ? (i * b + j) * k + c : c * b * b + i * b + j;
          wantD.push(img.data[flatOf([n, ch, Math.floor(h / b), Math.floor(w / b)], img.shape)]);
        }
        await exact(model([node("DepthToSpace", ["x"], ["y"], "d2s", [attrInt("blocksize", b), attrString("mode", dm)])], [{ name: "x", type: FLOAT }]), { x: img }, wantD, outD);
      }
    }), { numRuns: 25 });
  });
});
