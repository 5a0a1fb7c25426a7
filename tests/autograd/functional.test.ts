// eg.autograd.functional.jacobian and vjp against Jacobians written out by hand in float64, with
// torch's result forms (a Tensor, an array over inputs or outputs, an array of arrays).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError, type Tensor } from "../../src/index.js";
import { expectWithin, gammaOf, sampleTensor, shapeArb, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const { jacobian, vjp } = eg.autograd.functional;
const dtypeArb = fc.constantFrom("float32" as const, "float64" as const);
const seedArb = fc.integer({ min: 1, max: 1e6 });
// +0 for −0: a zero of the Jacobian may carry the sign of the product that made it.
const values = (t: Tensor) => Array.from(t.data, (v) => v + 0);
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** The n×n identity scaled row by row: diag(d) flattened. */
const diag = (d: number[]) => d.flatMap((v, i) => d.map((_, j) => (i === j ? v : 0)));

describe("jacobian of one input and one output: a Tensor of shape out.shape + in.shape", () => {
  it("of x ↦ x²·c (elementwise) is diag(2c·x)", () => {
    fc.assert(fc.property(shapeArb(3, 3), seedArb, dtypeArb, (shape, seed, dtype) => {
      const x = sampleTensor(shape, seed, dtype), c = sampleTensor(shape, seed + 1, dtype);
      const J = jacobian((v: Tensor) => v.mul(v).mul(c), x);
      expect(J.shape).toEqual([...shape, ...shape]);
      expect(J.dtype).toBe(dtype);
      const xs = values(x), cs = values(c);
      const want = diag(xs.map((v, i) => 2 * v * cs[i]));
      expectWithin(values(J), want, (k) => 4 * unitOf(dtype) * Math.abs(want[k]) + ETA32, "J");
      expect(x.requiresGrad).toBe(false); // the input itself is left as it was
    }), { numRuns: 40 });
  });

  it("of x ↦ A·x is A, and of a scalar output Σ sin(x) is cos(x) in x's shape", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), seedArb, dtypeArb, (m, n, seed, dtype) => {
      const A = sampleTensor([m, n], seed, dtype), x = sampleTensor([n], seed + 1, dtype);
      const J = jacobian((v: Tensor) => A.matmul(v.reshape([n, 1])).reshape([m]), x);
      expect(J.shape).toEqual([m, n]);
      expect(values(J)).toEqual(values(A)); // one product by 1 each: exact
      const g = jacobian((v: Tensor) => eg.sin(v).sum(), x);
      expect(g.shape).toEqual([n]);
      const xs = values(x);
      expectWithin(values(g), xs.map(Math.cos), () => 4 * unitOf(dtype), "d Σ sin / dx");
    }), { numRuns: 30 });
  });

  it("runs inside noGrad, and leaves the input's own graph and .grad alone", () => {
    const x = sampleTensor([3], 5, "float64");
    x.requiresGrad = true;
    const y = x.mul(2); // an intermediate as the point: its graph stays as it is
    const J = eg.noGrad(() => jacobian((v: Tensor) => v.exp(), y));
    expectWithin(values(J), diag(values(y).map(Math.exp)), (k) => 4 * 2 ** -53 * Math.abs(values(J)[k]), "J at y");
    expect(J.requiresGrad).toBe(false);
    expect(x.grad).toBeNull();
  });
});

