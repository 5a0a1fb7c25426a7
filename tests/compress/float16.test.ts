import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";

const { f32ToF16Bits, f16BitsToNumber, f32ToBf16Bits, bf16BitsToNumber } = eg.compress;

/**
 * Independent reference for float32 → binary16: the sorted list of every finite non-negative
 * binary16 value (plus 2^16 standing for the first value past the largest, which rounds to
 * Inf), binary search for the neighbours, nearest wins, a tie goes to the even pattern.
 */
const positives: number[] = [];
for (let h = 0; h < 0x7c00; h++) positives.push(h < 0x400 ? h * 2 ** -24 : (1 + (h & 0x3ff) / 1024) * 2 ** ((h >> 10) - 15));
positives.push(65536); // index 0x7c00 = +Inf's pattern
function refF16(x: number): number {
  if (Number.isNaN(x)) return -1;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65536) return sign | 0x7c00;
  let lo = 0, hi = positives.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (positives[mid] <= a) lo = mid; else hi = mid;
  }
  const dl = a - positives[lo], dh = positives[hi] - a;
  const pick = dl < dh ? lo : dh < dl ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

describe("float16 and bfloat16 conversion", () => {
  it("every binary16 pattern decodes and re-encodes to itself (NaNs stay NaN)", () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = f16BitsToNumber(h);
      if (Number.isNaN(v)) {
        expect((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0).toBe(true);
        expect(Number.isNaN(f16BitsToNumber(f32ToF16Bits(v)))).toBe(true);
      } else {
        expect(f32ToF16Bits(v)).toBe(h);
      }
    }
  });

  it("float32 → float16 rounds to nearest even, overflows to Inf and handles subnormals, like the reference", () => {
    fc.assert(fc.property(fc.float({ noNaN: true }), (x) => {
      expect(f32ToF16Bits(x)).toBe(refF16(x));
    }), { numRuns: 20000 });
    // Named edge cases: ties at both parities, the overflow threshold, the subnormal boundary.
    const cases = [65504, 65519.99609375, 65520, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -24, 2 ** -25, 2 ** -25 * 1.5, 2 ** -14 - 2 ** -25, -0, 1e-30, 3e38];
    for (const x of cases) expect(f32ToF16Bits(Math.fround(x))).toBe(refF16(Math.fround(x)));
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even (down)
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
  });

  it("bfloat16 is float32's upper half, rounded to nearest even", () => {
    fc.assert(fc.property(fc.float({ noNaN: true }), (x) => {
      const b = f32ToBf16Bits(x);
      const down = bf16BitsToNumber(b);
      // The result is one of the two bfloat16 neighbours and no farther than half an ulp.
      const ulp = Math.abs(bf16BitsToNumber(b + 1) - down) || Infinity;
      expect(Math.abs(down - x) <= ulp / 2 || !Number.isFinite(down)).toBe(true);
    }), { numRuns: 20000 });
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie → even
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(bf16BitsToNumber(f32ToBf16Bits(NaN)))).toBe(true);
    expect(bf16BitsToNumber(f32ToBf16Bits(3.4e38))).toBe(Infinity);
  });

  it("tensors round-trip through toFloat16/fromFloat16 within half an ulp of binary16", () => {
    const t = eg.randn([4, 5], { seed: 3 });
    const h = eg.compress.toFloat16(t);
    expect(h.bits.length).toBe(20);
    const back = eg.compress.fromFloat16(h);
    expect(back.shape).toEqual([4, 5]);
    t.data.forEach((v, i) => expect(Math.abs(back.data[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 2 ** -25));
    expect(() => eg.compress.toFloat16(eg.ones([2], { dtype: "int32" }))).toThrow(eg.DTypeError);
  });
});
