// tripletMarginWithDistanceLoss / TripletMarginWithDistanceLoss: against max(0, d(a, p) − d(a, n) +
// margin) written out in float64 (the default distance ‖a − b + 1e-6‖₂, and a custom one), with
// swap and every reduction, over batches drawn by fast-check; gradients of all three inputs by
// central differences away from the hinge's and the swap's kinks; the module; the typed errors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nn, Tensor, ValueError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { expectWithin, gammaOf, sampleTensor } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

const F = nn.functional;
type FloatDType = "float32" | "float64";
type Reduction = "mean" | "sum" | "none";
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

/** Rows of a [N, D] (or [D]) tensor as float64 arrays. */
const rows = (t: Tensor): number[][] => {
  const D = t.shape[t.ndim - 1], n = t.ndim === 2 ? t.shape[0] : 1;
  return Array.from({ length: n }, (_, r) => Array.from(t.data.slice(r * D, (r + 1) * D) as ArrayLike<number>));
};
const euclid = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i] + 1e-6) ** 2, 0));
const squared = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

/** Per-triplet losses and their distances (for the tolerance and the kink checks). */
function perTriplet(a: Tensor, p: Tensor, n: Tensor, dist: (x: number[], y: number[]) => number, margin: number, swap: boolean) {
  const A = rows(a), P = rows(p), N = rows(n);
  return A.map((ar, i) => {
    const dp = dist(ar, P[i]), dan = dist(ar, N[i]), dpn = dist(P[i], N[i]), dn = swap ? Math.min(dan, dpn) : dan;
    return { loss: Math.max(0, dp - dn + margin), scale: dp + dan + dpn + Math.abs(margin), hinge: dp - dn + margin, swapGap: dan - dpn };
  });
}

const reduceRef = (v: number[], r: Reduction) => (r === "none" ? v : r === "sum" ? [v.reduce((a, b) => a + b, 0)] : [v.reduce((a, b) => a + b, 0) / v.length]);

