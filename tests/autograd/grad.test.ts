// eg.autograd.grad against gradients written out by hand in float64: sums of products, leaf and
// intermediate inputs, several outputs with their gradOutputs, hooks, unused inputs, refusals.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { ShapeError, ValueError, type Tensor } from "../../src/index.js";
import { expectWithin, gammaOf, sampleTensor, shapeArb, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const { grad } = eg.autograd;
const dtypeArb = fc.constantFrom("float32" as const, "float64" as const);
const seedArb = fc.integer({ min: 1, max: 1e6 });
const leaf = (shape: number[], seed: number, dtype: "float32" | "float64") => {
  const t = sampleTensor(shape, seed, dtype);
  t.requiresGrad = true;
  return t;
};
const values = (t: Tensor | null) => Array.from(t!.data);

describe("grad: d Σ(A·x) / dx = Aᵀ·1 and d/dA = 1·xᵀ, returned, with no .grad touched", () => {
  it("matches the column sums of A and the rows of x, and leaves every .grad as it was", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), seedArb, dtypeArb, (m, n, seed, dtype) => {
      const A = leaf([m, n], seed, dtype), x = leaf([n, 1], seed + 1, dtype);
      const before = sampleTensor([n, 1], seed + 2, dtype);
      x.grad = before; // a gradient from earlier: grad() must neither add to it nor replace it
      const [gx, gA] = grad(A.matmul(x).sum(), [x, A]);
      const a = values(A), xs = values(x);
      const colSum = Array.from({ length: n }, (_, j) => a.filter((_, k) => k % n === j).reduce((s, v) => s + v, 0));
      const colAbs = Array.from({ length: n }, (_, j) => a.filter((_, k) => k % n === j).reduce((s, v) => s + Math.abs(v), 0));
      expectWithin(values(gx), colSum, (j) => gammaOf(dtype, m + 1) * colAbs[j] + ETA32, "d/dx");
      expectWithin(values(gA), a.map((_, k) => xs[k % n]), (k) => unitOf(dtype) * Math.abs(xs[k % n]), "d/dA");
      expect(gx!.shape).toEqual([n, 1]);
      expect(gx!.dtype).toBe(dtype);
      expect(x.grad).toBe(before);
      expect(A.grad).toBeNull();
    }), { numRuns: 40 });
  });

  it("a float64 gradOutputs for a float32 output is taken in float32, as backward() takes it", () => {
    const x = leaf([3], 5, "float32");
    const [g] = grad(x.mul(2), x, { gradOutputs: eg.tensor([1, 2, 3], { dtype: "float64" }) });
    expect(g!.dtype).toBe("float32");
    expect(values(g)).toEqual([2, 4, 6]);
  });
});

// y = x·a (an intermediate), L = Σ r·(y² + y): dL/dy = r·(2y + 1), dL/dx = a·r·(2y + 1).
function intermediate(shape: number[], seed: number, dtype: "float32" | "float64") {
  const x = leaf(shape, seed, dtype), a = sampleTensor(shape, seed + 1, dtype), r = sampleTensor(shape, seed + 2, dtype);
  const xs = values(x), as = values(a), rs = values(r);
  const ys = xs.map((v, i) => v * as[i]);
  const gy = ys.map((y, i) => rs[i] * (2 * y + 1));
  // At most 6 roundings of the dtype per element, each relative to |r|·(2|y| + 1).
  const tolY = ys.map((y, i) => 8 * unitOf(dtype) * Math.abs(rs[i]) * (2 * Math.abs(y) + 1) + ETA32);
  return { x, a, r, gy, gx: gy.map((g, i) => g * as[i]), tolY, tolX: tolY.map((t, i) => t * (Math.abs(as[i]) + 1)) };
}
const caseArb = fc.record({ shape: shapeArb(3, 4), seed: seedArb, dtype: dtypeArb });

