// The fusion pass on convolutions: which modules become a "conv" step (against a rule written
// here), Conv→ReLU in training giving the separate modules' values and gradients bit for bit, and
// Conv→BatchNorm(→ReLU) in eval mode, folded, within the derived bound of a float64 reference of
// the separate modules, with gradients by finite differences and no stale folding.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { nn, randn, noGrad, type Tensor } from "../../src/index.js";
import { fuseLayers, runStep } from "../../src/nn/fusion.js";
import { expectFusedEqualsSeparate } from "../support/fused-vs-separate.js";
import { assertGradByDifferences } from "../support/gradcheck-ops.js";
import { batchNorm, bounded, conv, expectWithin, relu, type Bounded } from "../support/cnn-reference.js";
import { gamma, U32 } from "../support/tolerance.js";

type Code = "conv" | "conv1d" | "bn" | "bn1d" | "bnNoStats" | "relu" | "tanh" | "pool";
const C = 3;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** BatchNorm statistics and affine parameters away from their defaults. */
function randomize(bn: nn.BatchNorm1d | nn.BatchNorm2d, seed: number): void {
  const next = lcg(seed);
  bn.runningMean?.storage.forEach((_, i, a) => { a[i] = next() - 0.5; });
  bn.runningVar?.storage.forEach((_, i, a) => { a[i] = 0.3 + next(); });
  bn.weight?.storage.forEach((_, i, a) => { a[i] = 0.5 + next(); });
  bn.bias?.storage.forEach((_, i, a) => { a[i] = next() - 0.5; });
}

/** Modules that keep [N, C, H, W] (or [N, C, L] for the 1-D ones) shapes, so any chain of one family runs. */
function build(codes: Code[], seed: number, dtype: "float32" | "float64" = "float32"): nn.Module[] {
  return codes.map((c, i) => {
    switch (c) {
      case "conv": return new nn.Conv2d(C, C, 3, { padding: 1, seed: seed + i, dtype });
      case "conv1d": return new nn.Conv1d(C, C, 3, { padding: 1, seed: seed + i, dtype });
      case "bn": case "bn1d": case "bnNoStats": {
        const bn = c === "bn1d" ? new nn.BatchNorm1d(C, { dtype }) : new nn.BatchNorm2d(C, { dtype, trackRunningStats: c !== "bnNoStats" });
        randomize(bn, seed + i);
        return bn;
      }
      case "relu": return new nn.ReLU();
      case "tanh": return new nn.Tanh();
      case "pool": return new nn.AvgPool2d(3, { stride: 1, padding: 1 });
    }
  });
}

/** The rule, stated independently: a Conv takes a directly following foldable BatchNorm of its own rank (eval mode, running stats), then a ReLU. */
function expected(mods: nn.Module[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < mods.length; i++) {
    const m = mods[i];
    if (!(m instanceof nn.Conv2d || m instanceof nn.Conv1d)) { out.push({ kind: "module", module: m, index: i }); continue; }
    const next = mods[i + 1];
    const sameRank = m instanceof nn.Conv2d ? next instanceof nn.BatchNorm2d : next instanceof nn.BatchNorm1d;
    const bn = sameRank && !next.training && (next as nn.BatchNorm2d).trackRunningStats ? (next as nn.BatchNorm2d) : null;
    const relu = mods[i + (bn ? 2 : 1)] instanceof nn.ReLU;
    out.push({ kind: "conv", layer: m, batchNorm: bn, relu, index: i });
    i += (bn ? 1 : 0) + (relu ? 1 : 0);
  }
  return out;
}

const codes2d = fc.array(fc.constantFrom<Code>("conv", "bn", "bnNoStats", "relu", "tanh", "pool"), { maxLength: 9 });

