// Convolution, pooling, normalization and resizing in option combinations the other tests do not
// reach, checked against PyTorch 1.13 (the values written in below come from it, on float64
// inputs chosen so the arithmetic is exact or nearly so), and the inputs PyTorch refuses.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";

const nn = eg.nn;
const F = nn.functional;

const t64 = (values: number[], shape: number[]) => eg.tensor(values, { dtype: "float64" }).reshape(shape);
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);
const flat = (t: eg.Tensor) => Array.from(t.data as ArrayLike<number>);
/** Equal within a few float64 ulps of the values' size: sums of a handful of exact terms. */
function expectClose(got: eg.Tensor, want: number[], shape?: number[]) {
  if (shape) expect(got.shape).toEqual(shape);
  const g = flat(got);
  expect(g.length).toBe(want.length);
  g.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(want[i]))));
}

describe("conv1d takes one value per option, as PyTorch", () => {
  const x = eg.zeros([1, 2, 9]), w = eg.zeros([1, 2, 3]);
  // PyTorch 1.13: "expected stride to be a single integer value or a list of 1 values to match
  // the convolution dimensions, but got stride=[3, 2]" (and the same for dilation and padding).
  it("refuses a pair for stride, dilation or padding instead of reading its second half", () => {
    expect(() => F.conv1d(x, w, null, { stride: [3, 2] as never })).toThrow(eg.ValueError);
    expect(() => F.conv1d(x, w, null, { dilation: [2, 1] as never })).toThrow(eg.ValueError);
    expect(() => F.conv1d(x, w, null, { padding: [1, 2] as never })).toThrow(/conv1d: padding .*got \[1,2\]/);
  });
  // PyTorch 1.13: F.conv1d(arange(10).reshape(1, 2, 5), [[[1, -1, 2], [0, 1, -2]]], stride=(2,), dilation=[1], padding=(1,)).
  const want = [-5, -4, 8];
  it("accepts one-element arrays", () => {
    const y = F.conv1d(t64(range(10), [1, 2, 5]), t64([1, -1, 2, 0, 1, -2], [1, 2, 3]), null, { stride: [2], dilation: [1], padding: [1] });
    expectClose(y, want, [1, 1, 3]);
  });
  it("so does the Conv1d module, for its kernel size too (it refused them, naming [3] as 3)", () => {
    const m = new nn.Conv1d(2, 1, [3], { stride: [2], dilation: [1], padding: [1], bias: false, dtype: "float64" });
    m.weight.storage.set([1, -1, 2, 0, 1, -2]);
    expect([m.kernelSize, m.stride, m.dilation, m.padding]).toEqual([3, 2, 1, 1]);
    expectClose(m.forward(t64(range(10), [1, 2, 5])), want, [1, 1, 3]);
    expect(() => new nn.Conv1d(2, 1, [3, 3] as never)).toThrow(/Conv1d: kernelSize .*got \[3,3\]/);
    expect(() => new nn.Conv1d(2, 1, 3, { stride: [2, 1] as never })).toThrow(eg.ValueError);
  });
});

describe("convolutions refuse an empty kernel, as PyTorch", () => {
  // PyTorch 1.13: "kernel size should be greater than zero, but got kernel_height: 0 kernel_width: 2".
  it("conv2d, conv1d and convTranspose2d", () => {
    expect(() => F.conv2d(eg.zeros([1, 3, 5, 5]), eg.zeros([4, 3, 0, 2]))).toThrow(eg.ShapeError);
    expect(() => F.conv1d(eg.zeros([1, 3, 5]), eg.zeros([4, 3, 0]))).toThrow(eg.ShapeError);
    expect(() => F.convTranspose2d(eg.zeros([1, 3, 5, 5]), eg.zeros([3, 2, 0, 2]))).toThrow(eg.ShapeError);
    expect(() => F.convTranspose2d(eg.zeros([1, 3, 5, 5]), eg.zeros([3, 2, 2, 0]))).toThrow(/empty kernel/);
  });
});

describe("padding \"same\" with an even dilated extent pads one more on the right", () => {
  it("conv1d, kernel 2, dilation 3 (total 3: 1 left, 2 right), values and gradients", () => {
    // PyTorch 1.13: F.conv1d(arange(7) − 3, [[[2, −1]]], padding="same", dilation=3), backward of arange(7).
    const x = t64(range(7, -3), [1, 1, 7]), w = t64([2, -1], [1, 1, 2]);
    x.requiresGrad = true;
    w.requiresGrad = true;
    const y = F.conv1d(x, w, null, { padding: "same", dilation: 3 });
    expectClose(y, [1, -6, -5, -4, -3, 2, 4], [1, 1, 7]);
    y.mul(t64(range(7), [1, 1, 7])).sum().backward();
    expectClose(x.grad!, [2, 4, 6, 7, 8, 9, -4]);
    expectClose(w.grad!, [7, 20]);
  });
  it("Conv1d with kernel 4 (1 left, 2 right)", () => {
    // PyTorch 1.13: F.conv1d(arange(6) − 2, [[[1, 2, −1, 3]]], padding="same").
    const m = new nn.Conv1d(1, 1, 4, { padding: "same", bias: false, dtype: "float64" });
    m.weight.storage.set([1, 2, -1, 3]);
    expect(m.pads).toEqual([1, 2]);
    expectClose(m.forward(t64(range(6, -2), [1, 1, 6])), [-3, -1, 4, 9, 2, 8], [1, 1, 6]);
  });
});

