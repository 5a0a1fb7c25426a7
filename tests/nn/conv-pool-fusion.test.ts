// Conv2d→ReLU→MaxPool2d(2) as one step of Sequential's forward (src/nn/conv-fusion.ts): which
// pools it takes (against a rule written here), that only Sequential asks for it, and that the
// step gives the values and gradients of the modules run one by one, bit for bit, over random
// geometries (odd output sizes, whose last row or column no window reads, included; strides,
// dilation, grouped and depthwise convolutions), with and without bias, batched and unbatched, in float32 (one op in the kernels) and float64 (the ops),
// and in a bfloat16 autocast scope (its own version of the op, against the scope's separate ops).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nn, noGrad, randn, type Tensor } from "../../src/index.js";
import { fuseLayers, runStep } from "../../src/nn/fusion.js";
import { expectFusedEqualsSeparate } from "../support/fused-vs-separate.js";

describe("fuseLayers: Conv2d→ReLU→MaxPool2d(2)", () => {
  const conv = new nn.Conv2d(2, 3, 3, { padding: 1 }), relu = new nn.ReLU();
  const pools: [string, nn.MaxPool2d, boolean][] = [
    ["MaxPool2d(2)", new nn.MaxPool2d(2), true],
    ["MaxPool2d([2, 2], { stride: 2 })", new nn.MaxPool2d([2, 2], { stride: 2 }), true],
    ["MaxPool2d(3)", new nn.MaxPool2d(3), false],
    ["MaxPool2d(2, { stride: 1 })", new nn.MaxPool2d(2, { stride: 1 }), false],
    ["MaxPool2d(2, { padding: 1 })", new nn.MaxPool2d(2, { padding: 1 }), false],
    ["MaxPool2d(2, { dilation: 2 })", new nn.MaxPool2d(2, { dilation: 2 }), false],
    ["MaxPool2d(2, { ceilMode: true })", new nn.MaxPool2d(2, { ceilMode: true }), false],
    ["MaxPool2d(2, { returnIndices: true })", new nn.MaxPool2d(2, { returnIndices: true }) as unknown as nn.MaxPool2d, false],
  ];
  for (const [name, pool, fuses] of pools) {
    it(`${name} after Conv2d→ReLU ${fuses ? "is" : "is not"} one step, and only when asked for`, () => {
      const asked = fuseLayers([conv, relu, pool], { convPool: true });
      if (fuses) {
        expect(asked).toEqual([{ kind: "convPool", conv: { kind: "conv", layer: conv, batchNorm: null, relu: true, index: 0 }, pool, index: 0 }]);
      } else {
        expect(asked.map((s) => s.kind)).toEqual(["conv", "module"]);
      }
      // The compilers and the exporter, which do not ask, see the conv step and the pool.
      expect(fuseLayers([conv, relu, pool]).map((s) => s.kind)).toEqual(["conv", "module"]);
    });
  }

  it("needs the ReLU between them, and a 2-D convolution", () => {
    const pool = new nn.MaxPool2d(2);
    expect(fuseLayers([conv, pool], { convPool: true }).map((s) => s.kind)).toEqual(["conv", "module"]);
    expect(fuseLayers([new nn.Conv1d(2, 3, 3), relu, pool], { convPool: true }).map((s) => s.kind)).toEqual(["conv", "module"]);
  });
});

