// The shape and indexing utilities (src/ndarray/diagonal.ts, products.ts, movement.ts, search.ts,
// unique.ts, scatter.ts, cdist.ts): fast-check properties against plain-loop references written
// here, gradients by central differences, PyTorch 1.13's values (tests/parity/cases/index-ops.json
// from scripts/torch-parity/index_ops.py, and edge cases written below), and the typed errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, indices, layoutArb, makeTensor, valuesFrom } from "../support/reference.js";
import { gamma } from "../support/tolerance.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";
import { runCallCase, type CallCase } from "../parity/run-case.js";

const { cases } = JSON.parse(readFileSync(new URL("../parity/cases/index-ops.json", import.meta.url), "utf8")) as { cases: CallCase[] };

describe("index ops agree with PyTorch 1.13 (values, integer results and gradients)", () => {
  for (const c of cases) it(c.id, () => runCallCase(c));
});

const dtypeArb = fc.constantFrom<"float32" | "float64">("float32", "float64");
const shapeArb = (minDims: number, maxDims: number, maxSize = 4) => fc.array(fc.integer({ min: 1, max: maxSize }), { minLength: minDims, maxLength: maxDims });
const list = (t: eg.Tensor) => Array.from(t.data as ArrayLike<number>);
const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
/** Two distinct dims of an n-dim shape, each given as positive or negative. */
const twoDims = (n: number) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 }), fc.boolean(), fc.boolean())
  .filter(([a, b]) => a !== b).map(([a, b, na, nb]) => [na ? a - n : a, nb ? b - n : b] as [number, number]);
const norm = (d: number, n: number) => (d < 0 ? d + n : d);
/** Every element of t equals ref at its multi-index (Object.is: −0 and NaN exactly). */
function expectEach(t: eg.Tensor, shape: number[], ref: (i: number[]) => number): void {
  expect(t.shape).toEqual(shape);
  for (const i of indices(shape)) {
    const got = at(t, i), want = ref(i);
    if (!Object.is(got, want)) throw new Error(`at [${i}]: got ${got}, expected ${want}`);
  }
}

describe("diagonal, diagEmbed, diag, trace", () => {
  it("diagonal reads x[…, t + max(0, −offset), …, t + max(0, offset), …] for any dims and offset, as a view", () => {
    fc.assert(fc.property(shapeArb(2, 4).chain((s) => fc.tuple(fc.constant(s), twoDims(s.length), fc.integer({ min: -5, max: 5 }))),
      layoutArb, dtypeArb, fc.integer({ min: 1, max: 1000 }), ([shape, [d1, d2], off], layout, dtype, seed) => {
        const x = makeTensor(shape, valuesFrom(seed), layout, dtype);
        const a = norm(d1, shape.length), b = norm(d2, shape.length);
        const len = Math.max(0, off >= 0 ? Math.min(shape[a], shape[b] - off) : Math.min(shape[a] + off, shape[b]));
        const rest = shape.map((_, i) => i).filter((i) => i !== a && i !== b);
        const y = eg.diagonal(x, off, d1, d2);
        expect(y.storage).toBe(x.storage);
        expectEach(y, [...rest.map((i) => shape[i]), len], (o) => {
          const xi = new Array<number>(shape.length);
          rest.forEach((d, k) => (xi[d] = o[k]));
          const t = o[o.length - 1];
          xi[a] = t + Math.max(0, -off);
          xi[b] = t + Math.max(0, off);
          return at(x, xi);
        });
      }));
  });

  it("diagEmbed puts x's last dim on the offset diagonal of dims (dim1, dim2), zero elsewhere; diagonal of it gives x back", () => {
    fc.assert(fc.property(shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), twoDims(s.length + 1), fc.integer({ min: -3, max: 3 }))),
      layoutArb, dtypeArb, fc.integer({ min: 1, max: 1000 }), ([shape, [d1, d2], off], layout, dtype, seed) => {
        const x = makeTensor(shape, valuesFrom(seed), layout, dtype);
        const nd = shape.length + 1, a = norm(d1, nd), b = norm(d2, nd), n = shape[shape.length - 1] + Math.abs(off);
        const rest = shape.slice(0, -1);
        const outShape: number[] = [];
        for (let i = 0, r = 0; i < nd; i++) outShape.push(i === a || i === b ? n : rest[r++]);
        const y = eg.diagEmbed(x, off, d1, d2);
        expectEach(y, outShape, (o) => {
          if (o[b] - o[a] !== off) return 0;
          const others = o.filter((_, i) => i !== a && i !== b);
          return at(x, [...others, Math.min(o[a], o[b])]);
        });
        expect(list(eg.diagonal(y, off, d1, d2).contiguous())).toEqual(list(x.contiguous()));
      }));
  });

  it("diag: a vector to a square matrix and back; trace sums the main diagonal", () => {
    const v = eg.tensor([1, 2, 3], { dtype: "int32" });
    expect(eg.diag(v, -1).toArray()).toEqual([[0, 0, 0, 0], [1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0]]);
    expect(eg.diag(eg.diag(v, 2), 2).toArray()).toEqual([1, 2, 3]);
    const m = eg.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
    expect(eg.diag(m, 1).toArray()).toEqual([2, 6]);
    expect(eg.trace(m).item()).toBe(6);
    // From PyTorch 1.13: torch.diag(torch.zeros(0)) has shape [0, 0]; of a [2, 0] matrix, shape [0].
    expect(eg.diag(eg.zeros([0])).shape).toEqual([0, 0]);
    expect(eg.diag(eg.zeros([2, 0])).shape).toEqual([0]);
    expect(eg.diag(eg.zeros([3, 4]), -3).shape).toEqual([0]);
  });

  it("gradients by finite differences", () => {
    assertGradByDifferences((x) => eg.diagonal(x, 1, 2, 0), [X([3, 2, 4], 1)], "diagonal");
    assertGradByDifferences((x) => eg.diagEmbed(x, -1, 0, 2), [X([2, 3], 2)], "diagEmbed");
    assertGradByDifferences((x) => eg.diag(x, 1), [X([3], 3)], "diag 1-D");
    assertGradByDifferences((x) => eg.diag(x.transpose(), -1), [X([4, 3], 4)], "diag of a transposed view");
    assertGradByDifferences((x) => eg.trace(x), [X([3, 3], 5)], "trace");
  });
});

