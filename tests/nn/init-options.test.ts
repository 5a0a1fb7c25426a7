// Kaiming/Xavier options with PyTorch's semantics: calculate_gain, mode, nonlinearity, a, gain,
// conv-style fans for ≥ 3-D weights. Draws are compared with the same generator's stream scaled
// by the documented bound/std written out here.
import { describe, expect, it } from "vitest";
import { nn, zeros, Rng, ValueError, Tensor } from "../../src/index.js";
import { U32 } from "../support/tolerance.js";

const { init } = nn;

/** Expects t to hold (2u − 1)·bound for the uniforms u of Rng(seed), to float32 rounding. */
function expectUniformDraws(t: Tensor, seed: number, bound: number): void {
  const rng = new Rng(seed);
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const want = (2 * rng.uniform() - 1) * bound;
    if (!(Math.abs(d[i] - want) <= 4 * U32 * bound)) throw new Error(`element ${i}: got ${d[i]}, want ${want}`);
  }
}
function expectNormalDraws(t: Tensor, seed: number, std: number): void {
  const rng = new Rng(seed);
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const want = rng.normal() * std;
    if (!(Math.abs(d[i] - want) <= 4 * U32 * Math.abs(want) + 1e-30)) throw new Error(`element ${i}: got ${d[i]}, want ${want}`);
  }
}

describe("calculateGain (torch.nn.init.calculate_gain)", () => {
  it("gives PyTorch's documented gains", () => {
    expect(init.calculateGain("linear")).toBe(1);
    expect(init.calculateGain("conv2d")).toBe(1);
    expect(init.calculateGain("sigmoid")).toBe(1);
    expect(init.calculateGain("tanh")).toBe(5 / 3);
    expect(init.calculateGain("relu")).toBe(Math.sqrt(2));
    expect(init.calculateGain("leaky_relu")).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculateGain("leaky_relu", 0.2)).toBe(Math.sqrt(2 / (1 + 0.04)));
    expect(init.calculateGain("selu")).toBe(3 / 4);
    expect(() => init.calculateGain("swish" as never)).toThrow(ValueError);
  });
});

describe("Kaiming (He) with mode, nonlinearity and a", () => {
  // A conv weight [out 6, in 5, 3, 3]: fanIn = 5·9 = 45, fanOut = 6·9 = 54.
  const conv = () => zeros([6, 5, 3, 3]);
  it("the default is fan_in with leaky_relu(a = 0), i.e. relu's √2: U(±√(6/fanIn))", () => {
    expectUniformDraws(init.heUniform(conv(), { seed: 1 }), 1, Math.sqrt(6 / 45));
    expectNormalDraws(init.heNormal(conv(), { seed: 2 }), 2, Math.sqrt(2 / 45));
  });
  it("mode fan_out uses out·receptive field", () => {
    expectUniformDraws(init.kaimingUniform(conv(), { seed: 3, mode: "fan_out" }), 3, Math.sqrt(6 / 54));
    expectNormalDraws(init.kaimingNormal(conv(), { seed: 4, mode: "fan_out", nonlinearity: "relu" }), 4, Math.sqrt(2 / 54));
  });
  it("nonlinearity and a set the gain: bound = √3·gain/√fan, std = gain/√fan", () => {
    const g = Math.sqrt(2 / (1 + 0.3 * 0.3));
    expectUniformDraws(init.heUniform(conv(), { seed: 5, a: 0.3 }), 5, Math.sqrt(3) * g / Math.sqrt(45));
    expectUniformDraws(init.heUniform(conv(), { seed: 6, nonlinearity: "tanh", mode: "fan_out" }), 6, Math.sqrt(3) * (5 / 3) / Math.sqrt(54));
    expectNormalDraws(init.heNormal(conv(), { seed: 7, nonlinearity: "selu" }), 7, 0.75 / Math.sqrt(45));
    expectNormalDraws(init.heNormal(zeros([4, 9]), { seed: 8, nonlinearity: "linear" }), 8, 1 / 3);
  });
  it("refuses an unknown mode, an unknown key, and gain together with nonlinearity", () => {
    expect(() => init.heUniform(conv(), { mode: "fan_avg" as never })).toThrow(/mode/);
    expect(() => init.heUniform(conv(), { nonLinearity: "relu" } as never)).toThrow(/unknown option "nonLinearity"/);
    expect(() => init.heNormal(conv(), { gain: 2, nonlinearity: "relu" })).toThrow(ValueError);
    expect(() => init.heNormal(conv(), { nonlinearity: "gelu" as never })).toThrow(ValueError);
  });
});

describe("Xavier gain and option checks of the other initializers", () => {
  it("xavier: U(±gain·√(6/(fanIn + fanOut))), N(0, gain²·2/(fanIn + fanOut)) with conv fans", () => {
    expectUniformDraws(init.xavierUniform(zeros([6, 5, 3, 3]), { seed: 9, gain: 5 / 3 }), 9, (5 / 3) * Math.sqrt(6 / 99));
    expectNormalDraws(init.xavierNormal(zeros([7, 3]), { seed: 10, gain: 0.5 }), 10, 0.5 * Math.sqrt(2 / 10));
  });
  it("unknown keys throw for every initializer with options", () => {
    const t = zeros([3, 3]);
    expect(() => init.xavierUniform(t, { mode: "fan_in" } as never)).toThrow(/unknown option "mode"/);
    expect(() => init.lecunNormal(t, { a: 1 } as never)).toThrow(/unknown option "a"/);
    expect(() => init.uniform(t, { a: 0, b: 1 } as never)).toThrow(/unknown option "a"/);
    expect(() => init.normal(t, { sd: 1 } as never)).toThrow(/unknown option "sd"/);
    expect(() => init.orthogonal(t, { seed: 1, scale: 2 } as never)).toThrow(/unknown option "scale"/);
  });
});