describe("Sequential's Conv2d→ReLU→MaxPool2d(2) step", () => {
  // groups: 1, 2 (grouped) or "depthwise" (groups = in channels, the depthwise kernel).
  const geometry = fc.record({
    batch: fc.integer({ min: 1, max: 3 }), cinG: fc.integer({ min: 1, max: 3 }), coutG: fc.integer({ min: 1, max: 3 }),
    groups: fc.constantFrom<1 | 2 | "depthwise">(1, 1, 2, "depthwise"),
    h: fc.integer({ min: 3, max: 9 }), w: fc.integer({ min: 3, max: 9 }), k: fc.integer({ min: 1, max: 3 }),
    stride: fc.constantFrom(1, 1, 2), padding: fc.integer({ min: 0, max: 1 }), dilation: fc.constantFrom(1, 1, 2), bias: fc.boolean(),
    dtype: fc.constantFrom<"float32" | "float64">("float32", "float32", "float64"), seed: fc.integer({ min: 1, max: 1000 }),
  }).map((g) => {
    const groups = g.groups === "depthwise" ? 2 + g.cinG : g.groups;
    const cin = g.groups === "depthwise" ? groups : g.cinG * groups, cout = g.groups === "depthwise" ? groups : g.coutG * groups;
    return { ...g, groups, cin, cout };
  }).filter((g) => {
    const reach = g.dilation * (g.k - 1) + 1;
    return Math.floor((g.h + 2 * g.padding - reach) / g.stride) + 1 >= 2 && Math.floor((g.w + 2 * g.padding - reach) / g.stride) + 1 >= 2;
  });

  it("gives the values and gradients of the three modules run one by one, bit for bit", () => {
    fc.assert(fc.property(geometry, (g) => {
      const c = new nn.Conv2d(g.cin, g.cout, g.k, {
        stride: g.stride, padding: g.padding, dilation: g.dilation, groups: g.groups, bias: g.bias, seed: g.seed, dtype: g.dtype,
      });
      const mods = [c, new nn.ReLU(), new nn.MaxPool2d(2)];
      const seq = new nn.Sequential(...mods);
      const x = randn([g.batch, g.cin, g.h, g.w], { seed: g.seed + 1, dtype: g.dtype });
      x.requiresGrad = true;
      const y = seq.forward(x);
      // float32 runs as the one op; float64 as the three (the last one recorded is the pool).
      expect(y.gradFn?.name).toBe(g.dtype === "float32" ? "conv2dReluMaxPool2x2" : "maxPool2d");
      const project = randn(y.shape, { seed: g.seed + 2, dtype: g.dtype });
      expectFusedEqualsSeparate(seq, mods, x, project);
      // At inference (no gradient recorded) the step keeps no winning taps: the same values.
      const inferred = noGrad(() => seq.forward(x));
      expect(inferred.gradFn).toBeNull();
      const bits = (t: Tensor) => Array.from(t.data as Float32Array, (v) => (Object.is(v, -0) ? "-0" : String(v)));
      expect(bits(inferred)).toEqual(bits(y));
    }), { numRuns: 60 });
  });

  it("runs an unbatched [C, H, W] input as the separate modules do", () => {
    const mods = [new nn.Conv2d(2, 4, 3, { padding: 1, seed: 3 }), new nn.ReLU(), new nn.MaxPool2d(2)];
    const x = randn([2, 7, 6], { seed: 4 });
    x.requiresGrad = true;
    expectFusedEqualsSeparate(new nn.Sequential(...mods), mods, x, randn([4, 3, 3], { seed: 5 }));
  });
});

describe("the Conv2d→ReLU→MaxPool2d(2) step in a bfloat16 scope", () => {
  it("gives the values and gradients of the scope's separate ops, bit for bit, keeping bfloat16 activations", () => {
    fc.assert(fc.property(fc.record({
      batch: fc.integer({ min: 1, max: 3 }), cin: fc.integer({ min: 1, max: 3 }), cout: fc.integer({ min: 1, max: 4 }),
      h: fc.integer({ min: 2, max: 8 }), w: fc.integer({ min: 2, max: 8 }), bias: fc.boolean(), seed: fc.integer({ min: 1, max: 1000 }),
    }), (g) => {
      const mods = [new nn.Conv2d(g.cin, g.cout, 3, { padding: 1, bias: g.bias, seed: g.seed }), new nn.ReLU(), new nn.MaxPool2d(2)];
      const seq = new nn.Sequential(...mods);
      const x = randn([g.batch, g.cin, g.h, g.w], { seed: g.seed + 1 });
      x.requiresGrad = true;
      const project = randn([g.batch, g.cout, g.h >> 1, g.w >> 1], { seed: g.seed + 2 });
      const run = (forward: (t: Tensor) => Tensor, name: string) => {
        seq.zeroGrad();
        x.grad = null;
        const y = nn.autocast("bf16", () => forward(x));
        expect(y.gradFn?.name).toBe(name);
        y.mul(project).sum().backward();
        return [Array.from(y.data), Array.from(x.grad!.data), ...seq.parameters().map((p) => Array.from(p.grad!.data))];
      };
      const fused = run((t) => seq.forward(t), "conv2dReluMaxPool2x2");
      const separate = run((t) => mods.reduce((h, m) => m.forward(h), t), "maxPool2d");
      expect(fused).toEqual(separate);
    }), { numRuns: 40 });
  });
});