describe("outer, kron, cross", () => {
  it("kron: block (i…) of the result is a[i…]·b, shapes padded with leading 1s; outer is the 1-D case", () => {
    fc.assert(fc.property(shapeArb(0, 3, 3), shapeArb(0, 3, 3), dtypeArb, fc.integer({ min: 1, max: 1000 }), (sa, sb, dtype, seed) => {
      const a = makeTensor(sa, valuesFrom(seed), { transposeLast: false, padLast: 0, offset: 0 }, dtype);
      const b = makeTensor(sb, valuesFrom(seed + 1), { transposeLast: true, padLast: 1, offset: 1 }, dtype);
      const nd = Math.max(sa.length, sb.length);
      const pa = [...new Array<number>(nd - sa.length).fill(1), ...sa], pb = [...new Array<number>(nd - sb.length).fill(1), ...sb];
      const y = eg.kron(a, b);
      expect(y.dtype).toBe(dtype);
      expectEach(y, pa.map((s, i) => s * pb[i]), (o) => {
        const ia = o.map((v, i) => Math.floor(v / pb[i])), ib = o.map((v, i) => v % pb[i]);
        // One product of two stored values: exact in float64, one rounding in float32.
        const p = at(a, ia.slice(nd - sa.length)) * at(b, ib.slice(nd - sb.length));
        return dtype === "float32" ? Math.fround(p) : p;
      });
      if (sa.length === 1 && sb.length === 1) {
        expect(list(eg.outer(a, b))).toEqual(list(y));
      }
    }));
  });

  it("cross: the 3-vector cross product along dim (broadcast), within a few roundings; without dim, the first dim of size 3 (PyTorch 1.13)", () => {
    fc.assert(fc.property(shapeArb(1, 3, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length }))),
      dtypeArb, fc.integer({ min: 1, max: 1000 }), fc.boolean(), ([rest, d], dtype, seed, bcast) => {
        const shape = [...rest.slice(0, d), 3, ...rest.slice(d)];
        const a = makeTensor(shape, valuesFrom(seed), { transposeLast: true, padLast: 1, offset: 2 }, dtype);
        const bShape = bcast ? shape.map((s, i) => (i === d ? 3 : 1)) : shape;
        const b = makeTensor(bShape, valuesFrom(seed + 7), { transposeLast: false, padLast: 0, offset: 0 }, dtype);
        const y = eg.cross(a, b, d - shape.length);
        expect(y.shape).toEqual(shape);
        // Two products and a difference of values below 3 in size: γ3·(9 + 9) in the dtype's unit roundoff.
        const u = dtype === "float64" ? 2 ** -53 : 2 ** -24;
        const tol = ((3 * u) / (1 - 3 * u)) * 18;
        for (const o of indices(shape)) {
          const v = (t: eg.Tensor, s: number[], c: number) => at(t, o.map((x, i) => (i === d ? c : s[i] === 1 ? 0 : x)));
          const c = o[d], i1 = (c + 1) % 3, i2 = (c + 2) % 3;
          const want = v(a, shape, i1) * v(b, bShape, i2) - v(a, shape, i2) * v(b, bShape, i1);
          expect(Math.abs(at(y, o) - want)).toBeLessThanOrEqual(tol);
        }
        if (shape.indexOf(3) === d) expect(list(eg.cross(a, b))).toEqual(list(y));
      }));
    // From PyTorch 1.13: torch.cross(torch.eye(3), torch.ones(3, 3)) crosses along dim 0.
    expect(eg.cross(eg.eye(3), eg.ones([3, 3])).toArray()).toEqual([[0, 1, -1], [-1, 0, 1], [1, -1, 0]]);
    // From PyTorch 1.13: kron of a 0-d tensor scales; outer promotes int × float to float.
    expect(eg.kron(eg.tensor(2), eg.tensor([1, 3])).toArray()).toEqual([2, 6]);
    expect(eg.outer(eg.tensor([1, 2], { dtype: "int32" }), eg.tensor([1.5])).toArray()).toEqual([[1.5], [3]]);
  });

  it("gradients by finite differences", () => {
    assertGradByDifferences((a, b) => eg.outer(a, b), [X([3], 1), X([4], 2)], "outer");
    assertGradByDifferences((a, b) => eg.kron(a, b), [X([2, 1, 2], 3), X([3, 2], 4)], "kron");
    assertGradByDifferences((a, b) => eg.cross(a, b, 1), [X([2, 3, 2], 5), X([1, 3, 2], 6)], "cross broadcast");
  });
});

