// InstanceNorm1d/2d and F.instanceNorm, PixelShuffle/PixelUnshuffle, Unflatten, the padding
// modules, CosineSimilarity, PairwiseDistance and F.normalize: against float64 references
// written here (plain loops) over shapes drawn by fast-check, exact equality for the pure
// rearrangements, gradients by central differences, values from PyTorch 1.13 (edge cases
// included: constant rows, zero vectors, the eps placements, negative pads) and the errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, fromTypedArray, nn, ShapeError, Tensor, tensor, ValueError, zeros } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, gammaOf, sampleTensor as sample, unitOf as unit } from "../support/reference.js";
import { ETA32, U32 } from "../support/tolerance.js";

const F = nn.functional;
const U64 = 2 ** -53;
type FloatDType = "float32" | "float64";

const f32 = (values: number[], shape: number[]) => fromTypedArray(Float32Array.from(values), shape);
const f64 = (values: number[], shape: number[]) => fromTypedArray(Float64Array.from(values), shape);
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

/** PyTorch's float32 values against ours: both within a few float32 roundings of the exact result. */
const expectTorch = (got: Tensor, want: number[], k = 8, scale = 1e-3) =>
  expectWithin(got.data, want, (i) => k * U32 * (Math.abs(want[i]) + scale) + ETA32, "vs PyTorch 1.13");

