// The activations PyTorch users port (PReLU, ReLU6, GLU, Softmin, Softshrink, Hardshrink,
// Tanhshrink, Threshold) and the loss modules (MSELoss … TripletMarginLoss): values against
// float64 references written here, gradients by central differences, PyTorch 1.13's values and
// subgradients at the kinks, state-dict keys, typed errors, fit() with a loss module, and the
// ONNX exporter's refusal of the new activations.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, nn, ShapeError, Tensor, tensor, ValueError } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { runOrt } from "../support/onnx-runtime.js";
import { expectClose, makeTensor, layoutArb, shapeArb, valuesFrom } from "../support/reference.js";
import { ETA32, gamma, U32 } from "../support/tolerance.js";

const F = nn.functional;
const U64 = 2 ** -53;
const f64 = (xs: number[], requiresGrad = false) => tensor(xs, { dtype: "float64", requiresGrad });
/** The exact float64 value rounded to the dtype: one rounding of a short float64 formula. */
const oneRounding = (dtype: string, ref: number) => (dtype === "float64" ? 4 * U64 : U32 + 4 * U64) * Math.abs(ref) + (dtype === "float64" ? 0 : ETA32);

describe("PyTorch 1.13's values and subgradients at the kinks, ±∞ and NaN (float64)", () => {
  // [name, fn, x, PyTorch's y, PyTorch's dy/dx] from F.<name>(x).backward(ones) in float64.
  // Left out on purpose: softshrink(NaN), which PyTorch 1.13 gives as 0 (its comparisons are
  // false for NaN) and edgegrad as NaN; its gradient there is PyTorch's 0.
  const table: [string, (x: Tensor) => Tensor, number[], number[], number[]][] = [
    ["relu6", F.relu6, [-Infinity, -1.0, 0.0, 1e-300, 5.999999999999999, 6.0, 6.000000000000001, Infinity, NaN],
      [0.0, 0.0, 0.0, 1e-300, 5.999999999999999, 6.0, 6.0, 6.0, NaN],
      [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0]],
    ["softshrink(x, 0.5)", (x) => F.softshrink(x, 0.5), [-Infinity, -0.5000000000000001, -0.5, 0.0, 0.5, 0.5000000000000001, Infinity],
      [-Infinity, -1.1102230246251565e-16, 0.0, 0.0, 0.0, 1.1102230246251565e-16, Infinity],
      [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0]],
    ["hardshrink(x, 0.5)", (x) => F.hardshrink(x, 0.5), [-Infinity, -0.5000000000000001, -0.5, 0.0, 0.5, 0.5000000000000001, Infinity, NaN],
      [-Infinity, -0.5000000000000001, 0.0, 0.0, 0.0, 0.5000000000000001, Infinity, NaN],
      [1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0]],
    ["tanhshrink", F.tanhshrink, [-20.0, -1.0, 0.0, 0.0001, 0.5, 3.0],
      [-19.0, -0.23840584404423515, 0.0, 3.333333365189081e-13, 0.03788284273999026, 2.0049452463132695],
      [1.0, 0.5800256583859739, 0.0, 9.99999993922529e-09, 0.2135522670340726, 0.9901339628345598]],
    ["threshold(x, 1, -2)", (x) => F.threshold(x, 1.0, -2.0), [-Infinity, 0.0, 1.0, 1.0000000000000002, Infinity, NaN],
      [-2.0, -2.0, -2.0, 1.0000000000000002, Infinity, NaN],
      [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]],
    ["prelu(x, [0.25])", (x) => F.prelu(x, f64([0.25])), [-Infinity, -2.0, -0, 0.0, 3.0, Infinity, NaN],
      [-Infinity, -0.5, -0, 0.0, 3.0, Infinity, NaN],
      [0.25, 0.25, 0.25, 0.25, 1.0, 1.0, 0.25]],
  ];
  // tanhshrink: PyTorch's float64 x − tanh(x) at 1e-4 cancels as ours does; both are a few ulps of x off.
  const near = (got: number, want: number, x: number) =>
    (Number.isNaN(got) && Number.isNaN(want)) || Object.is(got, want) || Math.abs(got - want) <= 16 * U64 * (Math.abs(want) + Math.abs(x));
  for (const [name, fn, xs, ys, gs] of table) {
    it(name, () => {
      const x = f64(xs, true);
      const y = fn(x);
      y.backward(f64(xs.map(() => 1)));
      xs.forEach((v, i) => {
        expect(near(y.data[i], ys[i], v), `y(${v}) = ${y.data[i]}, PyTorch ${ys[i]}`).toBe(true);
        // + 1: PyTorch's tanhshrink derivative is 1 − (1 − tanh²), which cancels near 0 (ours is tanh²).
        expect(near(x.grad!.data[i], gs[i], 1), `y'(${v}) = ${x.grad!.data[i]}, PyTorch ${gs[i]}`).toBe(true);
      });
    });
  }

  it("softshrink keeps NaN (PyTorch 1.13 gives 0) with PyTorch's gradient 0 there", () => {
    const x = f64([NaN], true);
    const y = F.softshrink(x);
    y.backward(f64([1]));
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(x.grad!.data[0]).toBe(0);
  });

  it("prelu per channel, with the weight's gradient", () => {
    const x = tensor([[[-1.0, 2.0, 0.0], [-3.0, 0.5, -0.5]], [[4.0, -2.0, -1.0], [1.0, -1.0, 2.0]]], { dtype: "float64", requiresGrad: true });
    const w = f64([0.1, -0.3], true);
    const r = f64(Array.from({ length: 12 }, (_, i) => i / 10 + 0.5)).reshape([2, 2, 3]);
    const y = F.prelu(x, w);
    y.mul(r).sum().backward();
    // PyTorch 1.13: F.prelu(x, w); (y * r).sum().backward()
    const yT = [-0.1, 2.0, 0.0, 0.8999999999999999, 0.5, 0.15, 4.0, -0.2, -0.1, 1.0, 0.3, 2.0];
    const gx = [0.05, 0.6, 0.06999999999999999, -0.24, 0.9, -0.3, 1.1, 0.12, 0.13, 1.4, -0.44999999999999996, 1.6];
    yT.forEach((v, i) => expectClose(y.data[i], v, 4 * U64 * Math.abs(v), `y[${i}]`));
    gx.forEach((v, i) => expectClose(x.grad!.data[i], v, 4 * U64 * Math.abs(v), `gx[${i}]`));
    [-4.2, -4.4].forEach((v, i) => expectClose(w.grad!.data[i], v, 16 * U64 * Math.abs(v), `gw[${i}]`));
  });

  it("glu along dim 0 and −1, with gradients", () => {
    const x = tensor([[1.0, -2.0, 0.5, 3.0], [0.0, 4.0, -1.0, -5.0]], { dtype: "float64", requiresGrad: true });
    // PyTorch 1.13: y = F.glu(x, 0); (y * [[1, 2, 3, 4]]).sum().backward()
    let y = F.glu(x, 0);
    expect(y.shape).toEqual([1, 4]);
    y.mul(f64([1, 2, 3, 4]).reshape([1, 4])).sum().backward();
    const near = (got: ArrayLike<number>, want: number[], what: string) =>
      want.forEach((v, i) => expectClose(got[i], v, 8 * U64 * Math.abs(v) + 1e-300, `${what}[${i}]`));
    near(y.data, [0.5, -1.964027580075817, 0.13447071068499755, 0.020078552772854565], "y0");
    near(x.grad!.data, [0.5, 1.964027580075817, 0.8068242641099853, 0.026771403697139422, 0.25, -0.07065082485316443, 0.2949178998622228, 0.07977668004948185], "g0");
    x.grad = null;
    y = F.glu(x);
    expect(y.shape).toEqual([2, 2]);
    y.mul(tensor([[1, 2], [3, 4]], { dtype: "float64" })).sum().backward();
    near(y.data, [0.6224593312018546, -1.9051482536448667, 0.0, 0.026771403697139422], "y1");
    near(x.grad!.data, [0.6224593312018546, 1.9051482536448667, 0.2350037122015945, -0.180706638923648, 0.8068242641099853, 0.026771403697139422, 0.0, 0.10636890673264247], "g1");
  });

  it("softmin along dim 1 and 0, with gradients (large inputs stay finite)", () => {
    const x = tensor([[1.0, 2.0, 3.0], [-1.0, 0.0, 1000.0]], { dtype: "float64", requiresGrad: true });
    // The gradient y·(r − Σ y·r) cancels: its error scales with Σ|y·r| ≤ 6, not with itself.
    const near = (got: ArrayLike<number>, want: number[], what: string) =>
      want.forEach((v, i) => expectClose(got[i], v, 16 * U64 * (Math.abs(v) + 6), `${what}[${i}]`));
    // PyTorch 1.13: F.softmin(x, dim=1); (y * [[1, 2, 3], [4, 5, 6]]).sum().backward()
    let y = F.softmin(x, 1);
    y.mul(tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" })).sum().backward();
    near(y.data, [0.6652409557748218, 0.2447284710547976, 0.09003057317038045, 0.7310585786300049, 0.26894142136999516, 0.0], "y1");
    near(x.grad!.data, [0.2825874510794422, -0.14077035746963013, -0.14181709360981215, 0.19661193324148224, -0.19661193324148174, 0], "g1");
    x.grad = null;
    // PyTorch 1.13: F.softmin(x, dim=0)[0, 0].backward()
    y = F.softmin(x, 0);
    y.slice([0, 1], [0, 1]).sum().backward();
    near(y.data, [0.11920292202211755, 0.11920292202211755, 1.0, 0.8807970779778823, 0.8807970779778823, 0.0], "y0");
    near(x.grad!.data, [-0.1049935854035065, 0, 0, 0.10499358540350649, 0, 0], "g0");
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: each op against a float64 loop written here, float32 and float64, on views.

/** [name, op, scalar reference f, its derivative] for the pointwise ones. */
const pointwiseCases: [string, (x: Tensor) => Tensor, (v: number) => number, (v: number) => number, number[]][] = [
  ["relu6", F.relu6, (v) => Math.min(Math.max(v, 0), 6), (v) => (v > 0 && v < 6 ? 1 : 0), [0, 6]],
  ["softshrink(0.7)", (x) => F.softshrink(x, 0.7), (v) => (v > 0.7 ? v - 0.7 : v < -0.7 ? v + 0.7 : 0), (v) => (Math.abs(v) > 0.7 ? 1 : 0), [-0.7, 0.7]],
  ["hardshrink(1.25)", (x) => F.hardshrink(x, 1.25), (v) => (Math.abs(v) > 1.25 ? v : 0), (v) => (Math.abs(v) > 1.25 ? 1 : 0), [-1.25, 1.25]],
  ["tanhshrink", F.tanhshrink, (v) => v - Math.tanh(v), (v) => Math.tanh(v) ** 2, []],
  ["threshold(0.5, -3)", (x) => F.threshold(x, 0.5, -3), (v) => (v > 0.5 ? v : -3), (v) => (v > 0.5 ? 1 : 0), [0.5]],
  ["prelu(0.2)", (x) => F.prelu(x, tensor([Math.fround(0.2)], { dtype: x.dtype === "float64" ? "float64" : "float32" })),
    (v) => (v > 0 ? v : Math.fround(0.2) * v), (v) => (v > 0 ? 1 : Math.fround(0.2)), [0]],
];

describe("pointwise activations against float64 loops (float32 and float64, strided views)", () => {
  for (const [name, op, f, df] of pointwiseCases) {
    for (const dtype of ["float32", "float64"] as const) {
      it(`${name} ${dtype}`, () => {
        fc.assert(fc.property(shapeArb(3, 5), layoutArb, fc.integer({ min: 1, max: 1000 }), (shape, layout, seed) => {
          const v = valuesFrom(seed, -8, 8);
          const x = makeTensor(shape, v, layout, dtype).detach();
          x.requiresGrad = true;
          const y = op(x);
          expect(y.shape).toEqual(shape);
          expect(y.dtype).toBe(dtype);
          const g = makeTensor(shape, valuesFrom(seed + 1, -2, 2), { transposeLast: false, padLast: 0, offset: 0 }, dtype);
          y.backward(g);
          const xs = x.data, ys = y.data, gx = x.grad!.data, gs = g.data;
          for (let i = 0; i < xs.length; i++) {
            const ref = f(xs[i]);
            // prelu's slope is the float32 0.2 in both dtypes, so the product is one rounding too.
            expectClose(ys[i], ref, oneRounding(dtype, ref), `${name}(${xs[i]})`);
            const gref = gs[i] * df(xs[i]);
            expectClose(gx[i], gref, oneRounding(dtype, gref) + (dtype === "float32" ? 4 * U32 * Math.abs(gref) : 0), `${name}'(${xs[i]})`);
          }
        }), { numRuns: 40 });
      });
    }
  }

  it("prelu with one slope per channel, on [N, C, d…] inputs of either dtype, with its weight's gradient", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }), fc.boolean(), fc.integer({ min: 1, max: 1000 }),
      (shape, double, seed) => {
        const dtype = double ? "float64" : "float32";
        const C = shape[1], inner = shape.slice(2).reduce((a, b) => a * b, 1);
        const x = makeTensor(shape, valuesFrom(seed, -3, 3), { transposeLast: true, padLast: 1, offset: 2 }, dtype).detach();
        x.requiresGrad = true;
        const w = eg.fromTypedArray(dtype === "float64" ? Float64Array.from({ length: C }, (_, c) => 0.1 * c - 0.2) : Float32Array.from({ length: C }, (_, c) => 0.1 * c - 0.2), [C], { requiresGrad: true });
        const y = F.prelu(x, w);
        y.sum().backward();
        const xs = x.data, wd = w.data;
        const gw = new Float64Array(C), absGw = new Float64Array(C);
        for (let i = 0; i < xs.length; i++) {
          const c = Math.floor(i / inner) % C, v = xs[i];
          const ref = v > 0 ? v : wd[c] * v;
          expectClose(y.data[i], ref, oneRounding(dtype, ref), `y[${i}]`);
          expect(x.grad!.data[i]).toBe(v > 0 ? 1 : wd[c]);
          if (v <= 0) { gw[c] += v; absGw[c] += Math.abs(v); }
        }
        // Summed in float64, then rounded once to the weight's dtype.
        for (let c = 0; c < C; c++) expectClose(w.grad!.data[c], gw[c], oneRounding(dtype, gw[c]) + gamma(xs.length) * U64 / U32 * absGw[c] * (dtype === "float64" ? 1 : 0), `gw[${c}]`);
      }), { numRuns: 60 });
  });

  it("glu and softmin along any dim (negative too), float32 and float64", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 1000 }),
      (shape0, dimPick, double, seed) => {
        const dtype = double ? "float64" : "float32";
        const u = double ? U64 : U32;
        const nd = shape0.length, d = dimPick % nd, dim = dimPick % 2 ? d - nd : d;
        const shape = shape0.slice();
        shape[d] *= 2;
        const x = makeTensor(shape, valuesFrom(seed, -4, 4), { transposeLast: true, padLast: 0, offset: 1 }, dtype);
        const xs = x.data;
        const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1), n = shape[d], half = n / 2;
        // glu: a·σ(b) with a, b the halves along d.
        const yg = F.glu(x, dim);
        expect(yg.shape).toEqual(shape0);
        const outer = xs.length / (n * stride);
        for (let o = 0; o < outer; o++) for (let k = 0; k < half; k++) for (let s = 0; s < stride; s++) {
          const a = xs[o * n * stride + k * stride + s], b = xs[o * n * stride + (k + half) * stride + s];
          const ref = a / (1 + Math.exp(-b));
          expectClose(yg.data[o * half * stride + k * stride + s], ref, 8 * u * Math.abs(ref) + (double ? 0 : ETA32), `glu[${o},${k},${s}]`);
        }
        // softmin: exp(−x_k)/Σ exp(−x_j) along d, each element from a few exps and an n-term sum.
        const ys = F.softmin(x, dim);
        for (let o = 0; o < outer; o++) for (let s = 0; s < stride; s++) {
          let m = Infinity;
          for (let k = 0; k < n; k++) m = Math.min(m, xs[o * n * stride + k * stride + s]);
          let sum = 0;
          for (let k = 0; k < n; k++) sum += Math.exp(m - xs[o * n * stride + k * stride + s]);
          for (let k = 0; k < n; k++) {
            const at = o * n * stride + k * stride + s;
            const ref = Math.exp(m - xs[at]) / sum;
            expectClose(ys.data[at], ref, gamma(n + 24) * (u / U32) * Math.abs(ref) + (double ? 0 : ETA32), `softmin[${at}]`);
          }
        }
      }), { numRuns: 80 });
  });
});

