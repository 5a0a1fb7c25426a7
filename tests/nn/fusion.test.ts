// The fusion pass: which modules become one step (against a reference rule written here), and
// Sequential's fused forward giving the same values and gradients as the modules run one by one.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { nn, randn, type Tensor } from "../../src/index.js";
import { fuseLayers, runStep } from "../../src/nn/fusion.js";
import { layersOf } from "../../src/nn/sequential.js";
import { expectFusedEqualsSeparate } from "../support/fused-vs-separate.js";

type Code = "linear" | "relu" | "tanh" | "dropout";
/** A chain of `codes` whose Linear widths fit together: width w in and out of every module. */
function build(codes: Code[], w: number, seed: number): nn.Module[] {
  return codes.map((c, i) => c === "linear" ? new nn.Linear(w, w, { seed: seed + i })
    : c === "relu" ? new nn.ReLU() : c === "tanh" ? new nn.Tanh() : new nn.Dropout(0.5, { seed: seed + i }));
}
const codes = fc.array(fc.constantFrom<Code>("linear", "relu", "tanh", "dropout"), { maxLength: 12 });

/** The rule, stated independently: a Linear directly followed by a ReLU is one step with relu. */
function expected(mods: nn.Module[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < mods.length; i++) {
    const m = mods[i];
    if (m instanceof nn.Linear) {
      const relu = mods[i + 1] instanceof nn.ReLU;
      out.push({ kind: "linear", layer: m, relu, index: i });
      if (relu) i++;
    } else out.push({ kind: "module", module: m, index: i });
  }
  return out;
}

describe("fuseLayers", () => {
  it("fuses each Linear directly followed by a ReLU and keeps every other module as its own step", () => {
    fc.assert(fc.property(codes, (cs) => {
      const mods = build(cs, 2, 1);
      const steps = fuseLayers(mods);
      expect(steps).toEqual(expected(mods));
      // The modules are shared, not copied.
      steps.forEach((s) => expect(s.kind === "module" ? s.module : s.layer).toBe(mods[s.index]));
    }), { numRuns: 200 });
  });

  it("matches subclasses of ReLU and Linear (instanceof), as Sequential always has", () => {
    class MyReLU extends nn.ReLU {}
    const lin = new nn.Linear(2, 2);
    expect(fuseLayers([lin, new MyReLU()])).toEqual([{ kind: "linear", layer: lin, relu: true, index: 0 }]);
  });

  it("layersOf: a Sequential's modules, any other module as a one-layer list", () => {
    const lin = new nn.Linear(3, 2), relu = new nn.ReLU();
    expect(layersOf(new nn.Sequential(lin, relu))).toEqual([lin, relu]);
    expect(layersOf(lin)).toEqual([lin]);
  });
});

describe("Sequential runs the fused steps", () => {
  it("gives the values and gradients of the modules run one by one, bit for bit", () => {
    fc.assert(fc.property(codes, fc.integer({ min: 1, max: 6 }), fc.nat(), (cs, m, seed) => {
      const mods = build(cs, 5, seed);
      const seq = new nn.Sequential(...mods).eval();   // Dropout off: both runs see the same values
      const x = randn([m, 5], { seed, requiresGrad: true });
      const project = randn([m, 5], { seed: seed + 1 });
      expectFusedEqualsSeparate(seq, mods, x, project);
    }), { numRuns: 60 });
  });

  it("runStep of a fused step records one linearRelu node and no separate relu", () => {
    const [step] = fuseLayers([new nn.Linear(3, 2), new nn.ReLU()]);
    const names: string[] = [];
    const walk = (t: Tensor) => { if (t.gradFn) { names.push(t.gradFn.name); t.gradFn.inputs.forEach(walk); } };
    walk(runStep(step, randn([4, 3], { seed: 2 })));
    expect(names.filter((n) => n === "linearRelu")).toHaveLength(1);
    expect(names).not.toContain("relu");
  });
});