describe("instanceNorm against the float64 reference", () => {
  /** Per (sample, channel): mean, biased variance, unbiased variance, two passes in float64. */
  function instanceStats(x: ArrayLike<number>, N: number, C: number, S: number) {
    const out: { m: number; v: number; u: number }[] = [];
    for (let k = 0; k < N * C; k++) {
      let m = 0;
      for (let j = 0; j < S; j++) m += x[k * S + j];
      m /= S;
      let ss = 0;
      for (let j = 0; j < S; j++) ss += (x[k * S + j] - m) ** 2;
      out.push({ m, v: ss / S, u: ss / (S - 1) });
    }
    return out;
  }

  it("normalizes each instance, applies the affine and moves the running statistics (float32 and float64)", () => {
    const arb = fc.record({
      N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 4 }), spatial: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
      affine: fc.boolean(), running: fc.boolean(), dtype: fc.constantFrom<FloatDType>("float32", "float64"), shift: fc.constantFrom(0, 100), seed: fc.nat(1000),
    }).filter(({ spatial }) => spatial.reduce((a, b) => a * b, 1) > 1);
    fc.assert(fc.property(arb, ({ N, C, spatial, affine, running, dtype, shift, seed }) => {
      const S = spatial.reduce((a, b) => a * b, 1);
      const x = sample([N, C, ...spatial], seed, dtype).add(shift);
      const w = affine ? sample([C], seed + 1, dtype) : null, b = affine ? sample([C], seed + 2, dtype) : null;
      const rm = running ? sample([C], seed + 3, dtype) : null, rv = running ? sample([C], seed + 4, dtype, 0.5, 2) : null;
      const rm0 = rm ? list(rm) : [], rv0 = rv ? list(rv) : [];
      const y = F.instanceNorm(x, { weight: w, bias: b, runningMean: rm, runningVar: rv, momentum: 0.3, eps: 1e-4 });
      const st = instanceStats(x.data, N, C, S), want: number[] = [], mag: number[] = [];
      for (let k = 0; k < N * C; k++) {
        const c = k % C, r = 1 / Math.sqrt(st[k].v + 1e-4);
        for (let j = 0; j < S; j++) {
          const t = (x.data[k * S + j] - st[k].m) * r * (w ? w.data[c] : 1);
          want.push(t + (b ? b.data[c] : 0));
          // The float64 statistics of values |x| ≤ |shift| + 3 leave an error of ε·(|shift| + 3)·r in x − mean.
          mag.push(Math.abs(t) + Math.abs(b ? b.data[c] : 0) + 1e-12 * (shift + 3) * r * Math.abs(w ? w.data[c] : 1));
        }
      }
      expectWithin(y.data, want, (i) => 2 * unit(dtype) * Math.abs(want[i]) + mag[i] * 1e-9 + ETA32, "instanceNorm");
      if (rm && rv) {
        for (let c = 0; c < C; c++) {
          let m = 0, u = 0;
          for (let n = 0; n < N; n++) { m += st[n * C + c].m; u += st[n * C + c].u; }
          const wantM = 0.7 * rm0[c] + (0.3 * m) / N, wantV = 0.7 * rv0[c] + (0.3 * u) / N;
          expect(Math.abs(rm.data[c] - wantM)).toBeLessThanOrEqual(4 * unit(dtype) * (Math.abs(0.7 * rm0[c]) + 0.3 * (shift + 3)) + ETA32);
          expect(Math.abs(rv.data[c] - wantV)).toBeLessThanOrEqual(2 * unit(dtype) * Math.abs(wantV) + 1e-9 * (shift + 3) ** 2);
        }
      }
    }), { numRuns: 120 });
  });

  it("with useInputStats false the running statistics normalize, and nothing changes", () => {
    const x = sample([2, 3, 5], 4), rm = sample([3], 5), rv = sample([3], 6, "float32", 0.5, 2), w = sample([3], 7);
    const y = F.instanceNorm(x, { runningMean: rm, runningVar: rv, weight: w, useInputStats: false });
    const want = list(x).map((v, i) => {
      const c = Math.floor(i / 5) % 3;
      return ((v - rm.data[c]) / Math.sqrt(rv.data[c] + 1e-5)) * w.data[c];
    });
    expectWithin(y.data, want, (i) => 4 * U32 * Math.abs(want[i]) + ETA32, "eval instanceNorm");
    expect(list(rm)).toEqual(list(sample([3], 5)));
  });

  it("gradients of the input, weight and bias by central differences", () => {
    for (const shape of [[2, 3, 4], [1, 2, 3, 2]]) {
      const C = shape[1], x = float64Input(shape, 11), w = float64Input([C], 12), b = float64Input([C], 13);
      assertGradByDifferences((xi, wi, bi) => F.instanceNorm(xi, { weight: wi, bias: bi }), [x, w, b], `instanceNorm [${shape}]`);
      const m = new nn.InstanceNorm2d(2, { affine: true, dtype: "float64" });
      if (shape.length === 4) assertGradByDifferences((xi) => m.forward(xi), [x], "InstanceNorm2d");
    }
    const x = float64Input([3, 6], 14), rm = zeros([3], { dtype: "float64" }), rv = zeros([3], { dtype: "float64" }).add(2);
    assertGradByDifferences((xi) => F.instanceNorm(xi.unsqueeze(0), { runningMean: rm.clone(), runningVar: rv.clone(), useInputStats: false }), [x], "instanceNorm eval");
  });

  it("InstanceNorm1d matches PyTorch 1.13: training output, running statistics, gradients and eval output", () => {
    // From PyTorch 1.13: x = arange(24).reshape(2,3,4)**1.5, InstanceNorm1d(3, affine=True,
    // track_running_stats=True), weight [1.5, −0.5, 2], bias [0.25, 0, −1], running_mean [1, 2, 3],
    // running_var [2, 0.5, 1]; the loss Σ y·cos(arange(24)).
    const x = f32(Array.from({ length: 24 }, (_, i) => i ** 1.5), [2, 3, 4]);
    x.requiresGrad = true;
    const m = new nn.InstanceNorm1d(3, { affine: true, trackRunningStats: true });
    m.loadStateDict({ weight: f32([1.5, -0.5, 2], [3]), bias: f32([0.25, 0, -1], [3]), running_mean: f32([1, 2, 3], [3]), running_var: f32([2, 0.5, 1], [3]),
      num_batches_tracked: new Tensor(new Int32Array(1), "int32", []) });
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    const y = m.forward(x);
    expectTorch(y, [-1.461511492729187, -0.7029114365577698, 0.6841334700584412, 2.480289936065674, 0.6495922803878784, 0.24446022510528564, -0.20350664854049683, -0.6905457973480225, -3.6350960731506348, -1.9421145915985107, -0.152263343334198, 1.7294737100601196, -1.7372174263000488, -0.4458799362182617, 0.8961297273635864, 2.286966562271118, 0.6643543243408203, 0.23003695905208588, -0.21724964678287506, -0.6771399974822998, -3.6622772216796875, -1.9153331518173218, -0.1262854039669037, 1.7038984298706055], 64, 4); // PyTorch's float32 statistics of values up to 110
    expectTorch(m.runningMean!, [3.4992990493774414, 6.120962142944336, 9.16128921508789]);
    expectTorch(m.runningVar!, [4.590222358703613, 4.757028102874756, 6.709049224853516]);
    expect(m.numBatchesTracked!.item()).toBe(0); // PyTorch's instance norm never counts batches
    y.mul(f32(Array.from({ length: 24 }, (_, i) => Math.cos(i)), [2, 3, 4])).sum().backward();
    expectTorch(x.grad!, [0.06738888472318649, 0.013752839528024197, -0.17225787043571472, 0.0911162793636322, 0.03742387890815735, -0.02669006586074829, -0.0517365001142025, 0.04100271314382553, 0.16132891178131104, -0.15733641386032104, -0.15293627977371216, 0.14894378185272217, -0.0657743513584137, 0.08134697377681732, 0.03047006204724312, -0.04604290425777435, 0.004055652301758528, 0.002230440266430378, -0.016230149194598198, 0.009943935088813305, 0.08842048048973083, -0.07600972056388855, -0.10894153267145157, 0.09653084725141525], 256, 0.2);
    expectTorch(m.weight!.grad!, [-5.588339805603027, 5.16746187210083, -1.1784579753875732], 64, 4);
    expectTorch(m.bias!.grad!, [1.2625130414962769, 1.7602896690368652, -3.5637171268463135], 64, 4);
    m.eval();
    expectTorch(m.forward(x.detach()), [-2.199937343597412, -1.4998149871826172, -0.21969248354434967, 1.438004732131958, -0.43076181411743164, -1.1598418951034546, -1.9660080671310425, -2.842489004135132, 9.397810935974121, 12.774081230163574, 16.343538284301758, 20.09623908996582, 26.90359878540039, 30.616310119628906, 34.474708557128906, 38.47349166870117, -13.268536567687988, -14.665285110473633, -16.103742599487305, -17.582733154296875, 60.988948822021484, 66.23287963867188, 71.60319519042969, 77.09699249267578], 16);
  });

  it("InstanceNorm2d: unbatched input, PyTorch's defaults, no running statistics in eval either", () => {
    const m = new nn.InstanceNorm2d(2);
    expect([m.eps, m.momentum, m.affine, m.trackRunningStats]).toEqual([1e-5, 0.1, false, false]);
    expect(Object.keys(m.stateDict())).toEqual([]);
    expect(m.parameters()).toEqual([]);
    // From PyTorch 1.13: InstanceNorm2d(2) of one [2, 2, 2] sample.
    const x = f32([1, 2, 3, 5, -1, 0, 0, 0], [2, 2, 2]);
    const y = m.forward(x);
    expect(y.shape).toEqual([2, 2, 2]);
    expectTorch(y, [-1.183213233947754, -0.5070914030075073, 0.16903042793273926, 1.5212740898132324, -1.7320046424865723, 0.5773348808288574, 0.5773348808288574, 0.5773348808288574]);
    expect(list(m.eval().forward(x))).toEqual(list(y)); // without tracked statistics eval uses the input's
    // A constant instance normalizes to 0 (PyTorch 1.13's float32 statistics give 3.05e-5 for 7s).
    expect(list(new nn.InstanceNorm2d(2).forward(zeros([1, 2, 2, 2]).add(7)))).toEqual(new Array(8).fill(0));
    // Tracked statistics of an unbatched input: from PyTorch 1.13, InstanceNorm1d(3, track_running_stats=True)
    // on arange(12).reshape(3, 4)**1.5.
    const t = new nn.InstanceNorm1d(3, { trackRunningStats: true });
    t.forward(f32(Array.from({ length: 12 }, (_, i) => i ** 1.5), [3, 4]));
    expectTorch(t.runningMean!, [0.2256144732, 1.3099384308, 2.9433267117], 16);
    expectTorch(t.runningVar!, [1.4213079214, 2.9541506767, 4.4577093124], 16);
    // InstanceNorm2d(3, track_running_stats=True) on arange(24).reshape(2, 3, 2, 2), from PyTorch 1.13.
    const t2 = new nn.InstanceNorm2d(3, { trackRunningStats: true });
    t2.forward(f32(Array.from({ length: 24 }, (_, i) => i), [2, 3, 2, 2]));
    expectTorch(t2.runningMean!, [0.75, 1.1499999762, 1.5500000715]);
    expectTorch(t2.runningVar!, [1.0666666031, 1.0666666031, 1.0666666031]);
  });

  it("float64 modules, a state-dict round trip, and an empty batch", () => {
    const m = new nn.InstanceNorm2d(2, { affine: true, trackRunningStats: true, dtype: "float64" });
    expect(m.runningMean!.dtype).toBe("float64");
    const x = sample([2, 2, 3, 3], 21, "float64");
    m.forward(x);
    const copy = new nn.InstanceNorm2d(2, { affine: true, trackRunningStats: true, dtype: "float64" });
    copy.loadStateDict(m.stateDict());
    expect(list(copy.eval().forward(x))).toEqual(list(m.eval().forward(x)));
    // Without num_batches_tracked (older checkpoints) the dict loads too.
    const sd = m.stateDict();
    delete sd.num_batches_tracked;
    expect(copy.loadStateDict(sd).missingKeys).toEqual([]);
    // An empty batch gives an empty output and leaves the running statistics as they were
    // (PyTorch 1.13 sets them to NaN).
    const before = list(m.runningMean!);
    const e = m.train().forward(zeros([0, 2, 3, 3], { dtype: "float64" }));
    expect(e.shape).toEqual([0, 2, 3, 3]);
    expect(list(m.runningMean!)).toEqual(before);
    expect(F.instanceNorm(zeros([2, 3, 0])).shape).toEqual([2, 3, 0]);
    // A NaN spoils its own instance only (as PyTorch 1.13).
    const y = F.instanceNorm(f32([1, NaN, 2, 1, 2, 3], [1, 2, 3]));
    expect(list(y).slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(list(y).slice(3).every(Number.isFinite)).toBe(true);
  });

  it("refuses bad input and options with typed errors, leaving the module as it was", () => {
    const m = new nn.InstanceNorm1d(3, { trackRunningStats: true });
    const before = list(m.runningMean!);
    expect(() => m.forward(zeros([3]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([1, 2, 3, 4]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([2, 4, 5]))).toThrow(/expected 3 channels/);
    expect(() => m.forward(zeros([2, 3, 5], { dtype: "int32" }))).toThrow(DTypeError);
    // One element per instance has no variance: PyTorch's ValueError, in training only when tracking.
    expect(() => m.forward(zeros([2, 3, 1]))).toThrow(/more than 1 spatial element/);
    expect(() => new nn.InstanceNorm1d(3).eval().forward(zeros([2, 3, 1]))).toThrow(ValueError);
    expect(m.eval().forward(zeros([2, 3, 1])).shape).toEqual([2, 3, 1]);
    expect(list(m.runningMean!)).toEqual(before);
    expect(() => new nn.InstanceNorm1d(0)).toThrow(ValueError);
    expect(() => new nn.InstanceNorm1d(3, { momentum: null as unknown as number })).toThrow(/momentum/);
    expect(() => new nn.InstanceNorm1d(3, { affine: 1 as unknown as boolean })).toThrow(ValueError);
    expect(() => new nn.InstanceNorm1d(3, { eps: -1 })).toThrow(ValueError);
    expect(() => new nn.InstanceNorm2d(3, { dtype: "int32" as "float32" })).toThrow(DTypeError);
    expect(() => new nn.InstanceNorm2d(3, { bogus: 1 } as object)).toThrow(/bogus/);
    expect(() => F.instanceNorm(zeros([2, 3, 4]), { useInputStats: false })).toThrow(/runningMean and runningVar/);
    expect(() => F.instanceNorm(zeros([2, 3, 4]), { weight: zeros([4]) })).toThrow(ShapeError);
    expect(() => F.instanceNorm(zeros([3]))).toThrow(ShapeError);
    expect(() => F.instanceNorm(zeros([2, 3]))).toThrow(/more than 1 spatial element/);
    expect(() => F.instanceNorm(zeros([2, 3, 4]), { eps: -1 })).toThrow(ValueError);
    expect(() => F.instanceNorm(zeros([2, 3, 4]), { useInputStats: "yes" as unknown as boolean })).toThrow(ValueError);
    expect(() => F.instanceNorm(zeros([2, 3, 4]), { momentum: 0.1, extra: 1 } as object)).toThrow(/extra/);
    const rm = zeros([6]).slice([0, 6, 2]);
    expect(() => F.instanceNorm(zeros([2, 3, 4]), { runningMean: rm, runningVar: zeros([3]) })).toThrow(/contiguous storage/);
  });
});

describe("pixelShuffle and pixelUnshuffle", () => {
  it("move every element where PyTorch's definition puts it (exact), and unshuffle inverts shuffle", () => {
    const arb = fc.record({
      lead: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 2 }), C: fc.integer({ min: 1, max: 3 }), r: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 1, max: 3 }), W: fc.integer({ min: 1, max: 3 }), dtype: fc.constantFrom("float32", "float64", "int32"),
    });
    fc.assert(fc.property(arb, ({ lead, C, r, H, W, dtype }) => {
      const B = lead.reduce((a, b) => a * b, 1), n = B * C * r * r * H * W;
      const x = new Tensor(dtype === "int32" ? Int32Array.from({ length: n }, (_, i) => i) : dtype === "float64" ? Float64Array.from({ length: n }, (_, i) => i + 0.5) : Float32Array.from({ length: n }, (_, i) => i - 0.25), dtype as "float32", [...lead, C * r * r, H, W]);
      const y = F.pixelShuffle(x, r);
      expect(y.shape).toEqual([...lead, C, H * r, W * r]);
      expect(y.dtype).toBe(dtype);
      const want = new Array<number>(n);
      for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) for (let h = 0; h < H * r; h++) for (let w = 0; w < W * r; w++) {
        const i = h % r, j = w % r, src = ((b * C * r * r + c * r * r + i * r + j) * H + Math.floor(h / r)) * W + Math.floor(w / r);
        want[((b * C + c) * H * r + h) * W * r + w] = x.data[src];
      }
      expect(list(y)).toEqual(want);
      const back = F.pixelUnshuffle(y, r);
      expect(back.shape).toEqual(x.shape);
      expect(list(back)).toEqual(list(x));
    }), { numRuns: 150 });
  });

  it("match PyTorch 1.13 and the modules compute the functional forms", () => {
    // From PyTorch 1.13: pixel_shuffle(arange(2·8·2·3).reshape(2, 8, 2, 3), 2), first sample's 48 values.
    const x = f32(Array.from({ length: 96 }, (_, i) => i), [2, 8, 2, 3]);
    const y = new nn.PixelShuffle(2).forward(x);
    expect(list(y).slice(0, 48)).toEqual([0, 6, 1, 7, 2, 8, 12, 18, 13, 19, 14, 20, 3, 9, 4, 10, 5, 11, 15, 21, 16, 22, 17, 23, 24, 30, 25, 31, 26, 32, 36, 42, 37, 43, 38, 44, 27, 33, 28, 34, 29, 35, 39, 45, 40, 46, 41, 47]);
    // pixel_unshuffle(arange(16).reshape(1, 1, 4, 4), 2), from PyTorch 1.13.
    expect(list(new nn.PixelUnshuffle(2).forward(f32(Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4])))).toEqual([0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15]);
    expect(F.pixelShuffle(zeros([8, 2, 3]), 2).shape).toEqual([2, 4, 6]); // unbatched
    expect(F.pixelShuffle(zeros([0, 8, 2, 3]), 2).shape).toEqual([0, 2, 4, 6]);
    expect(F.pixelShuffle(zeros([1, 8, 0, 3]), 2).shape).toEqual([1, 2, 0, 6]);
  });

  it("gradients by central differences", () => {
    assertGradByDifferences((x) => F.pixelShuffle(x, 2), [float64Input([2, 8, 2, 1], 3)], "pixelShuffle");
    assertGradByDifferences((x) => F.pixelUnshuffle(x, 3), [float64Input([1, 3, 3, 6], 4)], "pixelUnshuffle");
  });

  it("refuses bad factors and shapes with typed errors", () => {
    expect(() => F.pixelShuffle(zeros([1, 6, 2, 3]), 2)).toThrow(ShapeError);
    expect(() => F.pixelShuffle(zeros([6, 2]), 2)).toThrow(ShapeError);
    expect(() => F.pixelShuffle(zeros([1, 8, 2, 3]), 0)).toThrow(ValueError);
    expect(() => F.pixelShuffle(zeros([1, 8, 2, 3]), 1.5)).toThrow(ValueError);
    expect(() => F.pixelUnshuffle(zeros([1, 2, 4, 5]), 2)).toThrow(/divisible by downscaleFactor 2/);
    expect(() => new nn.PixelShuffle(-1)).toThrow(ValueError);
    expect(() => new nn.PixelUnshuffle(2.5)).toThrow(ValueError);
    expect(() => F.pixelShuffle([1, 2] as unknown as Tensor, 2)).toThrow(ValueError);
  });
});