describe("grad with respect to an intermediate tensor", () => {
  it("gives dL/dy for y inside the graph, alone and together with the leaf below it", () => {
    fc.assert(fc.property(caseArb, ({ shape, seed, dtype }) => {
      const p = intermediate(shape, seed, dtype);
      const y = p.x.mul(p.a);
      const L = y.mul(y).add(y).mul(p.r).sum();
      const [gy] = grad(L, y);
      expectWithin(values(gy), p.gy, (i) => p.tolY[i], "dL/dy");
      const [gy2, gx] = grad(L, [y, p.x]);
      expectWithin(values(gy2), p.gy, (i) => p.tolY[i], "dL/dy beside x");
      expectWithin(values(gx), p.gx, (i) => p.tolX[i], "dL/dx");
      expect(p.x.grad).toBeNull();
    }), { numRuns: 40 });
  });

  it("does not run the rules below an intermediate input: a hook under it never fires", () => {
    const p = intermediate([2, 3], 11, "float64");
    const below = p.x.mul(1);
    let fired = 0;
    eg.registerHook(below, (g) => { fired++; return g; });
    const y = below.mul(p.a);
    grad(y.sum(), y);
    expect(fired).toBe(0);
    grad(y.sum(), p.x);
    expect(fired).toBe(1);
  });

  it("leaves a retained intermediate's .grad alone, where backward() fills it", () => {
    const p = intermediate([4], 3, "float64");
    const y = p.x.mul(p.a);
    eg.retainGrad(y);
    const L = y.mul(y).add(y).mul(p.r).sum();
    grad(L, p.x);
    expect(y.grad).toBeNull();
    L.backward();
    expectWithin(values(y.grad), p.gy, (i) => p.tolY[i], "retained y.grad after backward()");
  });
});

describe("grad of several outputs: Σ gradOutputs[i]·J_i", () => {
  it("u = x·a with gu, v = exp(x) with gv, and a scalar s = Σx with its gradient implied (null)", () => {
    fc.assert(fc.property(caseArb, ({ shape, seed, dtype }) => {
      const x = leaf(shape, seed, dtype), a = sampleTensor(shape, seed + 1, dtype);
      const gu = sampleTensor(shape, seed + 2, dtype), gv = sampleTensor(shape, seed + 3, dtype);
      const [g] = grad([x.mul(a), x.exp(), x.sum()], x, { gradOutputs: [gu, gv, null] });
      const xs = values(x), as = values(a), us = values(gu), vs = values(gv);
      const want = xs.map((v, i) => us[i] * as[i] + vs[i] * Math.exp(v) + 1);
      const terms = xs.map((v, i) => Math.abs(us[i] * as[i]) + Math.abs(vs[i] * Math.exp(v)) + 1);
      expectWithin(values(g), want, (i) => 8 * unitOf(dtype) * terms[i] + ETA32, "dx");
    }), { numRuns: 40 });
  });

  it("the same output twice sums its two gradients; an input listed twice gets two equal tensors of its own", () => {
    const x = leaf([3], 9, "float64");
    const y = x.mul(3);
    const g1 = eg.tensor([1, 2, 3], { dtype: "float64" }), g2 = eg.tensor([10, 20, 30], { dtype: "float64" });
    const [gx] = grad([y, y], x, { gradOutputs: [g1, g2] });
    expect(values(gx)).toEqual([33, 66, 99]);
    const [p, q] = grad(y, [x, x], { gradOutputs: g1 });
    expect(values(p)).toEqual([3, 6, 9]);
    expect(values(q)).toEqual([3, 6, 9]);
    expect(p).not.toBe(q);
    expect(p!.storage).not.toBe(q!.storage);
  });

  it("never hands back a gradOutputs tensor's storage, nor edits it (the output itself as the input)", () => {
    const x = leaf([3], 4, "float64");
    const y = x.mul(2);
    const gy = eg.tensor([1, 2, 3], { dtype: "float64" });
    const [g] = grad(y, y, { gradOutputs: gy });
    expect(values(g)).toEqual([1, 2, 3]);
    expect(g!.storage).not.toBe(gy.storage);
    g!.storage[0] = 100;
    expect(values(gy)).toEqual([1, 2, 3]);
  });
});

describe("grad and gradient hooks", () => {
  it("a hook on an intermediate (×2) and one on the input (×(−3)) apply as in backward()", () => {
    fc.assert(fc.property(caseArb, ({ shape, seed, dtype }) => {
      const p = intermediate(shape, seed, dtype);
      eg.registerHook(p.x, (g) => g.mul(-3));
      const y = p.x.mul(p.a);
      eg.registerHook(y, (g) => g.mul(2));
      const [gx] = grad(y.mul(y).add(y).mul(p.r).sum(), p.x);
      expectWithin(values(gx), p.gx.map((g) => -6 * g), (i) => 6 * p.tolX[i], "dL/dx after both hooks");
      expect(p.x.grad).toBeNull();
    }), { numRuns: 30 });
  });

  it("a hook on an intermediate input replaces the gradient returned for it", () => {
    const p = intermediate([5], 21, "float64");
    const y = p.x.mul(p.a);
    eg.registerHook(y, (g) => g.add(1));
    const [gy] = grad(y.mul(y).add(y).mul(p.r).sum(), y);
    expectWithin(values(gy), p.gy.map((g) => g + 1), (i) => p.tolY[i] + 2 ** -52, "dL/dy + 1");
  });
});

