// A differential sweep of the activations and the initializers against PyTorch 1.13: values and
// gradients at the kinks, thresholds, large |x| and ±∞ (numbers from PyTorch, float64), the
// refusals PyTorch makes (typed errors here), init_ on views, and each layer's default bounds.
import { describe, expect, it } from "vitest";
import { DTypeError, nn, Rng, Tensor, tensor, ValueError, zeros } from "../../src/index.js";
import { U32 } from "../support/tolerance.js";

const { init } = nn;
const U64 = 2 ** -53;

describe("activations at kinks, thresholds, large |x| and ±∞ (PyTorch 1.13, float64)", () => {
  // [call, x, PyTorch's y, PyTorch's dy/dx] from F.<name>(x).backward(ones) in float64. Left out on
  // purpose: relu's and the ELU family's gradient at NaN, hardswish's gradient at exactly 3 (PyTorch
  // gives 1.5 on its scalar path and 1 on its vector path), hardswish(−∞) (PyTorch: NaN, the limit
  // here: 0) and softsign's gradient at ±∞ (PyTorch: NaN, here 0). hardsigmoid's gradient inside
  // (−3, 3) is the exact 1/6 (PyTorch's float64 one is float32's 1/6, 0.1666666716337204).
  const table: [string, (x: Tensor) => Tensor, number[], number[], number[]][] = [
    ["leakyRelu(x, 0.2)", (x) => nn.leakyRelu(x, 0.2), [-Infinity, -10000.0, -0, 0, 1e-300, 3.0, Infinity],
      [-Infinity, -2000.0, -0, 0, 1e-300, 3.0, Infinity],
      [0.2, 0.2, 0.2, 0.2, 1.0, 1.0, 1.0]],
    ["elu(x, 0.5)", (x) => nn.elu(x, 0.5), [-Infinity, -1000.0, -1.0, 0, 2.0, Infinity],
      [-0.5, -0.5, -0.31606027941427883, 0, 2.0, Infinity],
      [0, 0, 0.18393972058572117, 0.5, 1.0, 1.0]],
    ["selu(x)", nn.selu, [-Infinity, -1000.0, -1.0, 0, 1000.0, Infinity],
      [-1.7580993408473766, -1.7580993408473766, -1.1113307378125625, 0, 1050.7009873554805, Infinity],
      [0, 0, 0.646768603034814, 1.7580993408473766, 1.0507009873554805, 1.0507009873554805]],
    ["celu(x, 2)", (x) => nn.celu(x, 2), [-Infinity, -1000.0, -2.0, 0, 1000.0, Infinity],
      [-2.0, -2.0, -1.2642411176571153, 0, 1000.0, Infinity],
      [0, 7.124576406741286e-218, 0.36787944117144233, 1.0, 1.0, 1.0]],
    ["softplus(x)", (x) => nn.softplus(x), [-Infinity, -1000.0, -20.0, 0, 20.0, 20.000000000000004, 100.0, Infinity],
      [0, 0, 2.061153620314381e-09, 0.6931471805599453, 20.000000002061153, 20.000000000000004, 100.0, Infinity],
      [0, 0, 2.0611536181902033e-09, 0.5, 0.9999999979388464, 1.0, 1.0, 1.0]],
    ["softplus(x, { beta: 2, threshold: 5 })", (x) => nn.softplus(x, { beta: 2, threshold: 5 }), [-100.0, 2.5, 2.5000000000000004, 10.0],
      [6.919482633683688e-88, 2.503357674244559, 2.5000000000000004, 10.0],
      [1.3838965267367376e-87, 0.9933071490757152, 1.0, 1.0]],
    ["softplus(x, { beta: -1, threshold: 20 })", (x) => nn.softplus(x, { beta: -1, threshold: 20 }), [-100.0, -20.0, -20.000000000000004, 0, 100.0],
      [-100.0, -20.000000002061153, -20.000000000000004, -0.6931471805599453, -3.720075976020836e-44],
      [1.0, 0.9999999979388464, 1.0, 0.5, 3.720075976020836e-44]],
    ["logSigmoid(x)", nn.logSigmoid, [-Infinity, -1000.0, -100.0, 0, 100.0, 1000.0, Infinity],
      [-Infinity, -1000.0, -100.0, -0.6931471805599453, -3.720075976020836e-44, 0, 0],
      [1.0, 1.0, 1.0, 0.5, 3.720075976020836e-44, 0, 0]],
    ["mish(x)", nn.mish, [-1000.0, -100.0, -1.0, 0, 100.0, Infinity],
      [-0, -3.7200759760208363e-42, -0.30340146137410895, 0, 100.0, Infinity],
      [0, -3.682875216260627e-42, 0.059216755877395014, 0.6, 1.0, NaN]],
    ["silu(x)", nn.silu, [-1000.0, -100.0, 0, 100.0, Infinity],
      [-0, -3.720075976020836e-42, 0, 100.0, Infinity],
      [-0, -3.682875216260627e-42, 0.5, 1.0, NaN]],
    ["hardtanh(x, { minVal: -0.5, maxVal: 2 })", (x) => nn.hardtanh(x, { minVal: -0.5, maxVal: 2 }),
      [-Infinity, -0.5, -0.49999999999999994, 2.0, 1.9999999999999998, Infinity],
      [-0.5, -0.5, -0.49999999999999994, 2.0, 1.9999999999999998, 2.0],
      [0, 0, 1.0, 0, 1.0, 0]],
    ["hardswish(x)", nn.hardswish, [-3.0000000000000004, -3.0, 0, 2.9999999999999996, 3.0000000000000004, Infinity],
      [-0, -0, 0, 2.9999999999999996, 3.0000000000000004, Infinity],
      [0, -0.5, 0.5, 1.5, 1.0, 1.0]],
    ["hardsigmoid(x)", nn.hardsigmoid, [-Infinity, -3.0, -2.9999999999999996, 2.9999999999999996, 3.0, Infinity],
      [0, 0, 7.401486830834377e-17, 1.0, 1.0, 1.0],
      [0, 0, 1 / 6, 1 / 6, 0, 0]],
    ["softsign(x)", nn.softsign, [-1e+300, -1.0, 0, 1.0, 1e+300],
      [-1.0, -0.5, 0, 0.5, 1.0],
      [0, 0.25, 1.0, 0.25, 0]],
    // At −5 the values are mpmath's (40 digits): PyTorch's float64 1 + erf and 1 + tanh cancel
    // there (−1.4332578593401202e-6 and −2.2917961972623857e-7, 4e-11 and 3e-10 off).
    ["gelu(x)", (x) => nn.gelu(x), [-Infinity, -5.0, 0, 1.0, 1000.0, Infinity],
      [NaN, -1.433257859395969558e-06, 0, 0.841344746068543, 1000.0, Infinity],
      [NaN, -7.146946001792294628e-06, 0.5, 1.0833154705876864, 1.0, NaN]],
    ["gelu(x, { approximate: \"tanh\" })", (x) => nn.gelu(x, { approximate: "tanh" }), [-Infinity, -5.0, 0, 1.0, 1000.0, Infinity],
      [NaN, -2.291796196629506046e-07, 0, 0.8411919906082768, 1000.0, Infinity],
      [NaN, -1.546361987532594596e-06, 0.5, 1.0829640838457826, 1.0, NaN]],
  ];
  // A few libm calls in float64 on each side, each within an ulp or two: 16 ulps of the result.
  const near = (got: number, want: number) =>
    (Number.isNaN(got) && Number.isNaN(want)) || got === want || Math.abs(got - want) <= 16 * U64 * Math.abs(want);
  for (const [name, fn, xs, ys, gs] of table) {
    it(name, () => {
      const x = tensor(xs, { dtype: "float64", requiresGrad: true });
      const y = fn(x);
      y.backward(tensor(xs.map(() => 1), { dtype: "float64" }));
      const bad: string[] = [];
      xs.forEach((v, i) => {
        if (!near(y.data[i], ys[i])) bad.push(`y(${v}) = ${y.data[i]}, PyTorch ${ys[i]}`);
        if (!near(x.grad!.data[i], gs[i])) bad.push(`y'(${v}) = ${x.grad!.data[i]}, PyTorch ${gs[i]}`);
      });
      expect(bad).toEqual([]);
    });
  }
});