describe("tile, movedim, swapaxes, narrow, rot90, meshgrid", () => {
  it("movedim sends source[i] to destination[i], the other dims keeping their order", () => {
    fc.assert(fc.property(shapeArb(1, 4).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s.map((_, i) => i)), fc.integer({ min: 0, max: 1e6 }))),
      layoutArb, ([shape, src, salt], layout) => {
        const n = shape.length;
        const dst = src.map((_, i) => (salt * (i + 7)) % n).filter((d, i, arr) => arr.indexOf(d) === i);
        const s = src.slice(0, dst.length);
        const x = makeTensor(shape, (i) => i, layout);
        // The reference: fill the destination slots first, then the rest in order.
        const perm = new Array<number>(n).fill(-1);
        s.forEach((d, i) => (perm[dst[i]] = d));
        const rest = shape.map((_, i) => i).filter((i) => !s.includes(i));
        for (let i = 0, r = 0; i < n; i++) if (perm[i] < 0) perm[i] = rest[r++];
        const y = eg.movedim(x, s.map((d) => d - n), dst);
        expectEach(y, perm.map((p) => shape[p]), (o) => {
          const xi = new Array<number>(n);
          perm.forEach((p, i) => (xi[p] = o[i]));
          return at(x, xi);
        });
      }));
    const x = eg.zeros([2, 3, 4]);
    expect(eg.swapaxes(x, 0, -1).shape).toEqual([4, 3, 2]);
    expect(eg.swapdims(x, 1, 2).shape).toEqual([2, 4, 3]);
  });

  it("rot90: k = 1 maps out[…b…a…] to x[a ← o_b, b ← n_b − 1 − o_a]; other k compose; k ≡ k mod 4", () => {
    fc.assert(fc.property(shapeArb(2, 4).chain((s) => fc.tuple(fc.constant(s), twoDims(s.length))), layoutArb, fc.integer({ min: -9, max: 9 }),
      ([shape, [d0, d1]], layout, k) => {
        const x = makeTensor(shape, (i) => i, layout);
        const a = norm(d0, shape.length), b = norm(d1, shape.length);
        const once = (t: eg.Tensor) => {
          const s = t.shape.slice();
          [s[a], s[b]] = [s[b], s[a]];
          const out = new Float32Array(sizeOf(s));
          let p = 0;
          for (const o of indices(s)) {
            const xi = o.slice();
            xi[a] = o[b];
            xi[b] = t.shape[b] - 1 - o[a];
            out[p++] = at(t, xi);
          }
          return eg.fromTypedArray(out, s);
        };
        let want: eg.Tensor = x.contiguous();
        for (let i = 0; i < (((k % 4) + 4) % 4); i++) want = once(want);
        const y = eg.rot90(x, k, [d0, d1]);
        expect(y.shape).toEqual(want.shape);
        expect(list(y.contiguous())).toEqual(list(want));
      }));
  });

  it("tile pads reps with leading 1s; narrow is a slice (negative start from the end)", () => {
    const x = eg.tensor([[1, 2], [3, 4]], { dtype: "int32" });
    expect(eg.tile(x, [2]).toArray()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(eg.tile(x, [2, 1, 1]).shape).toEqual([2, 2, 2]);
    expect(eg.narrow(eg.arange(6).reshape([2, 3]), 1, -2, 2).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(eg.narrow(eg.arange(6), 0, 6, 0).shape).toEqual([0]);
  });

  it("meshgrid: output dim j follows input j under ij, the first two swapped under xy; broadcast views", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }), fc.constantFrom<"ij" | "xy">("ij", "xy"), (sizes, indexing) => {
      const ts = sizes.map((n, i) => eg.arange(n, { dtype: "float64" }).add(10 * i));
      const out = eg.meshgrid(ts, { indexing });
      const swap = indexing === "xy" && sizes.length >= 2;
      const place = (i: number) => (swap && i < 2 ? 1 - i : i);
      const shape = sizes.map((_, j) => sizes[place(j)]);
      out.forEach((t, i) => {
        expect(t.storage).toBe(ts[i].storage);
        expectEach(t, shape, (o) => o[place(i)] + 10 * i);
      });
      expect(eg.meshgrid(...ts, { indexing }).map((t) => t.shape)).toEqual(out.map((t) => t.shape));
    }));
    // From PyTorch 1.13: 0-d inputs count as 1 element; "xy" with one input changes nothing.
    expect(eg.meshgrid(eg.tensor(1), eg.tensor([1, 2, 3]), { indexing: "xy" }).map((t) => t.shape)).toEqual([[3, 1], [3, 1]]);
    expect(eg.meshgrid(eg.tensor([1, 2]), { indexing: "xy" })[0].toArray()).toEqual([1, 2]);
  });

  it("gradients by finite differences", () => {
    assertGradByDifferences((x) => eg.tile(x, [2, 1, 2]), [X([2, 3], 1)], "tile");
    assertGradByDifferences((x) => eg.movedim(x, [0, 1], [2, 0]), [X([2, 3, 4], 2)], "movedim");
    assertGradByDifferences((x) => eg.narrow(x, 1, 1, 2), [X([2, 4], 3)], "narrow");
    assertGradByDifferences((x) => eg.rot90(x, 3, [1, 2]), [X([2, 3, 4], 4)], "rot90");
    assertGradByDifferences((a, b) => eg.meshgrid([a, b], { indexing: "xy" })[0].mul(eg.meshgrid([a, b])[1].transpose()), [X([3], 5), X([2], 6)], "meshgrid");
  });
});

