import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import * as eg from "../../src/index.js";
import { broadcastIndex, indices, layoutArb, makeTensor, shapeArb, broadcastableTo, valuesFrom, U32, ETA32 } from "../support/reference.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";

// The elementwise math of src/ndarray/math-unary.ts, math-binary.ts, math-compare.ts and the
// special functions of special.ts: PyTorch 1.13's values and gradients (the cases of
// scripts/torch-parity/math_ops.py, edge cases included), float64 references and identities
// written out here with plain loops, gradients by finite differences, and the typed errors.

const U64 = 2 ** -53;
type Fn = (...args: unknown[]) => unknown;
const EG = eg as unknown as Record<string, Fn>;
const SPECIAL = new Set(["lgamma", "digamma", "erfinv", "erf", "erfc"]);

// ---------------------------------------------------------------------------------------------
// PyTorch 1.13 cases (tests/parity/cases/math-ops.json, from scripts/torch-parity/math_ops.py)

type Num = number | string;
interface Enc { dtype: eg.DType; shape: number[]; data: Num[] }
interface MathCase {
  id: string; op: string; args: (Enc | Num)[]; options?: Record<string, Num | boolean>;
  out: Enc | boolean; cotangent?: Enc; grads?: (Enc | null)[];
  /** Values to 40 digits (mpmath) of the special functions, and their gradients times the cotangent. */
  exact?: (Num | null)[]; exactGrad?: (Num | null)[];
}
const num = (v: Num): number => (typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "-0" ? -0 : Number(v));
const isEnc = (v: unknown): v is Enc => typeof v === "object" && v !== null && "data" in v;
const decode = (e: Enc, requiresGrad = false) => {
  const data = e.data.map(num);
  const t = e.dtype === "float64" ? eg.fromTypedArray(Float64Array.from(data), e.shape)
    : eg.tensor(data, { dtype: e.dtype }).reshape(e.shape);
  const leaf = new eg.Tensor(t.data, t.dtype, t.shape);
  if (requiresGrad) leaf.requiresGrad = true;
  return leaf;
};
const cases: MathCase[] = JSON.parse(readFileSync(new URL("../parity/cases/math-ops.json", import.meta.url), "utf8")).cases;

/**
 * Bound on |got − want| for a result of `dtype`, where `want` is PyTorch's float64 value of the
 * same inputs: edgegrad computes in float64 (a few ulps; the special functions within the bounds
 * stated in special.ts, the elementary ones within a few ulps of Math.*) and rounds once.
 * `steps` counts float32 roundings on the way (1 for values; the gradient adds the product).
 */
function tolerance(op: string, dtype: string, want: number, steps: number): number {
  const rel64 = SPECIAL.has(op) ? 1e-13 : 16 * U64;
  const abs64 = SPECIAL.has(op) ? 4e-15 : 0;
  const round = dtype === "float32" ? steps * U32 * Math.abs(want) + ETA32 : 0;
  return round + rel64 * Math.abs(want) + abs64 + Number.MIN_VALUE;
}

function expectValues(got: eg.Tensor, want: Enc, op: string, what: string, steps: number, skip: (i: number) => boolean = () => false) {
  expect(got.dtype, `${what} dtype`).toBe(want.dtype);
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const g = Array.from(got.data, Number);
  want.data.forEach((w0, i) => {
    let w = num(w0);
    if (want.dtype === "float32") w = Math.fround(w);
    const v = g[i];
    if (w0 === "skip" || skip(i)) return;
    if (want.dtype !== "float32" && want.dtype !== "float64") return expect(v, `${what}[${i}]`).toBe(w);
    if (!Number.isFinite(w) || w === 0) return expect(Object.is(v, w) || (w === 0 && v === 0 && typeof w0 !== "string" && op !== "round"), `${what}[${i}]: ${v} vs ${String(w0)}`).toBe(true);
    expect(Math.abs(v - w), `${what}[${i}]: ${v} vs ${w}`).toBeLessThanOrEqual(tolerance(op, want.dtype, w, steps));
  });
}

