// Degenerate shapes across the tensor ops, against PyTorch 1.13: dims of size 0, 0-d tensors,
// size-1 broadcast dims and non-contiguous views (transposed, stepped, expanded), with the
// gradients, which must come back in each input's shape.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";

const int32 = (v: number | number[]) => eg.tensor(v, { dtype: "int32" });
const leaf = (t: eg.Tensor) => { t.requiresGrad = true; return t; };

describe("chunk of an empty dim", () => {
  it("gives `chunks` empty pieces, as torch.chunk", () => {
    // PyTorch 1.13: torch.chunk(torch.zeros(2, 0), 4, 1) is four [2, 0] tensors, and
    // torch.chunk(torch.zeros(0), 3) three [0] tensors.
    expect(eg.chunk(eg.zeros([2, 0]), 4, 1).map((p) => p.shape)).toEqual([[2, 0], [2, 0], [2, 0], [2, 0]]);
    expect(eg.chunk(eg.zeros([0]), 3).map((p) => p.shape)).toEqual([[0], [0], [0]]);
    // The non-empty dim of the same tensor is cut as before: torch.chunk(torch.zeros(2, 0), 4, 0) is two [1, 0].
    expect(eg.chunk(eg.zeros([2, 0]), 4, 0).map((p) => p.shape)).toEqual([[1, 0], [1, 0]]);
  });
  it("each piece's gradient reaches the input in its shape", () => {
    const x = leaf(eg.zeros([3, 0], { dtype: "float64" }));
    const pieces = eg.chunk(x, 2, 1);
    eg.concat(pieces, 1).sum().backward();
    expect(x.grad!.shape).toEqual([3, 0]);
  });
});