describe("take, takeAlongDim, scatter", () => {
  const indexArb = (n: number, m: number) => fc.array(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { minLength: m, maxLength: m });

  it("take reads the flattened input (negative indices from the end); takeAlongDim gathers along dim after broadcasting", () => {
    fc.assert(fc.property(shapeArb(0, 3), layoutArb, fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 0, maxLength: 6 }), (shape, layout, raw) => {
      const x = makeTensor(shape, (i) => i, layout);
      const n = sizeOf(shape);
      const flat = [...indices(shape)].map((i) => at(x, i));
      const idx = raw.map((r) => (((r % (2 * n)) + 2 * n) % (2 * n)) - n);
      const y = eg.take(x, eg.tensor(idx, { dtype: "int32" }).reshape([idx.length]));
      expect(list(y)).toEqual(idx.map((k) => flat[k < 0 ? k + n : k]));
    }));
    fc.assert(fc.property(shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }),
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }), fc.integer({ min: 0, max: 3 }))),
    layoutArb, fc.integer({ min: 1, max: 1000 }), ([shape, d, ones, m], layout, seed) => {
      const x = makeTensor(shape, (i) => i, layout);
      const iShape = shape.map((s, i) => (i === d ? m : ones[i] ? 1 : s));
      const v = valuesFrom(seed, 0, shape[d]);
      const idx = eg.tensor(Array.from({ length: sizeOf(iShape) }, (_, i) => Math.floor(v(i))), { dtype: "int32" }).reshape(iShape);
      const y = eg.takeAlongDim(x, idx, d);
      expectEach(y, shape.map((s, i) => (i === d ? m : s)), (o) => at(x, o.map((c, i) => (i === d ? at(idx, o.map((q, j) => (iShape[j] === 1 ? 0 : q))) : c))));
    }));
    // From PyTorch 1.13: torch.take(torch.tensor([[1, 2], [3, 4]]), torch.tensor(-1)) is tensor(4).
    expect(eg.take(eg.tensor([[1, 2], [3, 4]], { dtype: "int32" }), eg.tensor(-1, { dtype: "int32" })).toArray()).toEqual(4);
  });

  it("scatter writes src (or a value) where index points, the last write winning; reduce adds or multiplies; x is not changed", () => {
    fc.assert(fc.property(shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: s.length, maxLength: s.length }))),
    fc.constantFrom<"none" | "add" | "multiply">("none", "add", "multiply"), fc.boolean(), fc.integer({ min: 1, max: 1000 }), ([shape, d, cap], reduce, useValue, seed) => {
      const iShape = shape.map((s, i) => (i === d ? cap[i] : Math.min(s, cap[i])));
      const v = valuesFrom(seed, 0, shape[d]);
      const idx = eg.tensor(Array.from({ length: sizeOf(iShape) }, (_, i) => Math.floor(v(i))), { dtype: "int32" }).reshape(iShape);
      const x = eg.tensor(Array.from({ length: sizeOf(shape) }, (_, i) => (i % 5) - 2), { dtype: "int32" }).reshape(shape);
      const srcShape = iShape.map((s) => s + 1);
      const src = eg.tensor(Array.from({ length: sizeOf(srcShape) }, (_, i) => (i % 7) - 3), { dtype: "int32" }).reshape(srcShape);
      const before = list(x);
      const y = eg.scatter(x, d, idx, useValue ? 3 : src, reduce === "none" ? {} : { reduce });
      expect(list(x)).toEqual(before);
      const want = before.slice();
      const strides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
      for (const o of indices(iShape)) {
        const pos = o.reduce((p, c, i) => p + (i === d ? at(idx, o) : c) * strides[i], 0);
        const s = useValue ? 3 : at(src, o);
        want[pos] = reduce === "add" ? want[pos] + s : reduce === "multiply" ? want[pos] * s : s;
      }
      expect(list(y)).toEqual(Array.from(Int32Array.from(want)));
    }));
    // From PyTorch 1.13: 0-d tensors scatter as one element along dim 0.
    expect(eg.scatter(eg.tensor(5), 0, eg.tensor(0, { dtype: "int32" }), eg.tensor(7)).toArray()).toEqual(7);
  });

  it("gradients by finite differences (src larger than index too); reduce forms refuse to record, as PyTorch 1.13 has no gradient", () => {
    // No repeated index along dim: with one, PyTorch's gradient (a gather) reaches the overwritten src entry too.
    const i2 = eg.tensor([[2, 0], [1, 0]], { dtype: "int32" });
    assertGradByDifferences((x, s) => eg.scatter(x, 1, i2, s), [X([3, 4], 1), X([2, 3], 2)], "scatter src");
    assertGradByDifferences((x) => eg.scatter(x, 0, i2, 1.5), [X([3, 2], 3)], "scatter value");
    assertGradByDifferences((x) => eg.take(x, eg.tensor([[0, -1], [4, 4]], { dtype: "int32" })), [X([2, 3], 4)], "take");
    assertGradByDifferences((x) => eg.takeAlongDim(x, eg.tensor([[1], [0]], { dtype: "int32" }), 1), [X([2, 3], 5)], "takeAlongDim");
    const x = X([3, 2], 6);
    expect(() => eg.scatter(x, 0, i2, 2, { reduce: "add" })).toThrow(eg.ValueError);
    expect(eg.noGrad(() => eg.scatter(x, 0, i2, 2, { reduce: "multiply" })).requiresGrad).toBe(false);
  });
});

