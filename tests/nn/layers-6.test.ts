// Bilinear, AlphaDropout / FeatureAlphaDropout / Dropout1d, ChannelShuffle, LocalResponseNorm and
// MaxUnpool1d/2d: against float64 references written here (plain loops) over shapes drawn by
// fast-check, exact equality for the pure data movements (channel shuffle, unpooling, their
// gradients), gradients by central differences, the dropouts' exact values and statistics, the
// PyTorch 1.13 cases of scripts/torch-parity/layers6.py (tests/parity/cases/layers-6.json) and
// the typed errors.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, manualSeed, nn, randn, Rng, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { decode, resolveArgs, runCallCase, type CallCase } from "../parity/run-case.js";
import { runModuleCase, type ModuleCase } from "../parity/run-stateful.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, gammaOf, sampleTensor as sample, unitOf as unit } from "../support/reference.js";
import { ETA32, U32 } from "../support/tolerance.js";

const F = nn.functional;
const U64 = 2 ** -53;
type FloatDType = "float32" | "float64";
const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

/** A fresh leaf of x's values that requires grad. */
const leaf = (x: Tensor): Tensor => { const t = new Tensor(x.data.slice(), x.dtype, x.shape.slice()); t.requiresGrad = true; return t; };

describe("PyTorch 1.13 cases (scripts/torch-parity/layers6.py)", () => {
  type UnpoolCase = CallCase & { pool?: CallCase["call"] };
  const { cases } = JSON.parse(readFileSync(new URL("../parity/cases/layers-6.json", import.meta.url), "utf8")) as { cases: (UnpoolCase | ModuleCase)[] };
  it("has the cases of every layer", () => {
    const ids = cases.map((c) => c.id);
    for (const p of ["bilinear/", "lrn/", "channelShuffle/", "maxUnpool1d/", "maxUnpool2d/", "module/LocalResponseNorm", "module/ChannelShuffle"]) {
      expect(ids.some((id) => id.startsWith(p)), p).toBe(true);
    }
  });
  for (const c of cases) {
    it(c.id, () => {
      if (c.kind === "module") return runModuleCase(c);
      if (c.pool) {
        // Our max pool gives PyTorch's flat per-plane indices and values: the unpool is fed our own.
        const tensors = { src: decode(c.inputs.src) };
        const [y, idx] = (F as unknown as Record<string, (...a: unknown[]) => [Tensor, Tensor]>)[c.pool.name](...(resolveArgs(c.pool.args, tensors) as unknown[]));
        expect(idx.dtype).toBe("int32");
        expect(list(idx)).toEqual(c.inputs.idx.data);
        expect(list(y)).toEqual(list(decode(c.inputs.y)));
      }
      runCallCase(c);
    });
  }
});

