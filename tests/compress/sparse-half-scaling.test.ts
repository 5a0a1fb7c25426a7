// The sparse inference model against the float model, a model stored as F16/BF16 and loaded
// back, and dynamic loss scaling.
import { describe, expect, it } from "vitest";
import { DynamicLossScaler, magnitudePrune, sparsify } from "../../src/compress/index.js";
import { fromTypedArray, tensor } from "../../src/ndarray/index.js";
import { Linear, ReLU, Sequential, predict } from "../../src/nn/index.js";
import { SGD } from "../../src/optim/index.js";
import { loadSafetensors, saveSafetensors } from "../../src/io/index.js";
import { ValueError } from "../../src/errors.js";
import * as eg from "../../src/index.js";
import { gemmTol } from "../support/tolerance.js";

const x = fromTypedArray(Float32Array.from({ length: 37 * 30 }, (_, i) => Math.sin(i * 0.37) * 2), [37, 30]);

describe("sparsify", () => {
  it("runs pruned layers on CSR (auto by density) with the float model's outputs", () => {
    const model = new Sequential(new Linear(30, 20, { seed: 1 }), new ReLU(), new Linear(20, 5, { seed: 2 }));
    magnitudePrune(model, { sparsity: 0.9, scope: "layer", filter: (n) => n === "0.weight" });
    const sm = sparsify(model);
    expect(sm.layers.map((l) => l.kind)).toEqual(["sparse", "dense"]);
    const want = predict(model, x).data, got = predict(sm, x).data;
    // Bound per output: the last layer's derived GEMM bound on inputs that carry the first's error.
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(gemmTol(60, want[i], 31) * 30);
    expect(sm.nonZeroCount()).toBe(60 + 20 + 100 + 5);
    expect(sparsify(model, { format: "sparse" }).layers.map((l) => l.kind)).toEqual(["sparse", "sparse"]);
    expect(() => sparsify(model, { format: "csr" as "auto" })).toThrow(ValueError);
  });
});

describe("reduced precision", () => {
  it("a model saved with F16 and BF16 weights loads back within half-precision rounding", () => {
    const model = new Sequential(new Linear(30, 8, { seed: 3 }), new ReLU(), new Linear(8, 3, { seed: 4 }));
    for (const [dtype, u] of [["F16", 2 ** -11], ["BF16", 2 ** -8]] as const) {
      const bytes = saveSafetensors(model.stateDict(), { dtype });
      // 2 bytes instead of 4 for each of the 283 parameters (headers differ by a few bytes of padding).
      expect(saveSafetensors(model.stateDict()).length - bytes.length).toBeGreaterThanOrEqual(2 * 283 - 16);
      const copy = new Sequential(new Linear(30, 8), new ReLU(), new Linear(8, 3));
      copy.loadStateDict(loadSafetensors(bytes));
      const a = model.stateDict(), b = copy.stateDict();
      for (const k of Object.keys(a)) {
        a[k].data.forEach((v, i) => expect(Math.abs(b[k].data[i] - v)).toBeLessThanOrEqual(Math.abs(v) * u + 2 ** -24));
      }
    }
  });

  it("dynamic loss scaling: skip + halve on overflow, grow after N good steps", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    const s = new DynamicLossScaler({ initScale: 8, growthInterval: 2 });
    const step = (g: number[]) => { w.grad = tensor(g.map((v) => v * s.scale)); return s.step(opt, [w]); };
    expect(step([1, 1])).toBe(true);
    expect(Array.from(w.data)).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(step([Infinity, 1])).toBe(false);      // overflow: no update, scale halves
    expect(Array.from(w.data)).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(s.scale).toBe(4);
    step([1, 1]); step([1, 1]);
    expect(s.scale).toBe(8);
    expect(s.skipped).toBe(1);
    const l = s.scaleLoss(tensor(2));
    expect(l.item()).toBe(16);
    expect(() => new DynamicLossScaler({ initScale: 0 })).toThrow(ValueError);
    expect(() => new DynamicLossScaler({ backoffFactor: 1 })).toThrow(ValueError);
  });

  it("dynamic loss scaling refuses non-finite or non-numeric settings, and its scale never grows to ∞ nor shrinks to 0", () => {
    for (const o of [{ growthFactor: Infinity }, { growthFactor: NaN }, { growthFactor: "3" as unknown as number }, { growthFactor: 1 },
      { backoffFactor: NaN }, { backoffFactor: -Infinity }, { backoffFactor: "0.5" as unknown as number }, { initScale: Infinity },
      { initScale: "8" as unknown as number }, { growthInterval: Infinity }, { growthInterval: NaN }, { growthInterval: 1.5 }]) {
      const [key, value] = Object.entries(o)[0];
      expect(() => new DynamicLossScaler(o)).toThrow(ValueError);
      expect(() => new DynamicLossScaler(o)).toThrow(new RegExp(`${key} must be .*, got ${String(value)}`));
    }
    const w = tensor([1], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0 });
    // Growth by 2^100 every step from 2^900: 2^1000 is the last finite one, then the scale stays there.
    const up = new DynamicLossScaler({ initScale: 2 ** 900, growthFactor: 2 ** 100, growthInterval: 1 });
    for (let i = 0; i < 3; i++) { w.grad = tensor([0]); expect(up.step(opt, [w])).toBe(true); }
    expect(up.scale).toBe(2 ** 1000);
    // Backoff by 2^-600 on every overflow from 2^-400: 2^-1000 is the last positive one.
    const down = new DynamicLossScaler({ initScale: 2 ** -400, backoffFactor: 2 ** -600 });
    for (let i = 0; i < 3; i++) { w.grad = tensor([Infinity]); expect(down.step(opt, [w])).toBe(false); }
    expect(down.scale).toBe(2 ** -1000);
    expect(down.skipped).toBe(3);
  });

  it("dynamic loss scaling names a missing or wrong argument, before any gradient is divided", () => {
    const w = eg.tensor([1, 2], { requiresGrad: true });
    const opt = new eg.optim.SGD([w], { lr: 0.1 });
    const s = new eg.compress.DynamicLossScaler({ initScale: 8 });
    w.grad = eg.tensor([8, 16]);
    const calls: [() => unknown, string][] = [
      [() => s.step(opt, undefined as never), "DynamicLossScaler.step: params must be an array of Tensors (the optimizer's parameters), got undefined"],
      [() => s.step(opt, w as never), "DynamicLossScaler.step: params must be an array of Tensors (the optimizer's parameters), got a Tensor"],
      [() => s.step(opt, [w, [1, 2]] as never), "DynamicLossScaler.step: params[1] must be a Tensor, got an array"],
      [() => s.step(null as never, [w]), "DynamicLossScaler.step: optimizer must be an object with a step() method, got null"],
      [() => s.step({} as never, [w]), "DynamicLossScaler.step: optimizer must be an object with a step() method, got an object"],
      [() => s.scaleLoss(5 as never), "DynamicLossScaler.scaleLoss: loss must be a Tensor, got a number (5)"],
    ];
    for (const [call, message] of calls) {
      expect(call).toThrow(eg.ValueError);
      expect(call).toThrow(message);
    }
    expect(Array.from(w.grad!.data)).toEqual([8, 16]);
    expect([s.scale, s.goodSteps, s.skipped]).toEqual([8, 0, 0]);
  });
});