describe("searchsorted, bucketize", () => {
  it("left counts the entries < v, right the entries ≤ v, in each row; sorter reads an unsorted row in sorted order", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(),
      (rows, n, m, seed, oneD) => {
        const v = valuesFrom(seed, -4, 4);
        const rowsUsed = oneD ? 1 : rows;
        const raw = Array.from({ length: rowsUsed * n }, (_, i) => Math.round(v(i)));
        const sortedRows = Array.from({ length: rowsUsed }, (_, r) => raw.slice(r * n, (r + 1) * n).sort((a, b) => a - b));
        const seq = eg.tensor(sortedRows.flat(), { dtype: "float64" }).reshape(oneD ? [n] : [rows, n]);
        const vals = eg.tensor(Array.from({ length: rows * m }, (_, i) => Math.round(v(1000 + i) * 2) / 2), { dtype: "float64" }).reshape([rows, m]);
        for (const right of [false, true]) {
          const got = eg.searchsorted(seq, vals, { right });
          expect(got.dtype).toBe("int32");
          expectEach(got, [rows, m], ([r, j]) => sortedRows[oneD ? 0 : r].filter((s) => (right ? s <= at(vals, [r, j]) : s < at(vals, [r, j]))).length);
          expect(list(eg.searchsorted(seq, vals, { side: right ? "right" : "left" }))).toEqual(list(got));
          if (oneD) expect(list(eg.bucketize(vals, seq, { right }))).toEqual(list(got));
          // The same rows shuffled (reversed), with the order that sorts them.
          const reversed = eg.flip(seq, -1);
          const sorter = eg.flip(eg.arange(n, { dtype: "int32" }), 0).reshape(oneD ? [n] : [1, n]).broadcastTo(seq.shape).contiguous();
          expect(list(eg.searchsorted(reversed, vals, { right, sorter }))).toEqual(list(got));
        }
      }));
  });

  it("PyTorch 1.13's results at NaN, ±∞, empty sequences and number values", () => {
    const seq = eg.tensor([1, 2, 2, 3]);
    // torch.searchsorted(torch.tensor([1., 2, 2, 3]), torch.tensor([nan, 2., -inf, inf])) → [4, 1, 0, 4]; right=True for [nan, 2.] → [4, 3].
    expect(eg.searchsorted(seq, eg.tensor([NaN, 2, -Infinity, Infinity])).toArray()).toEqual([4, 1, 0, 4]);
    expect(eg.searchsorted(seq, eg.tensor([NaN, 2]), { right: true }).toArray()).toEqual([4, 3]);
    // torch.searchsorted(torch.tensor([1., nan, 3]), torch.tensor([0., 2., 3., 4.])) → [2, 2, 2, 3].
    expect(eg.searchsorted(eg.tensor([1, NaN, 3]), eg.tensor([0, 2, 3, 4])).toArray()).toEqual([2, 2, 2, 3]);
    // torch.searchsorted(torch.tensor([]), torch.tensor([1., 2.])) → [0, 0]; bucketize of [[nan, 1.]] in [1., 2.] → [[2, 0]].
    expect(eg.searchsorted(eg.zeros([0]), eg.tensor([1, 2])).toArray()).toEqual([0, 0]);
    expect(eg.bucketize(eg.tensor([[NaN, 1]]), eg.tensor([1, 2])).toArray()).toEqual([[2, 0]]);
    const s = eg.searchsorted(seq, 2, { right: true });
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3);
  });
});

