// eg.nn.utils.spectralNorm / removeSpectralNorm: the power iteration, σ and the normalized
// weight against a float64 reference written here over layer shapes and options drawn by
// fast-check; the train/eval difference (u and v move only in training forwards); gradients by
// central differences through σ; PyTorch's state-dict keys and a safetensors round trip; and the
// typed errors. PyTorch 1.13's own values are in tests/parity/nn-more.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { io, nn, Rng, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { expectWithin, gammaOf } from "../support/reference.js";

const U = nn.utils;
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const buffersOf = (m: nn.Module) => Object.fromEntries(m.namedBuffers());
const paramsOf = (m: nn.Module) => Object.fromEntries(m.namedParameters());
const weightOf = (m: nn.Module) => (m as unknown as { weight: Tensor }).weight;

/** A [rows, cols] matrix of W (row-major) with `dim` moved first, as lists of numbers. */
function matrixOf(w: number[], shape: number[], dim: number): number[][] {
  const rows = shape[dim], cols = w.length / rows, strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const others = shape.map((_, i) => i).filter((i) => i !== dim);
  const out = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    let rest = c, flat = r * strides[dim];
    for (let k = others.length - 1; k >= 0; k--) { const d = others[k]; flat += (rest % shape[d]) * strides[d]; rest = Math.floor(rest / shape[d]); }
    out[r][c] = w[flat];
  }
  return out;
}

const normalize = (x: number[], eps: number) => { const n = Math.sqrt(x.reduce((s, v) => s + v * v, 0)); return x.map((v) => v / Math.max(n, eps)); };
const mv = (a: number[][], x: number[]) => a.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
const mtv = (a: number[][], y: number[]) => a[0].map((_, j) => a.reduce((s, row, i) => s + row[j] * y[i], 0));

/** The float64 power iteration from (u, v) and σ = uᵀ·W·v. */
function reference(wm: number[][], u0: number[], v0: number[], steps: number, eps: number) {
  let u = u0, v = v0;
  for (let i = 0; i < steps; i++) { v = normalize(mtv(wm, u), eps); u = normalize(mv(wm, v), eps); }
  const sigma = u.reduce((s, x, i) => s + x * mv(wm, v)[i], 0);
  return { u, v, sigma };
}