describe("convTranspose2d with groups, dilation and outputPadding together", () => {
  it("matches PyTorch, values and gradients", () => {
    // PyTorch 1.13: F.conv_transpose2d(arange(4) − 1 as [1, 2, 1, 2], arange(8) − 3 as [2, 1, 2, 2],
    // [0.5, −1], stride=2, dilation=2, output_padding=(1, 0), groups=2); backward of (k mod 5) − 2.
    const x = t64(range(4, -1), [1, 2, 1, 2]), w = t64(range(8, -3), [2, 1, 2, 2]);
    x.requiresGrad = true;
    w.requiresGrad = true;
    const y = F.convTranspose2d(x, w, t64([0.5, -1], [2]), { stride: 2, dilation: 2, outputPadding: [1, 0], groups: 2 });
    expectClose(y, [
      3.5, 0.5, 2.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
      0, -1, 3, -1, 3, -1, -1, -1, -1, -1, 2, -1, 9, -1, 7, -1, -1, -1, -1, -1,
    ], [1, 2, 4, 5]);
    y.mul(t64(range(40).map((k) => (k % 5) - 2), [1, 2, 4, 5])).sum().backward();
    expectClose(x.grad!, [8, -4, -8, 12]);
    expectClose(w.grad!, [2, 0, 2, 0, -2, 4, -2, 4]);
  });
});

describe("avgPool2d with ceilMode and padding", () => {
  const x = t64(range(20, 1), [1, 1, 4, 5]);
  it("a negative divisorOverride divides every window", () => {
    // PyTorch 1.13: F.avg_pool2d(arange(1, 21) as [1, 1, 4, 5], (3, 2), stride=2, padding=1, ceil_mode=True, divisor_override=-3).
    expectClose(F.avgPool2d(x, [3, 2], { stride: 2, padding: 1, ceilMode: true, divisorOverride: -3 }), [
      -2.3333333333333335, -6.666666666666667, -9.333333333333334, -11, -25, -29, -5.333333333333333, -11.666666666666666, -13,
    ], [1, 1, 3, 3]);
  });
  it("countIncludePad counts the padding but not what ceil mode adds past it", () => {
    // PyTorch 1.13: F.avg_pool2d(same x, (3, 2), stride=(2, 3), padding=1, ceil_mode=True, count_include_pad=True).
    expectClose(F.avgPool2d(x, [3, 2], { stride: [2, 3], padding: 1, ceilMode: true, countIncludePad: true }),
                [1.1666666666666667, 4, 5.5, 13.5, 4, 9.25], [1, 1, 3, 2]);
  });
});

describe("batchNorm updates whichever running statistic it is given", () => {
  const x = t64([1, 2, 3, 6, 5, 10, 7, 14], [4, 2]);
  it("runningMean alone, or runningVar alone (PyTorch updates it; it was left as it was)", () => {
    // PyTorch 1.13: F.batch_norm(x, rm, None, training=True) → rm [0.4, 0.8];
    // F.batch_norm(x, None, rv=ones, training=True) → rv [1.5666666666666669, 3.566666666666667].
    const rm = eg.zeros([2], { dtype: "float64" });
    F.batchNorm(x, rm, null, { training: true });
    expectClose(rm, [0.4, 0.8]);
    const rv = eg.ones([2], { dtype: "float64" });
    F.batchNorm(x, null, rv, { training: true });
    expectClose(rv, [1.5666666666666669, 3.566666666666667]);
  });
  it("refuses momentum null (the module's cumulative average), which was read as 0.1", () => {
    // PyTorch 1.13: "batch_norm(): argument 'momentum' (position 7) must be float, not NoneType".
    const rm = eg.zeros([2], { dtype: "float64" }), rv = eg.ones([2], { dtype: "float64" });
    expect(() => F.batchNorm(x, rm, rv, { training: true, momentum: null as never })).toThrow(/momentum must be a number, got null/);
    expectClose(rm, [0, 0]);
  });
});

describe("resizing and channel dropout name a wrong dtype as such", () => {
  it("interpolate and dropout2d throw DTypeError for an int32 input", () => {
    const xi = eg.zeros([1, 3, 4, 4], { dtype: "int32" });
    expect(() => F.interpolate(xi, { size: 2 })).toThrow(eg.DTypeError);
    expect(() => F.dropout2d(xi, 0.5, { seed: 1 })).toThrow(eg.DTypeError);
    expect(() => new nn.Dropout2d(0.5, { seed: 1 }).forward(xi)).toThrow(eg.DTypeError);
  });
});

describe("Flatten of a 0-d input", () => {
  it("takes dims 0 and −1 only, as PyTorch", () => {
    // PyTorch 1.13: nn.Flatten()(tensor(3.)) → IndexError "Dimension out of range (expected to be
    // in range of [-1, 0], but got 1)"; nn.Flatten(0, -1)(tensor(3.)) → tensor([3.]).
    expect(() => new nn.Flatten().forward(eg.tensor(3))).toThrow(eg.ValueError);
    expect(() => new nn.Flatten(0, 2).forward(eg.tensor(3))).toThrow(eg.ValueError);
    const y = new nn.Flatten(0, -1).forward(eg.tensor(3));
    expect(y.shape).toEqual([1]);
    expect(y.toArray()).toEqual([3]);
    expect(new nn.Flatten(-1, 0).forward(eg.tensor(3)).shape).toEqual([1]);
  });
});
