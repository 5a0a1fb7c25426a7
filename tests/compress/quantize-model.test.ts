// The int8 model against an independent reference in integer arithmetic: x quantized with
// ONNX QuantizeLinear (quantizeLinearArray), Σ (q − z)·w in int32, + int32 bias, then one float32
// multiply by fround(s_x·s_w[j]) — equal bit for bit, on every backend, static and dynamic.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  activationParams, fakeQuantize, Int8LinearLayer, minMaxObserver, movingAverageObserver, percentileObserver,
  quantizeLinearArray, quantizeModel, roundHalfToEven,
} from "../../src/compress/index.js";
import { fromTypedArray, tensor } from "../../src/ndarray/index.js";
import { Dropout, Linear, ReLU, Sequential, predict, type Module } from "../../src/nn/index.js";
import { ValueError } from "../../src/errors.js";
import * as eg from "../../src/index.js";

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** One int8 layer computed from its stored integers, independently of the kernels. */
function refLayer(l: Int8LinearLayer, x: Float32Array, m: number): Float32Array {
  const k = l.inFeatures, n = l.outFeatures;
  let p = l.input;
  if (!p) {
    let lo = Infinity, hi = -Infinity;
    for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    p = activationParams(lo, hi, "ref");
  }
  const q = quantizeLinearArray(x, [m, k], p.scale, p.zeroPoint, { dtype: "uint8" });
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    const s = Math.fround(p.scale * l.weightScale[j]);
    let acc = l.bias ? roundHalfToEven(l.bias[j] / s) : 0;
    for (let t = 0; t < k; t++) acc = (acc + Math.imul(q[i * k + t] - p.zeroPoint, l.weight[j * k + t])) | 0;
    const v = Math.fround(Math.fround(acc) * s);
    y[i * n + j] = l.relu && v < 0 ? 0 : v;
  }
  return y;
}

function mlp(seed: number, dims: number[]): Sequential {
  const s = new Sequential();
  for (let i = 0; i + 1 < dims.length; i++) {
    s.add(new Linear(dims[i], dims[i + 1], { seed: seed + i }));
    if (i + 2 < dims.length) { s.add(new ReLU()); s.add(new Dropout(0.3)); }
  }
  return s;
}

