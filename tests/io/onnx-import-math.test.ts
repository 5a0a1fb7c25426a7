// The importer's elementwise, reduction, product and quantization operators from hand-built
// graphs, in the importer and in onnxruntime-web, against float64 references written here: the
// arithmetic with numpy broadcasting on drawn shapes, the unary ops and activations with their
// attributes, integer Div (truncating) and Cast, Clip, the softmaxes and reductions on drawn axes,
// batched MatMul; QuantizeLinear, DequantizeLinear and MatMulInteger exactly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { attrFloat, attrInt, attrInts, FLOAT, graphModel, i64, INT32, INT64, INT8, node, ortRun, UINT8 } from "../support/onnx-graph.js";
import { broadcastIndex, valuesFrom } from "../support/reference.js";
import { gamma, U32 } from "../support/tolerance.js";

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const draw = (shape: number[], seed: number, lo = -3, hi = 3) => {
  const v = valuesFrom(seed, lo, hi);
  return eg.fromTypedArray(Float32Array.from({ length: size(shape) }, (_, i) => v(i)), shape);
};
const unflat = (k: number, s: readonly number[]) => s.map((_, i) => Math.floor(k / size(s.slice(i + 1))) % s[i]);
const flatOf = (idx: readonly number[], s: readonly number[]) => idx.reduce((a, p, i) => a * s[i] + p, 0);
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });

function within(who: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number) => number): void {
  expect(got.length, who).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= tol(i) || (Number.isNaN(got[i]) && Number.isNaN(want[i])) || got[i] === want[i];
    if (!ok) throw new Error(`${who} output ${i}: ${got[i]} vs float64 ${want[i]} (bound ${tol(i)})`);
  }
}

/** One node over the feeds (inputs by name, in order, "" for an omitted one), output "y". */
function one(op: string, names: string[], feeds: Record<string, eg.Tensor>, attrs: Uint8Array[] = [], types: Record<string, number> = {}, outType = FLOAT) {
  return graphModel({ nodes: [node(op, names, ["y"], op.toLowerCase(), attrs)],
    inputs: Object.keys(feeds).map((name) => ({ name, type: types[name] ?? FLOAT })), outputs: [{ name: "y", type: outType }] });
}

async function both(bytes: Uint8Array, feeds: Record<string, eg.Tensor>, want: ArrayLike<number>, shape: number[], tol: (i: number) => number, intType: "int64" | "int32" = "int64") {
  const mine = eg.io.importOnnx(bytes).run(feeds).y, theirs = (await ortRun(bytes, feeds, intType)).y;
  expect(mine.shape).toEqual(shape);
  expect(theirs.dims).toEqual(shape);
  within("imported", mine.data, want, tol);
  within("onnxruntime", theirs.data, want, tol);
}

const broadcastPair = shapeArb.chain((out) => fc.tuple(fc.constant(out),
  fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)))));