describe("bilinear", () => {
  it("is Σ x1_i·W_oij·x2_j + b_o over any leading dims (float64 reference, float32 and float64)", () => {
    const arb = fc.record({
      lead: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }), in1: fc.integer({ min: 1, max: 6 }), in2: fc.integer({ min: 1, max: 6 }),
      out: fc.integer({ min: 1, max: 5 }), bias: fc.boolean(), dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ lead, in1, in2, out, bias, dtype, seed }) => {
      const B = prod(lead);
      const x1 = sample([...lead, in1], seed, dtype), x2 = sample([...lead, in2], seed + 1, dtype), w = sample([out, in1, in2], seed + 2, dtype);
      const b = bias ? sample([out], seed + 3, dtype) : null;
      const y = F.bilinear(x1, x2, w, b);
      expect(y.shape).toEqual([...lead, out]);
      expect(y.dtype).toBe(dtype);
      const want: number[] = [], mag: number[] = [];
      for (let n = 0; n < B; n++) for (let o = 0; o < out; o++) {
        let s = b ? b.data[o] : 0, m = Math.abs(s);
        for (let i = 0; i < in1; i++) for (let j = 0; j < in2; j++) {
          const t = x1.data[n * in1 + i] * w.data[(o * in1 + i) * in2 + j] * x2.data[n * in2 + j];
          s += t; m += Math.abs(t);
        }
        want.push(s); mag.push(m);
      }
      // A GEMM over in1 then a sum over in2 (any order, with or without FMA): γ(in1 + in2 + 2) of Σ|terms|.
      expectWithin(y.data, want, (i) => gammaOf(dtype, in1 + in2 + 2) * mag[i] + (in1 + in2 + 2) * ETA32, "bilinear");
    }), { numRuns: 150 });
  });

  it("gradients of both inputs, the weight and the bias by central differences", () => {
    const x1 = float64Input([2, 3, 4], 1), x2 = float64Input([2, 3, 2], 2), w = float64Input([3, 4, 2], 3), b = float64Input([3], 4);
    assertGradByDifferences((a, c, wi, bi) => F.bilinear(a, c, wi, bi), [x1, x2, w, b], "bilinear");
    assertGradByDifferences((a, c, wi) => F.bilinear(a, c, wi), [float64Input([3], 5), float64Input([2], 6), float64Input([2, 3, 2], 7)], "bilinear 1-d");
    const m = new nn.Bilinear(3, 2, 2, { dtype: "float64", seed: 1 });
    assertGradByDifferences((a, c) => m.forward(a, c), [float64Input([4, 3], 8), float64Input([4, 2], 9)], "Bilinear");
  });

  it("Bilinear: PyTorch's state-dict keys, shapes and U(±1/√in1) init, seeded", () => {
    const m = new nn.Bilinear(5, 3, 4, { seed: 3 });
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias"]);
    expect(m.weight.shape).toEqual([4, 5, 3]);
    expect(m.bias!.shape).toEqual([4]);
    const bound = 1 / Math.sqrt(5), values = [...list(m.weight), ...list(m.bias!)];
    expect(values.every((v) => Math.abs(v) <= bound)).toBe(true);
    // 64 draws from U(±b): all within b/2 of 0 or all on one side has probability below 2⁻⁶³.
    expect(Math.max(...values)).toBeGreaterThan(bound / 2);
    expect(Math.min(...values)).toBeLessThan(-bound / 2);
    expect(list(new nn.Bilinear(5, 3, 4, { seed: 3 }).weight)).toEqual(list(m.weight));
    expect(list(new nn.Bilinear(5, 3, 4, { rng: new Rng(3) }).weight)).toEqual(list(m.weight));
    const nb = new nn.Bilinear(2, 2, 1, { bias: false, dtype: "float64" });
    expect(nb.bias).toBeNull();
    expect(Object.keys(nb.stateDict())).toEqual(["weight"]);
    expect(nb.weight.dtype).toBe("float64");
    expect([m.in1Features, m.in2Features, m.outFeatures]).toEqual([5, 3, 4]);
    // forward is F.bilinear with the module's parameters, bit for bit.
    const x1 = sample([2, 5], 1), x2 = sample([2, 3], 2);
    expect(list(m.forward(x1, x2))).toEqual(list(F.bilinear(x1, x2, m.weight, m.bias)));
    // A state dict from PyTorch loads by its keys.
    const copy = new nn.Bilinear(5, 3, 4, { seed: 9 });
    copy.loadStateDict(m.stateDict());
    expect(list(copy.forward(x1, x2))).toEqual(list(m.forward(x1, x2)));
  });

  it("PyTorch 1.13 values", () => {
    // From PyTorch 1.13: F.bilinear(x1, x2, W, b), x1 = [[1, 2]], x2 = [[3, -1, 0.5]],
    // W = arange(12).reshape(2, 2, 3) / 4, b = [0.5, -1].
    const y = F.bilinear(fromTypedArray(Float32Array.of(1, 2), [1, 2]), fromTypedArray(Float32Array.of(3, -1, 0.5), [1, 3]),
      fromTypedArray(Float32Array.from({ length: 12 }, (_, i) => i / 4), [2, 2, 3]), fromTypedArray(Float32Array.of(0.5, -1), [2]));
    expect(list(y)).toEqual([4.25, 14]);
    // Strided (transposed) inputs and weight give the values of their contiguous copies.
    const x1 = sample([3, 4], 1), x2 = sample([2, 4], 2), w = sample([2, 2, 3], 3);
    const strided = F.bilinear(x1.transpose(0, 1), x2.transpose(0, 1), w.transpose(1, 2));
    expect(list(strided)).toEqual(list(F.bilinear(x1.transpose(0, 1).contiguous(), x2.transpose(0, 1).contiguous(), w.transpose(1, 2).contiguous())));
    // An empty batch gives an empty output (PyTorch: shape [0, 2]).
    expect(F.bilinear(zeros([0, 2]), zeros([0, 3]), zeros([2, 2, 3])).shape).toEqual([0, 2]);
  });

  it("refuses mismatched shapes, dtypes and options with typed errors, changing nothing", () => {
    const x1 = sample([4, 3], 1), x2 = sample([4, 2], 2), w = sample([5, 3, 2], 3), b = sample([5], 4);
    const before = [x1, x2, w, b].map(list);
    expect(() => F.bilinear(x1, sample([3, 2], 5), w, b)).toThrow(/batch dims do not match at dim 0/);
    expect(() => F.bilinear(x1, sample([1, 2], 5), w, b)).toThrow(ShapeError); // no broadcasting, as PyTorch
    expect(() => F.bilinear(sample([4, 4], 5), x2, w, b)).toThrow(/input1's last dim is 4/);
    expect(() => F.bilinear(x1, sample([4, 3], 5), w, b)).toThrow(/input2's last dim is 3/);
    expect(() => F.bilinear(x1, x2, w, sample([3], 5))).toThrow(/bias must have shape \[5\]/);
    expect(() => F.bilinear(x1, x2, sample([3, 2], 5), b)).toThrow(/weight must be 3-d/);
    expect(() => F.bilinear(x1, x2.reshape([4, 1, 2]), w, b)).toThrow(ShapeError);
    expect(() => F.bilinear(zeros([]), zeros([]), w)).toThrow(ShapeError);
    expect(() => F.bilinear(x1, x2.astype("float64"), w, b)).toThrow(DTypeError);
    expect(() => F.bilinear(x1, x2, w, zeros([5], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => F.bilinear(x1, [1, 2] as unknown as Tensor, w)).toThrow(ValueError);
    expect([x1, x2, w, b].map(list)).toEqual(before);
    expect(() => new nn.Bilinear(0, 2, 3)).toThrow(ValueError);
    expect(() => new nn.Bilinear(2, 2, 1.5)).toThrow(ValueError);
    expect(() => new nn.Bilinear(2, 2, 3, { bias: "no" as unknown as boolean })).toThrow(ValueError);
    expect(() => new nn.Bilinear(2, 2, 3, { dtype: "int32" as "float32" })).toThrow(DTypeError);
    expect(() => new nn.Bilinear(2, 2, 3, { init: "zeros" } as object)).toThrow(/unknown option "init"/);
    const m = new nn.Bilinear(3, 2, 5, { seed: 1 }), weights = list(m.weight);
    expect(() => m.forward(x1, sample([4, 3], 2))).toThrow(ShapeError);
    expect(list(m.weight)).toEqual(weights);
  });
});

describe("localResponseNorm", () => {
  /** PyTorch's definition, spelled as it computes it: x² zero-padded along C, averaged over windows of `size`. */
  function reference(x: Tensor, size: number, alpha: number, beta: number, k: number): number[] {
    const [N, C] = x.shape, S = x.size / (N * C), before = Math.floor(size / 2), out: number[] = new Array(x.size);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let s = 0; s < S; s++) {
      const padded = (j: number) => (j < 0 || j >= C ? 0 : x.data[(n * C + j) * S + s] ** 2);
      let sum = 0;
      for (let t = 0; t < size; t++) sum += padded(c - before + t);
      const i = (n * C + c) * S + s;
      out[i] = x.data[i] / (k + alpha * (sum / size)) ** beta;
    }
    return out;
  }

  it("divides by (k + α·mean of x² over the channel window)^β (float32 and float64, 3-d to 5-d)", () => {
    const arb = fc.record({
      N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 7 }), spatial: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
      size: fc.integer({ min: 1, max: 8 }), alpha: fc.constantFrom(1e-4, 0.3, 2), beta: fc.constantFrom(0.75, 0.5, 1.5, -0.5),
      k: fc.constantFrom(1, 2, 0.5), dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ N, C, spatial, size, alpha, beta, k, dtype, seed }) => {
      const x = sample([N, C, ...spatial], seed, dtype);
      const y = F.localResponseNorm(x, size, { alpha, beta, k });
      expect(y.shape).toEqual(x.shape);
      expect(y.dtype).toBe(dtype);
      const want = reference(x, size, alpha, beta, k);
      // Both in float64 (the window's sum of `size` squares, a power): a few hundred ulps of
      // float64 at most, then one rounding to the dtype.
      expectWithin(y.data, want, (i) => (unit(dtype) + (8 * size + 32) * U64) * Math.abs(want[i]) + ETA32, "localResponseNorm");
    }), { numRuns: 150 });
  });

  it("gradients by central differences (window inside the channels, larger than them, even and odd)", () => {
    for (const [shape, size] of [[[2, 5, 3], 3], [[1, 4, 2, 2], 2], [[1, 3, 2], 6], [[1, 3, 1, 2, 2], 1]] as [number[], number][]) {
      assertGradByDifferences((x) => F.localResponseNorm(x, size, { alpha: 0.7, beta: 0.75, k: 1.5 }), [float64Input(shape, size)], `localResponseNorm [${shape}] size ${size}`);
    }
    const m = new nn.LocalResponseNorm(3, { alpha: 2, beta: 1.2 });
    assertGradByDifferences((x) => m.forward(x), [float64Input([2, 4, 3], 9)], "LocalResponseNorm");
  });

  it("LocalResponseNorm: PyTorch's defaults, no state, and the functional form", () => {
    const m = new nn.LocalResponseNorm(2);
    expect([m.size, m.alpha, m.beta, m.k]).toEqual([2, 1e-4, 0.75, 1]);
    expect(m.stateDict()).toEqual({});
    const x = sample([2, 3, 4], 3);
    expect(list(m.forward(x))).toEqual(list(F.localResponseNorm(x, 2)));
    // From PyTorch 1.13: F.local_response_norm(x, 3, alpha=1, beta=1, k=1), x = [[[1], [2], [3]]] (3 channels, length 1).
    const y = F.localResponseNorm(fromTypedArray(Float32Array.of(1, 2, 3), [1, 3, 1]), 3, { alpha: 1, beta: 1, k: 1 });
    expectWithin(y.data, [0.3750000298023224, 0.3529411852359772, 0.5625], (i) => 2 * U32 * Math.abs(y.data[i]), "vs PyTorch 1.13");
    // An empty input comes back as it is (PyTorch returns the input).
    const e = zeros([0, 3, 2]);
    expect(F.localResponseNorm(e, 2)).toBe(e);
    // A NaN spoils the windows it lies in only: from PyTorch 1.13, [nan, nan, nan, 0.9999250173568726, 0.9999500513076782].
    const withNaN = list(F.localResponseNorm(fromTypedArray(Float32Array.of(1, NaN, 1, 1, 1), [1, 5, 1]), 3));
    expect(withNaN.slice(0, 3).every(Number.isNaN)).toBe(true);
    expectWithin(withNaN.slice(3), [0.9999250173568726, 0.9999500513076782], () => 2 * U32, "vs PyTorch 1.13");
  });

  it("refuses wrong ranks and bad sizes or options with typed errors", () => {
    const x = sample([2, 3], 1), before = list(x);
    expect(() => F.localResponseNorm(x, 2)).toThrow(/at least 3 dims/);
    expect(() => F.localResponseNorm(zeros([3]), 2)).toThrow(ShapeError);
    expect(() => F.localResponseNorm(zeros([1, 2, 3]), 0)).toThrow(ValueError);
    expect(() => F.localResponseNorm(zeros([1, 2, 3]), 2.5)).toThrow(/size must be a positive integer/);
    expect(() => F.localResponseNorm(zeros([1, 2, 3]), 2, { alpha: NaN })).toThrow(/alpha/);
    expect(() => F.localResponseNorm(zeros([1, 2, 3]), 2, { bias: 1 } as object)).toThrow(/unknown option "bias"/);
    expect(() => F.localResponseNorm(zeros([1, 2, 3], { dtype: "int32" }), 2)).toThrow(DTypeError);
    expect(() => new nn.LocalResponseNorm(-1)).toThrow(ValueError);
    expect(() => new nn.LocalResponseNorm(2, { k: "1" as unknown as number })).toThrow(ValueError);
    expect(list(x)).toEqual(before);
  });
});