describe("quantizeModel", () => {
  it("equals the integer reference layer by layer, static and dynamic, any batch size", () => {
    fc.assert(fc.property(fc.record({
      m: fc.integer({ min: 1, max: 11 }), k: fc.integer({ min: 1, max: 21 }), h: fc.integer({ min: 1, max: 19 }),
      o: fc.integer({ min: 1, max: 9 }), dynamic: fc.boolean(), seed: fc.nat(),
    }), ({ m, k, h, o, dynamic, seed }) => {
      const r = lcg(seed);
      const model = mlp(seed, [k, h, o]);
      const calib = fromTypedArray(Float32Array.from({ length: 8 * k }, () => r() * 6 - 3), [8, k]);
      const qm = quantizeModel(model, dynamic ? {} : { calibration: calib });
      const x = Float32Array.from({ length: m * k }, () => r() * 8 - 4);   // wider than calibrated: saturation too
      const [l1, l2] = qm.layers as Int8LinearLayer[];
      const want = refLayer(l2, refLayer(l1, x, m), m);
      const got = qm.forward(fromTypedArray(x, [m, k])).data;
      expect(Array.from(got)).toEqual(Array.from(want));
    }), { numRuns: 100 });
  });

  it("stays close to the float model and works with nn.predict; int8 bytes ≈ a quarter", () => {
    const model = mlp(5, [40, 32, 10]);
    const r = lcg(9);
    const x = fromTypedArray(Float32Array.from({ length: 200 * 40 }, () => r() * 2 - 1), [200, 40]);
    const qm = quantizeModel(model, { calibration: x, observer: "percentile" });
    const yf = predict(model, x).data, yq = predict(qm, x).data;
    let err = 0, mag = 0;
    for (let i = 0; i < yf.length; i++) { err = Math.max(err, Math.abs(yf[i] - yq[i])); mag = Math.max(mag, Math.abs(yf[i])); }
    expect(err).toBeLessThan(0.05 * mag);
    expect(qm.bytes()).toBeLessThan(0.3 * 4 * qm.parameterCount());
  });

  it("observers: min-max, moving average (c = 0.01), percentile", () => {
    const mm = minMaxObserver(); mm.observe([1, -2]); mm.observe([5]);
    expect(mm.range()).toEqual([-2, 5]);
    const ma = movingAverageObserver(); ma.observe([0, 10]); ma.observe([-100, 110]);
    expect(ma.range()).toEqual([-1, 11]);
    const pc = percentileObserver({ percentile: 99 });
    pc.observe(Float32Array.from({ length: 1000 }, (_, i) => i));
    expect(pc.range()).toEqual([10, 989]);
    expect(() => minMaxObserver().range()).toThrow(ValueError);
    expect(() => mm.observe([NaN])).toThrow(ValueError);
  });

  it("throws typed errors: bad mode, static without calibration, unknown or unused options, non-models", () => {
    const model = mlp(1, [3, 2]);
    const calibration = tensor([[1, 2, 3]]);
    expect(() => quantizeModel(model, { activations: "weird" as "static" })).toThrow(ValueError);
    expect(() => quantizeModel(model, { activations: "static" })).toThrow(/calibration/);
    expect(() => quantizeModel(model, { calibration, observer: "median" as "minmax" })).toThrow(ValueError);
    expect(() => quantizeModel(model, { calibration, batchsize: 8 } as never)).toThrow(/unknown option "batchsize"/);
    expect(() => quantizeModel(model, { activations: "dynamic", calibration })).toThrow(/calibration only apply to static/);
    expect(() => quantizeModel(model, { observer: "minmax" })).toThrow(/observer only apply to static/);
    expect(() => quantizeModel(new ReLU())).toThrow(/expected an nn.Sequential, nn.Linear, nn.Conv1d or nn.Conv2d, got ReLU/);
    expect(() => quantizeModel(new Sequential(new Linear(2, 2), new Sequential(new ReLU())))).toThrow(/nested Sequential at layer 1/);
  });

  it("a bare Linear quantizes as a one-layer model", () => {
    const r = lcg(3);
    const lin = new Linear(7, 5, { seed: 4 });
    const x = Float32Array.from({ length: 6 * 7 }, () => r() * 4 - 2);
    for (const o of [{}, { calibration: fromTypedArray(x, [6, 7]) }]) {
      const qm = quantizeModel(lin, o);
      const [l] = qm.layers as Int8LinearLayer[];
      expect(qm.layers.length).toBe(1);
      expect(l.relu).toBe(false);
      expect(Array.from(qm.forward(fromTypedArray(x, [6, 7])).data)).toEqual(Array.from(refLayer(l, x, 6)));
    }
  });
});

const INT32_MAX = 2 ** 31 - 1;

/**
 * The headroom rule written out: a bias quantized for s_x·s_w plus the largest accumulator the
 * channel's int8 weights allow for a uint8 input with zero point z (Σ|w|·max(z, 255 − z)) fits int32
 * (or the bias rounds to 0).
 */
function biasFits(b: number, sx: number, sw: number, w: ArrayLike<number>, z: number): boolean {
  const q = roundHalfToEven(b / Math.fround(sx * sw));
  let abs = 0;
  for (let t = 0; t < w.length; t++) abs += Math.abs(w[t]);
  return q === 0 || Math.abs(q) + abs * Math.max(z, 255 - z) <= INT32_MAX;
}

/**
 * An int8 Linear from its stored integers with the accumulator in exact float64 (never wrapped):
 * throws if any accumulator + bias leaves int32. Dynamic input scales are doubled until every
 * channel's bias fits (the rule above), the zero point kept.
 */
