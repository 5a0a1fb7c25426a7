// F.lpPool1d / F.lpPool2d and nn.LPPool1d / LPPool2d against a float64 reference written here:
// (k/c · Σ x^p over the window's c in-input taps)^(1/p), k the kernel's size (PyTorch's
// composition: a ceilMode window cut by the input's end is averaged over its c taps, then
// scaled by k); gradients by central differences; typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, nn, ShapeError, ValueError, zeros, type Tensor } from "../../src/index.js";
import { describeSequential } from "../../src/io/onnx-layers.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { expectWithin, gammaOf, valuesFrom } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;

function positive(shape: number[], seed: number, dtype: "float32" | "float64", requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, 0.2, 2);
  const data = dtype === "float64" ? Float64Array.from({ length: n }, (_, i) => v(i)) : Float32Array.from({ length: n }, (_, i) => v(i));
  return fromTypedArray(data, shape, { requiresGrad });
}

/** Window starts along one axis: PyTorch's output size without padding, the last window starting inside. */
function starts(L: number, k: number, s: number, ceil: boolean): number[] {
  let n = (ceil ? Math.ceil((L - k) / s) : Math.floor((L - k) / s)) + 1;
  if (ceil && (n - 1) * s >= L) n--;
  return Array.from({ length: n }, (_, o) => o * s);
}

function reference(x: Tensor, p: number, k: number[], s: number[], ceil: boolean) {
  const twoD = k.length === 2, [H, W] = twoD ? x.shape.slice(-2) : [1, x.shape[x.ndim - 1]];
  const [kh, kw] = twoD ? k : [1, k[0]], [sh, sw] = twoD ? s : [1, s[0]];
  const rows = twoD ? starts(H, kh, sh, ceil) : [0], cols = starts(W, kw, sw, ceil);
  const planes = x.size / (H * W), xd = x.data, want: number[] = [], terms: number[] = [];
  for (let q = 0; q < planes; q++) for (const r of rows) for (const c of cols) {
    let sum = 0, count = 0;
    for (let i = r; i < Math.min(r + kh, H); i++) for (let j = c; j < Math.min(c + kw, W); j++, count++) sum += xd[q * H * W + i * W + j] ** p;
    want.push(((sum / count) * kh * kw) ** (1 / p));
    terms.push(count);
  }
  return { want, terms, shape: [...x.shape.slice(0, x.ndim - k.length), ...(twoD ? [rows.length] : []), cols.length] };
}

describe("lpPool against the power-average definition", () => {
  const arb = fc.record({
    twoD: fc.boolean(), H: fc.integer({ min: 3, max: 8 }), W: fc.integer({ min: 3, max: 9 }), kh: fc.integer({ min: 1, max: 3 }),
    kw: fc.integer({ min: 1, max: 3 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), strideGiven: fc.boolean(),
    ceil: fc.boolean(), p: fc.constantFrom(1, 2, 3, 1.5), dtype: fc.constantFrom("float32" as const, "float64" as const), seed: fc.nat(300),
  });
  it("matches for drawn shapes, kernels, strides, ceilMode, norm types and dtypes", () => {
    fc.assert(fc.property(arb, (a) => {
      const k = a.twoD ? [a.kh, a.kw] : [a.kw], s = a.strideGiven ? (a.twoD ? [a.sh, a.sw] : [a.sw]) : k;
      const x = positive(a.twoD ? [2, 2, a.H, a.W] : [2, 3, a.W], a.seed, a.dtype);
      const opts = { ...(a.strideGiven ? { stride: s } : {}), ceilMode: a.ceil };
      const y = a.twoD ? F.lpPool2d(x, a.p, k, opts) : F.lpPool1d(x, a.p, k, opts);
      const ref = reference(x, a.p, k, s, a.ceil);
      expect(y.shape).toEqual(ref.shape);
      // A handful of roundings per power and per sum term, then the root (which shrinks them by 1/p).
      expectWithin(y.data, ref.want, (i) => gammaOf(a.dtype, 4 * ref.terms[i] + 12) * Math.abs(ref.want[i]) + ETA32, `lpPool ${JSON.stringify(a)}`);
    }), { numRuns: 200 });
  });

  it("gradients by central differences, and the modules are the functions", () => {
    assertGradByDifferences((t) => F.lpPool2d(t, 2, [2, 3], { stride: [1, 2], ceilMode: true }), [positive([1, 2, 4, 5], 1, "float64", true)], "lpPool2d");
    assertGradByDifferences((t) => F.lpPool1d(t, 3, 2), [positive([2, 2, 7], 2, "float64", true)], "lpPool1d");
    const x = positive([2, 3, 9], 3, "float32");
    expect(Array.from(new nn.LPPool1d(2, 3, { stride: 2 }).forward(x).data)).toEqual(Array.from(F.lpPool1d(x, 2, 3, { stride: 2 }).data));
    const x2 = positive([1, 2, 5, 5], 4, "float32");
    expect(Array.from(new nn.LPPool2d(1.5, 2, { ceilMode: true }).forward(x2).data)).toEqual(Array.from(F.lpPool2d(x2, 1.5, 2, { ceilMode: true }).data));
    expect(Object.keys(new nn.LPPool2d(2, 2).stateDict())).toEqual([]);
  });

  it("refuses bad norm types, kernels, options and inputs with typed errors", () => {
    expect(() => new nn.LPPool2d(0, 2)).toThrow(/normType must be a finite number > 0, got 0/);
    expect(() => F.lpPool1d(zeros([1, 2, 5]), Infinity, 2)).toThrow(ValueError);
    expect(() => new nn.LPPool1d(2, [2, 2])).toThrow(ValueError);
    expect(() => new nn.LPPool2d(2, 2, { padding: 1 } as never)).toThrow(/unknown option "padding"/);
    expect(() => F.lpPool2d(zeros([1, 2, 5, 5]), 2, 2, { ceilMode: 1 as never })).toThrow(ValueError);
    expect(() => F.lpPool2d(zeros([5]), 2, 2)).toThrow(ShapeError);
    expect(() => F.lpPool1d(zeros([1, 2, 5], { dtype: "int32" }), 2, 2)).toThrow(DTypeError);
    // ONNX's LpPool sums |x|^p, PyTorch's x^p: an odd normType does not export.
    expect(() => describeSequential(new nn.Sequential(new nn.LPPool2d(3, 2)))).toThrow(/LPPool2d/);
  });
});
