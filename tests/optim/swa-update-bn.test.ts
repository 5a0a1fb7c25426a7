// optim.swa.updateBn (torch.optim.swa_utils.update_bn): PyTorch 1.13's statistics, momenta, modes
// and eval-mode outputs on the cases of scripts/torch-parity/swa_update_bn.py (float64 within the
// float64 bound, float32 within a float32 error bound derived from a float64 reference of the
// layers before each BatchNorm); on random data, the statistics against the cumulative average
// written out here (the mean of the batches' means and of their unbiased variances); the loader
// forms; modes and momenta restored, also after a forward throws; the typed errors.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { batchNorm as bnRef, bounded, conv, flatten, linear, relu, type Bounded } from "../support/cnn-reference.js";
import { U32 } from "../support/tolerance.js";

const { nn, Tensor, ValueError, ShapeError } = eg;
const { updateBn, AveragedModel } = eg.optim.swa;
type Dt = "float32" | "float64";
const U64 = 2 ** -53;

interface Enc { shape: number[]; dtype: string; data: number[] }
interface Case {
  id: string; model: "mlp" | "cnn"; training: boolean; pairs: boolean;
  stateDict: Record<string, Enc>; stateDict2?: Record<string, Enc>; batches: Enc[];
  after: Record<string, Enc>; momenta: number[]; trainingAfter: boolean; test: Enc; evalOutput: Enc;
}
const cases = (JSON.parse(readFileSync(new URL("../parity/cases/swa-update-bn.json", import.meta.url), "utf8")) as { cases: Case[] }).cases;

const arr = (dtype: Dt, v: ArrayLike<number>) => (dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v));
const dec = (e: Enc, dtype: Dt): eg.Tensor => (e.dtype === "int32" ? new Tensor(Int32Array.from(e.data), "int32", e.shape) : eg.fromTypedArray(arr(dtype, e.data), e.shape));
/** An input: float32 values written with 10 digits, rounded back to them (also for a float64 model). */
const decInput = (e: Enc, dtype: Dt): eg.Tensor => eg.fromTypedArray(arr(dtype, e.data.map(Math.fround)), e.shape);
const decSd = (sd: Record<string, Enc>, dtype: Dt) => Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, dec(v, dtype)]));

