// multiMarginLoss, multilabelMarginLoss and softMarginLoss (and their modules) against float64
// references written here with plain loops from PyTorch's formulas, over shapes, options and
// reductions; gradients by central differences; PyTorch 1.13's values and gradients
// (tests/parity/cases/margin-losses.json from scripts/torch-parity/bag_margin.py); typed errors
// that leave the inputs as they were.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { MultiLabelMarginLoss, MultiMarginLoss, SoftMarginLoss, multiMarginLoss, multilabelMarginLoss, softMarginLoss } from "../../src/nn/index.js";
import { Rng, Tensor } from "../../src/ndarray/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { gradLeaf, noMismatch, project } from "../support/grad-leaves.js";
import { decode, expectClose as expectCloseToTorch, runCallCase, type CallCase, type EncodedTensor } from "../parity/run-case.js";

type Red = "mean" | "sum" | "none";
type DType = "float32" | "float64";
const floats = (values: number[], shape: number[], dtype: DType = "float64") =>
  new Tensor(dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values), dtype, shape);
const ints = (values: number[], shape = [values.length]) => new Tensor(Int32Array.from(values), "int32", shape);
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
const reduceRef = (per: number[], r: Red) => (r === "none" ? per : r === "sum" ? [sum(per)] : [sum(per) / per.length]);

/** Each element within k roundings (of the dtype) of its terms' magnitude; a reduction adds one per term. */
function expectNear(got: Tensor, want: number[], mag: number[], dtype: DType, k: number): void {
  const u = dtype === "float32" ? 2 ** -24 : 2 ** -53;
  const total = sum(mag);
  expect(got.size).toBe(want.length);
  want.forEach((v, i) => {
    const m = want.length === mag.length ? mag[i] : total, n = k + (want.length === mag.length ? 0 : mag.length);
    const tol = ((n * u) / (1 - n * u)) * m + 1e-300;
    const g = got.data[i];
    if (!(Math.abs(g - v) <= tol) && !(Number.isNaN(v) && Number.isNaN(g))) throw new Error(`element ${i}: got ${g}, want ${v} (tol ${tol})`);
  });
}

const redArb = fc.constantFrom<Red>("mean", "sum", "none");
const dtypeArb = fc.constantFrom<DType>("float32", "float64");
/** [N, C], [C] (rank 1) or 0-d (rank 0) input dims. */
const shapeArb = fc.record({ rank: fc.constantFrom(0, 1, 2, 2), n: fc.integer({ min: 0, max: 4 }), C: fc.integer({ min: 1, max: 6 }), seed: fc.integer({ min: 1, max: 1e6 }) })
  .map(({ rank, n, C, seed }) => ({ rank, n: rank === 2 ? n : 1, C: rank === 0 ? 1 : C, seed, shape: rank === 2 ? [n, C] : rank === 1 ? [C] : [] }));
/** Values on a grid of 1/4, so hinge terms of exactly 0 occur (they count, and pass gradient, only above 0). */
const grid = (rng: Rng) => Math.round(6 * rng.normal()) / 4;

