import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, indices, layoutArb, makeTensor, valuesFrom } from "../support/reference.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";

// gather / scatterAdd / indexSelect / maskedFill against plain index loops. The values are
// copies or small-integer sums, so results are exact and compared with equality.

const shapeAndDim = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
  .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 })));

/** An int32 index tensor of `shape` with entries in [0, n), seeded. */
function indexTensor(shape: number[], n: number, seed: number, dtype: "int32" | "uint8" | "int8" = "int32"): eg.Tensor {
  const v = valuesFrom(seed, 0, n);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "int32" ? new Int32Array(size) : dtype === "uint8" ? new Uint8Array(size) : new Int8Array(size);
  for (let i = 0; i < size; i++) data[i] = Math.floor(v(i));
  return eg.fromTypedArray(data, shape);
}

/** A shape no larger than `shape` in every dim, and of any size 1–5 along `dim`. */
const indexShapeFor = (shape: number[], dim: number) =>
  fc.tuple(...shape.map((n, d) => fc.integer({ min: 1, max: d === dim ? 5 : n }))).map((s) => s as number[]);

describe("gather", () => {
  it("out[…i…] = x[…index[…i…]… along dim], on strided inputs and every integer index dtype", () => {
    fc.assert(fc.property(shapeAndDim.chain(([shape, dim]) => fc.tuple(fc.constant(shape), fc.constant(dim), indexShapeFor(shape, dim))),
      layoutArb, fc.integer({ min: 1, max: 1000 }), fc.constantFrom("int32", "uint8", "int8"), ([shape, dim, ishape], layout, seed, idt) => {
        const x = makeTensor(shape, valuesFrom(seed), layout);
        const index = indexTensor(ishape, shape[dim], seed + 1, idt as "int32");
        const y = eg.gather(x, dim, index);
        expect(y.shape).toEqual(ishape);
        for (const i of indices(ishape)) {
          const src = i.slice();
          src[dim] = at(index, i);
          expect(at(y, i)).toBe(at(x, src));
        }
      }));
  });

  it("out-of-range and negative indices, float indices and mismatched shapes are refused", () => {
    const x = eg.arange(6).reshape([2, 3]);
    expect(() => eg.gather(x, 1, eg.tensor([[0, 3]], { dtype: "int32" }))).toThrow(/index 3 is out of range for dimension 1 of size 3/);
    expect(() => eg.gather(x, 1, eg.tensor([[-1]], { dtype: "int32" }))).toThrow(eg.ValueError);
    expect(() => eg.gather(x, 1, eg.tensor([[0]]))).toThrow(eg.DTypeError);
    expect(() => eg.gather(x, 0, eg.tensor([0, 1], { dtype: "int32" }))).toThrow(/same number of dimensions/);
    expect(() => eg.gather(x, 1, eg.zeros([3, 1], { dtype: "int32" }))).toThrow(/larger than the input \[2,3\] in dimension 0/);
    expect(() => eg.gather(x, 2, eg.zeros([1, 1], { dtype: "int32" }))).toThrow(/axis 2/);
  });
});

describe("scatterAdd", () => {
  it("out = x, then out[…index[…i…]…] += src[…i…]; repeated indices accumulate; x is unchanged", () => {
    fc.assert(fc.property(shapeAndDim.chain(([shape, dim]) => fc.tuple(fc.constant(shape), fc.constant(dim), indexShapeFor(shape, dim))),
      fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 2 }), ([shape, dim, ishape], seed, extra) => {
        const x = eg.tensor(eg.randint(-5, 5, shape, { seed }).toArray());
        const before = Array.from(x.data);
        const srcShape = ishape.map((n) => n + extra); // src may be larger than index
        const src = eg.randint(-9, 9, srcShape, { seed: seed + 2 }).astype("float32");
        const index = indexTensor(ishape, shape[dim], seed + 3);
        const y = eg.scatterAdd(x, dim, index, src);
        const want = before.slice();
        const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
        for (const i of indices(ishape)) {
          const dst = i.slice();
          dst[dim] = at(index, i);
          want[dst.reduce((p, v, d) => p + v * strides[d], 0)] += at(src, i);
        }
        expect(Array.from(y.data)).toEqual(want);
        expect(Array.from(x.data)).toEqual(before);
      }));
  });

  it("bad indices throw before the result exists and leave the input alone", () => {
    const x = eg.zeros([3]);
    expect(() => eg.scatterAdd(x, 0, eg.tensor([0, 5], { dtype: "int32" }), eg.ones([2]))).toThrow(/index 5 is out of range/);
    expect(Array.from(x.data)).toEqual([0, 0, 0]);
    expect(() => eg.scatterAdd(x, 0, eg.tensor([0, 1], { dtype: "int32" }), eg.ones([1]))).toThrow(/larger than src/);
    expect(() => eg.scatterAdd(x, 0, eg.tensor([0], { dtype: "int32" }), eg.ones([1], { dtype: "float64" }))).toThrow(eg.DTypeError);
  });
});

