import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, indices } from "../support/reference.js";

// Options of the tensor functions: unknown keys are refused with their name, as Python refuses
// an unexpected keyword; keepdim (PyTorch) and keepdims are the same option.

describe("unknown option keys throw a ValueError naming the key", () => {
  const x = eg.ones([2, 3]);
  const calls: [string, (o: never) => unknown][] = [
    ["tensor", (o) => eg.tensor([1], o)], ["full", (o) => eg.full([2], 1, o)], ["zeros", (o) => eg.zeros([2], o)],
    ["arange", (o) => eg.arange(0, 3, 1, o)], ["linspace", (o) => eg.linspace(0, 1, 3, o)], ["eye", (o) => eg.eye(2, 2, o)],
    ["rand", (o) => eg.rand([2], o)], ["randn", (o) => eg.randn([2], o)], ["randint", (o) => eg.randint(0, 2, [2], o)],
    ["fromTypedArray", (o) => eg.fromTypedArray(new Float32Array(2), [2], o)],
    ["sum", (o) => x.sum(0, o)], ["mean", (o) => x.mean(0, o)], ["max", (o) => x.max(0, o)], ["min", (o) => x.min(0, o)],
    ["argmax", (o) => x.argmax(0, o)], ["var", (o) => eg.var(x, 0, o)], ["std", (o) => eg.std(x, 0, o)], ["logsumexp", (o) => eg.logsumexp(x, 0, o)],
    ["norm", (o) => eg.norm(x, 2, 0, o)],
  ];
  for (const [name, call] of calls) {
    it(name, () => {
      expect(() => call({ keepDims: true, dtyp: "float64" } as never)).toThrow(eg.ValueError);
      expect(() => call({ learningRate: 1 } as never)).toThrow(/unknown option "learningRate"/);
    });
  }
});

describe("keepdim and keepdims", () => {
  it("give the same result in every reduction", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 100 }), (shape, ar, keep, seed) => {
      const axis = ar % shape.length;
      const x = eg.randn(shape, { seed });
      for (const f of [(o: eg.ReduceOptions) => x.sum(axis, o), (o: eg.ReduceOptions) => x.mean(axis, o), (o: eg.ReduceOptions) => x.max(axis, o),
        (o: eg.ReduceOptions) => x.argmin(axis, o), (o: eg.ReduceOptions) => eg.var(x, axis, o), (o: eg.ReduceOptions) => eg.logsumexp(x, axis, o)]) {
        const a = f({ keepdim: keep });
        const b = f({ keepdims: keep });
        expect(a.shape).toEqual(keep ? shape.map((n, d) => (d === axis ? 1 : n)) : shape.filter((_, d) => d !== axis));
        expect(a.shape).toEqual(b.shape);
        for (const i of indices(a.shape)) expect(at(a, i)).toBe(at(b, i));
      }
    }));
  });
  it("refuse to disagree", () => {
    expect(() => eg.ones([2]).sum(0, { keepdim: true, keepdims: false })).toThrow(/keepdim true and keepdims false disagree/);
  });
});

describe("arange's options after one or two numbers, as PyTorch's arange(end, dtype=…)", () => {
  it("reads an options object in the place of stop or step", () => {
    // PyTorch 1.13: torch.arange(4, dtype=torch.int32) → [0, 1, 2, 3]; torch.arange(2, 5,
    // dtype=torch.float64) → [2., 3., 4.]; torch.arange(3., requires_grad=True) is a leaf.
    const a = eg.arange(4, { dtype: "int32" });
    expect([a.dtype, a.toArray()]).toEqual(["int32", [0, 1, 2, 3]]);
    const b = eg.arange(2, 5, { dtype: "float64" });
    expect([b.dtype, b.toArray()]).toEqual(["float64", [2, 3, 4]]);
    expect(eg.arange(3, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(eg.arange(1, 7, 2, { dtype: "int32" }).toArray()).toEqual([1, 3, 5]);
    expect(() => eg.arange(4, { dtyp: "int32" } as never)).toThrow(/arange: unknown option "dtyp"/);
  });
});
