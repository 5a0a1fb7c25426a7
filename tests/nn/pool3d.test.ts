// maxPool3d, avgPool3d, adaptiveAvgPool3d, adaptiveMaxPool3d and their modules against a float64
// reference written here (windows by PyTorch's documented formulas, taps visited one by one), over
// shapes and options drawn by fast-check; gradients by central differences; ties, NaN, and the
// errors PyTorch raises.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, io, nn, ShapeError, Tensor, tensor, ValueError, zeros } from "../../src/index.js";
import { fuseLayers } from "../../src/nn/fusion.js";
import { isRegisteredLayer } from "../../src/nn/layer-registry.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { makeTensor, valuesFrom } from "../support/reference.js";
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

/** The input positions window o of an axis reads (in bounds), and how many of its taps lie before the right padding's end. */
function taps(o: number, L: number, a: Axis): { at: number[]; padded: number } {
  const at: number[] = [];
  let padded = 0;
  for (let j = 0; j < a.k; j++) {
    const i = o * a.s - a.p + j * a.d;
    if (i < L + a.p) padded++;
    if (i >= 0 && i < L) at.push(i);
  }
  return { at, padded };
}

interface Pooled { out: number[]; arg: number[]; mag: number[]; n: number[]; shape: number[] }
type Windows = (axis: number, o: number) => { at: number[]; padded: number };

/** Pools a [P, D, H, W] float64 array tap by tap in raster order; max keeps the first maximum. */
function refPool(x: Float64Array, P: number, size: number[], outSize: number[], win: Windows, kind: "max" | "avg", includePad: boolean, divisor = 0): Pooled {
  const [D, H, W] = size, r: Pooled = { out: [], arg: [], mag: [], n: [], shape: outSize };
  for (let p = 0; p < P; p++) for (let i = 0; i < outSize[0]; i++) for (let j = 0; j < outSize[1]; j++) for (let k = 0; k < outSize[2]; k++) {
    const [a, b, c] = [win(0, i), win(1, j), win(2, k)];
    let best = -Infinity, at = -1, sum = 0, abs = 0;
    for (const d of a.at) for (const h of b.at) for (const w of c.at) {
      const flat = (d * H + h) * W + w, v = x[p * D * H * W + flat];
      sum += v; abs += Math.abs(v);
      if (v > best || v !== v) { best = v; at = flat; }
    }
    const count = a.at.length * b.at.length * c.at.length;
    const div = divisor || (includePad ? a.padded * b.padded * c.padded : count);
    r.out.push(kind === "max" ? best : sum / div);
    r.arg.push(at);
    r.mag.push(abs / Math.abs(div));
    r.n.push(count);
  }
  return r;
}

const sample = (shape: number[], seed: number, dtype: "float32" | "float64" = "float32"): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed), data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = v(i);
  return fromTypedArray(data, shape);
};

const axisArb = fc.record({ k: fc.integer({ min: 1, max: 3 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), pRaw: fc.nat(1), L: fc.integer({ min: 1, max: 6 }) })
  .map(({ k, s, d, pRaw, L }) => ({ k, s, d, p: Math.min(pRaw, Math.floor(k / 2)), L }));
const caseArb = fc.record({
  N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 2 }), axes: fc.tuple(axisArb, axisArb, axisArb),
  ceil: fc.boolean(), includePad: fc.boolean(), divisor: fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 5 }).filter((v) => v !== 0)),
  unbatched: fc.boolean(), dtype: fc.constantFrom("float32" as const, "float64" as const), seed: fc.nat(1000),
  layout: fc.record({ transposeLast: fc.boolean(), padLast: fc.nat(2), offset: fc.nat(3) }),
});
const options = (axes: Axis[]) => ({ stride: axes.map((a) => a.s), padding: axes.map((a) => a.p) });