describe("multiMarginLoss against a float64 reference", () => {
  it("Σ_{i≠y} w_y·max(0, margin − x_y + x_i)^p / C per sample, p 1 or 2, margin, weight, every reduction", () => {
    fc.assert(fc.property(shapeArb, redArb, dtypeArb, fc.constantFrom(1, 2), fc.constantFrom(1, 0.5, -0.25, 2), fc.boolean(), (s, reduction, dtype, p, margin, weighted) => {
      const rng = new Rng(s.seed);
      const x = Array.from({ length: s.n * s.C }, () => grid(rng));
      const y = Array.from({ length: s.n }, () => Math.floor(rng.uniform() * s.C));
      const round = dtype === "float32" ? Math.fround : (v: number) => v;
      const w = Array.from({ length: s.C }, () => round(0.25 + rng.uniform()));
      const per: number[] = [], mag: number[] = [];
      for (let b = 0; b < s.n; b++) {
        let l = 0, m = 0;
        for (let i = 0; i < s.C; i++) {
          if (i === y[b]) continue;
          const z = margin - x[b * s.C + y[b]] + x[b * s.C + i];
          if (z > 0) { l += z ** p; m += (Math.abs(margin) + Math.abs(x[b * s.C + y[b]]) + Math.abs(x[b * s.C + i])) ** p; }
        }
        const wy = weighted ? w[y[b]] : 1;
        per.push((wy * l) / s.C);
        mag.push((wy * m) / s.C + 1e-300);
      }
      const got = multiMarginLoss(floats(x, s.shape, dtype), ints(y, s.rank === 2 ? [s.n] : []), { reduction, p, margin, weight: weighted ? floats(w, [s.C], dtype) : null });
      expect(got.shape).toEqual(reduction === "none" ? s.shape.slice(0, s.rank === 2 ? 1 : 0) : []);
      expect(got.dtype).toBe(dtype);
      expectNear(got, reduceRef(per, reduction), mag, dtype, 2 * s.C + 8);
    }), { numRuns: 300 });
  });
});

describe("multilabelMarginLoss against a float64 reference", () => {
  it("Σ over listed targets (to the first −1) and unlisted classes of max(0, 1 − x_t + x_i) / C; a repeated target counts twice", () => {
    fc.assert(fc.property(shapeArb, redArb, dtypeArb, ({ rank, n, C, seed, shape }, reduction, dtype) => {
      const rng = new Rng(seed);
      const x = Array.from({ length: n * C }, () => grid(rng));
      // Targets: classes (sometimes repeated), then −1, then anything in [−1, C) that must be ignored.
      const y = Array.from({ length: n * C }, () => Math.floor(rng.uniform() * (C + 1)) - 1);
      const per: number[] = [], mag: number[] = [];
      for (let b = 0; b < n; b++) {
        const listed: number[] = [];
        for (let j = 0; j < C && y[b * C + j] >= 0; j++) listed.push(y[b * C + j]);
        let l = 0, m = 0;
        for (const t of listed) {
          for (let i = 0; i < C; i++) {
            if (listed.includes(i)) continue;
            const z = 1 - x[b * C + t] + x[b * C + i];
            if (z > 0) { l += z; m += 1 + Math.abs(x[b * C + t]) + Math.abs(x[b * C + i]); }
          }
        }
        per.push(l / C);
        mag.push(m / C + 1e-300);
      }
      const got = multilabelMarginLoss(floats(x, shape, dtype), ints(y, shape), { reduction });
      expect(got.shape).toEqual(reduction === "none" ? shape.slice(0, rank === 2 ? 1 : 0) : []);
      expectNear(got, reduceRef(per, reduction), mag, dtype, 2 * C * C + 8);
    }), { numRuns: 300 });
  });
});

describe("softMarginLoss against a float64 reference", () => {
  it("log(1 + e^(−y·x)) elementwise, also for large |x| (no overflow), any target values", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), redArb, dtypeArb, fc.integer({ min: 1, max: 1e6 }), fc.boolean(), (shape, reduction, dtype, seed, pm1) => {
      const rng = new Rng(seed);
      const size = shape.reduce((a, b) => a * b, 1);
      const round = dtype === "float32" ? Math.fround : (v: number) => v;
      const x = Array.from({ length: size }, () => round((rng.uniform() < 0.2 ? 200 : 4) * rng.normal()));
      const y = Array.from({ length: size }, () => round(pm1 ? (rng.uniform() < 0.5 ? -1 : 1) : 2 * rng.normal()));
      // log1p(e^z) for z = −y·x, written two ways so the reference does not overflow either.
      const per = x.map((v, i) => { const z = -y[i] * v; return z > 30 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)); });
      const got = softMarginLoss(floats(x, shape, dtype), floats(y, shape, dtype), { reduction });
      expect(got.shape).toEqual(reduction === "none" ? shape : []);
      expectNear(got, reduceRef(per, reduction), per.map((p) => p + 1), dtype, 8);
    }), { numRuns: 300 });
  });

  it("pairs an [n] target with an [n, 1] input (and the reverse), as the other matchTarget losses", () => {
    const x = floats([0.5, -1, 2], [3, 1]), y = floats([1, -1, 1], [3]);
    expect(softMarginLoss(x, y).item()).toBe(softMarginLoss(floats([0.5, -1, 2], [3]), y).item());
    expect(() => softMarginLoss(x, floats([1, 1], [2]))).toThrow(ShapeError);
  });
});

