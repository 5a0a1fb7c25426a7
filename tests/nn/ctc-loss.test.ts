// ctcLoss and CTCLoss against a brute-force float64 reference written here: every frame-by-frame
// path of T labels is enumerated, collapsed (repeats merged, blanks dropped) and compared with the
// target, and the probabilities of the matching paths are summed; the derivative with respect to
// each log-probability is minus the share of that probability whose path emits that class at
// that frame. Shapes, layouts, lengths, options and dtypes are drawn with fast-check. Gradients
// also by central differences (on free log-probabilities and through logSoftmax); long inputs
// against an exact count of alignments; typed errors that leave the inputs as they were.
// PyTorch 1.13's values: tests/parity/ctc.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { CTCLoss, ctcLoss, type CtcLossOptions } from "../../src/nn/index.js";
import { Rng, Tensor } from "../../src/ndarray/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { noMismatch, project } from "../support/grad-leaves.js";
import { unitOf } from "../support/reference.js";

type DType = "float32" | "float64";
type Red = "mean" | "sum" | "none";
const U64 = 2 ** -53;
const floats = (values: ArrayLike<number>, shape: number[], dtype: DType = "float64") =>
  new Tensor(dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values), dtype, shape);
const ints = (values: number[], shape = [values.length]) => new Tensor(Int32Array.from(values), "int32", shape);

/** Random log-softmaxed scores [T, N, C] in float64, rounded to the dtype. */
function logSoftmaxed(rng: Rng, T: number, N: number, C: number, dtype: DType): number[] {
  const out: number[] = [];
  for (let i = 0; i < T * N; i++) {
    const z = Array.from({ length: C }, () => 2 * rng.normal());
    const m = Math.max(...z), lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    for (const v of z) out.push(dtype === "float32" ? Math.fround(v - lse) : v - lse);
  }
  return out;
}

/** The probability that the first `frames` frames (x[t·C + c]) read `labels`, and per (t, c) the part whose path emits c at t. */
function bruteForce(x: number[], frames: number, C: number, labels: number[], blank: number): { p: number; through: Float64Array } {
  const through = new Float64Array(frames * C);
  let p = 0;
  const path = new Array<number>(frames).fill(0);
  for (let k = 0; k < C ** frames; k++) {
    for (let t = 0, r = k; t < frames; t++, r = Math.floor(r / C)) path[t] = r % C;
    const read: number[] = [];
    path.forEach((c, t) => { if (c !== blank && (t === 0 || c !== path[t - 1])) read.push(c); });
    if (read.length !== labels.length || read.some((c, i) => c !== labels[i])) continue;
    const w = Math.exp(path.reduce((s, c, t) => s + x[t * C + c], 0));
    p += w;
    path.forEach((c, t) => { through[t * C + c] += w; });
  }
  return { p, through };
}

interface Drawn {
  T: number; N: number; C: number; blank: number; unbatched: boolean; padded: boolean; dtype: DType; reduction: Red;
  zeroInfinity: boolean; lengthsAsTensors: boolean; seed: number;
}
const drawnArb: fc.Arbitrary<Drawn> = fc.record({
  T: fc.integer({ min: 0, max: 5 }), N: fc.integer({ min: 1, max: 3 }), C: fc.integer({ min: 2, max: 4 }),
  blank: fc.nat(), unbatched: fc.boolean(), padded: fc.boolean(), dtype: fc.constantFrom<DType>("float32", "float64"),
  reduction: fc.constantFrom<Red>("mean", "sum", "none"), zeroInfinity: fc.boolean(), lengthsAsTensors: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1e6 }),
}).filter((d) => d.C ** d.T <= 1024).map((d) => ({ ...d, N: d.unbatched ? 1 : d.N, blank: d.blank % d.C }));

