// F.convTranspose1d and nn.ConvTranspose1d against a float64 reference written here as the
// scatter of x·w (each input position adds x[ic, l]·w[ic, oc, k] at l·stride − padding +
// k·dilation), over drawn shapes, strides, paddings, output paddings, dilations and groups, in
// float32 (the wasm kernels) and float64; gradients by central differences; the module's
// parameters, initialization and state dict; typed errors; the ONNX exporter's refusal.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, io, nn, ShapeError, ValueError, zeros, type Tensor } from "../../src/index.js";
import { describeSequential } from "../../src/io/onnx-layers.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { expectWithin, gammaOf, valuesFrom } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;

function filled(shape: number[], seed: number, dtype: "float32" | "float64"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, -2, 2);
  return fromTypedArray(dtype === "float64" ? Float64Array.from({ length: n }, (_, i) => v(i)) : Float32Array.from({ length: n }, (_, i) => v(i)), shape);
}

interface Geometry { stride: number; padding: number; outputPadding: number; dilation: number; groups: number }

/** The scatter definition in float64; also Σ|terms| and the term count per output, for the tolerance. */
function reference(x: Tensor, w: Tensor, b: Tensor | null, g: Geometry) {
  const [N, Cin, L] = x.shape, [, perGroup, K] = w.shape, Cout = perGroup * g.groups, inPerGroup = Cin / g.groups;
  const Lout = (L - 1) * g.stride - 2 * g.padding + g.dilation * (K - 1) + g.outputPadding + 1;
  const y = new Float64Array(N * Cout * Lout), mag = new Float64Array(y.length), terms = new Float64Array(y.length);
  const xd = x.data, wd = w.data;
  for (let n = 0; n < N; n++) for (let ic = 0; ic < Cin; ic++) for (let l = 0; l < L; l++) {
    const group = Math.floor(ic / inPerGroup);
    for (let oc = 0; oc < perGroup; oc++) for (let k = 0; k < K; k++) {
      const at = l * g.stride - g.padding + k * g.dilation;
      if (at < 0 || at >= Lout) continue;
      const o = (n * Cout + group * perGroup + oc) * Lout + at, t = xd[(n * Cin + ic) * L + l] * wd[(ic * perGroup + oc) * K + k];
      y[o] += t;
      mag[o] += Math.abs(t);
      terms[o]++;
    }
  }
  if (b) for (let i = 0; i < y.length; i++) { const c = Math.floor(i / Lout) % Cout; y[i] += b.data[c]; mag[i] += Math.abs(b.data[c]); }
  return { y, mag, terms, shape: [N, Cout, Lout] };
}

