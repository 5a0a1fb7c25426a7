import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { adamUpdate, optimKernels } from "../../src/backend/index.js";

// The backend's Adam update must give exactly the bits of the JS loop (float64 arithmetic in the
// same order, rounded to float32 on store) — the optimizer classes rely on it to stay
// bit-identical to their step functions on every backend.
const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const state = (n: number) => fc.record({
  p: fc.array(f32, { minLength: n, maxLength: n }), g: fc.array(f32, { minLength: n, maxLength: n }),
  m: fc.array(f32, { minLength: n, maxLength: n }), v: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e6 }), { minLength: n, maxLength: n }),
});

describe("f32Adam", () => {
  it("is bit-identical to the JS update for any length (SIMD pairs and the odd tail) and step", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 37 }).chain((n) => state(n)), fc.integer({ min: 1, max: 10000 }),
      fc.double({ min: 1e-6, max: 1, noNaN: true }), ({ p, g, m, v }, t, lr) => {
        const k = { b1: 0.9, c1: 1 - 0.9, b2: 0.999, c2: 1 - 0.999, stepSize: lr / (1 - 0.9 ** t), invSqrtBc2: 1 / Math.sqrt(1 - 0.999 ** t), eps: 1e-8 };
        const a = [p, g, m, v].map((x) => Float32Array.from(x));
        const b = [p, g, m, v].map((x) => Float32Array.from(x));
        optimKernels().f32Adam(a[0], a[1], a[2], a[3], k);
        adamUpdate(b[0], b[1], b[2], b[3], k);
        for (const i of [0, 2, 3]) expect(Array.from(a[i])).toEqual(Array.from(b[i]));
        expect(Array.from(a[1])).toEqual(Array.from(b[1])); // the gradient is not touched
      }), { numRuns: 300 });
  });

  it("updates a buffer larger than the scratch memory's first page set", () => {
    const n = 300_001;
    const make = (s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s));
    const a = [make(1), make(2), make(3), make(4).map(Math.abs)];
    const b = a.map((x) => x.slice());
    const k = { b1: 0.9, c1: 0.1, b2: 0.999, c2: 1 - 0.999, stepSize: 1e-3 / 0.1, invSqrtBc2: 1 / Math.sqrt(1 - 0.999), eps: 1e-8 };
    optimKernels().f32Adam(a[0], a[1], a[2], a[3], k);
    adamUpdate(b[0], b[1], b[2], b[3], k);
    expect(a[0]).toEqual(b[0]);
    expect(a[3]).toEqual(b[3]);
  });
});