/** A drawn problem: inputs for ctcLoss and, per sample, its frames, labels and slice of the scores. */
function problem(d: Drawn) {
  const rng = new Rng(d.seed);
  const x = logSoftmaxed(rng, d.T, d.N, d.C, d.dtype);
  const nonBlank = Array.from({ length: d.C }, (_, c) => c).filter((c) => c !== d.blank);
  const inputLengths = Array.from({ length: d.N }, () => Math.floor(rng.uniform() * (d.T + 1)));
  // Up to 3 labels, often more than the frames allow (impossible targets are part of the draw).
  const labels = Array.from({ length: d.N }, () =>
    Array.from({ length: Math.floor(rng.uniform() * 4) }, () => nonBlank[Math.floor(rng.uniform() * nonBlank.length)]));
  const targetLengths = labels.map((l) => l.length);
  const width = Math.max(0, ...targetLengths) + Math.floor(rng.uniform() * 2);
  const padValue = () => Math.floor(rng.uniform() * d.C); // ignored past each target's length
  const targets = d.padded
    ? ints(labels.flatMap((l) => [...l, ...Array.from({ length: width - l.length }, padValue)]), d.unbatched ? [1, width] : [d.N, width])
    : ints(labels.flat());
  const lengths = (v: number[]) => (d.lengthsAsTensors ? (d.unbatched ? ints(v, []) : ints(v)) : v);
  const logProbs = floats(x, d.unbatched ? [d.T, d.C] : [d.T, d.N, d.C], d.dtype);
  const sample = (b: number) => ({
    frames: inputLengths[b], labels: labels[b],
    x: Array.from({ length: inputLengths[b] * d.C }, (_, i) => x[(Math.floor(i / d.C) * d.N + b) * d.C + (i % d.C)]),
  });
  return { logProbs, targets, inputLengths: lengths(inputLengths), targetLengths: lengths(targetLengths), sample };
}