describe("F.convTranspose1d against the scatter of x·w", () => {
  const arb = fc.record({
    N: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 3 }), inPerGroup: fc.integer({ min: 1, max: 3 }),
    perGroup: fc.integer({ min: 1, max: 3 }), L: fc.integer({ min: 1, max: 9 }), K: fc.integer({ min: 1, max: 5 }),
    stride: fc.integer({ min: 1, max: 4 }), padding: fc.integer({ min: 0, max: 3 }), outputPadding: fc.integer({ min: 0, max: 3 }),
    dilation: fc.integer({ min: 1, max: 3 }), bias: fc.boolean(), unbatched: fc.boolean(),
    dtype: fc.constantFrom("float32" as const, "float64" as const), seed: fc.nat(500),
  });

  it("matches for drawn shapes and options, batched and unbatched, float32 and float64", () => {
    fc.assert(fc.property(arb, (a) => {
      const g = { stride: a.stride, padding: a.padding, outputPadding: a.outputPadding, dilation: a.dilation, groups: a.groups };
      fc.pre(a.outputPadding < a.stride || a.outputPadding < a.dilation);
      fc.pre((a.L - 1) * a.stride - 2 * a.padding + a.dilation * (a.K - 1) + a.outputPadding + 1 >= 1);
      const Cin = a.groups * a.inPerGroup, N = a.unbatched ? 1 : a.N;
      const x = filled([N, Cin, a.L], a.seed, a.dtype), w = filled([Cin, a.perGroup, a.K], a.seed + 1, a.dtype);
      const b = a.bias ? filled([a.perGroup * a.groups], a.seed + 2, a.dtype) : null;
      const ref = reference(x, w, b, g);
      const y = F.convTranspose1d(a.unbatched ? x.squeeze(0) : x, w, b, g);
      expect(y.shape).toEqual(a.unbatched ? ref.shape.slice(1) : ref.shape);
      expect(y.dtype).toBe(a.dtype);
      expectWithin(y.data, ref.y, (i) => gammaOf(a.dtype, ref.terms[i] + 2) * ref.mag[i] + ETA32, `convTranspose1d ${JSON.stringify(a)}`);
    }), { numRuns: 200 });
  });

  it("an outputPadding of stride or more (below the dilation) gives zeros plus bias where no tap reaches, in float32 too", () => {
    for (let seed = 0; seed < 4; seed++) {
      // A larger call first, so scratch memory holds values an unwritten output would show.
      F.convTranspose1d(filled([3, 6, 20], seed, "float32"), filled([6, 4, 5], seed + 1, "float32"), null, { stride: 3 });
      const g = { stride: 1 + (seed % 2), padding: seed % 3, outputPadding: 2, dilation: 3, groups: 1 };
      const x = filled([2, 3, 4], seed + 7, "float32"), w = filled([3, 2, 2], seed + 8, "float32"), b = filled([2], seed + 9, "float32");
      const ref = reference(x, w, b, g);
      expectWithin(F.convTranspose1d(x, w, b, g).data, ref.y, (i) => gammaOf("float32", ref.terms[i] + 2) * ref.mag[i] + ETA32, `outputPadding ${JSON.stringify(g)}`);
    }
    const g = { stride: 1, padding: 1, outputPadding: 2, dilation: 3, groups: 1 };
    const x = float64Input([2, 3, 4], 40), w = float64Input([3, 2, 2], 41), b = float64Input([2], 42);
    assertGradByDifferences((x, w, b) => F.convTranspose1d(x, w, b, g), [x, w, b], "outputPadding ≥ stride");
  });

  it("gradients of x, w and b by central differences (float64)", () => {
    const cases: Geometry[] = [
      { stride: 1, padding: 0, outputPadding: 0, dilation: 1, groups: 1 },
      { stride: 3, padding: 1, outputPadding: 2, dilation: 1, groups: 1 },
      { stride: 2, padding: 2, outputPadding: 1, dilation: 2, groups: 2 },
    ];
    cases.forEach((g, i) => {
      const x = float64Input([2, 4, 5], 10 + i), w = float64Input([4, 3, 3], 20 + i), b = float64Input([3 * g.groups], 30 + i);
      assertGradByDifferences((x, w, b) => F.convTranspose1d(x, w, b, g), [x, w, b], `convTranspose1d ${JSON.stringify(g)}`);
    });
  });
});

