import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { at, expectClose, indices, layoutArb, makeTensor, valuesFrom, U32 } from "../support/reference.js";
import { gamma } from "../support/tolerance.js";
import { float64Input as X, assertGradByDifferences } from "../support/gradcheck-ops.js";

// einsum against a brute-force float64 evaluation of the equation: every assignment of every
// label is visited and the product of the operands' entries added to its output entry.

/** Labels of each dim; ellipsis dims become "0", "1", … counted from the last, right-aligned. */
function expand(term: string, ndim: number | null, ellipsisDims: number): string[] {
  const at3 = term.indexOf("...");
  if (at3 < 0) return [...term];
  const e = ndim === null ? ellipsisDims : ndim - (term.length - 3);
  return [...term.slice(0, at3), ...Array.from({ length: e }, (_, i) => String(e - 1 - i)), ...term.slice(at3 + 3)];
}

function referenceEinsum(equation: string, ops: eg.Tensor[]): { shape: number[]; values: number[]; absSum: number[]; terms: number } {
  const [lhs, rhs] = equation.split("->");
  const terms = lhs.split(",");
  const labels = terms.map((t, k) => expand(t, ops[k].ndim, 0));
  const ell = Math.max(0, ...terms.map((t, k) => (t.includes("...") ? ops[k].ndim - (t.length - 3) : 0)));
  const ellLabels = Array.from({ length: ell }, (_, i) => String(ell - 1 - i));
  let out: string[];
  if (rhs !== undefined) out = expand(rhs, null, ell);
  else {
    const letters = labels.flat().filter((l) => !/[0-9]/.test(l));
    out = [...ellLabels, ...[...new Set(letters)].filter((l) => letters.indexOf(l) === letters.lastIndexOf(l)).sort()];
  }
  const size = new Map<string, number>();
  labels.forEach((ls, k) => ls.forEach((l, d) => { if ((size.get(l) ?? 1) === 1) size.set(l, ops[k].shape[d]); }));
  const all = [...size.keys()];
  const shape = out.map((l) => size.get(l)!);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Array<number>(n).fill(0);
  const absSum = new Array<number>(n).fill(0);
  let count = 0;
  for (const assignment of indices(all.map((l) => size.get(l)!))) {
    const value = (l: string) => assignment[all.indexOf(l)];
    let prod = 1;
    ops.forEach((t, k) => { prod *= at(t, labels[k].map((l, d) => (t.shape[d] === 1 ? 0 : value(l)))); });
    const o = out.reduce((p, l, d) => p * shape[d] + value(l), 0);
    values[o] += prod;
    absSum[o] += Math.abs(prod);
    if (o === 0) count++;
  }
  return { shape, values, absSum, terms: count };
}

/** Equations with the shapes of their operands, as functions of a size per letter. */
const EQUATIONS: [string, (s: Record<string, number>) => number[][]][] = [
  ["ij,jk->ik", (s) => [[s.i, s.j], [s.j, s.k]]],
  ["ij,jk", (s) => [[s.i, s.j], [s.j, s.k]]],
  ["ij,kj->", (s) => [[s.i, s.j], [s.k, s.j]]],
  ["ii->i", (s) => [[s.i, s.i]]],
  ["ii", (s) => [[s.i, s.i]]],
  ["iij->ji", (s) => [[s.i, s.i, s.j]]],
  ["ij->ji", (s) => [[s.i, s.j]]],
  ["ijk->j", (s) => [[s.i, s.j, s.k]]],
  ["i,i->", (s) => [[s.i], [s.i]]],
  ["i,j->ij", (s) => [[s.i], [s.j]]],
  ["ij,ij->ij", (s) => [[s.i, s.j], [s.i, s.j]]],
  ["bij,bjk->bik", (s) => [[s.b, s.i, s.j], [s.b, s.j, s.k]]],
  // attention scores: b, h, q, d sized by b, i, j, k; the keys' count by b again
  ["bhqd,bhkd->bhqk", (s) => [[s.b, s.i, s.j, s.k], [s.b, s.i, s.b, s.k]]],
  ["...ij,...jk->...ik", (s) => [[s.b, 1, s.i, s.j], [s.k, s.j, s.k]]],
  ["...ij,jk", (s) => [[s.b, s.i, s.j], [s.j, s.k]]],
  ["i...->...", (s) => [[s.i, s.j, s.k]]],
  ["...i,...i->...", (s) => [[s.j, s.i], [1, s.i]]],
  ["ijk,ikl,lm->jm", (s) => [[s.i, s.j, s.k], [s.i, s.k, s.b], [s.b, s.j]]],
  ["i,i,i->i", (s) => [[s.i], [s.i], [s.i]]],
  ["ba,ab->", (s) => [[s.b, s.i], [s.i, s.b]]],
  ["ij,j->i", (s) => [[s.i, 1], [s.j]]],
];
const sizesArb = fc.record({ b: fc.integer({ min: 1, max: 3 }), i: fc.integer({ min: 1, max: 4 }), j: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 3 }) });

