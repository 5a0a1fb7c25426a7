// Max, average and adaptive pooling against a float64 reference written here (windows by
// PyTorch's documented formulas, taps visited one by one), over shapes and options drawn by
// fast-check; gradients by central differences; ties, NaN and the errors PyTorch raises.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, nn, noGrad, ShapeError, ValueError, DTypeError, Tensor, tensor, zeros } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { valuesFrom } from "../support/reference.js";
import { gamma } from "../support/tolerance.js";

const F = nn.functional;

interface Axis { k: number; s: number; p: number; d: number }
/** ⌊ or ⌈ of (L + 2p − d(k−1) − 1)/s⌉ + 1, less one if ceil mode starts the last window in the right padding. */
function outLen(L: number, a: Axis, ceil: boolean): number {
  const q = (L + 2 * a.p - a.d * (a.k - 1) - 1) / a.s;
  let n = (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
  if (ceil && (n - 1) * a.s >= L + a.p) n--;
  return n;
}

type Kind = "max" | "avg";
/** Pools a [P, H, W] float64 array tap by tap; max keeps the first maximum (raster order). */
function refPool(x: Float64Array, P: number, H: number, W: number, ah: Axis, aw: Axis, kind: Kind, o: { ceil: boolean; includePad: boolean }) {
  const OH = outLen(H, ah, o.ceil), OW = outLen(W, aw, o.ceil);
  const out: number[] = [], arg: number[] = [], mag: number[] = [];
  for (let p = 0; p < P; p++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let best = -Infinity, at = -1, sum = 0, abs = 0, inBounds = 0, padded = 0;
    for (let a = 0; a < ah.k; a++) for (let b = 0; b < aw.k; b++) {
      const h = i * ah.s - ah.p + a * ah.d, w = j * aw.s - aw.p + b * aw.d;
      if (h < H + ah.p && w < W + aw.p) padded++;
      if (h < 0 || h >= H || w < 0 || w >= W) continue;
      const v = x[(p * H + h) * W + w];
      inBounds++;
      sum += v;
      abs += Math.abs(v);
      if (v > best) { best = v; at = h * W + w; }
    }
    const div = o.includePad ? padded : inBounds;
    out.push(kind === "max" ? best : inBounds ? sum / div : 0);
    arg.push(at);
    mag.push(abs / Math.max(div, 1));
  }
  return { out, arg, mag, OH, OW };
}

function sample(shape: number[], seed: number, dtype: "float32" | "float64" = "float32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = v(i);
  return fromTypedArray(data, shape);
}

const axisArb = fc.record({ k: fc.integer({ min: 1, max: 4 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), pRaw: fc.nat(2) })
  .map(({ k, s, d, pRaw }) => ({ k, s, d, p: Math.min(pRaw, Math.floor(k / 2)) }));
const caseArb = fc.record({
  N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 9 }),
  ah: axisArb, aw: axisArb, ceil: fc.boolean(), includePad: fc.boolean(), seed: fc.nat(1000),
});

