// Compression against PyTorch 1.13's own implementations: the calibration observers
// (torch.ao.quantization MinMaxObserver / MovingAverageMinMaxObserver), fake quantization's
// straight-through gradient (torch.fake_quantize_per_tensor_affine) and magnitude pruning
// (torch.nn.utils.prune) of float64 weights.
import { describe, expect, it } from "vitest";
import {
  fakeQuantize, magnitudePrune, minMaxObserver, movingAverageObserver, percentileObserver, quantizeLinear,
  quantizeLinearArray, scaleZeroPoint,
} from "../../src/compress/index.js";
import { fromTypedArray, tensor } from "../../src/ndarray/index.js";
import { Linear, Sequential } from "../../src/nn/index.js";
import { DTypeError, ValueError } from "../../src/errors.js";

describe("observers hold PyTorch's float32 range", () => {
  // 30 batches [−(i mod 7) − 0.3i, (i mod 5) + 0.7i, 0.1i] as float32.
  const batches = Array.from({ length: 30 }, (_, i) => Float32Array.of(-(i % 7) - 0.3 * i, (i % 5) + 0.7 * i, 0.1 * i));

  it("the moving average is rounded to float32 at every step, as MovingAverageMinMaxObserver's buffers", () => {
    // PyTorch 1.13 MovingAverageMinMaxObserver(averaging_constant=c) over those batches:
    //   c = 0.01: min_val −1.9318734407424927, max_val 3.3048572540283203
    //   c = 0.3:  min_val −10.4044189453125,   max_val 21.343446731567383
    // (the same average in float64 ends at −1.931873649…, 3.304857346…: a few ulps off).
    const expected: [number, [number, number]][] = [
      [0.01, [-1.9318734407424927, 3.3048572540283203]],
      [0.3, [-10.4044189453125, 21.343446731567383]],
    ];
    for (const [c, range] of expected) {
      const o = movingAverageObserver({ averagingConstant: c });
      for (const b of batches) o.observe(b);
      expect(o.range()).toEqual(range);
    }
  });

  it("a Tensor is observed by its values (PyTorch's observers take tensors), not skipped as empty", () => {
    // PyTorch 1.13 MinMaxObserver()(torch.tensor([1., -2, 3])): min_val −2, max_val 3.
    const t = tensor([1, -2, 3]);
    const mm = minMaxObserver(); mm.observe(t);
    expect(mm.range()).toEqual([-2, 3]);
    // Before, the moving average returned [Infinity, -Infinity] here.
    const ma = movingAverageObserver(); ma.observe(t);
    expect(ma.range()).toEqual([-2, 3]);
    const pc = percentileObserver({ percentile: 100 }); pc.observe(t);
    expect(pc.range()).toEqual([-2, 3]);
    // Something that is neither an array nor a Tensor is refused by name.
    expect(() => minMaxObserver().observe(3 as never)).toThrow(ValueError);
    expect(() => movingAverageObserver().observe({} as never)).toThrow(/observe takes an array of numbers or a Tensor/);
  });
});

describe("scaleZeroPoint refuses a range PyTorch's calculate_qparams refuses", () => {
  it("min > max, NaN or ∞, an unknown dtype or scheme (before: [1, 0], NaN or ∞ scales, int8/affine)", () => {
    // PyTorch 1.13 MinMaxObserver.calculate_qparams with min_val 3, max_val 1: AssertionError
    // "min 3.0 should be less than max 1.0"; a NaN range: "min nan should be less than max nan".
    expect(() => scaleZeroPoint(3, 1, "int8", "affine")).toThrow(ValueError);
    expect(() => scaleZeroPoint(3, -5, "uint8", "affine")).toThrow(/range \[3, -5\] must be finite with min ≤ max/);
    expect(() => scaleZeroPoint(NaN, 1, "int8", "affine")).toThrow(ValueError);
    expect(() => scaleZeroPoint(-1, Infinity, "int8", "affine")).toThrow(ValueError);
    expect(() => scaleZeroPoint(-1, 1, "int4" as never, "affine")).toThrow(DTypeError);
    expect(() => scaleZeroPoint(-1, 1, "int8", "asymmetric" as never)).toThrow(/scheme must be "symmetric" or "affine"/);
    // An all-equal range is valid: [2, 2] widened to [0, 2] (PyTorch 1.13 quint8 affine: scale 2/255, zero point 0).
    expect(scaleZeroPoint(2, 2, "uint8", "affine")).toEqual([Math.fround(2 / 255), 0]);
  });
});

describe("fakeQuantize's straight-through gradient has PyTorch's boundary rule", () => {
  it("the gradient passes where round(x/s) + z lands in [qmin, qmax] and is 0 where it is clamped", () => {
    // PyTorch 1.13 fake_quantize_per_tensor_affine(x, 0.1, 0, −128, 127) on
    // [12.7, 12.74, 12.76, −12.8, −12.84, −12.86, 0.04]:
    //   y = [12.7, 12.7, 12.7, −12.8, −12.8, −12.8, 0], x.grad = [1, 1, 0, 1, 1, 0, 1].
    const x = tensor([12.7, 12.74, 12.76, -12.8, -12.84, -12.86, 0.04]);
    x.requiresGrad = true;
    const y = fakeQuantize(x, 0.1, 0);
    expect(Array.from(y.data)).toEqual(Array.from(Float32Array.of(12.7, 12.7, 12.7, -12.8, -12.8, -12.8, 0)));
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 0, 1, 1, 0, 1]);
    // uint8 with zero point 3 (quant range 0..255): [0, 25.4, 25.6, −0.1] →
    //   y = [0, 25.2, 25.2, −0.1], x.grad = [1, 0, 0, 1].
    const u = tensor([0, 25.4, 25.6, -0.1]);
    u.requiresGrad = true;
    const v = fakeQuantize(u, 0.1, 3, { dtype: "uint8" });
    expect(Array.from(v.data)).toEqual(Array.from(Float32Array.of(0, 25.2, 25.2, -0.1)));
    v.sum().backward();
    expect(Array.from(u.grad!.data)).toEqual([1, 0, 0, 1]);
  });
});