describe("gradients by central differences (float64), away from the hinges' kinks", () => {
  const leaf = (shape: number[], seed: number, f: (r: Rng) => number = (r) => r.normal()) => gradLeaf(shape, seed, f);
  for (const reduction of ["mean", "sum", "none"] as const) {
    it(`multiMarginLoss (p 1 and 2, weight), multilabelMarginLoss, softMarginLoss (input and target), reduction ${reduction}`, () => {
      const x = leaf([4, 5], 11, (r) => 3 * r.normal());
      const y = ints([0, 4, 2, 2]);
      for (const p of [1, 2]) {
        noMismatch(findGradMismatches(() => project(multiMarginLoss(x, y, { reduction, p, margin: 1.3, weight: floats([1, 2, 0.5, 1.5, 3], [5]) }), 3), [x]));
      }
      const v = leaf([5], 12);
      noMismatch(findGradMismatches(() => project(multiMarginLoss(v, ints([3], [1]).reshape([]), { reduction, p: 2 }), 3), [v]));
      const t = ints([1, 3, -1, 0, 0, 2, 2, 4, -1, 1, -1, 3, 3, 3, 3, 0, 1, 2, 4, -1], [4, 5]);
      noMismatch(findGradMismatches(() => project(multilabelMarginLoss(x, t, { reduction }), 5), [x]));
      const a = leaf([3, 4], 13, (r) => 2 * r.normal()), b = leaf([3, 4], 14);
      noMismatch(findGradMismatches(() => project(softMarginLoss(a, b, { reduction }), 6), [a, b]));
    });
  }
  it("the module forms give the function's gradient", () => {
    const x = leaf([3, 4], 21);
    noMismatch(findGradMismatches(() => new MultiMarginLoss({ p: 2, margin: 0.7 }).forward(x, ints([1, 0, 3])), [x]));
    noMismatch(findGradMismatches(() => new MultiLabelMarginLoss({ reduction: "sum" }).forward(x, ints([1, -1, 0, 0, 2, 3, -1, 0, 0, 1, 2, 3], [3, 4])), [x]));
    noMismatch(findGradMismatches(() => new SoftMarginLoss().forward(x, floats([1, -1, 1, 1, -1, -1, 1, -1, 1, 1, 1, -1], [3, 4])), [x]));
  });
});

interface Parity { cases: CallCase[] }
const parity = (JSON.parse(readFileSync(new URL("../parity/cases/margin-losses.json", import.meta.url), "utf8")) as Parity).cases;
const MODULES: Record<string, (o: Record<string, unknown>) => { forward: (...t: Tensor[]) => Tensor }> = {
  multiMarginLoss: (o) => new MultiMarginLoss(o), multilabelMarginLoss: (o) => new MultiLabelMarginLoss(o), softMarginLoss: (o) => new SoftMarginLoss(o),
};