describe("jacobian of several inputs and outputs: arrays as torch's tuples", () => {
  it("f(x, y) = x·y gives [diag(y), diag(x)]; [Σx·y, exp(x)] gives [[y, x], [diag(exp x), 0]]", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), seedArb, dtypeArb, (n, seed, dtype) => {
      const x = sampleTensor([n], seed, dtype), y = sampleTensor([n], seed + 1, dtype);
      const xs = values(x), ys = values(y);
      const [jx, jy] = jacobian((a: Tensor, b: Tensor) => a.mul(b), [x, y]);
      expect(values(jx)).toEqual(diag(ys));
      expect(values(jy)).toEqual(diag(xs));
      const J = jacobian((a: Tensor, b: Tensor) => [a.mul(b).sum(), a.exp()], [x, y]);
      expect(J.map((row) => row.map((t) => t.shape))).toEqual([[[n], [n]], [[n, n], [n, n]]]);
      expect(values(J[0][0])).toEqual(ys);
      expect(values(J[0][1])).toEqual(xs);
      const e = diag(xs.map(Math.exp));
      expectWithin(values(J[1][0]), e, (k) => 4 * unitOf(dtype) * Math.abs(e[k]) + ETA32, "d exp(x) / dx");
      expect(values(J[1][1]).every((v) => v === 0)).toBe(true);
    }), { numRuns: 30 });
  });

  it("one input, several outputs: an array over the outputs; x·Wᵀ's Jacobian in W is δ_ik·x_j", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), seedArb, (m, n, seed) => {
      const W = sampleTensor([m, n], seed, "float64"), x = sampleTensor([n], seed + 1, "float64");
      const [jOut, jSum] = jacobian((w: Tensor) => [w.matmul(x.reshape([n, 1])).reshape([m]), w.sum()], W);
      expect(jOut.shape).toEqual([m, m, n]);
      const xs = values(x);
      const want = Array.from({ length: m * m * n }, (_, k) => {
        const i = Math.floor(k / (m * n)), r = Math.floor(k / n) % m, j = k % n;
        return i === r ? xs[j] : 0;
      });
      expectWithin(values(jOut), want, (k) => gammaOf("float64", 1) * Math.abs(want[k]), "d(Wx)/dW");
      expect(values(jSum)).toEqual(new Array(m * n).fill(1));
    }), { numRuns: 20 });
  });

  it("an output independent of an input gives zeros, which strict: true refuses", () => {
    const x = sampleTensor([2], 1, "float64"), y = sampleTensor([3], 2, "float64");
    const [jx, jy] = jacobian((a: Tensor) => a.mul(2), [x, y]);
    expect(values(jx)).toEqual([2, 0, 0, 2]);
    expect(jy.shape).toEqual([2, 3]);
    expect(values(jy).every((v) => v === 0)).toBe(true);
    expect(() => jacobian((a: Tensor) => a.mul(2), [x, y], { strict: true })).toThrow(/output 0 of fn is independent of input 1/);
    const c = jacobian(() => eg.ones([2], { dtype: "float64" }), x);
    expect(values(c)).toEqual([0, 0, 0, 0]);
    expect(() => jacobian(() => eg.ones([2], { dtype: "float64" }), x, { strict: true })).toThrow(ValueError);
  });
});

describe("jacobian refuses, with typed errors", () => {
  const x = sampleTensor([2], 3, "float64");
  const f = (v: Tensor) => v.exp();
  it("what it cannot do: createGraph, vectorize, forward mode", () => {
    expect(() => jacobian(f, x, { createGraph: true })).toThrow(/createGraph: true is not possible/);
    expect(() => jacobian(f, x, { vectorize: true })).toThrow(/vectorize: true is not possible/);
    expect(() => jacobian(f, x, { strategy: "forward-mode" })).toThrow(/"forward-mode" is not possible/);
    expect(values(jacobian(f, x, { createGraph: false, vectorize: false, strategy: "reverse-mode", strict: false }))).toEqual(diag(values(x).map(Math.exp)));
  });
  it("bad options, inputs and results", () => {
    expect(() => jacobian(f, x, { strategy: "sideways" as never })).toThrow(ValueError);
    expect(() => jacobian(f, x, { createGraph: false, foo: 1 } as never)).toThrow(/unknown option "foo"/);
    expect(() => jacobian(f, [x, 1 as unknown as Tensor])).toThrow(/inputs\[1\] must be a Tensor/);
    expect(() => jacobian(() => 3 as unknown as Tensor, x)).toThrow(/the result of fn must be a Tensor/);
    expect(() => jacobian(f, eg.tensor([1, 2], { dtype: "int32" }))).toThrow(DTypeError);
  });
});

