// GELU on float32 tensors: the fused kernel (assembly/f32-gelu.ts) on the SIMD projects, the
// op's float64 loops on js, both through nn.gelu and its backward. Against float64 formulas
// written here (Φ from a series and a continued fraction of erf, independent of src/nn/erf.ts),
// for lengths that straddle the 4-lane vectors, values far into both tails (down to where Φ
// underflows) and NaN. Each element's bound follows the kernel's error analysis: a few units in
// the last place of Φ, plus 1.5·x² of them on the negative side (the rounding of z² = x²/2
// before the exp, which is Φ's own conditioning there), and results below the smallest normal
// float flushed to 0 (|x|·2⁻¹²⁶).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, nn, type Tensor } from "../../src/index.js";
import { ETA32, U32 } from "../support/tolerance.js";

const MIN_NORMAL = 2 ** -126;
const K = 12; // roundings and approximation error, in units of u, of Φ away from the tails

/** erf(z) for 0 ≤ z < 3 by its Maclaurin series (terms below 200: no harmful cancellation). */
function erfSeries(z: number): number {
  let term = z, sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-18 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
/** erfc(z) for z ≥ 3: e^(−z²)/√π · 1/(z + ½/(z + 1/(z + (3/2)/(z + …)))), bottom-up. */
function erfcTail(z: number): number {
  let f = z;
  for (let k = 120; k >= 1; k--) f = z + k / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}
/** Upper tail Q(a) = 1 − Φ(a) for a ≥ 0. */
const upperTail = (a: number): number => {
  const z = a / Math.SQRT2;
  return z < 3 ? 0.5 * (1 - erfSeries(z)) : 0.5 * erfcTail(z);
};
const cdf = (x: number): number => (x >= 0 ? 1 - upperTail(x) : upperTail(-x));
const density = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

const C = Math.sqrt(2 / Math.PI), KAPPA = 0.044715;
const tanhInner = (x: number) => C * (x + KAPPA * x * x * x);
const sig = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** float64 value and derivative with the bound on the float32 kernel's error of each. */
function reference(x: number, approximate: boolean): { y: number; d: number; tolY: number; tolD: number } {
  if (!approximate) {
    const q = upperTail(Math.abs(x)), phi = cdf(x), dens = density(x);
    const tolPhi = (x >= 0 ? U32 : 0) + (K + 1.5 * x * x) * U32 * q;
    const y = x * phi, d = phi + x * dens;
    const tolY = Math.abs(x) * (tolPhi + MIN_NORMAL) + U32 * Math.abs(y) + ETA32;
    // Φ read back as y/x carries y's error; x·φ(x) the exp's (argument −x²/2 rounded), flushed
    // to 0 below e^−87 (|x|·φ < |x|·2⁻¹²⁶).
    const tolD = 2 * tolPhi + 2 * U32 * phi + Math.abs(x) * dens * (K + 1.5 * x * x) * U32 + 2 * U32 * Math.abs(d) +
      (1 + Math.abs(x)) * MIN_NORMAL;
    return { y, d, tolY, tolD };
  }
  const u = tanhInner(x), s = sig(2 * u), du = 2 * C * (1 + 3 * KAPPA * x * x);
  const y = x * s, d = s + x * s * (1 - s) * du;
  // σ(2u) with 2u carrying ~8 roundings: Δσ ≤ σ(1 − σ)·(K + 8|2u|)·u + 2u·σ.
  const ds = s * (1 - s) * (K + 16 * Math.abs(u)) * U32 + 2 * U32 * s;
  const tolY = Math.abs(x) * (ds + MIN_NORMAL) + U32 * Math.abs(y) + ETA32;
  const tolD = ds * (1 + Math.abs(x) * du) + K * U32 * (s + Math.abs(x) * s * (1 - s) * du) + (1 + Math.abs(x) * du) * MIN_NORMAL;
  return { y, d, tolY, tolD };
}

const valueArb = fc.oneof(
  fc.double({ min: -6, max: 6, noNaN: true }),
  fc.double({ min: -16, max: 16, noNaN: true }),
  // −6.3093: where ½x(1 + tanh u) in float64 loses 1.5e-5 of its value (the loops now use x·σ(2u)).
  fc.constantFrom(0, -0, 1e-30, -1e-30, 3e-8, -3e-8, -6.3093009, -13.2, -13.3, 13.3, 30, -30),
).map(Math.fround);
const caseArb = fc.record({
  values: fc.array(valueArb, { minLength: 1, maxLength: 41 }),
  approximate: fc.boolean(),
});

function run(values: number[], grad: number[], approximate: boolean): { y: Tensor; dx: ArrayLike<number> } {
  const x = fromTypedArray(Float32Array.from(values), [values.length]);
  x.requiresGrad = true;
  const y = nn.gelu(x, { approximate: approximate ? "tanh" : "none" });
  y.mul(fromTypedArray(Float32Array.from(grad), [grad.length])).sum().backward();
  return { y, dx: x.grad!.data };
}

describe("GELU on float32 (fused kernel on wasm, float64 loops on js)", () => {
  it("forward and backward against float64 Φ and φ, element by element", () => {
    fc.assert(fc.property(caseArb, ({ values, approximate }) => {
      const grad = values.map((_, i) => Math.fround(((i * 7) % 5) / 2 - 1));
      const { y, dx } = run(values, grad, approximate);
      expect(y.dtype).toBe("float32");
      values.forEach((v, i) => {
        const r = reference(v, approximate);
        const what = `gelu${approximate ? " tanh" : ""}(${v})`;
        if (!(Math.abs(y.data[i] - r.y) <= r.tolY)) expect.fail(`${what} = ${y.data[i]}, expected ${r.y} (tolerance ${r.tolY})`);
        const want = grad[i] * r.d, tol = Math.abs(grad[i]) * r.tolD + U32 * Math.abs(want);
        if (!(Math.abs(dx[i] - want) <= tol)) expect.fail(`d${what} = ${dx[i]}, expected ${want} (tolerance ${tol})`);
      });
    }), { numRuns: 200 });
  });

  it("the derivative used is the one of the function computed (central differences in float64)", () => {
    for (const approximate of [false, true]) {
      for (const v of [-9, -4.5, -1.3, -0.2, 0.05, 0.7, 2.2, 5]) {
        const h = 1e-5;
        const f = (t: number) => (approximate ? t * sig(2 * tanhInner(t)) : t * cdf(t));
        const numeric = (f(v + h) - f(v - h)) / (2 * h);
        const { dx } = run([Math.fround(v)], [1], approximate);
        const r = reference(Math.fround(v), approximate);
        expect(Math.abs(numeric - r.d), `reference derivative at ${v}`).toBeLessThan(1e-8);
        expect(Math.abs(dx[0] - numeric), `gelu′(${v})`).toBeLessThanOrEqual(r.tolD + 1e-8);
      }
    }
  });

  it("NaN propagates; ±∞ go to 0·(−∞) = NaN and +∞, as x·Φ(x) does", () => {
    for (const approximate of [false, true]) {
      const { y } = run([NaN, Infinity, 1], [1, 1, 1], approximate);
      expect(Number.isNaN(y.data[0])).toBe(true);
      expect(y.data[1]).toBe(Infinity);
    }
  });

  it("a non-contiguous input gives the values of its contiguous copy", () => {
    const base = fromTypedArray(Float32Array.from({ length: 24 }, (_, i) => (i - 11) / 3), [4, 6]);
    const t = base.transpose();
    expect(Array.from(nn.gelu(t).data)).toEqual(Array.from(nn.gelu(t.contiguous()).data));
  });
});