/**
 * Gradients PyTorch 1.13 gives at points where the derivative does not exist and edgegrad does not
 * follow: digamma's gradient at its poles −1, −2, −1e10 is a finite number there (polygamma's
 * series evaluated at the pole: 5e32 at −1), edgegrad's +∞.
 */
const GRAD_SKIPS: Record<string, number[]> = {
  "digamma/float64/edge": [2, 3, 4], "digamma/float32/edge": [2, 3, 4],
};

/**
 * Where PyTorch 1.13's float fmod and remainder are not the exact remainder: its vectorized loop
 * computes a − b·trunc(a/b) (floor for remainder), which is NaN when a/b overflows and off by
 * whole multiples of b's ulp once |a/b| > 2^53; edgegrad's is exact (C's fmod, as math.fmod).
 */
function inexactInTorch(c: MathCase): (i: number) => boolean {
  if ((c.op !== "fmod" && c.op !== "remainder") || !isEnc(c.args[0]) || !isEnc(c.args[1])) return () => false;
  const [a, b] = [c.args[0].data.map(num), c.args[1].data.map(num)];
  if (a.length !== b.length) return () => false;
  // (A finite a over ±∞ is a in C, NaN in PyTorch's loop; NaN, ±∞ and zero divisors agree.)
  return (i) => Number.isFinite(a[i]) && (!Number.isFinite(b[i]) || (b[i] !== 0 && !(Math.abs(a[i] / b[i]) <= 2 ** 53)));
}