describe("fuseLayers: the conv rows", () => {
  it("fuses Conv→BatchNorm→ReLU, Conv→BatchNorm, Conv→ReLU and Conv, BatchNorm only in eval mode with running stats", () => {
    const anyCodes = fc.array(fc.constantFrom<Code>("conv", "conv1d", "bn", "bn1d", "bnNoStats", "relu", "tanh"), { maxLength: 10 });
    fc.assert(fc.property(anyCodes, fc.boolean(), (cs, evalMode) => {
      const mods = build(cs, 1);
      mods.forEach((m) => m.train(!evalMode));
      expect(fuseLayers(mods)).toEqual(expected(mods));
    }), { numRuns: 300 });
  });

  it("a BatchNorm whose channels differ from the conv's stays a module (its own forward names the mismatch)", () => {
    const c = new nn.Conv2d(2, 3, 1), bn = new nn.BatchNorm2d(4).eval();
    expect(fuseLayers([c, bn]).map((s) => s.kind)).toEqual(["conv", "module"]);
  });

  it("runStep of Conv→ReLU records one conv2dRelu node and no separate relu", () => {
    const [step] = fuseLayers([new nn.Conv2d(2, 3, 3), new nn.ReLU()]);
    const names: string[] = [];
    const walk = (t: Tensor) => { if (t.gradFn) { names.push(t.gradFn.name); t.gradFn.inputs.forEach(walk); } };
    walk(runStep(step, randn([2, 2, 5, 5], { seed: 2, requiresGrad: true })));
    expect(names.filter((n) => n === "conv2dRelu")).toHaveLength(1);
    expect(names).not.toContain("relu");
  });
});

describe("Sequential runs the conv steps", () => {
  it("in training, gives the values and gradients of the modules run one by one, bit for bit", () => {
    fc.assert(fc.property(codes2d, fc.integer({ min: 1, max: 3 }), fc.nat(), (cs, n, seed) => {
      const mods = build(cs, seed);
      const seq = new nn.Sequential(...mods).train();
      const x = randn([n, C, 5, 4], { seed, requiresGrad: true });
      const project = randn([n, C, 5, 4], { seed: seed + 1 });
      expectFusedEqualsSeparate(seq, mods, x, project);
    }), { numRuns: 40 });
  });

  it("in eval mode, Conv→BatchNorm(→ReLU) folded and the modules run one by one are both within the derived bound of a float64 reference", () => {
    fc.assert(fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.nat(), (withRelu, withBias, affine, n, seed) => {
      const cv = new nn.Conv2d(C, 4, 3, { padding: 1, stride: 2, bias: withBias, seed });
      const bn = new nn.BatchNorm2d(4, { affine });
      randomize(bn, seed + 1);
      const mods: nn.Module[] = withRelu ? [cv, bn, new nn.ReLU()] : [cv, bn];
      const seq = new nn.Sequential(...mods).eval();
      expect(fuseLayers(mods)).toEqual([{ kind: "conv", layer: cv, batchNorm: bn, relu: withRelu, index: 0 }]);
      const x = randn([n, C, 7, 6], { seed: seed + 2 });
      const y = noGrad(() => seq.forward(x));
      const separate = noGrad(() => mods.reduce((h, m) => m.forward(h), x));
      // Unfused: the float64 conv, then batch norm, each with its own rounding bound.
      const spec = { weight: cv.weight.data, weightShape: cv.weight.shape, bias: cv.bias?.data ?? null, stride: [2, 2], padBegin: [1, 1], padEnd: [1, 1], dilation: [1, 1], groups: 1 };
      let unfused = batchNorm(conv(bounded(x.shape, x.data), spec), bn.runningMean!.data, bn.runningVar!.data, bn.weight?.data ?? null, bn.bias?.data ?? null, bn.eps);
      if (withRelu) unfused = relu(unfused);
      expectWithin("modules one by one", separate.data, unfused);
      expectWithin("fused", y.data, foldedBound(x, cv, bn, withRelu));
    }), { numRuns: 40 });
  });

  it("in eval mode, gradients reach the conv's and the BatchNorm's parameters through the fold (finite differences)", () => {
    const cv = new nn.Conv2d(2, 3, 3, { padding: 1, seed: 5, dtype: "float64" });
    const bn = new nn.BatchNorm2d(3, { dtype: "float64" });
    randomize(bn, 6);
    const seq = new nn.Sequential(cv, bn, new nn.ReLU()).eval();
    expect(fuseLayers([...seq])[0].kind).toBe("conv");
    const x = randn([2, 2, 4, 4], { seed: 7, dtype: "float64", requiresGrad: true });
    assertGradByDifferences(() => seq.forward(x), [x, cv.weight, cv.bias!, bn.weight!, bn.bias!], "Conv→BatchNorm→ReLU folded");
  });

  it("folds the parameters as they are at each call: after loadStateDict and after an optimizer step", () => {
    const make = (seed: number) => {
      const bn = new nn.BatchNorm2d(3);
      randomize(bn, seed);
      return new nn.Sequential(new nn.Conv2d(2, 3, 3, { seed }), bn, new nn.ReLU()).eval();
    };
    const a = make(1), b = make(2);
    const x = randn([2, 2, 5, 5], { seed: 3 });
    const before = Array.from(noGrad(() => a.forward(x)).data);
    a.loadStateDict(b.stateDict());
    const after = Array.from(noGrad(() => a.forward(x)).data);
    expect(after).not.toEqual(before);
    expect(after).toEqual(Array.from(noGrad(() => b.forward(x)).data));
    const conv0 = a.at(0) as nn.Conv2d;
    conv0.weight.storage[0] += 0.5;
    const edited = Array.from(noGrad(() => a.forward(x)).data);
    expect(edited).not.toEqual(after);
  });
});