describe("gradients by central differences (float64, away from the kinks)", () => {
  /** A float64 input whose values keep ≥ 0.05 from every kink, so the differences never cross one. */
  const awayFrom = (kinks: number[], shape: number[], seed: number) => {
    const x = float64Input(shape, seed, -8, 8);
    const s = x.storage as Float64Array;
    for (let i = 0; i < s.length; i++) for (const k of kinks) if (Math.abs(s[i] - k) < 0.05) s[i] = k + 0.1;
    return x;
  };
  for (const [name, op, , , kinks] of pointwiseCases) {
    it(name, () => assertGradByDifferences(op, [awayFrom(kinks, [3, 5], 7)], name));
  }
  it("prelu: input and per-channel weight", () => {
    const x = awayFrom([0], [2, 3, 4], 3), w = float64Input([3], 4, -1, 1);
    assertGradByDifferences((a, b) => F.prelu(a, b), [x, w], "prelu");
  });
  it("prelu: one slope shared by a 1-d input and a 0-d input", () => {
    assertGradByDifferences((a, b) => F.prelu(a, b), [awayFrom([0], [5], 5), float64Input([1], 6)], "prelu 1-d");
    const x0 = eg.fromTypedArray(Float64Array.of(-1.5), [], { requiresGrad: true });
    assertGradByDifferences((a, b) => F.prelu(a, b), [x0, float64Input([1], 8)], "prelu 0-d");
  });
  it("glu along dims 0, 1 and −1", () => {
    for (const dim of [0, 1, -1]) assertGradByDifferences((a) => F.glu(a, dim), [float64Input([4, 6], 9 + dim)], `glu dim ${dim}`);
  });
  it("softmin along dims 0 and −1", () => {
    for (const dim of [0, -1]) assertGradByDifferences((a) => F.softmin(a, dim), [float64Input([3, 4], 12 + dim)], `softmin dim ${dim}`);
  });
});