function build(kind: "mlp" | "cnn", dtype: Dt): eg.nn.Sequential {
  return kind === "mlp"
    ? new nn.Sequential(new nn.Linear(5, 6, { dtype }), new nn.BatchNorm1d(6, { momentum: 0.3, dtype }), new nn.ReLU(), new nn.Linear(6, 3, { dtype }))
    : new nn.Sequential(new nn.Conv2d(2, 3, 3, { padding: 1, dtype }), new nn.BatchNorm2d(3, { momentum: 0.05, dtype }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(48, 2, { dtype }));
}

/** The first layer (Linear or Conv2d) in float64 with its float32 error bound: what the BatchNorm sees. */
function firstLayer(m: eg.nn.Sequential, x: Bounded): Bounded {
  const l = m.at(0);
  if (l instanceof nn.Linear) return linear(x, l.weight.data, l.bias!.data, l.outFeatures);
  const c = l as eg.nn.Conv2d;
  return conv(x, { weight: c.weight.data, weightShape: c.weight.shape, bias: c.bias!.data, stride: [1, 1], padBegin: [1, 1], padEnd: [1, 1], dilation: [1, 1], groups: 1 });
}

interface StatsRef { mean: Float64Array; variance: Float64Array; errMean: Float64Array; errVar: Float64Array }

/**
 * The cumulative average PyTorch's momentum None keeps, written out: running = mean over the
 * batches of each batch's per-channel mean and unbiased variance (a batch weighs 1 whatever its
 * size). With the bound of a float32 evaluation: each batch statistic moves by at most the mean
 * of its inputs' error bounds e (the mean) and (2Σ|z − m|·e + Σ(e + ē)²)/(n − 1) (the variance),
 * the float64 sums add (n + 4)·2⁻⁵³ of their magnitudes, and each of the B float32 stores of the
 * running value adds u·|running|.
 */
function cumulativeStats(zs: Bounded[], C: number, uStore: number): StatsRef {
  const mean = new Float64Array(C), variance = new Float64Array(C), errMean = new Float64Array(C), errVar = new Float64Array(C);
  zs.forEach((z, k) => {
    const N = z.shape[0], S = z.y.length / (N * C), n = N * S;
    for (let c = 0; c < C; c++) {
      const at = (i: number) => (Math.floor(i / S) * C + c) * S + (i % S);
      let s = 0, es = 0, amax = 0;
      for (let i = 0; i < n; i++) { s += z.y[at(i)]; es += z.err[at(i)]; amax = Math.max(amax, Math.abs(z.y[at(i)])); }
      const m = s / n, em = es / n;
      let ss = 0, dv = 0;
      for (let i = 0; i < n; i++) {
        const d = z.y[at(i)] - m, e = z.err[at(i)];
        ss += d * d; dv += 2 * Math.abs(d) * e + (e + em) ** 2;
      }
      const v = ss / (n - 1);
      const w = 1 / (k + 1);
      mean[c] += (m - mean[c]) * w;
      variance[c] += (v - variance[c]) * w;
      errMean[c] += (em + (n + 4) * U64 * 2 * amax - errMean[c]) * w;
      errVar[c] += (dv / (n - 1) + (n + 4) * U64 * 8 * amax * amax * n / (n - 1) - errVar[c]) * w;
      errMean[c] += uStore * Math.abs(mean[c]);
      errVar[c] += uStore * Math.abs(variance[c]);
    }
  });
  return { mean, variance, errMean, errVar };
}

/**
 * The eval-mode output in float64 from the statistics `s`, with the float32 bound: the layers'
 * (tests/support/cnn-reference.ts), twice the incoming error at a BatchNorm after a Conv2d (which
 * edgegrad folds into the convolution in eval mode: γ(k+4) against the γ(k+1) carried), and the
 * statistics' own errors through ∂y/∂mean = −s and ∂y/∂var = −(x − mean)·s/(2(var + eps)).
 */
function evalRef(m: eg.nn.Sequential, x: Bounded, s: StatsRef): Bounded {
  let h = firstLayer(m, x);
  const bn = m.at(1) as eg.nn.BatchNorm1d;
  const folded = m.at(0) instanceof nn.Conv2d, C = bn.numFeatures, plane = h.y.length / (h.shape[0] * C);
  const w = bn.weight!.data, b = bn.bias!.data, convBias = (m.at(0) as eg.nn.Linear).bias!.data;
  const out = bnRef({ ...h, err: h.err.map((e) => (folded ? 2 * e : e)) }, s.mean, s.variance, w, b, bn.eps);
  out.err = out.err.map((e, i) => {
    const c = Math.floor(i / plane) % C, sc = Math.abs(w[c]) / Math.sqrt(s.variance[c] + bn.eps);
    const stat = sc * s.errMean[c] + (Math.abs(h.y[i] - s.mean[c]) * sc / (2 * (s.variance[c] + bn.eps))) * s.errVar[c] * 1.01;
    return e + stat + (folded ? 8 * U32 * Math.abs(convBias[c] * sc) : 0);
  });
  h = relu(out);
  if (folded) h = flatten(h);
  const last = m.at(m.length - 1) as eg.nn.Linear;
  return linear(h, last.weight.data, last.bias!.data, last.outFeatures);
}

function expectWithinBound(who: string, got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number) => number) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= bound(i))) throw new Error(`${who}[${i}]: ${got[i]} vs ${want[i]} (bound ${bound(i)})`);
  }
}

const bns = (m: eg.nn.Module) => m.modules().filter((x): x is eg.nn.BatchNorm1d => x instanceof nn.BatchNorm1d || x instanceof nn.BatchNorm2d);