describe("nonzero, unique", () => {
  it("nonzero lists the multi-indices of nonzero entries (NaN included) in row-major order; asTuple splits the columns", () => {
    fc.assert(fc.property(shapeArb(0, 3), layoutArb, fc.integer({ min: 1, max: 1000 }), (shape, layout, seed) => {
      const v = valuesFrom(seed, 0, 3);
      const x = makeTensor(shape, (i) => [0, 1, NaN][Math.floor(v(i))], layout);
      const want = [...indices(shape)].filter((i) => at(x, i) !== 0);
      const got = eg.nonzero(x) as eg.Tensor;
      expect(got.dtype).toBe("int32");
      expect(got.toArray()).toEqual(want);
      expect(got.shape).toEqual([want.length, shape.length]);
      const cols = eg.nonzero(x, { asTuple: true }) as eg.Tensor[];
      if (shape.length > 0) cols.forEach((c, d) => expect(c.toArray()).toEqual(want.map((i) => i[d])));
    }));
    // From PyTorch 1.13: a 0-d input gives shape [1, 0] (or [0, 0]), asTuple one column; -0 is zero.
    expect((eg.nonzero(eg.tensor(3)) as eg.Tensor).shape).toEqual([1, 0]);
    expect((eg.nonzero(eg.tensor(3), { asTuple: true }) as eg.Tensor[]).map((t) => t.toArray())).toEqual([[0]]);
    expect((eg.nonzero(eg.tensor([NaN, 0, -0])) as eg.Tensor).toArray()).toEqual([[0]]);
  });

  it("unique: sorted distinct values (or slices along dim), values[inverse] = x, counts add up", () => {
    fc.assert(fc.property(shapeArb(0, 3), fc.option(fc.nat(), { nil: undefined }), fc.integer({ min: 1, max: 1000 }), (shape, dimSeed, seed) => {
      const v = valuesFrom(seed, -2, 2);
      const x = eg.tensor(Array.from({ length: sizeOf(shape) }, (_, i) => Math.round(v(i))), { dtype: "int32" }).reshape(shape);
      const flat = list(x);
      if (dimSeed === undefined || shape.length === 0) {
        const r = eg.unique(x, { returnInverse: true, returnCounts: true }) as eg.UniqueResult;
        const want = [...new Set(flat)].sort((a, b) => a - b);
        expect(list(r.values)).toEqual(want);
        expect(r.inverse!.shape).toEqual(shape);
        expect(list(r.inverse!).map((k) => want[k])).toEqual(flat);
        expect(list(r.counts!)).toEqual(want.map((w) => flat.filter((f) => f === w).length));
        expect(list(eg.unique(x) as eg.Tensor)).toEqual(want);
        return;
      }
      const d = dimSeed % shape.length;
      const slice = (t: eg.Tensor, k: number) => JSON.stringify(t.slice(...t.shape.map((_, i) => (i === d ? k : null))).toArray());
      const slices = Array.from({ length: shape[d] }, (_, k) => slice(x, k));
      const r = eg.unique(x, { dim: d - shape.length, returnInverse: true, returnCounts: true }) as eg.UniqueResult;
      const got = Array.from({ length: r.values.shape[d] }, (_, k) => slice(r.values, k));
      // Lexicographic order of the flattened slices, each slice once.
      const lex = (a: string, b: string) => {
        const u = [JSON.parse(a)].flat(3) as number[], w = [JSON.parse(b)].flat(3) as number[];
        for (let i = 0; i < u.length; i++) if (u[i] !== w[i]) return u[i] - w[i];
        return 0;
      };
      expect(got).toEqual([...new Set(slices)].sort(lex));
      expect(list(r.inverse!).map((k) => got[k])).toEqual(slices);
      expect(list(r.counts!)).toEqual(got.map((g) => slices.filter((s) => s === g).length));
    }));
  });

  it("PyTorch 1.13's results for empty and 0-d inputs and −0; NaNs stay distinct, after the numbers", () => {
    // torch.unique(torch.tensor([]), return_inverse=True, return_counts=True): all three empty.
    const e = eg.unique(eg.zeros([0]), { returnInverse: true, returnCounts: true }) as eg.UniqueResult;
    expect([e.values.shape, e.inverse!.shape, e.counts!.shape]).toEqual([[0], [0], [0]]);
    // torch.unique(torch.tensor(3.), …) → values [3.], inverse tensor(0) (0-d), counts [1].
    const z = eg.unique(eg.tensor(3), { returnInverse: true, returnCounts: true }) as eg.UniqueResult;
    expect([z.values.toArray(), z.inverse!.toArray(), z.counts!.toArray()]).toEqual([[3], 0, [1]]);
    // torch.unique(torch.tensor([0., -0., 1.]), return_counts=True) → values [0., 1.], counts [2, 1].
    const c = eg.unique(eg.tensor([0, -0, 1]), { returnCounts: true }) as eg.UniqueResult;
    expect([c.values.toArray(), c.counts!.toArray()]).toEqual([[0, 1], [2, 1]]);
    // PyTorch 1.13 sorts NaN unpredictably (std::sort); here each NaN is its own value, placed last.
    expect((eg.unique(eg.tensor([NaN, 2, NaN, 1])) as eg.Tensor).toArray()).toEqual([1, 2, NaN, NaN]);
  });
});

