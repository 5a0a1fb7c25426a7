// Batch, layer and group normalization against a float64 reference written here (two-pass mean
// and variance), over shapes drawn by fast-check; BatchNorm's running statistics over several
// steps (momentum and cumulative), train vs eval, state-dict keys and a safetensors round trip;
// gradients by central differences; the errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, io, nn, randn, ShapeError, ValueError, DTypeError, Tensor, zeros } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { valuesFrom } from "../support/reference.js";
import { ETA32, U32 } from "../support/tolerance.js";

const F = nn.functional;
const U64 = 2 ** -53;

function sample(shape: number[], seed: number, shift = 0, dtype: "float32" | "float64" = "float32"): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = shift + v(i);
  return fromTypedArray(data, shape);
}

/** Mean and biased variance of the listed elements, two passes in float64. */
function stats(x: ArrayLike<number>, idx: number[]): [number, number] {
  const m = idx.reduce((a, i) => a + x[i], 0) / idx.length;
  return [m, idx.reduce((a, i) => a + (x[i] - m) ** 2, 0) / idx.length];
}
/** Element indices of channel c of [N, C, S]. */
const channel = (N: number, C: number, S: number, c: number) => Array.from({ length: N * S }, (_, k) => (Math.floor(k / S) * C + c) * S + (k % S));

/** y within one float32 rounding of the float64 reference (the op computes in float64 before storing). */
function expectNear(got: ArrayLike<number>, want: number[], mag: number[], what: string): void {
  want.forEach((r, i) => {
    const tol = 2 * U32 * Math.abs(r) + 1e-9 * mag[i] + ETA32;
    if (!(Math.abs(got[i] - r) <= tol)) throw new Error(`${what}: element ${i} is ${got[i]}, expected ${r} (tol ${tol})`);
  });
}

describe("batchNorm against the float64 reference", () => {
  const arb = fc.record({
    N: fc.integer({ min: 1, max: 4 }), C: fc.integer({ min: 1, max: 4 }), spatial: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
    training: fc.boolean(), affine: fc.boolean(), shift: fc.constantFrom(0, 50, -1000), seed: fc.nat(1000),
  });
  it("normalizes by the batch's (training) or the running (eval) statistics and updates the running ones", () => {
    fc.assert(fc.property(arb, ({ N, C, spatial, training, affine, shift, seed }) => {
      const S = spatial.reduce((a, b) => a * b, 1);
      fc.pre(!training || N * S > 1);
      const x = sample([N, C, ...spatial], seed, shift);
      const w = affine ? sample([C], seed + 1) : null, b = affine ? sample([C], seed + 2) : null;
      const rm = sample([C], seed + 3), rv = sample([C], seed + 4, 3);
      const rm0 = Array.from(rm.data), rv0 = Array.from(rv.data), xd = x.data;
      const y = F.batchNorm(x, rm, rv, { weight: w, bias: b, training, momentum: 0.2, eps: 1e-3 });
      const want = new Array<number>(x.size), mag = new Array<number>(x.size);
      for (let c = 0; c < C; c++) {
        const idx = channel(N, C, S, c);
        const [m, v] = training ? stats(xd, idx) : [rm0[c], rv0[c]];
        for (const i of idx) {
          const t = ((xd[i] - m) / Math.sqrt(v + 1e-3)) * (w ? w.data[c] : 1);
          want[i] = t + (b ? b.data[c] : 0);
          mag[i] = Math.abs(t) + Math.abs(b ? b.data[c] : 0) + (Math.abs(shift) + 3) * 1e-3;
        }
        const newM = training ? 0.8 * rm0[c] + 0.2 * m : rm0[c];
        const newV = training ? 0.8 * rv0[c] + 0.2 * v * (idx.length / (idx.length - 1)) : rv0[c];
        expectNear([rm.data[c], rv.data[c]], [newM, newV], [Math.abs(newM) + Math.abs(shift), newV + shift * shift], `running stats of channel ${c}`);
      }
      expectNear(y.data, want, mag, "output");
    }), { numRuns: 120 });
  });

  it("without running statistics it needs training mode; with them both work on float64 too", () => {
    const x = sample([3, 2, 4], 1, 0, "float64");
    expect(() => F.batchNorm(x, null, null)).toThrow(/runningMean and runningVar are needed/);
    expect(F.batchNorm(x, null, null, { training: true }).dtype).toBe("float64");
  });
});