describe("activations refuse what they cannot read, with typed errors", () => {
  it("leakyRelu, elu, gelu and dropout name a non-Tensor input (was: TypeError x.astype is not a function)", () => {
    for (const f of [() => nn.leakyRelu([1, 2] as never), () => nn.elu([1, 2] as never), () => nn.gelu([1, 2] as never),
      () => nn.functional.dropout([1, 2] as never, 0.5, { seed: 1 })]) {
      expect(f).toThrow(ValueError);
      expect(f).toThrow(/input must be a Tensor/);
    }
  });
  it("F.relu, sigmoid, tanh, softmax, logSoftmax and their modules name a non-Tensor input (was: a ShapeError about 4294967296 elements, or a TypeError)", () => {
    // PyTorch 1.13: F.relu([1, -2]) raises "relu(): argument 'input' (position 1) must be Tensor, not list".
    const F = nn.functional;
    for (const [name, f] of [["relu", F.relu], ["sigmoid", F.sigmoid], ["tanh", F.tanh], ["softmax", F.softmax], ["logSoftmax", F.logSoftmax],
      ["ReLU", (x: Tensor) => new nn.ReLU().forward(x)], ["Sigmoid", (x: Tensor) => new nn.Sigmoid().forward(x)],
      ["Tanh", (x: Tensor) => new nn.Tanh().forward(x)], ["Softmax", (x: Tensor) => new nn.Softmax(0).forward(x)],
      ["LogSoftmax", (x: Tensor) => new nn.LogSoftmax(0).forward(x)]] as const) {
      expect(() => f([1, -2] as never), name).toThrow(new RegExp(`^${name}: input must be a Tensor$`));
      expect(() => f(null as never), name).toThrow(ValueError);
    }
  });
  it("LeakyReLU and ELU check their number when made, as CELU and Softplus do (an options object was accepted until forward)", () => {
    expect(() => new nn.LeakyReLU({ negativeSlope: 0.2 } as never)).toThrow(/LeakyReLU: negativeSlope must be a finite number, got \{"negativeSlope":0.2\}/);
    expect(() => new nn.ELU(NaN)).toThrow(/ELU: alpha must be a finite number, got NaN/);
    expect(new nn.LeakyReLU(0.2).negativeSlope).toBe(0.2);
    expect(new nn.ELU(0).forward(tensor([-1, 2])).toArray()).toEqual([-0, 2]); // α = 0 is relu, as PyTorch
  });
  it("hardtanh refuses bounds that are not numbers (strings compared as strings and clamped to garbage)", () => {
    // PyTorch 1.13: F.hardtanh(x, "a", "b") raises a TypeError.
    expect(() => nn.hardtanh(zeros([2]), { minVal: "a", maxVal: "b" } as never)).toThrow(/hardtanh: minVal and maxVal must be numbers, got string, string/);
    expect(() => new nn.Hardtanh({ maxVal: "2" } as never)).toThrow(ValueError);
  });
});

