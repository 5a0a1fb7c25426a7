// eg.autograd.gradcheck: true on correct ops, and on an op defined with a wrong backward rule
// (eg.record) a GradcheckError naming the output, the input and the element, whose numbers are
// checked against the derivative written out in float64.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ValueError, type Tensor } from "../../src/index.js";
import { sampleTensor, shapeArb } from "../support/reference.js";

const { gradcheck, GradcheckError } = eg.autograd;
const seedArb = fc.integer({ min: 1, max: 1e6 });
const leaf = (shape: number[], seed: number, lo = -2, hi = 2) => {
  const t = sampleTensor(shape, seed, "float64", lo, hi);
  t.requiresGrad = true;
  return t;
};
const values = (t: Tensor) => Array.from(t.data);

/**
 * x ↦ x² elementwise with a backward rule g·x·slope: slope = 2 everywhere is right; a slope
 * of 2.5 at one element makes that diagonal entry of the Jacobian wrong.
 */
function square(slope: Tensor) {
  return (v: Tensor) => {
    const x = v.detach();
    return eg.record(x.mul(x), "squareUnderTest", [v], (g) => [g.mul(x).mul(slope)]);
  };
}
const slopes = (shape: number[], at: number, wrong: number) => {
  const s = eg.full(shape, 2, { dtype: "float64" });
  (s.storage as Float64Array)[at] = wrong;
  return s;
};
/** The multi-index of a row-major position, as the error message writes it. */
const indexOf = (flat: number, shape: number[]) => {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(", ")}]`;
};

describe("gradcheck passes on the library's own ops", () => {
  it("tanh(x·W)·x summed, exp, and a second output, on drawn shapes", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), seedArb, (m, n, seed) => {
      const x = leaf([m, n], seed), w = leaf([n, n], seed + 1);
      expect(gradcheck((a: Tensor, b: Tensor) => a.matmul(b).tanh().mul(a).sum(), [x, w])).toBe(true);
      expect(gradcheck((a: Tensor, b: Tensor) => [a.exp().matmul(b), b.mul(b).sum()], [x, w])).toBe(true);
    }), { numRuns: 15 });
  });

  it("with an input that needs no gradient (left unperturbed) and a non-contiguous input; every input restored to the bit", () => {
    fc.assert(fc.property(shapeArb(2, 4).filter((s) => s.length === 2), seedArb, (shape, seed) => {
      const base = leaf([shape[1], shape[0]], seed);
      const xt = base.transpose(); // a view: the differences nudge elements through its strides
      const c = sampleTensor(shape, seed + 1, "float64");
      const before = [values(base), values(c)];
      expect(gradcheck((a: Tensor, k: Tensor) => a.mul(k).sigmoid(), [xt, c])).toBe(true);
      expect([values(base), values(c)]).toEqual(before);
      expect(base.grad).toBeNull();
    }), { numRuns: 20 });
  });

  it("a function whose outputs need no gradient passes when the differences are zero", () => {
    const x = leaf([3], 2);
    expect(gradcheck(() => eg.ones([2], { dtype: "float64" }), x)).toBe(true);
  });
});

describe("gradcheck finds a wrong backward rule", () => {
  it("throws a GradcheckError naming the output, the input and the element, with both values", () => {
    fc.assert(fc.property(shapeArb(3, 3), seedArb, fc.nat(), fc.integer({ min: 0, max: 2 }), (shape, seed, pick, position) => {
      const n = shape.reduce((a, b) => a * b, 1), at = pick % n;
      // |x| in [0.5, 2]: the error 0.5·|x| is far above atol + rtol·2|x|.
      const x = leaf(shape, seed, 0.5, 2);
      const others = [leaf([2], seed + 1), leaf([1], seed + 2)].slice(0, position);
      const inputs = [...others, x];
      const f = (...vs: Tensor[]) => [vs[vs.length - 1].sum().mul(0), square(slopes(shape, at, 2.5))(vs[vs.length - 1])];
      let error: unknown = null;
      try {
        gradcheck(f, inputs);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GradcheckError);
      expect(error).toBeInstanceOf(ValueError);
      const message = (error as Error).message;
      expect(message).toContain(`for output 1 with respect to input ${position} at output element ${indexOf(at, shape)}, input element ${indexOf(at, shape)}`);
      const [, numeric, analytic] = /numerical (\S+), analytical (\S+) /.exec(message)!.map(Number);
      const xv = values(x)[at];
      // ((x+h)² − (x−h)²)/2h = 2x exactly; rounding of x² (≤ 4) over 2h leaves at most ~1e-9.
      expect(Math.abs(numeric - 2 * xv)).toBeLessThan(1e-8);
      expect(analytic).toBe(2.5 * xv);
      expect(gradcheck(f, inputs, { raiseException: false })).toBe(false);
    }), { numRuns: 30 });
  });

  it("counts an integer output (left out of the comparison, as PyTorch does) when it names the output", () => {
    const x = leaf([3], 8, 0.5, 2);
    const f = (v: Tensor) => [eg.tensor([1, 2], { dtype: "int32" }), square(slopes([3], 1, 2.5))(v)];
    expect(() => gradcheck(f, x)).toThrow(/for output 1 with respect to input 0 at output element \[1\], input element \[1\]/);
    expect(gradcheck((v: Tensor) => [eg.tensor([1, 2], { dtype: "int32" }), v.exp()], x)).toBe(true);
  });

  it("atol and rtol decide: a relative error of 1e-4 passes rtol 1e-3 and fails rtol 1e-5 with atol 0", () => {
    const x = leaf([4], 7, 0.5, 2);
    const f = square(slopes([4], 2, 2 * (1 + 1e-4)));
    expect(gradcheck(f, x)).toBe(true);
    expect(gradcheck(f, x, { rtol: 1e-5, atol: 0, raiseException: false })).toBe(false);
    expect(gradcheck(square(slopes([4], 2, 2.5)), x, { atol: 10 })).toBe(true);
  });

  it("the step eps: the difference quotient of x³ is 3x² + eps², so eps = 1e-2 misses by 1e-4", () => {
    const x = leaf([1], 3, 1, 1.5);
    const cube = (v: Tensor) => v.mul(v).mul(v);
    // |3x²| ≤ 6.75: rtol 1e-6 allows under 7e-6; the default eps leaves eps² = 1e-12 plus rounding ≈ u·x³/eps ≈ 4e-10.
    expect(gradcheck(cube, x, { eps: 1e-2, atol: 0, rtol: 1e-6, raiseException: false })).toBe(false);
    expect(gradcheck(cube, x, { atol: 0, rtol: 1e-6 })).toBe(true);
  });

  it("an output that needs no gradient but changes with the input fails (the differences must be zero)", () => {
    const x = leaf([2, 2], 5);
    expect(() => gradcheck((v: Tensor) => v.detach().mul(3), x)).toThrow(/no output requires grad, so the numerical gradient must be zero/);
  });
});

describe("gradcheck refuses, with typed errors", () => {
  it("a float32 input that requires grad, naming float64; none requiring grad; a broadcast input", () => {
    const x32 = sampleTensor([3], 1, "float32");
    x32.requiresGrad = true;
    expect(() => gradcheck((v: Tensor) => v.exp(), x32)).toThrow(DTypeError);
    expect(() => gradcheck((v: Tensor) => v.exp(), x32)).toThrow(/input 0 requires grad and is float32; the check needs float64/);
    const c32 = sampleTensor([3], 2, "float32");
    expect(gradcheck((v: Tensor, c: Tensor) => v.mul(c.astype("float64")), [leaf([3], 3), c32])).toBe(true);
    expect(() => gradcheck((v: Tensor) => v.exp(), sampleTensor([3], 1, "float64"))).toThrow(/no input requires grad/);
    const b = leaf([1, 3], 4).broadcastTo([2, 3]);
    expect(() => gradcheck((v: Tensor) => v.exp(), b)).toThrow(/input 0 \(shape \[2,3\], strides \[0,1\]\) has a broadcast dim/);
  });

  it("bad options", () => {
    const x = leaf([2], 1);
    const f = (v: Tensor) => v.exp();
    expect(() => gradcheck(f, x, { eps: 0 })).toThrow(/eps must be a finite number > 0/);
    expect(() => gradcheck(f, x, { atol: -1 })).toThrow(/atol must be a finite number ≥ 0/);
    expect(() => gradcheck(f, x, { rtol: Number.NaN })).toThrow(ValueError);
    expect(() => gradcheck(f, x, { raiseException: "no" } as never)).toThrow(/raiseException must be true or false/);
    expect(() => gradcheck(f, x, { nondetTol: 0 } as never)).toThrow(/unknown option "nondetTol"/);
    expect(() => gradcheck(() => "y" as unknown as Tensor, x)).toThrow(/the result of fn must be a Tensor/);
  });
});