describe("PyTorch 1.13 (tests/parity/cases/margin-losses.json): values and input gradients", () => {
  for (const c of parity) it(c.id, () => runCallCase(c));

  it("the modules give the functions' values on every case", () => {
    for (const c of parity) {
      const [xRef, yRef, opts] = c.call.args as [{ $t: string }, { $t: string }, Record<string, unknown> | undefined];
      const o = { ...(opts ?? {}) };
      if (o.weight) o.weight = decode(c.inputs[(o.weight as { $t: string }).$t]);
      const y = MODULES[c.call.name](o).forward(decode(c.inputs[xRef.$t]), decode(c.inputs[yRef.$t]));
      expectCloseToTorch(y, (c.output as { tensor: EncodedTensor }).tensor, c.terms, `${c.id} module`);
    }
  });

  it("hand-checked values from PyTorch 1.13", () => {
    // F.multi_margin_loss(tensor([0.1, 0.2, 0.4]), tensor(1), reduction="none") = 0.7 (0-d)
    const a = multiMarginLoss(floats([0.1, 0.2, 0.4], [3]), ints([1], [1]).reshape([]), { reduction: "none" });
    expect(a.shape).toEqual([]);
    expect(a.item()).toBeCloseTo(0.7, 15);
    // p=2, weight [1, 2, 3]: 2·(0.9² + 1.2²)/3 = 1.5
    expect(multiMarginLoss(floats([0.1, 0.2, 0.4], [1, 3]), ints([1]), { p: 2, weight: floats([1, 2, 3], [3]), reduction: "none" }).data[0]).toBeCloseTo(1.5, 14);
    // A hinge at exactly 0 passes no gradient: x = [0.5, 1, 0.2], y = 1, margin 0.5 → grad [0, 0, 0].
    const x = floats([0.5, 1, 0.2], [1, 3]);
    x.requiresGrad = true;
    multiMarginLoss(x, ints([1]), { margin: 0.5 }).backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 0, 0]);
    // F.multilabel_margin_loss([[0.1, 0.2, 0.4, 0.8]], [[3, 3, -1, 1]], reduction="none") = [0.65]: 3 twice, 1 ignored.
    expect(multilabelMarginLoss(floats([0.1, 0.2, 0.4, 0.8], [1, 4]), ints([3, 3, -1, 1], [1, 4]), { reduction: "none" }).data[0]).toBeCloseTo(0.65, 15);
    // [[0, 1, 0.2]] with targets [[1, -1, 0]]: grad [0, −1/3, 1/3] (class 0's hinge is exactly 0).
    const m = floats([0, 1, 0.2], [1, 3]);
    m.requiresGrad = true;
    multilabelMarginLoss(m, ints([1, -1, 0], [1, 3])).backward();
    expect(Array.from(m.grad!.data)).toEqual([0, -1 / 3, 1 / 3]);
    // No target listed (−1 first): 0.
    expect(multilabelMarginLoss(floats([0, 1, 0.2], [3]), ints([-1, 1, 0])).item()).toBe(0);
    // NaN: a hinge term of NaN is not > 0, so it adds nothing and passes no gradient (PyTorch's kernels);
    // [[0.1, NaN, 0.4], [NaN, 0.2, 0.3]], targets [0, 0] → [0.4333, 0], grad [[−1/3, 0, 1/3], [0, 0, 0]].
    const xn = floats([0.1, NaN, 0.4, NaN, 0.2, 0.3], [2, 3]);
    xn.requiresGrad = true;
    const ln = multiMarginLoss(xn, ints([0, 0]), { reduction: "none" });
    ln.sum().backward();
    expect(ln.data[0]).toBeCloseTo(1.3 / 3, 15);
    expect(ln.data[1]).toBe(0);
    expect(Array.from(xn.grad!.data)).toEqual([-1 / 3, 0, 1 / 3, 0, 0, 0]);
    xn.grad = null;
    const lm = multilabelMarginLoss(xn, ints([0, -1, 0, 0, -1, 0], [2, 3]), { reduction: "none" });
    lm.sum().backward();
    expect(Array.from(lm.data)).toEqual(Array.from(ln.data));
    expect(Array.from(xn.grad!.data)).toEqual([-1 / 3, 0, 1 / 3, 0, 0, 0]);
    expect(Number.isNaN(softMarginLoss(xn, floats([1, 1, 1, 1, 1, 1], [2, 3]), { reduction: "none" }).data[1])).toBe(true);
    // An empty batch: mean NaN, sum 0 (PyTorch 1.13's multi_margin_loss mean returns an uninitialized ~3e-315).
    expect(Number.isNaN(multiMarginLoss(floats([], [0, 3]), ints([])).item())).toBe(true);
    expect(multiMarginLoss(floats([], [0, 3]), ints([]), { reduction: "sum" }).item()).toBe(0);
    expect(multilabelMarginLoss(floats([], [0, 3]), ints([], [0, 3]), { reduction: "none" }).shape).toEqual([0]);
    // soft_margin_loss(100, −1) is 100; PyTorch 1.13's float32 overflows to inf (its float64 gives 100).
    expect(softMarginLoss(floats([100], [1], "float32"), floats([-1], [1], "float32")).item()).toBe(100);
  });
});

