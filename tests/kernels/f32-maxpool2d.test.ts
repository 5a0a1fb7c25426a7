// The 2×2, stride-2 max-pooling kernels (wasm on the SIMD projects, the JS reference on js):
// against a reference written here (windows read tap by tap, the first winning tap routed the
// gradient), over widths that straddle the 4-output SIMD block and its scalar tail, odd heights
// and widths (the row and column no window reads), ties, NaN and signed zeros; and the wasm
// kernel bit-identical to the JS reference.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxPool2x2BackwardJs, maxPool2x2Js, poolKernels } from "../../src/backend/index.js";

/** Forward and backward by the definition: max over the window; the gradient to its first maximum (a NaN wins). */
function reference(planes: number, h: number, w: number, x: Float32Array, g: Float32Array) {
  const oh = h >> 1, ow = w >> 1, y = new Float32Array(planes * oh * ow), gx = new Float32Array(x.length);
  for (let p = 0, o = 0; p < planes; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++, o++) {
    const taps = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([a, b]) => (p * h + 2 * i + a) * w + 2 * j + b);
    const nan = taps.find((t) => Number.isNaN(x[t]));
    const winner = nan ?? taps.reduce((best, t) => (x[t] > x[best] ? t : best), taps[0]);
    y[o] = x[winner];
    gx[winner] = g[o];
  }
  return { y, gx };
}

const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => v === b[i] || (Number.isNaN(v) && Number.isNaN(b[i])));
/** Values from a small set, so ties are common; some NaN and both zeros when `special`. */
const valuesArb = (n: number, special: boolean) => fc.array(
  special ? fc.constantFrom(-1, 0, -0, 0.5, 2, 2, NaN) : fc.integer({ min: -3, max: 3 }).map((v) => v / 2),
  { minLength: n, maxLength: n });

describe("f32MaxPool2x2 and its backward", () => {
  const k = poolKernels();
  const caseArb = fc.record({ planes: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 2, max: 7 }), w: fc.integer({ min: 2, max: 21 }), special: fc.boolean() })
    .chain((c) => fc.record({ c: fc.constant(c), xs: valuesArb(c.planes * c.h * c.w, c.special), gs: valuesArb(c.planes * (c.h >> 1) * (c.w >> 1), false) }));

  it("match the definition for any size, with ties, NaN and signed zeros", () => {
    fc.assert(fc.property(caseArb, ({ c, xs, gs }) => {
      const x = Float32Array.from(xs), g = Float32Array.from(gs.map((v) => v + 5)); // nonzero gradients
      const ref = reference(c.planes, c.h, c.w, x, g);
      const y = new Float32Array(ref.y.length), gx = new Float32Array(x.length).fill(7); // stale values must be overwritten
      k.f32MaxPool2x2(c.planes, c.h, c.w, x, y);
      k.f32MaxPool2x2Backward(c.planes, c.h, c.w, x, y, g, gx);
      expect(same(y, ref.y), `forward of ${JSON.stringify(c)}`).toBe(true);
      expect(Array.from(gx), `backward of ${JSON.stringify(c)}`).toEqual(Array.from(ref.gx));
    }), { numRuns: 300 });
  });

  it("give the JS reference's bits, signed zeros included", () => {
    fc.assert(fc.property(caseArb, ({ c, xs, gs }) => {
      const x = Float32Array.from(xs), g = Float32Array.from(gs), n = c.planes * (c.h >> 1) * (c.w >> 1);
      const y = new Float32Array(n), yJs = new Float32Array(n), gx = new Float32Array(x.length), gxJs = new Float32Array(x.length);
      k.f32MaxPool2x2(c.planes, c.h, c.w, x, y);
      maxPool2x2Js(c.planes, c.h, c.w, x, yJs);
      k.f32MaxPool2x2Backward(c.planes, c.h, c.w, x, y, g, gx);
      maxPool2x2BackwardJs(c.planes, c.h, c.w, x, yJs, g, gxJs);
      for (let i = 0; i < n; i++) if (!Object.is(y[i], yJs[i]) && !(Number.isNaN(y[i]) && Number.isNaN(yJs[i]))) throw new Error(`y[${i}]: ${y[i]} vs ${yJs[i]}`);
      for (let i = 0; i < x.length; i++) if (!Object.is(gx[i], gxJs[i])) throw new Error(`gx[${i}]: ${gx[i]} vs ${gxJs[i]}`);
    }), { numRuns: 200 });
  });

  it("a CNN-sized plane batch (64·32 planes of 28×28) agrees with the reference", () => {
    const planes = 64 * 32, x = new Float32Array(planes * 28 * 28), g = new Float32Array(planes * 14 * 14);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 1013) / 97 - 5;
    for (let i = 0; i < g.length; i++) g[i] = ((i * 31) % 17) - 8;
    const ref = reference(planes, 28, 28, x, g);
    const y = new Float32Array(g.length), gx = new Float32Array(x.length);
    k.f32MaxPool2x2(planes, 28, 28, x, y);
    k.f32MaxPool2x2Backward(planes, 28, 28, x, y, g, gx);
    expect(same(y, ref.y)).toBe(true);
    expect(same(gx, ref.gx)).toBe(true);
  });
});