describe("channelShuffle", () => {
  it("puts input channel i·(C/g) + k at output channel k·g + i, exactly, in any dtype; the gradient is the inverse permutation", () => {
    const arb = fc.record({
      N: fc.integer({ min: 0, max: 2 }), g: fc.integer({ min: 1, max: 4 }), per: fc.integer({ min: 1, max: 3 }),
      spatial: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), dtype: fc.constantFrom("float32", "float64", "int32"),
    });
    fc.assert(fc.property(arb, ({ N, g, per, spatial, dtype }) => {
      const C = g * per, S = prod(spatial), n = N * C * S;
      const data = dtype === "int32" ? Int32Array.from({ length: n }, (_, i) => i) : dtype === "float64" ? Float64Array.from({ length: n }, (_, i) => i + 0.5) : Float32Array.from({ length: n }, (_, i) => -i);
      const x = new Tensor(data, dtype as "float32", [N, C, ...spatial]);
      const y = F.channelShuffle(x, g);
      expect(y.shape).toEqual(x.shape);
      expect(y.dtype).toBe(dtype);
      const want = new Array<number>(n);
      for (let b = 0; b < N; b++) for (let i = 0; i < g; i++) for (let k = 0; k < per; k++) for (let s = 0; s < S; s++) {
        want[(b * C + k * g + i) * S + s] = x.data[(b * C + i * per + k) * S + s];
      }
      expect(list(y)).toEqual(want);
      expect(list(new nn.ChannelShuffle(g).forward(x))).toEqual(want);
      if (dtype === "int32" || n === 0) return;
      // d(Σ y·r)/dx = r moved back: x's element at input channel i·per + k gets r at output channel k·g + i.
      const xl = leaf(x), r = sample(y.shape.slice(), 7, dtype as FloatDType);
      F.channelShuffle(xl, g).mul(r).sum().backward();
      const gwant = new Array<number>(n);
      for (let b = 0; b < N; b++) for (let i = 0; i < g; i++) for (let k = 0; k < per; k++) for (let s = 0; s < S; s++) {
        gwant[(b * C + i * per + k) * S + s] = r.data[(b * C + k * g + i) * S + s];
      }
      expect(list(xl.grad!)).toEqual(gwant);
    }), { numRuns: 150 });
  });

  it("matches PyTorch 1.13 and its gradient checks by central differences", () => {
    // From PyTorch 1.13: channel_shuffle(arange(12.).reshape(1, 6, 2), 2).
    const y = F.channelShuffle(fromTypedArray(Float32Array.from({ length: 12 }, (_, i) => i), [1, 6, 2]), 2);
    expect(list(y)).toEqual([0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]);
    assertGradByDifferences((x) => F.channelShuffle(x, 3), [float64Input([2, 6, 2], 4)], "channelShuffle");
  });

  it("refuses groups not dividing the channels, wrong ranks and bad groups with typed errors", () => {
    const x = sample([2, 6, 3], 1), before = list(x);
    expect(() => F.channelShuffle(x, 4)).toThrow(/size 6\) of input shape \[2,6,3\] must be divisible by groups 4/);
    expect(() => F.channelShuffle(x, 4)).toThrow(ShapeError);
    expect(() => F.channelShuffle(sample([2, 6], 1), 2)).toThrow(/more than 2 dims/);
    expect(() => F.channelShuffle(zeros([6]), 2)).toThrow(ShapeError);
    expect(() => F.channelShuffle(x, 0)).toThrow(ValueError);
    expect(() => F.channelShuffle(x, 1.5)).toThrow(/groups must be a positive integer/);
    expect(() => F.channelShuffle([1, 2] as unknown as Tensor, 1)).toThrow(ValueError);
    expect(() => new nn.ChannelShuffle(-2)).toThrow(ValueError);
    expect(() => new nn.ChannelShuffle(4).forward(x)).toThrow(ShapeError);
    expect(list(x)).toEqual(before);
  });
});