describe("PyTorch 1.13 cases (scripts/torch-parity/math_ops.py)", () => {
  for (const c of cases) {
    it(c.id, () => {
      const args = c.args.map((a) => (isEnc(a) ? decode(a, c.grads !== undefined && (a.dtype === "float32" || a.dtype === "float64")) : num(a)));
      const out = EG[c.op](...args, ...(c.options ? [Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, typeof v === "boolean" ? v : num(v)]))] : []));
      if (typeof c.out === "boolean") return expect(out).toBe(c.out);
      expect(out).toBeInstanceOf(eg.Tensor);
      const y = out as eg.Tensor;
      const skip = inexactInTorch(c);
      const exact = (vals: (Num | null)[] | undefined, like: Enc): Enc | null =>
        vals ? { ...like, data: vals.map((v) => (v === null ? "skip" : v)) } : null;
      const exactOut = exact(c.exact, c.out);
      // Where the 40-digit value exists it decides: PyTorch's own erfinv is 1e-6 off near
      // |y| = 1 − 2⁻⁴⁰ and its trigamma (digamma's gradient) 6e-11 near x = 5.
      const hasExact = (vals: (Num | null)[] | undefined) => (i: number) => skip(i) || (vals !== undefined && vals[i] !== null);
      expectValues(y, c.out, c.op, `${c.id} value`, 1, hasExact(c.exact));
      // Where PyTorch's loop is inexact, the exact remainder decides: JS's % is C's fmod (exact),
      // and remainder moves a remainder of the wrong sign by one divisor, as Python's float %.
      if (c.op === "fmod" || c.op === "remainder") {
        const [a, b] = [(args[0] as eg.Tensor).data, (args[1] as eg.Tensor).data];
        const round = y.dtype === "float32" ? Math.fround : (v: number) => v;
        for (let i = 0; i < y.size; i++) {
          if (!skip(i)) continue;
          let r = a[i] % b[i];
          if (c.op === "remainder" && r !== 0 && r < 0 !== b[i] < 0) r += b[i];
          expect(y.data[i], `${c.id} value [${i}]: the exact ${c.op} of ${a[i]} and ${b[i]}`).toBe(round(r));
        }
      }
      if (exactOut) expectValues(y, exactOut, c.op, `${c.id} value (exact)`, 1);
      if (!c.grads || !c.cotangent) return;
      y.backward(decode({ ...c.cotangent, dtype: y.dtype }));
      c.grads.forEach((g, k) => {
        if (!g) return;
        const t = args[k] as eg.Tensor;
        expect(t.grad, `${c.id}: grad of argument ${k}`).not.toBeNull();
        const skipped = GRAD_SKIPS[c.id] ?? [];
        const want = { ...g, dtype: t.dtype, data: g.data.map((v, i) => (skipped.includes(i) ? "skip" : v)) };
        expectValues(t.grad!, want, c.op, `${c.id} grad ${k}`, 3, hasExact(c.exactGrad));
        const exactGrad = exact(c.exactGrad, want);
        if (exactGrad) expectValues(t.grad!, exactGrad, c.op, `${c.id} grad ${k} (exact)`, 3);
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Property tests against float64 references written here

const dtypeArb = fc.constantFrom<"float32" | "float64">("float32", "float64");
const list = (t: eg.Tensor) => Array.from(t.data, Number);

/** Unary ops, their reference and the interval their inputs are drawn from. */
const UNARY: [string, (v: number) => number, number, number][] = [
  ["sin", Math.sin, -10, 10], ["cos", Math.cos, -10, 10], ["tan", Math.tan, -1.5, 1.5],
  ["asin", Math.asin, -1, 1], ["acos", Math.acos, -1, 1], ["atan", Math.atan, -10, 10],
  ["sinh", Math.sinh, -5, 5], ["cosh", Math.cosh, -5, 5], ["asinh", Math.asinh, -10, 10],
  ["acosh", Math.acosh, 1, 10], ["atanh", Math.atanh, -0.99, 0.99], ["reciprocal", (v) => 1 / v, -3, 3],
  ["floor", Math.floor, -5, 5], ["ceil", Math.ceil, -5, 5], ["trunc", Math.trunc, -5, 5],
  ["frac", (v) => v - Math.trunc(v), -5, 5],
  // round half to even, written from its definition: the nearer integer, the even one at a tie.
  ["round", (v) => { const f = Math.floor(v), d = v - f; return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1; }, -5, 5],
];

describe("unary ops against float64 references", () => {
  it("each element is the reference of the element (float32: rounded once), on strided views", () => {
    fc.assert(fc.property(fc.constantFrom(...UNARY), shapeArb(3, 4), layoutArb, fc.integer({ min: 1, max: 1e6 }), dtypeArb,
      ([op, ref, lo, hi], shape, layout, seed, dtype) => {
        // Halves for the rounding ops: ties are what round has to decide.
        const v = valuesFrom(seed, lo, hi);
        const rounding = ["floor", "ceil", "trunc", "frac", "round"].includes(op);
        const x = makeTensor(shape, (i) => (rounding && i % 3 === 0 ? Math.round(v(i) * 2) / 2 : v(i)), layout, dtype);
        const y = EG[op](x) as eg.Tensor;
        expect(y.dtype).toBe(dtype);
        expect(y.shape).toEqual(shape);
        const xs = list(x), ys = list(y);
        xs.forEach((xv, i) => {
          const want = dtype === "float32" ? Math.fround(ref(xv)) : ref(xv);
          // Rounding ops are exact; the rest compute Math.* in float64 and round to the dtype.
          expect(Math.abs(ys[i] - want)).toBeLessThanOrEqual(["floor", "ceil", "trunc", "frac", "round"].includes(op) ? 0 : 4 * U64 * Math.abs(want));
        });
      }), { numRuns: 150 });
  });

  it("lgamma, digamma and erfinv satisfy their identities to the stated bounds over wide ranges", () => {
    fc.assert(fc.property(fc.double({ min: -30, max: 60, noNaN: true }), (x) => {
      fc.pre(Math.abs(x - Math.round(x)) > 1e-3);
      const t = eg.fromTypedArray(Float64Array.of(x, x + 1), [2]);
      const [l0, l1] = list(eg.lgamma(t));
      const [d0, d1] = list(eg.digamma(t));
      // Γ(x+1) = xΓ(x) and ψ(x+1) = ψ(x) + 1/x; the bounds of special.ts on both sides: lgamma is
      // within 1e-13 relative plus 4e-15 absolute (what remains near its zeros at 1 and 2, where
      // both l0 and l1 are small when x is near 1), and the identity takes two of its values.
      const lt = 1e-13 * (Math.abs(l0) + Math.abs(l1) + Math.abs(Math.log(Math.abs(x)))) + 2 * 4e-15;
      expect(Math.abs(l1 - (l0 + Math.log(Math.abs(x))))).toBeLessThanOrEqual(lt);
      const dt = 1e-13 * (Math.abs(d0) + Math.abs(d1) + Math.abs(1 / x)) + 2e-15;
      expect(Math.abs(d1 - (d0 + 1 / x))).toBeLessThanOrEqual(dt);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.double({ min: -5.5, max: 5.5, noNaN: true }), (x) => {
      const y = eg.nn.erf(x);
      fc.pre(Math.abs(y) < 1);
      // erfinv(erf(x)) = x, to erf's rounding of y magnified by 1/erf'(x).
      const back = eg.erfinv(eg.fromTypedArray(Float64Array.of(y), [1])).item();
      const cond = (U64 * Math.max(Math.abs(y), Math.abs(eg.nn.erfc(Math.abs(x))))) / (1.1283791670955126 * Math.exp(-x * x));
      expect(Math.abs(back - x)).toBeLessThanOrEqual(4 * cond + 1e-13 * Math.abs(x));
    }), { numRuns: 300 });
  });

  it("the int → float32 promotion, the integer copies, and bool results of the NaN tests", () => {
    const i = eg.tensor([-3, 0, 2], { dtype: "int32" });
    expect(eg.sin(i).dtype).toBe("float32");
    expect(list(eg.sin(i))).toEqual([Math.fround(Math.sin(-3)), 0, Math.fround(Math.sin(2))]);
    expect(eg.floor(i).dtype).toBe("int32");
    expect(list(eg.round(i))).toEqual([-3, 0, 2]);
    expect(eg.reciprocal(eg.tensor([true, false], { dtype: "bool" })).toArray()).toEqual([1, Infinity]); // PyTorch 1.13
    const f = eg.tensor([NaN, Infinity, -1], { dtype: "float32" });
    expect(eg.isnan(f).toArray()).toEqual([true, false, false]);
    expect(eg.isinf(f).dtype).toBe("bool");
    expect(eg.isfinite(f).toArray()).toEqual([false, false, true]);
    // 0-d and empty tensors keep their shapes.
    expect(eg.sin(eg.tensor(0.5)).shape).toEqual([]);
    expect(eg.atan2(eg.zeros([0, 3]), eg.zeros([3])).shape).toEqual([0, 3]);
  });
});

/** Binary ops, their reference, and the interval of each operand. */
const BINARY: [string, (a: number, b: number) => number, [number, number], [number, number]][] = [
  ["atan2", Math.atan2, [-3, 3], [-3, 3]],
  ["hypot", (a, b) => Math.sqrt(a * a + b * b), [-3, 3], [-3, 3]],
  ["logaddexp", (a, b) => Math.log(Math.exp(a) + Math.exp(b)), [-5, 5], [-5, 5]],
  ["logaddexp2", (a, b) => Math.log2(2 ** a + 2 ** b), [-5, 5], [-5, 5]],
  ["xlogy", (a, b) => a * Math.log(b), [-3, 3], [0.1, 5]],
  ["fmod", (a, b) => a - Math.trunc(a / b) * b, [-10, 10], [0.5, 3]],
  ["remainder", (a, b) => a - Math.floor(a / b) * b, [-10, 10], [-3, -0.5]],
];

describe("binary ops against float64 references, broadcast", () => {
  it("each element from the broadcast operands", () => {
    fc.assert(fc.property(fc.constantFrom(...BINARY), shapeArb(3, 4).chain((s) => fc.tuple(fc.constant(s), broadcastableTo(s))),
      layoutArb, fc.integer({ min: 1, max: 1e6 }), dtypeArb, ([op, ref, ra, rb], [shape, bShape], layout, seed, dtype) => {
        const a = makeTensor(shape, valuesFrom(seed, ...ra), layout, dtype);
        const b = makeTensor(bShape, valuesFrom(seed + 1, ...rb), { transposeLast: false, padLast: 0, offset: 0 }, dtype);
        const y = EG[op](a, b) as eg.Tensor;
        expect(y.shape).toEqual(shape);
        expect(y.dtype).toBe(dtype);
        for (const idx of indices(shape)) {
          const av = a.slice(...idx.map((i) => i)).item(), bv = b.slice(...broadcastIndex(idx, bShape)).item();
          const want = ref(av, bv);
          const got = y.slice(...idx).item();
          // The references above round a few times more than the ops (exp, log, the quotient of
          // fmod): 8 ulps of float64 on the terms, then the dtype's rounding.
          // (logaddexp's log rounds its argument's relative error into an absolute one.)
          const scale = Math.abs(want) + (op === "fmod" || op === "remainder" ? Math.abs(av) : op === "xlogy" ? Math.abs(av * Math.log(bv)) : op.startsWith("logaddexp") ? 1 : 0);
          expect(Math.abs(got - want)).toBeLessThanOrEqual((dtype === "float32" ? U32 : 0) * Math.abs(want) + 8 * U64 * scale + ETA32 * +(dtype === "float32"));
        }
      }), { numRuns: 120 });
  });

  it("fmod keeps the dividend's sign, remainder the divisor's (PyTorch 1.13), floats and int32", () => {
    const a = [5, -5, 5, -5], b = [3, 3, -3, -3];
    for (const dtype of ["float32", "float64", "int32"] as const) {
      expect(list(eg.fmod(eg.tensor(a, { dtype }), eg.tensor(b, { dtype })))).toEqual([2, -2, 2, -2]);
      expect(list(eg.remainder(eg.tensor(a, { dtype }), eg.tensor(b, { dtype })))).toEqual([2, 1, -1, -2]);
    }
    expect(eg.fmod(eg.tensor([7], { dtype: "int32" }), 2).dtype).toBe("int32");
    expect(Object.is(eg.remainder(eg.tensor([-0]), 3).item(), -0)).toBe(true); // PyTorch 1.13: -0.
    expect(eg.remainder(eg.tensor([3]), 0).item()).toBeNaN();
  });

  it("lerp: start + w·(end − start), exact at w = 0 and w = 1; isclose, allclose and equal", () => {
    const s = eg.tensor([1, -2, 1e8]), e = eg.tensor([3, 5, 1]);
    expect(list(eg.lerp(s, e, 0))).toEqual(list(s));
    expect(list(eg.lerp(s, e, 1))).toEqual(list(e));
    expect(list(eg.lerp(s, e, eg.tensor([0.5])))).toEqual([2, 1.5, Math.fround((1e8 + 1) / 2)]);
    expect(eg.isclose(eg.tensor([1, NaN]), eg.tensor([1 + 1e-6, NaN]), { equalNan: true }).toArray()).toEqual([true, true]);
    expect(eg.allclose(eg.tensor([1]), eg.tensor([1.1]), { rtol: 0.2 })).toBe(true);
    expect(eg.equal(eg.tensor([1, 2]), eg.tensor([1, 2], { dtype: "float64" }))).toBe(true);
    expect(eg.equal(eg.tensor([1, 2]), eg.tensor([[1, 2]]))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Gradients by finite differences

/** Differentiable unary ops and an input interval away from their poles and kinks. */
const GRAD_UNARY: [string, number, number][] = [
  ["sin", -3, 3], ["cos", -3, 3], ["tan", -1.2, 1.2], ["asin", -0.9, 0.9], ["acos", -0.9, 0.9],
  ["atan", -3, 3], ["sinh", -3, 3], ["cosh", -3, 3], ["asinh", -3, 3], ["acosh", 1.2, 4],
  ["atanh", -0.9, 0.9], ["reciprocal", 0.5, 3], ["frac", 0.1, 0.9], ["erf", -2, 2], ["erfc", -2, 2],
  ["erfinv", -0.95, 0.95], ["lgamma", 0.2, 8], ["digamma", 0.2, 8], ["nanToNum", -2, 2],
];

describe("gradients by finite differences", () => {
  for (const [op, lo, hi] of GRAD_UNARY) {
    it(op, () => {
      assertGradByDifferences((x) => EG[op](x) as eg.Tensor, [X([2, 3], 3, lo, hi)], op);
      // lgamma and digamma on the negative axis, between poles (reflection formula).
      if (op === "lgamma" || op === "digamma") assertGradByDifferences((x) => EG[op](x) as eg.Tensor, [X([4], 5, -2.9, -2.1)], `${op} < 0`);
    });
  }
  it("rounding ops have gradient 0 (PyTorch), away from their jumps", () => {
    for (const op of ["floor", "ceil", "trunc", "round"]) {
      const x = X([5], 1, 0.1, 0.4);
      (EG[op](x) as eg.Tensor).sum().backward();
      expect(list(x.grad!)).toEqual([0, 0, 0, 0, 0]);
    }
  });
  const GRAD_BINARY: [string, [number, number], [number, number]][] = [
    ["atan2", [-3, 3], [0.5, 3]], ["hypot", [0.5, 3], [-3, -0.5]], ["logaddexp", [-5, 5], [-5, 5]],
    ["logaddexp2", [-5, 5], [-5, 5]], ["xlogy", [-3, 3], [0.1, 5]], ["fmod", [0.1, 0.9], [1, 2]],
    ["remainder", [-0.9, -0.1], [1, 2]],
  ];
  for (const [op, ra, rb] of GRAD_BINARY) {
    it(`${op}, broadcast`, () => {
      assertGradByDifferences((a, b) => EG[op](a, b) as eg.Tensor, [X([2, 3], 7, ...ra), X([3], 8, ...rb)], op);
    });
  }
  it("lerp, to start, end and a weight tensor", () => {
    assertGradByDifferences((s, e, w) => eg.lerp(s, e, w), [X([2, 3], 1), X([3], 2), X([2, 1], 3, -0.5, 1.5)], "lerp");
  });
});

// ---------------------------------------------------------------------------------------------
// Typed errors

describe("typed errors", () => {
  it("non-tensor inputs, bool and integers where PyTorch refuses them, bad options", () => {
    expect(() => EG.sin([1, 2])).toThrow(eg.DTypeError);
    expect(() => EG.atan2("a", 1)).toThrow(eg.DTypeError);
    const b = eg.tensor([true], { dtype: "bool" }), i = eg.tensor([1], { dtype: "int32" });
    expect(() => eg.floor(b)).toThrow(eg.DTypeError);
    expect(() => eg.frac(i)).toThrow(/frac: not defined for int32/);
    expect(() => eg.round(i, { decimals: 1 })).toThrow(eg.DTypeError);
    expect(() => eg.hypot(i, i)).toThrow(eg.DTypeError);
    expect(() => eg.logaddexp(b, b)).toThrow(eg.DTypeError);
    expect(() => eg.fmod(b, b)).toThrow(eg.DTypeError);
    expect(() => eg.remainder(i, 0)).toThrow(/integer division by zero/);
    expect(() => eg.lerp(i, i, 0.5)).toThrow(eg.DTypeError);
    expect(() => eg.lerp(eg.tensor([1]), eg.tensor([1], { dtype: "float64" }), 0.5)).toThrow(/end is float64/);
    expect(() => eg.isclose(eg.tensor([1]), i)).toThrow(/isclose: input is float32 but other is int32/);
    expect(() => EG.equal(eg.tensor([1]), [1])).toThrow(eg.DTypeError);
    expect(() => eg.atan2(eg.zeros([2]), eg.zeros([3]))).toThrow(eg.ShapeError);
    expect(() => EG.round(eg.tensor([1]), { digits: 2 })).toThrow(/round: unknown option "digits"/);
    expect(() => eg.round(eg.tensor([1]), { decimals: 0.5 })).toThrow(eg.ValueError);
    expect(() => EG.nanToNum(eg.tensor([1]), { nan: "0" })).toThrow(eg.ValueError);
    expect(() => eg.isclose(eg.tensor([1]), eg.tensor([1]), { rtol: -1 })).toThrow(eg.ValueError);
    expect(() => EG.isclose(eg.tensor([1]), eg.tensor([1]), { equal_nan: true })).toThrow(/unknown option "equal_nan"/);
  });
});