describe("cdist", () => {
  const ps = [0, 0.5, 1, 1.5, 2, 3, Infinity];
  it("‖x1[…, i] − x2[…, j]‖_p for every p, batch dims broadcast, within γ(m + 4) of a float64 loop", () => {
    fc.assert(fc.property(fc.constantFrom(...ps), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 4 }),
      fc.boolean(), dtypeArb, fc.integer({ min: 1, max: 1000 }), (p, P, R, m, bcast, dtype, seed) => {
        const a = makeTensor([2, P, m], valuesFrom(seed), { transposeLast: true, padLast: 1, offset: 1 }, dtype);
        const b = makeTensor(bcast ? [1, R, m] : [2, R, m], valuesFrom(seed + 3), { transposeLast: false, padLast: 0, offset: 0 }, dtype);
        const y = eg.cdist(a, b, p);
        expect(y.shape).toEqual([2, P, R]);
        const u = dtype === "float64" ? 2 ** -53 : 2 ** -24;
        for (const [t, i, j] of indices([2, P, R])) {
          const d = Array.from({ length: m }, (_, k) => Math.abs(at(a, [t, i, k]) - at(b, [bcast ? 0 : t, j, k])));
          const want = p === 0 ? d.filter((q) => q !== 0).length : p === Infinity ? Math.max(...d) : Math.pow(d.reduce((s, q) => s + Math.pow(q, p), 0), 1 / p);
          const tol = ((m + 4) * u / (1 - (m + 4) * u)) * Math.abs(want) * Math.max(1, 1 / p);
          expect(Math.abs(at(y, [t, i, j]) - want)).toBeLessThanOrEqual(tol);
        }
      }));
  });

  it("gradients by finite differences for p = 0.5, 1, 1.5, 2, 3, ∞; PyTorch 1.13's zero gradient at zero distance and for p = 0", () => {
    for (const p of [0.5, 1, 1.5, 2, 3, Infinity]) {
      assertGradByDifferences((a, b) => eg.cdist(a, b, p), [X([2, 3, 2], 10), X([1, 4, 2], 11)], `cdist p = ${p}`);
    }
    const a = eg.tensor([[1, 2]], { requiresGrad: true });
    const b = eg.tensor([[1, 2], [0, 0]]);
    eg.cdist(a, b, 2).sum().backward();
    expect(a.grad!.toArray()).toEqual([[1 / Math.sqrt(5), 2 / Math.sqrt(5)].map(Math.fround)]);
    // From PyTorch 1.13: cdist([[1, 2]], [[0, 0], [1, 1]], p=inf) = [[2, 1]], gradient [[0, 2]]; p = 0: [[2, 1]], gradient [[0, 0]].
    const c = eg.tensor([[1, 2]], { requiresGrad: true }), d = eg.tensor([[0, 0], [1, 1]]);
    const yInf = eg.cdist(c, d, Infinity);
    yInf.sum().backward();
    expect([yInf.toArray(), c.grad!.toArray()]).toEqual([[[2, 1]], [[0, 2]]]);
    c.grad = null;
    const y0 = eg.cdist(c, d, 0);
    y0.sum().backward();
    expect([y0.toArray(), c.grad!.toArray()]).toEqual([[[2, 1]], [[0, 0]]]);
    // From PyTorch 1.13: cdist([[nan, 1]], [[0, 0]], p=inf) = [[1]] (the max skips NaN); empty rows give an empty result.
    expect(eg.cdist(eg.tensor([[NaN, 1]]), eg.tensor([[0, 0]]), Infinity).toArray()).toEqual([[1]]);
    expect(eg.cdist(eg.zeros([0, 3]), eg.zeros([2, 3])).shape).toEqual([0, 2]);
  });
});

describe("dtypes", () => {
  it("data movement keeps any dtype exactly; cdist and the float ops keep float64", () => {
    for (const dtype of ["int32", "int8", "uint8", "bool", "float64"] as const) {
      const x = eg.tensor([[1, 0, 1], [0, 1, 1]], { dtype });
      for (const y of [eg.diagonal(x), eg.diagEmbed(x), eg.tile(x, [2]), eg.rot90(x), eg.narrow(x, 1, 1, 1), eg.movedim(x, 0, 1),
        eg.take(x, eg.tensor([5], { dtype: "int32" })), eg.unique(x) as eg.Tensor]) expect(y.dtype).toBe(dtype);
    }
    const a = eg.tensor([[1, 2]], { dtype: "float64" });
    expect(eg.cdist(a, a).dtype).toBe("float64");
    expect(eg.kron(a, a).dtype).toBe("float64");
  });
});