describe("elementwise operators", () => {
  it("Add, Sub, Mul, Div and Pow broadcast as numpy does, within one rounding (a few ulps for Pow)", async () => {
    const ops: [string, (a: number, b: number) => number, number][] = [["Add", (a, b) => a + b, 1], ["Sub", (a, b) => a - b, 1], ["Mul", (a, b) => a * b, 1], ["Div", (a, b) => a / b, 1], ["Pow", (a, b) => a ** b, 64]];
    await fc.assert(fc.asyncProperty(broadcastPair, fc.boolean(), fc.constantFrom(...ops), fc.integer({ min: 1, max: 1e6 }), async ([out, small], swap, [op, f, ulps], seed) => {
      const [sa, sb] = swap ? [small, out] : [out, small];
      const a = draw(sa, seed, op === "Pow" ? 0.1 : -3, 3), b = draw(sb, seed + 1, op === "Div" ? 0.5 : -3, 3);
      const want = Array.from({ length: size(out) }, (_, q) => {
        const p = unflat(q, out);
        return f(a.data[flatOf(broadcastIndex(p, sa), sa)], b.data[flatOf(broadcastIndex(p, sb), sb)]);
      });
      await both(one(op, ["a", "b"], { a, b }), { a, b }, want, out, (i) => ulps * U32 * Math.abs(want[i]) + 2 ** -140);
    }), { numRuns: 50 });
  });

  it("unary ops and activations with their attributes (Elu, LeakyRelu, ThresholdedRelu, Shrink) within a few ulps", async () => {
    const relu = (v: number) => Math.max(v, 0);
    // Elu's extra term: runtimes compute alpha·(exp(x) − 1) (onnxruntime-web does), whose error is
    // a few ulps of exp(x) ≈ 1, absolute rather than relative to a result near 0 (seen: 1.9e-5
    // relative at x = −0.001).
    const eluAbs = (v: number) => (v < 0 ? 0.5 * 4 * U32 * Math.exp(v) : 0);
    const ops: [string, (v: number) => number, Uint8Array[], [number, number]?, ((v: number) => number)?][] = [
      ["Relu", relu, []], ["Sigmoid", (v) => 1 / (1 + Math.exp(-v)), []], ["Tanh", Math.tanh, []], ["Erf", (v) => eg.nn.erf(v), []],
      ["Sqrt", Math.sqrt, [], [0.01, 4]], ["Exp", Math.exp, []], ["Log", Math.log, [], [0.01, 4]], ["Reciprocal", (v) => 1 / v, [], [0.5, 4]], ["Floor", Math.floor, []],
      ["Ceil", Math.ceil, []], ["Neg", (v) => -v, []], ["Abs", Math.abs, []], ["Elu", (v) => (v < 0 ? 0.5 * Math.expm1(v) : v), [attrFloat("alpha", 0.5)], undefined, eluAbs],
      ["LeakyRelu", (v) => (v < 0 ? 0.125 * v : v), [attrFloat("alpha", 0.125)]], ["ThresholdedRelu", (v) => (v > 0.75 ? v : 0), [attrFloat("alpha", 0.75)]],
      ["Shrink", (v) => (v < -1.5 ? v + 0.25 : v > 1.5 ? v - 0.25 : 0), [attrFloat("lambd", 1.5), attrFloat("bias", 0.25)]],
    ];
    await fc.assert(fc.asyncProperty(shapeArb, fc.constantFrom(...ops), fc.integer({ min: 1, max: 1e6 }), async (shape, [op, f, attrs, range, absolute], seed) => {
      const x = draw(shape, seed, ...(range ?? [-3, 3]));
      const want = Array.from(x.data, f);
      // libm-grade kernels (runtimes approximate tanh, erf, exp): 64 ulps and 2^-30 absolute.
      await both(one(op, ["x"], { x }, attrs), { x }, want, shape, (i) => 64 * U32 * Math.abs(want[i]) + 2 ** -30 + (absolute?.(x.data[i]) ?? 0));
    }), { numRuns: 60, examples: [[[2, 3], ops.find(([name]) => name === "Elu")!, 9]] }); // x = −0.001 among the drawn values
  });

  it("PRelu (a slope per channel or one), Clip with both, one or neither bound", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 }), fc.boolean(), fc.constantFrom("both", "min", "max"), fc.integer({ min: 1, max: 1e6 }), async (shape, perChannel, bounds, seed) => {
      const x = draw(shape, seed), C = shape[1], slope = draw(perChannel ? [C, ...shape.slice(2).map(() => 1)] : [1], seed + 1, -1, 1);
      const want = Array.from(x.data, (v, i) => (v < 0 ? v * slope.data[perChannel ? unflat(i, shape)[1] : 0] : v));
      await both(one("PRelu", ["x", "s"], { x, s: slope }), { x, s: slope }, want, shape, (i) => U32 * Math.abs(want[i]));
      const lo = eg.tensor(-1.25), hi = eg.tensor(0.5);
      const feeds: Record<string, eg.Tensor> = bounds === "both" ? { x, lo, hi } : bounds === "min" ? { x, lo } : { x, hi };
      const clip = Array.from(x.data, (v) => Math.min(Math.max(v, bounds === "max" ? -Infinity : -1.25), bounds === "min" ? Infinity : 0.5));
      await both(one("Clip", bounds === "max" ? ["x", "", "hi"] : Object.keys(feeds), feeds), feeds, clip, shape, () => 0);
    }), { numRuns: 20 });
  });

  it("integer Div truncates toward zero; Cast truncates floats to integers and widens integers to floats", async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 37 }), fc.boolean(), async (values, d, negative) => {
      const a = eg.fromTypedArray(Int32Array.from(values), [values.length]), b = eg.fromTypedArray(Int32Array.of(negative ? -d : d), [1]);
      const want = values.map((v) => Math.trunc(v / (negative ? -d : d)));
      await both(one("Div", ["a", "b"], { a, b }, [], { a: INT32, b: INT32 }, INT32), { a, b }, want, [values.length], () => 0, "int32");
      const x = eg.fromTypedArray(Float32Array.from(values, (v) => v / 7), [values.length]);
      await both(one("Cast", ["x"], { x }, [attrInt("to", INT32)], {}, INT32), { x }, Array.from(x.data, Math.trunc), [values.length], () => 0);
      await both(one("Cast", ["a"], { a }, [attrInt("to", FLOAT)], { a: INT64 }), { a }, values, [values.length], () => 0);
    }), { numRuns: 20 });
  });
});