describe("the modules", () => {
  it("hold their options; MultiMarginLoss keeps weight as a buffer under PyTorch's key", () => {
    const w = floats([1, 2, 3], [3], "float32");
    const m = new MultiMarginLoss({ p: 2, margin: 0.5, weight: w, reduction: "sum" });
    expect([m.p, m.margin, m.reduction]).toEqual([2, 0.5, "sum"]);
    expect(Object.keys(m.stateDict())).toEqual(["weight"]);
    expect(Array.from(m.stateDict().weight.data)).toEqual([1, 2, 3]);
    expect(Object.keys(new MultiMarginLoss().stateDict())).toEqual([]);
    expect([new MultiMarginLoss().p, new MultiMarginLoss().margin, new MultiMarginLoss().reduction]).toEqual([1, 1, "mean"]);
    expect(MultiLabelMarginLoss.typeName).toBe("MultiLabelMarginLoss");
    expect(eg.nn.functional.multiMarginLoss).toBe(multiMarginLoss);
    expect(eg.nn.functional.multilabelMarginLoss).toBe(multilabelMarginLoss);
    expect(eg.nn.functional.multiLabelMarginLoss).toBe(multilabelMarginLoss);
    expect(eg.nn.multiLabelMarginLoss).toBe(multilabelMarginLoss);
    expect(eg.nn.functional.softMarginLoss).toBe(softMarginLoss);
    expect(eg.nn.SoftMarginLoss).toBe(SoftMarginLoss);
  });

  it("train a linear classifier through fit", async () => {
    const x = floats([0, 0, 1, 0, 0, 1, 1, 1], [4, 2], "float32"), y = floats([0, 1, 1, 2], [4], "float32");
    const model = new eg.nn.Linear(2, 3, { seed: 1 });
    const h = await eg.nn.fit(model, x, y, { loss: new MultiMarginLoss(), optimizer: new eg.optim.SGD(model.parameters(), { lr: 0.5 }), epochs: 30, batchSize: 4 });
    const losses = h.history.loss;
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });
});