describe("updateBn agrees with PyTorch 1.13's update_bn (scripts/torch-parity/swa_update_bn.py)", () => {
  for (const c of cases) {
    for (const dtype of ["float64", "float32"] as const) {
      it(`${c.id} (${dtype})`, () => {
        const model = build(c.model, dtype);
        model.loadStateDict(decSd(c.stateDict, dtype));
        model.train(c.training);
        const batches = c.batches.map((e) => decInput(e, dtype));
        const loader = c.pairs ? batches.map((x) => [x, eg.zeros([x.shape[0]])] as [eg.Tensor, eg.Tensor]) : batches;
        let target = model;
        if (c.stateDict2) {
          // PyTorch's SWA example: AveragedModel of two snapshots, then update_bn on the average.
          const avg = new AveragedModel(model);
          avg.updateParameters(model);
          model.loadStateDict(decSd(c.stateDict2, dtype));
          avg.updateParameters(model);
          updateBn(loader, avg.module);
          target = avg.module;
        } else {
          updateBn(loader, model);
        }
        const sd = target.stateDict();
        expect(Array.from(sd["1.num_batches_tracked"].data)).toEqual(c.after["1.num_batches_tracked"].data);
        expect(bns(target).map((b) => b.momentum)).toEqual(c.momenta);
        expect(target.modules().every((m) => m.training === c.trainingAfter)).toBe(true);
        // Parameters untouched (the averaged ones for the SWA case).
        for (const k of Object.keys(c.after).filter((k) => !k.includes("running") && !k.includes("num_batches"))) {
          expectWithinBound(k, sd[k].data, c.after[k].data, (i) => 2 * U32 * Math.abs(c.after[k].data[i]));
        }
        // The statistics: PyTorch's (float64) equal the cumulative average written out here, and ours are within its bound.
        const uStore = dtype === "float32" ? U32 : U64;
        const zs = batches.map((x) => firstLayer(target, bounded(x.shape, x.data)));
        const C = (target.at(1) as eg.nn.BatchNorm1d).numFeatures;
        const ref = cumulativeStats(zs, C, uStore);
        const scale = dtype === "float32" ? 1 : U64 / U32; // the same analysis with float64's unit roundoff
        const tm = c.after["1.running_mean"].data, tv = c.after["1.running_var"].data;
        expectWithinBound("torch running_mean vs reference", tm, ref.mean, (i) => 64 * U64 * (Math.abs(ref.mean[i]) + ref.errMean[i] / U32));
        expectWithinBound("torch running_var vs reference", tv, ref.variance, (i) => 64 * U64 * (Math.abs(ref.variance[i]) + ref.errVar[i] / U32));
        expectWithinBound("running_mean", sd["1.running_mean"].data, tm, (i) => ref.errMean[i] * scale + 64 * U64 * Math.abs(tm[i]));
        expectWithinBound("running_var", sd["1.running_var"].data, tv, (i) => ref.errVar[i] * scale + 64 * U64 * Math.abs(tv[i]));
        // The eval-mode output from these statistics.
        target.eval();
        const x = decInput(c.test, dtype);
        const want = evalRef(target, bounded(x.shape, x.data), ref);
        const got = target.predict(x) as eg.Tensor;
        const po = c.evalOutput.data;
        expectWithinBound("eval output", got.data, po, (i) => (want.err[i] + U32 * Math.abs(po[i])) * scale + 64 * U64 * Math.abs(po[i]));
      });
    }
  }
});

/** A BatchNorm alone (1d over [N, C] or 2d over [N, C, H, W]) with random running statistics and momentum. */
function bnModel(two: boolean, C: number, momentum: number, dtype: Dt): eg.nn.Sequential {
  const bn = two ? new nn.BatchNorm2d(C, { momentum, dtype }) : new nn.BatchNorm1d(C, { momentum, dtype });
  bn.runningMean!.storage.fill(3);
  bn.runningVar!.storage.fill(0.25);
  bn.numBatchesTracked!.storage[0] = 11;
  return new nn.Sequential(bn);
}

const batchesArb = fc.record({
  two: fc.boolean(),
  C: fc.integer({ min: 1, max: 3 }),
  sizes: fc.array(fc.integer({ min: 2, max: 6 }), { minLength: 1, maxLength: 5 }),
  side: fc.integer({ min: 1, max: 3 }),
  shift: fc.double({ min: -50, max: 50, noNaN: true }),
  spread: fc.double({ min: 0.01, max: 10, noNaN: true }),
  seed: fc.integer({ min: 0, max: 2 ** 30 }),
  momentum: fc.double({ min: 0.01, max: 0.9, noNaN: true }),
  dtype: fc.constantFrom<Dt>("float32", "float64"),
  form: fc.constantFrom("tensors", "pairs", "batches"),
});