describe("vjp: [outputs, vᵀ·J]", () => {
  it("of x ↦ A·x with v is [A·x, Aᵀ·v]", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), seedArb, dtypeArb, (m, n, seed, dtype) => {
      const A = sampleTensor([m, n], seed, dtype), x = sampleTensor([n, 1], seed + 1, dtype), v = sampleTensor([m, 1], seed + 2, dtype);
      const [out, p] = vjp((t: Tensor) => A.matmul(t), x, v);
      const a = values(A), xs = values(x), vs = values(v);
      const Ax = Array.from({ length: m }, (_, i) => xs.reduce((s, xv, j) => s + a[i * n + j] * xv, 0));
      const AxAbs = Array.from({ length: m }, (_, i) => xs.reduce((s, xv, j) => s + Math.abs(a[i * n + j] * xv), 0));
      const Atv = Array.from({ length: n }, (_, j) => vs.reduce((s, vv, i) => s + a[i * n + j] * vv, 0));
      const AtvAbs = Array.from({ length: n }, (_, j) => vs.reduce((s, vv, i) => s + Math.abs(a[i * n + j] * vv), 0));
      expectWithin(values(out), Ax, (i) => gammaOf(dtype, n + 1) * AxAbs[i] + ETA32, "A·x");
      expectWithin(values(p), Atv, (j) => gammaOf(dtype, m + 1) * AtvAbs[j] + ETA32, "Aᵀ·v");
      expect(out.requiresGrad).toBe(false);
      expect(p.shape).toEqual([n, 1]);
    }), { numRuns: 40 });
  });

  it("several inputs and outputs, v left out for a one-element output, zeros for an unused input", () => {
    const x = sampleTensor([3], 1, "float64"), y = sampleTensor([3], 2, "float64"), z = sampleTensor([2], 3, "float64");
    const xs = values(x), ys = values(y);
    const [outs, [px, py, pz]] = vjp((a: Tensor, b: Tensor) => [a.mul(b), a.sum()], [x, y, z], [eg.ones([3], { dtype: "float64" }), eg.tensor(2, { dtype: "float64" })]);
    expect(outs.map((o) => o.shape)).toEqual([[3], []]);
    expect(values(px)).toEqual(ys.map((v) => v + 2));
    expect(values(py)).toEqual(xs);
    expect(values(pz)).toEqual([0, 0]);
    expect(() => vjp((a: Tensor) => a.sum(), [x, z], null, { strict: true })).toThrow(/input 1 is one no output of fn depends on/);
    const [s, g] = vjp((a: Tensor) => a.mul(a).sum(), x);
    expect(s.item()).toBe(xs.reduce((acc, v) => acc + v * v, 0));
    expect(values(g)).toEqual(xs.map((v) => 2 * v));
  });

  it("refuses a missing, miscounted or misshapen v, createGraph and unknown options", () => {
    const x = sampleTensor([3], 1, "float64");
    const f = (a: Tensor) => a.exp();
    expect(() => vjp(f, x)).toThrow(ShapeError);
    expect(() => vjp(f, x)).toThrow(/v can be left out only when fn returns one tensor of one element, not shape \[3\]/);
    expect(() => vjp(f, x, eg.ones([2], { dtype: "float64" }))).toThrow(/v\[0\] has shape \[2\], output 0 of fn has shape \[3\]/);
    expect(() => vjp(f, x, [x, x])).toThrow(/v has 2 tensors for 1 outputs/);
    expect(() => vjp(f, x, x, { createGraph: true })).toThrow(/createGraph: true is not possible/);
    expect(() => vjp(f, x, x, { vectorize: false } as never)).toThrow(/unknown option "vectorize"/);
  });
});