describe("maxPool3d / avgPool3d against the float64 reference", () => {
  it("maxPool3d: exact values and argmax indices (flat in D·H·W), any kernel, stride, padding, dilation, ceilMode, layout", () => {
    fc.assert(fc.property(caseArb, ({ N, C, axes, ceil, unbatched, dtype, seed, layout }) => {
      const outSize = axes.map((a) => outLen(a.L, a, ceil));
      fc.pre(outSize.every((n) => n >= 1));
      const lead = unbatched ? [N * C] : [N, C], size = axes.map((a) => a.L);
      const x = makeTensor([...lead, ...size], valuesFrom(seed), layout, dtype);
      const [y, idx] = F.maxPool3d(x, axes.map((a) => a.k), { ...options(axes), dilation: axes.map((a) => a.d), ceilMode: ceil, returnIndices: true });
      const ref = refPool(Float64Array.from(x.data), N * C, size, outSize, (i, o) => taps(o, size[i], axes[i]), "max", true);
      expect(y.shape).toEqual([...lead, ...outSize]);
      expect(y.dtype).toBe(dtype);
      expect(Array.from(y.data)).toEqual(ref.out);
      expect(Array.from(idx.data)).toEqual(ref.arg);
    }), { numRuns: 150 });
  });

  it("avgPool3d: within the summation bound, with countIncludePad, ceilMode and divisorOverride", () => {
    fc.assert(fc.property(caseArb, ({ N, C, axes, ceil, includePad, divisor, dtype, seed }) => {
      const a1 = axes.map((a) => ({ ...a, d: 1 })), size = axes.map((a) => a.L), outSize = a1.map((a) => outLen(a.L, a, ceil));
      fc.pre(outSize.every((n) => n >= 1));
      const x = sample([N, C, ...size], seed, dtype);
      const y = F.avgPool3d(x, a1.map((a) => a.k), { ...options(a1), ceilMode: ceil, countIncludePad: includePad, divisorOverride: divisor || null });
      const ref = refPool(Float64Array.from(x.data), N * C, size, outSize, (i, o) => taps(o, size[i], a1[i]), "avg", includePad, divisor);
      expect(y.shape).toEqual([N, C, ...outSize]);
      const u = gamma(a1[0].k * a1[1].k * a1[2].k + 2) * (dtype === "float64" ? 2 ** -29 : 1);
      ref.out.forEach((r, i) => expect(Math.abs(y.data[i] - r), `output ${i}`).toBeLessThanOrEqual(u * ref.mag[i] + 1e-300));
    }), { numRuns: 150 });
  });
});

describe("adaptive 3-d pooling", () => {
  const sizeArb = fc.record({ size: fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })),
    out: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })), keep: fc.nat(3), seed: fc.nat(500) });
  /** Window o of n over L: ⌊oL/n⌋ .. ⌈(o+1)L/n⌉ (exclusive). */
  const win = (o: number, L: number, n: number) => {
    const at: number[] = [];
    for (let i = Math.floor((o * L) / n); i < Math.ceil(((o + 1) * L) / n); i++) at.push(i);
    return { at, padded: at.length };
  };
  it("windows follow ⌊oL/n⌋ .. ⌈(o+1)L/n⌉ on each axis, also when n does not divide L; null keeps a dim", () => {
    fc.assert(fc.property(sizeArb, ({ size, out, keep, seed }) => {
      // keep < 3: that axis is given as null and keeps its input size
      const given = out.map((n, i) => (i === keep ? null : n)) as [number | null, number | null, number | null];
      const outSize = given.map((n, i) => n ?? size[i]);
      const x = sample([2, 2, ...size], seed);
      const avg = F.adaptiveAvgPool3d(x, given), [mx, idx] = F.adaptiveMaxPool3d(x, given, { returnIndices: true });
      const w: Windows = (i, o) => win(o, size[i], outSize[i]);
      const rAvg = refPool(Float64Array.from(x.data), 4, size, outSize, w, "avg", false), rMax = refPool(Float64Array.from(x.data), 4, size, outSize, w, "max", false);
      expect(avg.shape).toEqual([2, 2, ...outSize]);
      rAvg.out.forEach((r, i) => expect(Math.abs(avg.data[i] - r)).toBeLessThanOrEqual(gamma(rAvg.n[i] + 1) * rAvg.mag[i] + 1e-30));
      expect(Array.from(mx.data)).toEqual(rMax.out);
      expect(Array.from(idx.data)).toEqual(rMax.arg);
    }), { numRuns: 100 });
  });

  it("a number is every dim, and an unbatched [C, D, H, W] input pools like a batch of one", () => {
    const x = sample([3, 5, 4, 6], 1);
    expect(F.adaptiveAvgPool3d(x, 2).shape).toEqual([3, 2, 2, 2]);
    expect(Array.from(F.adaptiveMaxPool3d(x, [3, 1, 4]).data)).toEqual(Array.from(F.adaptiveMaxPool3d(x.unsqueeze(0), [3, 1, 4]).data));
  });
});