describe("indexSelect and maskedFill", () => {
  it("indexSelect picks whole slices along dim, in index order, repeats allowed", () => {
    fc.assert(fc.property(shapeAndDim, fc.integer({ min: 0, max: 6 }), layoutArb, fc.integer({ min: 1, max: 1000 }), ([shape, dim], m, layout, seed) => {
      const x = makeTensor(shape, valuesFrom(seed), layout);
      const index = indexTensor([m], shape[dim], seed + 1);
      const y = eg.indexSelect(x, dim, index);
      expect(y.shape).toEqual(shape.map((n, d) => (d === dim ? m : n)));
      for (const i of indices(y.shape)) {
        const src = i.slice();
        src[dim] = index.data[i[dim]];
        expect(at(y, i)).toBe(at(x, src));
      }
      expect(eg.indexSelect(x, dim - shape.length, index).toArray()).toEqual(y.toArray());
    }));
    expect(() => eg.indexSelect(eg.arange(3), 0, eg.zeros([1, 1], { dtype: "int32" }))).toThrow(/0-D or 1-D/);
  });

  it("maskedFill puts the value where the broadcast mask is true and keeps the dtype", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 1000 }), fc.double({ min: -5, max: 5, noNaN: true }),
      (shape, seed, value) => {
        const x = eg.randn(shape, { seed });
        const maskShape = shape.map((n, d) => (d % 2 === 0 ? n : 1));
        const mask = eg.rand(maskShape, { seed: seed + 1 }).gt(0.5);
        const y = eg.maskedFill(x, mask, value);
        expect(y.dtype).toBe("float32");
        for (const i of indices(shape)) {
          const m = at(mask, i.map((v, d) => (maskShape[d] === 1 ? 0 : v)));
          expect(at(y, i)).toBe(m ? Math.fround(value) : at(x, i));
        }
      }));
    const ints = eg.arange(4, undefined, 1, { dtype: "int32" });
    expect(eg.maskedFill(ints, eg.tensor([true, false, true, false]), 9).toArray()).toEqual([9, 1, 9, 3]);
    expect(() => eg.maskedFill(ints, eg.tensor([1, 0, 1, 0]), 9)).toThrow(/bool/);
    expect(() => eg.maskedFill(eg.zeros([2, 1]), eg.tensor([[true, false]]), 1)).toThrow(/does not broadcast to the input's shape \[2,1\]/);
  });
});

describe("gradients by central differences", () => {
  const idx = (rows: number[][]) => eg.tensor(rows, { dtype: "int32" });
  it("gather (repeated indices sum in the backward)", () => assertGradByDifferences((x) => eg.gather(x, 1, idx([[0, 2, 2], [1, 1, 0]])), [X([2, 3], 1)], "gather"));
  it("scatterAdd, for both the input and src", () =>
    assertGradByDifferences((x, s) => eg.scatterAdd(x, 0, idx([[1, 0], [1, 1]]), s), [X([2, 2], 2), X([3, 2], 3)], "scatterAdd"));
  it("indexSelect", () => assertGradByDifferences((x) => eg.indexSelect(x, 0, eg.tensor([2, 0, 2], { dtype: "int32" })), [X([3, 2], 4)], "indexSelect"));
  it("maskedFill with a tensor value", () =>
    assertGradByDifferences((x, v) => eg.maskedFill(x, eg.tensor([[true, false], [false, true]]), v), [X([2, 2], 5), X([], 6)], "maskedFill"));
});
