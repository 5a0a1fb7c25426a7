// The wasm activation quantizer and range kernels, called directly on each kernel build, against
// an independent reference: ONNX QuantizeLinear as integer rules (float32 quotient, ties to even,
// + zero point, saturate, NaN → 0), and min/max with NaN propagation. Exact equality: the
// result is integer. The backend's JS reference of both kernels (what the js backend runs and
// compress's quantizeLinear uses) must agree with the wasm kernels exactly too.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { detectFeatures, f32MinMaxJs, qs8QuantizeF32Js } from "../../src/backend/index.js";
import type { KernelExports } from "../../src/backend/kernel-exports.js";

type QuantExports = KernelExports;

const load = (build: string) => new WebAssembly.Instance(new WebAssembly.Module(
  readFileSync(new URL(`../../build/edgegrad-${build}.wasm`, import.meta.url)))).exports as unknown as QuantExports;

function roundHalfEven(t: number): number {
  let r = Math.round(t);
  if (r - t === 0.5 && r % 2 !== 0) r -= 1;
  return r;
}

function reference(x: Float32Array, scale: number, zp: number, signed: boolean): number[] {
  const [lo, hi] = signed ? [-128, 127] : [0, 255];
  return Array.from(x, (v) => {
    if (Number.isNaN(v)) return 0;
    const q = roundHalfEven(Math.fround(v / scale)) + zp;
    return Math.min(hi, Math.max(lo, q));
  });
}

/** Copies x into the module's memory (16-byte aligned) and returns its pointer and the output's. */
function place(w: QuantExports, x: Float32Array): { xPtr: number; outPtr: number } {
  const xPtr = (w.heap_base() + 15) & ~15, outPtr = xPtr + ((x.length * 4 + 15) & ~15);
  new Float32Array(w.memory.buffer, xPtr, x.length).set(x);
  return { xPtr, outPtr };
}

function quantize(w: QuantExports, x: Float32Array, scale: number, zp: number, signed: boolean): number[] {
  const { xPtr, outPtr } = place(w, x);
  w.qs8_quantize_f32(x.length, xPtr, scale, zp, signed ? 1 : 0, outPtr);
  return Array.from(signed ? new Int8Array(w.memory.buffer, outPtr, x.length) : new Uint8Array(w.memory.buffer, outPtr, x.length));
}

const scaleArb = fc.oneof(fc.constantFrom(1, 0.5, 2 ** -7, 0.1, 3), fc.float({ min: Math.fround(1e-6), max: 1e3, noNaN: true }));
// Lengths are drawn first: fast-check's arrays otherwise stay short, and the kernels' 16- and
// 4-wide loops would go untested.
// Values around the grid of the scale: exact ties (k + ½)·s, near-ties, saturating and special values.
const valueArb = (scale: number) => fc.oneof(
  fc.integer({ min: -300, max: 300 }).map((k) => Math.fround((k + 0.5) * scale)),
  fc.integer({ min: -300, max: 300 }).chain((k) => fc.double({ min: -1, max: 1, noNaN: true }).map((d) => Math.fround((k + d) * scale))),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 3.4e38, -3.4e38, 1e-40),
  fc.float({ noDefaultInfinity: true }),
);

const builds = ["simd", ...(detectFeatures().relaxedSimd ? ["relaxed"] : [])];

describe.each(builds)("the %s kernel build", (build) => {
  const w = load(build);

  it("qs8_quantize_f32 equals ONNX QuantizeLinear exactly: ties, saturation, ±Inf, NaN, any length", () => {
    fc.assert(fc.property(scaleArb.chain((s) => fc.tuple(fc.constant(s),
      fc.integer({ min: 0, max: 70 }).chain((n) => fc.array(valueArb(s), { minLength: n, maxLength: n })), fc.boolean())).chain(([s, xs, signed]) =>
      fc.tuple(fc.constant(s), fc.constant(xs), fc.constant(signed), signed ? fc.integer({ min: -128, max: 127 }) : fc.integer({ min: 0, max: 255 }))),
    ([scale, xs, signed, zp]) => {
      const s = Math.fround(scale), x = Float32Array.from(xs);
      const got = quantize(w, x, s, zp, signed);
      expect(got).toEqual(reference(x, s, zp, signed));
      const js = signed ? new Int8Array(x.length) : new Uint8Array(x.length);
      qs8QuantizeF32Js(x.length, x, 0, s, zp, js);
      expect(Array.from(js)).toEqual(got);
    }), { numRuns: 500 });
  });

  it("rounds every tie of a long run to even (the 16-wide loop, not the tail)", () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => i - 31.5);
    expect(quantize(w, x, 1, 128, false)).toEqual(reference(x, 1, 128, false));
    expect(quantize(w, x, 1, 0, true)).toEqual(reference(x, 1, 0, true));
  });

  // (±0 compare equal here: which zero a range ends on does not change the quantization.)
  it("f32_minmax gives the range, NaN if any value is NaN", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }).chain((n) => fc.array(fc.float(), { minLength: n, maxLength: n })), (xs) => {
      const x = Float32Array.from(xs);
      const { xPtr, outPtr } = place(w, x);
      w.f32_minmax(x.length, xPtr, outPtr);
      const [lo, hi] = new Float32Array(w.memory.buffer, outPtr, 2);
      const nan = xs.some(Number.isNaN);
      const want = nan ? [NaN, NaN] : [Math.min(Infinity, ...x), Math.max(-Infinity, ...x)];
      const unsignedZero = (v: number) => (v === 0 ? 0 : v);
      expect([lo, hi].map(unsignedZero)).toEqual(want.map(unsignedZero));
      expect(f32MinMaxJs(x.length, x, 0).map(unsignedZero)).toEqual(want.map(unsignedZero));
    }), { numRuns: 300 });
  });
});
