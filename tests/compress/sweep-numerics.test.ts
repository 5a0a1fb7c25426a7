// Compression numerics against their reference definitions: how many weights torch.nn.utils.prune
// removes at a .5 count, ONNX's optional zero point with per-axis scales, the dtype and rank ONNX
// binds a scale or zero point tensor to, and float64 → float16 rounded once (numpy's astype).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  dequantizeLinear, dequantizeLinearArray, f16BitsToNumber, f32ToBf16Bits, f32ToF16Bits, fakeQuantize,
  magnitudePrune, matmulInteger, quantizeLinear, quantizeLinearArray, toFloat16,
} from "../../src/compress/index.js";
import { fromTypedArray, tensor } from "../../src/ndarray/index.js";
import { Linear, Sequential } from "../../src/nn/index.js";
import { DTypeError, ShapeError } from "../../src/errors.js";

const zeros = (d: ArrayLike<number>) => Array.from(d).filter((v) => v === 0).length;

describe("pruning counts round(sparsity · n) half to even, as torch.nn.utils.prune", () => {
  it("unstructured, per tensor: 5 weights at 0.5 and 10 at 0.25 prune 2", () => {
    // PyTorch 1.13 l1_unstructured: [1, -2, 3, -4, 5] at 0.5 → [0, 0, 3, -4, 5] (round(2.5) = 2).
    const a = tensor([1, -2, 3, -4, 5]);
    expect(magnitudePrune(a, { sparsity: 0.5 }).pruned).toBe(2);
    expect(Array.from(a.data)).toEqual([0, 0, 3, -4, 5]);
    // PyTorch 1.13 l1_unstructured on [[1, -2, 3, -4, 5], [0.5, 6, 7, -8, 9]] at 0.25: the 0.5 and the 1 go.
    const b = tensor([[1, -2, 3, -4, 5], [0.5, 6, 7, -8, 9]]);
    expect(magnitudePrune(b, { sparsity: 0.25 }).pruned).toBe(2);
    expect(b.toArray()).toEqual([[0, -2, 3, -4, 5], [0, 6, 7, -8, 9]]);
    // A count ending in .5 above an odd integer rounds up: 7 weights at 0.5 → round(3.5) = 4.
    expect(magnitudePrune(tensor([1, 2, 3, 4, 5, 6, 7]), { sparsity: 0.5 }).pruned).toBe(4);
  });

  it("global: 10 weights over two layers at 0.25 prune 2", () => {
    // PyTorch 1.13 global_unstructured(L1Unstructured, amount=0.25) on [1, 2, 3] and [4, …, 10]: [0, 0, 3] and all of the second.
    const l1 = new Linear(3, 1, { bias: false }), l2 = new Linear(7, 1, { bias: false });
    l1.weight.data.set([1, 2, 3]);
    l2.weight.data.set([4, 5, 6, 7, 8, 9, 10]);
    magnitudePrune(new Sequential(l1, l2), { sparsity: 0.25, scope: "global" });
    expect(Array.from(l1.weight.data)).toEqual([0, 0, 3]);
    expect(Array.from(l2.weight.data)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it("structured: 10 rows at 0.25 and 5 columns at 0.5 prune 2 slices", () => {
    // PyTorch 1.13 ln_structured(n=2, dim=0) on rows [i, i] for i = 1..10 at 0.25: 2 rows zeroed.
    const rows = tensor(Array.from({ length: 10 }, (_, i) => [i + 1, i + 1]));
    expect(magnitudePrune(rows, { sparsity: 0.25, structure: "rows" }).pruned).toBe(2 * 2);
    expect(rows.toArray()).toEqual(Array.from({ length: 10 }, (_, i) => (i < 2 ? [0, 0] : [i + 1, i + 1])));
    // PyTorch 1.13 ln_structured(n=1, dim=1) on [[1, 2, 3, 4, 5]] × 2 rows at 0.5: columns 0 and 1 zeroed.
    const cols = tensor([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]);
    magnitudePrune(cols, { sparsity: 0.5, structure: "columns", norm: 1 });
    expect(cols.toArray()).toEqual([[0, 0, 3, 4, 5], [0, 0, 3, 4, 5]]);
  });

  it("the count is Python's round(sparsity * n) for any sparsity and size", () => {
    // Python's round on a double: nearest integer, exact .5 to the even one.
    const pyRound = (v: number) => { const f = Math.floor(v); return v - f > 0.5 || (v - f === 0.5 && f % 2 !== 0) ? f + 1 : f; };
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 39 }), (n, k2) => {
      const s = Math.min(k2, 2 * n - 1) / (2 * n);   // half-integer counts k2/2 included
      const w = fromTypedArray(Float32Array.from({ length: n }, (_, i) => i + 1), [n]);
      expect(magnitudePrune(w, { sparsity: s }).pruned).toBe(pyRound(s * n));
      expect(zeros(w.data)).toBe(pyRound(s * n));
    }));
  });
});