describe("typed errors, inputs unchanged", () => {
  it("refuses bad dims, shapes, indices and options with the argument named", () => {
    const x = eg.tensor([[1, 2, 3], [4, 5, 6]]);
    const v = eg.tensor([1, 2, 3]);
    const before = list(x);
    const i32 = (a: unknown) => eg.tensor(a, { dtype: "int32" });
    const cases: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
      [() => eg.diagonal(v), eg.ShapeError, /at least 2 dimensions/],
      [() => eg.diagonal(x, 0, 1, -1), eg.ValueError, /dim1 and dim2 must differ/],
      [() => eg.diagonal(x, 0, 0, 2), eg.ValueError, /axis 2 is out of range/],
      [() => eg.diagonal(x, 0.5), eg.ValueError, /offset must be an integer/],
      [() => eg.diagEmbed(eg.tensor(1)), eg.ShapeError, /at least 1 dimension/],
      [() => eg.diag(eg.zeros([2, 2, 2])), eg.ShapeError, /1-D or 2-D/],
      [() => eg.trace(v), eg.ShapeError, /matrix/],
      [() => eg.outer(x, v), eg.ShapeError, /1-D/],
      [() => eg.cross(eg.zeros([2, 2]), eg.zeros([2, 2])), eg.ShapeError, /no dimension of size 3/],
      [() => eg.cross(x, x, 0), eg.ShapeError, /has size 2, not 3/],
      [() => eg.cross(x, v), eg.ShapeError, /same number of dimensions/],
      [() => eg.cross(x, eg.zeros([3, 3])), eg.ShapeError, /broadcast|cannot/],
      [() => eg.tile(x, [1.5]), eg.ValueError, /reps/],
      [() => eg.movedim(x, [0, 1], [1]), eg.ValueError, /same number/],
      [() => eg.movedim(x, [0, 0], [1, 0]), eg.ValueError, /repeated dim in source/],
      [() => eg.narrow(x, 1, 2, 2), eg.ValueError, /exceeds dimension 1 of size 3/],
      [() => eg.narrow(x, 1, -4, 1), eg.ValueError, /start -4 is out of range/],
      [() => eg.take(x, i32([6])), eg.ValueError, /index 6 is out of range/],
      [() => eg.take(x, eg.tensor([0])), eg.DTypeError, /integer Tensor/],
      [() => eg.takeAlongDim(x, i32([0]), 0), eg.ShapeError, /same number of dimensions/],
      [() => eg.takeAlongDim(x, i32([[3]]), 1), eg.ValueError, /index 3 is out of range/],
      [() => eg.rot90(v), eg.ShapeError, /at least 2 dimensions/],
      [() => eg.rot90(x, 1, [0, 0]), eg.ValueError, /must differ/],
      [() => eg.meshgrid(x), eg.ShapeError, /0-D or 1-D/],
      [() => eg.meshgrid(v, i32([1])), eg.DTypeError, /same dtype/],
      [() => eg.meshgrid(v, { indexing: "yx" as "xy" }), eg.ValueError, /indexing/],
      [() => eg.meshgrid(v, { index: "xy" } as never), eg.ValueError, /unknown option "index"/],
      [() => eg.scatter(x, 0, i32([[2]]), 1), eg.ValueError, /index 2 is out of range for dimension 0/],
      [() => eg.scatter(x, 0, i32([0]), 1), eg.ShapeError, /same number of dimensions/],
      [() => eg.scatter(x, 0, i32([[0, 0, 0, 0]]), 1), eg.ShapeError, /larger than the input/],
      [() => eg.scatter(x, 0, i32([[0, 1]]), eg.tensor([[1]])), eg.ShapeError, /larger than src/],
      [() => eg.scatter(x, 0, i32([[0]]), eg.tensor([[1]], { dtype: "float64" })), eg.DTypeError, /must match/],
      [() => eg.scatter(x, 0, i32([[0]]), 1, { reduce: "mean" as "add" }), eg.ValueError, /reduce/],
      [() => eg.scatter(eg.zeros([2], { dtype: "int8" }), 0, i32([0]), 300), eg.ValueError, /cannot be stored in int8/],
      [() => eg.searchsorted(x, eg.tensor([[1], [2], [3]])), eg.ShapeError, /agree in all dims but the last/],
      [() => eg.searchsorted(x, 2), eg.ShapeError, /number value needs a 1-D/],
      [() => eg.searchsorted(v, v, { right: true, side: "left" }), eg.ValueError, /contradicts/],
      [() => eg.searchsorted(v, v, { sorter: i32([0, 1]) }), eg.ShapeError, /sorter of shape/],
      [() => eg.searchsorted(v, v, { sorter: i32([0, 1, 3]) }), eg.ValueError, /sorter index 3/],
      [() => eg.searchsorted(v, v, { Right: true } as never), eg.ValueError, /unknown option "Right"/],
      [() => eg.bucketize(v, x), eg.ShapeError, /boundaries must be a 1-D/],
      [() => eg.nonzero(x, { asTuple: 1 as never }), eg.ValueError, /asTuple must be true or false/],
      [() => eg.unique(x, { dim: 2 }), eg.ValueError, /axis 2 is out of range/],
      [() => eg.unique(x, { return_counts: true } as never), eg.ValueError, /unknown option "return_counts"/],
      [() => eg.cdist(x, v), eg.ShapeError, /at least 2 dimensions/],
      [() => eg.cdist(x, eg.zeros([2, 2])), eg.ShapeError, /same number of columns/],
      [() => eg.cdist(x, x, -1), eg.ValueError, /p must be a number ≥ 0/],
      [() => eg.cdist(x, x.astype("float64")), eg.DTypeError, /same float dtype/],
      [() => eg.cdist(eg.zeros([2, 2, 3]), eg.zeros([3, 2, 3])), eg.ShapeError, /broadcast|cannot/],
    ];
    for (const [f, type, message] of cases) {
      expect(f, String(f)).toThrow(type);
      expect(f).toThrow(message);
    }
    expect(list(x)).toEqual(before);
    expect(list(v)).toEqual([1, 2, 3]);
  });

  it("scatter and diagEmbed leave their inputs as they were, with gradients recorded", () => {
    const x = eg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const s = eg.tensor([[9, 9]], { requiresGrad: true });
    const y = eg.scatter(x, 0, eg.tensor([[1, 0]], { dtype: "int32" }), s);
    expect(y.toArray()).toEqual([[1, 9], [9, 4]]);
    expect(x.toArray()).toEqual([[1, 2], [3, 4]]);
    y.sum().backward();
    expect([x.grad!.toArray(), s.grad!.toArray()]).toEqual([[[1, 0], [0, 1]], [[1, 1]]]);
  });
});