describe("updateBn: the cumulative average of the batches' statistics (independent reference)", () => {
  it("running mean/var = mean over batches of each batch's mean / unbiased variance; counters, momentum, mode", () => {
    fc.assert(fc.property(batchesArb, ({ two, C, sizes, side, shift, spread, seed, momentum, dtype, form }) => {
      const rng = new eg.Rng(seed);
      const rest = two ? [side, side + 1] : [];
      const xs = sizes.map((n) => {
        const shape = [n, C, ...rest], size = shape.reduce((a, b) => a * b, 1);
        return eg.fromTypedArray(arr(dtype, Array.from({ length: size }, () => shift + spread * rng.normal())), shape);
      });
      const m = bnModel(two, C, momentum, dtype).eval();
      const loader = form === "tensors" ? xs : form === "pairs" ? xs.map((x) => [x, eg.zeros([x.shape[0]])] as [eg.Tensor, eg.Tensor]) : xs.map((x) => ({ x }));
      updateBn(loader, m);
      const bn = m.at(0) as eg.nn.BatchNorm1d;
      // Inputs enter exactly (the data are the tensors'), so the only float32 error is the stores'.
      const ref = cumulativeStats(xs.map((x) => bounded(x.shape, x.data)), C, dtype === "float32" ? U32 : U64);
      expectWithinBound("running mean", bn.runningMean!.data, ref.mean, (i) => ref.errMean[i]);
      expectWithinBound("running var", bn.runningVar!.data, ref.variance, (i) => ref.errVar[i]);
      expect(Array.from(bn.numBatchesTracked!.data)).toEqual([sizes.length]);
      expect(bn.momentum).toBe(momentum);
      expect(m.training).toBe(false);
      expect(bn.training).toBe(false);
      // Equal batches: the mean of the batches' means is the mean over all rows.
      if (sizes.every((n) => n === sizes[0])) {
        const all = xs.flatMap((x) => Array.from(x.data)), S = all.length / (C * sizes.reduce((a, b) => a + b, 0));
        const rowsMean = (c: number) => {
          let s = 0, k = 0;
          for (const x of xs) for (let i = 0; i < x.size; i++) if (Math.floor(i / S) % C === c) { s += x.data[i]; k++; }
          return s / k;
        };
        for (let c = 0; c < C; c++) expect(Math.abs(bn.runningMean!.data[c] - rowsMean(c))).toBeLessThanOrEqual(ref.errMean[c] + 8 * U64 * Math.abs(ref.mean[c]) * all.length);
      }
    }), { numRuns: 80 });
  });
});

describe("updateBn: loader forms", () => {
  const data = () => {
    const rng = new eg.Rng(5);
    return eg.fromTypedArray(Float32Array.from({ length: 11 * 4 }, () => rng.normal() * 2 + 1), [11, 4]);
  };
  const stats = (m: eg.nn.Sequential) => [...m.at(0).buffers()].map((b) => Array.from(b.data));
  const run = (loader: Parameters<typeof updateBn>[0], o?: { batchSize?: number }) => {
    const m = new nn.Sequential(new nn.BatchNorm1d(4, { momentum: 0.2 }));
    updateBn(loader, m, o);
    return stats(m);
  };

  it("a Tensor with batchSize = its rows in order = [input, target] pairs = eg.data.batches = a generator", () => {
    const x = data();
    const parts = [x.slice([0, 4]), x.slice([4, 8]), x.slice([8, 11])];
    const want = run(parts);
    expect(want[2]).toEqual([3]);
    expect(run(x, { batchSize: 4 })).toEqual(want);
    expect(run(parts.map((p) => [p, eg.zeros([p.shape[0]])] as [eg.Tensor, eg.Tensor]))).toEqual(want);
    expect(run(eg.data.batches(x, undefined, { batchSize: 4 }))).toEqual(want);
    expect(run((function* () { yield* parts; })())).toEqual(want);
    // The statistics depend on the batch size.
    expect(run(x, { batchSize: 11 })[1]).not.toEqual(want[1]);
    expect(run(x, { batchSize: 11 })[2]).toEqual([1]);
  });

  it("an AveragedModel is updated through its copy, as PyTorch's update_bn(loader, swa_model)", () => {
    const x = data();
    const model = new nn.Sequential(new nn.Linear(4, 3, { seed: 1 }), new nn.BatchNorm1d(3), new nn.ReLU());
    const a = new AveragedModel(model), b = new AveragedModel(model);
    a.updateParameters(model);
    b.updateParameters(model);
    updateBn(x, a, { batchSize: 4 });
    updateBn(x, b.module, { batchSize: 4 });
    expect(a.module.stateDict()["1.running_var"].data).toEqual(b.module.stateDict()["1.running_var"].data);
    expect(Array.from(a.module.stateDict()["1.num_batches_tracked"].data)).toEqual([3]);
    // The model it was made from is untouched.
    expect(Array.from(model.stateDict()["1.num_batches_tracked"].data)).toEqual([0]);
  });
});