describe("ONNX's optional zero point with per-axis scales", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);

  it("omitted, it is 0 for every scale (onnxruntime-web 1.30 gives these values)", () => {
    // QuantizeLinear(x [2, 3], scale [1, 2, 4], axis 1), no zero point input: [1, 1, 1, 4, 2, 2] (uint8).
    const q = quantizeLinear(x, [1, 2, 4]);
    expect(q.dtype).toBe("uint8");
    expect(q.toArray()).toEqual([[1, 1, 1], [4, 2, 2]]);
    expect(Array.from(quantizeLinearArray([1, 2, 3, 4, 5, 6], [2, 3], [1, 2, 4]))).toEqual([1, 1, 1, 4, 2, 2]);
    // DequantizeLinear(uint8 [1..6] as [2, 3], scale [1, 2, 4], axis 1), no zero point: [1, 4, 12, 4, 10, 24].
    const u = fromTypedArray(Uint8Array.of(1, 2, 3, 4, 5, 6), [2, 3]);
    expect(dequantizeLinear(u, [1, 2, 4]).toArray()).toEqual([[1, 4, 12], [4, 10, 24]]);
    expect(Array.from(dequantizeLinearArray(u.data as Uint8Array, [2, 3], [1, 2, 4], undefined, { axis: -1 }))).toEqual([1, 4, 12, 4, 10, 24]);
  });

  it("fakeQuantize per channel without zero points is finite: (clamp(rint(x/s)) − 0)·s", () => {
    // int8: 1/1 → 1, 2/2 → 1, 3/4 = 0.75 → 1, 4 → 4, 5/2 = 2.5 → 2, 6/4 = 1.5 → 2; times the scales.
    expect(fakeQuantize(x, [1, 2, 4]).toArray()).toEqual([[1, 2, 4], [4, 4, 8]]);
  });

  it("a zero point count that differs from the scales' is refused (ShapeError), also by fakeQuantize", () => {
    // onnxruntime-web refuses a scalar zero point with per-axis scales too.
    expect(() => quantizeLinear(x, [1, 2, 4], 0)).toThrow(ShapeError);
    expect(() => fakeQuantize(x, [1, 2, 4], [0, 0])).toThrow(/3 scales but 2 zero points/);
    expect(() => fakeQuantize(x, 1, 0, { dtype: "int4" as never })).toThrow(DTypeError);
  });
});

describe("a scale or zero point tensor has the dtype and rank ONNX binds it to", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const u8 = fromTypedArray(Uint8Array.of(5, 6), [2]);

  it("a zero point of the other integer type, or a float one, is refused (onnxruntime: type error)", () => {
    expect(() => dequantizeLinear(u8, 1, fromTypedArray(Int8Array.of(3), []))).toThrow(DTypeError);
    expect(() => quantizeLinear(x, 1, tensor(3))).toThrow(DTypeError);
    const a = fromTypedArray(Uint8Array.of(5, 6), [1, 2]), b = fromTypedArray(Int8Array.of(1, 1), [2, 1]);
    expect(() => matmulInteger(a, b, fromTypedArray(Int8Array.of(3), []))).toThrow(/aZeroPoint \(of uint8 a\) must be uint8, got int8/);
    expect(() => matmulInteger(a, b, 0, fromTypedArray(Uint8Array.of(1), []))).toThrow(DTypeError);
    // The matching types still work: (5 − 3)·1 + (6 − 3)·1 = 5.
    expect(matmulInteger(a, b, fromTypedArray(Uint8Array.of(3), [])).toArray()).toEqual([[5]]);
    expect(dequantizeLinear(u8, 0.5, fromTypedArray(Uint8Array.of(3), [])).toArray()).toEqual([1, 1.5]);
  });

  it("an integer scale, or a scale or zero point of rank > 1, is refused", () => {
    expect(() => quantizeLinear(x, fromTypedArray(Int32Array.of(2), []))).toThrow(/scale must be float32 or float64, got int32/);
    // onnxruntime-web refuses a [3, 1] scale for per-axis QuantizeLinear.
    expect(() => quantizeLinear(x, tensor([[1], [2], [4]]), fromTypedArray(Uint8Array.of(0, 0, 0), [3, 1]))).toThrow(ShapeError);
    expect(() => dequantizeLinear(fromTypedArray(Uint8Array.of(1, 2, 3, 4, 5, 6), [2, 3]), tensor([1, 2, 4]),
                                  fromTypedArray(Uint8Array.of(0, 0, 0), [1, 3]))).toThrow(ShapeError);
    // 0-d and 1-D tensors are the two ONNX forms.
    expect(quantizeLinear(x, tensor(2), fromTypedArray(Uint8Array.of(1), [])).toArray()).toEqual([[1, 2, 3], [3, 3, 4]]);
    expect(quantizeLinear(x, tensor([1, 2, 4]), fromTypedArray(Uint8Array.of(0, 0, 0), [3])).toArray()).toEqual([[1, 1, 1], [4, 2, 2]]);
  });
});