describe("softmaxes, reductions and MatMul", () => {
  it("Softmax and LogSoftmax on a drawn axis; ReduceMean, ReduceMax, ReduceMin (axes attribute) and ReduceSum (axes input) with keepdims", async () => {
    await fc.assert(fc.asyncProperty(shapeArb, fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), async (shape, axisDraw, keep, seed) => {
      const x = draw(shape, seed), r = shape.length, axis = axisDraw % r, n = shape[axis];
      const lane = (q: number) => { const p = unflat(q, shape); return Array.from({ length: n }, (_, j) => x.data[flatOf(p.map((v, d) => (d === axis ? j : v)), shape)]); };
      for (const log of [false, true]) {
        const want = Array.from(x.data, (v, q) => { const l = lane(q), m = Math.max(...l), s = l.reduce((a, b) => a + Math.exp(b - m), 0); return log ? v - m - Math.log(s) : Math.exp(v - m) / s; });
        await both(one(log ? "LogSoftmax" : "Softmax", ["x"], { x }, [attrInt("axis", axis - r)]), { x }, want, shape, (i) => gamma(2 * n + 16) * (Math.abs(want[i]) + (log ? Math.abs(x.data[i]) + 1 : 0)));
      }
      const out = shape.map((d, i) => (i === axis ? 1 : d)), reducedShape = keep ? out : shape.filter((_, i) => i !== axis);
      const lanes = Array.from({ length: size(out) }, (_, q) => lane(flatOf(unflat(q, out), shape)));
      const reductions: [string, (l: number[]) => number, Uint8Array[], string[]][] = [
        ["ReduceMean", (l) => l.reduce((a, b) => a + b, 0) / n, [attrInts("axes", [axis])], ["x"]],
        ["ReduceMax", (l) => Math.max(...l), [attrInts("axes", [axis])], ["x"]],
        ["ReduceMin", (l) => Math.min(...l), [attrInts("axes", [axis])], ["x"]],
        ["ReduceSum", (l) => l.reduce((a, b) => a + b, 0), [], ["x", "axes"]],
      ];
      for (const [op, f, attrs, names] of reductions) {
        const want = lanes.map(f), bytes = graphModel({ nodes: [node(op, names, ["y"], "reduce", [...attrs, attrInt("keepdims", keep ? 1 : 0)])],
          inits: names.includes("axes") ? [{ name: "axes", type: INT64, dims: [1], data: i64([axis]) }] : [], inputs: [{ name: "x", type: FLOAT }], outputs: [{ name: "y", type: FLOAT }] });
        await both(bytes, { x }, want, reducedShape, (i) => gamma(n + 2) * lanes[i].reduce((a, b) => a + Math.abs(b), 0));
      }
    }), { numRuns: 25 });
  });

  it("MatMul broadcasts batch dims and promotes vectors, as numpy.matmul", async () => {
    await fc.assert(fc.asyncProperty(broadcastPair, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom("matrices", "vector-left", "vector-right"), fc.integer({ min: 1, max: 1e6 }),
      async ([batch, batchB], M, K, N, kind, seed) => {
        const sa = kind === "vector-left" ? [K] : [...batch, M, K], sb = kind === "vector-right" ? [K] : [...batchB, K, N];
        const a = draw(sa, seed), b = draw(sb, seed + 1);
        const outBatch = kind === "matrices" ? batch : kind === "vector-left" ? batchB : batch;
        const out = [...outBatch, ...(kind === "vector-left" ? [] : [M]), ...(kind === "vector-right" ? [] : [N])];
        const want: number[] = [], tol: number[] = [];
        for (let q = 0; q < size(out); q++) {
          const p = unflat(q, out), bi = p.slice(0, outBatch.length), i = kind === "vector-left" ? 0 : p[outBatch.length], j = kind === "vector-right" ? 0 : p[p.length - 1];
          let s = 0, abs = 0;
          for (let k = 0; k < K; k++) {
            const av = kind === "vector-left" ? a.data[k] : a.data[flatOf([...broadcastIndex(bi, batch), i, k], sa)];
            const bv = kind === "vector-right" ? b.data[k] : b.data[flatOf([...broadcastIndex(bi, batchB), k, j], sb)];
            s += av * bv; abs += Math.abs(av * bv);
          }
          want.push(s); tol.push(gamma(K + 1) * abs + U32 * Math.abs(s));
        }
        await both(one("MatMul", ["a", "b"], { a, b }), { a, b }, want, out, (i) => tol[i]);
      }), { numRuns: 40 });
  });
});