/** Expects t's elements, in order, to be (2u − 1)·bound for the uniforms u of rng, to float32 rounding. */
function expectUniformStream(t: Tensor, rng: Rng, bound: number, what: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const want = (2 * rng.uniform() - 1) * bound;
    if (!(Math.abs(d[i] - want) <= U32 * bound)) throw new Error(`${what}[${i}]: got ${d[i]}, want ${want} (bound ${bound})`);
  }
}

describe("init_ on a view writes the view's own elements, as PyTorch's", () => {
  it("rows, columns and a transpose (was: the first elements of the storage)", () => {
    // PyTorch 1.13: w = torch.zeros(4, 3); nn.init.constant_(w[2:4], 5) fills rows 2 and 3.
    const w = zeros([4, 3]);
    init.constant(w.slice([2, 4]), 5);
    expect(Array.from(w.data)).toEqual([0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5]);
    const c = zeros([3, 4]);
    init.ones(c.slice(null, [1, 3]));
    expect(Array.from(c.data)).toEqual([0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
    // The draws land in the view's element order, with the view's fans ([4, 3]: fanIn 3).
    const base = zeros([3, 4]);
    const view = init.heUniform(base.T, { seed: 4 });
    expectUniformStream(view, new Rng(4), Math.sqrt(6 / 3), "heUniform(w.T)");
    expect(Array.from(base.data)).toEqual(Array.from(view.T.data));
  });
  it("orthogonal per gate of a recurrent weight (the common nn.init.orthogonal_(w[h:2h]) idiom)", () => {
    const h = 3, w = zeros([2 * h, h], { dtype: "float64" });
    init.orthogonal(w.slice([h, 2 * h]), { seed: 1 });
    const gate = init.orthogonal(zeros([h, h], { dtype: "float64" }), { seed: 1 });
    expect(Array.from(w.data)).toEqual([...new Array(h * h).fill(0), ...Array.from(gate.data)]);
    init.xavierUniform(w.slice([0, h]), { seed: 2 });
    expectUniformStream(w.slice([0, h]), new Rng(2), Math.sqrt(6 / (2 * h)), "xavierUniform(w[0:h])");
    expect(Array.from(w.slice([h, 2 * h]).data)).toEqual(Array.from(gate.data));
  });
});

describe("initializers refuse what PyTorch refuses, with typed errors", () => {
  it("random initializers refuse integer tensors and non-tensors (PyTorch: \"check_uniform_bounds\" not implemented for 'Int')", () => {
    const int = () => zeros([3, 3], { dtype: "int32" });
    for (const [name, f] of [
      ["xavierUniform", init.xavierUniform], ["xavierNormal", init.xavierNormal], ["heUniform", init.heUniform],
      ["heNormal", init.heNormal], ["lecunUniform", init.lecunUniform], ["lecunNormal", init.lecunNormal],
      ["uniform", init.uniform], ["normal", init.normal], ["orthogonal", init.orthogonal],
    ] as const) {
      expect(() => f(int(), { seed: 1 }), name).toThrow(DTypeError);
      expect(() => f(int(), { seed: 1 }), name).toThrow(new RegExp(`init.${name}: expected a float32 or float64 tensor, got int32`));
      expect(() => f(undefined as never), name).toThrow(/got undefined/);
    }
    // constant_ fills an integer tensor in PyTorch too (constant_(int32, 2.7) gives 2s).
    expect(Array.from(init.constant(zeros([3], { dtype: "int32" }), 2.7).data)).toEqual([2, 2, 2]);
    expect(() => init.zeros(null as never)).toThrow(/init: expected a Tensor, got null/);
  });
  it("uniform refuses low > high and infinite bounds; normal a negative or NaN std", () => {
    // PyTorch 1.13: "uniform_ expects to return a [from, to) range, but found from=1 > to=0",
    // "from is out of bounds for float" (−∞), "normal expects std >= 0.0, but found std -1" (and nan).
    expect(() => init.uniform(zeros([3]), { low: 1, high: 0 })).toThrow(/init.uniform: low and high must be finite with low ≤ high, got 1, 0/);
    expect(() => init.uniform(zeros([3]), { low: -Infinity, high: 0 })).toThrow(ValueError);
    expect(() => init.uniform(zeros([3]), { low: NaN })).toThrow(ValueError);
    expect(Array.from(init.uniform(zeros([3]), { low: 1, high: 1, seed: 1 }).data)).toEqual([1, 1, 1]); // PyTorch: ones
    expect(() => init.normal(zeros([3]), { std: -1 })).toThrow(/init.normal: std must be ≥ 0, got -1/);
    expect(() => init.normal(zeros([3]), { std: NaN })).toThrow(ValueError);
    expect(Array.from(init.normal(zeros([3]), { mean: 2, std: 0, seed: 1 }).data)).toEqual([2, 2, 2]);
  });
});

describe("default initialization of layers: PyTorch's bounds, replayed from the seeded stream", () => {
  it("ConvTranspose2d with groups: U(±1/√(out/groups·kH·kW)) for weight [in, out/groups, kH, kW] and bias", () => {
    // PyTorch's _calculate_fan_in_and_fan_out reads dim 1 of this layout: fanIn = (6/2)·3·2 = 18.
    const m = new nn.ConvTranspose2d(4, 6, [3, 2], { groups: 2, seed: 5 });
    expect(m.weight.shape).toEqual([4, 3, 3, 2]);
    const rng = new Rng(5);
    expectUniformStream(m.weight, rng, 1 / Math.sqrt(18), "weight");
    expectUniformStream(m.bias!, rng, 1 / Math.sqrt(18), "bias");
  });
  it("Conv1d with groups: U(±1/√(in/groups·k))", () => {
    const m = new nn.Conv1d(6, 4, 5, { groups: 2, seed: 6 });
    const rng = new Rng(6);
    expectUniformStream(m.weight, rng, 1 / Math.sqrt(15), "weight");
    expectUniformStream(m.bias!, rng, 1 / Math.sqrt(15), "bias");
  });
  it("MultiheadAttention: xavier_uniform in_proj [3E, E] (bound √(6/4E)), out_proj Linear's U(±1/√E), zero biases", () => {
    const E = 8, m = new nn.MultiheadAttention(E, 2, { seed: 7 });
    const rng = new Rng(7);
    expectUniformStream(m.inProjWeight!, rng, Math.sqrt(6 / (4 * E)), "in_proj_weight");
    expectUniformStream(m.outProj.weight, rng, 1 / Math.sqrt(E), "out_proj.weight");
    expect(Array.from(m.inProjBias!.data).every((v) => v === 0)).toBe(true);
    expect(Array.from(m.outProj.bias!.data).every((v) => v === 0)).toBe(true);
    // kdim/vdim: q [E, E], k [E, kdim], v [E, vdim], each xavier_uniform with its own fans.
    const s = new nn.MultiheadAttention(E, 2, { kdim: 5, vdim: 3, seed: 8 });
    const r2 = new Rng(8);
    expectUniformStream(s.qProjWeight!, r2, Math.sqrt(6 / (E + E)), "q_proj_weight");
    expectUniformStream(s.kProjWeight!, r2, Math.sqrt(6 / (E + 5)), "k_proj_weight");
    expectUniformStream(s.vProjWeight!, r2, Math.sqrt(6 / (E + 3)), "v_proj_weight");
  });
  it("Embedding: N(0, 1), the paddingIdx row zero (−1 is the last row, as PyTorch)", () => {
    const m = new nn.Embedding(4, 3, { paddingIdx: -1, seed: 11, dtype: "float64" });
    const rng = new Rng(11), want = Array.from({ length: 12 }, () => rng.normal());
    want.fill(0, 9);
    expect(Array.from(m.weight.data)).toEqual(want);
  });
  it("GRU: every parameter U(±1/√hidden), in registration order", () => {
    const m = new nn.GRU(3, 4, { seed: 9 });
    const rng = new Rng(9);
    for (const [name, p] of Object.entries(m.stateDict())) expectUniformStream(p, rng, 1 / 2, name);
  });
  it("xavierNormal's sample std of a conv weight is gain·√(2/(fanIn + fanOut)) within its sampling error", () => {
    // [64, 32, 3, 3]: fanIn 288, fanOut 576; n = 18432 draws, sd of the sample variance ≈ √(2/n).
    const t = init.xavierNormal(zeros([64, 32, 3, 3], { dtype: "float64" }), { seed: 10, gain: 2 });
    const d = t.data, n = d.length;
    let s2 = 0;
    for (let i = 0; i < n; i++) s2 += d[i] * d[i];
    const want = 4 * 2 / (288 + 576);
    expect(Math.abs(s2 / n / want - 1)).toBeLessThan(6 * Math.sqrt(2 / n));
  });
});
