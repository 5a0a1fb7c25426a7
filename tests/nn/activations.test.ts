// The activations against float64 formulas written out here (values and derivatives, float32 and
// float64 inputs), gradients by central differences, PyTorch's derivative at each kink, and
// stability at large |x|.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nn, randn, tensor, Tensor, ValueError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { U32, ETA32 } from "../support/tolerance.js";

const U64 = 2 ** -53;
/**
 * Both the library and the reference evaluate a formula of a few libm calls in float64 (each
 * ≤ 1 ulp, a handful of roundings: well under 16 ulps together); float32 adds one final rounding.
 */
const tolFor = (dtype: string, ref: number) =>
  (dtype === "float64" ? 16 * U64 : U32 + 16 * U64) * Math.abs(ref) + (dtype === "float64" ? 1e-300 : ETA32);

/** log(1 + e^v) in float64, written without sharing the library's form. */
const log1pExp = (v: number) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
const sigma = (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const ALPHA = 1.6732632423543772848170429916717, SCALE = 1.0507009873554804934193349852946;

/** dfScale: the sum of the magnitudes of df's terms where they cancel (silu and mish have a zero
 *  derivative near −1.2), which is what the rounding error scales with. */
interface Case { name: string; fn: (x: Tensor) => Tensor; f: (x: number) => number; df: (x: number) => number; kinks: number[]; dfScale?: (x: number) => number }
const cases: Case[] = [
  { name: "softplus", fn: (x) => nn.softplus(x), f: (v) => (v > 20 ? v : log1pExp(v)), df: (v) => (v > 20 ? 1 : sigma(v)), kinks: [20] },
  { name: "softplus β=2 threshold=5", fn: (x) => nn.softplus(x, { beta: 2, threshold: 5 }),
    f: (v) => (2 * v > 5 ? v : log1pExp(2 * v) / 2), df: (v) => (2 * v > 5 ? 1 : sigma(2 * v)), kinks: [2.5] },
  { name: "silu", fn: nn.silu, f: (v) => v * sigma(v), df: (v) => sigma(v) + v * sigma(v) * (1 - sigma(v)), kinks: [],
    dfScale: (v) => sigma(v) + Math.abs(v * sigma(v) * (1 - sigma(v))) },
  { name: "mish", fn: nn.mish, f: (v) => v * Math.tanh(log1pExp(v)),
    df: (v) => { const t = Math.tanh(log1pExp(v)); return t + v * (1 - t * t) * sigma(v); }, kinks: [],
    dfScale: (v) => { const t = Math.tanh(log1pExp(v)); return Math.abs(t) + Math.abs(v * (1 - t * t) * sigma(v)); } },
  { name: "selu", fn: nn.selu, f: (v) => (v > 0 ? SCALE * v : SCALE * ALPHA * Math.expm1(v)),
    df: (v) => (v > 0 ? SCALE : SCALE * ALPHA * Math.exp(v)), kinks: [0] },
  { name: "celu α=0.7", fn: (x) => nn.celu(x, 0.7), f: (v) => Math.max(0, v) + Math.min(0, 0.7 * Math.expm1(v / 0.7)),
    df: (v) => (v > 0 ? 1 : Math.exp(v / 0.7)), kinks: [0] },
  { name: "logSigmoid", fn: nn.logSigmoid, f: (v) => (v < 0 ? v - Math.log1p(Math.exp(v)) : -Math.log1p(Math.exp(-v))),
    df: (v) => 1 / (1 + Math.exp(v)), kinks: [] },
  { name: "hardtanh [-0.5, 2]", fn: (x) => nn.hardtanh(x, { minVal: -0.5, maxVal: 2 }), f: (v) => Math.min(Math.max(v, -0.5), 2),
    df: (v) => (v > -0.5 && v < 2 ? 1 : 0), kinks: [-0.5, 2] },
  { name: "hardswish", fn: nn.hardswish, f: (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
    df: (v) => (v < -3 ? 0 : v > 3 ? 1 : (2 * v + 3) / 6), kinks: [-3, 3], dfScale: (v) => Math.abs(v) / 3 + 0.5 },
  { name: "hardsigmoid", fn: nn.hardsigmoid, f: (v) => Math.min(Math.max(v + 3, 0), 6) / 6,
    df: (v) => (v > -3 && v < 3 ? 1 / 6 : 0), kinks: [-3, 3] },
  { name: "softsign", fn: nn.softsign, f: (v) => v / (1 + Math.abs(v)), df: (v) => 1 / (1 + Math.abs(v)) ** 2, kinks: [] },
];

const valuesArb = fc.array(fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -800, max: 800, noNaN: true })),
  { minLength: 1, maxLength: 40 });

