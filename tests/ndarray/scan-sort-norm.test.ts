import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, expectClose, indices, layoutArb, makeTensor, roundTol, valuesFrom, U32 } from "../support/reference.js";
import { gamma } from "../support/tolerance.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";

// log1p/expm1/rsqrt, cumsum, topk and norm against float64 references written out here.

const shapeAndDim = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 })
  .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 })));

describe("log1p, expm1, rsqrt", () => {
  const cases: [string, (t: eg.Tensor) => eg.Tensor, (v: number) => number, number, number][] = [
    ["log1p", (t) => t.log1p(), Math.log1p, -0.99, 5],
    ["expm1", (t) => t.expm1(), Math.expm1, -5, 5],
    ["rsqrt", (t) => t.rsqrt(), (v) => 1 / Math.sqrt(v), 1e-3, 50],
  ];
  for (const [name, op, ref, lo, hi] of cases) {
    it(`${name}: within a rounding of the float64 value, keeping tiny arguments' precision`, () => {
      fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }), layoutArb, fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom<"float32" | "float64">("float32", "float64"), (shape, layout, seed, dtype) => {
          const x = makeTensor(shape, valuesFrom(seed, lo, hi), layout, dtype);
          const y = op(x);
          expect(y.dtype).toBe(dtype);
          for (const i of indices(shape)) {
            const want = ref(at(x, i));
            expectClose(at(y, i), want, roundTol(y, want), `${name}(${at(x, i)})`);
          }
        }));
      const tiny = eg.tensor([1e-10, -3e-9], { dtype: "float32" });
      if (name !== "rsqrt") op(tiny).data.forEach((v, i) => expectClose(v, ref(tiny.data[i]), 2 * U32 * Math.abs(ref(tiny.data[i])), name));
      expect(op(eg.tensor([1, 2], { dtype: "int32" })).dtype).toBe("float32");
    });
    it(`${name}: gradient`, () => assertGradByDifferences(op, [X([2, 3], 1, name === "rsqrt" ? 0.5 : -0.5, 2)], name));
  }
});

describe("cumsum", () => {
  it("y[…i…] = Σ_{t ≤ i} x along dim, within float64-accumulated rounding", () => {
    fc.assert(fc.property(shapeAndDim, layoutArb, fc.integer({ min: 1, max: 1000 }), ([shape, dim], layout, seed) => {
      const x = makeTensor(shape, valuesFrom(seed), layout);
      const y = eg.cumsum(x, dim);
      expect(y.shape).toEqual(shape);
      for (const i of indices(shape)) {
        let want = 0;
        let mag = 0;
        for (let t = 0; t <= i[dim]; t++) {
          const v = at(x, i.map((u, d) => (d === dim ? t : u)));
          want += v;
          mag += Math.abs(v);
        }
        // accumulated in float64 (error ≪ one float32 rounding) and rounded once
        expectClose(at(y, i), want, U32 * Math.abs(want) + gamma(shape[dim]) * 2 ** -29 * mag, `cumsum at [${i}]`);
      }
      expect(eg.cumsum(x, dim - shape.length).toArray()).toEqual(y.toArray());
    }));
  });
  it("integers are summed exactly into int32", () => {
    const y = eg.cumsum(eg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int8" }), 1);
    expect(y.dtype).toBe("int32");
    expect(y.toArray()).toEqual([[1, 3, 6], [4, 9, 15]]);
  });
  it("gradient (a reversed running sum)", () => {
    assertGradByDifferences((x) => eg.cumsum(x, 1), [X([2, 4, 2], 2)], "cumsum dim 1");
    assertGradByDifferences((x) => eg.cumsum(x.transpose(0, 1), 0), [X([3, 4], 3)], "cumsum of a view");
  });
});

describe("topk", () => {
  it("the k largest/smallest along dim, sorted, with their positions; ties in index order", () => {
    fc.assert(fc.property(shapeAndDim, fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 1000 }), ([shape, dim], kr, largest, seed) => {
      const k = kr % (shape[dim] + 1);
      // few distinct values, so ties are common
      const x = eg.randint(0, 4, shape, { seed }).astype("float32");
      const { values, indices: idx } = eg.topk(x, k, { dim, largest });
      expect(values.shape).toEqual(shape.map((n, d) => (d === dim ? k : n)));
      expect(idx.dtype).toBe("int32");
      for (const i of indices(shape.map((n, d) => (d === dim ? 1 : n)))) {
        const row = Array.from({ length: shape[dim] }, (_, t) => ({ v: at(x, i.map((u, d) => (d === dim ? t : u))), t }));
        row.sort((p, q) => (p.v !== q.v ? (largest ? q.v - p.v : p.v - q.v) : p.t - q.t));
        for (let j = 0; j < k; j++) {
          const o = i.map((u, d) => (d === dim ? j : u));
          expect(at(idx, o)).toBe(row[j].t);
          expect(at(values, o)).toBe(row[j].v);
        }
      }
    }));
  });
  it("NaN counts as the largest, as in PyTorch", () => {
    const x = eg.tensor([1, NaN, 3, -Infinity]);
    expect(Array.from(eg.topk(x, 2).indices.data)).toEqual([1, 2]);
    expect(Array.from(eg.topk(x, 2, { largest: false }).indices.data)).toEqual([3, 0]);
  });
  it("bad k, dim and options are refused", () => {
    const x = eg.zeros([2, 3]);
    expect(() => eg.topk(x, 4)).toThrow(/k = 4 is out of range for dimension 1 of size 3/);
    expect(() => eg.topk(x, 1, { dim: 2 })).toThrow(eg.ValueError);
    expect(() => eg.topk(x, 1, { axis: 0 } as never)).toThrow(/unknown option "axis"/);
  });
  it("gradient of the values flows to the chosen entries", () => {
    assertGradByDifferences((x) => eg.topk(x, 2, { dim: 0 }).values, [X([4, 3], 4)], "topk");
  });
});

