// The Adam kernel. The wasm kernel must give exactly the bits of the backend's JS reference
// (float32 arithmetic in the same order: each step rounded with Math.fround) in every
// configuration — plain, coupled or decoupled weight decay, amsgrad — since the optimizer
// classes rely on every backend giving the same bits. The JS reference's float64 path is checked
// here against Adam as PyTorch documents it, written out in float64; its float32 path, against
// the same rule with a tolerance derived for float32 arithmetic, in tests/optim/steps.test.ts.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { adamUpdate, optimKernels, type AdamConstants } from "../../src/backend/index.js";

const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const nonNeg = fc.float({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e6 });
const arr = (a: fc.Arbitrary<number>, n: number) => fc.array(a, { minLength: n, maxLength: n });
const state = (n: number) => fc.record({ p: arr(f32, n), g: arr(f32, n), m: arr(f32, n), v: arr(nonNeg, n), vMax: arr(nonNeg, n) });

interface Config { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean; amsgrad: boolean; t: number }

function constants(c: Config): AdamConstants {
  return {
    beta1: c.beta1, oneMinusBeta1: 1 - c.beta1, beta2: c.beta2, oneMinusBeta2: 1 - c.beta2, eps: c.eps,
    stepSize: c.lr / (1 - c.beta1 ** c.t), invSqrtBc2: 1 / Math.sqrt(1 - c.beta2 ** c.t),
    shrink: c.decoupled ? 1 - c.lr * c.weightDecay : 1, weightDecay: c.decoupled ? 0 : c.weightDecay,
  };
}

const configArb: fc.Arbitrary<Config> = fc.record({
  lr: fc.double({ min: 1e-6, max: 1, noNaN: true }),
  beta1: fc.constantFrom(0.9, 0.8, 0), beta2: fc.constantFrom(0.999, 0.99), eps: fc.constantFrom(1e-8, 1e-6),
  weightDecay: fc.constantFrom(0, 0, 1e-2, 0.5), decoupled: fc.boolean(), amsgrad: fc.boolean(),
  t: fc.integer({ min: 1, max: 10000 }),
});

/** Index of the first element whose bits differ, or −1 (a plain loop: toEqual is slow on 300k floats). */
function firstDifference(x: Float32Array, y: Float32Array): number {
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return x.length === y.length ? -1 : x.length;
}

describe("f32Adam", () => {
  it("is bit-identical to the JS reference for any length (SIMD pairs and the odd tail), step and options", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 37 }).chain(state), configArb, ({ p, g, m, v, vMax }, c) => {
      const k = constants(c);
      const a = [p, g, m, v, vMax].map((x) => Float32Array.from(x));
      const b = [p, g, m, v, vMax].map((x) => Float32Array.from(x));
      optimKernels().f32Adam(a[0], a[1], a[2], a[3], c.amsgrad ? a[4] : null, k);
      adamUpdate(b[0], b[1], b[2], b[3], c.amsgrad ? b[4] : null, k);
      for (const i of [0, 2, 3, 4]) expect(Array.from(a[i])).toEqual(Array.from(b[i]));
      expect(Array.from(a[1])).toEqual(g.map(Math.fround)); // the gradient is not touched
      if (!c.amsgrad) expect(Array.from(a[4])).toEqual(vMax.map(Math.fround));
    }), { numRuns: 400 });
  });

  it("updates a buffer larger than the scratch memory's first page set", () => {
    const n = 300_001;
    const make = (s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s));
    for (const c of [{ weightDecay: 0, decoupled: false, amsgrad: false }, { weightDecay: 0.1, decoupled: true, amsgrad: true }]) {
      const a = [make(1), make(2), make(3), make(4).map(Math.abs), make(5).map(Math.abs)];
      const b = a.map((x) => x.slice());
      const k = constants({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, t: 1, ...c });
      optimKernels().f32Adam(a[0], a[1], a[2], a[3], c.amsgrad ? a[4] : null, k);
      adamUpdate(b[0], b[1], b[2], b[3], c.amsgrad ? b[4] : null, k);
      for (const i of [0, 2, 3, 4]) expect(firstDifference(a[i], b[i]), `buffer ${i}`).toBe(-1);
    }
  });
});

describe("adamUpdate (the JS reference)", () => {
  // torch.optim.Adam's documented algorithm, in float64: weight decay first (θ ← θ − ηλθ for
  // AdamW, g ← g + λθ otherwise), moments, bias corrections, amsgrad's running max of v.
  function torchAdam(p: number[], g: number[], m: number[], v: number[], vMax: number[], c: Config): void {
    for (let i = 0; i < p.length; i++) {
      let gi = g[i];
      if (c.decoupled) p[i] = p[i] * (1 - c.lr * c.weightDecay);
      else gi = gi + c.weightDecay * p[i];
      m[i] = c.beta1 * m[i] + (1 - c.beta1) * gi;
      v[i] = c.beta2 * v[i] + (1 - c.beta2) * gi * gi;
      const bc1 = 1 - c.beta1 ** c.t, bc2 = 1 - c.beta2 ** c.t;
      if (c.amsgrad) vMax[i] = Math.max(vMax[i], v[i]);
      const denom = Math.sqrt(c.amsgrad ? vMax[i] : v[i]) / Math.sqrt(bc2) + c.eps;
      p[i] = p[i] - (c.lr / bc1) * (m[i] / denom);
    }
  }

  it("follows PyTorch's Adam/AdamW with amsgrad in float64 (a few roundings apart)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }).chain(state), configArb, ({ p, g, m, v, vMax }, c) => {
      const got = [p, g, m, v, vMax].map((x) => Float64Array.from(x));
      adamUpdate(got[0], got[1], got[2], got[3], c.amsgrad ? got[4] : null, constants(c));
      const want = [p, g, m, v, vMax].map((x) => [...x]);
      torchAdam(want[0], want[1], want[2], want[3], want[4], c);
      for (const i of [0, 2, 3, 4]) {
        for (let j = 0; j < p.length; j++) {
          // Each value is a handful of float64 operations from the same inputs, ordered differently:
          // a relative error of a few units of 2^-53 on the terms' magnitudes.
          const scale = Math.abs(want[i][j]) + Math.abs(p[j]) + Math.abs(g[j]) + Math.abs(m[j]) + c.lr + 1e-300;
          expect(Math.abs(got[i][j] - want[i][j]), `buffer ${i}[${j}]`).toBeLessThanOrEqual(64 * 2 ** -53 * scale);
        }
      }
    }), { numRuns: 300 });
  });
});