describe("BatchNorm modules", () => {
  /** The module's running statistics after `steps` batches, by PyTorch's update rules in float64. */
  function runningRef(batches: Tensor[], C: number, momentum: number | null) {
    const rm = new Array<number>(C).fill(0), rv = new Array<number>(C).fill(1);
    batches.forEach((x, step) => {
      const [N] = x.shape, S = x.size / (N * C), f = momentum ?? 1 / (step + 1);
      for (let c = 0; c < C; c++) {
        const idx = channel(N, C, S, c), [m, v] = stats(x.data, idx);
        rm[c] = (1 - f) * rm[c] + f * m;
        rv[c] = (1 - f) * rv[c] + f * v * (idx.length / (idx.length - 1));
      }
    });
    return { rm, rv };
  }

  for (const momentum of [0.1, null]) {
    it(`BatchNorm2d running statistics over 4 steps (momentum ${momentum}), then eval uses them`, () => {
      const bn = new nn.BatchNorm2d(3, { momentum });
      const batches = [0, 1, 2, 3].map((s) => sample([2, 3, 3, 4], 10 + s, s));
      for (const xb of batches) bn.forward(xb);
      const ref = runningRef(batches, 3, momentum);
      expectNear(bn.runningMean!.data, ref.rm, ref.rm.map((v) => Math.abs(v) + 1), "running_mean");
      expectNear(bn.runningVar!.data, ref.rv, ref.rv.map((v) => v + 1), "running_var");
      expect(bn.numBatchesTracked!.item()).toBe(4);
      bn.eval();
      const xe = sample([2, 3, 3, 4], 99);
      const ye = bn.forward(xe);
      const want = Array.from(xe.data, (v, i) => (v - ref.rm[Math.floor(i / 12) % 3]) / Math.sqrt(ref.rv[Math.floor(i / 12) % 3] + 1e-5));
      expectNear(ye.data, want, want.map((v) => Math.abs(v) + 1e3), "eval output");
      expect(bn.numBatchesTracked!.item()).toBe(4); // eval does not count batches
    });
  }

  it("BatchNorm1d takes [N, C] and [N, C, L]; without running stats, eval normalizes by the batch", () => {
    const bn = new nn.BatchNorm1d(4, { trackRunningStats: false, affine: false });
    const x = sample([5, 4, 3], 2);
    bn.eval();
    const y = bn.forward(x);
    expect(Array.from(y.data)).toEqual(Array.from(F.batchNorm(x, null, null, { training: true }).data));
    expect(new nn.BatchNorm1d(4).forward(sample([5, 4], 3)).shape).toEqual([5, 4]);
  });

  it("stateDict has PyTorch's keys in its order, and round-trips through safetensors (int64 counter included)", () => {
    const model = new nn.Sequential(new nn.BatchNorm2d(2), new nn.LayerNorm([3]), new nn.GroupNorm(1, 2), new nn.BatchNorm1d(2, { affine: false }), new nn.BatchNorm2d(2, { trackRunningStats: false }));
    expect(Object.keys(model.stateDict())).toEqual([
      "0.weight", "0.bias", "0.running_mean", "0.running_var", "0.num_batches_tracked",
      "1.weight", "1.bias", "2.weight", "2.bias",
      "3.running_mean", "3.running_var", "3.num_batches_tracked", "4.weight", "4.bias",
    ]);
    const bn = new nn.BatchNorm2d(2);
    for (let s = 0; s < 3; s++) bn.forward(sample([3, 2, 2, 2], s));
    const other = new nn.BatchNorm2d(2);
    other.loadStateDict(io.loadSafetensors(io.saveSafetensors(bn.stateDict(), { dtype: { num_batches_tracked: "I64" } })));
    for (const [k, t] of Object.entries(bn.stateDict())) expect(Array.from(other.stateDict()[k].data), k).toEqual(Array.from(t.data));
    expect(other.numBatchesTracked!.dtype).toBe("int32");
    expect(other.numBatchesTracked!.item()).toBe(3);
  });

  it("refuses bad arguments with typed errors, before changing any state", () => {
    const bn = new nn.BatchNorm2d(3);
    expect(() => bn.forward(zeros([2, 4, 2, 2]))).toThrow(/expected 3 channels \(dim 1\), got input of shape \[2,4,2,2\]/);
    expect(() => bn.forward(zeros([2, 3, 4]))).toThrow(ShapeError);
    expect(() => bn.forward(zeros([1, 3, 1, 1]))).toThrow(/more than 1 value per channel/);
    expect(() => bn.forward(zeros([2, 3, 2, 2], { dtype: "int32" }))).toThrow(/BatchNorm2d: input must be float32 or float64, got int32/);
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(Array.from(bn.runningMean!.data)).toEqual([0, 0, 0]);
    expect(() => new nn.BatchNorm1d(0)).toThrow(ValueError);
    expect(() => new nn.BatchNorm2d(3, { momentum: "0.1" } as never)).toThrow(/momentum/);
    expect(() => new nn.BatchNorm2d(3, { eps: -1 })).toThrow(/eps/);
    expect(() => new nn.BatchNorm2d(3, { trackRunningStat: false } as never)).toThrow(/unknown option "trackRunningStat"/);
    expect(() => new nn.BatchNorm2d(3, { dtype: "int32" } as never)).toThrow(DTypeError);
    expect(() => F.batchNorm(zeros([2, 3]), zeros([4]), zeros([3]), { training: true })).toThrow(/runningMean has shape \[4\], expected \[3\]/);
    expect(() => F.batchNorm(zeros([2, 3]), null, null, { training: "yes" } as never)).toThrow(ValueError);
  });
});

