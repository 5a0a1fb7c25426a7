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
