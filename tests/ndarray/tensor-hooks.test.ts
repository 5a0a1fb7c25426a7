import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError, type Tensor } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, sampleTensor, shapeArb, unitOf } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

// The problem every property draws: y = x·a (an intermediate used twice), L = Σ r·(y·y + y), so
// dL/dy = r·(2y + 1) and dL/dx = a·r·(2y + 1), written out in float64 from the same values.
interface Problem { x: Tensor; a: Tensor; r: Tensor; gy: number[]; gx: number[]; tolY: number[]; tolX: number[] }

function problem(shape: number[], seed: number, dtype: "float32" | "float64"): Problem {
  const x = sampleTensor(shape, seed, dtype);
  x.requiresGrad = true;
  const a = sampleTensor(shape, seed + 1, dtype), r = sampleTensor(shape, seed + 2, dtype);
  const u = unitOf(dtype);
  const xs = Array.from(x.data), as = Array.from(a.data), rs = Array.from(r.data);
  const ys = xs.map((v, i) => v * as[i]);
  const gy = ys.map((y, i) => rs[i] * (2 * y + 1));
  // Each gradient element passes through at most 6 roundings of its own precision, each relative to a term of |r|·(2|y| + 1).
  const tolY = ys.map((y, i) => 8 * u * Math.abs(rs[i]) * (2 * Math.abs(y) + 1) + ETA32);
  return { x, a, r, gy, gx: gy.map((g, i) => g * as[i]), tolY, tolX: tolY.map((t, i) => t * (Math.abs(as[i]) + 1)) };
}

const lossOf = (p: Problem, y: Tensor): Tensor => y.mul(y).add(y).mul(p.r).sum();
const scaled = (v: number[], k: number) => v.map((g) => g * k);
const caseArb = fc.record({ shape: shapeArb(3, 4), seed: fc.integer({ min: 1, max: 1e6 }), dtype: fc.constantFrom("float32" as const, "float64" as const) });

describe("registerHook: a tensor's gradient seen and replaced during backward", () => {
  it("a hook on an intermediate sees its summed gradient once, and its replacement (×2) reaches the leaf", () => {
    fc.assert(fc.property(caseArb, ({ shape, seed, dtype }) => {
      const p = problem(shape, seed, dtype);
      const y = p.x.mul(p.a);
      const seen: Tensor[] = [];
      eg.registerHook(y, (g) => { seen.push(g); return g.mul(2); });
      lossOf(p, y).backward();
      expect(seen.length).toBe(1);
      expectWithin(seen[0].data, p.gy, (i) => p.tolY[i], "gradient the hook saw");
      expectWithin(p.x.grad!.data, scaled(p.gx, 2), (i) => 2 * p.tolX[i], "x.grad after a ×2 hook on y");
    }), { numRuns: 30 });
  });

  it("a hook on a leaf changes what is added into .grad, in float32 and float64", () => {
    fc.assert(fc.property(caseArb, ({ shape, seed, dtype }) => {
      const p = problem(shape, seed, dtype);
      eg.registerHook(p.x, (g) => g.mul(-3));
      lossOf(p, p.x.mul(p.a)).backward();
      expect(p.x.grad!.dtype).toBe(dtype);
      expectWithin(p.x.grad!.data, scaled(p.gx, -3), (i) => 3 * p.tolX[i], "x.grad after a ×(−3) hook on x");
    }), { numRuns: 30 });
  });

  it("hooks run in registration order, each on the previous one's result; returning nothing keeps the gradient", () => {
    const p = problem([2, 3], 7, "float64");
    const order: string[] = [];
    eg.registerHook(p.x, (g) => { order.push("add 1"); return g.add(1); });
    eg.registerHook(p.x, () => { order.push("look"); });
    eg.registerHook(p.x, (g) => { order.push("times 3"); return g.mul(3); });
    lossOf(p, p.x.mul(p.a)).backward();
    expect(order).toEqual(["add 1", "look", "times 3"]);
    expectWithin(p.x.grad!.data, p.gx.map((g) => (g + 1) * 3), (i) => 3 * p.tolX[i] + 8 * 2 ** -53, "x.grad after (g + 1)·3");
  });

  it("remove() unregisters that hook alone, and a second remove() does nothing", () => {
    const p = problem([4], 11, "float32");
    const h1 = eg.registerHook(p.x, (g) => g.mul(5));
    eg.registerHook(p.x, (g) => g.mul(2));
    h1.remove();
    h1.remove();
    lossOf(p, p.x.mul(p.a)).backward();
    expectWithin(p.x.grad!.data, scaled(p.gx, 2), (i) => 2 * p.tolX[i], "x.grad with only the ×2 hook left");
  });

  it("a replacing hook leaves the gradient of a composite function right (central differences, float64)", () => {
    const x = float64Input([2, 3], 5);
    const f = (v: Tensor) => {
      const y = eg.sin(v);
      if (y.requiresGrad) eg.registerHook(y, (g) => g.mul(1)); // f also runs under noGrad for the differences
      return y.mul(y).add(y.exp());
    };
    assertGradByDifferences(f, [x], "sin → hook → y² + exp(y)");
  });

  it("refuses a non-function, a non-tensor and a tensor that does not require grad", () => {
    const x = eg.ones([2], { requiresGrad: true });
    expect(() => eg.registerHook(x, 3 as never)).toThrow(ValueError);
    expect(() => eg.registerHook(x, null as never)).toThrow(/hook must be a function, got null/);
    expect(() => eg.registerHook([1, 2] as never, () => undefined)).toThrow(ValueError);
    expect(() => eg.registerHook(eg.ones([2]), () => undefined)).toThrow(/does not require grad/);
  });

  it("a hook result of another shape, dtype or kind is refused with a typed error", () => {
    const run = (hook: (g: Tensor) => unknown) => {
      const x = eg.ones([2, 2], { requiresGrad: true });
      const y = x.mul(2);
      eg.registerHook(y, hook as never);
      return () => y.sum().backward();
    };
    expect(run((g) => g.reshape([4]))).toThrow(ShapeError);
    expect(run((g) => g.astype("float64"))).toThrow(DTypeError);
    expect(run(() => 1)).toThrow(/expected a Tensor or nothing back, got 1/);
  });
});