describe("updateBn: modes and momenta restored", () => {
  function net() {
    const bn1 = new nn.BatchNorm1d(3, { momentum: 0.25 }), bn2 = new nn.BatchNorm1d(2, { momentum: null });
    const m = new nn.Sequential(new nn.Linear(4, 3, { seed: 2 }), bn1, new nn.Dropout(0.5), new nn.Linear(3, 2, { seed: 3 }), bn2);
    return { m, bn1, bn2 };
  }
  const rows = (n: number, cols = 4, seed = 9) => eg.randn([n, cols], { seed });

  it("each module's own mode (a submodule frozen in eval stays so), each BatchNorm's momentum; the pass runs in train mode without grad", () => {
    const { m, bn1, bn2 } = net();
    m.train();
    bn2.eval();
    const modes = m.modules().map((x) => x.training);
    const seen: boolean[] = [];
    const spy = new nn.Sequential(m);
    const loader = (function* () {
      for (let i = 0; i < 3; i++) {
        seen.push(m.modules().every((x) => x.training), bn1.momentum === null && bn2.momentum === null, eg.isGradEnabled());
        yield rows(4, 4, i);
      }
    })();
    updateBn(loader, spy);
    // Each batch is read inside the pass: train mode, null momenta; gradients off during forward only.
    expect(seen.filter((_, i) => i % 3 === 0).slice(1)).toEqual([true, true]);
    expect(seen.filter((_, i) => i % 3 === 1).slice(1)).toEqual([true, true]);
    expect(seen.filter((_, i) => i % 3 === 2)).toEqual([true, false, false]);
    expect(m.modules().map((x) => x.training)).toEqual(modes);
    expect([bn1.momentum, bn2.momentum]).toEqual([0.25, null]);
    expect(Array.from(bn1.numBatchesTracked!.data)).toEqual([3]);
    expect(m.parameters().every((p) => p.grad === null)).toBe(true);
  });

  it("a forward that throws part way: the error propagates, momenta and modes are restored, the statistics are those of the batches before it", () => {
    const { m, bn1, bn2 } = net();
    m.eval();
    let closed = false;
    const first = rows(5);
    const loader = (function* () {
      try {
        yield first;
        yield rows(5, 7); // wrong width: Linear throws
        yield rows(5);
      } finally {
        closed = true;
      }
    })();
    expect(() => updateBn(loader, m)).toThrow(ShapeError);
    expect(closed).toBe(true);
    expect([bn1.momentum, bn2.momentum]).toEqual([0.25, null]);
    expect(m.modules().every((x) => !x.training)).toBe(true);
    expect(Array.from(bn1.numBatchesTracked!.data)).toEqual([1]);
    // One batch: its own mean (partial statistics, as the doc says).
    const ref = net();
    ref.m.loadStateDict(m.stateDict());
    ref.bn1.resetRunningStats();
    ref.bn2.resetRunningStats();
    updateBn([first], ref.m);
    expect(bn1.runningMean!.data).toEqual(ref.bn1.runningMean!.data);
  });

  it("a batch of no known form part way: ValueError naming it, and the same restoring", () => {
    const { m, bn1 } = net();
    expect(() => updateBn([rows(3), "oops" as unknown as eg.Tensor], m)).toThrow(/batch 1 of the loader is string/);
    expect(bn1.momentum).toBe(0.25);
    expect(m.training).toBe(true);
  });

  it("instance norms are not reset (PyTorch's update_bn touches _BatchNorm only): a train-mode forward moves them by their momentum", () => {
    const inorm = new nn.InstanceNorm1d(2, { trackRunningStats: true }), bn = new nn.BatchNorm1d(2);
    inorm.numBatchesTracked!.storage[0] = 5;
    const m = new nn.Sequential(inorm, bn).eval();
    const x = eg.randn([3, 2, 4], { seed: 1 });
    // The same forward by hand: the instance norm's statistics after one train-mode batch.
    const twin = new nn.InstanceNorm1d(2, { trackRunningStats: true });
    twin.forward(x);
    updateBn([x], m);
    expect(Array.from(inorm.numBatchesTracked!.data)).toEqual([5]); // instance norms do not count batches (PyTorch neither)
    expect(inorm.runningMean!.data).toEqual(twin.runningMean!.data);
    expect(inorm.momentum).toBe(0.1);
    expect(Array.from(bn.numBatchesTracked!.data)).toEqual([1]);
    expect(m.training).toBe(false);
  });

  it("a model without BatchNorm (or whose BatchNorms keep no statistics) returns at once, its loader unread", () => {
    let reads = 0;
    const loader = { *[Symbol.iterator]() { reads++; yield rows(2); } };
    const plain = new nn.Sequential(new nn.Linear(4, 2)).eval();
    updateBn(loader, plain);
    const untracked = new nn.Sequential(new nn.BatchNorm1d(4, { trackRunningStats: false })).eval();
    updateBn(loader, untracked);
    expect(reads).toBe(0);
    expect(untracked.training).toBe(false);
  });
});