function inputParams(l: Int8LinearLayer, x: Float32Array): { scale: number; zeroPoint: number } {
  if (l.input) return l.input;
  const k = l.inFeatures;
  let lo = Infinity, hi = -Infinity;
  for (const v of x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const p = { ...activationParams(lo, hi, "ref") };
  for (let j = 0; j < l.outFeatures; j++) while (l.bias && !biasFits(l.bias[j], p.scale, l.weightScale[j], l.weight.subarray(j * k, (j + 1) * k), p.zeroPoint)) p.scale *= 2;
  return p;
}

function exactLayer(l: Int8LinearLayer, x: Float32Array, m: number): Float32Array {
  const k = l.inFeatures, n = l.outFeatures, p = inputParams(l, x);
  const q = quantizeLinearArray(x, [m, k], p.scale, p.zeroPoint, { dtype: "uint8" });
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    const s = Math.fround(p.scale * l.weightScale[j]);
    let acc = l.bias ? roundHalfToEven(l.bias[j] / s) : 0;
    for (let t = 0; t < k; t++) acc += (q[i * k + t] - p.zeroPoint) * l.weight[j * k + t];
    if (Math.abs(acc) > INT32_MAX) throw new Error(`exactLayer: accumulator ${acc} of row ${i}, channel ${j} leaves int32`);
    const v = Math.fround(Math.fround(acc) * s);
    y[i * n + j] = l.relu && v < 0 ? 0 : v;
  }
  return y;
}

describe("int32 headroom: a bias large next to s_x·s_w", () => {
  it("a channel whose bias would overflow int32 gets a larger weight scale (static) or input scale (dynamic); the others keep theirs; integer reference exact", () => {
    // Channel 0: ordinary; channel 1: weights ±0.001, bias 0.5 → 0.5 / (s_x·s_w) ≈ 1.6e10 with the usual scales.
    const lin = new Linear(2, 2);
    lin.weight.storage.set([0.8, -0.3, 0.001, -0.001]);
    lin.bias!.storage.set([0.1, 0.5]);
    const x = tensor([[0.001, 0], [0, 0.001], [0.0005, 0.0002]]);   // inside the calibrated range: rounding, no saturation
    const xs = x.data as Float32Array;
    for (const calibrated of [true, false]) {
      const q = quantizeModel(new Sequential(lin), calibrated ? { calibration: tensor([[0.001, 0], [0, 0.001]]) } : {});
      const [l] = q.layers as Int8LinearLayer[];
      // Channel 0 keeps the plain symmetric scale max|w|/127 (and its codes); channel 1's grows until the bias fits.
      expect(l.weightScale[0]).toBe(Math.fround(0.8 / 127));
      expect(Array.from(l.weight.subarray(0, 2))).toEqual([127, roundHalfToEven(Math.fround(-0.3) / Math.fround(0.8 / 127))]);
      if (calibrated) {
        expect(l.weightScale[1]).toBeGreaterThan(Math.fround(0.001) / 127);
        expect(biasFits(0.5, l.input!.scale, l.weightScale[1], l.weight.subarray(2, 4), l.input!.zeroPoint)).toBe(true);
      } else expect(l.weightScale[1]).toBe(Math.fround(Math.fround(0.001) / 127));
      const got = q.forward(x).data as Float32Array;
      expect(Array.from(got)).toEqual(Array.from(exactLayer(l, xs, 3)));
      // Near the float layer: each term's weight and input rounding (|x|·s_w/2 + |w|·s_x/2 + s_x·s_w/4), the bias's (s_x·s_w/2), float32 output.
      const sx = inputParams(l, xs).scale;
      if (!calibrated) expect(sx).toBeGreaterThan(activationParams(0, 0.001, "range").scale);   // the dynamic path did widen
      const yf = eg.noGrad(() => lin.forward(x)).data;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
        const sw = l.weightScale[j];
        let bound = sx * sw / 2 + 2 ** -23 * Math.abs(yf[i * 2 + j]);
        for (let t = 0; t < 2; t++) bound += Math.abs(xs[i * 2 + t]) * sw / 2 + Math.abs(lin.weight.data[j * 2 + t]) * sx / 2 + sx * sw / 4;
        expect(Math.abs(got[i * 2 + j] - yf[i * 2 + j])).toBeLessThanOrEqual(bound);
      }
    }
  });

  it("models that never need it keep their scales bit for bit (random MLPs: every channel's scale is max|w|/127)", () => {
    const model = mlp(17, [9, 7, 4]);
    const qm = quantizeModel(model, { calibration: fromTypedArray(Float32Array.from({ length: 40 * 9 }, (_, i) => Math.sin(i)), [40, 9]) });
    (qm.layers as Int8LinearLayer[]).forEach((l, li) => {
      const w = (model.parameters()[2 * li].data as Float32Array);
      for (let j = 0; j < l.outFeatures; j++) {
        let mx = 0;
        for (let t = 0; t < l.inFeatures; t++) mx = Math.max(mx, Math.abs(w[j * l.inFeatures + t]));
        expect(l.weightScale[j]).toBe(Math.fround(mx / 127));
      }
    });
  });
});