describe("maxPool2d / avgPool2d against the float64 reference", () => {
  it("maxPool2d: exact values and argmax indices, any kernel, stride, padding, dilation and ceilMode", () => {
    fc.assert(fc.property(caseArb, ({ N, C, H, W, ah, aw, ceil, seed }) => {
      fc.pre(outLen(H, ah, ceil) >= 1 && outLen(W, aw, ceil) >= 1);
      const x = sample([N, C, H, W], seed);
      const [y, idx] = F.maxPool2d(x, [ah.k, aw.k], { stride: [ah.s, aw.s], padding: [ah.p, aw.p], dilation: [ah.d, aw.d], ceilMode: ceil, returnIndices: true });
      const ref = refPool(Float64Array.from(x.data), N * C, H, W, ah, aw, "max", { ceil, includePad: true });
      expect(y.shape).toEqual([N, C, ref.OH, ref.OW]);
      expect(Array.from(y.data)).toEqual(ref.out);
      expect(Array.from(idx.data)).toEqual(ref.arg);
      // without indices a 2×2 pool of stride 2 takes the pooling kernels' path: the same values
      const plain = F.maxPool2d(x, [ah.k, aw.k], { stride: [ah.s, aw.s], padding: [ah.p, aw.p], dilation: [ah.d, aw.d], ceilMode: ceil });
      expect(Array.from(plain.data)).toEqual(ref.out);
    }), {
      numRuns: 150,
      // a 2×2 window on both axes, stride 3 on the rows: one output row of 4, which the 2×2 path took for two
      examples: [[{ N: 1, C: 2, H: 4, W: 3, ah: { k: 2, s: 3, p: 0, d: 1 }, aw: { k: 2, s: 2, p: 0, d: 1 }, ceil: false, includePad: false, seed: 7 }]],
    });
  });

  it("avgPool2d: within the summation bound, with countIncludePad and ceilMode", () => {
    fc.assert(fc.property(caseArb, ({ N, C, H, W, ah, aw, ceil, includePad, seed }) => {
      const a1 = { ...ah, d: 1 }, a2 = { ...aw, d: 1 };
      fc.pre(outLen(H, a1, ceil) >= 1 && outLen(W, a2, ceil) >= 1);
      const x = sample([N, C, H, W], seed);
      const y = F.avgPool2d(x, [a1.k, a2.k], { stride: [a1.s, a2.s], padding: [a1.p, a2.p], ceilMode: ceil, countIncludePad: includePad });
      const ref = refPool(Float64Array.from(x.data), N * C, H, W, a1, a2, "avg", { ceil, includePad });
      expect(y.shape).toEqual([N, C, ref.OH, ref.OW]);
      const tol = gamma(a1.k * a2.k + 2);
      ref.out.forEach((r, i) => expect(Math.abs(y.data[i] - r), `output ${i}`).toBeLessThanOrEqual(tol * ref.mag[i] + 1e-30));
    }), { numRuns: 150 });
  });

  it("divisorOverride divides every window's sum by the given number", () => {
    const x = sample([1, 2, 5, 4], 3, "float64");
    const y = F.avgPool2d(x, 2, { divisorOverride: 3, padding: 1 });
    const ref = refPool(Float64Array.from(x.data), 2, 5, 4, { k: 2, s: 2, p: 1, d: 1 }, { k: 2, s: 2, p: 1, d: 1 }, "avg", { ceil: false, includePad: true });
    const sums = refPool(Float64Array.from(x.data), 2, 5, 4, { k: 2, s: 2, p: 1, d: 1 }, { k: 2, s: 2, p: 1, d: 1 }, "avg", { ceil: false, includePad: false });
    expect(y.shape).toEqual([1, 2, ref.OH, ref.OW]);
    // The in-bounds mean times the in-bounds count is the sum; recover the count from the padded windows.
    sums.out.forEach((m, i) => {
      const oh = Math.floor((i % (ref.OH * ref.OW)) / ref.OW), ow = i % ref.OW;
      const count = (Math.min(oh * 2 + 1, 5) - Math.max(oh * 2 - 1, 0)) * (Math.min(ow * 2 + 1, 4) - Math.max(ow * 2 - 1, 0));
      expect(y.data[i]).toBeCloseTo((m * count) / 3, 12);
    });
  });

  it("1-d pools equal the 2-d pool of a height-1 image", () => {
    fc.assert(fc.property(caseArb, ({ N, C, W, aw, ceil, includePad, seed }) => {
      fc.pre(outLen(W, aw, ceil) >= 1 && outLen(W, { ...aw, d: 1 }, ceil) >= 1);
      const x = sample([N, C, W], seed);
      const x4 = x.reshape([N, C, 1, W]);
      const mo = { stride: aw.s, padding: aw.p, dilation: aw.d, ceilMode: ceil };
      expect(Array.from(F.maxPool1d(x, aw.k, mo).data)).toEqual(Array.from(F.maxPool2d(x4, [1, aw.k], { ...mo, stride: [1, aw.s], padding: [0, aw.p], dilation: [1, aw.d] }).data));
      const ao = { stride: aw.s, padding: aw.p, ceilMode: ceil, countIncludePad: includePad };
      const ref = refPool(Float64Array.from(x.data), N * C, 1, W, { k: 1, s: 1, p: 0, d: 1 }, { ...aw, d: 1 }, "avg", { ceil, includePad });
      const y = F.avgPool1d(x, aw.k, ao);
      expect(y.shape).toEqual([N, C, ref.OW]);
      ref.out.forEach((r, i) => expect(Math.abs(y.data[i] - r)).toBeLessThanOrEqual(gamma(aw.k + 2) * ref.mag[i] + 1e-30));
    }), { numRuns: 100 });
  });

  it("an unbatched [C, H, W] input pools like a batch of one", () => {
    const x = sample([3, 6, 5], 8);
    expect(F.maxPool2d(x, 2).shape).toEqual([3, 3, 2]);
    expect(Array.from(F.maxPool2d(x, 3, { stride: 2, padding: 1 }).data)).toEqual(Array.from(F.maxPool2d(x.reshape([1, 3, 6, 5]), 3, { stride: 2, padding: 1 }).data));
  });
});

