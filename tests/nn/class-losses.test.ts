// crossEntropy and nllLoss with PyTorch's options (class weights, ignoreIndex, [N, C, d…] inputs,
// label smoothing with weights, probability targets) against a float64 reference written the way
// PyTorch composes them (nll part and smoothing part reduced separately), and gradients by
// central differences for the logits and for probability targets.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { logSoftmax, nn, tensor, Tensor, Rng, ShapeError, ValueError, DTypeError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";

const U64 = 2 ** -53;
type Red = "mean" | "sum" | "none";
interface Problem { N: number; C: number; spatial: number[]; z: number[]; labels: number[]; weight: number[] | null; ignore: number; eps: number }

/** Flat index of (n, c, s) in an [N, C, S] layout. */
const at = (p: Problem, n: number, c: number, s: number, S: number) => (n * p.C + c) * S + s;

/** PyTorch's cross_entropy with class indices: (1−ε)·nll_loss + (ε/C)·smooth, both over the same denominator. */
function crossEntropyRef(p: Problem, reduction: Red): { value: number[]; scale: number } {
  const S = p.spatial.reduce((a, b) => a * b, 1);
  const w = (c: number) => (p.weight ? p.weight[c] : 1);
  const nll: number[] = [], smooth: number[] = [];
  let wsum = 0, scale = 0;
  for (let n = 0; n < p.N; n++) for (let s = 0; s < S; s++) {
    const zs = Array.from({ length: p.C }, (_, c) => p.z[at(p, n, c, s, S)]);
    const m = Math.max(...zs);
    const lse = m + Math.log(zs.reduce((a, v) => a + Math.exp(v - m), 0));
    const logp = zs.map((v) => v - lse);
    const y = p.labels[n * S + s];
    if (y === p.ignore) { nll.push(0); smooth.push(0); continue; }
    nll.push(-w(y) * logp[y]);
    smooth.push(-logp.reduce((a, v, c) => a + w(c) * v, 0));
    wsum += w(y);
    scale += zs.reduce((a, v, c) => a + w(c) * (Math.abs(v) + Math.abs(lse)), 0);
  }
  const combine = (a: number, b: number) => (1 - p.eps) * a + (p.eps / p.C) * b;
  if (reduction === "none") return { value: nll.map((v, i) => combine(v, smooth[i])), scale };
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const d = reduction === "mean" ? wsum : 1;
  return { value: [combine(sum(nll) / d, sum(smooth) / d)], scale: scale / (reduction === "mean" ? wsum : 1) };
}

const problemArb = fc.record({
  N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 1, max: 5 }),
  spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  seed: fc.integer({ min: 1, max: 1e6 }), weighted: fc.boolean(), ignore: fc.constantFrom(-100, 0, 2),
  eps: fc.constantFrom(0, 0.1, 0.35), reduction: fc.constantFrom<Red>("mean", "sum", "none"),
}).map((r) => {
  const rng = new Rng(r.seed);
  const S = r.spatial.reduce((a, b) => a * b, 1);
  const z = Array.from({ length: r.N * r.C * S }, () => 6 * rng.normal());
  // about one position in five carries the ignored label
  const labels = Array.from({ length: r.N * S }, () => (rng.uniform() < 0.2 ? r.ignore : Math.floor(rng.uniform() * r.C)));
  const weight = r.weighted ? Array.from({ length: r.C }, () => 0.1 + 2 * rng.uniform()) : null;
  return { p: { N: r.N, C: r.C, spatial: r.spatial, z, labels, weight, ignore: r.ignore, eps: r.eps } as Problem, reduction: r.reduction };
});

function run(p: Problem, reduction: Red, fn: "crossEntropy" | "nllLoss") {
  const z = tensor(p.z, { dtype: "float64" }).reshape([p.N, p.C, ...p.spatial]);
  const y = tensor(p.labels, { dtype: "int32" }).reshape([p.N, ...p.spatial]);
  const o = { reduction, ignoreIndex: p.ignore, ...(p.weight ? { weight: tensor(p.weight, { dtype: "float64" }) } : {}) };
  return fn === "crossEntropy" ? nn.crossEntropy(z, y, { ...o, labelSmoothing: p.eps }) : nn.nllLoss(logSoftmax(z, 1), y, o);
}