describe("einsum agrees with a brute-force float64 evaluation", () => {
  for (const [equation, shapesOf] of EQUATIONS) {
    it(equation, () => {
      fc.assert(fc.property(sizesArb, fc.array(layoutArb, { minLength: 3, maxLength: 3 }), fc.integer({ min: 1, max: 1000 }), (sizes, layouts, seed) => {
        const ops = shapesOf(sizes).map((sh, k) => makeTensor(sh, valuesFrom(seed + k), layouts[k]));
        const ref = referenceEinsum(equation, ops);
        const y = eg.einsum(equation, ...ops);
        expect(y.shape).toEqual(ref.shape);
        const nOps = ops.length;
        for (const i of indices(ref.shape)) {
          const o = i.reduce((p, v, d) => p * ref.shape[d] + v, 0);
          const tol = gamma(ref.terms + 2 * nOps) * ref.absSum[o] + U32 * Math.abs(ref.values[o]);
          expectClose(at(y, i), ref.values[o], tol, `${equation} at [${i}]`);
        }
      }), { numRuns: 25 });
    });
  }

  it("integer operands are contracted exactly", () => {
    const a = eg.randint(-5, 5, [3, 4], { seed: 1 });
    const b = eg.randint(-5, 5, [4, 2], { seed: 2 });
    const y = eg.einsum("ij,jk->ik", a, b);
    const ref = referenceEinsum("ij,jk->ik", [a, b]);
    expect(Array.from(y.data)).toEqual(ref.values);
    expect(eg.einsum("ii->", eg.arange(9, undefined, 1, { dtype: "int32" }).reshape([3, 3])).item()).toBe(12);
  });
});

describe("einsum errors name the problem", () => {
  const a = eg.ones([2, 3]);
  const b = eg.ones([4, 5]);
  it.each([
    ["ij,jk->ik", [a, b], eg.ShapeError, /label "j" has sizes 3 and 4/],
    ["ij,jk->ik", [a], eg.ValueError, /names 2 operand\(s\), got 1/],
    ["ijk->i", [a], eg.ShapeError, /"ijk" do not fit an operand of 2/],
    ["ij->ii", [a], eg.ValueError, /"i" appears more than once/],
    ["ij->z", [a], eg.ValueError, /"z" does not occur/],
    ["i1->i", [a], eg.ValueError, /only letters/],
    ["......->", [a], eg.ValueError, /more than one ellipsis/],
    ["ij->i->j", [a], eg.ValueError, /more than one "->"/],
    ["ii->i", [a], eg.ShapeError, /repeated label "i" spans dims of sizes 2 and 3/],
  ] as const)("%s", (equation, ops, type, message) => {
    expect(() => eg.einsum(equation, ...ops)).toThrow(type);
    expect(() => eg.einsum(equation, ...ops)).toThrow(message);
  });
});

describe("einsum gradients by central differences", () => {
  const cases: [string, number[][]][] = [
    ["ij,jk->ik", [[2, 3], [3, 2]]], ["ii->i", [[3, 3]]], ["ii->", [[3, 3]]], ["bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]],
    ["...ij,...jk->...ik", [[2, 1, 2, 3], [3, 3, 2]]], ["ijk,ikl,lm->jm", [[2, 2, 3], [2, 3, 2], [2, 2]]], ["i,j->ij", [[3], [2]]],
    ["ij,j->i", [[3, 1], [4]]],
  ];
  for (const [equation, shapes] of cases) {
    it(equation, () => assertGradByDifferences((...xs) => eg.einsum(equation, ...xs), shapes.map((s, k) => X(s, k + 1)), equation));
  }
});