describe("ctcLoss against every alignment path (brute force, float64)", () => {
  it("losses, reductions, zeroInfinity and the gradient (minus each frame's class posterior), both target layouts", () => {
    fc.assert(fc.property(drawnArb, (d) => {
      const pr = problem(d);
      const { T, N, C, blank, dtype, reduction, zeroInfinity } = d;
      const refs = Array.from({ length: N }, (_, b) => {
        const s = pr.sample(b);
        const { p, through } = bruteForce(s.x, s.frames, C, s.labels, blank);
        const nll = -Math.log(p);
        // Rounding of the float64 recursions: a few ulps of the largest log-probabilities summed.
        const mag = 1 + s.x.reduce((m, v) => m + Math.abs(v), 0);
        return { nll, loss: zeroInfinity && nll === Infinity ? 0 : nll, through, p, s, err: 64 * (T + 8) * U64 * mag };
      });
      const lp = pr.logProbs.clone();
      lp.requiresGrad = true;
      const out = ctcLoss(lp, pr.targets, pr.inputLengths, pr.targetLengths, { blank, reduction, zeroInfinity });
      const weight = (b: number) => (reduction === "mean" ? 1 / (Math.max(refs[b].s.labels.length, 1) * N) : 1);
      const want = reduction === "none" ? refs.map((r) => r.loss) : [refs.reduce((s, r, b) => s + r.loss * weight(b), 0)];
      const errs = reduction === "none" ? refs.map((r) => r.err) : [refs.reduce((s, r, b) => s + r.err * weight(b), 0)];
      expect(out.shape).toEqual(reduction === "none" && !d.unbatched ? [N] : []);
      expect(out.dtype).toBe(dtype);
      want.forEach((w, i) => {
        const got = out.data[i];
        const tol = 2 * unitOf(dtype) * Math.abs(w) + errs[i];
        if (!(got === w || Math.abs(got - w) <= tol)) throw new Error(`loss ${i}: got ${got}, want ${w} (tol ${tol})`);
      });
      if (want.some((w) => w === Infinity)) return; // an infinite total's gradient: see the zeroInfinity test
      const cot = reduction === "none" ? Array.from({ length: N }, (_, b) => 0.5 + b) : [1.5];
      out.mul(floats(cot, out.shape.slice(), dtype)).sum().backward();
      const g = lp.grad!.data;
      for (let b = 0; b < N; b++) {
        const r = refs[b], w = cot[reduction === "none" ? b : 0] * weight(b);
        for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) {
          const i = (t * N + b) * C + c;
          const ref = t >= r.s.frames || r.nll === Infinity ? 0 : (-w * r.through[t * C + c]) / r.p;
          const tol = 2 * unitOf(dtype) * Math.abs(ref) + r.err * Math.abs(w);
          if (!(Math.abs(g[i] - ref) <= tol)) throw new Error(`grad [${t}, ${b}, ${c}]: got ${g[i]}, want ${ref} (tol ${tol})`);
        }
      }
    }), { numRuns: 300 });
  });

  it("an impossible target: loss +∞ and NaN gradient over its frames, or 0 and 0 with zeroInfinity; the other samples unchanged", () => {
    // Sample 1's target [1, 1] needs a blank between the repeats: 3 frames, it has 2.
    const x = logSoftmaxed(new Rng(5), 3, 2, 3, "float64");
    for (const zeroInfinity of [false, true]) {
      const lp = floats(x, [3, 2, 3]);
      lp.requiresGrad = true;
      const out = ctcLoss(lp, ints([2, 1, 1, 1], [2, 2]), [3, 2], [2, 2], { reduction: "none", zeroInfinity });
      const possible = bruteForce([0, 1, 2].flatMap((t) => x.slice(t * 6, t * 6 + 3)), 3, 3, [2, 1], 0).p;
      expect(out.data[0]).toBeCloseTo(-Math.log(possible), 12);
      expect(out.data[1]).toBe(zeroInfinity ? 0 : Infinity);
      out.sum().backward();
      const g = Array.from(lp.grad!.data);
      const sample1 = (t: number) => g.slice(t * 6 + 3, t * 6 + 6);
      expect([...sample1(0), ...sample1(1)].every((v) => (zeroInfinity ? v === 0 : Number.isNaN(v)))).toBe(true);
      expect(sample1(2)).toEqual([0, 0, 0]); // past its input length
      expect(g.slice(0, 3).every(Number.isFinite)).toBe(true);
    }
    // Three frames suffice: the only path is 1, blank, 1.
    const y = logSoftmaxed(new Rng(6), 3, 1, 3, "float64");
    expect(ctcLoss(floats(y, [3, 3]), ints([1, 1]), 3, 2, { reduction: "sum" }).item()).toBeCloseTo(-(y[1] + y[3] + y[7]), 14);
  });

  it("an empty input reads only the empty target; an empty target is the all-blank path; an empty batch's mean is NaN", () => {
    const x = logSoftmaxed(new Rng(7), 4, 2, 3, "float64");
    const out = ctcLoss(floats(x, [4, 2, 3]), ints([], [2, 0]), [0, 4], [0, 0], { reduction: "none" });
    expect(out.data[0]).toBe(0);
    expect(out.data[1]).toBeCloseTo(-[0, 1, 2, 3].reduce((s, t) => s + x[(t * 2 + 1) * 3], 0), 13);
    expect(ctcLoss(floats(x, [4, 2, 3]), ints([1, 2], [2, 1]), [0, 4], [1, 1], { reduction: "none" }).data[0]).toBe(Infinity);
    expect(Number.isNaN(ctcLoss(floats([], [4, 0, 3]), ints([]), [], []).item())).toBe(true);
    expect(ctcLoss(floats([], [4, 0, 3]), ints([]), [], [], { reduction: "sum" }).item()).toBe(0);
  });
});

/** Number of alignments of `frames` frames onto a target of distinct consecutive labels of length L, as a BigInt. */
function alignmentCount(frames: number, L: number): bigint {
  const S = 2 * L + 1;
  let row: bigint[] = Array.from({ length: S }, (_, s) => (s < 2 ? 1n : 0n));
  for (let t = 1; t < frames; t++) row = row.map((v, s) => v + (s > 0 ? row[s - 1] : 0n) + (s > 1 && s % 2 === 1 ? row[s - 2] : 0n));
  return row[S - 1] + row[S - 2];
}
const logOfBigInt = (n: bigint) => { const s = n.toString(); return Math.log(Number(`0.${s.slice(0, 17)}`)) + s.length * Math.LN10; };

