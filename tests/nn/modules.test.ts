// Module behaviour: PyTorch names in stateDict, safe loading, modes, Sequential fusion,
// Dropout, initializers' distributions, erf accuracy.
import { describe, expect, it } from "vitest";
import { linear, nn, noGrad, randn, tensor, zeros, DTypeError, Rng, ShapeError, ValueError, type Tensor } from "../../src/index.js";

const F = nn.functional;
const mlp = () => new nn.Sequential(new nn.Linear(4, 8, { seed: 1 }), new nn.ReLU(), new nn.Dropout(0.5, { seed: 2 }), new nn.Linear(8, 3, { seed: 3 }));

describe("Module", () => {
  it("names parameters like PyTorch and round-trips stateDict into another model", () => {
    const a = mlp(), b = mlp();
    expect(a.namedParameters().map(([n, p]) => [n, p.shape])).toEqual([["0.weight", [8, 4]], ["0.bias", [8]], ["3.weight", [3, 8]], ["3.bias", [3]]]);
    b.parameters().forEach((p) => p.storage.fill(0));
    const params = b.parameters();
    b.loadStateDict(a.stateDict());
    expect(b.parameters()).toEqual(params); // same tensor objects: optimizers stay valid
    a.parameters().forEach((p, i) => expect(Array.from(b.parameters()[i].data)).toEqual(Array.from(p.data)));
  });

  it("loadStateDict rejects bad keys or shapes without changing anything", () => {
    const m = mlp();
    const before = m.parameters().map((p) => Array.from(p.data));
    const sd = m.stateDict();
    const bad = { ...sd, "0.weight": zeros([8, 4]), "3.bias": zeros([4]) };
    expect(() => m.loadStateDict(bad)).toThrow(ShapeError);
    expect(() => m.loadStateDict({ ...sd, extra: zeros([1]) })).toThrow(ValueError);
    const { ["3.bias"]: _drop, ...missing } = sd;
    expect(() => m.loadStateDict(missing)).toThrow(/missing keys \[3.bias\]/);
    m.parameters().forEach((p, i) => expect(Array.from(p.data)).toEqual(before[i]));
    expect(() => m.loadStateDict(missing, { strict: false })).not.toThrow();
  });

  it("loadStateDict returns { missingKeys, unexpectedKeys } as PyTorch, and strict must be a boolean", () => {
    const m = mlp(), src = mlp();
    const { ["3.bias"]: _drop, ...sd } = src.stateDict();
    // Non-strict: the keys present are loaded, the others reported.
    expect(m.loadStateDict({ ...sd, extra: zeros([1]) }, { strict: false })).toEqual({ missingKeys: ["3.bias"], unexpectedKeys: ["extra"] });
    expect(Array.from((m.at(0) as nn.Linear).weight.data)).toEqual(Array.from((src.at(0) as nn.Linear).weight.data));
    expect(m.loadStateDict(src.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    for (const bad of ["no", 0, 1, null]) {
      expect(() => m.loadStateDict(sd, { strict: bad as never })).toThrow(ValueError);
      expect(() => m.loadStateDict(sd, { strict: bad as never })).toThrow(`loadStateDict: strict must be a boolean, got ${JSON.stringify(bad)}`);
    }
  });

  it("train()/eval() reach every descendant; Dropout is the identity in eval", () => {
    const m = mlp();
    m.eval();
    expect(m.modules().every((x) => !x.training)).toBe(true);
    const x = randn([5, 4], { seed: 4 });
    expect(Array.from(m.forward(x).data)).toEqual(Array.from(m.forward(x).data));
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
  });

  it("Sequential fuses Linear+ReLU into one op with the same values and gradients as separate ops", () => {
    const m = new nn.Sequential(new nn.Linear(5, 7, { seed: 1 }), new nn.ReLU(), new nn.Linear(7, 2, { seed: 2 }));
    const x = randn([9, 5], { seed: 3 });
    const y = m.forward(x);
    const names: string[] = [];
    const walk = (t: typeof y) => { if (t.gradFn) { names.push(t.gradFn.name); t.gradFn.inputs.forEach(walk); } };
    walk(y);
    expect(names).toContain("linearRelu");
    expect(names).not.toContain("relu");
    y.sum().backward();
    const fused = m.parameters().map((p) => Array.from(p.grad!.data));
    m.zeroGrad();
    const [l1, , l2] = [...m] as [nn.Linear, nn.ReLU, nn.Linear];
    const y2 = l2.forward(l1.forward(x).relu());
    expect(Array.from(y2.data)).toEqual(Array.from(y.data));
    y2.sum().backward();
    m.parameters().forEach((p, i) => expect(Array.from(p.grad!.data)).toEqual(fused[i]));
  });

  it("Linear refuses unknown option keys, a non-float dtype and a bias initializer without a bias", () => {
    expect(() => new nn.Linear(2, 2, { bais: false } as never)).toThrow(/Linear: unknown option "bais"/);
    expect(() => new nn.Linear(2, 2, { dtype: "int32" as "float32" })).toThrow(DTypeError);
    expect(() => new nn.Linear(2, 2, { bias: false, biasInit: "zeros" })).toThrow(ValueError);
    expect(new nn.Linear(2, 2, { bias: false, dtype: "float64", seed: 1 }).weight.dtype).toBe("float64");
  });

  it("Linear checks its input's feature count with a ShapeError", () => {
    expect(() => new nn.Linear(3, 2).forward(zeros([4, 5]))).toThrow(ShapeError);
    expect(() => new nn.Linear(0, 2)).toThrow(ValueError);
  });

  it("Dropout zeroes about p of the elements, scales survivors by 1/(1−p), and is reproducible by seed", () => {
    const x = tensor(new Array(20000).fill(1));
    const y = new nn.Dropout(0.3, { seed: 5 }).forward(x).data;
    const kept = Array.from(y).filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.7)]));
    // binomial: mean 0.7·n, sd √(n·0.21) ≈ 65; allow 5 sd
    expect(Math.abs(kept.length - 14000)).toBeLessThan(5 * 65);
    expect(Array.from(new nn.Dropout(0.3, { seed: 5 }).forward(x).data)).toEqual(Array.from(y));
  });

  it("p = 1 multiplies by 0 in training, gradient too, and is the identity in eval, as PyTorch; p must be a number in [0, 1]", () => {
    const values = [1, -2, NaN, Infinity, 0, 3];
    const times0 = values.map((v) => v * 0); // torch: input * 0 (NaN, ±∞ give NaN; -2 gives -0)
    for (const run of [(x: Tensor) => new nn.Dropout(1).forward(x), (x: Tensor) => F.dropout(x, 1), (x: Tensor) => nn.dropout(x, 1, new Rng(1))]) {
      const x = tensor(values, { requiresGrad: true });
      const y = run(x);
      expect(Array.from(y.data)).toEqual(times0);
      y.sum().backward();
      expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 0, 0, 0]);
    }
    const x = tensor(values);
    expect(new nn.Dropout(1).eval().forward(x)).toBe(x);
    expect(F.dropout(x, 1, { training: false })).toBe(x);
    const refusals: [() => unknown, string][] = [
      [() => new nn.Dropout("0.5" as never), 'Dropout: probability must be a number in [0, 1], got "0.5" (string)'],
      [() => F.dropout(x, "0.5" as never), 'dropout: probability must be a number in [0, 1], got "0.5" (string)'],
      [() => nn.dropout(x, "0.5" as never, new Rng(1)), 'dropout: probability must be a number in [0, 1], got "0.5" (string)'],
      [() => new nn.Dropout(1.5), "Dropout: probability must be a number in [0, 1], got 1.5"],
      [() => F.dropout(x, NaN), "dropout: probability must be a number in [0, 1], got NaN"],
      [() => new nn.Dropout(null as never), "Dropout: probability must be a number in [0, 1], got null (null)"],
    ];
    for (const [f, message] of refusals) {
      expect(f).toThrow(ValueError);
      expect(f).toThrow(message);
    }
  });

  it("Flatten, Softmax, LogSoftmax and the activations give the textbook values", () => {
    expect(new nn.Flatten().forward(zeros([2, 3, 4])).shape).toEqual([2, 12]);
    const x = tensor([[-2, 0, 3]], { dtype: "float64" });
    const erf = (v: number) => nn.erf(v);
    expect(Array.from(new nn.LeakyReLU(0.1).forward(x).data)).toEqual([-0.2, 0, 3]);
    expect(Array.from(new nn.ELU(2).forward(x).data)).toEqual([2 * Math.expm1(-2), 0, 3]);
    expect(Array.from(new nn.GELU().forward(x).data)).toEqual([-2, 0, 3].map((v) => 0.5 * v * (1 + erf(v * Math.SQRT1_2))));
    const sm = Array.from(new nn.Softmax().forward(x).data);
    expect(sm.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
  });

  it("erf matches reference values to a few float64 ulps", () => {
    // erf values from Abramowitz & Stegun Table 7.1 extended (computed with 40-digit arithmetic).
    const ref: [number, number][] = [[0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [2, 0.9953222650189527], [2.5, 0.9995930479825550], [3, 0.9999779095030014], [4, 0.9999999845827421]];
    for (const [x, v] of ref) {
      expect(Math.abs(nn.erf(x) - v)).toBeLessThanOrEqual(4 * 2 ** -53 * v);
      expect(nn.erf(-x)).toBe(-nn.erf(x));
    }
    expect(nn.erf(0)).toBe(0);
    expect(nn.erf(10)).toBe(1);
    expect(Number.isNaN(nn.erf(NaN))).toBe(true);
  });
});