describe("crossEntropy with weight, ignoreIndex, [N, C, d…] and label smoothing", () => {
  it("equals PyTorch's composition in float64", () => {
    fc.assert(fc.property(problemArb, ({ p, reduction }) => {
      const got = run(p, reduction, "crossEntropy");
      const ref = crossEntropyRef(p, reduction);
      expect(got.shape).toEqual(reduction === "none" ? [p.N, ...p.spatial] : []);
      const n = p.C * p.N * p.spatial.reduce((a, b) => a * b, 1) + 8;
      ref.value.forEach((want, i) => {
        const g = got.data[i];
        // A sum of n float64 terms of total magnitude `scale`: Higham's γn, generously (×8).
        if (!(Number.isNaN(want) ? Number.isNaN(g) : Math.abs(g - want) <= 8 * n * U64 * Math.max(ref.scale, Math.abs(want)))) {
          throw new Error(`position ${i}: got ${g}, want ${want}`);
        }
      });
    }), { numRuns: 150 });
  });

  it("nllLoss of logSoftmax equals crossEntropy without smoothing (same options)", () => {
    fc.assert(fc.property(problemArb, ({ p, reduction }) => {
      const q = { ...p, eps: 0 };
      const a = run(q, reduction, "crossEntropy").data, b = run(q, reduction, "nllLoss").data;
      const ref = crossEntropyRef(q, reduction);
      const n = p.C * p.N * p.spatial.reduce((x, y) => x + y, 1) + 8;
      for (let i = 0; i < a.length; i++) {
        if (Number.isNaN(a[i])) expect(Number.isNaN(b[i])).toBe(true);
        else expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(16 * n * U64 * Math.max(ref.scale, 1));
      }
    }), { numRuns: 100 });
  });

  it("plain labels (no weight, no smoothing) take a shorter path with the general path's bits, loss and gradient", () => {
    // Weights of 1 make the same coefficients through the general path (a_c = 0 + [c = y]·1 and
    // a denominator of counted targets), so both must agree exactly, in float32 and float64.
    fc.assert(fc.property(problemArb, fc.constantFrom("float32", "float64"), ({ p, reduction }, dtype) => {
      const grads = (weighted: boolean) => {
        const leaf = tensor(p.z, { dtype, requiresGrad: true }), z = leaf.reshape([p.N, p.C, ...p.spatial]);
        const y = tensor(p.labels, { dtype: "int32" }).reshape([p.N, ...p.spatial]);
        const o = { reduction, ignoreIndex: p.ignore, ...(weighted ? { weight: tensor(new Array(p.C).fill(1), { dtype }) } : {}) };
        const loss = nn.crossEntropy(z, y, o);
        loss.sum().backward();
        return [Array.from(loss.data), Array.from(leaf.grad!.data)];
      };
      expect(grads(false)).toEqual(grads(true));
    }), { numRuns: 150 });
  });

  it("mean divides by the summed weights of the non-ignored targets (a worked case)", () => {
    const z = tensor([[2, 0, 0], [0, 1, 0], [0, 0, 3]], { dtype: "float64" });
    const y = tensor([0, 1, -100], { dtype: "int32" });
    const w = tensor([0.5, 2, 7], { dtype: "float64" });
    const l0 = Math.log(Math.exp(2) + 2) - 2, l1 = Math.log(Math.exp(1) + 2) - 1;
    const want = (0.5 * l0 + 2 * l1) / 2.5;
    expect(Math.abs(nn.crossEntropy(z, y, { weight: w }).item() - want)).toBeLessThan(1e-15 * 8);
    expect(Math.abs(nn.nllLoss(logSoftmax(z, 1), y, { weight: w }).item() - want)).toBeLessThan(1e-15 * 8);
    // every target ignored: 0/0, NaN as in PyTorch
    expect(nn.crossEntropy(z, tensor([-100, -100, -100]), {}).item()).toBeNaN();
  });

  it("an ignored position's gradient is 0, also when every target is ignored (the mean is then NaN) or NaN flows in", () => {
    // PyTorch 1.13: F.cross_entropy(x, [-100, -100, -100], …).backward() leaves x.grad all 0 with
    // no options, label_smoothing=0.1 or a weight; with reduction="none" and a NaN flowing into an
    // ignored position, that row of x.grad is 0.
    const allIgnored = tensor([-100, -100, -100], { dtype: "int32" });
    const options = [{}, { labelSmoothing: 0.1 }, { weight: tensor([1, 2, 3]) }];
    for (const o of options) {
      const x = tensor([[2, 0, 0], [0, 1, 0], [0, 0, 3]], { requiresGrad: true });
      const loss = nn.crossEntropy(x, allIgnored, o);
      expect(loss.item()).toBeNaN();
      loss.backward();
      expect(Array.from(x.grad!.data)).toEqual(new Array(9).fill(0));
    }
    const x = tensor([[2, 0, 0], [0, 1, 0], [0, 0, 3]], { requiresGrad: true });
    nn.nllLoss(logSoftmax(x, 1), allIgnored).backward();
    expect(Array.from(x.grad!.data)).toEqual(new Array(9).fill(0));
    for (const o of options) {
      const z = tensor([[2, 0, 0], [0, 1, 0], [0, 0, 3]], { requiresGrad: true });
      nn.crossEntropy(z, tensor([1, -100, 2], { dtype: "int32" }), { ...o, reduction: "none" }).backward(tensor([1, NaN, 1]));
      const g = z.grad!.toArray() as number[][];
      expect(g[1]).toEqual([0, 0, 0]);
      expect(g[0].every(Number.isFinite) && g[2].every(Number.isFinite)).toBe(true);
    }
  });
});

