// Scale and zero point from a range, as onnxruntime's quantization tool (compute_scale_zp):
// the range always includes 0, symmetric int8 uses ±127, uint8 symmetric centres on 128.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { computeQuantParams, scaleZeroPoint, quantize, dequantize, quantizeLinear, dequantizeLinear } from "../../src/compress/index.js";
import { fromTypedArray, tensor } from "../../src/ndarray/index.js";
import { ValueError, DTypeError, ShapeError } from "../../src/errors.js";

describe("scaleZeroPoint", () => {
  it("follows compute_scale_zp on hand-worked ranges", () => {
    expect(scaleZeroPoint(-2, 3, "int8", "symmetric")).toEqual([Math.fround(3 / 127), 0]);
    expect(scaleZeroPoint(-2, 3, "uint8", "symmetric")).toEqual([Math.fround(6 / 255), 128]);
    // affine int8: scale 5/255, zp = round(−128 + 2/(5/255)) = round(−25.6) = −26
    expect(scaleZeroPoint(-2, 3, "int8", "affine")).toEqual([Math.fround(5 / 255), -26]);
    // range widened to include 0: [1, 3] → [0, 3], zp = qmin
    expect(scaleZeroPoint(1, 3, "uint8", "affine")).toEqual([Math.fround(3 / 255), 0]);
    expect(scaleZeroPoint(-3, -1, "uint8", "affine")).toEqual([Math.fround(3 / 255), 255]);
    // an all-zero range: scale 1, zero point 0
    expect(scaleZeroPoint(0, 0, "uint8", "symmetric")).toEqual([1, 0]);
  });

  it("maps rmin and rmax inside the integer range and 0 exactly to the zero point", () => {
    fc.assert(fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true }),
      fc.constantFrom("int8", "uint8"), fc.constantFrom("symmetric", "affine"),
      (a, b, dtype, scheme) => {
        const [s, z] = scaleZeroPoint(Math.min(a, b), Math.max(a, b), dtype as "int8", scheme as "affine");
        const [lo, hi] = dtype === "int8" ? [-128, 127] : [0, 255];
        expect(z).toBeGreaterThanOrEqual(lo);
        expect(z).toBeLessThanOrEqual(hi);
        expect(s).toBeGreaterThan(0);
      }));
  });
});

describe("computeQuantParams and quantize/dequantize", () => {
  it("is per channel along axis with one scale per channel", () => {
    const x = Float32Array.from([1, -4, 0.5, 2, -1, 8]);   // [2, 3]
    const p = computeQuantParams(x, [2, 3], { axis: 0 });
    expect(Array.from(p.scale)).toEqual([Math.fround(4 / 127), Math.fround(8 / 127)]);
    expect(Array.from(p.zeroPoint)).toEqual([0, 0]);
    const pc = computeQuantParams(x, [2, 3], { axis: -1, scheme: "affine", dtype: "uint8" });
    expect(pc.scale.length).toBe(3);
    expect(pc.axis).toBe(1);
  });

  it("dequantize(quantize(x)) is within half a step of x (inside the range)", () => {
    fc.assert(fc.property(fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 60 }),
      fc.constantFrom("symmetric", "affine"), fc.constantFrom("int8", "uint8"),
      (xs, scheme, dtype) => {
        const t = fromTypedArray(Float32Array.from(xs), [xs.length]);
        const q = quantize(t, { scheme: scheme as "affine", dtype: dtype as "int8" });
        const y = dequantize(q).data;
        const s = q.scale[0];
        xs.forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThanOrEqual(s / 2 + s * 1e-5 + Math.abs(v) * 2 ** -23));
      }));
  });

  it("returns the values, scale, zero point, axis and shape; int8 symmetric by default", () => {
    const q = quantize(tensor([[0.5, -1], [0.25, 1]]));
    expect(q.values).toBeInstanceOf(Int8Array);
    expect(Array.from(q.values)).toEqual([64, -127, 32, 127]);   // 0.5·127 = 63.5 → 64 (even)
    expect(q.shape).toEqual([2, 2]);
    expect(q.axis).toBeNull();
    expect(dequantize(q).shape).toEqual([2, 2]);
  });

  it("Tensor quantizeLinear/dequantizeLinear follow ONNX (dtype from the zero point tensor)", () => {
    const x = tensor([0.5, 1.5, 2.5, -2.5]);
    const q = quantizeLinear(x, 1, fromTypedArray(Int8Array.of(0), []));
    expect(q.dtype).toBe("int8");
    expect(Array.from(q.data)).toEqual([0, 2, 2, -2]);
    const u = quantizeLinear(x, 1);
    expect(u.dtype).toBe("uint8");
    expect(Array.from(dequantizeLinear(q, 2).data)).toEqual([0, 4, 4, -4]);
    expect(() => quantizeLinear(x, 1, fromTypedArray(Int8Array.of(0), []), { dtype: "uint8" })).toThrow(DTypeError);
  });

  it("rejects non-finite data, bad schemes and axes", () => {
    expect(() => computeQuantParams([1, NaN], [2])).toThrow(/x\[1\] = NaN/);
    expect(() => computeQuantParams([1, 2], [2], { scheme: "minmax" as never })).toThrow(ValueError);
    expect(() => computeQuantParams([1, 2], [2], { axis: 1 })).toThrow(ValueError);
    expect(() => computeQuantParams([1, 2], [3])).toThrow(ShapeError);
    expect(() => quantize(fromTypedArray(Int32Array.of(1), [1]))).toThrow(DTypeError);
  });
});
