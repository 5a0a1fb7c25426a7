// ONNX QuantizeLinear / DequantizeLinear, element for element: an independent reference that
// rounds half to even by floor and compare (not via Math.round), explicit ties, saturation,
// NaN/±Infinity as onnxruntime-web gives them, per-axis, and typed errors for bad arguments.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  dequantizeLinearArray, quantizeLinearArray, roundHalfToEven,
} from "../../src/compress/index.js";
import { ShapeError, ValueError, DTypeError } from "../../src/errors.js";

/** Round half to even from floor: the fraction decides, a tie goes to the even neighbour. */
function rint(q: number): number {
  const f = Math.floor(q);
  const d = q - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function refQuantize(x: number, scale: number, zp: number, lo: number, hi: number): number {
  const q = Math.fround(Math.fround(x) / Math.fround(scale));     // float32 division, as onnxruntime
  if (Number.isNaN(q)) return 0;
  return Math.min(hi, Math.max(lo, rint(q) + zp));
}

describe("roundHalfToEven", () => {
  it("rounds ties to the even integer and everything else to nearest", () => {
    const cases: [number, number][] = [[0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2],
      [-2.5, -2], [-3.5, -4], [0.49999997, 0], [2.5000002, 3], [-2.4999998, -2], [7, 7], [1e20, 1e20]];
    for (const [x, want] of cases) expect(roundHalfToEven(x) === want, `${x} → ${roundHalfToEven(x)}, want ${want}`).toBe(true);
  });
  it("agrees with the floor-based reference on any double", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), (x) => roundHalfToEven(x) === rint(x) || (x === 0)));
  });
});