describe("adaptive pooling", () => {
  const sizeArb = fc.record({ H: fc.integer({ min: 1, max: 11 }), W: fc.integer({ min: 1, max: 11 }), oh: fc.integer({ min: 1, max: 7 }), ow: fc.integer({ min: 1, max: 7 }), seed: fc.nat(500) });
  /** Window i of n over L: ⌊iL/n⌋ .. ⌈(i+1)L/n⌉ (exclusive). */
  const win = (i: number, L: number, n: number) => [Math.floor((i * L) / n), Math.ceil(((i + 1) * L) / n)];
  it("adaptive average and max windows follow ⌊iL/n⌋ .. ⌈(i+1)L/n⌉, also when n does not divide L", () => {
    fc.assert(fc.property(sizeArb, ({ H, W, oh, ow, seed }) => {
      const x = sample([2, 2, H, W], seed);
      const avg = F.adaptiveAvgPool2d(x, [oh, ow]), [mx, idx] = F.adaptiveMaxPool2d(x, [oh, ow], { returnIndices: true });
      expect(avg.shape).toEqual([2, 2, oh, ow]);
      const xd = x.data;
      for (let p = 0, o = 0; p < 4; p++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++, o++) {
        const [h0, h1] = win(i, H, oh), [w0, w1] = win(j, W, ow);
        let s = 0, a = 0, best = -Infinity, at = -1;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) {
          const v = xd[p * H * W + h * W + w];
          s += v; a += Math.abs(v);
          if (v > best) { best = v; at = h * W + w; }
        }
        const n = (h1 - h0) * (w1 - w0);
        expect(Math.abs(avg.data[o] - s / n)).toBeLessThanOrEqual(gamma(n + 1) * (a / n) + 1e-30);
        expect(mx.data[o]).toBe(best);
        expect(idx.data[o]).toBe(at);
      }
    }), { numRuns: 100 });
  });

  it("null keeps an input dim; a number is both dims", () => {
    const x = sample([1, 2, 7, 5], 1);
    expect(F.adaptiveAvgPool2d(x, [3, null]).shape).toEqual([1, 2, 3, 5]);
    expect(F.adaptiveMaxPool2d(x, 1).shape).toEqual([1, 2, 1, 1]);
    expect(new nn.AdaptiveAvgPool2d([null, 2]).forward(x).shape).toEqual([1, 2, 7, 2]);
  });
});