describe("retainGrad, retainsGrad and isLeaf", () => {
  it("an intermediate keeps dL/dy in .grad after backward; without retainGrad it has none", () => {
    fc.assert(fc.property(caseArb, ({ shape, seed, dtype }) => {
      const p = problem(shape, seed, dtype);
      const y = p.x.mul(p.a), other = p.x.mul(p.a);
      eg.retainGrad(y);
      lossOf(p, y).add(lossOf(p, other)).backward();
      expect(y.grad!.dtype).toBe(dtype);
      expectWithin(y.grad!.data, p.gy, (i) => p.tolY[i], "retained y.grad");
      expect(other.grad).toBeNull();
      expect(eg.retainsGrad(y)).toBe(true);
      expect(eg.retainsGrad(other)).toBe(false);
    }), { numRuns: 30 });
  });

  it("the retained gradient is the one after the tensor's hooks, and accumulates over backward calls", () => {
    const p = problem([3, 2], 3, "float64");
    const y = p.x.mul(p.a);
    eg.retainGrad(y);
    eg.registerHook(y, (g) => g.mul(2));
    const loss = lossOf(p, y);
    loss.backward();
    expectWithin(y.grad!.data, scaled(p.gy, 2), (i) => 2 * p.tolY[i], "y.grad after one backward");
    loss.backward();
    expectWithin(y.grad!.data, scaled(p.gy, 4), (i) => 4 * p.tolY[i], "y.grad after two");
  });

  it("isLeaf: user tensors (with or without grad) are leaves, results of recorded ops are not; retainGrad on a leaf changes nothing", () => {
    const x = eg.ones([2], { requiresGrad: true });
    const c = eg.ones([2]);
    expect(eg.isLeaf(x)).toBe(true);
    expect(eg.isLeaf(c)).toBe(true);
    expect(eg.isLeaf(x.mul(2))).toBe(false);
    expect(eg.isLeaf(c.mul(2))).toBe(true);
    expect(eg.isLeaf(eg.noGrad(() => x.mul(2)))).toBe(true);
    eg.retainGrad(x);
    expect(eg.retainsGrad(x)).toBe(false);
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([3, 3]);
  });

  it("refuses a non-tensor and a tensor that does not require grad", () => {
    expect(() => eg.retainGrad(eg.ones([2]))).toThrow(ValueError);
    expect(() => eg.retainGrad({} as never)).toThrow(ValueError);
    expect(() => eg.isLeaf(3 as never)).toThrow(/expected a Tensor, got 3/);
  });
});
