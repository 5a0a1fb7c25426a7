// Dropout2d (whole channels), nearest-neighbour interpolate/Upsample against a float64
// reference, Flatten's { startDim, endDim }, and the image layers inside a model: summary rows
// and the fusion pass running them as plain module steps.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, manualSeed, nn, Rng, ShapeError, ValueError, Tensor, zeros } from "../../src/index.js";
import { fuseLayers } from "../../src/nn/fusion.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { valuesFrom } from "../support/reference.js";

const F = nn.functional;
function sample(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, 0.5, 2);
  return fromTypedArray(Float32Array.from({ length: n }, (_, i) => v(i)), shape);
}

describe("Dropout2d", () => {
  it("zeroes whole channels and scales the others by 1/(1−p); the gradient uses the same mask", () => {
    const x = sample([8, 16, 3, 2], 1);
    x.requiresGrad = true;
    const p = 0.4, y = F.dropout2d(x, p, { seed: 3 });
    const u = new Rng(3), xd = x.data, yd = y.data;
    let dropped = 0;
    for (let c = 0; c < 128; c++) {
      const keep = u.uniform() >= p;
      if (!keep) dropped++;
      for (let i = c * 6; i < c * 6 + 6; i++) expect(yd[i]).toBe(keep ? Math.fround(xd[i] * (1 / (1 - p))) : 0);
    }
    expect(dropped).toBeGreaterThan(20); // 128 channels at p = 0.4: about 51
    y.sum().backward();
    const g = x.grad!.data;
    for (let i = 0; i < x.size; i++) expect(g[i]).toBe(yd[i] === 0 ? 0 : Math.fround(1 / (1 - p)));
  });

  it("the module is the identity in eval mode, seeded when asked, and draws from the global generator otherwise", () => {
    const x = sample([2, 5, 2, 2], 2);
    const d = new nn.Dropout2d(0.5, { seed: 9 });
    expect(Array.from(d.forward(x).data)).toEqual(Array.from(F.dropout2d(x, 0.5, { rng: new Rng(9) }).data));
    expect(d.eval().forward(x)).toBe(x);
    manualSeed(4);
    const a = new nn.Dropout2d().forward(x);
    manualSeed(4);
    expect(Array.from(new nn.Dropout2d().forward(x).data)).toEqual(Array.from(a.data));
    expect(F.dropout2d(x, 0.5, { training: false })).toBe(x);
  });

  it("p = 1 multiplies every channel by 0 (gradient too), as PyTorch; the identity in eval", () => {
    const x = sample([2, 3, 2, 2], 4);
    x.requiresGrad = true;
    for (const y of [F.dropout2d(x, 1), new nn.Dropout2d(1).forward(x)]) {
      expect(Array.from(y.data)).toEqual(Array.from(x.data, (v) => v * 0));
      y.sum().backward();
      expect(Array.from(x.grad!.data)).toEqual(new Array(x.size).fill(0));
      x.grad = null;
    }
    expect(new nn.Dropout2d(1).eval().forward(x)).toBe(x);
  });

  it("refuses p outside [0, 1] or not a number, a non-4-d input and unknown options", () => {
    expect(() => new nn.Dropout2d(1.5)).toThrow(ValueError);
    expect(() => new nn.Dropout2d("0.5" as never)).toThrow('Dropout2d: probability must be a number in [0, 1], got "0.5" (string)');
    expect(() => F.dropout2d(zeros([2, 3, 4, 4]), "0.5" as never)).toThrow('dropout2d: probability must be a number in [0, 1], got "0.5" (string)');
    expect(() => F.dropout2d(zeros([2, 3, 4]), 0.5)).toThrow(ShapeError);
    expect(() => F.dropout2d(zeros([2, 3, 4, 4]), 0.5, { inplace: true } as never)).toThrow(/unknown option "inplace"/);
  });
});