describe("updateBn: typed errors, the model left as it was", () => {
  const model = () => new nn.Sequential(new nn.Linear(3, 2, { seed: 4 }), new nn.BatchNorm1d(2, { momentum: 0.4 }));
  const snapshot = (m: eg.nn.Sequential) => Object.entries(m.stateDict()).map(([k, v]) => [k, Array.from(v.data)]);

  it.each([
    ["a number", 3, /loader must be an iterable of batches or a Tensor, got number/],
    ["null", null, /got null/],
    ["a string", "abc", /got string/],
    ["a plain object", { x: 1 }, /got object/],
    ["an empty array", [], /the loader is empty/],
    ["an empty generator", (function* () {})(), /the loader is empty/],
    ["a first batch of no known form", [[1, 2]], /batch 0 of the loader is an array whose first element is number/],
    ["an object batch without a Tensor x", [{ y: 1 }], /batch 0 of the loader is object/],
  ])("loader: %s", (_, loader, msg) => {
    const m = model().eval();
    const before = snapshot(m);
    expect(() => updateBn(loader as unknown as eg.Tensor[], m)).toThrow(ValueError);
    expect(() => updateBn(loader as unknown as eg.Tensor[], m)).toThrow(msg);
    expect(snapshot(m)).toEqual(before);
    expect(m.training).toBe(false);
  });

  it("a Tensor loader: batchSize required and a positive integer, a batch axis, rows", () => {
    const m = model(), before = snapshot(m);
    expect(() => updateBn(eg.randn([4, 3]), m)).toThrow(ValueError);
    expect(() => updateBn(eg.randn([4, 3]), m, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => updateBn(eg.randn([4, 3]), m, { batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => updateBn(eg.tensor(1), m, { batchSize: 2 })).toThrow(/0-d/);
    expect(() => updateBn(eg.zeros([0, 3]), m, { batchSize: 2 })).toThrow(/empty/);
    expect(snapshot(m)).toEqual(before);
  });

  it("unknown options, batchSize with a loader of batches, a model that is not a Module", () => {
    const m = model(), x = eg.randn([4, 3]);
    expect(() => updateBn(x, m, { batchSize: 2, device: "cpu" } as never)).toThrow(/unknown option "device"/);
    expect(() => updateBn([x], m, { batchSize: 2 })).toThrow(/batchSize applies to a Tensor loader only/);
    expect(() => updateBn([x], { forward: () => x } as never)).toThrow(/model must be an nn Module/);
    expect(() => updateBn([x], m, null as never)).toThrow(ValueError);
    expect(Array.from((m.at(1) as eg.nn.BatchNorm1d).numBatchesTracked!.data)).toEqual([0]);
  });
});