describe("maxUnpool1d / maxUnpool2d", () => {
  /** Zeros of planes × outPlane, each input value written at its plane's flat index, in order (the last write wins). */
  function reference(xs: number[], is: number[], inPlane: number, outPlane: number): number[] {
    const planes = xs.length / inPlane, out = new Array<number>(planes * outPlane).fill(0);
    for (let p = 0; p < planes; p++) for (let j = 0; j < inPlane; j++) out[p * outPlane + is[p * inPlane + j]] = xs[p * inPlane + j];
    return out;
  }

  it("puts each pooled value back at its max pool index (exact), for any geometry and outputSize; the gradient gathers back (exact)", () => {
    const arb = fc.record({
      dims: fc.constantFrom(1, 2), batched: fc.boolean(), N: fc.integer({ min: 1, max: 2 }), C: fc.integer({ min: 1, max: 3 }),
      sizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 2, maxLength: 2 }), kernel: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 2 }),
      stride: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 2 }), padded: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      shift: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 2, maxLength: 2 }), mode: fc.constantFrom("input", "default", "other"),
      dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ dims, batched, N, C, sizes, kernel, stride, padded, shift, mode, dtype, seed }) => {
      const k = kernel.slice(0, dims), s = stride.slice(0, dims), p = k.map((kk, i) => (padded[i] ? Math.floor(kk / 2) : 0));
      const spatial = sizes.slice(0, dims).map((v, i) => Math.max(v, k[i]));
      const lead = batched ? [N, C] : [C];
      const x = sample([...lead, ...spatial], seed, dtype);
      const pool = dims === 2 ? F.maxPool2d : F.maxPool1d, unpool = dims === 2 ? F.maxUnpool2d : F.maxUnpool1d;
      const [y, idx] = pool(x, k, { stride: s, padding: p, returnIndices: true });
      const pooled = y.shape.slice(-dims), inPlane = prod(pooled);
      const defaults = pooled.map((n, i) => (n - 1) * s[i] - 2 * p[i] + k[i]);
      // The pool's input size always lies in [default, default + stride): PyTorch's allowed range.
      spatial.forEach((v, i) => expect(v >= defaults[i] && v < defaults[i] + s[i]).toBe(true));
      const outSpatial = mode === "input" ? spatial : mode === "default" ? defaults
        : defaults.map((d, i) => Math.max(1, d + Math.max(-(s[i] - 1), Math.min(s[i] - 1, shift[i]))));
      const options = { stride: s, padding: p, ...(mode === "default" ? {} : { outputSize: outSpatial }) };
      if (outSpatial.some((d) => d < 1)) {
        // Padding can make the default size empty (PyTorch then finds every index invalid).
        expect(() => unpool(y, idx, k, options)).toThrow(/give an empty output/);
        return;
      }
      const outPlane = prod(outSpatial), is = list(idx);
      if (is.some((at) => at >= outPlane)) {
        // The window's maximum lies beyond a smaller output plane: refused, as PyTorch's "invalid max index".
        expect(() => unpool(y, idx, k, options)).toThrow(ValueError);
        return;
      }
      const yl = leaf(y);
      const out = unpool(yl, idx, k, options);
      expect(out.shape).toEqual([...lead, ...outSpatial]);
      expect(list(out)).toEqual(reference(list(y), is, inPlane, outPlane));
      if (mode === "input") {
        // Unpooling onto the pool's own grid puts every window's maximum back where it was.
        const xs = list(x), os = list(out), inSpatial = prod(spatial);
        is.forEach((at, j) => { const plane = Math.floor(j / inPlane); expect(os[plane * outPlane + at]).toBe(xs[plane * inSpatial + at]); });
      }
      const r = sample(out.shape.slice(), seed + 1, dtype);
      out.mul(r).sum().backward();
      const rs = list(r);
      expect(list(yl.grad!)).toEqual(is.map((at, j) => rs[Math.floor(j / inPlane) * outPlane + at]));
    }), { numRuns: 200 });
  });

  it("modules, unbatched input, repeated indices and gradients by central differences", () => {
    const x = sample([2, 3, 6, 4], 3);
    const [y, idx] = new nn.MaxPool2d(2, { returnIndices: true }).forward(x);
    const m = new nn.MaxUnpool2d(2);
    expect([m.kernelSize, m.stride, m.padding]).toEqual([[2, 2], [2, 2], [0, 0]]);
    expect(m.stateDict()).toEqual({});
    expect(list(m.forward(y, idx, [6, 5]))).toEqual(list(F.maxUnpool2d(y, idx, 2, { outputSize: [6, 5] })));
    expect(m.forward(y, idx).shape).toEqual([2, 3, 6, 4]);
    expect(m.forward(y, idx, [2, 3, 7, 5]).shape).toEqual([2, 3, 7, 5]); // the whole shape: its last two dims count
    const m1 = new nn.MaxUnpool1d(3, { stride: 2, padding: 1 });
    expect([m1.kernelSize, m1.stride, m1.padding]).toEqual([[3], [2], [1]]);
    const [y1, i1] = F.maxPool1d(sample([3, 9], 4), 3, { stride: 2, padding: 1, returnIndices: true });
    expect(m1.forward(y1, i1).shape).toEqual([3, 9]);
    // From PyTorch 1.13: max_unpool1d([[[1., 2.]]], [[[0, 0]]], 2) is [[[2, 0, 0, 0]]] (the last
    // write wins) and each input gets the gradient at its index ([[[1, 1]]] for the sum).
    const v = leaf(fromTypedArray(Float32Array.of(1, 2), [1, 1, 2]));
    const u = F.maxUnpool1d(v, new Tensor(Int32Array.of(0, 0), "int32", [1, 1, 2]), 2);
    expect(list(u)).toEqual([2, 0, 0, 0]);
    u.mul(fromTypedArray(Float32Array.of(5, 1, 1, 1), [1, 1, 4])).sum().backward();
    expect(list(v.grad!)).toEqual([5, 5]);
    // A NaN wins its window (as in PyTorch) and is put back where it was.
    const withNaN = fromTypedArray(Float32Array.of(1, NaN, 3, 2, 5, 4), [1, 6]);
    const [yn, inan] = F.maxPool1d(withNaN, 2, { returnIndices: true });
    expect(list(inan)).toEqual([1, 2, 4]);
    expect(list(F.maxUnpool1d(yn, inan, 2))).toEqual([0, NaN, 3, 0, 5, 0]);
    const xd = float64Input([1, 2, 5, 4], 5);
    // Windows that do not overlap, so no index repeats: where one does, the last write wins and the
    // earlier value has no effect on the output, but (as PyTorch's) it still gets the gradient at its index.
    const [yd, id] = F.maxPool2d(xd.detach(), 3, { stride: 3, padding: 1, returnIndices: true });
    assertGradByDifferences((t) => F.maxUnpool2d(t, id, 3, { stride: 3, padding: 1, outputSize: [5, 4] }), [leaf(yd)], "maxUnpool2d");
    const [y1d, i1d] = F.maxPool1d(float64Input([2, 7], 6).detach(), 2, { returnIndices: true });
    assertGradByDifferences((t) => F.maxUnpool1d(t, i1d, 2), [leaf(y1d)], "maxUnpool1d");
  });

  it("refuses mismatched indices, impossible output sizes, wrong ranks and dtypes with typed errors, changing nothing", () => {
    const x = sample([1, 2, 7, 6], 1);
    const [y, idx] = F.maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true });
    const before = [list(y), list(idx)], o = { stride: 2, padding: 1 };
    // The default size 7×5 cannot hold index 41 (PyTorch: "Found an invalid max index: 41").
    expect(() => F.maxUnpool2d(y, idx, 3, o)).toThrow(/index 4\d at position \d+ of indices is outside the output plane of 35 elements/);
    expect(() => F.maxUnpool2d(y, idx, 3, { ...o, outputSize: [9, 6] })).toThrow(/spatial dim 0 must be between 6 and 8, got 9/);
    expect(() => F.maxUnpool2d(y, idx, 3, { ...o, outputSize: [5, 6] })).toThrow(ShapeError);
    expect(() => F.maxUnpool2d(y, idx, 3, { ...o, outputSize: [7] })).toThrow(/outputSize must be 2 or 4 sizes/);
    expect(() => F.maxUnpool2d(y, idx, 3, { ...o, outputSize: [7, 6, 1] })).toThrow(ValueError);
    expect(() => F.maxUnpool2d(y, idx.reshape([2, 4, 3]), 3, o)).toThrow(/indices of shape \[2,4,3\] must have the input's shape \[1,2,4,3\]/);
    expect(() => F.maxUnpool2d(y, idx.astype("float32"), 3, o)).toThrow(DTypeError);
    expect(() => F.maxUnpool2d(y.reshape([8, 3]), idx.reshape([8, 3]), 3, o)).toThrow(/expected a 3-d or 4-d input/);
    expect(() => F.maxUnpool1d(y, idx, 3, o)).toThrow(ShapeError);
    expect(() => F.maxUnpool2d(y.astype("int32"), idx, 3, o)).toThrow(DTypeError);
    expect(() => F.maxUnpool2d(y, new Tensor(Int32Array.from(list(idx), (v) => v - 100), "int32", idx.shape.slice()), 3, { ...o, outputSize: [7, 6] })).toThrow(/index -/);
    expect(() => F.maxUnpool2d(y, idx, 0, o)).toThrow(ValueError);
    expect(() => F.maxUnpool2d(y, idx, 3, { ...o, dilation: 1 } as object)).toThrow(/unknown option "dilation"/);
    expect(() => F.maxUnpool1d(zeros([1, 1, 1]), new Tensor(Int32Array.of(0), "int32", [1, 1, 1]), 1, { padding: 1 })).toThrow(/empty output/);
    expect(() => new nn.MaxUnpool2d([2, 2, 2])).toThrow(ValueError);
    expect(() => new nn.MaxUnpool1d(2, { outputSize: [3] } as object)).toThrow(/unknown option "outputSize"/);
    expect(() => new nn.MaxUnpool2d(3, o).forward(y, idx, [4, 4])).toThrow(ShapeError);
    expect([list(y), list(idx)]).toEqual(before);
    expect(y.grad).toBeNull();
  });
});