describe("quantization operators, exactly", () => {
  const halfEven = (v: number) => { const f = Math.floor(v), d = v - f; return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f; };

  it("QuantizeLinear and DequantizeLinear per tensor and per axis (int8 and uint8), MatMulInteger with zero points", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), async (M, K, perAxis, signed, seed) => {
      const x = draw([M, K], seed, -4, 4);
      const scales = Float32Array.from({ length: perAxis ? K : 1 }, (_, i) => Math.fround(0.02 + 0.01 * ((seed + i) % 5)));
      const zps = Array.from({ length: perAxis ? K : 1 }, (_, i) => ((seed >> i) % 7) - (signed ? 3 : 0));
      const zp = signed ? eg.fromTypedArray(Int8Array.from(zps), perAxis ? [K] : []) : eg.fromTypedArray(Uint8Array.from(zps), perAxis ? [K] : []);
      const scale = eg.fromTypedArray(scales, perAxis ? [K] : []);
      const [lo, hi] = signed ? [-128, 127] : [0, 255];
      const q = Array.from(x.data, (v, i) => { const c = perAxis ? i % K : 0; return Math.min(hi, Math.max(lo, halfEven(Math.fround(v / scales[c])) + zps[c])); });
      const attrs = perAxis ? [attrInt("axis", 1)] : [];
      const types = { x: FLOAT, s: FLOAT, z: signed ? INT8 : UINT8 };
      await both(one("QuantizeLinear", ["x", "s", "z"], { x, s: scale, z: zp }, attrs, types, signed ? INT8 : UINT8), { x, s: scale, z: zp }, q, [M, K], () => 0);
      const qt = signed ? eg.fromTypedArray(Int8Array.from(q), [M, K]) : eg.fromTypedArray(Uint8Array.from(q), [M, K]);
      const back = q.map((v, i) => { const c = perAxis ? i % K : 0; return Math.fround(Math.fround(v - zps[c]) * scales[c]); });
      await both(one("DequantizeLinear", ["q", "s", "z"], { q: qt, s: scale, z: zp }, attrs, { ...types, q: types.z }), { q: qt, s: scale, z: zp }, back, [M, K], () => 0);
      // MatMulInteger of the uint8 x codes with an int8 B, scalar zero points (onnxruntime's form).
      const N = 3, bv = Array.from({ length: K * N }, (_, i) => ((seed * 7 + i * 13) % 255) - 127), a = eg.fromTypedArray(Uint8Array.from(q, (v) => v + (signed ? 128 : 0)), [M, K]);
      const b = eg.fromTypedArray(Int8Array.from(bv), [K, N]), az = eg.fromTypedArray(Uint8Array.of(seed % 200), []), bz = eg.fromTypedArray(Int8Array.of((seed % 9) - 4), []);
      const prod = Array.from({ length: M * N }, (_, o) => { let s = 0; for (let k = 0; k < K; k++) s += (a.data[Math.floor(o / N) * K + k] - az.data[0]) * (bv[k * N + (o % N)] - bz.data[0]); return s; });
      await both(one("MatMulInteger", ["a", "b", "az", "bz"], { a, b, az, bz }, [], { a: UINT8, b: INT8, az: UINT8, bz: INT8 }, INT32), { a, b, az, bz }, prod, [M, N], () => 0);
    }), { numRuns: 30 });
  });
});