describe("initializers", () => {
  const stats = (d: ArrayLike<number>) => {
    let s = 0, s2 = 0, mx = 0;
    for (let i = 0; i < d.length; i++) { s += d[i]; s2 += d[i] * d[i]; mx = Math.max(mx, Math.abs(d[i])); }
    return { mean: s / d.length, variance: s2 / d.length - (s / d.length) ** 2, max: mx };
  };
  // For n draws, the sample variance has relative sd ≈ √(2/n) (normal) — allow 6 sd.
  const within = (v: number, want: number, n: number, kurtosisTerm = 2) => Math.abs(v / want - 1) < 6 * Math.sqrt(kurtosisTerm / n);

  it("uniform families stay inside their bounds with variance bound²/3; normal families have variance std²", () => {
    const fanIn = 300, fanOut = 100, n = fanIn * fanOut;
    const cases: [string, (t: any, o: any) => any, number, boolean][] = [
      ["he_uniform", nn.init.heUniform, Math.sqrt(6 / fanIn), true],
      ["xavier_uniform", nn.init.xavierUniform, Math.sqrt(6 / (fanIn + fanOut)), true],
      ["lecun_uniform", nn.init.lecunUniform, Math.sqrt(3 / fanIn), true],
      ["he_normal", nn.init.heNormal, Math.sqrt(2 / fanIn), false],
      ["xavier_normal", nn.init.xavierNormal, Math.sqrt(2 / (fanIn + fanOut)), false],
      ["lecun_normal", nn.init.lecunNormal, Math.sqrt(1 / fanIn), false],
    ];
    for (const [name, f, scale, isUniform] of cases) {
      const t = f(zeros([fanOut, fanIn], { dtype: "float64" }), { seed: 7 });
      const s = stats(t.data);
      if (isUniform) {
        expect(s.max, name).toBeLessThanOrEqual(scale);
        expect(within(s.variance, (scale * scale) / 3, n, 0.8), name).toBe(true); // uniform: Var(x²)/E[x²]² = 4/5
      } else expect(within(s.variance, scale * scale, n), name).toBe(true);
      expect(Math.abs(s.mean)).toBeLessThan(6 * Math.sqrt(s.variance / n));
      // selectable by Keras name
      const byName = new nn.Linear(fanIn, fanOut, { init: name, seed: 7, dtype: "float64" });
      expect(Array.from(byName.weight.data)).toEqual(Array.from(t.data));
      expect(Array.from(byName.bias!.data).every((v) => v === 0)).toBe(true);
    }
    expect(() => new nn.Linear(2, 2, { init: "nope" })).toThrow(ValueError);
  });

  it("zeros, ones, constant, normal, uniform", () => {
    expect(Array.from(nn.init.ones(zeros([3])).data)).toEqual([1, 1, 1]);
    expect(Array.from(nn.init.constant(zeros([2]), 0.5).data)).toEqual([0.5, 0.5]);
    const u = nn.init.uniform(zeros([1000]), { low: 2, high: 3, seed: 1 }).data;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(3);
    const nrm = stats(nn.init.normal(zeros([20000], { dtype: "float64" }), { mean: 1, std: 2, seed: 1 }).data);
    expect(within(nrm.variance, 4, 20000)).toBe(true);
  });

  it("orthogonal gives Q with QQᵀ = I (wide) or QᵀQ = I (tall) to float64 rounding", () => {
    for (const [r, c] of [[4, 9], [9, 4], [6, 6]]) {
      const q = nn.init.orthogonal(zeros([r, c], { dtype: "float64" }), { seed: 3 });
      const g = noGrad(() => (r <= c ? q.matmul(q.T) : q.T.matmul(q))).data;
      const k = Math.min(r, c);
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(Math.abs(g[i * k + j] - (i === j ? 1 : 0))).toBeLessThan(64 * 2 ** -53 * Math.max(r, c));
    }
  });

  it("Linear's default init is PyTorch's U(±1/√in) for weight and bias", () => {
    const l = new nn.Linear(64, 32, { seed: 1 });
    const b = 1 / 8;
    expect(stats(l.weight.data).max).toBeLessThanOrEqual(b);
    expect(stats(l.bias!.data).max).toBeLessThanOrEqual(b);
    expect(Array.from(linear(zeros([1, 64]), l.weight, l.bias).data)).toEqual(Array.from(l.bias!.data));
  });
});