/**
 * Reference of the folded step: the float64 result of conv then batch norm, with the bound of a
 * float32 convolution of w·s plus the fold's own roundings (s = γ/√(var+eps) rounded twice, each
 * w·s once, the bias (b − mean)·s + β three times): γ(k+4)·Σ|w·s·x| + 4u·(|b·s| + |mean·s| + |β|).
 */
function foldedBound(x: Tensor, cv: nn.Conv2d, bn: nn.BatchNorm2d, withRelu: boolean): Bounded {
  const cout = cv.outChannels, k = cv.weight.size / cout;
  const s = Array.from({ length: cout }, (_, j) => (bn.weight ? bn.weight.data[j] : 1) / Math.sqrt(bn.runningVar!.data[j] + bn.eps));
  const ws = Float64Array.from(cv.weight.data, (w, i) => w * s[Math.floor(i / k)]);
  const zero = new Float64Array(cout);
  const spec = { weightShape: cv.weight.shape, stride: [2, 2], padBegin: [1, 1], padEnd: [1, 1], dilation: [1, 1], groups: 1 };
  // Σ|w·s·x| from a convolution of |w·s| with |x|, and the value from the unfused float64 arithmetic.
  const absSum = conv(bounded(x.shape, x.data.map(Math.abs)), { ...spec, weight: ws.map(Math.abs), bias: zero });
  const value = batchNorm(conv(bounded(x.shape, x.data), { ...spec, weight: cv.weight.data, bias: cv.bias?.data ?? null }),
    bn.runningMean!.data, bn.runningVar!.data, bn.weight?.data ?? null, bn.bias?.data ?? null, bn.eps);
  const plane = value.y.length / (x.shape[0] * cout);
  const err = value.y.map((_, i) => {
    const j = Math.floor(i / plane) % cout, b = cv.bias ? cv.bias.data[j] : 0, beta = bn.bias ? bn.bias.data[j] : 0;
    return gamma(k + 4) * absSum.y[i] + 4 * U32 * (Math.abs(b * s[j]) + Math.abs(bn.runningMean!.data[j] * s[j]) + Math.abs(beta)) + (k + 4) * 2 ** -149;
  });
  const out = { shape: value.shape, y: value.y, err };
  return withRelu ? relu(out) : out;
}