describe("pooling gradients (float64 central differences)", () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["maxPool2d k3 s2 p1 ceil", (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    ["maxPool2d 2×2 (the unrolled path)", (x) => F.maxPool2d(x, 2)],
    ["maxPool2d dilation 2", (x) => F.maxPool2d(x, [2, 3], { dilation: 2, padding: 1 })],
    ["avgPool2d include pad", (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    ["avgPool2d exclude pad", (x) => F.avgPool2d(x, [3, 2], { stride: 1, padding: 1, countIncludePad: false })],
    ["avgPool2d divisorOverride", (x) => F.avgPool2d(x, 2, { divisorOverride: 7 })],
    ["adaptiveAvgPool2d 4×3", (x) => F.adaptiveAvgPool2d(x, [4, 3])],
    ["adaptiveMaxPool2d 3×4", (x) => F.adaptiveMaxPool2d(x, [3, 4])],
    ["maxPool1d", (x) => F.maxPool1d(x.reshape([2, 3, 30]), 3, { stride: 2, padding: 1 })],
    ["avgPool1d", (x) => F.avgPool1d(x.reshape([2, 3, 30]), 4, { stride: 3, padding: 2, countIncludePad: false })],
  ];
  for (const [name, f] of cases) {
    it(name, () => assertGradByDifferences(f, [float64Input([2, 3, 5, 6], 5)], name));
  }
});

describe("ties, NaN and float64", () => {
  it("a tie routes the gradient to the first maximum of the window, as PyTorch", () => {
    const x = tensor([[[[1, 1, 0], [1, 1, 0], [2, 0, 1]]]], { requiresGrad: true });
    const [y, idx] = F.maxPool2d(x, 2, { stride: 1, returnIndices: true });
    expect(Array.from(idx.data)).toEqual([0, 1, 6, 4]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 0, 0, 1, 0, 1, 0, 0]);
    // The unrolled 2×2 path keeps the same rule.
    const flat = tensor([[[[3, 3, 1, 5], [3, 3, 5, 5], [0, 2, 7, 7], [2, 2, 7, 7]]]]);
    expect(Array.from(F.maxPool2d(flat, 2, { returnIndices: true })[1].data)).toEqual([0, 3, 9, 10]);
  });

  it("a NaN in a window wins, as PyTorch's max pooling propagates it", () => {
    const x = tensor([[[[1, NaN, 3, 4], [5, 6, 7, 8]]]]);
    const y = F.maxPool2d(x, 2);
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(y.data[1]).toBe(8);
  });

  it("the 2×2 pool keeps no taps at inference and gives the values of the recorded one", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 2, max: 13 }), fc.integer({ min: 1, max: 1e6 }), (H, W, seed) => {
      const x = sample([2, 3, H, W], seed);
      x.requiresGrad = true;
      const recorded = F.maxPool2d(x, 2) as Tensor, inferred = noGrad(() => F.maxPool2d(x, 2) as Tensor);
      expect(inferred.gradFn).toBeNull();
      expect(Array.from(inferred.data)).toEqual(Array.from(recorded.data));
      // The recorded one still routes each window's gradient to its maximum.
      recorded.sum().backward();
      const ones = Array.from(x.grad!.data).reduce((a, v) => a + v, 0);
      expect(ones).toBe(recorded.size);
    }), { numRuns: 40 });
  });

  it("float64 in, float64 out, on every op", () => {
    const x = sample([1, 2, 6, 6], 4, "float64");
    for (const y of [F.maxPool2d(x, 2), F.avgPool2d(x, 2), F.adaptiveAvgPool2d(x, 3), F.adaptiveMaxPool2d(x, 3), F.maxPool1d(x.reshape([2, 4, 9]), 2)]) {
      expect(y.dtype).toBe("float64");
    }
  });

  it("a non-contiguous input pools its logical values", () => {
    const base = sample([1, 2, 6, 5], 6);
    const t = base.transpose(2, 3); // [1, 2, 5, 6] view
    expect(Array.from(F.maxPool2d(t, 2).data)).toEqual(Array.from(F.maxPool2d(t.contiguous(), 2).data));
  });
});