describe("fakeQuantize takes its scale and zero point as Tensors, as torch's fake quantize ops", () => {
  it("per channel and per tensor (before: read as 0 scales, a ShapeError)", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    // PyTorch 1.13 fake_quantize_per_channel_affine(x, tensor([1., 2, 4]), tensor([0, 1, 2]), 1, −128, 127):
    // [[1, 2, 4], [4, 4, 8]].
    expect(fakeQuantize(x, tensor([1, 2, 4]), fromTypedArray(Int32Array.of(0, 1, 2), [3])).toArray()).toEqual([[1, 2, 4], [4, 4, 8]]);
    // fake_quantize_per_tensor_affine(x, tensor(0.5), tensor(3), −128, 127): x unchanged.
    expect(fakeQuantize(x, tensor(0.5), fromTypedArray(Int32Array.of(3), [])).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    // fake_quantize_per_channel_affine(x, tensor([0.3, 0.7]), tensor([0, 0]), 0, −128, 127):
    // [[0.9000000357627869, 2.1000001430511475, 3], [4.199999809265137, 4.900000095367432, 6.299999713897705]].
    expect(Array.from(fakeQuantize(x, tensor([0.3, 0.7]), undefined, { axis: 0 }).data))
      .toEqual([0.9000000357627869, 2.1000001430511475, 3, 4.199999809265137, 4.900000095367432, 6.299999713897705]);
    // A zero point out of the range is still refused (PyTorch: "`zero_point` must be between `quant_min` and `quant_max`").
    expect(() => fakeQuantize(x, tensor(0.5), tensor(200))).toThrow(ValueError);
  });
});

describe("pruning float64 weights ranks them in float64, as torch.nn.utils.prune", () => {
  it("l1 unstructured on a float64 tensor", () => {
    // PyTorch 1.13 l1_unstructured(amount=1) on float64 [[1 + 2e-9, 1 + 1e-9, 1 + 3e-9]]: mask [1, 0, 1]
    // (in float32 all three are 1, a tie the lowest index lost).
    const w = fromTypedArray(Float64Array.of(1 + 2e-9, 1 + 1e-9, 1 + 3e-9), [1, 3]);
    expect(Array.from(magnitudePrune(w, { sparsity: 1 / 3 }).mask)).toEqual([1, 0, 1]);
    expect(Array.from(w.data)).toEqual([1 + 2e-9, 0, 1 + 3e-9]);
  });

  it("global unstructured over float64 layers", () => {
    // PyTorch 1.13 global_unstructured(L1Unstructured, amount=0.5) on float64 Linear weights
    // [[1 + 4e-9, 1 + 1e-9]] and [[1 + 3e-9, 1 + 2e-9]]: masks [[1, 0]] and [[1, 0]].
    const a = new Linear(2, 1, { bias: false, dtype: "float64" }), b = new Linear(2, 1, { bias: false, dtype: "float64" });
    a.weight.data.set([1 + 4e-9, 1 + 1e-9]);
    b.weight.data.set([1 + 3e-9, 1 + 2e-9]);
    magnitudePrune(new Sequential(a, b), { sparsity: 0.5, scope: "global" });
    expect(Array.from(a.weight.data)).toEqual([1 + 4e-9, 0]);
    expect(Array.from(b.weight.data)).toEqual([1 + 3e-9, 0]);
  });
});

describe("bad arguments get typed errors that name them, not a TypeError from inside", () => {
  it("a scale or zero point that is missing, null or a string", () => {
    const x = tensor([1, 2]);
    // Before: TypeError "undefined is not iterable" / "Cannot read properties of null (reading 'length')".
    expect(() => fakeQuantize(x, undefined as never)).toThrow(/fakeQuantize: scale must be a number or an array of numbers, got undefined/);
    expect(() => fakeQuantize(x, 1, null as never)).toThrow(/the zero point must be a number or an array of numbers, got null/);
    expect(() => quantizeLinear(x, undefined as never)).toThrow(ValueError);
    // Before: read as the three scales [0, NaN, 5].
    expect(() => quantizeLinearArray([1, 2], [2], "0.5" as never)).toThrow(/got "0.5"/);
  });

  it("magnitudePrune of something that is neither a Tensor nor a Module", () => {
    // Before: TypeError "model.namedParameters is not a function".
    expect(() => magnitudePrune(Float32Array.of(1, 2) as never, { sparsity: 0.5 })).toThrow(/target must be a Tensor or a Module, got Float32Array/);
    expect(() => magnitudePrune(null as never, { sparsity: 0.5 })).toThrow(ValueError);
  });

  it("norm ∞ (torch's ln_structured n = inf, not supported here) is named as Infinity, not null", () => {
    expect(() => magnitudePrune(tensor([[1, 2]]), { sparsity: 0.5, structure: "rows", norm: Infinity as never }))
      .toThrow(/norm must be 1 or 2, got Infinity/);
  });
});