/** Rows of x [m × k] that hold a NaN or ±∞. */
const badRows = (x: Float32Array, m: number, k: number) =>
  Array.from({ length: m }, (_, i) => i).filter((i) => x.subarray(i * k, (i + 1) * k).some((v) => !Number.isFinite(v)));

describe("non-finite inputs (float, static int8 and dynamic int8 models agree)", () => {
  const special = fc.constantFrom(NaN, Infinity, -Infinity);
  it("a row with a NaN (int8: or ±∞) gives a NaN row; the other rows are what they are without it", () => {
    fc.assert(fc.property(fc.record({
      m: fc.integer({ min: 1, max: 9 }), seed: fc.nat(), hits: fc.array(fc.tuple(fc.nat(), special), { minLength: 1, maxLength: 6 }),
    }), ({ m, seed, hits }) => {
      const k = 6, n = 4, r = lcg(seed);
      const model = mlp(seed, [k, 5, n]);
      model.eval();
      const x = Float32Array.from({ length: m * k }, () => r() * 4 - 2);
      const calibration = fromTypedArray(x.slice(), [m, k]);
      for (const [at, v] of hits) x[at % (m * k)] = v;
      const bad = badRows(x, m, k);
      const good = Array.from({ length: m }, (_, i) => i).filter((i) => !bad.includes(i));
      const goodX = Float32Array.from(good.flatMap((i) => Array.from(x.subarray(i * k, (i + 1) * k))));
      const nanRows = bad.filter((i) => x.subarray(i * k, (i + 1) * k).some((v) => v !== v));
      const variants: [string, Module, number[]][] = [
        ["float", model, nanRows],
        ["static int8", quantizeModel(model, { calibration }), bad],
        ["dynamic int8", quantizeModel(model), bad],
      ];
      for (const [name, net, mustBeNaN] of variants) {
        const y = predict(net, fromTypedArray(x, [m, k])).data;
        const alone = good.length > 0 ? predict(net, fromTypedArray(goodX, [good.length, k])).data : new Float32Array(0);
        for (const i of mustBeNaN) {
          if (!y.subarray(i * n, (i + 1) * n).every((v) => v !== v)) throw new Error(`${name}: row ${i} is not all NaN`);
        }
        good.forEach((i, g) => {
          const row = Array.from(y.subarray(i * n, (i + 1) * n)), want = Array.from(alone.subarray(g * n, (g + 1) * n));
          if (row.some((v, j) => !Object.is(v, want[j]))) throw new Error(`${name}: finite row ${i} changed: ${row} vs ${want}`);
        });
      }
    }), { numRuns: 60 });
  });
});

describe("fakeQuantize", () => {
  it("forward is dequantize(quantize(x)); the gradient passes only inside the range (STE)", () => {
    const x = tensor([-3, -0.26, 0.25, 0.75, 1.3, 9], { requiresGrad: true });
    const y = fakeQuantize(x, 0.5, 0, { dtype: "int8" });
    // /0.5 → −6, −0.52→−1, 0.5→0 (even), 1.5→2 (even), 2.6→3, 18; int8 range holds all.
    expect(Array.from(y.data)).toEqual([-3, -0.5, 0, 1, 1.5, 9]);
    const z = fakeQuantize(x, 0.05, 0, { dtype: "int8" });   // ±6.35 max: −3 ok, 9 clamps to 6.35
    expect(z.data[5]).toBeCloseTo(6.35, 5);
    z.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(() => fakeQuantize(x, 0)).toThrow(ValueError);
    expect(() => fakeQuantize(x, 1, 300)).toThrow(ValueError);
    expect(() => fakeQuantize(tensor([[1, 2]]), [1, 2], [0, 0], { axis: 2 })).toThrow(ValueError);
  });
});