describe("long inputs, whose path probabilities underflow in linear space", () => {
  it("uniform scores over 2000 frames: the loss is T·log C − log(number of alignments), counted exactly", () => {
    const T = 2000, C = 5, labels = [1, 2, 3, 4, 1, 2];
    for (const dtype of ["float64", "float32"] as const) {
      const x = floats(new Array(T * C).fill(-Math.log(C)), [T, C], dtype);
      const got = ctcLoss(x, ints(labels), T, labels.length, { reduction: "sum" }).item();
      const want = -T * (dtype === "float32" ? Math.fround(-Math.log(C)) : -Math.log(C)) - logOfBigInt(alignmentCount(T, labels.length));
      // Each of the T steps rounds log α (at most T·log C) once or twice in float64; then one rounding to the dtype.
      expect(Math.abs(got - want)).toBeLessThanOrEqual(2 * unitOf(dtype) * want + 4 * T * U64 * T * Math.log(C));
    }
  });
});

describe("gradients by central differences (float64)", () => {
  const leaf = (values: number[], shape: number[]) => { const t = floats(values, shape); t.requiresGrad = true; return t; };
  const cases: [string, number[], Tensor, number[], number[], CtcLossOptions][] = [
    ["padded, repeats, a shorter input", [6, 3, 4], ints([1, 1, 2, 3, 3, 0, 2, 0, 0], [3, 3]), [6, 4, 5], [3, 2, 1], {}],
    ["concatenated, an empty target, blank 2", [5, 2, 3], ints([0, 1, 1]), [5, 5], [0, 3], { blank: 2 }],
    ["zeroInfinity with an impossible sample", [4, 2, 3], ints([1, 2, 2, 2], [2, 2]), [4, 2], [2, 2], { zeroInfinity: true }],
  ];
  for (const reduction of ["mean", "sum", "none"] as const) {
    it(`on free log-probabilities (the derivative as given), reduction ${reduction}`, () => {
      cases.forEach(([, shape, targets, il, tl, o], k) => {
        // Unnormalized scores: the derivative holds for any inputs, not only log-softmaxed ones.
        const x = leaf(logSoftmaxed(new Rng(30 + k), shape[0], shape[1], shape[2], "float64").map((v, i) => v + 0.3 * (i % 3)), shape);
        noMismatch(findGradMismatches(() => project(ctcLoss(x, targets, il, tl, { ...o, reduction }), 3), [x]));
      });
      const u = leaf(logSoftmaxed(new Rng(40), 5, 1, 4, "float64"), [5, 4]);
      noMismatch(findGradMismatches(() => project(ctcLoss(u, ints([3, 1]), ints([4], []), ints([2], []), { reduction }), 4), [u]));
    });
  }
  it("through logSoftmax of logits, as a model trains it", () => {
    const z = leaf(Array.from({ length: 7 * 2 * 5 }, (_, i) => Math.sin(1.7 * i) * 2), [7, 2, 5]);
    noMismatch(findGradMismatches(() => ctcLoss(eg.nn.functional.logSoftmax(z, -1), ints([1, 4, 4, 2, 3, 0], [2, 3]), [7, 6], [3, 2]), [z]));
  });
});