describe("interpolate (nearest) and Upsample", () => {
  /** PyTorch's nearest source index: ⌊o·scale⌋ in float32, scale = 1/factor or in/out, clipped. */
  const source = (o: number, inSize: number, outSize: number, factor: number | null) => {
    const scale = Math.fround(factor !== null ? 1 / factor : inSize / outSize);
    return Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
  };
  it("copies the nearest source element, from a size or a scale factor", () => {
    const arb = fc.record({ H: fc.integer({ min: 1, max: 6 }), W: fc.integer({ min: 1, max: 6 }), bySize: fc.boolean(),
      oh: fc.integer({ min: 1, max: 13 }), ow: fc.integer({ min: 1, max: 13 }), fh: fc.constantFrom(0.5, 1, 1.5, 2, 2.5, 3), fw: fc.constantFrom(0.7, 1, 2, 3) });
    fc.assert(fc.property(arb, ({ H, W, bySize, oh, ow, fh, fw }) => {
      const x = sample([2, 3, H, W], H * 7 + W);
      const OH = bySize ? oh : Math.floor(H * fh), OW = bySize ? ow : Math.floor(W * fw);
      fc.pre(OH >= 1 && OW >= 1);
      const y = F.interpolate(x, bySize ? { size: [oh, ow] } : { scaleFactor: [fh, fw] });
      expect(y.shape).toEqual([2, 3, OH, OW]);
      for (let p = 0, k = 0; p < 6; p++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++, k++) {
        const si = OH === H ? i : OH === 2 * H ? i >> 1 : source(i, H, OH, bySize ? null : fh);
        const sj = OW === W ? j : OW === 2 * W ? j >> 1 : source(j, W, OW, bySize ? null : fw);
        expect(y.data[k]).toBe(x.data[p * H * W + si * W + sj]);
      }
    }), { numRuns: 100 });
  });

  it("gradients sum over the copies (central differences), 1-d and 2-d", () => {
    assertGradByDifferences((x) => F.interpolate(x, { scaleFactor: 1.7 }), [float64Input([1, 2, 3, 4], 1)], "interpolate 2-d");
    assertGradByDifferences((x) => F.interpolate(x, { size: 7 }), [float64Input([2, 2, 3], 2)], "interpolate 1-d");
  });

  it("Upsample is interpolate; other modes and bad sizes are refused", () => {
    const x = sample([1, 2, 3, 3], 5);
    expect(Array.from(new nn.Upsample({ scaleFactor: 2 }).forward(x).data)).toEqual(Array.from(F.interpolate(x, { scaleFactor: 2 }).data));
    expect(new nn.Upsample({ size: [4, 5] }).forward(x).shape).toEqual([1, 2, 4, 5]);
    expect(() => new nn.Upsample({ scaleFactor: 2, mode: "trilinear" } as never)).toThrow(/mode must be one of/);
    expect(() => new nn.Upsample({})).toThrow(/exactly one of size and scaleFactor/);
    expect(() => F.interpolate(x, { size: 3, scaleFactor: 2 })).toThrow(ValueError);
    expect(() => F.interpolate(x, { scaleFactor: 0.1 })).toThrow(ShapeError);
    expect(() => F.interpolate(zeros([3, 3]), { size: 2 })).toThrow(ShapeError);
    expect(() => F.interpolate(x, { size: [2, 2, 2] })).toThrow(ValueError);
  });
});

describe("Flatten({ startDim, endDim })", () => {
  it("takes PyTorch's defaults, options or the two numbers", () => {
    const x = zeros([2, 3, 4, 5]);
    expect(new nn.Flatten().forward(x).shape).toEqual([2, 60]);
    expect(new nn.Flatten({ startDim: 0 }).forward(x).shape).toEqual([120]);
    expect(new nn.Flatten({ startDim: 1, endDim: 2 }).forward(x).shape).toEqual([2, 12, 5]);
    expect(new nn.Flatten({ endDim: -2 }).forward(x).shape).toEqual([2, 12, 5]);
    expect(new nn.Flatten(2, 3).forward(x).shape).toEqual([2, 3, 20]);
    expect(() => new nn.Flatten({ start: 1 } as never)).toThrow(/unknown option "start"/);
    expect(() => new nn.Flatten({ startDim: 1.5 })).toThrow(ValueError);
  });
});

describe("image layers inside a model", () => {
  const model = () => new nn.Sequential(
    new nn.BatchNorm2d(2), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Dropout2d(0.2, { seed: 1 }),
    new nn.AvgPool2d(2, { stride: 1 }), new nn.Flatten(), new nn.Linear(12, 4, { seed: 2 }), new nn.ReLU(), new nn.Linear(4, 3, { seed: 3 }));

  it("summary lists each layer's output shape and parameter count", () => {
    const s = model().summary([5, 2, 6, 8], { print: false });
    expect(s).toMatch(/0 \(BatchNorm2d\)\s+\[5, 2, 6, 8\]\s+4\n/);
    expect(s).toMatch(/2 \(MaxPool2d\)\s+\[5, 2, 3, 4\]\s+0\n/);
    expect(s).toMatch(/3 \(Dropout2d\)\s+\[5, 2, 3, 4\]\s+0\n/);
    expect(s).toMatch(/4 \(AvgPool2d\)\s+\[5, 2, 2, 3\]\s+0\n/);
    expect(s).toMatch(/5 \(Flatten\)\s+\[5, 12\]/);
    expect(s).toMatch(/Buffers: 5 values/);
  });

  it("the fusion pass runs them as plain module steps around the fused Linear→ReLU", () => {
    const m = model();
    const steps = fuseLayers(m.children());
    expect(steps.map((s) => s.kind)).toEqual(["module", "module", "module", "module", "module", "module", "linear", "linear"]);
    const x = sample([4, 2, 6, 8], 7);
    const y = m.forward(x);
    expect(y.shape).toEqual([4, 3]);
    y.sum().backward();
    for (const p of m.parameters()) expect(p.grad, "every parameter gets a gradient").not.toBeNull();
  });
});