describe("layerNorm and groupNorm against the float64 reference", () => {
  it("layerNorm over the trailing dims, with and without affine", () => {
    fc.assert(fc.property(fc.record({ lead: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), norm: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }), affine: fc.boolean(), seed: fc.nat(500) }), ({ lead, norm, affine, seed }) => {
      const x = sample([...lead, ...norm], seed, 10);
      const w = affine ? sample(norm, seed + 1) : null, b = affine ? sample(norm, seed + 2) : null;
      const y = F.layerNorm(x, norm, { weight: w, bias: b });
      const M = norm.reduce((a, d) => a * d, 1), want: number[] = [], mag: number[] = [];
      for (let r = 0; r < x.size / M; r++) {
        const idx = Array.from({ length: M }, (_, j) => r * M + j), [m, v] = stats(x.data, idx);
        idx.forEach((i, j) => {
          const t = ((x.data[i] - m) / Math.sqrt(v + 1e-5)) * (w ? w.data[j] : 1);
          want.push(t + (b ? b.data[j] : 0));
          mag.push(Math.abs(t) + Math.abs(b ? b.data[j] : 0) + 1e-2);
        });
      }
      expectNear(y.data, want, mag, "layerNorm");
    }), { numRuns: 100 });
  });

  it("groupNorm: channels in groups, a weight per channel", () => {
    fc.assert(fc.property(fc.record({ N: fc.integer({ min: 1, max: 3 }), G: fc.integer({ min: 1, max: 3 }), per: fc.integer({ min: 1, max: 3 }), spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), seed: fc.nat(500) }), ({ N, G, per, spatial, seed }) => {
      const C = G * per, S = spatial.reduce((a, b) => a * b, 1);
      const x = sample([N, C, ...spatial], seed, -5), w = sample([C], seed + 1), b = sample([C], seed + 2);
      const y = F.groupNorm(x, G, { weight: w, bias: b, eps: 1e-4 });
      const want = new Array<number>(x.size), mag = new Array<number>(x.size);
      for (let n = 0; n < N; n++) for (let g = 0; g < G; g++) {
        const idx = Array.from({ length: per * S }, (_, k) => (n * C + g * per) * S + k), [m, v] = stats(x.data, idx);
        for (const i of idx) {
          const c = Math.floor(i / S) % C, t = ((x.data[i] - m) / Math.sqrt(v + 1e-4)) * w.data[c];
          want[i] = t + b.data[c];
          mag[i] = Math.abs(t) + Math.abs(b.data[c]) + 1e-2;
        }
      }
      expectNear(y.data, want, mag, "groupNorm");
    }), { numRuns: 100 });
  });

  it("modules: LayerNorm (bias optional) and GroupNorm compute the functional forms", () => {
    const x = sample([2, 4, 3], 7);
    const ln = new nn.LayerNorm(3, { bias: false });
    expect(Object.keys(ln.stateDict())).toEqual(["weight"]);
    expect(Array.from(ln.forward(x).data)).toEqual(Array.from(F.layerNorm(x, [3], { weight: ln.weight }).data));
    expect(new nn.LayerNorm([4, 3], { elementwiseAffine: false }).parameters()).toEqual([]);
    const gn = new nn.GroupNorm(2, 4, { eps: 1e-3 });
    expect(Array.from(gn.forward(x).data)).toEqual(Array.from(F.groupNorm(x, 2, { weight: gn.weight, bias: gn.bias, eps: 1e-3 }).data));
    expect(() => new nn.GroupNorm(3, 4)).toThrow(/divisible/);
    expect(() => gn.forward(zeros([2, 3, 3]))).toThrow(ShapeError);
    expect(() => F.layerNorm(x, [4])).toThrow(/does not end in normalizedShape \[4\]/);
    expect(() => F.layerNorm(x, [3], { weight: zeros([4]) })).toThrow(ShapeError);
    expect(() => F.groupNorm(x, 3)).toThrow(ValueError);
    expect(() => new nn.LayerNorm([], {})).toThrow(ValueError);
  });
});