function expectNear(got: number, want: number, tol: number, what: string): void {
  if (!(Math.abs(got - want) <= tol || got === want)) throw new Error(`${what}: got ${got}, want ${want}, |diff| ${Math.abs(got - want)} > ${tol}`);
}

describe("activations: values and derivatives against float64 references", () => {
  for (const c of cases) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${c.name} (${dtype})`, () => {
        fc.assert(fc.property(valuesArb, (vals) => {
          const x = tensor(vals, { dtype, requiresGrad: true });
          const y = c.fn(x);
          expect(y.dtype).toBe(dtype);
          y.sum().backward();
          const xs = x.data, ys = y.data, gs = x.grad!.data;
          for (let i = 0; i < xs.length; i++) {
            const v = xs[i]; // the input as stored (float32-rounded)
            expectNear(ys[i], c.f(v), tolFor(dtype, c.f(v)), `${c.name}(${v})`);
            expectNear(gs[i], c.df(v), tolFor(dtype, c.dfScale?.(v) ?? c.df(v)), `${c.name}'(${v})`);
          }
        }), { numRuns: 40 });
      });
    }
  }
});

describe("activations: gradient checks (float64 central differences)", () => {
  for (const c of cases) {
    it(`${c.name}`, () => {
      const x = randn([4, 6], { seed: 5, dtype: "float64" }).mul(4);
      // keep ±2h away from the kinks
      for (let i = 0; i < x.size; i++) for (const k of c.kinks) if (Math.abs(x.storage[i] - k) < 1e-3) x.storage[i] += 0.01;
      x.requiresGrad = true;
      const w = randn([4, 6], { seed: 6, dtype: "float64" });
      expect(findGradMismatches(() => c.fn(x).mul(w).sum(), [x]).slice(0, 3)).toEqual([]);
    });
  }
  it("GELU with approximate \"tanh\"", () => {
    const x = randn([3, 5], { seed: 2, dtype: "float64" }).mul(3);
    x.requiresGrad = true;
    const w = randn([3, 5], { seed: 3, dtype: "float64" });
    expect(findGradMismatches(() => new nn.GELU({ approximate: "tanh" }).forward(x).mul(w).sum(), [x])).toEqual([]);
  });
});