describe("concat with a 1-D empty tensor", () => {
  it("skips it next to tensors of another rank, along any dim, as torch.cat", () => {
    // PyTorch 1.13: torch.cat([torch.zeros(0), torch.ones(2, 3)]) and torch.cat([torch.ones(2, 3), torch.zeros(0)], 1)
    // are both the [2, 3] ones.
    const ones = eg.ones([2, 3]);
    for (const y of [eg.concat([eg.zeros([0]), ones]), eg.concat([ones, eg.zeros([0])], 1), eg.concat([eg.zeros([0]), ones, eg.zeros([0])], -1)]) {
      expect(y.shape).toEqual([2, 3]);
      expect(Array.from(y.data)).toEqual(new Array(6).fill(1));
    }
    expect(eg.concat([eg.ones([2, 3]), eg.zeros([0]), eg.full([1, 3], 2)]).toArray()).toEqual([[1, 1, 1], [1, 1, 1], [2, 2, 2]]);
  });
  it("its dtype still takes part in the result's (torch.cat: float64 + float32 → float64)", () => {
    expect(eg.concat([eg.zeros([0], { dtype: "float64" }), eg.ones([2, 3])]).dtype).toBe("float64");
  });
  it("gets an empty gradient; the other inputs get theirs", () => {
    const e = leaf(eg.zeros([0], { dtype: "float64" }));
    const a = leaf(eg.ones([2, 3], { dtype: "float64" }));
    const b = leaf(eg.ones([1, 3], { dtype: "float64" }));
    eg.concat([a, e, b]).mul(eg.arange(9, undefined, undefined, { dtype: "float64" }).reshape([3, 3])).sum().backward();
    expect(e.grad!.shape).toEqual([0]);
    expect(a.grad!.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(b.grad!.toArray()).toEqual([[6, 7, 8]]);
  });
  it("other shape mismatches are still refused", () => {
    expect(() => eg.concat([eg.zeros([0, 3]), eg.ones([2, 4])])).toThrow(eg.ShapeError);
    expect(() => eg.concat([eg.zeros([0]), eg.ones([2, 3]), eg.ones([2, 4])])).toThrow(eg.ShapeError);
    expect(() => eg.concat([eg.zeros([0]), eg.tensor(1)])).toThrow(/zero-dimensional/);
    // All 1-D: an ordinary join.
    expect(eg.concat([eg.zeros([0]), eg.ones([2])]).toArray()).toEqual([1, 1]);
  });
});

describe("the ∞-norm over an empty dim", () => {
  it("is 0 (the least |x| can be), as torch.norm, with a gradient of the input's shape", () => {
    // PyTorch 1.13: torch.norm(torch.zeros(3, 0), float("inf"), dim=1) is [0, 0, 0]; over all dims 0.
    const x = leaf(eg.zeros([3, 0], { dtype: "float64" }));
    const y = eg.norm(x, Infinity, 1);
    expect(y.toArray()).toEqual([0, 0, 0]);
    expect(eg.norm(x, Infinity).item()).toBe(0);
    expect(eg.norm(x, Infinity, 1, { keepdim: true }).shape).toEqual([3, 1]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([3, 0]);
    // Over the non-empty dim it is an empty result.
    expect(eg.norm(x, Infinity, 0).shape).toEqual([0]);
  });
});

describe("gather and scatterAdd on 0-d tensors", () => {
  it("gather treats a 0-d input or index as one element along dim 0; the result has the index's shape", () => {
    // PyTorch 1.13: gather(tensor(3.), 0, tensor(0)) = tensor(3.); with index [0, 0]: [3., 3.];
    // gather(tensor([1., 2.]), 0, tensor(1)) = tensor(2.); dim -1 is dim 0 here.
    const s = leaf(eg.tensor(3, { dtype: "float64" }));
    const y = eg.gather(s, 0, int32(0));
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(3);
    const z = eg.gather(s, -1, int32([0, 0, 0]));
    expect(z.toArray()).toEqual([3, 3, 3]);
    const w = eg.gather(eg.tensor([1, 2]), 0, int32(1));
    expect(w.shape).toEqual([]);
    expect(w.item()).toBe(2);
    z.sum().backward();
    expect(s.grad!.shape).toEqual([]);
    expect(s.grad!.item()).toBe(3); // torch: tensor(3.)
  });
  it("scatterAdd adds into a 0-d input, or from 0-d index and src into a 1-D one", () => {
    // PyTorch 1.13: tensor(3.).scatter_add(0, tensor(0), tensor(2.)) = tensor(5.); with index [0, 0]
    // and src [2., 4.]: tensor(9.); zeros(3).scatter_add(0, tensor(1), tensor(2.)) = [0., 2., 0.].
    expect(eg.scatterAdd(eg.tensor(3), 0, int32(0), eg.tensor(2)).item()).toBe(5);
    const x = leaf(eg.tensor(3, { dtype: "float64" }));
    const src = leaf(eg.tensor([1, 2], { dtype: "float64" }));
    const y = eg.scatterAdd(x, 0, int32([0, 0]), src);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(6);
    y.mul(2).backward();
    expect(x.grad!.item()).toBe(2); // torch: tensor(2.)
    expect(src.grad!.toArray()).toEqual([2, 2]); // torch: [2., 2.]
    expect(eg.scatterAdd(eg.zeros([3]), 0, int32(1), eg.tensor(2)).toArray()).toEqual([0, 2, 0]);
  });
  it("out-of-range dims and indices, and a rank mismatch, are still refused", () => {
    const s = eg.tensor(3);
    expect(() => eg.gather(s, 1, int32(0))).toThrow(eg.ValueError);
    expect(() => eg.gather(s, 0, int32([1]))).toThrow(/index 1 is out of range/);
    expect(() => eg.scatterAdd(s, 0, int32(1), eg.tensor(2))).toThrow(/index 1 is out of range/);
    expect(() => eg.gather(eg.ones([2, 2]), 0, int32(0))).toThrow(/same number of dimensions/);
    expect(() => eg.gather(s, 0, eg.zeros([1, 1], { dtype: "int32" }))).toThrow(eg.ShapeError);
  });
});

describe("gradients through empty and broadcast inputs keep each input's shape", () => {
  const f64 = (shape: number[]) => leaf(eg.zeros(shape, { dtype: "float64" }));
  const cases: [string, number[][], (...xs: eg.Tensor[]) => eg.Tensor][] = [
    ["sum over the empty dim", [[3, 0]], (x) => x.sum(1)],
    ["max over the non-empty dim", [[0, 4, 2]], (x) => x.max(1)],
    ["var", [[3, 0]], (x) => x.var(0)],
    ["logsumexp", [[3, 0]], (x) => x.logsumexp(1)],
    ["softmax", [[3, 0]], (x) => x.softmax(0)],
    ["cumsum", [[0, 4]], (x) => eg.cumsum(x, 1)],
    ["matmul k = 0", [[2, 0], [0, 3]], (a, b) => eg.matmul(a, b)],
    ["matmul batch 0 against a shared matrix", [[0, 2, 3], [3, 4]], (a, b) => eg.matmul(a, b)],
    ["matmul broadcast to batch 0", [[2, 1, 2, 3], [0, 3, 4]], (a, b) => eg.matmul(a, b)],
    ["matmul broadcast batch, k = 0", [[2, 1, 2, 0], [3, 0, 4]], (a, b) => eg.matmul(a, b)],
    ["dot of empty vectors", [[0], [0]], (a, b) => eg.matmul(a, b)],
    ["stack", [[3, 0], [3, 0]], (a, b) => eg.stack([a, b], 1)],
    ["topk", [[0, 3]], (x) => eg.topk(x, 2, { dim: 1 }).values],
    ["pad", [[3, 0]], (x) => eg.pad(x, [1, 1])],
    ["pad reflect, empty batch", [[0, 3]], (x) => eg.pad(x, [1, 1], { mode: "reflect" })],
    ["pad cropping to nothing", [[2, 2]], (x) => eg.pad(x, [-2, 0])],
    ["squeeze", [[1, 0, 1]], (x) => x.squeeze()],
    ["permute", [[0, 4, 2]], (x) => x.permute([2, 0, 1])],
    ["expand to size 0", [[3, 1]], (x) => x.expand([2, 3, 0])],
    ["repeat 0 times", [[2]], (x) => eg.repeat(x, 0)],
    ["flip", [[3, 0]], (x) => eg.flip(x, [0, 1])],
    ["einsum broadcasting 1 against 0", [[3, 0], [1]], (a, b) => eg.einsum("ij,j->i", a, b)],
    ["einsum diagonal of [0, 0]", [[0, 0]], (x) => eg.einsum("ii->i", x)],
    ["where broadcast to [3, 0]", [[3, 1], [0]], (a, b) => eg.where(eg.zeros([1, 0], { dtype: "bool" }), a, b)],
    ["unfold with windows of 0", [[3]], (x) => eg.unfold(x, 0, 0, 1)],
    ["indexSelect with an empty index", [[3, 2]], (x) => eg.indexSelect(x, 0, eg.zeros([0], { dtype: "int32" }))],
  ];
  for (const [name, shapes, f] of cases) {
    it(name, () => {
      const xs = shapes.map(f64);
      const y = f(...xs);
      y.sum().backward();
      xs.forEach((x, i) => {
        expect(x.grad!.shape, `input ${i}`).toEqual(x.shape);
        expect(Array.from(x.grad!.data).every((v) => v === 0), `input ${i}`).toBe(true);
      });
    });
  }
});

describe("non-contiguous inputs", () => {
  it("softmax of an expanded row has a zero gradient (PyTorch 1.13: [[0], [0], [0]])", () => {
    const x = leaf(eg.tensor([[1], [2], [3]], { dtype: "float64" }));
    x.expand([3, 4]).softmax(1).mul(eg.arange(12, undefined, undefined, { dtype: "float64" }).reshape([3, 4])).sum().backward();
    for (const v of x.grad!.data) expect(Math.abs(v)).toBeLessThan(1e-12);
  });
  it("cumsum of an expanded view sums the gradient back (PyTorch 1.13: [[20], [60], [100]])", () => {
    const x = leaf(eg.tensor([[1], [2], [3]], { dtype: "float64" }));
    eg.cumsum(x.expand([3, 4]), 1).mul(eg.arange(12, undefined, undefined, { dtype: "float64" }).reshape([3, 4])).sum().backward();
    expect(x.grad!.toArray()).toEqual([[20], [60], [100]]);
  });
  it("topk of a transposed view, and flip of a stepped transposed view, route gradients to the right places", () => {
    // PyTorch 1.13: topk(x.t(), 2, dim=1).values weighted by [[0, 1], [2, 3]] gives x.grad
    // [[0, 2], [1, 0], [0, 3]]; flip(x.t()[:, ::2], [0, 1]) weighted the same gives [[3, 1], [0, 0], [2, 0]].
    const x = leaf(eg.tensor([[1, 5], [2, -1], [3, 0]], { dtype: "float64" }));
    const w = eg.tensor([[0, 1], [2, 3]], { dtype: "float64" });
    eg.topk(x.T, 2, { dim: 1 }).values.mul(w).sum().backward();
    expect(x.grad!.toArray()).toEqual([[0, 2], [1, 0], [0, 3]]);
    const x2 = leaf(eg.tensor([[1, 5], [2, -1], [3, 0]], { dtype: "float64" }));
    eg.flip(x2.T.slice(null, [0, 3, 2]), [0, 1]).mul(w).sum().backward();
    expect(x2.grad!.toArray()).toEqual([[3, 1], [0, 0], [2, 0]]);
  });
  it("batched matmul with an expanded batch and a permuted operand, on every backend", () => {
    // Each product against an independent float64 loop.
    const a = eg.arange(4).reshape([1, 2, 2]).expand([3, 2, 2]);
    const b = eg.arange(12).reshape([3, 2, 2]).permute([0, 2, 1]);
    const y = eg.matmul(a, b);
    const A = a.toArray() as number[][][], B = b.toArray() as number[][][];
    const want = A.map((m, t) => m.map((row, i) => [0, 1].map((j) => row[0] * B[t][0][j] + row[1] * B[t][1][j])));
    expect(y.toArray()).toEqual(want);
    expect(eg.matmul(eg.ones([2, 2, 0]), eg.ones([2, 0, 4])).toArray()).toEqual(new Array(2).fill(new Array(2).fill([0, 0, 0, 0])));
  });
});

describe("linear with no input features", () => {
  // PyTorch 1.13: F.linear(zeros(2, 0), ones(4, 0), [1, -2, 3, 4]) is the bias on each row; the
  // backward gives x and W empty gradients and the bias [2, 2, 2, 2]; a [3, 2, 0] input gives [3, 2, 4].
  for (const scope of ["float32", "bf16 scope", "float64"] as const) {
    it(`is the bias on each row (${scope})`, () => {
      const dtype = scope === "float64" ? "float64" : "float32";
      const x = leaf(eg.zeros([2, 0], { dtype }));
      const w = leaf(eg.ones([4, 0], { dtype }));
      const b = leaf(eg.tensor([1, -2, 3, 4], { dtype }));
      const run = () => eg.linear(x, w, b);
      const y = scope === "bf16 scope" ? eg.nn.autocast("bf16", run) : run();
      expect(y.toArray()).toEqual([[1, -2, 3, 4], [1, -2, 3, 4]]);
      y.sum().backward();
      expect(x.grad!.shape).toEqual([2, 0]);
      expect(w.grad!.shape).toEqual([4, 0]);
      expect(b.grad!.toArray()).toEqual([2, 2, 2, 2]);
      const relu = () => eg.linear(eg.zeros([3, 2, 0], { dtype }), w, b, { relu: true });
      const z = scope === "bf16 scope" ? eg.nn.autocast("bf16", relu) : relu();
      expect(z.shape).toEqual([3, 2, 4]);
      expect(Array.from(z.data).slice(0, 4)).toEqual([1, 0, 3, 4]);
    });
  }
});

describe("unfold of a 0-d tensor", () => {
  it("is one window of the element along dim 0 or -1, as torch.Tensor.unfold", () => {
    // PyTorch 1.13: tensor(3.).unfold(0, 1, 1) = [3.] (grad 1); unfold(0, 0, 1) = [] (grad 0);
    // unfold(0, 1, 2) = [3.]; a window of 2 and dim 1 are refused.
    const x = leaf(eg.tensor(3, { dtype: "float64" }));
    const y = eg.unfold(x, 0, 1, 1);
    expect(y.shape).toEqual([1]);
    expect(y.toArray()).toEqual([3]);
    y.sum().backward();
    expect(x.grad!.shape).toEqual([]);
    expect(x.grad!.item()).toBe(1);
    expect(eg.unfold(x, -1, 1, 2).toArray()).toEqual([3]);
    expect(eg.unfold(x, 0, 0, 1).shape).toEqual([0]);
    expect(() => eg.unfold(x, 0, 2, 1)).toThrow(eg.ValueError);
    expect(() => eg.unfold(x, 1, 1, 1)).toThrow(eg.ValueError);
  });
});

describe("pad cropping with negative amounts", () => {
  it("refuses to crop more than a dim holds, instead of padding a shape other than size + before + after", () => {
    // PyTorch 1.13 refuses F.pad(x, (2, -4)), (1, -4) and (-4, 1) for x of shape [2, 3] (it
    // cannot narrow 3 entries by 4), and gives F.pad(x, (-3, 1)) = [[0], [0]], F.pad(x, (-1, -1)) = [[1], [4]].
    const x = eg.arange(6).reshape([2, 3]);
    for (const p of [[2, -4], [1, -4], [-4, 1], [-4, 4], [-2, -2]]) {
      expect(() => eg.pad(x, p), `[${p}]`).toThrow(eg.ShapeError);
    }
    expect(() => eg.pad(x, [2, -4])).toThrow(/crops more than the 3 entries of dimension 1/);
    expect(eg.pad(x, [-3, 1]).toArray()).toEqual([[0], [0]]);
    expect(eg.pad(x, [-1, -1]).toArray()).toEqual([[1], [4]]);
    expect(eg.pad(x, [0, 0, -2, 1]).toArray()).toEqual([[0, 0, 0]]);
    expect(() => eg.pad(x, [0, 0, 1, -3])).toThrow(eg.ShapeError);
  });
});

describe("printing an empty tensor", () => {
  it("shows its shape past one dimension, as PyTorch 1.13's repr", () => {
    // PyTorch 1.13: repr(torch.zeros(0)) 'tensor([])', torch.zeros(0, 3) 'tensor([], size=(0, 3))',
    // torch.zeros(2, 0, dtype=torch.int32) 'tensor([], size=(2, 0), dtype=torch.int32)'.
    expect(eg.zeros([0]).toString()).toBe("tensor([])");
    expect(eg.zeros([0, 3]).toString()).toBe("tensor([], size=(0, 3))");
    expect(eg.zeros([3, 0]).toString()).toBe("tensor([], size=(3, 0))");
    expect(eg.zeros([2, 0, 3], { dtype: "int32" }).toString()).toBe("tensor([], size=(2, 0, 3), dtype=int32)");
    expect(eg.zeros([0], { dtype: "bool" }).toString()).toBe("tensor([], dtype=bool)");
  });
});

describe("full with a value its integer dtype cannot hold", () => {
  it("is refused by name, as torch.full refuses it", () => {
    // PyTorch 1.13: torch.full((2,), 3e9, dtype=torch.int32), NaN in int32 and 300 in int8 raise
    // "value cannot be converted to type … without overflow"; 2.7 truncates to 2.
    expect(() => eg.full([2], 3e9, { dtype: "int32" })).toThrow(eg.ValueError);
    expect(() => eg.full([2], 3e9, { dtype: "int32" })).toThrow(/full: value 3000000000 cannot be stored in int32/);
    expect(() => eg.full([2], NaN, { dtype: "int32" })).toThrow(eg.ValueError);
    expect(() => eg.full([2], 300, { dtype: "int8" })).toThrow(/int8 \(range -128 to 127\)/);
    expect(() => eg.full([2], Infinity, { dtype: "uint8" })).toThrow(eg.ValueError);
    expect(Array.from(eg.full([2], 2.7, { dtype: "int32" }).data)).toEqual([2, 2]);
    expect(Array.from(eg.full([2], -128, { dtype: "int8" }).data)).toEqual([-128, -128]);
    // Float and bool dtypes hold any number: a bool stores 1 for a nonzero value.
    expect(Array.from(eg.full([1], 3e9).data)).toEqual([3e9]);
    expect(Array.from(eg.full([1], NaN, { dtype: "bool" }).data)).toEqual([1]);
  });
});

describe("printing a tensor of many shown values", () => {
  it("does not overflow the call stack (no dim is long enough to summarize)", () => {
    // 6⁷ = 279,936 values, all shown (a dim is cut only past 2 × 3 edge items, as PyTorch's
    // print): the magnitudes and widths were spread into Math.max as arguments — RangeError.
    const s = eg.full([6, 6, 6, 6, 6, 6, 6], 0.5).toString();
    expect(s.startsWith("tensor([[[[[[[0.5, 0.5,")).toBe(true);
    expect(s.match(/0\.5/g)?.length).toBe(6 ** 7);
  });
});