describe("nn.ConvTranspose1d", () => {
  it("holds weight [in, out/groups, k] and bias [out] drawn from U(±1/√(out/groups·k)), seeded", () => {
    const m = new nn.ConvTranspose1d(4, 6, 3, { groups: 2, seed: 5 });
    expect(m.weight.shape).toEqual([4, 3, 3]);
    expect(m.bias!.shape).toEqual([6]);
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias"]);
    const bound = 1 / Math.sqrt(3 * 3);
    for (const v of [...m.weight.data, ...m.bias!.data]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Array.from(new nn.ConvTranspose1d(4, 6, 3, { groups: 2, seed: 5 }).weight.data)).toEqual(Array.from(m.weight.data));
    expect(new nn.ConvTranspose1d(2, 2, [2], { bias: false }).bias).toBeNull();
    expect(new nn.ConvTranspose1d(2, 2, 2, { dtype: "float64" }).weight.dtype).toBe("float64");
  });

  it("forward is F.convTranspose1d with its options; parameter gradients by differences; a safetensors round trip", () => {
    const m = new nn.ConvTranspose1d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1, dilation: 1, dtype: "float64", seed: 1 });
    const x = float64Input([2, 3, 4], 3);
    const want = F.convTranspose1d(x, m.weight, m.bias, { stride: 2, padding: 1, outputPadding: 1 });
    expect(Array.from(m.forward(x).data)).toEqual(Array.from(want.data));
    expect(m.forward(x).shape).toEqual([2, 2, 8]);
    const r = float64Input([2, 2, 8], 4).detach();
    expect(findGradMismatches(() => m.forward(x).mul(r).sum(), [x, m.weight, m.bias!])).toEqual([]);
    const copy = new nn.ConvTranspose1d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1, dtype: "float64", seed: 9 });
    copy.loadStateDict(io.loadSafetensors(io.saveSafetensors(m.stateDict())));
    expect(Array.from(copy.forward(x).data)).toEqual(Array.from(m.forward(x).data));
  });

  it("the ONNX exporter describes it as a ConvTranspose on [N, C, L] (values: tests/io/onnx-layers-5.test.ts)", () => {
    const [layer] = describeSequential(new nn.Sequential(new nn.ConvTranspose1d(2, 2, 3, { stride: 2 })));
    expect(layer.kind).toBe("convTranspose");
  });
});

describe("convTranspose1d: typed errors", () => {
  const x = zeros([1, 4, 5]), w = zeros([4, 2, 3]);
  it("refuses bad shapes, dtypes and options, naming them", () => {
    expect(() => F.convTranspose1d(zeros([1, 1, 4, 5]), w)).toThrow(/input must be \[N, C, L\] or \[C, L\], got \[1,1,4,5\]/);
    expect(() => F.convTranspose1d(x, zeros([4, 2, 3, 1]))).toThrow(ShapeError);
    expect(() => F.convTranspose1d(zeros([1, 3, 5]), w)).toThrow(/has 3 channels but weight \[4,2,3\] expects 4/);
    expect(() => F.convTranspose1d(x, w, zeros([3]))).toThrow(/bias of shape \[3\] does not match 2 output channels/);
    expect(() => F.convTranspose1d(x, w, null, { groups: 3 })).toThrow(ValueError);
    expect(() => F.convTranspose1d(x, w, null, { outputPadding: 1 })).toThrow(/outputPadding 1 must be smaller than either stride 1 or dilation 1/);
    expect(() => F.convTranspose1d(x, w, null, { stride: [2, 2] as never })).toThrow(ValueError);
    expect(() => F.convTranspose1d(zeros([1, 4, 1]), w, null, { padding: 3 })).toThrow(/output length -3 for input \[1,4,1\]/);
    expect(() => F.convTranspose1d(x, w, null, { bias: true } as never)).toThrow(/unknown option "bias"/);
    expect(() => F.convTranspose1d(zeros([1, 4, 5], { dtype: "int32" }), w)).toThrow(DTypeError);
  });
  it("the module refuses bad channels, groups, kernel and options at construction", () => {
    expect(() => new nn.ConvTranspose1d(4, 3, 3, { groups: 2 })).toThrow(/groups=2 must divide both/);
    expect(() => new nn.ConvTranspose1d(0, 3, 3)).toThrow(ValueError);
    expect(() => new nn.ConvTranspose1d(2, 3, 0)).toThrow(ValueError);
    expect(() => new nn.ConvTranspose1d(2, 3, 3, { stride: 2, outputPadding: 2 })).toThrow(ValueError);
    expect(() => new nn.ConvTranspose1d(2, 3, 3, { paddingMode: "zeros" } as never)).toThrow(/unknown option "paddingMode"/);
    expect(() => new nn.ConvTranspose1d(2, 3, 3, { dtype: "int32" as never })).toThrow(DTypeError);
  });
});