describe("edge cases", () => {
  it("empty tensors, 0-d tensors and integer inputs (taken as float32)", () => {
    for (const [, op] of pointwiseCases) {
      expect(op(eg.zeros([0, 3])).shape).toEqual([0, 3]);
      expect(op(tensor(2.5)).shape).toEqual([]);
    }
    expect(F.relu6(tensor([-1, 3, 9], { dtype: "int32" })).dtype).toBe("float32");
    expect(Array.from(F.relu6(tensor([-1, 3, 9], { dtype: "int32" })).data)).toEqual([0, 3, 6]);
    expect(F.glu(eg.zeros([0, 4])).shape).toEqual([0, 2]);
    expect(F.softmin(tensor([[1, 2]]), -1).shape).toEqual([1, 2]);
    // PyTorch 1.13: a 0-d input with one slope works (prelu(-1, [0.25]) = -0.25).
    expect(F.prelu(tensor(-1), tensor([0.25])).item()).toBe(-0.25);
  });
  it("hardshrink takes a negative λ (nothing is zeroed), as PyTorch", () => {
    // PyTorch 1.13: F.hardshrink([-1, 0.5, 1], -1) = [-1, 0.5, 1]
    expect(Array.from(F.hardshrink(tensor([-1, 0.5, 1]), -1).data)).toEqual([-1, 0.5, 1]);
  });
  it("a float64 input with a float32 slope gives float64, each gradient in its tensor's dtype", () => {
    const x = f64([-2, 3], true), w = tensor([0.5], { requiresGrad: true });
    const y = F.prelu(x, w);
    expect(y.dtype).toBe("float64");
    y.sum().backward();
    expect(x.grad!.dtype).toBe("float64");
    expect(w.grad!.dtype).toBe("float32");
    expect(w.grad!.item()).toBe(-2);
  });
});

