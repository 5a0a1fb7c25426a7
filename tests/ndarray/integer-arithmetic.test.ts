// Integer and bool arithmetic as PyTorch computes it: int32/int8/uint8 products and powers wrap
// exactly (two's complement, like C), negative scalar powers of integers are refused, two bools
// add to a logical or and multiply to a logical and, and bool negation/subtraction are refused.
// Checked with exact equality against BigInt arithmetic wrapped to the dtype's width.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";

const WIDTH = { int32: 32, int8: 8, uint8: 8 } as const;
type IntDType = keyof typeof WIDTH;
/** The exact integer wrapped to the dtype: BigInt.asIntN / asUintN, sharing nothing with Math.imul. */
const wrap = (v: bigint, d: IntDType) => Number(d === "uint8" ? BigInt.asUintN(8, v) : BigInt.asIntN(WIDTH[d], v));
const range = (d: IntDType) => (d === "int32" ? { min: -(2 ** 31), max: 2 ** 31 - 1 } : d === "int8" ? { min: -128, max: 127 } : { min: 0, max: 255 });
/** b^e for e ≥ 0, exact. */
const bigPow = (b: bigint, e: number) => { let r = 1n; for (let i = 0; i < e; i++) r *= b; return r; };

describe("integer products and powers wrap exactly", () => {
  it("the repros: 123456789·987654321 and 3^40 in int32", () => {
    expect(eg.tensor([123456789], { dtype: "int32" }).mul(eg.tensor([987654321], { dtype: "int32" })).toArray()).toEqual([-67153019]);
    expect(eg.tensor([3], { dtype: "int32" }).pow(40).toArray()).toEqual([689956897]);
  });

  it("mul of random integers of each dtype equals the wrapped exact product", () => {
    fc.assert(fc.property(fc.constantFrom<IntDType>("int32", "int8", "uint8"), fc.integer({ min: 1, max: 20 }), fc.integer(),
      (d, n, seed) => {
        const r = range(d);
        const a = fc.sample(fc.integer(r), { numRuns: n, seed }), b = fc.sample(fc.integer(r), { numRuns: n, seed: seed + 1 });
        const y = eg.tensor(a, { dtype: d }).mul(eg.tensor(b, { dtype: d }));
        expect(y.dtype).toBe(d);
        expect(Array.from(y.data)).toEqual(a.map((v, i) => wrap(BigInt(v) * BigInt(b[i]), d)));
      }), { numRuns: 60 });
  });

  it("pow of random integers by exponents 0..70 equals the wrapped exact power", () => {
    fc.assert(fc.property(fc.constantFrom<IntDType>("int32", "int8", "uint8"), fc.integer({ min: 1, max: 12 }), fc.integer(),
      (d, n, seed) => {
        const base = fc.sample(fc.integer(range(d)), { numRuns: n, seed });
        const exp = fc.sample(fc.integer({ min: 0, max: Math.min(70, range(d).max) }), { numRuns: n, seed: seed + 1 });
        const y = eg.tensor(base, { dtype: d }).pow(eg.tensor(exp, { dtype: d }));
        expect(y.dtype).toBe(d);
        expect(Array.from(y.data)).toEqual(base.map((v, i) => wrap(bigPow(BigInt(v), exp[i]), d)));
      }), { numRuns: 60 });
  });

  it("a negative scalar exponent of an integer tensor is refused; a negative tensor exponent gives PyTorch's 1, ±1 or 0", () => {
    const x = eg.tensor([2], { dtype: "int32" });
    expect(() => x.pow(-1)).toThrow(eg.ValueError);
    expect(() => x.pow(-1)).toThrow(/pow: a int32 tensor to the negative power -1/);
    const bases = eg.tensor([1, -1, 2, -2, 0], { dtype: "int32" });
    expect(bases.pow(eg.tensor(-1, { dtype: "int32" })).toArray()).toEqual([1, -1, 0, 0, 0]);
    expect(bases.pow(eg.tensor(-2, { dtype: "int32" })).toArray()).toEqual([1, 1, 0, 0, 0]);
    expect(x.pow(-0.5).dtype).toBe("float32"); // a float exponent promotes: no integer power
  });
});

describe("bool arithmetic follows PyTorch", () => {
  const a = eg.tensor([true, true, false, false]), b = eg.tensor([true, false, true, false]);
  it("add is a logical or, mul a logical and, maximum/minimum stay bool", () => {
    for (const [y, want] of [[a.add(b), [true, true, true, false]], [a.mul(b), [true, false, false, false]],
      [a.maximum(b), [true, true, true, false]], [a.minimum(b), [true, false, false, false]]] as const) {
      expect(y.dtype).toBe("bool");
      expect(y.toArray()).toEqual(want);
      expect(Array.from(y.data).every((v) => v === 0 || v === 1)).toBe(true); // stored as 0/1 bytes
    }
  });
  it("with an integer the result is an integer; sign keeps bool", () => {
    expect(a.add(1).toArray()).toEqual([2, 2, 1, 1]);
    expect(a.add(1).dtype).toBe("int32");
    expect(a.sign().dtype).toBe("bool");
  });
  it("neg, abs, sub and pow of bools are refused with a DTypeError", () => {
    expect(() => a.neg()).toThrow(eg.DTypeError);
    expect(() => a.abs()).toThrow(/abs: not defined for bool tensors/);
    expect(() => a.sub(b)).toThrow(eg.DTypeError);
    expect(() => a.pow(b)).toThrow(eg.DTypeError);
  });
});