describe("norm", () => {
  const reference = (vals: number[], p: number | "fro") =>
    p === 1 ? vals.reduce((a, v) => a + Math.abs(v), 0)
      : p === Infinity ? vals.reduce((a, v) => Math.max(a, Math.abs(v)), 0)
        : Math.sqrt(vals.reduce((a, v) => a + v * v, 0));
  it("1, 2, ∞ and fro norms over any dims, keepdim, against float64", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.constantFrom<eg.NormOrder>(1, 2, Infinity, "fro"),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.boolean(), layoutArb, fc.integer({ min: 1, max: 1000 }), (shape, p, pick, keepdim, layout, seed) => {
        const x = makeTensor(shape, valuesFrom(seed), layout);
        const dims = shape.map((_, d) => d).filter((d) => pick[d]);
        const reduced = dims.length === 0 ? shape.map((_, d) => d) : dims;
        const y = dims.length === 0 ? eg.norm(x, p) : eg.norm(x, p, dims, { keepdim });
        const kept = dims.length > 0 && keepdim;
        for (const i of indices(shape.map((n, d) => (reduced.includes(d) ? 1 : n)))) {
          const vals: number[] = [];
          for (const j of indices(shape)) if (j.every((v, d) => reduced.includes(d) || v === i[d])) vals.push(at(x, j));
          const want = reference(vals, p);
          const got = at(y, kept ? i : i.filter((_, d) => !reduced.includes(d)));
          expectClose(got, want, gamma(vals.length + 2) * want, `norm p=${String(p)} at [${i}]`);
        }
      }));
  });
  it("any p > 0 against float64, with its gradient by finite differences (also through zeros)", () => {
    fc.assert(fc.property(fc.constantFrom(0.5, 1.5, 3, 4.25), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 9 }), (p, vals) => {
      const x = eg.tensor(vals, { dtype: "float64" });
      const want = Math.pow(vals.reduce((a, v) => a + Math.pow(Math.abs(v), p), 0), 1 / p);
      expectClose(eg.norm(x, p).item(), want, 64 * 2 ** -53 * vals.length * want + 1e-300, `norm p=${p}`);
    }));
    for (const p of [1.5, 3]) assertGradByDifferences((x) => eg.norm(x, p, 1), [X([3, 4], 7)], `norm p=${p}`);
    const z = eg.tensor([0, 2, -1, 0], { dtype: "float64", requiresGrad: true });
    eg.norm(z, 0.5).backward();
    expect(Array.from(z.grad!.data).map(Number.isFinite)).toEqual([true, true, true, true]);
    expect(z.grad!.data[0]).toBe(0);
  });
  it("keepdims works as keepdim; conflicting, unknown or unsupported options are refused", () => {
    const x = eg.ones([2, 3]);
    expect(eg.norm(x, 2, 1, { keepdims: true }).shape).toEqual([2, 1]);
    expect(() => eg.norm(x, 2, 1, { keepdim: true, keepdims: false })).toThrow(/disagree/);
    expect(() => eg.norm(x, NaN)).toThrow(/p must be a number, ±Infinity or "fro", got NaN/);
    expect(() => eg.norm(x, "nuc" as never)).toThrow(eg.ValueError);
    expect(() => eg.norm(x, 2, 0, { keepDim: true } as never)).toThrow(/unknown option/);
    expect(() => eg.norm(eg.ones([2], { dtype: "int32" }))).toThrow(eg.DTypeError);
  });
  it("gradients, and PyTorch's values at the kinks (zero vector, ties of the max)", () => {
    for (const p of [1, 2, Infinity, "fro"] as const) assertGradByDifferences((x) => eg.norm(x, p, 1), [X([3, 4], 5)], `norm ${p}`);
    const z = eg.zeros([3], { requiresGrad: true });
    eg.norm(z).backward();
    expect(Array.from(z.grad!.data)).toEqual([0, 0, 0]);
    const t = eg.tensor([3, -3, 1], { requiresGrad: true });
    eg.norm(t, Infinity).backward();
    expect(Array.from(t.grad!.data)).toEqual([0.5, -0.5, 0]);
  });
});
