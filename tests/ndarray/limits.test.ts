import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";

/** The thrown error, checked to be one of edgegrad's typed errors. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(eg.EdgegradError);
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe("sizes beyond what a typed array can hold throw a typed error naming the shape and count", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("creation functions", () => {
    fc.assert(fc.property(fc.integer({ min: 70_000, max: 10_000_000 }), fc.integer({ min: 70_000, max: 10_000_000 }), (n, m) => {
      for (const make of [() => eg.zeros([n, m]), () => eg.ones([n, m]), () => eg.full([n, m], 2), () => eg.randn([n, m], { seed: 1 }),
        () => eg.rand([n, m], { seed: 1 }), () => eg.randint(0, 3, [n, m], { seed: 1 })]) {
        const e = thrownBy(make);
        expect(e).toBeInstanceOf(eg.ShapeError);
        expect(e.message).toContain(`[${n}, ${m}]`);
        expect(e.message).toContain(String(n * m));
      }
    }), { numRuns: 20 });
    expect(thrownBy(() => eg.zeros([1e6, 1e6])).message).toMatch(/\[1000000, 1000000\] has 1000000000000 elements/);
  });

  it("arange, linspace and broadcasting results", () => {
    expect(thrownBy(() => eg.arange(0, 1e10)).message).toMatch(/shape \[10000000000\]: 10000000000 float32 elements/);
    expect(thrownBy(() => eg.linspace(0, 1, 1e10)).message).toMatch(/10000000000/);
    const a = eg.zeros([70_000, 1]);
    const b = eg.zeros([1, 70_000]);
    const e = thrownBy(() => a.add(b));
    expect(e).toBeInstanceOf(eg.ShapeError);
    expect(e.message).toMatch(/\[70000, 70000\]: 4900000000 float32 elements/);
  });

  it("an allocation the engine refuses (out of memory) becomes a ValueError naming the size", () => {
    vi.stubGlobal("Float64Array", class { constructor() { throw new RangeError("Array buffer allocation failed"); } });
    const e = thrownBy(() => eg.zeros([3, 4], { dtype: "float64" }));
    expect(e).toBeInstanceOf(eg.ValueError);
    expect(e.message).toMatch(/shape \[3, 4\]: 12 float64 elements \(96 bytes\) could not be allocated: Array buffer allocation failed/);
  });
});

describe("tensor() of bad nested arrays", () => {
  it("a 20,000-deep nested array throws a ShapeError, not a stack overflow", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const e = thrownBy(() => eg.tensor(deep));
    expect(e).toBeInstanceOf(eg.ShapeError);
    expect(e.message).toMatch(/more than 64 levels deep/);
  });

  it("an array that contains itself throws instead of looping", () => {
    const a: unknown[] = [];
    a.push(a);
    expect(thrownBy(() => eg.tensor(a))).toBeInstanceOf(eg.ShapeError);
  });

  it("64 levels are accepted", () => {
    let deep: unknown = 5;
    for (let i = 0; i < 64; i++) deep = [deep];
    const t = eg.tensor(deep);
    expect(t.ndim).toBe(64);
    expect(t.item()).toBe(5);
  });

  it("ragged arrays name the path of the offending element", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), fc.nat(), fc.nat(), (n, m, ri, rj) => {
      const i = ri % n;
      const j = rj % m;
      fc.pre(i + j > 0); // the first innermost array sets the expected length
      const rows = Array.from({ length: n }, () => Array.from({ length: m }, () => [1, 2]));
      (rows[i][j] as unknown[]).push(3); // one innermost array too long
      const e = thrownBy(() => eg.tensor(rows));
      expect(e).toBeInstanceOf(eg.ShapeError);
      expect(e.message).toContain(`index [${i},${j}]: length 3, expected 2`);
    }));
    expect(thrownBy(() => eg.tensor([[1, 2], [3, [4]]])).message).toContain("index [1,1]: expected a number, found an array");
    expect(thrownBy(() => eg.tensor([[1, 2], 3])).message).toContain("index [1]: expected an array of length 2, found number");
  });
});