describe("grad: inputs the outputs do not reach", () => {
  it("allowUnused: false refuses naming the input's index, before any hook runs; true gives null", () => {
    const x = leaf([2], 1, "float64"), z = leaf([3], 2, "float64");
    const y = x.mul(2);
    let fired = 0;
    eg.registerHook(y, (g) => { fired++; return g; });
    expect(() => grad(y.sum(), [x, z])).toThrow(ValueError);
    expect(() => grad(y.sum(), [x, z])).toThrow(/inputs\[1\] is not used/);
    expect(fired).toBe(0);
    const [gx, gz] = grad(y.sum(), [x, z], { allowUnused: true });
    expect(values(gx)).toEqual([2, 2]);
    expect(gz).toBeNull();
  });

  it("an input reached only through a rule that gives it no gradient counts as unused", () => {
    const x = leaf([2], 1, "float64");
    const out = eg.record(x.detach().mul(5), "noGradientForX", [x], () => [null]);
    expect(() => grad(out.sum(), x)).toThrow(/inputs\[0\] is not used/);
    expect(grad(out.sum(), x, { allowUnused: true })).toEqual([null]);
  });
});

describe("grad: the graph stays, retainGraph or not", () => {
  it("a second grad() and a backward() on the same graph give the same gradient again", () => {
    const p = intermediate([3, 2], 8, "float64");
    const L = p.x.mul(p.a).mul(p.x.mul(p.a)).add(p.x.mul(p.a)).mul(p.r).sum();
    const first = values(grad(L, p.x, { retainGraph: false })[0]);
    const second = values(grad(L, p.x, { retainGraph: true })[0]);
    const third = values(grad(L, p.x)[0]);
    expectWithin(first, p.gx, (i) => p.tolX[i], "first grad()");
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    L.backward();
    expect(values(p.x.grad)).toEqual(first);
  });
});

describe("grad refuses, with typed errors, before anything runs", () => {
  const x = leaf([2, 3], 1, "float64");
  const y = x.mul(2);
  it("createGraph: true (no higher-order gradients)", () => {
    expect(() => grad(y.sum(), x, { createGraph: true })).toThrow(ValueError);
    expect(() => grad(y.sum(), x, { createGraph: true })).toThrow(/createGraph: true is not possible/);
    expect(values(grad(y.sum(), x, { createGraph: false })[0])).toEqual([2, 2, 2, 2, 2, 2]);
  });
  it("an implied gradient for an output of more than one element, naming its shape", () => {
    expect(() => grad(y, x)).toThrow(ShapeError);
    expect(() => grad(y, x)).toThrow(/outputs\[0\] has shape \[2,3\]/);
    expect(() => grad([y.sum(), y], x, { gradOutputs: [null, null] })).toThrow(/outputs\[1\] has shape \[2,3\]/);
  });
  it("gradOutputs of another shape, naming both shapes; of another count", () => {
    const bad = eg.zeros([3, 2], { dtype: "float64" });
    expect(() => grad(y, x, { gradOutputs: bad })).toThrow(ShapeError);
    expect(() => grad(y, x, { gradOutputs: bad })).toThrow(/gradOutputs\[0\] has shape \[3,2\] and outputs\[0\] has shape \[2,3\]/);
    expect(() => grad(y, x, { gradOutputs: [bad, bad] })).toThrow(/2 entries for 1 outputs/);
    expect(() => grad(y, x, { gradOutputs: 1 as unknown as Tensor })).toThrow(ValueError);
  });
  it("outputs or inputs that do not require grad, or are not tensors", () => {
    const c = eg.ones([2], { dtype: "float64" });
    expect(() => grad(c.sum(), x)).toThrow(/outputs\[0\] does not require grad/);
    expect(() => grad(y.sum(), [x, c])).toThrow(/inputs\[1\] does not require grad/);
    expect(() => grad(y.sum(), [])).toThrow(/empty array/);
    expect(() => grad(y.sum(), [x, 3 as unknown as Tensor])).toThrow(/inputs\[1\] must be a Tensor/);
    expect(() => grad("y" as unknown as Tensor, x)).toThrow(ValueError);
  });
  it("unknown options and options of the wrong type", () => {
    expect(() => grad(y.sum(), x, { onlyInputs: true } as never)).toThrow(/unknown option "onlyInputs"/);
    expect(() => grad(y.sum(), x, { retainGraph: "yes" } as never)).toThrow(/retainGraph must be true or false/);
    expect(() => grad(y.sum(), x, { allowUnused: 1 } as never)).toThrow(/allowUnused must be true or false/);
  });
});