describe("Unflatten", () => {
  it("splits one dim into several, −1 inferred, negative dims counted from the end", () => {
    const x = sample([3, 6], 1);
    expect(new nn.Unflatten(1, [2, -1]).forward(x).shape).toEqual([3, 2, 3]);
    expect(new nn.Unflatten(-1, [2, 3]).forward(x).shape).toEqual([3, 2, 3]);
    expect(new nn.Unflatten(0, [1, 3, 1]).forward(x).shape).toEqual([1, 3, 1, 6]);
    expect(new nn.Unflatten(1, [6]).forward(x).shape).toEqual([3, 6]);
    expect(list(new nn.Unflatten(1, [2, 3]).forward(x))).toEqual(list(x));
    expect(new nn.Unflatten(1, [0, 5]).forward(zeros([2, 0])).shape).toEqual([2, 0, 5]);
    const u = new nn.Unflatten(1, [2, 3]);
    expect([u.dim, u.unflattenedSize]).toEqual([1, [2, 3]]);
    assertGradByDifferences((t) => u.forward(t), [float64Input([2, 6], 5)], "Unflatten");
  });

  it("refuses what PyTorch 1.13 refuses, with typed errors", () => {
    const x = zeros([3, 6]);
    expect(() => new nn.Unflatten(1, [2, 4]).forward(x)).toThrow(/do not multiply up to the size 6/);
    expect(() => new nn.Unflatten(1, [-1, -1])).toThrow(ValueError);
    expect(() => new nn.Unflatten(1, [])).toThrow(ValueError);
    expect(() => new nn.Unflatten(1, [2, 1.5])).toThrow(ValueError);
    expect(() => new nn.Unflatten(1.5, [2, 3])).toThrow(ValueError);
    expect(() => new nn.Unflatten(2, [2, 3]).forward(x)).toThrow(/out of range/);
    expect(() => new nn.Unflatten(1, [4, -1]).forward(x)).toThrow(ShapeError);
    expect(() => new nn.Unflatten(1, [0, -1]).forward(zeros([3, 0]))).toThrow(ShapeError); // ambiguous, as PyTorch
  });
});