describe("activations: PyTorch's conventions", () => {
  const gradAt = (fn: (x: Tensor) => Tensor, v: number) => {
    const x = tensor([v], { dtype: "float64", requiresGrad: true });
    fn(x).sum().backward();
    return x.grad!.data[0];
  };
  it("derivatives at the kinks are PyTorch's", () => {
    expect(gradAt((x) => nn.hardtanh(x), -1)).toBe(0);
    expect(gradAt((x) => nn.hardtanh(x), 1)).toBe(0);
    expect(gradAt(nn.hardsigmoid, -3)).toBe(0);
    expect(gradAt(nn.hardsigmoid, 3)).toBe(0);
    expect(gradAt(nn.hardswish, -3)).toBe(-0.5); // x/3 + 1/2 on the closed interval
    expect(gradAt(nn.hardswish, 3)).toBe(1.5);
    expect(gradAt(nn.selu, 0)).toBe(SCALE * ALPHA);
    expect(gradAt((x) => nn.celu(x, 2), 0)).toBe(1);
    // exactly at the threshold the smooth branch is used (PyTorch switches for βx > threshold)
    expect(gradAt((x) => nn.softplus(x), 20)).toBe(sigma(20));
    expect(nn.softplus(tensor([20.5], { dtype: "float64" })).data[0]).toBe(20.5);
  });

  it("softplus, logSigmoid, mish and silu are finite and exact at |x| = 1e4", () => {
    const x = tensor([-1e4, -800, 800, 1e4], { dtype: "float64", requiresGrad: true });
    const sp = nn.softplus(x, { threshold: Infinity });
    expect(Array.from(sp.data)).toEqual([0, 0, 800, 1e4]);
    expect(Array.from(nn.logSigmoid(x).data)).toEqual([-1e4, -800, -0, -0].map((v) => v));
    expect(Array.from(nn.mish(x).data)).toEqual([-0, -0, 800, 1e4]);
    expect(Array.from(nn.silu(x).data)).toEqual([-0, -0, 800, 1e4]);
    nn.logSigmoid(x).sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 0, 0]);
  });

  it("GELU \"tanh\" matches ½x(1 + tanh(√(2/π)(x + 0.044715x³))) and differs from the exact form", () => {
    const vals = [-4, -1.5, -0.3, 0, 0.7, 2, 5];
    const x = tensor(vals, { dtype: "float64" });
    const got = nn.gelu(x, { approximate: "tanh" }).data;
    vals.forEach((v, i) => {
      // ½x(1 + tanh u) written as x·σ(2u), the same function: the first form cancels in float64
      // where tanh u ≈ −1 (at x = −4 its value is 1e-16 off, 800× this tolerance).
      const u = Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3);
      const want = v / (1 + Math.exp(-2 * u));
      expectNear(got[i], want, tolFor("float64", want), `gelu_tanh(${v})`);
    });
    expect(new nn.GELU({ approximate: "tanh" }).forward(x).data[1]).not.toBe(new nn.GELU().forward(x).data[1]);
  });

  it("modules equal their functions and refuse unknown or bad options", () => {
    const x = randn([2, 7], { seed: 9 }).mul(4);
    const pairs: [nn.Module, Tensor][] = [
      [new nn.Softplus({ beta: 0.5, threshold: 3 }), nn.softplus(x, { beta: 0.5, threshold: 3 })],
      [new nn.SiLU(), nn.silu(x)], [new nn.Mish(), nn.mish(x)], [new nn.SELU(), nn.selu(x)],
      [new nn.CELU(0.3), nn.celu(x, 0.3)], [new nn.LogSigmoid(), nn.logSigmoid(x)],
      [new nn.Hardtanh({ minVal: -2, maxVal: 0.5 }), nn.hardtanh(x, { minVal: -2, maxVal: 0.5 })],
      [new nn.Hardswish(), nn.hardswish(x)], [new nn.Hardsigmoid(), nn.hardsigmoid(x)], [new nn.Softsign(), nn.softsign(x)],
      [new nn.GELU({ approximate: "tanh" }), nn.gelu(x, { approximate: "tanh" })],
    ];
    for (const [m, want] of pairs) expect(Array.from(m.forward(x).data)).toEqual(Array.from(want.data));
    expect(() => new nn.Softplus({ bta: 2 } as never)).toThrow(/unknown option "bta"/);
    expect(() => nn.softplus(x, { beta: 0 })).toThrow(ValueError);
    expect(() => new nn.Hardtanh({ minVal: 1, maxVal: 0 })).toThrow(ValueError);
    expect(() => nn.hardtanh(x, { min: 0 } as never)).toThrow(/unknown option "min"/);
    expect(() => new nn.CELU(0)).toThrow(ValueError);
    expect(() => new nn.GELU({ approximate: "erf" as never })).toThrow(ValueError);
    expect(() => nn.gelu(x, { approximation: "tanh" } as never)).toThrow(/unknown option "approximation"/);
    expect(() => new nn.Dropout(0.1, { sed: 1 } as never)).toThrow(/unknown option "sed"/);
  });
});