describe("tripletMarginWithDistanceLoss", () => {
  const arb = fc.record({
    N: fc.integer({ min: 1, max: 5 }), D: fc.integer({ min: 1, max: 6 }), vector: fc.boolean(), margin: fc.double({ min: -1, max: 3, noNaN: true }),
    swap: fc.boolean(), reduction: fc.constantFrom<Reduction>("mean", "sum", "none"), dtype: fc.constantFrom<FloatDType>("float32", "float64"),
    custom: fc.boolean(), seed: fc.nat(10000),
  });

  it("is max(0, d(a, p) − d(a, n) + margin), swap and every reduction, default and custom distances (float64 reference)", () => {
    fc.assert(fc.property(arb, ({ N, D, vector, margin, swap, reduction, dtype, custom, seed }) => {
      const shape = vector ? [D] : [N, D];
      const [a, p, n] = [0, 1, 2].map((k) => sampleTensor(shape, seed + k, dtype));
      const distanceFunction = custom ? (x: Tensor, y: Tensor) => x.sub(y).pow(2).sum(-1) : undefined;
      const got = F.tripletMarginWithDistanceLoss(a, p, n, { margin, swap, reduction, ...(custom ? { distanceFunction } : {}) });
      const per = perTriplet(a, p, n, custom ? squared : euclid, margin, swap);
      const want = reduceRef(per.map((t) => t.loss), reduction);
      const scale = per.reduce((s, t) => s + t.scale, 0);
      expect(got.shape).toEqual(reduction === "none" ? shape.slice(0, -1) : []);
      // Each distance a sum of D terms rounded in the dtype, then a few more roundings and the reduction's N.
      expectWithin(got.data, want, () => gammaOf(dtype, 2 * D + per.length + 8) * scale + ETA32, "triplet loss");
    }), { numRuns: 300 });
  });

  it("gradients of anchor, positive and negative by central differences (away from the kinks)", () => {
    for (const [swap, reduction, custom] of [[false, "mean", false], [true, "sum", false], [true, "none", true], [false, "sum", true]] as const) {
      const [a, p, n] = [0, 1, 2].map((k) => sampleTensor([6, 3], 40 + k, "float64"));
      for (const t of [a, p, n]) t.requiresGrad = true;
      const distanceFunction = custom ? (x: Tensor, y: Tensor) => x.sub(y).pow(2).sum(-1) : undefined;
      const margin = 1.5, per = perTriplet(a, p, n, custom ? squared : euclid, margin, swap);
      // The hinge and the swap's min have kinks: the drawn triplets stay clear of both.
      expect(per.every((t) => Math.abs(t.hinge) > 1e-3 && (!swap || Math.abs(t.swapGap) > 1e-3))).toBe(true);
      const loss = () => {
        const out = F.tripletMarginWithDistanceLoss(a, p, n, { margin, swap, reduction, ...(custom ? { distanceFunction } : {}) });
        return reduction === "none" ? out.mul(sampleTensor([6], 9, "float64")).sum() : out;
      };
      expect(findGradMismatches(loss, [a, p, n]), `swap ${swap} ${reduction} custom ${custom}`).toEqual([]);
    }
  });

  it("TripletMarginWithDistanceLoss calls the function with its options; default margin 1, no swap, mean", () => {
    const [a, p, n] = [0, 1, 2].map((k) => sampleTensor([4, 3], 7 + k));
    const m = new nn.TripletMarginWithDistanceLoss();
    expect([m.margin, m.swap, m.reduction]).toEqual([1, false, "mean"]);
    expect(list(m.forward(a, p, n))).toEqual(list(F.tripletMarginWithDistanceLoss(a, p, n)));
    const cosine = (x: Tensor, y: Tensor) => F.cosineSimilarity(x, y).neg().add(1);
    const custom = new nn.TripletMarginWithDistanceLoss({ distanceFunction: cosine, margin: 0.2, swap: true, reduction: "none" });
    expect(list(custom.forward(a, p, n))).toEqual(list(F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: cosine, margin: 0.2, swap: true, reduction: "none" })));
    expect(Object.keys(custom.stateDict())).toEqual([]);
    expect(() => m.forward(a, p)).toThrow(/forward takes \(anchor, positive, negative\), got 2 arguments/);
  });

  it("refuses a distance that is not a function or returns no Tensor, bad margins, reductions and options", () => {
    const [a, p, n] = [0, 1, 2].map((k) => sampleTensor([3, 2], k));
    expect(() => F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: "cosine" as unknown as () => Tensor })).toThrow(/distanceFunction must be a function/);
    expect(() => F.tripletMarginWithDistanceLoss(a, p, n, { distanceFunction: () => 1 as unknown as Tensor })).toThrow(/distanceFunction must return a Tensor, got number/);
    expect(() => F.tripletMarginWithDistanceLoss(a, p, n, { margin: NaN })).toThrow(ValueError);
    expect(() => F.tripletMarginWithDistanceLoss(a, p, n, { reduction: "batchmean" as Reduction })).toThrow(/reduction must be/);
    expect(() => F.tripletMarginWithDistanceLoss(a, p, n, { swap: "yes" as unknown as boolean })).toThrow(ValueError);
    expect(() => F.tripletMarginWithDistanceLoss(a, p, n, { p: 1 } as object)).toThrow(/unknown option "p"/);
    expect(() => F.tripletMarginWithDistanceLoss(a, [1] as unknown as Tensor, n)).toThrow(/positive must be a Tensor/);
    expect(() => new nn.TripletMarginWithDistanceLoss({ margin: "1" as unknown as number })).toThrow(ValueError);
    expect(() => new nn.TripletMarginWithDistanceLoss({ distanceFunction: 3 as unknown as () => Tensor })).toThrow(ValueError);
  });
});