describe("alphaDropout, featureAlphaDropout and dropout1d", () => {
  const ALPHA = 1.7580993408473766; // PyTorch's, SELU's scale·alpha
  const constants = (p: number, dtype: FloatDType) => {
    const r = dtype === "float32" ? Math.fround : (v: number) => v;
    const a = 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p)), b = r(ALPHA * a * p);
    return { a: r(a), b, dropped: r(-r(ALPHA * a) + b), r };
  };
  /** The surviving elements, read from the gradient of Σy (a for kept, 0 for dropped). */
  const keptBy = (g: Tensor) => list(g).map((v) => v !== 0);

  it("kept entries are a·x + b and dropped ones a·α′ + b exactly, with PyTorch's a and b (float32 and float64)", () => {
    // From PyTorch 1.13 (float32): p = 0.5 keeps 0 as 0.7791939377784729 and 1 as 1.6655988693237305,
    // drops to −0.7791939377784729, and the gradient of a kept element is 0.8864048719406128;
    // p = 0.2: 0.3090399503707886, 1.187943458557129, −1.2361598014831543, 0.8789035677909851.
    for (const [p, keep0, keep1, drop, grad] of [[0.5, 0.7791939377784729, 1.6655988693237305, -0.7791939377784729, 0.8864048719406128],
      [0.2, 0.3090399503707886, 1.187943458557129, -1.2361598014831543, 0.8789035677909851]]) {
      const c = constants(p, "float32");
      expect([c.b, c.r(c.r(c.a) + c.b), c.dropped, c.a]).toEqual([keep0, keep1, drop, grad]);
    }
    // float64, from PyTorch 1.13: p = 0.2 gives −1.2361598485763778 and 0.30903996214409446 for 0.
    expect([constants(0.2, "float64").dropped, constants(0.2, "float64").b]).toEqual([-1.2361598485763778, 0.30903996214409446]);
    fc.assert(fc.property(fc.record({ p: fc.double({ min: 0.01, max: 0.99, noNaN: true }), dtype: fc.constantFrom<FloatDType>("float32", "float64"), seed: fc.nat(1000), feature: fc.boolean() }),
      ({ p, dtype, seed, feature }) => {
        const x = leaf(sample([3, 4, 5], seed, dtype));
        const y = feature ? F.featureAlphaDropout(x, p, { seed }) : F.alphaDropout(x, p, { seed });
        y.sum().backward();
        const c = constants(p, dtype), xs = list(x), ys = list(y), kept = keptBy(x.grad!);
        expect(list(x.grad!).every((g, i) => g === (kept[i] ? c.a : 0))).toBe(true);
        ys.forEach((v, i) => expect(v).toBe(kept[i] ? c.r(c.r(xs[i] * c.a) + c.b) : c.dropped));
        if (dtype === "float64") ys.forEach((v, i) => expect(v).toBe(kept[i] ? c.a * xs[i] + c.b : c.a * -ALPHA + c.b));
        // Feature alpha dropout decides whole [N, C] planes.
        if (feature) for (let q = 0; q < 12; q++) expect(new Set(kept.slice(q * 5, q * 5 + 5)).size).toBe(1);
      }), { numRuns: 60 });
  });

  it("keeps a standard normal input's mean 0 and variance 1 (a bound from the sample size), dropping a fraction p", () => {
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.8]) {
      const x = randn([n], { seed: 11, dtype: "float64" });
      const y = list(F.alphaDropout(x, p, { seed: 12 }));
      const { a, b } = constants(p, "float64"), d = a * -ALPHA + b, q = 1 - p;
      // y's fourth moment: q·E(ax + b)⁴ + p·d⁴ with E x² = 1, E x⁴ = 3.
      const m4 = q * (3 * a ** 4 + 6 * a * a * b * b + b ** 4) + p * d ** 4;
      const mean = y.reduce((s, v) => s + v, 0) / n, second = y.reduce((s, v) => s + v * v, 0) / n;
      // Six standard deviations of each sample statistic (a false failure below 1e-8).
      expect(Math.abs(mean)).toBeLessThan(6 / Math.sqrt(n));
      expect(Math.abs(second - mean * mean - 1)).toBeLessThan(6 * Math.sqrt((m4 - 1) / n) + 36 / n);
      const dropped = y.filter((v) => v === d).length;
      expect(Math.abs(dropped - p * n)).toBeLessThan(6 * Math.sqrt(n * p * q));
    }
    // Dropout1d drops a fraction p of the channels and scales the others by 1/(1−p).
    const y = list(F.dropout1d(zeros([100, 100, 3]).add(1), 0.3, { seed: 5 }));
    const planes = Array.from({ length: 10_000 }, (_, c) => y.slice(3 * c, 3 * c + 3));
    expect(planes.every((v) => v.every((e) => e === v[0]) && (v[0] === 0 || v[0] === Math.fround(1 / 0.7)))).toBe(true);
    expect(Math.abs(planes.filter((v) => v[0] === 0).length - 3000)).toBeLessThan(6 * Math.sqrt(10_000 * 0.3 * 0.7));
  });

  it("draws as Dropout and Dropout2d do: the same seed keeps the same elements or channels", () => {
    const x = sample([4, 6, 5], 2);
    const kept = (t: Tensor) => list(t).map((v) => v !== 0);
    const elementMask = kept(F.dropout(x, 0.4, { seed: 8 }));
    const xl = leaf(x);
    F.alphaDropout(xl, 0.4, { seed: 8 }).sum().backward();
    expect(keptBy(xl.grad!)).toEqual(elementMask);
    const channelMask = kept(F.dropout2d(x.reshape([4, 6, 5, 1]), 0.4, { seed: 8 }));
    expect(kept(F.dropout1d(x, 0.4, { seed: 8 }))).toEqual(channelMask);
    const xf = leaf(x);
    F.featureAlphaDropout(xf, 0.4, { seed: 8 }).sum().backward();
    expect(keptBy(xf.grad!)).toEqual(channelMask);
    // dropout1d's values are dropout2d's: x·1/(1−p) or 0.
    expect(list(F.dropout1d(x, 0.4, { seed: 8 }))).toEqual(list(F.dropout2d(x.reshape([4, 6, 5, 1]), 0.4, { seed: 8 })));
  });

  it("modules: seeded reproducibility, the global generator, eval identity, p = 0 and p = 1 as PyTorch", () => {
    const x = sample([2, 3, 4], 3);
    for (const [Ctor, f] of [[nn.AlphaDropout, F.alphaDropout], [nn.FeatureAlphaDropout, F.featureAlphaDropout], [nn.Dropout1d, F.dropout1d]] as const) {
      const a = new Ctor(0.3, { seed: 4 }), b = new Ctor(0.3, { rng: new Rng(4) });
      const first = list(a.forward(x));
      expect(list(b.forward(x))).toEqual(first);
      expect(list(f(x, 0.3, { seed: 4 }))).toEqual(first);
      expect(list(a.forward(x))).not.toEqual(first); // its generator moves on
      manualSeed(21);
      const g1 = list(new Ctor(0.3).forward(x));
      manualSeed(21);
      expect(list(new Ctor(0.3).forward(x))).toEqual(g1);
      expect(a.p).toBe(0.3);
      expect(new Ctor().p).toBe(0.5);
      expect(a.stateDict()).toEqual({});
      expect(a.eval().forward(x)).toBe(x);
      expect(f(x, 0.3, { training: false })).toBe(x);
      expect(new Ctor(0).forward(x)).toBe(x);
      expect(f(x, 0)).toBe(x);
      // p = 1: x·0 without drawing (no shift for the alpha kinds: PyTorch multiplies by zeros).
      const special = fromTypedArray(Float32Array.of(1, NaN, Infinity, -2), [1, 2, 2]);
      const y = new Ctor(1).forward(special);
      expect(list(y)).toEqual([0, NaN, NaN, -0]);
    }
    // Dropout1d on unbatched [C, L]: whole rows (PyTorch 1.13 adds the batch dim for it).
    const u = list(F.dropout1d(zeros([50, 4]).add(1), 0.5, { seed: 1 }));
    for (let c = 0; c < 50; c++) expect(new Set(u.slice(4 * c, 4 * c + 4)).size).toBe(1);
    // An empty input comes back as it is.
    const e = zeros([0, 3, 2]);
    expect(F.alphaDropout(e, 0.5)).toBe(e);
    expect(F.featureAlphaDropout(e, 0.5)).toBe(e);
  });

  it("gradients by central differences (the seeded mask is the same at every evaluation)", () => {
    assertGradByDifferences((x) => F.alphaDropout(x, 0.3, { seed: 5 }), [float64Input([3, 4], 1)], "alphaDropout");
    assertGradByDifferences((x) => F.featureAlphaDropout(x, 0.5, { seed: 6 }), [float64Input([3, 4, 2], 2)], "featureAlphaDropout");
    assertGradByDifferences((x) => F.dropout1d(x, 0.5, { seed: 7 }), [float64Input([2, 4, 3], 3)], "dropout1d");
  });

  it("refuses bad probabilities, ranks, dtypes and options with typed errors, changing nothing", () => {
    const x = sample([2, 3, 4], 1), before = list(x);
    for (const f of [F.alphaDropout, F.featureAlphaDropout, F.dropout1d]) {
      expect(() => f(x, 1.5)).toThrow(/probability must be a number in \[0, 1\]/);
      expect(() => f(x, -0.1)).toThrow(ValueError);
      expect(() => f(x, "0.5" as unknown as number)).toThrow(ValueError);
      expect(() => f(x, 0.5, { inplace: true } as object)).toThrow(/unknown option "inplace"/);
      expect(() => f(x, 0.5, { seed: 1, rng: new Rng(1) })).toThrow(ValueError);
      expect(() => f(zeros([2, 3, 4], { dtype: "int32" }), 0.5)).toThrow(DTypeError);
    }
    expect(() => F.dropout1d(zeros([3]), 0.5)).toThrow(/expected a 2-d \[C, L\] or 3-d \[N, C, L\] input/);
    expect(() => F.dropout1d(zeros([2, 3, 4, 5]), 0.5, { training: false })).toThrow(ShapeError); // as PyTorch, in eval too
    expect(() => new nn.Dropout1d().eval().forward(zeros([2, 3, 4, 5]))).toThrow(ShapeError);
    expect(() => F.featureAlphaDropout(zeros([3]), 0.5)).toThrow(/at least 2 dims/);
    expect(() => new nn.AlphaDropout(2)).toThrow(ValueError);
    expect(() => new nn.FeatureAlphaDropout(0.5, { inplace: true } as object)).toThrow(/unknown option "inplace"/);
    expect(list(x)).toEqual(before);
  });
});