describe("Conv2d→BatchNorm2d→ReLU→MaxPool2d(2) in eval mode", () => {
  const make = (seed: number, bias: boolean) => {
    const conv = new nn.Conv2d(3, 8, 3, { padding: 1, bias, seed }), bn = new nn.BatchNorm2d(8);
    // Running statistics and an affine that are not the identity, so the fold does something.
    bn.runningMean!.data.set(randn([8], { seed: seed + 1 }).data);
    bn.runningVar!.data.set(randn([8], { seed: seed + 2 }).data.map((v) => 0.5 + v * v));
    bn.weight!.data.set(randn([8], { seed: seed + 3 }).data);
    bn.bias!.data.set(randn([8], { seed: seed + 4 }).data);
    return [conv, bn, new nn.ReLU(), new nn.MaxPool2d(2)];
  };

  it("is one step with the BatchNorm folded, in eval mode only, and only when asked for", () => {
    const mods = make(1, true);
    mods.forEach((m) => m.eval());
    const asked = fuseLayers(mods, { convPool: true });
    expect(asked.map((s) => s.kind)).toEqual(["convPool"]);
    expect(asked[0].kind === "convPool" && asked[0].conv.batchNorm).toBe(mods[1]);
    expect(fuseLayers(mods).map((s) => s.kind)).toEqual(["conv", "module"]);
    // Training: one step too (normalizing by the batch in place); the compilers still see four.
    mods.forEach((m) => m.train());
    expect(fuseLayers(mods, { convPool: true }).map((s) => s.kind)).toEqual(["convPool"]);
    expect(fuseLayers(mods).map((s) => s.kind)).toEqual(["conv", "module", "module", "module"]);
  });

  it("gives the values and gradients of the folded conv step then the pool, bit for bit", () => {
    for (const [seed, bias] of [[5, true], [9, false]] as const) {
      const mods = make(seed, bias);
      const seq = new nn.Sequential(...mods);
      seq.eval();
      const x = randn([2, 3, 9, 8], { seed: seed + 10 });
      x.requiresGrad = true;
      expect(seq.forward(x).gradFn?.name).toBe("conv2dReluMaxPool2x2");
      // Against the steps the compilers see: the conv with the BatchNorm folded and relu, then the pool.
      const steps = fuseLayers(mods);
      expectFusedEqualsSeparate(seq, mods, x, randn([2, 8, 4, 4], { seed: seed + 11 }), (t) => steps.reduce((h, s) => runStep(s, h), t));
    }
  });
});

describe("Conv2d→BatchNorm2d→ReLU→MaxPool2d(2) in training mode", () => {
  const layers = (g: { cin: number; cout: number; bias: boolean; seed: number; dtype: "float32" | "float64"; momentum: number | null }) => {
    const bn = new nn.BatchNorm2d(g.cout, { momentum: g.momentum, dtype: g.dtype });
    bn.weight!.data.set(randn([g.cout], { seed: g.seed + 3 }).data);
    bn.bias!.data.set(randn([g.cout], { seed: g.seed + 4 }).data);
    return [new nn.Conv2d(g.cin, g.cout, 3, { padding: 1, bias: g.bias, seed: g.seed, dtype: g.dtype }), bn, new nn.ReLU(), new nn.MaxPool2d(2)];
  };

  it("gives the values, gradients and running statistics of the four modules run one by one, bit for bit", () => {
    fc.assert(fc.property(fc.record({
      batch: fc.integer({ min: 1, max: 3 }), cin: fc.integer({ min: 1, max: 4 }), cout: fc.integer({ min: 1, max: 9 }),
      h: fc.integer({ min: 2, max: 9 }), w: fc.integer({ min: 2, max: 9 }), bias: fc.boolean(), seed: fc.integer({ min: 1, max: 1000 }),
      dtype: fc.constantFrom<"float32" | "float64">("float32", "float32", "float64"), momentum: fc.constantFrom(0.1, 0.3, null),
    }), (g) => {
      fc.pre(g.batch * g.h * g.w > 1);
      const mods = layers(g), twin = layers(g);
      const seq = new nn.Sequential(...mods);
      const x = randn([g.batch, g.cin, g.h, g.w], { seed: g.seed + 1, dtype: g.dtype });
      x.requiresGrad = true;
      const y = seq.forward(x);
      expect(y.gradFn?.name).toBe(g.dtype === "float32" ? "conv2dBatchNormReluMaxPool2x2" : "maxPool2d");
      // Running statistics and the batch count: one fused forward against one of the modules.
      twin.reduce((h, m) => m.forward(h), x);
      for (const name of ["running_mean", "running_var", "num_batches_tracked"]) {
        expect(Array.from(mods[1].stateDict()[name].data), name).toEqual(Array.from(twin[1].stateDict()[name].data));
      }
      expectFusedEqualsSeparate(seq, mods, x, randn(y.shape, { seed: g.seed + 2, dtype: g.dtype }));
    }), { numRuns: 60 });
  });

  it("normalizes by the batch in eval mode without running statistics, and runs an unbatched input as the modules", () => {
    const conv = new nn.Conv2d(2, 5, 3, { padding: 1, seed: 7 }), bn = new nn.BatchNorm2d(5, { trackRunningStats: false });
    const mods = [conv, bn, new nn.ReLU(), new nn.MaxPool2d(2)];
    const seq = new nn.Sequential(...mods);
    seq.eval();
    const x = randn([3, 2, 6, 7], { seed: 8 });
    x.requiresGrad = true;
    expect(seq.forward(x).gradFn?.name).toBe("conv2dBatchNormReluMaxPool2x2");
    expectFusedEqualsSeparate(seq, mods, x, randn([3, 5, 3, 3], { seed: 9 }));
    seq.train();
    const unbatched = randn([2, 6, 7], { seed: 10 });
    expect(() => seq.forward(unbatched)).toThrow(/4-d input/);
  });
});