describe("normalization gradients (float64 central differences)", () => {
  const leaf = (shape: number[], seed: number, shift = 0) => {
    const t = sample(shape, seed, shift, "float64");
    t.requiresGrad = true;
    return t;
  };
  const project = (y: Tensor, seed: number) => y.mul(randn(y.shape.slice(), { seed, dtype: "float64" })).sum();
  const expectNone = (bad: unknown[]) => expect(bad.slice(0, 5)).toEqual([]);

  it("batchNorm in training and eval, with and without affine", () => {
    const x = leaf([3, 2, 2, 3], 1, 2), w = leaf([2], 2), b = leaf([2], 3);
    const rm = sample([2], 4, 0, "float64"), rv = sample([2], 5, 3, "float64");
    expectNone(findGradMismatches(() => project(F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), 6), [x, w, b]));
    expectNone(findGradMismatches(() => project(F.batchNorm(x, rm, rv, { weight: w, bias: b }), 7), [x, w, b]));
    expectNone(findGradMismatches(() => project(F.batchNorm(x.reshape([9, 2, 2]).contiguous(), null, null, { training: true }), 8), [x]));
  });

  it("BatchNorm2d module in float64 (parameters included)", () => {
    const bn = new nn.BatchNorm2d(2, { dtype: "float64" });
    bn.weight!.storage.set([0.7, -1.3]);
    bn.bias!.storage.set([0.2, 0.5]);
    const x = leaf([2, 2, 3, 2], 9);
    expectNone(findGradMismatches(() => project(bn.forward(x), 10), [x, bn.weight!, bn.bias!]));
  });

  it("layerNorm and groupNorm", () => {
    const x = leaf([2, 4, 3], 11, 1), wl = leaf([4, 3], 12), bl = leaf([4, 3], 13), wg = leaf([4], 14), bg = leaf([4], 15);
    expectNone(findGradMismatches(() => project(F.layerNorm(x, [4, 3], { weight: wl, bias: bl }), 16), [x, wl, bl]));
    expectNone(findGradMismatches(() => project(F.layerNorm(x, 3), 17), [x]));
    expectNone(findGradMismatches(() => project(F.groupNorm(x, 2, { weight: wg, bias: bg }), 18), [x, wg, bg]));
    expectNone(findGradMismatches(() => project(F.groupNorm(x, 4), 19), [x]));
  });

  it("a float32 weight gets a float32 gradient for a float64 input", () => {
    const x = leaf([4, 2], 20), w = sample([2], 21);
    w.requiresGrad = true;
    F.batchNorm(x, null, null, { weight: w, training: true }).sum().backward();
    expect(w.grad!.dtype).toBe("float32");
    expect(Math.abs(w.grad!.data[0])).toBeLessThan(1e-5 + U64); // Σ x̂ = 0 for each channel
  });
});