describe("quantizeLinear", () => {
  it("takes ties at .5 to even, then adds the zero point (int8 and uint8)", () => {
    const x = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, -3.5];
    expect(Array.from(quantizeLinearArray(x, [8], 1, 0, { dtype: "int8" }))).toEqual([0, 2, 2, 0, -2, -2, 4, -4]);
    expect(Array.from(quantizeLinearArray(x, [8], 1, 10, { dtype: "uint8" }))).toEqual([10, 12, 12, 10, 8, 8, 14, 6]);
    // Ties after the division: 0.25/0.5 and 0.75/0.5 are exact ties.
    expect(Array.from(quantizeLinearArray([0.25, 0.75, -0.25, -0.75], [4], 0.5, 0, { dtype: "int8" }))).toEqual([0, 2, 0, -2]);
  });

  it("divides in float32, so a float64 near-tie becomes a tie first", () => {
    // 2.4999999 is not a tie in float64 but is 2.5 in float32: onnxruntime gives 2.
    expect(quantizeLinearArray([2.4999999], [1], 1, 0, { dtype: "int8" })[0]).toBe(2);
    expect(quantizeLinearArray([3.4999999], [1], 1, 0, { dtype: "int8" })[0]).toBe(4);
  });

  it("saturates, maps ±Infinity to the ends and NaN to 0 (onnxruntime-web 1.30)", () => {
    const x = [300, -300, Infinity, -Infinity, NaN, 127.5, 128.5, -128.5];
    expect(Array.from(quantizeLinearArray(x, [8], 1, 0, { dtype: "int8" }))).toEqual([127, -128, 127, -128, 0, 127, 127, -128]);
    expect(Array.from(quantizeLinearArray(x, [8], 1, 200, { dtype: "uint8" }))).toEqual([255, 0, 255, 0, 0, 255, 255, 72]);
  });

  it("defaults to uint8 with zero point 0, as ONNX does", () => {
    const q = quantizeLinearArray([-1, 0.4, 3.6], [3], 1);
    expect(q).toBeInstanceOf(Uint8Array);
    expect(Array.from(q)).toEqual([0, 0, 4]);
  });

  it("matches the reference for any float32 input, scale and zero point, per tensor", () => {
    fc.assert(fc.property(
      fc.array(fc.float({ noNaN: false }), { minLength: 1, maxLength: 40 }),
      fc.float({ min: Math.fround(1e-6), max: 1e3, noNaN: true }),
      fc.boolean(), fc.integer({ min: 0, max: 255 }),
      (x, scale, signed, zpRaw) => {
        const dtype = signed ? "int8" : "uint8";
        const [lo, hi] = signed ? [-128, 127] : [0, 255];
        const zp = signed ? zpRaw - 128 : zpRaw;
        const q = quantizeLinearArray(x, [x.length], scale, zp, { dtype });
        x.forEach((v, i) => {
          const want = refQuantize(v, scale, zp, lo, hi);
          if (q[i] !== want) throw new Error(`x=${v} scale=${scale} zp=${zp}: got ${q[i]}, want ${want}`);
        });
      }), { numRuns: 300 });
  });

  it("uses one scale and zero point per index of the axis (per-channel), negative axis too", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 1, max: 1e6 }),
      (shape, axisSeed, seed) => {
        const axis = axisSeed % shape.length;
        const size = shape.reduce((a, b) => a * b, 1);
        const x = Array.from({ length: size }, (_, i) => Math.sin(seed + i) * 50);
        const C = shape[axis];
        const scale = Array.from({ length: C }, (_, c) => 0.1 + 0.3 * c);
        const zp = Array.from({ length: C }, (_, c) => c * 7 - 10);
        const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
        const want = x.map((v, i) => refQuantize(v, scale[Math.floor(i / inner) % C], zp[Math.floor(i / inner) % C], -128, 127));
        for (const ax of [axis, axis - shape.length]) {
          const q = quantizeLinearArray(x, shape, scale, zp, { axis: ax, dtype: "int8" });
          expect(Array.from(q)).toEqual(want);
        }
      }), { numRuns: 100 });
  });

  it("throws typed errors that name the bad value", () => {
    expect(() => quantizeLinearArray([1], [1], 0)).toThrow(ValueError);
    expect(() => quantizeLinearArray([1], [1], -2)).toThrow(/scale\[0\] = -2/);
    expect(() => quantizeLinearArray([1], [1], NaN)).toThrow(ValueError);
    expect(() => quantizeLinearArray([1], [1], 1, 128, { dtype: "int8" })).toThrow(/zero point 128/);
    expect(() => quantizeLinearArray([1], [1], 1, -1, { dtype: "uint8" })).toThrow(ValueError);
    expect(() => quantizeLinearArray([1], [1], 1, 0.5, { dtype: "uint8" })).toThrow(ValueError);
    expect(() => quantizeLinearArray([1, 2], [2, 1], [1, 2], [0, 0], { axis: 2 })).toThrow(/axis 2/);
    expect(() => quantizeLinearArray([1, 2, 3, 4], [2, 2], [1, 2, 3], [0, 0, 0], { axis: 0 })).toThrow(ShapeError);
    expect(() => quantizeLinearArray([1, 2, 3], [2, 2], 1)).toThrow(ShapeError);
    expect(() => quantizeLinearArray([1, 2], [2], [1, 2], [0], { axis: 0 })).toThrow(ShapeError);
    expect(() => quantizeLinearArray([1], [1], 1, 0, { dtype: "int4" as never })).toThrow(DTypeError);
  });
});

describe("dequantizeLinear", () => {
  it("computes (q − zp)·scale in float32, per tensor and per axis", () => {
    const q = Int8Array.from([-128, -1, 0, 1, 127, 5]);
    const y = dequantizeLinearArray(q, [2, 3], 0.1, -3);
    expect(Array.from(y)).toEqual(Array.from(q, (v) => Math.fround((v + 3) * Math.fround(0.1))));
    const u = Uint8Array.from([0, 255, 10, 20, 30, 40]);
    const ya = dequantizeLinearArray(u, [3, 2], [0.5, 2, 4], [10, 20, 30], { axis: 0 });
    expect(Array.from(ya)).toEqual([-5, 122.5, -20, 0, 0, 40]);
  });

  it("round-trips: quantize(dequantize(q)) = q for every int8 value", () => {
    const q = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    for (const [s, z] of [[0.0123, 0], [0.7, -5], [3, 100]]) {
      const back = quantizeLinearArray(dequantizeLinearArray(q, [256], s, z), [256], s, z, { dtype: "int8" });
      expect(Array.from(back)).toEqual(Array.from(q));
    }
  });

  it("accepts int32 input with zero point 0 only (ONNX)", () => {
    expect(Array.from(dequantizeLinearArray(Int32Array.of(1 << 30, -3), [2], 2))).toEqual([2 ** 31, -6]);
    expect(() => dequantizeLinearArray(Int32Array.of(1), [1], 2, 1)).toThrow(ValueError);
  });
});