describe("gradients of crossEntropy and nllLoss (float64 central differences)", () => {
  const weight = tensor([0.3, 1.7, 1, 2.2], { dtype: "float64" });
  const leaf = (shape: number[], seed: number, scale = 2) => {
    const rng = new Rng(seed);
    const t = tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), { dtype: "float64" }).reshape(shape);
    const owned = new Tensor(Float64Array.from(t.data), "float64", shape);
    owned.requiresGrad = true;
    return owned;
  };
  // Positive projection weights: a projected sum near 0 would hide the terms' rounding from the checker's estimate.
  const project = (l: Tensor, seed: number) => (l.ndim === 0 ? l : l.mul(leaf(l.shape.slice(), seed).detach().abs().add(0.5)).sum());

  for (const reduction of ["mean", "sum", "none"] as const) {
    it(`labels on [N, C, d1, d2] with weight, ignoreIndex and smoothing (reduction ${reduction})`, () => {
      const z = leaf([2, 4, 2, 3], 1);
      const y = tensor([[[0, 3, 1], [2, 2, 9]], [[9, 1, 0], [3, 3, 2]]], { dtype: "int32" });
      for (const labelSmoothing of [0, 0.2]) {
        const o = { reduction, weight, ignoreIndex: 9, labelSmoothing };
        expect(findGradMismatches(() => project(nn.crossEntropy(z, y, o), 4), [z])).toEqual([]);
      }
      expect(findGradMismatches(() => project(nn.nllLoss(z, y, { reduction, weight, ignoreIndex: 9 }), 4), [z])).toEqual([]);
    });

    it(`probability targets get gradients too, with weight and smoothing (reduction ${reduction})`, () => {
      const z = leaf([3, 4, 2], 2);
      const t = leaf([3, 4, 2], 3, 0.5);
      for (const labelSmoothing of [0, 0.25]) {
        const o = { reduction, weight, labelSmoothing };
        expect(findGradMismatches(() => project(nn.crossEntropy(z, t, o), 5), [z, t])).toEqual([]);
      }
    });
  }

  it("a soft target that requires grad receives −(1−ε)·w_c·log softmax (distillation trains both sides)", () => {
    const z = tensor([[1, -1, 0.5]], { dtype: "float64" });
    const t = tensor([[0.2, 0.5, 0.3]], { dtype: "float64", requiresGrad: true });
    nn.crossEntropy(z, t, { reduction: "sum", labelSmoothing: 0.1 }).backward();
    const lse = Math.log(Math.exp(1) + Math.exp(-1) + Math.exp(0.5));
    [1, -1, 0.5].forEach((v, c) => expect(Math.abs(t.grad!.data[c] - 0.9 * (lse - v))).toBeLessThan(1e-15 * 8));
  });
});

describe("crossEntropy and nllLoss refuse bad input before doing anything", () => {
  const z = tensor([[0, 1, 2], [1, 0, 2]]);
  it("names the problem", () => {
    expect(() => nn.crossEntropy(z, tensor([0, 1]), { weights: tensor([1, 1, 1]) } as never)).toThrow(/unknown option "weights"/);
    expect(() => nn.crossEntropy(z, tensor([0, 1]), { weight: tensor([1, 1]) })).toThrow(ShapeError);
    expect(() => nn.crossEntropy(z, tensor([0, -1]))).toThrow(/label -1 at index 1/);
    expect(() => nn.crossEntropy(z, tensor([0, 3]), { ignoreIndex: 1 })).toThrow(ValueError);
    expect(() => nn.crossEntropy(z, tensor([[0.5, 0.5, 0], [0, 0, 1]]), { ignoreIndex: 0 })).toThrow(/probability targets/);
    expect(() => nn.crossEntropy(z, tensor([[0, 1, 0], [1, 0, 0]], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => nn.crossEntropy(tensor([[[0, 1], [1, 0]]]), tensor([[0, 1, 1]]))).toThrow(ShapeError);
    expect(() => nn.crossEntropy(z, tensor([0, 1]), { reduction: "batchmean" as never })).toThrow(ValueError);
    expect(() => nn.nllLoss(z, tensor([0, 1]), { labelSmoothing: 0.1 } as never)).toThrow(/unknown option "labelSmoothing"/);
    expect(() => nn.nllLoss(z, tensor([0, 1, 2]))).toThrow(ShapeError);
  });
  it("an ignored label may lie outside [0, C) and an in-range ignoreIndex drops that class's positions", () => {
    const per = nn.crossEntropy(z, tensor([-100, 1]), { reduction: "none" }).data;
    expect(per[0]).toBe(0);
    expect(nn.nllLoss(z, tensor([1, 2]), { ignoreIndex: 1, reduction: "sum" }).item()).toBe(-2);
  });
});