describe("padding modules", () => {
  /** The input position a padded output position reads along one dim, or −1 for the fill. */
  function source(j: number, n: number, before: number, mode: string): number {
    const i = j - before;
    if (mode === "constant") return i >= 0 && i < n ? i : -1;
    if (mode === "replicate") return Math.min(Math.max(i, 0), n - 1);
    return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  }

  it("match a loop reference for every mode, with negative (cropping) amounts (exact)", () => {
    const arb = fc.record({
      kind: fc.constantFrom("ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d"),
      batched: fc.boolean(), C: fc.integer({ min: 1, max: 2 }), H: fc.integer({ min: 2, max: 4 }), W: fc.integer({ min: 2, max: 4 }),
      pads: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 4, maxLength: 4 }), scalar: fc.boolean(), dtype: fc.constantFrom<FloatDType>("float32", "float64"),
    });
    fc.assert(fc.property(arb, ({ kind, batched, C, H, W, pads, scalar, dtype }) => {
      const two = kind.endsWith("2d"), mode = kind.startsWith("Reflection") ? "reflect" : kind.startsWith("Replication") ? "replicate" : "constant";
      const limit = (n: number) => (mode === "reflect" ? n - 1 : Infinity);
      const p = (scalar ? new Array(4).fill(Math.min(pads[0], limit(W), two ? limit(H) : Infinity)) : pads).slice(0, two ? 4 : 2).map((v, i) => Math.min(v, limit(i < 2 ? W : H)));
      const shape = two ? [...(batched ? [2] : []), C, H, W] : [...(batched ? [2] : []), C, W];
      const x = sample(shape, pads[1] + 7, dtype);
      const Ctor = (nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>)[kind];
      const arg = scalar ? p[0] : p;
      const m = kind.startsWith("Constant") ? new Ctor(arg, -2.5) : new Ctor(arg);
      const fill = kind.startsWith("Constant") ? -2.5 : 0;
      const y = m.forward(x) as Tensor;
      const [pl, pr, pt, pb] = [p[0], p[1], two ? p[2] : 0, two ? p[3] : 0];
      const h = two ? H : 1, OH = h + pt + pb, OW = W + pl + pr, planes = x.size / (h * W);
      expect(y.shape).toEqual([...shape.slice(0, two ? -2 : -1), ...(two ? [OH] : []), OW]);
      const want: number[] = [];
      for (let q = 0; q < planes; q++) for (let r = 0; r < OH; r++) for (let c = 0; c < OW; c++) {
        const sr = source(r, h, pt, mode), sc = source(c, W, pl, mode);
        want.push(sr < 0 || sc < 0 ? fill : x.data[(q * h + sr) * W + sc]);
      }
      expect(list(y)).toEqual(want);
    }), { numRuns: 200 });
  });

  it("match PyTorch 1.13 values", () => {
    // From PyTorch 1.13, on arange(1, 13).reshape(1, 3, 4).
    const x = f32(Array.from({ length: 12 }, (_, i) => i + 1), [1, 3, 4]);
    expect(list(new nn.ReflectionPad1d([3, 1]).forward(x))).toEqual([4, 3, 2, 1, 2, 3, 4, 3, 8, 7, 6, 5, 6, 7, 8, 7, 12, 11, 10, 9, 10, 11, 12, 11]);
    expect(list(new nn.ReplicationPad1d([2, -1]).forward(x))).toEqual([1, 1, 1, 2, 3, 5, 5, 5, 6, 7, 9, 9, 9, 10, 11]);
    expect(list(new nn.ReflectionPad2d([1, 0, 2, 1]).forward(x))).toEqual([10, 9, 10, 11, 12, 6, 5, 6, 7, 8, 2, 1, 2, 3, 4, 6, 5, 6, 7, 8, 10, 9, 10, 11, 12, 6, 5, 6, 7, 8]);
    expect(list(new nn.ReplicationPad2d([0, 2, 1, -1]).forward(x))).toEqual([1, 2, 3, 4, 4, 4, 1, 2, 3, 4, 4, 4, 5, 6, 7, 8, 8, 8]);
    expect(list(new nn.ConstantPad2d([1, -1, 0, 1], -2.5).forward(x))).toEqual([-2.5, 1, 2, 3, -2.5, 5, 6, 7, -2.5, 9, 10, 11, -2.5, -2.5, -2.5, -2.5]);
    expect(list(new nn.ZeroPad2d(1).forward(f32([1, 2], [1, 1, 2])))).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0]);
    // ConstantPad1d pads the last dim of any rank (PyTorch 1.13).
    expect(new nn.ConstantPad1d(2, 3.5).forward(zeros([2, 3, 4, 5])).shape).toEqual([2, 3, 4, 9]);
    expect(new nn.ReplicationPad2d(-1).forward(zeros([1, 1, 4, 4])).shape).toEqual([1, 1, 2, 2]);
    expect(new nn.ZeroPad2d(1).padding).toEqual([1, 1, 1, 1]);
    expect(new nn.ConstantPad1d(2, 3.5).padding).toEqual([2, 2]);
  });

  it("gradients by central differences", () => {
    const x = float64Input([1, 2, 3, 4], 8);
    for (const m of [new nn.ReflectionPad2d([2, 1, 1, 2]), new nn.ReplicationPad2d([1, 3, -1, 2]), new nn.ConstantPad2d([1, -1, 2, 0], 4), new nn.ZeroPad2d(2)]) {
      assertGradByDifferences((t) => m.forward(t), [x], m.constructor.name);
    }
    const x1 = float64Input([2, 5], 9);
    for (const m of [new nn.ReflectionPad1d(3), new nn.ReplicationPad1d([0, 4]), new nn.ConstantPad1d([-2, 1], 1)]) assertGradByDifferences((t) => m.forward(t), [x1], m.constructor.name);
  });

  it("refuses bad padding, ranks and amounts with typed errors", () => {
    expect(() => new nn.ZeroPad2d([1, 2, 3])).toThrow(ValueError);
    expect(() => new nn.ConstantPad1d([1, 2, 3, 4], 0)).toThrow(ValueError);
    // PyTorch 1.13 takes two amounts for ConstantPad2d and pads the last dim only; refused here.
    expect(() => new nn.ConstantPad2d([1, 2], 0)).toThrow(/4 integers/);
    expect(() => new nn.ReflectionPad1d(1.5)).toThrow(ValueError);
    expect(() => new nn.ConstantPad1d(1, "0" as unknown as number)).toThrow(ValueError);
    expect(() => new nn.ZeroPad2d(1).forward(zeros([2]))).toThrow(ShapeError);
    expect(() => new nn.ReflectionPad1d(1).forward(zeros([3]))).toThrow(/2-d or 3-d/);
    expect(() => new nn.ReflectionPad1d(1).forward(zeros([1, 2, 3, 4]))).toThrow(ShapeError);
    expect(() => new nn.ReflectionPad2d(1).forward(zeros([2, 3]))).toThrow(ShapeError);
    expect(() => new nn.ReplicationPad2d(1).forward(zeros([1, 1, 1, 2, 3]))).toThrow(ShapeError);
    expect(() => new nn.ReflectionPad1d(3).forward(zeros([1, 2, 3]))).toThrow(/less than/);
    expect(() => new nn.ConstantPad2d(-3, 0).forward(zeros([1, 1, 4, 4]))).toThrow(ShapeError);
  });
});