/**
 * Independent reference for a double → binary16: every finite non-negative binary16 value sorted
 * (65536 standing for the first value past the largest, so 65520 is a tie that goes to Inf),
 * binary search for the neighbours, nearest wins, a tie goes to the even pattern.
 */
const halves: number[] = [];
for (let h = 0; h < 0x7c00; h++) halves.push(f16BitsToNumber(h));
halves.push(65536);
function refF16(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65536) return sign | 0x7c00;
  let lo = 0, hi = halves.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (halves[mid] <= a) lo = mid; else hi = mid;
  }
  const dl = a - halves[lo], dh = halves[hi] - a;
  return sign | (dl < dh ? lo : dh < dl ? hi : lo % 2 === 0 ? lo : hi);
}

describe("float64 → float16 rounds once, to the nearest binary16 (numpy's astype(float16))", () => {
  it("a double just past a binary16 tie rounds away from the tie, not to even through float32", () => {
    // numpy 1.24 float64 astype(float16): 1 + 2⁻¹¹ + 2⁻⁴⁰ → 0x3c01; 2⁻²⁵·(1 + 2⁻³⁵) → 0x0001 (the
    // smallest subnormal); 65519.99 → 0x7bff (65504); 65520 → 0x7c00 (Inf); −(1 + 2⁻¹¹ − 2⁻⁴⁰) → 0xbc00.
    const x = Float64Array.of(1 + 2 ** -11 + 2 ** -40, 2 ** -25 * (1 + 2 ** -35), 65519.99, 65520, -(1 + 2 ** -11 - 2 ** -40));
    expect(Array.from(toFloat16(fromTypedArray(x, [5])).bits)).toEqual([0x3c01, 0x0001, 0x7bff, 0x7c00, 0xbc00]);
    expect(Array.from(x, f32ToF16Bits)).toEqual([0x3c01, 0x0001, 0x7bff, 0x7c00, 0xbc00]);
  });

  it("equals the reference near every kind of tie and at random", () => {
    const nearTie = fc.tuple(fc.integer({ min: 0, max: 0x7bff }), fc.integer({ min: -60, max: -30 }), fc.boolean(), fc.boolean())
      .map(([h, e, up, neg]) => {
        const mid = (f16BitsToNumber(h) + (h === 0x7bff ? 65536 : f16BitsToNumber(h + 1))) / 2;
        const v = mid * (1 + (up ? 1 : -1) * 2 ** e);
        return neg ? -v : v;
      });
    fc.assert(fc.property(fc.oneof(nearTie, fc.double({ min: -70000, max: 70000, noNaN: true })), (v) => {
      expect(f32ToF16Bits(v)).toBe(refF16(v));
    }), { numRuns: 5000 });
    // float32 inputs (exact in float32) are unchanged by the route: every one near a tie too.
    fc.assert(fc.property(fc.float({ noNaN: true }), (v) => { expect(f32ToF16Bits(v)).toBe(refF16(v)); }), { numRuns: 3000 });
  });

  it("bfloat16 keeps torch's route through float32", () => {
    // PyTorch 1.13: torch.tensor(1 + 2**-8 + 2**-40, dtype=float64).to(torch.bfloat16) → 0x3f80.
    expect(f32ToBf16Bits(1 + 2 ** -8 + 2 ** -40)).toBe(0x3f80);
  });
});
