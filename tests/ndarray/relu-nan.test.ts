// relu keeps NaN (and −0), as PyTorch's relu: on every path that computes it, the elementwise
// op, nn.ReLU and functional.relu, and the fused epilogues (Linear→ReLU, Conv2d→ReLU and the
// training-mode Conv2d→BatchNorm2d→ReLU→MaxPool2d(2), whose ReLU runs after the normalization),
// each against the modules one by one. The gradient at NaN is 0, the relu mask y > 0.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, indices, layoutArb, makeTensor, shapeArb, valuesFrom } from "../support/reference.js";

const { nn } = eg;
/** v < 0 ? 0 : v in float64, by the sign and not by a library call. */
const reluRef = (v: number) => (v < 0 ? 0 : v);
/** Values in [-3, 3) with NaN, −0 and ±∞ at some positions. */
const special = (seed: number) => (i: number) => {
  const v = valuesFrom(seed)(i);
  return [NaN, -0, Infinity, -Infinity][i % 7] ?? v;
};
/** Equal bits up to the NaN payload: Object.is, but any NaN equals any NaN. */
const sameValue = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe("relu propagates NaN and keeps −0, as PyTorch", () => {
  it("relu(), nn.ReLU and functional.relu on non-contiguous views, float32 and float64", () => {
    fc.assert(fc.property(shapeArb(), layoutArb, fc.integer(), fc.constantFrom<"float32" | "float64">("float32", "float64"),
      (shape, layout, seed, dtype) => {
        const x = makeTensor(shape, special(seed), layout, dtype);
        for (const y of [x.relu(), eg.relu(x), new nn.ReLU().forward(x), nn.functional.relu(x)]) {
          expect(y.dtype).toBe(dtype);
          for (const idx of indices(shape)) {
            const want = reluRef(at(x, idx));
            if (!sameValue(at(y, idx), want)) throw new Error(`relu(${at(x, idx)}) at [${idx}]: got ${at(y, idx)}, expected ${want}`);
          }
        }
      }), { numRuns: 40 });
  });

  it("the repro: [NaN, -1, 2] gives [NaN, 0, 2], and the gradient is 0 at NaN", () => {
    const x = eg.tensor([NaN, -1, 2], { requiresGrad: true });
    const y = x.relu();
    expect(Array.from(y.data)).toEqual([NaN, 0, 2]);
    y.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 1]);
  });

  it("relu is refused on a bool tensor (PyTorch: not supported)", () => {
    expect(() => eg.tensor([true, false]).relu()).toThrow(eg.DTypeError);
  });
});

describe("the fused relu paths give relu()'s NaN and −0", () => {
  const withNaN = (shape: number[], seed: number) => {
    const x = eg.randn(shape, { seed });
    x.data[3] = NaN;
    x.data[x.size - 2] = NaN;
    return x;
  };
  const expectSame = (got: eg.Tensor, want: eg.Tensor, what: string) => {
    expect(got.shape).toEqual(want.shape);
    const g = got.data, w = want.data;
    let nans = 0;
    for (let i = 0; i < w.length; i++) {
      if (!sameValue(g[i], w[i])) throw new Error(`${what} at ${i}: got ${g[i]}, expected ${w[i]}`);
      if (Number.isNaN(w[i])) nans++;
    }
    expect(nans).toBeGreaterThan(0); // the NaN did reach the output, so the comparison says something
  };

  it("linear with the ReLU in the GEMM epilogue, and a fused Linear→ReLU", () => {
    const x = withNaN([5, 7], 1), lin = new nn.Linear(7, 9, { seed: 2 });
    const separate = lin.forward(x).relu();
    expectSame(eg.linear(x, lin.weight, lin.bias, { relu: true }), separate, "linear(relu)");
    expectSame(new nn.Sequential(lin, new nn.ReLU()).forward(x), separate, "Sequential(Linear, ReLU)");
  });

  it("Conv2d→ReLU with the ReLU in the convolution's epilogue", () => {
    const x = withNaN([2, 3, 6, 5], 3), conv = new nn.Conv2d(3, 4, 3, { padding: 1, seed: 4 });
    expectSame(new nn.Sequential(conv, new nn.ReLU()).forward(x), conv.forward(x).relu(), "Sequential(Conv2d, ReLU)");
  });

  it("Conv2d→BatchNorm2d→ReLU→MaxPool2d(2) in training mode (the ReLU after the batch statistics)", () => {
    const conv = new nn.Conv2d(3, 4, 3, { padding: 1, seed: 5 }), bn = new nn.BatchNorm2d(4), pool = new nn.MaxPool2d(2);
    const x = withNaN([2, 3, 6, 4], 6);
    const seq = new nn.Sequential(conv, bn, new nn.ReLU(), pool);
    seq.train();
    const fused = eg.noGrad(() => seq.forward(x));
    const separate = eg.noGrad(() => pool.forward(bn.forward(conv.forward(x)).relu()));
    expectSame(fused, separate, "Conv2d→BatchNorm2d→ReLU→MaxPool2d");
  });
});