describe("cosineSimilarity, pairwiseDistance and normalize against the float64 reference", () => {
  const arb = fc.record({
    rows: fc.integer({ min: 1, max: 4 }), D: fc.integer({ min: 1, max: 6 }), dtype: fc.constantFrom<FloatDType>("float32", "float64"),
    broadcast: fc.boolean(), zeroRow: fc.boolean(), seed: fc.nat(1000),
  });
  const inputs = ({ rows, D, dtype, broadcast, zeroRow, seed }: { rows: number; D: number; dtype: FloatDType; broadcast: boolean; zeroRow: boolean; seed: number }) => {
    const a = sample([rows, D], seed, dtype), b = sample(broadcast ? [D] : [rows, D], seed + 1, dtype);
    if (zeroRow) (a.storage as Float32Array).fill(0, 0, D);
    const bRow = (r: number) => (broadcast ? 0 : r);
    return { a, b, bRow };
  };

  it("cosineSimilarity: each norm clamped at eps, over dim 1 or 0 (broadcast inputs)", () => {
    fc.assert(fc.property(arb, fc.constantFrom(1e-8, 0.5), (c, eps) => {
      const { a, b, bRow } = inputs(c), { rows, D, dtype } = c;
      const y = F.cosineSimilarity(a, b, { eps }), want: number[] = [], mag: number[] = [];
      for (let r = 0; r < rows; r++) {
        let n1 = 0, n2 = 0, dot = 0, abs = 0;
        for (let j = 0; j < D; j++) {
          const u = a.data[r * D + j], v = b.data[bRow(r) * D + j];
          n1 += u * u; n2 += v * v; dot += u * v; abs += Math.abs(u * v);
        }
        const q = Math.max(Math.sqrt(n1), eps) * Math.max(Math.sqrt(n2), eps);
        want.push(dot / q);
        mag.push(abs / q);
      }
      expect(y.shape).toEqual([rows]);
      expectWithin(y.data, want, (i) => gammaOf(dtype, 2 * D + 8) * mag[i] + ETA32, "cosineSimilarity");
      // dim 0 of the transposed pair is the same computation.
      const t = F.cosineSimilarity(a.transpose(), (c.broadcast ? b.reshape([D, 1]) : b.transpose()), { dim: 0, eps });
      expectWithin(t.data, want, (i) => gammaOf(dtype, 2 * D + 8) * mag[i] + ETA32, "cosineSimilarity dim 0");
    }), { numRuns: 150 });
  });

  it("pairwiseDistance: ‖x1 − x2 + eps‖_p over the last dim, keepdim", () => {
    fc.assert(fc.property(arb, fc.constantFrom(2, 1, 3, Infinity, 0.5), fc.boolean(), (c, p, keepdim) => {
      const { a, b, bRow } = inputs(c), { rows, D, dtype } = c, eps = 1e-6;
      const y = F.pairwiseDistance(a, b, { p, keepdim });
      expect(y.shape).toEqual(keepdim ? [rows, 1] : [rows]);
      const want: number[] = [];
      for (let r = 0; r < rows; r++) {
        // The difference and + eps as the op rounds them (one rounding each, in the input's dtype), then the exact norm.
        const round = dtype === "float32" ? Math.fround : (v: number) => v;
        const d = Array.from({ length: D }, (_, j) => Math.abs(round(round(a.data[r * D + j] - b.data[bRow(r) * D + j]) + eps)));
        want.push(p === Infinity ? Math.max(...d) : d.reduce((s, v) => s + v ** p, 0) ** (1 / p));
      }
      expectWithin(y.data, want, (i) => gammaOf(dtype, 4 * D + 16) * Math.abs(want[i]) + ETA32, `pairwiseDistance p=${p}`);
    }), { numRuns: 150 });
  });

  it("normalize: x / max(‖x‖_p, eps) along dim", () => {
    fc.assert(fc.property(arb, fc.constantFrom(2, 1, Infinity), fc.constantFrom(0, 1, -1), (c, p, dim) => {
      const { a } = inputs(c), { rows, D, dtype } = c, eps = 1e-12;
      const y = F.normalize(a, { p, dim });
      const d = dim === 0 ? 0 : 1, want = new Array<number>(a.size);
      const at = (k: number, j: number) => (d === 1 ? k * D + j : j * D + k), lanes = d === 1 ? rows : D, len = d === 1 ? D : rows;
      for (let k = 0; k < lanes; k++) {
        const v = Array.from({ length: len }, (_, j) => Math.abs(a.data[at(k, j)]));
        const n = p === Infinity ? Math.max(...v) : v.reduce((s, u) => s + u ** p, 0) ** (1 / p);
        for (let j = 0; j < len; j++) want[at(k, j)] = a.data[at(k, j)] / Math.max(n, eps);
      }
      expectWithin(y.data, want, (i) => gammaOf(dtype, 2 * Math.max(rows, D) + 8) * Math.abs(want[i]) + ETA32, "normalize");
    }), { numRuns: 150 });
  });

  it("match PyTorch 1.13, eps placements and zero vectors included", () => {
    // From PyTorch 1.13 (float32 values; float64 for the gradients).
    const a = [1, 2, 3, 0, 0, 0, -1, 0.5, 2], b = [1, -2, 0.5, 1, 1, 1, 2, 1, -1];
    expectTorch(F.cosineSimilarity(f32(a, [3, 3]), f32(b, [3, 3])), [-0.1749635636806488, 0.0, -0.6236095428466797]);
    expectTorch(new nn.CosineSimilarity({ dim: 0 }).forward(f32(a, [3, 3]), f32(b, [3, 3])), [-0.28867512941360474, -0.6931032538414001, -0.09245002269744873]);
    expectTorch(F.pairwiseDistance(f32(a, [3, 3]), f32(b, [3, 3])), [4.716991901397705, 1.7320491075515747, 4.27200174331665]);
    expectTorch(new nn.PairwiseDistance({ p: 1 }).forward(f32(a, [3, 3]), f32(b, [3, 3])), [6.500002861022949, 2.9999969005584717, 6.499999046325684]);
    expectTorch(F.pairwiseDistance(f32(a, [3, 3]), f32(b, [3, 3]), { p: Infinity }), [4.000000953674316, 0.9999989867210388, 3.0000009536743164]);
    expect(list(F.pairwiseDistance(f32(a, [3, 3]), f32(b, [3, 3]), { p: 0 }))).toEqual([3, 3, 3]); // eps makes every entry nonzero
    expectTorch(F.pairwiseDistance(f32(a, [3, 3]), f32(a, [3, 3])), [1.7320508050033823e-06, 1.7320508050033823e-06, 1.7320508050033823e-06]);
    expectTorch(F.normalize(f32(a, [3, 3])), [0.26726123690605164, 0.5345224738121033, 0.8017836809158325, 0, 0, 0, -0.4364357590675354, 0.2182178795337677, 0.8728715181350708]);
    expectTorch(F.normalize(f32(a, [3, 3]), { p: 1, dim: 0 }), [0.5, 0.800000011920929, 0.6000000238418579, 0, 0, 0, -0.5, 0.20000000298023224, 0.4000000059604645]);
    // Gradients, float64: the zero row of x1 gets x2/(eps·‖x2‖) (PyTorch's clamped norm).
    const x1 = f64(a, [3, 3]), x2 = f64(b, [3, 3]);
    x1.requiresGrad = true; x2.requiresGrad = true;
    F.cosineSimilarity(x1, x2).sum().backward();
    const close = (t: Tensor, want: number[]) => expectWithin(t.data, want, (i) => 1e-12 * Math.abs(want[i]) + 1e-15, "gradient vs PyTorch 1.13");
    close(x1.grad!, [0.12913976535081384, -0.20828994411421584, 0.0958133742925393, 57735026.91896258, 57735026.91896258, 57735026.91896258, 0.2375655483665995, 0.2375655483665995, 0.0593913870916499]);
    close(x2.grad!, [0.14996875976223542, 0.16663195529137265, 0.36659030164101986, 0, 0, 0, 0.02969569354582502, 0.19302200804786213, 0.2524133951395119]);
    x1.grad = null;
    F.normalize(x1).mul(f64(Array.from({ length: 9 }, (_, i) => i), [3, 3])).sum().backward();
    close(x1.grad!, [-0.15272070966424253, -0.03818017741606067, 0.07636035483212117, 3e12, 4e12, 5e12, 3.740878118331298, 2.4939187455541987, 1.2469593727770993]);
    x1.grad = null;
    F.pairwiseDistance(x1, x2).sum().backward();
    close(x1.grad!, [2.119995140688244e-7, 0.8479982682748117, 0.5299989971715752, -0.5773502691896257, -0.5773502691896257, -0.5773502691896257, -0.7022466683340662, -0.11704091632042705, 0.702247136498668]);
    // A norm below eps: cosine_similarity([[1e-5, 0]], [[3, 4]], eps=1e-3) is 0.006 (each norm
    // clamped, not their product), and its gradient still flows through the clamped norm.
    const u = f64([1e-5, 0], [1, 2]), v = f64([3, 4], [1, 2]);
    u.requiresGrad = true; v.requiresGrad = true;
    const cs = F.cosineSimilarity(u, v, { eps: 1e-3 });
    expect(Math.abs(cs.item() - 0.006)).toBeLessThan(1e-15);
    cs.sum().backward();
    close(u.grad!, [599.94, 800]);
    close(v.grad!, [0.00128, -0.00096]);
  });

  it("0-d, broadcast and empty inputs as PyTorch 1.13", () => {
    expect(F.cosineSimilarity(tensor(2), tensor(3), { dim: 0 }).item()).toBe(1);
    expect(F.cosineSimilarity(zeros([2, 3]).add(1), zeros([3]).add(1), { dim: -1 }).shape).toEqual([2]);
    expect(F.pairwiseDistance(tensor(2), tensor(3)).shape).toEqual([]);
    expect(F.pairwiseDistance(tensor(2), tensor(3), { keepdim: true }).shape).toEqual([]);
    expect(F.pairwiseDistance(zeros([3]), zeros([3]), { keepdim: true }).shape).toEqual([1]);
    expect(F.pairwiseDistance(zeros([2, 3]), zeros([3])).shape).toEqual([2]);
    expect(list(F.pairwiseDistance(zeros([2, 0]), zeros([2, 0])))).toEqual([0, 0]);
    expect(list(F.cosineSimilarity(zeros([2, 0]), zeros([2, 0])))).toEqual([0, 0]);
    expect(F.normalize(zeros([2, 0])).shape).toEqual([2, 0]);
    expect(F.normalize(tensor(3), { dim: 0 }).item()).toBe(1);
    expect(Number.isNaN(F.cosineSimilarity(f32([1, NaN], [1, 2]), f32([1, 1], [1, 2])).item())).toBe(true);
  });

  it("gradients by central differences", () => {
    const a = float64Input([3, 4], 31), b = float64Input([3, 4], 32), c = float64Input([4], 33);
    assertGradByDifferences((x, y) => F.cosineSimilarity(x, y), [a, b], "cosineSimilarity");
    assertGradByDifferences((x, y) => F.cosineSimilarity(x, y, { dim: -1 }), [a, c], "cosineSimilarity broadcast");
    for (const p of [2, 1.5, 3]) assertGradByDifferences((x, y) => F.pairwiseDistance(x, y, { p }), [a, b], `pairwiseDistance p=${p}`);
    for (const p of [2, 3]) assertGradByDifferences((x) => F.normalize(x, { p, dim: 0 }), [a], `normalize p=${p}`);
  });

  it("refuses bad input and options with typed errors", () => {
    const x = zeros([2, 3]);
    expect(() => F.cosineSimilarity(x, zeros([4, 3]))).toThrow(ShapeError);
    expect(() => F.cosineSimilarity(x, x, { dim: 2 })).toThrow(ValueError);
    expect(() => F.cosineSimilarity(x, x, { eps: -1 })).toThrow(ValueError);
    expect(() => F.cosineSimilarity(zeros([3], { dtype: "int32" }), zeros([3], { dtype: "int32" }), { dim: 0 })).toThrow(DTypeError);
    expect(() => F.cosineSimilarity(x, x, { axis: 1 } as object)).toThrow(/axis/);
    expect(() => F.pairwiseDistance(x, x, { p: NaN })).toThrow(ValueError);
    expect(() => F.pairwiseDistance(x, x, { keepdim: 1 as unknown as boolean })).toThrow(ValueError);
    expect(() => F.pairwiseDistance(x, [1, 2, 3] as unknown as Tensor)).toThrow(ValueError);
    expect(() => F.normalize(x, { dim: 3 })).toThrow(ValueError);
    expect(() => F.normalize(x, { eps: NaN })).toThrow(ValueError);
    expect(() => new nn.CosineSimilarity({ dim: 0.5 })).toThrow(ValueError);
    expect(() => new nn.PairwiseDistance({ p: "2" as unknown as number })).toThrow(ValueError);
    expect(() => new nn.PairwiseDistance({ norm: 2 } as object)).toThrow(/norm/);
    const m = new nn.PairwiseDistance();
    expect([m.norm, m.eps, m.keepdim]).toEqual([2, 1e-6, false]);
    const cmod = new nn.CosineSimilarity();
    expect([cmod.dim, cmod.eps]).toEqual([1, 1e-8]);
  });
});

describe("the new layers inside models", () => {
  it("run in a Sequential, summarize, and keep their state-dict keys under their index", () => {
    const model = new nn.Sequential(new nn.ReflectionPad2d(1), new nn.InstanceNorm2d(4, { affine: true, trackRunningStats: true }), new nn.PixelShuffle(2),
      new nn.ZeroPad2d([0, 2, 1, 1]), new nn.PixelUnshuffle(2), new nn.Flatten(), new nn.Unflatten(1, [4, -1]));
    const y = model.forward(sample([2, 4, 3, 3], 40));
    expect(y.shape).toEqual([2, 4, 36]);
    expect(Object.keys(model.stateDict())).toEqual(["1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"]);
    expect(model.summary([2, 4, 3, 3], { print: false })).toMatch(/PixelShuffle/);
  });
});
