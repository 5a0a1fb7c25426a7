// Weight averaging: AveragedModel's SWA and EMA against the averages computed in float64 from
// the snapshots it was given, the per-tensor and in-place paths, buffers, the deep copy; SWALR
// against PyTorch's recursive get_lr written out here.
import { describe, expect, it } from "vitest";
import { fromTypedArray, nn, optim, randn, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";

const U32 = 2 ** -24;
const { AveragedModel, SWALR, getEmaAvgFn, getEmaMultiAvgFn, getSwaAvgFn } = optim.swa;

function net(seed: number) {
  return new nn.Sequential(new nn.Linear(3, 4, { seed }), new nn.ReLU(), new nn.Linear(4, 2, { seed: seed + 1 }));
}
/** Sets every parameter of `m` to fresh random values and returns them in float64. */
function perturb(m: nn.Sequential, rng: Rng): Float64Array[] {
  return m.parameters().map((p) => {
    for (let i = 0; i < p.size; i++) p.storage[i] = rng.normal();
    return Float64Array.from(p.storage);
  });
}
/** Element-wise comparison with a bound of `steps` float32 roundings of the largest magnitude seen. */
function expectClose(got: Tensor[], want: Float64Array[], scale: Float64Array[], steps: number) {
  got.forEach((t, k) => t.data.forEach((v, i) => {
    const tol = 2 * steps * U32 * scale[k][i];
    if (!(Math.abs(v - want[k][i]) <= tol)) throw new Error(`tensor ${k}[${i}] = ${v}, reference ${want[k][i]}, tol ${tol}`);
  }));
}

describe("AveragedModel", () => {
  it("SWA (default): the equal average of every model passed to updateParameters", () => {
    const model = net(1), rng = new Rng(2);
    const avg = new AveragedModel(model);
    const snaps: Float64Array[][] = [];
    for (let k = 1; k <= 6; k++) {
      snaps.push(perturb(model, rng));
      avg.updateParameters(model);
      const mean = snaps[0].map((a, j) => a.map((_, i) => snaps.reduce((s, sn) => s + sn[j][i], 0) / k));
      const scale = snaps[0].map((a, j) => a.map((_, i) => Math.max(...snaps.map((sn) => Math.abs(sn[j][i])))));
      expectClose(avg.parameters(), mean, scale, k);
      expect(avg.nAveraged).toBe(k);
    }
  });

  it("EMA (getEmaMultiAvgFn / getEmaAvgFn): e₁ = θ₁, e ← d·e + (1−d)·θ", () => {
    const decay = 0.9;
    const model = net(3), rng = new Rng(4);
    const multi = new AveragedModel(model, { multiAvgFn: getEmaMultiAvgFn(decay) });
    const perTensor = new AveragedModel(model, { avgFn: getEmaAvgFn(decay) });
    let ema: Float64Array[] = [], scale: Float64Array[] = [];
    for (let k = 1; k <= 6; k++) {
      const snap = perturb(model, rng);
      ema = k === 1 ? snap : ema.map((e, j) => e.map((v, i) => decay * v + (1 - decay) * snap[j][i]));
      scale = k === 1 ? snap.map((a) => a.map(Math.abs)) : scale.map((s, j) => s.map((v, i) => Math.max(v, Math.abs(snap[j][i]))));
      multi.updateParameters(model);
      perTensor.updateParameters(model);
      expectClose(multi.parameters(), ema, scale, 2 * k);
      expectClose(perTensor.parameters(), ema, scale, 3 * k);
    }
  });

  it("a custom avgFn is applied per tensor; getSwaAvgFn matches the in-place default", () => {
    const model = net(5), rng = new Rng(6);
    const latest = new AveragedModel(model, { avgFn: (_a, c) => c.mul(2) });
    const swa = new AveragedModel(model, { avgFn: getSwaAvgFn() }), dflt = new AveragedModel(model);
    for (let k = 0; k < 3; k++) {
      const snap = perturb(model, rng);
      for (const a of [latest, swa, dflt]) a.updateParameters(model);
      // The first update copies; later ones apply avgFn.
      latest.parameters().forEach((p, j) => expect(Array.from(p.data)).toEqual(Array.from(Float32Array.from(snap[j], (v) => (k === 0 ? v : 2 * v)))));
    }
    expectClose(swa.parameters(), dflt.parameters().map((p) => Float64Array.from(p.data)), dflt.parameters().map((p) => Float64Array.from(p.data, Math.abs)), 4);
  });

  it("holds a deep copy of the model's class: independent parameters, same forward", () => {
    const model = net(7);
    const avg = new AveragedModel(model);
    expect(avg.module).toBeInstanceOf(nn.Sequential);
    expect(avg.module.at(0)).toBeInstanceOf(nn.Linear);
    avg.parameters().forEach((p, i) => {
      expect(p).not.toBe(model.parameters()[i]);
      expect(p.storage).not.toBe(model.parameters()[i].storage);
    });
    // The copy's Linear keeps weight and its registered parameter as one tensor.
    expect((avg.module.at(0) as nn.Linear).weight).toBe(avg.parameters()[0]);
    const x = randn([5, 3], { seed: 8 });
    avg.updateParameters(model);
    expect(Array.from(avg.forward(x).data)).toEqual(Array.from(model.forward(x).data));
    perturb(model, new Rng(9));
    expect(Array.from(avg.forward(x).data)).not.toEqual(Array.from(model.forward(x).data));
  });

  /** A model with a float and an integer buffer, as BatchNorm has (running mean, batch count). */
  class WithBuffers {
    w = fromTypedArray(Float32Array.of(0, 0));
    runningMean = fromTypedArray(Float32Array.of(0));
    count = fromTypedArray(Int32Array.of(0));
    parameters() { return [this.w]; }
    buffers() { return [this.runningMean, this.count]; }
    forward(x: Tensor) { return x.mul(this.w); }
  }

  it("useBuffers averages buffers too (integers truncated); without it they follow the model", () => {
    const m = new WithBuffers();
    const withB = new AveragedModel(m, { useBuffers: true }), without = new AveragedModel(m);
    const seq = [[1, 4, 3], [3, 8, 4], [8, 30, 6]];
    for (const [w, mean, count] of seq) {
      m.w.storage.set([w, -w]); m.runningMean.storage[0] = mean; m.count.storage[0] = count;
      withB.updateParameters(m); without.updateParameters(m);
    }
    expect(Array.from(withB.module.w.data)).toEqual([4, -4]);
    expect(withB.module.runningMean.data[0]).toBe(14);
    // 3 → trunc(3 + (4−3)/2) = 3 → trunc(3 + (6−3)/3) = 4
    expect(withB.module.count.data[0]).toBe(4);
    expect(Array.from(without.module.w.data)).toEqual([4, -4]);
    expect(without.module.runningMean.data[0]).toBe(30);
    expect(without.module.count.data[0]).toBe(6);
  });

  it("bad input: typed errors, the average unchanged", () => {
    const model = net(10);
    const avg = new AveragedModel(model);
    avg.updateParameters(model);
    const before = avg.parameters().map((p) => Array.from(p.data));
    expect(() => avg.updateParameters(new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 3)))).toThrow(ShapeError);
    expect(() => avg.updateParameters(new nn.Sequential(new nn.Linear(3, 4)))).toThrow(/2 tensors, this one 4|4 tensors, this one 2/);
    expect(avg.parameters().map((p) => Array.from(p.data))).toEqual(before);
    expect(avg.nAveraged).toBe(1);
    expect(() => new AveragedModel(model, { mode: "ema" } as never)).toThrow(/unknown option "mode"/);
    expect(() => new AveragedModel(model, { useBuffers: 1 } as never)).toThrow(ValueError);
    expect(() => new AveragedModel({} as never)).toThrow(ValueError);
    expect(() => getEmaMultiAvgFn(1.5)).toThrow(/decay must be in \[0, 1\]/);
  });
});