describe("typed errors, inputs left as they were", () => {
  const x = () => { const t = floats([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [2, 3]); t.requiresGrad = true; return t; };
  const bad: [string, (t: Tensor) => unknown, new (...a: never[]) => Error, RegExp][] = [
    ["multiMargin p = 3", (t) => multiMarginLoss(t, ints([0, 1]), { p: 3 }), ValueError, /p must be 1 or 2/],
    ["multiMargin target out of range", (t) => multiMarginLoss(t, ints([0, 3])), ValueError, /target 3 at index 1 is not a class index in \[0, 3\)/],
    ["multiMargin negative target", (t) => multiMarginLoss(t, ints([-1, 0])), ValueError, /target -1/],
    ["multiMargin non-integer target", (t) => multiMarginLoss(t, floats([0.5, 1], [2])), ValueError, /target 0.5/],
    ["multiMargin target of the wrong size", (t) => multiMarginLoss(t, ints([0, 1, 2])), ShapeError, /one class index per sample \(\[2\]\).*got shape \[3\]/],
    ["multiMargin 2-D target", (t) => multiMarginLoss(t, ints([0, 1], [2, 1])), ShapeError, /\[2,1\]/],
    ["multiMargin 3-D input", (t) => multiMarginLoss(t.reshape([1, 2, 3]), ints([0])), ShapeError, /non-empty \[C\], \[N, C\]/],
    ["multiMargin weight of the wrong shape", (t) => multiMarginLoss(t, ints([0, 1]), { weight: floats([1, 2], [2]) }), ShapeError, /weight must have shape \[3\]/],
    ["multiMargin NaN margin", (t) => multiMarginLoss(t, ints([0, 1]), { margin: NaN }), ValueError, /margin must be a number/],
    ["multiMargin unknown option", (t) => multiMarginLoss(t, ints([0, 1]), { norm: 2 } as never), ValueError, /unknown option "norm"/],
    ["multiMargin bad reduction", (t) => multiMarginLoss(t, ints([0, 1]), { reduction: "batchmean" as never }), ValueError, /reduction must be/],
    ["multiMargin integer input", () => multiMarginLoss(ints([0, 1, 2], [1, 3]), ints([0])), DTypeError, /float32 or float64, got int32/],
    ["multilabelMargin target < −1", (t) => multilabelMarginLoss(t, ints([0, -2, 1, 0, 1, 2], [2, 3])), ValueError, /target -2 at index 1 is not a class index in \[-1, 3\)/],
    ["multilabelMargin target ≥ C after a −1 (checked, as PyTorch)", (t) => multilabelMarginLoss(t, ints([0, -1, 3, 0, 1, 2], [2, 3])), ValueError, /target 3/],
    ["multilabelMargin target of another shape", (t) => multilabelMarginLoss(t, ints([0, 1, 2])), ShapeError, /target of shape \[3\] must have the input's shape \[2,3\]/],
    ["multilabelMargin empty class dim", () => multilabelMarginLoss(floats([], [2, 0]), ints([], [2, 0])), ShapeError, /non-empty/],
    ["multilabelMargin unknown option", (t) => multilabelMarginLoss(t, ints([0, 1, 2, 0, 1, 2], [2, 3]), { margin: 1 } as never), ValueError, /unknown option "margin"/],
    ["softMargin shapes that differ", (t) => softMarginLoss(t, floats([1, 1, 1], [3])), ShapeError, /\[2,3\] and target of shape \[3\]/],
    ["softMargin target not a tensor", (t) => softMarginLoss(t, [1, -1] as never), ValueError, /target must be a Tensor/],
    ["softMargin unknown option", (t) => softMarginLoss(t, t, { weight: t } as never), ValueError, /unknown option "weight"/],
  ];
  for (const [what, call, type, message] of bad) {
    it(what, () => {
      const t = x();
      expect(() => call(t)).toThrow(type);
      expect(() => call(t)).toThrow(message);
      expect(Array.from(t.data)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
      expect(t.grad).toBeNull();
    });
  }

  it("the modules check their options when made", () => {
    expect(() => new MultiMarginLoss({ p: 0 })).toThrow(/p must be 1 or 2/);
    expect(() => new MultiMarginLoss({ margin: "1" as never })).toThrow(ValueError);
    expect(() => new MultiMarginLoss({ weight: floats([1, 2], [1, 2]) })).toThrow(ShapeError);
    expect(() => new MultiLabelMarginLoss({ reduction: "avg" as never })).toThrow(/reduction must be/);
    expect(() => new SoftMarginLoss({ margin: 1 } as never)).toThrow(/unknown option "margin"/);
    expect(() => new MultiMarginLoss().forward(x())).toThrow(/forward takes \(input, target\)/);
  });
});