describe("errors, thrown before any work", () => {
  const x = zeros([1, 1, 4, 4]);
  it("refuses a kernel larger than the padded input, padding over half the kernel, and bad option values", () => {
    expect(() => F.maxPool2d(x, 5)).toThrow(ShapeError);
    expect(() => F.maxPool2d(x, 3, { dilation: 2 })).toThrow(/kernel extent 5/);
    expect(() => F.avgPool2d(x, 5, { padding: 0 })).toThrow(ShapeError);
    expect(() => F.maxPool2d(x, 2, { padding: 2 })).toThrow(ValueError);
    expect(() => F.avgPool2d(x, 3, { padding: 2 })).toThrow(/padding 2 must be at most half the kernel size 3/);
    expect(() => F.maxPool2d(x, 0)).toThrow(/kernelSize must be a positive integer/);
    expect(() => F.maxPool2d(x, [2, 2, 2])).toThrow(ValueError);
    expect(() => F.maxPool2d(x, 2, { stride: 0 })).toThrow(ValueError);
    expect(() => F.maxPool2d(x, 2, { ceilMode: 1 } as never)).toThrow(/ceilMode must be a boolean/);
    expect(() => F.avgPool2d(x, 2, { divisorOverride: 0 })).toThrow(/divisorOverride/);
    expect(() => F.avgPool2d(x, 2, { dilation: 2 } as never)).toThrow(/unknown option "dilation"/);
    expect(() => F.avgPool1d(zeros([1, 1, 4]), 2, { divisorOverride: 2 } as never)).toThrow(/unknown option "divisorOverride"/);
    expect(() => F.adaptiveAvgPool2d(x, 0)).toThrow(ValueError);
    expect(() => F.adaptiveMaxPool2d(x, [2, 2, 2] as never)).toThrow(ValueError);
  });
  it("refuses inputs of the wrong rank or dtype, naming the shape", () => {
    expect(() => F.maxPool2d(zeros([4, 4]), 2)).toThrow(/expected a 3-d or 4-d input, got shape \[4,4\]/);
    expect(() => F.maxPool1d(zeros([1, 1, 4, 4]), 2)).toThrow(ShapeError);
    expect(() => F.avgPool2d(zeros([1, 1, 4, 4], { dtype: "int32" }), 2)).toThrow(DTypeError);
    expect(() => F.maxPool2d(zeros([1, 1, 0, 4]), 1)).toThrow(/empty spatial dim/);
  });
  it("modules check their arguments when built", () => {
    expect(() => new nn.MaxPool2d(2, { padding: 2 })).toThrow(ValueError);
    expect(() => new nn.MaxPool2d(2, { strides: 2 } as never)).toThrow(/unknown option "strides"/);
    expect(() => new nn.AvgPool2d(2, { divisorOverride: 1.5 })).toThrow(ValueError);
    expect(() => new nn.AvgPool1d(3, { countIncludePad: "no" } as never)).toThrow(ValueError);
    expect(() => new nn.AdaptiveAvgPool2d(-1)).toThrow(ValueError);
    expect(() => new nn.AdaptiveMaxPool2d(2, { returnIndices: 1 } as never)).toThrow(ValueError);
  });
});

describe("pooling modules", () => {
  it("compute what the functional forms compute, with PyTorch's defaults (stride = kernel)", () => {
    const x = sample([2, 3, 9, 8], 12);
    const same = (a: Tensor, b: Tensor) => expect(Array.from(a.data)).toEqual(Array.from(b.data));
    same(new nn.MaxPool2d(2).forward(x), F.maxPool2d(x, 2, { stride: 2 }));
    same(new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }).forward(x), F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }));
    same(new nn.AvgPool2d([3, 2], { stride: null, countIncludePad: false }).forward(x), F.avgPool2d(x, [3, 2], { countIncludePad: false }));
    same(new nn.AdaptiveMaxPool2d([2, 3]).forward(x), F.adaptiveMaxPool2d(x, [2, 3]));
    const x1 = x.reshape([2, 3, 72]);
    same(new nn.MaxPool1d(4, { dilation: 2 }).forward(x1), F.maxPool1d(x1, 4, { dilation: 2 }));
    same(new nn.AvgPool1d(4).forward(x1), F.avgPool1d(x1, 4, { stride: 4 }));
    const [y, i] = new nn.MaxPool2d(2, { returnIndices: true }).forward(x);
    same(y, F.maxPool2d(x, 2));
    expect(i.dtype).toBe("int32");
    expect(new nn.MaxPool2d(2).stateDict()).toEqual({});
  });
});