/** PyTorch's SWALR.get_lr, step by step, from the group's current lr (float64). */
function torchSwalr(start: number, swa: number, annealEpochs: number, strategy: "cos" | "linear", epochs: number): number[] {
  const f = strategy === "cos" ? (t: number) => (1 - Math.cos(Math.PI * t)) / 2 : (t: number) => t;
  const out: number[] = [];
  let lr = start;
  for (let stepCount = 1; stepCount <= epochs; stepCount++) {
    let step = stepCount - 1;
    if (annealEpochs === 0) step = Math.max(1, step);
    const prevAlpha = f(Math.max(0, Math.min(1, (step - 1) / Math.max(1, annealEpochs))));
    const prevLr = prevAlpha === 1 ? swa : (lr - prevAlpha * swa) / (1 - prevAlpha);
    const alpha = f(Math.max(0, Math.min(1, step / Math.max(1, annealEpochs))));
    lr = swa * alpha + prevLr * (1 - alpha);
    out.push(lr);
  }
  return out;
}

describe("SWALR", () => {
  const p = () => { const t = fromTypedArray(Float32Array.of(1)); t.requiresGrad = true; return t; };
  for (const strategy of ["cos", "linear"] as const) {
    for (const annealEpochs of [0, 1, 5]) {
      it(`${strategy}, annealEpochs ${annealEpochs}: PyTorch's recursion, per group`, () => {
        const opt = new optim.SGD([{ params: [p()], lr: 0.1 }, { params: [p()], lr: 0.02 }]);
        const s = new SWALR(opt, { swaLr: [0.05, 0.01], annealEpochs, annealStrategy: strategy });
        const want = [torchSwalr(0.1, 0.05, annealEpochs, strategy, 12), torchSwalr(0.02, 0.01, annealEpochs, strategy, 12)];
        for (let e = 0; e < 12; e++) {
          if (e > 0) s.step();
          opt.paramGroups.forEach((g, i) => expect(Math.abs(g.lr - want[i][e])).toBeLessThanOrEqual(8 * 2 ** -53 * Math.max(0.1, want[i][e])));
          expect(s.getLastLr()).toEqual(opt.paramGroups.map((g) => g.lr));
        }
      });
    }
  }

  it("anneals from the lr another schedule left, not the initial one", () => {
    const opt = new optim.SGD([p()], { lr: 1 });
    const cos = new optim.lr.CosineAnnealingLR(opt, { tMax: 10 });
    for (let e = 0; e < 4; e++) cos.step();
    const current = opt.lr;
    expect(current).toBeLessThan(1);
    new SWALR(opt, { swaLr: 0.05, annealEpochs: 3 });
    expect(opt.lr).toBe(current);
  });

  it("bad options → ValueError", () => {
    const opt = new optim.SGD([p()], { lr: 1 });
    expect(() => new SWALR(opt, { swaLr: 0.1, annealStrategy: "exp" as never })).toThrow(/annealStrategy must be "cos" or "linear"/);
    expect(() => new SWALR(opt, { swaLr: 0.1, annealEpochs: -1 })).toThrow(/annealEpochs must be an integer ≥ 0/);
    expect(() => new SWALR(opt, { swaLr: [0.1, 0.2] })).toThrow(/one per group/);
    expect(() => new SWALR(opt, { swaLr: 0.1, swaLR: 1 } as never)).toThrow(/unknown option "swaLR"/);
    expect(opt.lr).toBe(1);
    expect(opt.paramGroups[0].initialLr).toBeUndefined();
  });
});