describe("CTCLoss", () => {
  it("holds its options and forward gives ctcLoss with them; lengths may be numbers or tensors", () => {
    const m = new CTCLoss({ blank: 2, reduction: "sum", zeroInfinity: true });
    expect([m.blank, m.reduction, m.zeroInfinity]).toEqual([2, "sum", true]);
    expect([new CTCLoss().blank, new CTCLoss().reduction, new CTCLoss().zeroInfinity]).toEqual([0, "mean", false]);
    expect(CTCLoss.typeName).toBe("CTCLoss");
    expect(eg.nn.CTCLoss).toBe(CTCLoss);
    expect(eg.nn.functional.ctcLoss).toBe(ctcLoss);
    expect(Object.keys(m.stateDict())).toEqual([]);
    const x = floats(logSoftmaxed(new Rng(9), 5, 2, 3, "float32"), [5, 2, 3], "float32");
    const t = ints([0, 1, 1, 0], [2, 2]);
    const byModule = m.forward(x, t, [5, 3], ints([2, 2]));
    expect(byModule.item()).toBe(ctcLoss(x, t, ints([5, 3]), [2, 2], { blank: 2, reduction: "sum", zeroInfinity: true }).item());
  });

  it("takes a transposed [N, T, C] model output as [T, N, C] (a view), with the gradient reaching the original", () => {
    const y = floats(logSoftmaxed(new Rng(12), 6, 2, 4, "float64"), [6, 2, 4]);
    const batchFirst = y.transpose(0, 1).contiguous().detach();
    batchFirst.requiresGrad = true;
    const direct = y.clone().detach();
    direct.requiresGrad = true;
    const args = [ints([1, 2, 3, 3, 3, 0], [2, 3]), [6, 5], [3, 2]] as const;
    const viaView = ctcLoss(batchFirst.transpose(0, 1), ...args), plain = ctcLoss(direct, ...args);
    expect(viaView.item()).toBe(plain.item());
    viaView.backward();
    plain.backward();
    expect(Array.from(batchFirst.grad!.transpose(0, 1).contiguous().data)).toEqual(Array.from(direct.grad!.data));
  });

  it("is not a fit loss: fit's loss takes (output, target)", async () => {
    const model = new eg.nn.Linear(2, 3);
    await expect(eg.nn.fit(model, eg.zeros([4, 2]), eg.zeros([4, 3]), { loss: new CTCLoss(), optimizer: "sgd", epochs: 1 })).rejects.toThrow(/CTCLoss takes 4 tensors/);
  });

  it("checks its options when made, and forward's arity", () => {
    expect(() => new CTCLoss({ blank: -1 })).toThrow(/blank must be an integer ≥ 0, got -1/);
    expect(() => new CTCLoss({ blank: 1.5 })).toThrow(ValueError);
    expect(() => new CTCLoss({ zeroInfinity: "yes" as never })).toThrow(/zeroInfinity must be true or false/);
    expect(() => new CTCLoss({ reduction: "batchmean" as never })).toThrow(/reduction must be/);
    expect(() => new CTCLoss({ blnk: 0 } as never)).toThrow(/unknown option "blnk"/);
    const x = floats(logSoftmaxed(new Rng(9), 2, 1, 3, "float64"), [2, 1, 3]);
    expect(() => (new CTCLoss().forward as (...a: unknown[]) => unknown)(x, ints([1], [1, 1]), [2])).toThrow(/forward takes \(logProbs, targets, inputLengths, targetLengths\)/);
    expect(() => new CTCLoss({ blank: 3 }).forward(x, ints([1], [1, 1]), [2], [1])).toThrow(/blank must be a class index in \[0, 3\), got 3/);
  });
});