describe("spectralNorm", () => {
  it("PyTorch's keys, shapes and default dims (1 for ConvTranspose), seeded u and v of norm 1", () => {
    const lin = U.spectralNorm(new nn.Linear(5, 4), { seed: 3 });
    expect(Object.keys(lin.stateDict())).toEqual(["bias", "weight_orig", "weight_u", "weight_v"]);
    expect(lin.namedParameters().map(([k]) => k)).toEqual(["bias", "weight_orig"]);
    expect([buffersOf(lin).weight_u.shape, buffersOf(lin).weight_v.shape]).toEqual([[4], [5]]);
    for (const b of [buffersOf(lin).weight_u, buffersOf(lin).weight_v]) expect(Math.abs(Math.hypot(...list(b)) - 1)).toBeLessThan(1e-6);
    const conv = U.spectralNorm(new nn.Conv2d(2, 3, 3), { seed: 3 });
    expect([buffersOf(conv).weight_u.shape, buffersOf(conv).weight_v.shape]).toEqual([[3], [18]]);
    const convT = U.spectralNorm(new nn.ConvTranspose2d(3, 2, 2), { seed: 3 });
    expect([buffersOf(convT).weight_u.shape, buffersOf(convT).weight_v.shape]).toEqual([[2], [12]]);
    expect(buffersOf(U.spectralNorm(new nn.ConvTranspose2d(3, 2, 2), { dim: 0 })).weight_u.shape).toEqual([3]);
    // The same seed (or the same generator state) gives the same vectors.
    const again = U.spectralNorm(new nn.Linear(5, 4), { rng: new Rng(3) });
    expect(list(buffersOf(again).weight_u)).toEqual(list(buffersOf(lin).weight_u));
  });

  it("training forwards step the power iteration, eval forwards do not; the weight is W/σ (float64 reference)", () => {
    const arb = fc.record({
      inF: fc.integer({ min: 1, max: 6 }), outF: fc.integer({ min: 1, max: 6 }), dim: fc.constantFrom(0, 1), steps: fc.integer({ min: 1, max: 3 }),
      eps: fc.constantFrom(1e-12, 1e-3), forwards: fc.integer({ min: 1, max: 3 }), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, ({ inF, outF, dim, steps, eps, forwards, seed }) => {
      const m = U.spectralNorm(new nn.Linear(inF, outF, { seed, dtype: "float64" }), { dim, nPowerIterations: steps, eps, seed: seed + 1 });
      const w = list(paramsOf(m).weight_orig), b = list(paramsOf(m).bias), wm = matrixOf(w, [outF, inF], dim);
      let u = list(buffersOf(m).weight_u), v = list(buffersOf(m).weight_v);
      const tol = (k: number) => (i: number, ref: number[]) => gammaOf("float64", 8 * (inF * outF + k)) * (Math.abs(ref[i]) + 1);
      const check = (x: Tensor, training: boolean) => {
        m.train(training);
        const ref = reference(wm, u, v, training ? steps : 0, eps);
        const y = m.forward(x);
        ({ u, v } = ref);
        expectWithin(buffersOf(m).weight_u.data, u, (i) => tol(steps)(i, u), "u");
        expectWithin(buffersOf(m).weight_v.data, v, (i) => tol(steps)(i, v), "v");
        const want: number[] = [];
        for (let n = 0; n < 2; n++) for (let o = 0; o < outF; o++) {
          let s = 0;
          for (let k = 0; k < inF; k++) s += x.data[n * inF + k] * w[o * inF + k];
          want.push(s / ref.sigma + b[o]);
        }
        expectWithin(y.data, want, (i) => tol(steps + inF)(i, want) * (1 + Math.abs(1 / ref.sigma)) * 4, "output");
        expectWithin(weightOf(m).data, w.map((x) => x / ref.sigma), (i) => tol(steps)(i, w) / Math.abs(ref.sigma), "weight");
      };
      for (let f = 0; f < forwards; f++) check(float64Input([2, inF], seed + f), true);
      check(float64Input([2, inF], seed + 9), false);
      check(float64Input([2, inF], seed + 10), false);
    }), { numRuns: 80 });
  });

  it("a Conv2d's weight is normalized over [outChannels, inChannels·kh·kw], and Sequential runs the hook", () => {
    const conv = U.spectralNorm(new nn.Conv2d(2, 3, 2, { seed: 4, dtype: "float64" }), { seed: 5 });
    const model = new nn.Sequential(conv, new nn.ReLU());
    const w = list(paramsOf(conv).weight_orig), wm = matrixOf(w, [3, 2, 2, 2], 0);
    const ref = reference(wm, list(buffersOf(conv).weight_u), list(buffersOf(conv).weight_v), 1, 1e-12);
    model.forward(float64Input([1, 2, 3, 3], 6));
    expectWithin(buffersOf(conv).weight_u.data, ref.u, (i) => gammaOf("float64", 64) * (Math.abs(ref.u[i]) + 1), "u after a Sequential forward");
    expectWithin(weightOf(conv).data, w.map((x) => x / ref.sigma), (i) => gammaOf("float64", 64) * (Math.abs(w[i] / ref.sigma) + 1), "weight");
  });

  it("gradients of the input, W_orig (through σ) and the bias by central differences", () => {
    const m = U.spectralNorm(new nn.Linear(4, 3, { seed: 7, dtype: "float64" }), { seed: 8 });
    m.forward(float64Input([1, 4], 1)); // one power step, so u and v are not the random start
    m.eval(); // u and v then stay put while the differences are taken
    const { weight_orig: w, bias } = paramsOf(m);
    assertGradByDifferences((x) => m.forward(x), [float64Input([2, 4], 2), w, bias], "spectralNorm Linear");
    const convT = U.spectralNorm(new nn.ConvTranspose2d(2, 3, 2, { seed: 9, dtype: "float64" }), { seed: 10 }).eval();
    assertGradByDifferences((x) => convT.forward(x), [float64Input([1, 2, 2, 2], 3), paramsOf(convT).weight_orig], "spectralNorm ConvTranspose2d");
  });

  it("round-trips through safetensors: another module loading the state gives the same outputs and vectors", () => {
    const a = U.spectralNorm(new nn.Linear(4, 3, { seed: 1 }), { seed: 2 });
    a.forward(float64Input([2, 4], 1).astype("float32"));
    const b = U.spectralNorm(new nn.Linear(4, 3, { seed: 5 }), { seed: 6 });
    b.loadStateDict(io.loadSafetensors(io.saveSafetensors(a.stateDict())));
    for (const [k, t] of Object.entries(a.stateDict())) expect(list(b.stateDict()[k]), k).toEqual(list(t));
    const x = float64Input([2, 4], 2).astype("float32");
    expect(list(b.forward(x))).toEqual(list(a.forward(x)));
    expect(list(buffersOf(b).weight_u)).toEqual(list(buffersOf(a).weight_u));
  });

  it("removeSpectralNorm leaves W/σ (no power step) as the parameter `weight`, PyTorch's keys and a plain layer", () => {
    const m = U.spectralNorm(new nn.Linear(3, 2, { seed: 1, dtype: "float64" }), { seed: 2 });
    m.forward(float64Input([1, 3], 1));
    const w = list(paramsOf(m).weight_orig), u = list(buffersOf(m).weight_u), v = list(buffersOf(m).weight_v);
    const { sigma } = reference(matrixOf(w, [2, 3], 0), u, v, 0, 1e-12);
    U.removeSpectralNorm(m);
    expect(Object.keys(m.stateDict())).toEqual(["bias", "weight"]);
    expect(m.namedBuffers()).toEqual([]);
    expectWithin(m.weight.data, w.map((x) => x / sigma), (i) => gammaOf("float64", 16) * Math.abs(w[i] / sigma), "weight");
    expect(m.weight.requiresGrad).toBe(true);
    m.weight = zeros([2, 3], { dtype: "float64" }); // assignable again
    expect(list(m.forward(zeros([1, 3], { dtype: "float64" })))).toEqual(list(m.bias!));
    expect(() => U.removeSpectralNorm(m)).toThrow(/not under spectral norm/);
    U.spectralNorm(m); // and may be applied again
    expect(Object.keys(m.stateDict())).toEqual(["bias", "weight_orig", "weight_u", "weight_v"]);
  });

  it("typed errors leave the module as it was", () => {
    const m = new nn.Linear(3, 2);
    expect(() => U.spectralNorm({} as never)).toThrow(ValueError);
    expect(() => U.spectralNorm(m, { name: "foo" })).toThrow(/no parameter "foo"/);
    expect(() => U.spectralNorm(m, { nPowerIterations: 0 })).toThrow(/nPowerIterations must be a positive integer, got 0/);
    expect(() => U.spectralNorm(m, { nPowerIterations: 1.5 })).toThrow(ValueError);
    expect(() => U.spectralNorm(m, { eps: -1 })).toThrow(/eps/);
    expect(() => U.spectralNorm(m, { dim: 2 })).toThrow(/dim must be an integer in \[0, 2\)/);
    expect(() => U.spectralNorm(m, { dim: -1 })).toThrow(ValueError);
    expect(() => U.spectralNorm(m, { nIterations: 2 } as never)).toThrow(/unknown option "nIterations"/);
    expect(() => U.spectralNorm(m, { seed: 1, rng: new Rng(1) })).toThrow(ValueError);
    expect(() => U.removeSpectralNorm(m)).toThrow(/not under spectral norm/);
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias"]);
    m.registerBuffer("weight_u", zeros([2]));
    expect(() => U.spectralNorm(m)).toThrow(/already has a member "weight_u"/);
    expect(Object.keys(m.stateDict())).toEqual(["weight", "bias", "weight_u"]);
    const n = U.spectralNorm(new nn.Linear(3, 2));
    expect(() => U.spectralNorm(n)).toThrow(/already under spectral norm/);
    expect(() => { n.weight = zeros([2, 3]); }).toThrow(/removeSpectralNorm/);
    class Scalar extends nn.Module {
      weight: Tensor;
      constructor() { super(); this.weight = this.registerParameter("weight", zeros([])); }
      forward(x: Tensor) { return x.mul(this.weight); }
    }
    expect(() => U.spectralNorm(new Scalar())).toThrow(ShapeError);
  });
});