describe("typed errors (PyTorch refuses the same)", () => {
  it("functional forms", () => {
    expect(() => F.glu(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => F.glu(tensor([1, 2, 3]))).toThrow(/size along dim -1 must be even.*got 3/);
    expect(() => F.glu(tensor(1))).toThrow(ShapeError);
    expect(() => F.glu(eg.zeros([2, 3]), 1)).toThrow(/got 3/);
    expect(() => F.glu(eg.zeros([2, 2]), 2)).toThrow(eg.EdgegradError);
    expect(() => F.glu(eg.zeros([2, 2]), 0.5)).toThrow(ValueError);
    expect(() => F.softmin(eg.zeros([2, 2]), 2)).toThrow(eg.EdgegradError);
    expect(() => F.softmin([1, 2] as unknown as Tensor)).toThrow(ValueError);
    // PyTorch 1.13: "lambda must be greater or equal to 0, but found to be -1."
    expect(() => F.softshrink(eg.zeros([2]), -1)).toThrow(/lambd must be a number ≥ 0, got -1/);
    expect(() => F.softshrink(eg.zeros([2]), NaN)).toThrow(ValueError);
    expect(() => F.hardshrink(eg.zeros([2]), "1" as unknown as number)).toThrow(ValueError);
    expect(() => (F.threshold as (x: Tensor, t?: number) => Tensor)(eg.zeros([2]), 1)).toThrow(/value must be a number, got undefined/);
    expect(() => F.threshold(eg.zeros([2]), NaN, 0)).toThrow(ValueError);
    // PyTorch 1.13: "Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 and channel size = 4."
    expect(() => F.prelu(eg.zeros([2, 4]), eg.ones([3]))).toThrow(ShapeError);
    expect(() => F.prelu(eg.zeros([2, 4]), eg.ones([3]))).toThrow(/weight has 3 elements.*4 channels/);
    // PyTorch 1.13: a 1-d input has one channel ("channel size = 1") and a 0-d one takes one slope only.
    expect(() => F.prelu(eg.zeros([3]), eg.ones([3]))).toThrow(ShapeError);
    expect(() => F.prelu(tensor(1), eg.ones([3]))).toThrow(ShapeError);
    expect(() => F.prelu(eg.zeros([2, 3]), eg.ones([3, 1]))).toThrow(/must be 1-d/);
    expect(() => F.prelu(eg.zeros([2, 3]), tensor([1, 2, 3], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => F.prelu(eg.zeros([2, 3]), [0.25] as unknown as Tensor)).toThrow(ValueError);
  });
  it("modules, when made; a refused call changes nothing", () => {
    expect(() => new nn.PReLU({ numParameters: 0 })).toThrow(/numParameters must be a positive integer/);
    expect(() => new nn.PReLU({ numParameters: 2.5 })).toThrow(ValueError);
    expect(() => new nn.PReLU({ init: NaN })).toThrow(/init must be a finite number/);
    expect(() => new nn.PReLU({ numParameter: 3 } as never)).toThrow(/unknown option "numParameter"/);
    expect(() => new nn.PReLU({ dtype: "int32" as never })).toThrow(DTypeError);
    expect(() => new nn.GLU({ dim: 1.5 })).toThrow(ValueError);
    expect(() => new nn.GLU({ axis: 1 } as never)).toThrow(/unknown option "axis"/);
    expect(() => new nn.Softmin("1" as never)).toThrow(/dim must be an integer/);
    expect(() => new nn.Softshrink({ lambd: -0.1 })).toThrow(ValueError);
    expect(() => new nn.Softshrink({ lambda: 1 } as never)).toThrow(/unknown option "lambda"/);
    expect(() => new nn.Hardshrink(NaN)).toThrow(ValueError);
    expect(() => new (nn.Threshold as unknown as new (t: number) => nn.Threshold)(1)).toThrow(/both required/);
    expect(() => new nn.Threshold(1, NaN)).toThrow(/value must be a number/);
    const p = new nn.PReLU({ numParameters: 3 });
    const before = Array.from(p.weight.data);
    expect(() => p.forward(eg.zeros([2, 4]))).toThrow(ShapeError);
    expect(Array.from(p.weight.data)).toEqual(before);
    expect(p.weight.grad).toBeNull();
  });
});

describe("modules", () => {
  it("PReLU: PyTorch's state-dict key and shape, its weight trained through a Sequential", () => {
    const m = new nn.PReLU({ numParameters: 3, init: 0.1 });
    expect(Object.keys(m.stateDict())).toEqual(["weight"]);
    expect(m.weight.shape).toEqual([3]);
    expect(Array.from(m.weight.data)).toEqual([0.1, 0.1, 0.1].map(Math.fround));
    expect(new nn.PReLU().weight.shape).toEqual([1]);
    expect(new nn.PReLU().weight.item()).toBe(0.25);
    expect(new nn.PReLU({ dtype: "float64" }).weight.dtype).toBe("float64");
    const model = new nn.Sequential(new nn.Linear(4, 3, { seed: 1 }), new nn.PReLU({ numParameters: 3 }), new nn.Linear(3, 1, { seed: 2 }));
    expect(Object.keys(model.stateDict())).toEqual(["0.weight", "0.bias", "1.weight", "2.weight", "2.bias"]);
    expect(model.parameters()).toHaveLength(5);
    model.forward(eg.randn([8, 4], { seed: 3 }).sub(2)).sum().backward();
    const g = (model.at(1) as nn.PReLU).weight.grad!;
    expect(g.shape).toEqual([3]);
    expect(Array.from(g.data).some((v) => v !== 0)).toBe(true);
    // A PyTorch state dict loads (PReLU(3).state_dict() has "weight" of shape [3]).
    m.loadStateDict({ weight: tensor([0.5, 0.25, 0.125]) });
    expect(Array.from(m.forward(tensor([[-2, -2, -2]])).data)).toEqual([-1, -0.5, -0.25]);
    expect(() => m.loadStateDict({ weight: tensor([1, 2]) })).toThrow(ShapeError);
  });

  it("each module equals its functional form and names itself in a summary", () => {
    const x = eg.randn([2, 4, 3], { seed: 5 }).mul(4);
    const pairs: [nn.Module, Tensor][] = [
      [new nn.PReLU(), F.prelu(x, tensor([0.25]))],
      [new nn.PReLU({ numParameters: 4, init: -0.5 }), F.prelu(x, eg.full([4], -0.5))],
      [new nn.ReLU6(), F.relu6(x)],
      [new nn.GLU(), F.glu(eg.randn([2, 4, 4], { seed: 5 }))],
      [new nn.GLU({ dim: 1 }), F.glu(x, 1)],
      [new nn.GLU(1), F.glu(x, 1)],
      [new nn.Softmin(), F.softmin(x, -1)],
      [new nn.Softmin({ dim: 0 }), F.softmin(x, 0)],
      [new nn.Softshrink(), F.softshrink(x, 0.5)],
      [new nn.Softshrink({ lambd: 2 }), F.softshrink(x, 2)],
      [new nn.Hardshrink(1.5), F.hardshrink(x, 1.5)],
      [new nn.Tanhshrink(), F.tanhshrink(x)],
      [new nn.Threshold(0.5, -1), F.threshold(x, 0.5, -1)],
    ];
    for (const [m, want] of pairs) {
      const input = m instanceof nn.GLU && m.dim === -1 ? eg.randn([2, 4, 4], { seed: 5 }) : x;
      expect(Array.from(m.forward(input).data), m.constructor.name).toEqual(Array.from(want.data));
    }
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.PReLU({ numParameters: 6 }), new nn.GLU(), new nn.ReLU6(), new nn.Softshrink(),
      new nn.Hardshrink(), new nn.Tanhshrink(), new nn.Threshold(0.1, 0), new nn.Softmin());
    const text = model.summary([2, 4], { print: false }) as string;
    for (const name of ["PReLU", "GLU", "ReLU6", "Softshrink", "Hardshrink", "Tanhshrink", "Threshold", "Softmin"]) expect(text).toContain(`(${name})`);
    expect(text).toMatch(/PReLU\)\s+\[2, 6\]\s+6/);
  });
});

// ---------------------------------------------------------------------------------------------
// Loss modules

describe("loss modules", () => {
  const z = tensor([[1.0, -0.5, 2.0], [0.3, 0.2, -1.0], [-2.0, 1.5, 0.0], [0.0, 0.0, 0.0]], { dtype: "float64" });
  const labels = tensor([2, 1, 1, 0], { dtype: "int32" });
  const wt = f64([0.5, 2.0, 1.0]);
  const t = tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.5, 0.0, 1.0]], { dtype: "float64" });
  const close = (got: number, want: number) => expectClose(got, want, 64 * U64 * Math.abs(want), "loss");

  it("PyTorch 1.13's values", () => {
    // torch.nn.CrossEntropyLoss(weight=wt, label_smoothing=0.1)(z, labels) etc., float64.
    close(new nn.CrossEntropyLoss({ weight: wt, labelSmoothing: 0.1 }).forward(z, labels).item(), 0.6265679736219469);
    close(new nn.CrossEntropyLoss({ weight: wt, ignoreIndex: 1 }).forward(z, labels).item(), 0.6138967841244919);
    close(new nn.NLLLoss({ weight: wt, reduction: "sum" }).forward(eg.logSoftmax(z, 1), labels).item(), 3.1286840029260965);
    close(new nn.BCEWithLogitsLoss({ weight: wt, posWeight: f64([1.0, 3.0, 0.5]) }).forward(z, t).item(), 0.7410722848379292);
    const bce = new nn.BCELoss({ weight: wt, reduction: "none" }).forward(z.sigmoid(), t);
    expect(bce.shape).toEqual([4, 3]);
    [0.1566308437591114, 0.9481539683602133, 0.12692801104297263, 0.4271776222342636, 1.596277738763184, 1.3132616875182228,
      1.0634640055214863, 0.4028265559655048, 0.6931471805599453, 0.34657359027997264, 1.3862943611198906, 0.6931471805599453]
      .forEach((v, i) => expectClose(bce.data[i], v, 64 * U64 * v, `bce[${i}]`));
    close(new nn.HuberLoss({ delta: 0.5 }).forward(z, t).item(), 0.2866666666666667);
    close(new nn.SmoothL1Loss({ beta: 0.5 }).forward(z, t).item(), 0.5733333333333334);
    close(new nn.KLDivLoss({ reduction: "batchmean" }).forward(eg.logSoftmax(z, 1), eg.softmax(t, 1)).item(), 0.4339668662409905);
  });

  it("state-dict keys as PyTorch's (buffers weight / pos_weight; none without them)", () => {
    // PyTorch 1.13: CrossEntropyLoss(weight=…).state_dict().keys() == ['weight'], BCEWithLogitsLoss(weight=…,
    // pos_weight=…) ['weight', 'pos_weight'], MSELoss() and CrossEntropyLoss() [].
    expect(Object.keys(new nn.CrossEntropyLoss({ weight: wt }).stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.NLLLoss({ weight: wt }).stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.BCELoss({ weight: wt }).stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.MultiLabelSoftMarginLoss({ weight: wt }).stateDict())).toEqual(["weight"]);
    expect(Object.keys(new nn.BCEWithLogitsLoss({ weight: wt, posWeight: wt }).stateDict())).toEqual(["weight", "pos_weight"]);
    expect(Object.keys(new nn.BCEWithLogitsLoss({ posWeight: wt }).stateDict())).toEqual(["pos_weight"]);
    expect(Object.keys(new nn.BCEWithLogitsLoss({ posWeight: 2 }).stateDict())).toEqual([]);
    expect(Object.keys(new nn.CrossEntropyLoss().stateDict())).toEqual([]);
    expect(Object.keys(new nn.MSELoss().stateDict())).toEqual([]);
    expect(new nn.CrossEntropyLoss({ weight: wt }).parameters()).toEqual([]);
    // A loaded weight is the one forward uses; a view given as weight is copied into a buffer of its own.
    const ce = new nn.CrossEntropyLoss({ weight: f64([1, 1, 1]) });
    ce.loadStateDict({ weight: wt });
    expect(ce.forward(z, labels).item()).toBe(F.crossEntropy(z, labels, { weight: wt }).item());
    const view = f64([9, 0.5, 2.0, 1.0]).slice([1, 4]);
    expect(new nn.CrossEntropyLoss({ weight: view }).forward(z, labels).item()).toBe(F.crossEntropy(z, labels, { weight: wt }).item());
    // The module without a weight refuses one from a dict, as PyTorch (a None buffer is not a key).
    expect(() => new nn.CrossEntropyLoss().loadStateDict({ weight: wt })).toThrow(ValueError);
  });

  it("every module gives its function's result, for every reduction and random options (property)", () => {
    type Case = [string, (r: string, s: number) => [nn.Module, () => Tensor, () => Tensor]];
    const v = (shape: number[], seed: number, lo = -2, hi = 2) => float64Input(shape, seed, lo, hi).detach();
    const probs = (shape: number[], seed: number) => v(shape, seed, 0.01, 0.99);
    const lab = (seed: number) => tensor([seed % 3, (seed + 1) % 3, 2, 0], { dtype: "int32" });
    const red = (r: string) => r as "mean";
    const cases: Case[] = [
      ["MSELoss", (r, s) => { const a = v([4, 3], s), b = v([4, 3], s + 1); return [new nn.MSELoss({ reduction: red(r) }), () => new nn.MSELoss({ reduction: red(r) }).forward(a, b), () => F.mseLoss(a, b, { reduction: red(r) })]; }],
      ["L1Loss", (r, s) => { const a = v([4, 3], s), b = v([4, 3], s + 1); return [new nn.L1Loss(), () => new nn.L1Loss({ reduction: red(r) }).forward(a, b), () => F.l1Loss(a, b, { reduction: red(r) })]; }],
      ["HuberLoss", (r, s) => { const a = v([4, 3], s), b = v([4, 3], s + 1), delta = 0.1 + (s % 7) / 3; return [new nn.HuberLoss(), () => new nn.HuberLoss({ reduction: red(r), delta }).forward(a, b), () => F.huberLoss(a, b, { reduction: red(r), delta })]; }],
      ["SmoothL1Loss", (r, s) => { const a = v([4, 3], s), b = v([4, 3], s + 1), beta = (s % 5) / 4; return [new nn.SmoothL1Loss(), () => new nn.SmoothL1Loss({ reduction: red(r), beta }).forward(a, b), () => F.smoothL1Loss(a, b, { reduction: red(r), beta })]; }],
      ["CrossEntropyLoss", (r, s) => { const a = v([4, 3], s), w = v([3], s + 2, 0.1, 2), e = (s % 4) / 8; return [new nn.CrossEntropyLoss(), () => new nn.CrossEntropyLoss({ reduction: red(r), weight: w, labelSmoothing: e, ignoreIndex: s % 3 }).forward(a, lab(s)), () => F.crossEntropy(a, lab(s), { reduction: red(r), weight: w, labelSmoothing: e, ignoreIndex: s % 3 })]; }],
      ["NLLLoss", (r, s) => { const a = v([4, 3], s), w = v([3], s + 2, 0.1, 2); return [new nn.NLLLoss(), () => new nn.NLLLoss({ reduction: red(r), weight: w }).forward(a, lab(s)), () => F.nllLoss(a, lab(s), { reduction: red(r), weight: w })]; }],
      ["BCELoss", (r, s) => { const a = probs([4, 3], s), b = probs([4, 3], s + 1), w = v([3], s + 2, 0.1, 2); return [new nn.BCELoss(), () => new nn.BCELoss({ reduction: red(r), weight: w }).forward(a, b), () => F.binaryCrossEntropy(a, b, { reduction: red(r), weight: w })]; }],
      ["BCEWithLogitsLoss", (r, s) => { const a = v([4, 3], s), b = probs([4, 3], s + 1), w = v([3], s + 2, 0.1, 2), pw = v([3], s + 3, 0.1, 3); return [new nn.BCEWithLogitsLoss(), () => new nn.BCEWithLogitsLoss({ reduction: red(r), weight: w, posWeight: pw }).forward(a, b), () => F.bceWithLogits(a, b, { reduction: red(r), weight: w, posWeight: pw })]; }],
      ["KLDivLoss", (r, s) => { const a = eg.logSoftmax(v([4, 3], s), 1), b = eg.softmax(v([4, 3], s + 1), 1), lt = s % 2 === 0, bt = lt ? b.log() : b; return [new nn.KLDivLoss(), () => new nn.KLDivLoss({ reduction: red(r), logTarget: lt }).forward(a, bt), () => F.klDivLoss(a, bt, { reduction: red(r), logTarget: lt })]; }],
      ["PoissonNLLLoss", (r, s) => { const a = v([4, 3], s), b = probs([4, 3], s + 1).mul(4), full = s % 2 === 0; return [new nn.PoissonNLLLoss(), () => new nn.PoissonNLLLoss({ reduction: red(r), full }).forward(a, b), () => F.poissonNllLoss(a, b, { reduction: red(r), full })]; }],
      ["GaussianNLLLoss", (r, s) => { const a = v([4, 3], s), b = v([4, 3], s + 1), va = probs([4, 3], s + 2); return [new nn.GaussianNLLLoss(), () => new nn.GaussianNLLLoss({ reduction: red(r), full: true }).forward(a, b, va), () => F.gaussianNllLoss(a, b, va, { reduction: red(r), full: true })]; }],
      ["MultiLabelSoftMarginLoss", (r, s) => { const a = v([4, 3], s), b = probs([4, 3], s + 1).gt(0.5).astype("float64"), w = v([3], s + 2, 0.1, 2); return [new nn.MultiLabelSoftMarginLoss(), () => new nn.MultiLabelSoftMarginLoss({ reduction: red(r), weight: w }).forward(a, b), () => F.multiLabelSoftMarginLoss(a, b, { reduction: red(r), weight: w })]; }],
      ["CosineEmbeddingLoss", (r, s) => { const a = v([4, 3], s), b = v([4, 3], s + 1), y = f64([1, -1, 1, -1]); return [new nn.CosineEmbeddingLoss(), () => new nn.CosineEmbeddingLoss({ reduction: red(r), margin: 0.2 }).forward(a, b, y), () => F.cosineEmbeddingLoss(a, b, y, { reduction: red(r), margin: 0.2 })]; }],
      ["MarginRankingLoss", (r, s) => { const a = v([4], s), b = v([4], s + 1), y = f64([1, -1, 1, -1]); return [new nn.MarginRankingLoss(), () => new nn.MarginRankingLoss({ reduction: red(r), margin: 0.5 }).forward(a, b, y), () => F.marginRankingLoss(a, b, y, { reduction: red(r), margin: 0.5 })]; }],
      ["HingeEmbeddingLoss", (r, s) => { const a = v([4], s), y = f64([1, -1, 1, -1]); return [new nn.HingeEmbeddingLoss(), () => new nn.HingeEmbeddingLoss({ reduction: red(r), margin: 2 }).forward(a, y), () => F.hingeEmbeddingLoss(a, y, { reduction: red(r), margin: 2 })]; }],
      ["TripletMarginLoss", (r, s) => { const a = v([4, 3], s), p = v([4, 3], s + 1), n = v([4, 3], s + 2); return [new nn.TripletMarginLoss(), () => new nn.TripletMarginLoss({ reduction: red(r), p: 1.5, swap: true }).forward(a, p, n), () => F.tripletMarginLoss(a, p, n, { reduction: red(r), p: 1.5, swap: true })]; }],
    ];
    for (const [name, make] of cases) {
      fc.assert(fc.property(fc.constantFrom("mean", "sum", "none"), fc.integer({ min: 1, max: 500 }), (r, s) => {
        const [proto, mod, fn] = make(r, s);
        expect((proto.constructor as { typeName?: string }).typeName).toBe(name);
        const a = mod(), b = fn();
        expect(a.shape, name).toEqual(b.shape);
        expect(Array.from(a.data), name).toEqual(Array.from(b.data));
      }), { numRuns: 12 });
    }
  });

  it("gradients flow through a module as through its function (input and a target that requires grad)", () => {
    const a = float64Input([4, 3], 21), b = float64Input([4, 3], 22, 0.1, 0.9);
    assertGradByDifferences((x, y) => new nn.BCEWithLogitsLoss({ posWeight: f64([1, 2, 3]), reduction: "none" }).forward(x, y), [a, b], "BCEWithLogitsLoss");
    assertGradByDifferences((x) => new nn.CrossEntropyLoss({ weight: f64([1, 2, 3]), reduction: "none" }).forward(x, labels), [float64Input([4, 3], 23)], "CrossEntropyLoss");
    assertGradByDifferences((x, y) => new nn.HuberLoss({ delta: 0.3, reduction: "none" }).forward(x, y), [float64Input([4, 3], 24), float64Input([4, 3], 25)], "HuberLoss");
  });

  it("typed errors when made (each refused as its function refuses it), and at forward", () => {
    expect(() => new nn.MSELoss({ reduction: "avg" as never })).toThrow(/reduction must be "mean", "sum", "none", got "avg"/);
    expect(() => new nn.MSELoss({ reductions: "sum" } as never)).toThrow(/MSELoss: unknown option "reductions"/);
    expect(() => new nn.KLDivLoss({ reduction: "batchmean" })).not.toThrow();
    expect(() => new nn.MSELoss({ reduction: "batchmean" as never })).toThrow(ValueError);
    expect(() => new nn.HuberLoss({ delta: 0 })).toThrow(/delta must be/);
    expect(() => new nn.SmoothL1Loss({ beta: -1 })).toThrow(ValueError);
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be in \[0, 1\]/);
    expect(() => new nn.CrossEntropyLoss({ ignoreIndex: 0.5 })).toThrow(/ignoreIndex must be an integer/);
    expect(() => new nn.CrossEntropyLoss({ weight: [1, 2] as never })).toThrow(/weight must be a Tensor/);
    expect(() => new nn.CrossEntropyLoss({ weight: tensor([1, 2], { dtype: "int32" }) })).toThrow(DTypeError);
    expect(() => new nn.NLLLoss({ weight: eg.ones([2, 2]) })).toThrow(ShapeError);
    expect(() => new nn.BCEWithLogitsLoss({ posWeight: "2" as never })).toThrow(/posWeight must be a Tensor/);
    expect(() => new nn.BCEWithLogitsLoss({ posWeight: NaN })).toThrow(ValueError);
    expect(() => new nn.KLDivLoss({ logTarget: "yes" as never })).toThrow(/logTarget must be true or false/);
    expect(() => new nn.PoissonNLLLoss({ eps: -1 })).toThrow(ValueError);
    expect(() => new nn.GaussianNLLLoss({ full: 1 as never })).toThrow(ValueError);
    expect(() => new nn.TripletMarginLoss({ p: 0 })).toThrow(ValueError);
    expect(() => new nn.TripletMarginLoss({ swap: "no" as never })).toThrow(ValueError);
    expect(() => new nn.CosineEmbeddingLoss({ margin: "0.1" as never })).toThrow(ValueError);
    expect(() => new nn.MSELoss().forward(z)).toThrow(/MSELoss: forward takes \(input, target\), got 1 argument/);
    expect(() => new nn.TripletMarginLoss().forward(z, z)).toThrow(/\(anchor, positive, negative\)/);
    expect(() => new nn.MSELoss().forward(z, [1] as never)).toThrow(/target must be a Tensor/);
    // The weight's length against the classes is the function's check, at forward, as in PyTorch.
    expect(() => new nn.CrossEntropyLoss({ weight: f64([1, 2]) }).forward(z, labels)).toThrow(ShapeError);
  });
});