describe("3-d pooling gradients (float64 central differences)", () => {
  const cases: [string, (x: Tensor) => Tensor][] = [
    ["maxPool3d k3 s2 p1 ceil", (x) => F.maxPool3d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    ["maxPool3d 2×2×2", (x) => F.maxPool3d(x, 2)],
    ["maxPool3d dilation", (x) => F.maxPool3d(x, [2, 2, 3], { dilation: [1, 2, 1], padding: [1, 0, 1] })],
    ["avgPool3d include pad", (x) => F.avgPool3d(x, 3, { stride: 2, padding: 1, ceilMode: true })],
    ["avgPool3d exclude pad", (x) => F.avgPool3d(x, [3, 2, 2], { stride: 1, padding: 1, countIncludePad: false })],
    ["avgPool3d divisorOverride", (x) => F.avgPool3d(x, 2, { divisorOverride: 7 })],
    ["adaptiveAvgPool3d 3×2×4", (x) => F.adaptiveAvgPool3d(x, [3, 2, 4])],
    ["adaptiveMaxPool3d 2×3×4", (x) => F.adaptiveMaxPool3d(x, [2, 3, 4])],
  ];
  for (const [name, f] of cases) {
    it(name, () => assertGradByDifferences(f, [float64Input([2, 2, 4, 5, 5], 5)], name));
  }
});

describe("ties, NaN and layouts", () => {
  it("a tie routes the gradient to the first maximum of the window in D, H, W order; a NaN wins", () => {
    const x = tensor([[[[[1, 2], [2, 0]], [[2, 2], [0, 1]]]]], { requiresGrad: true });
    const [y, idx] = F.maxPool3d(x, 2, { returnIndices: true });
    expect(Array.from(idx.data)).toEqual([1]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    const withNaN = F.maxPool3d(tensor([[[[[1, 5], [NaN, 0]], [[9, 2], [0, 1]]]]]), 2);
    expect(Number.isNaN(withNaN.data[0])).toBe(true);
  });
});

describe("errors, thrown before any work", () => {
  const x = zeros([1, 1, 4, 4, 4]);
  it("refuses a kernel larger than the padded input, padding over half the kernel, and bad option values", () => {
    expect(() => F.maxPool3d(x, [2, 5, 2])).toThrow(ShapeError);
    expect(() => F.maxPool3d(x, 3, { dilation: 2 })).toThrow(/kernel extent 5/);
    expect(() => F.avgPool3d(x, 2, { padding: [0, 2, 0] })).toThrow(/padding 2 must be at most half the kernel size 2/);
    expect(() => F.maxPool3d(x, [2, 2])).toThrow(/kernelSize must be a positive integer or 3 of them, got \[2,2\]/);
    expect(() => F.maxPool3d(x, 2, { stride: 0 })).toThrow(ValueError);
    expect(() => F.maxPool3d(x, 2, { ceilMode: 1 } as never)).toThrow(/ceilMode must be a boolean/);
    expect(() => F.avgPool3d(x, 2, { divisorOverride: 0 })).toThrow(/divisorOverride must be a non-zero integer or null, got 0/);
    expect(() => F.avgPool3d(x, 2, { dilation: 2 } as never)).toThrow(/unknown option "dilation"/);
    expect(() => F.adaptiveAvgPool3d(x, 0)).toThrow(/outputSize must be a positive integer or three of them/);
    expect(() => F.adaptiveMaxPool3d(x, [2, 2] as never)).toThrow(ValueError);
    expect(() => F.adaptiveMaxPool3d(x, 2, { indices: true } as never)).toThrow(/unknown option "indices"/);
  });
  it("refuses inputs of the wrong rank or dtype, naming the shape", () => {
    expect(() => F.maxPool3d(zeros([4, 4, 4]), 2)).toThrow(/expected a 4-d or 5-d input, got shape \[4,4,4\]/);
    expect(() => F.avgPool3d(zeros([1, 1, 1, 4, 4, 4]), 2)).toThrow(ShapeError);
    expect(() => F.adaptiveAvgPool3d(zeros([1, 1, 4, 4, 4], { dtype: "int32" }), 2)).toThrow(DTypeError);
    expect(() => F.maxPool3d(zeros([1, 1, 0, 4, 4]), 1)).toThrow(/empty spatial dim/);
  });
  it("modules check their arguments when built", () => {
    expect(() => new nn.MaxPool3d(2, { padding: 2 })).toThrow(ValueError);
    expect(() => new nn.MaxPool3d(2, { strides: 2 } as never)).toThrow(/unknown option "strides"/);
    expect(() => new nn.MaxPool3d([2, 2])).toThrow(ValueError);
    expect(() => new nn.AvgPool3d(2, { divisorOverride: 1.5 })).toThrow(ValueError);
    expect(() => new nn.AvgPool3d(3, { countIncludePad: "no" } as never)).toThrow(ValueError);
    expect(() => new nn.AdaptiveAvgPool3d(-1)).toThrow(ValueError);
    expect(() => new nn.AdaptiveMaxPool3d(2, { returnIndices: 1 } as never)).toThrow(ValueError);
  });
});

describe("3-d pooling modules", () => {
  it("compute what the functional forms compute, with PyTorch's defaults (stride = kernel)", () => {
    const x = sample([2, 3, 6, 5, 7], 12);
    const same = (a: Tensor, b: Tensor) => expect(Array.from(a.data)).toEqual(Array.from(b.data));
    same(new nn.MaxPool3d(2).forward(x), F.maxPool3d(x, 2, { stride: 2 }));
    same(new nn.MaxPool3d(3, { stride: 2, padding: 1, ceilMode: true, dilation: [1, 1, 2] }).forward(x),
      F.maxPool3d(x, 3, { stride: 2, padding: 1, ceilMode: true, dilation: [1, 1, 2] }));
    same(new nn.AvgPool3d([3, 2, 2], { stride: null, countIncludePad: false, divisorOverride: 5 }).forward(x),
      F.avgPool3d(x, [3, 2, 2], { countIncludePad: false, divisorOverride: 5 }));
    same(new nn.AdaptiveAvgPool3d([2, null, 3]).forward(x), F.adaptiveAvgPool3d(x, [2, null, 3]));
    same(new nn.AdaptiveMaxPool3d([2, 3, 1]).forward(x), F.adaptiveMaxPool3d(x, [2, 3, 1]));
    const [y, i] = new nn.MaxPool3d(2, { returnIndices: true }).forward(x);
    same(y, F.maxPool3d(x, 2));
    expect(i.dtype).toBe("int32");
    const [ya, ia] = new nn.AdaptiveMaxPool3d(2, { returnIndices: true }).forward(x);
    same(ya, F.adaptiveMaxPool3d(x, 2));
    same(ia, F.adaptiveMaxPool3d(x, 2, { returnIndices: true })[1]);
    expect(new nn.AvgPool3d(2).stateDict()).toEqual({});
  });

  it("are registered, run as plain module steps, and the ONNX exporter maps them (tests/io/onnx-volume.test.ts)", () => {
    const pools = [new nn.MaxPool3d(2), new nn.AvgPool3d(2), new nn.AdaptiveAvgPool3d(1), new nn.AdaptiveMaxPool3d(1)];
    const names = ["MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d"] as const;
    pools.forEach((p, i) => {
      expect(isRegisteredLayer(p, names[i])).toBe(true);
      expect(isRegisteredLayer(p, "MaxPool2d")).toBe(false);
      expect(io.describeSequential(new nn.Sequential(p, new nn.Flatten()))[0].kind).toBe(["maxPool", "averagePool", "adaptiveAveragePool", "adaptiveMaxPool"][i]);
    });
    expect(fuseLayers([new nn.Conv2d(1, 1, 1), new nn.ReLU(), new nn.MaxPool3d(2)], { convPool: true }).map((s) => s.kind)).toEqual(["conv", "module"]);
  });
});