describe("typed errors, inputs left as they were", () => {
  const lp = () => { const t = floats(logSoftmaxed(new Rng(11), 4, 2, 3, "float64"), [4, 2, 3]); t.requiresGrad = true; return t; };
  const pad = ints([1, 2, 0, 2, 0, 0], [2, 3]);
  const bad: [string, (x: Tensor) => unknown, new (...a: never[]) => Error, RegExp][] = [
    ["blank out of range", (x) => ctcLoss(x, pad, [4, 4], [2, 1], { blank: 3 }), ValueError, /blank must be a class index in \[0, 3\), got 3/],
    ["a target equal to the blank", (x) => ctcLoss(x, pad, [4, 4], [3, 1]), ValueError, /target at \[0, 2\] is the blank label 0/],
    ["a target ≥ C", (x) => ctcLoss(x, ints([1, 3]), [4, 4], [1, 1]), ValueError, /target 3 at index 1 is not a class index in \[0, 3\)/],
    ["a negative target", (x) => ctcLoss(x, ints([-1, 2], [2, 1]), [4, 4], [1, 1]), ValueError, /target -1 at \[0, 0\]/],
    ["a fractional target", (x) => ctcLoss(x, floats([1.5, 2], [2]), [4, 4], [1, 1]), ValueError, /target 1.5/],
    ["inputLengths > T", (x) => ctcLoss(x, pad, [4, 5], [2, 1]), ValueError, /inputLengths\[1\] = 5 exceeds the 4 frames/],
    ["a target length > S", (x) => ctcLoss(x, pad, [4, 4], [2, 4]), ShapeError, /targetLengths\[1\] = 4 exceeds the padded targets' width S = 3/],
    ["concatenated targets of the wrong size", (x) => ctcLoss(x, ints([1, 2, 1]), [4, 4], [1, 1]), ShapeError, /sum\(targetLengths\) = 2 labels, got shape \[3\]/],
    ["padded targets of another batch", (x) => ctcLoss(x, ints([1, 2], [1, 2]), [4, 4], [1, 1]), ShapeError, /N = 2 or concatenated 1-d, got shape \[1,2\]/],
    ["3-d targets", (x) => ctcLoss(x, ints([1, 2], [2, 1, 1]), [4, 4], [1, 1]), ShapeError, /got shape \[2,1,1\]/],
    ["too few input lengths", (x) => ctcLoss(x, pad, [4], [1, 1]), ShapeError, /inputLengths must hold one length per sample \(2\), got 1/],
    ["target lengths as a 2-d tensor", (x) => ctcLoss(x, pad, [4, 4], ints([1, 1], [1, 2])), ShapeError, /targetLengths must be 0-d or 1-d/],
    ["a fractional input length", (x) => ctcLoss(x, pad, [4, 2.5], [1, 1]), ValueError, /inputLengths must be integers ≥ 0, got 2.5 at index 1/],
    ["a fractional length tensor", (x) => ctcLoss(x, pad, [4, 4], floats([1, 0.5], [2])), ValueError, /targetLengths must be integers ≥ 0, got 0.5/],
    ["a negative length", (x) => ctcLoss(x, pad, [4, 4], [-1, 1]), ValueError, /targetLengths must be integers ≥ 0, got -1/],
    ["lengths of another type", (x) => ctcLoss(x, pad, "44" as never, [1, 1]), ValueError, /inputLengths must be a Tensor or an array/],
    ["bool targets", (x) => ctcLoss(x, new Tensor(Uint8Array.of(1, 1), "bool", [2]), [4, 4], [1, 1]), DTypeError, /targets must hold integers, got dtype bool/],
    ["targets not a tensor", (x) => ctcLoss(x, [1, 2] as never, [4, 4], [1, 1]), ValueError, /targets must be a Tensor/],
    ["integer logProbs", () => ctcLoss(ints([0, 0, 0], [1, 1, 3]), ints([1]), [1], [1]), DTypeError, /logProbs must be float32 or float64, got int32/],
    ["4-d logProbs", (x) => ctcLoss(x.reshape([4, 2, 3, 1]), pad, [4, 4], [1, 1]), ShapeError, /\[T, N, C\] or unbatched \[T, C\], got shape \[4,2,3,1\]/],
    ["an unknown option", (x) => ctcLoss(x, pad, [4, 4], [1, 1], { zero_infinity: true } as never), ValueError, /unknown option "zero_infinity"/],
    ["a bad reduction", (x) => ctcLoss(x, pad, [4, 4], [1, 1], { reduction: "batchmean" as never }), ValueError, /reduction must be/],
    ["a non-boolean zeroInfinity", (x) => ctcLoss(x, pad, [4, 4], [1, 1], { zeroInfinity: 1 as never }), ValueError, /zeroInfinity must be true or false/],
  ];
  for (const [what, call, type, message] of bad) {
    it(what, () => {
      const x = lp(), before = Array.from(x.data);
      expect(() => call(x)).toThrow(type);
      expect(() => call(x)).toThrow(message);
      expect(Array.from(x.data)).toEqual(before);
      expect(x.grad).toBeNull();
    });
  }
});