describe("fit and evaluate with a loss module", () => {
  const data = () => {
    const x = eg.randn([40, 5], { seed: 11 });
    const y = tensor(Array.from({ length: 40 }, (_, i) => (x.data[i * 5] + x.data[i * 5 + 1] > 0 ? (i % 2) + 1 : 0)), { dtype: "int32" });
    return { x, y };
  };
  const model = () => new nn.Sequential(new nn.Linear(5, 8, { seed: 1 }), new nn.PReLU({ numParameters: 8 }), new nn.Linear(8, 3, { seed: 2 }));
  const run = (loss: unknown) => {
    const m = model();
    const { x, y } = data();
    return nn.fit(m, x, y, { loss: loss as "crossEntropy", optimizer: new eg.optim.SGD(m.parameters(), { lr: 0.1 }), epochs: 3, batchSize: 8, seed: 4, validationSplit: 0.25, metrics: ["accuracy"] });
  };

  it("CrossEntropyLoss() trains as loss: \"crossEntropy\" (same training losses, bit for bit)", async () => {
    const a = await run(new nn.CrossEntropyLoss());
    const b = await run("crossEntropy");
    expect(a.history.loss).toEqual(b.history.loss);
    expect(a.history.accuracy).toEqual(b.history.accuracy);
    expect(a.history.val_accuracy).toEqual(b.history.val_accuracy);
    // Validation: the module's batch mean × rows against the string's sum; one rounding apart.
    a.history.val_loss.forEach((v, i) => expectClose(v, b.history.val_loss[i], 64 * U32 * Math.abs(v), `val_loss ${i}`));
  });

  it("a class-weighted CrossEntropyLoss trains on, and logs, the weighted mean; evaluate agrees", async () => {
    const w = tensor([0.2, 1, 3]);
    const h = await run(new nn.CrossEntropyLoss({ weight: w }));
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    const m = model(), { x, y } = data();
    const loss = new nn.CrossEntropyLoss({ weight: w });
    const ev = nn.evaluate(m, x, y, { loss, batchSize: 40 });
    expectClose(ev.loss, loss.forward(eg.noGrad(() => m.forward(x) as Tensor), y).item(), 8 * U32 * ev.loss, "evaluate");
  });

  it("MSELoss and BCEWithLogitsLoss (logits accuracy) as fit's loss", async () => {
    const { x } = data();
    const yr = x.slice(null, [0, 1]).mul(2);
    const m = new nn.Sequential(new nn.Linear(5, 1, { seed: 3 }));
    const h = await nn.fit(m, x, yr, { loss: new nn.MSELoss(), optimizer: new eg.optim.SGD(m.parameters(), { lr: 0.05 }), epochs: 5, batchSize: 10, seed: 1 });
    expect(h.history.loss[4]).toBeLessThan(h.history.loss[0]);
    const yb = x.slice(null, [0, 1]).gt(0).astype("float32");
    const m2 = new nn.Sequential(new nn.Linear(5, 1, { seed: 3 }));
    const h2 = await nn.fit(m2, x, yb, { loss: new nn.BCEWithLogitsLoss({ posWeight: tensor([2]) }), optimizer: new eg.optim.SGD(m2.parameters(), { lr: 0.5 }), epochs: 5, batchSize: 10, seed: 1, metrics: ["accuracy"] });
    expect(h2.history.accuracy[4]).toBeGreaterThan(0.7);
    // KLDivLoss's "batchmean" is a per-sample mean too: trained on and logged as such.
    const m3 = new nn.Sequential(new nn.Linear(5, 3, { seed: 3 }), new nn.LogSoftmax(1));
    const q = eg.softmax(x.slice(null, [0, 3]), 1);
    const kl = new nn.KLDivLoss({ reduction: "batchmean" });
    const h3 = await nn.fit(m3, x, q, { loss: kl, optimizer: new eg.optim.SGD(m3.parameters(), { lr: 0.5 }), epochs: 5, batchSize: 40, seed: 1, shuffle: false });
    expect(h3.history.loss[4]).toBeLessThan(h3.history.loss[0]);
    const ev = nn.evaluate(m3, x, q, { loss: kl, metrics: [], batchSize: 40 });
    expect(ev.loss).toBeCloseTo(kl.forward(eg.noGrad(() => m3.forward(x) as Tensor), q).item(), 6);
  });

  it("refuses a loss module fit cannot average (reduction sum/none, three inputs), before any update", async () => {
    const m = model(), { x, y } = data();
    const before = Array.from(m.parameters()[0].data);
    const opt = new eg.optim.SGD(m.parameters(), { lr: 0.1 });
    await expect(nn.fit(m, x, y, { loss: new nn.CrossEntropyLoss({ reduction: "sum" }) as never, optimizer: opt })).rejects.toThrow(/CrossEntropyLoss's reduction must be "mean"/);
    await expect(nn.fit(m, x, y, { loss: new nn.MSELoss({ reduction: "none" }) as never, optimizer: opt })).rejects.toThrow(ValueError);
    await expect(nn.fit(m, x, y, { loss: new nn.TripletMarginLoss() as never, optimizer: opt })).rejects.toThrow(/takes 3 tensors/);
    await expect(nn.fit(m, x, y, { loss: new nn.PReLU() as never, optimizer: opt })).rejects.toThrow(/unknown loss/);
    expect(Array.from(m.parameters()[0].data)).toEqual(before);
  });
});

describe("ONNX export of the new activations", () => {
  // Inputs on the kinks (0, ±λ, 6, the threshold) and between them, all exact in float32.
  const kinky = (n: number) => Float32Array.from({ length: n }, (_, i) => [-7, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 6, 6.5, 3.75, -2.5][i % 12] * (1 + Math.floor(i / 12) / 8));

  // One float32 rounding in each (a product or a difference of floats, or none): the same bits.
  const exact: [string, nn.Module, number[]][] = [
    ["PReLU (one slope)", new nn.PReLU({ init: -0.3 }), [6]],
    ["PReLU (per channel, [C])", new nn.PReLU({ numParameters: 4, init: 0.1 }), [4]],
    ["PReLU (per channel, [C, H, W])", new nn.PReLU({ numParameters: 3 }), [3, 2, 2]],
    ["ReLU6 (Clip)", new nn.ReLU6(), [12]],
    ["Softshrink (Shrink, bias λ)", new nn.Softshrink(0.5), [12]],
    ["Hardshrink (Shrink, bias 0)", new nn.Hardshrink(0.5), [12]],
    ["Hardshrink with a negative λ", new nn.Hardshrink(-1), [12]],
    ["Threshold(t, 0) (ThresholdedRelu)", new nn.Threshold(0.25, 0), [12]],
  ];
  for (const [name, layer, sample] of exact) {
    it(`${name} runs in onnxruntime-web with edgegrad's bits`, async () => {
      if (layer instanceof nn.PReLU && layer.numParameters > 1) layer.weight.storage.set(Array.from({ length: layer.numParameters }, (_, c) => 0.25 * c - 0.5));
      const shape = [3, ...sample];
      const x = eg.fromTypedArray(kinky(shape.reduce((a, b) => a * b, 1)), shape);
      const ours = layer.forward(x).data;
      const theirs = await runOrt(eg.io.exportOnnx(layer, { inputShape: sample }), x.data as Float32Array, shape);
      // Zeros compared by value: at x = 0 onnxruntime's PRelu gives x, edgegrad (as PyTorch) w·0,
      // which is −0 for a negative slope.
      const unsigned = (a: ArrayLike<number>) => Array.from(a, (v) => (v === 0 ? 0 : v));
      expect(unsigned(theirs)).toEqual(unsigned(ours));
    });
  }

  it("a Linear → PReLU → ReLU6 → Softshrink → Linear chain agrees within the GEMMs' rounding", async () => {
    const model = new nn.Sequential(new nn.Linear(6, 5, { seed: 1 }), new nn.PReLU({ numParameters: 5 }), new nn.ReLU6(), new nn.Softshrink(0.1), new nn.Linear(5, 3, { seed: 2 }));
    const x = eg.randn([4, 6], { seed: 3 }).mul(3);
    const ours = eg.noGrad(() => model.forward(x)).data;
    const theirs = await runOrt(eg.io.exportOnnx(model), x.data as Float32Array, [4, 6]);
    // Each layer after the first GEMM is 1-Lipschitz (slopes 0.25): the first GEMM's error, both
    // ways, through |W2|, plus the second GEMM's own, each γ(k+1)·Σ|w·x| + |b|.
    const [l1, l2] = [model.at(0) as nn.Linear, model.at(4) as nn.Linear];
    const w1 = l1.weight.data, b1 = l1.bias!.data, w2 = l2.weight.data, b2 = l2.bias!.data, xs = x.data;
    for (let r = 0; r < 4; r++) {
      const e1: number[] = [], h: number[] = [];
      for (let j = 0; j < 5; j++) {
        let abs = Math.abs(b1[j]), s = b1[j];
        for (let k = 0; k < 6; k++) { abs += Math.abs(w1[j * 6 + k] * xs[r * 6 + k]); s += w1[j * 6 + k] * xs[r * 6 + k]; }
        e1.push(2 * gamma(7) * abs + 4 * U32 * Math.abs(s));
        h.push(Math.min(Math.abs(s), 6));
      }
      for (let j = 0; j < 3; j++) {
        let tol = 2 * gamma(6) * Math.abs(b2[j]) + 4 * ETA32;
        for (let k = 0; k < 5; k++) tol += Math.abs(w2[j * 5 + k]) * (e1[k] + 2 * gamma(6) * (h[k] + e1[k]));
        expectClose(theirs[r * 3 + j], ours[r * 3 + j], tol, `row ${r}, output ${j}`);
      }
    }
  });

  // Refused with a typed error naming the layer: no single ONNX op computes these.
  const refused: [string, nn.Module, RegExp][] = [
    ["GLU", new nn.GLU(), /module GLU at index 1 has no ONNX mapping/],
    ["Softmin", new nn.Softmin(), /module Softmin at index 1 has no ONNX mapping/],
    ["Tanhshrink", new nn.Tanhshrink(), /module Tanhshrink at index 1 has no ONNX mapping/],
    ["Threshold(t, v ≠ 0)", new nn.Threshold(0.5, -1), /Threshold\(0.5, -1\) at index 1 is not supported.*only Threshold\(t, 0\) exports/],
  ];
  for (const [name, layer, message] of refused) {
    it(`${name} is refused with a ValueError naming it and its index`, () => {
      const model = new nn.Sequential(new nn.Linear(3, 4), layer);
      expect(() => eg.io.exportOnnx(model)).toThrow(ValueError);
      expect(() => eg.io.exportOnnx(model)).toThrow(message);
    });
  }

  it("refuses a PReLU whose slopes do not match the channels, and malformed hand-written layers", () => {
    expect(() => eg.io.exportOnnx(new nn.PReLU({ numParameters: 3 }), { inputShape: [4] })).toThrow(/PReLU has 3 slopes but its input \[batch, 4\] has 4 channels/);
    expect(() => eg.io.exportOnnx([{ kind: "clip", min: 1, max: 0 }], { inputFeatures: 2 })).toThrow(ValueError);
    expect(() => eg.io.exportOnnx([{ kind: "shrink", lambd: NaN, bias: 0 }], { inputFeatures: 2 })).toThrow(ValueError);
    expect(() => eg.io.exportOnnx([{ kind: "prelu", slope: [0.25] as never }], { inputFeatures: 2 })).toThrow(ValueError);
    expect(() => eg.io.exportOnnx([{ kind: "thresholdedRelu", alpha: "1" as never }], { inputFeatures: 2 })).toThrow(ValueError);
  });
});
