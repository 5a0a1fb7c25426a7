// The f32 GEMM kernel against an independent float64 triple loop, on every backend, with the
// error bound of tests/support/tolerance.ts. Sizes straddle the micro-tile (MR, NR) and the cache
// blocks (KC, MC, NC) of the kernel manifest (src/backend/manifest.ts), so every edge path runs:
// zero-padded panels, aliased rows, partial column stores, C reloads between k-blocks.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { F32_GEMM, kernels } from "../../src/backend/index.js";
import type { StridedMatrix } from "../../src/backend/index.js";
import { gemmTol } from "../support/tolerance.js";
import { mulberry32 as random } from "../support/mulberry32.js";

const { MR, NR, KC, MC, NC } = F32_GEMM;

interface Layout {
  /** Stored as the transpose (column-major window): rowStride 1, colStride = stored row length. */
  transposed: boolean;
  /** Extra elements at the end of each stored row (a padded leading dimension). */
  pad: number;
  /** Elements before the window in its array. */
  offset: number;
}

interface Problem {
  m: number; n: number; k: number;
  aLayout: Layout; bLayout: Layout;
  bias: boolean; relu: boolean; accumulate: boolean;
  /** Magnitude of the data: 1, or tiny (products underflow), or huge. */
  scale: number;
  seed: number;
}

/** A rows×cols window laid out per `layout` in a fresh Float32Array of values in [−scale, scale). */
function operand(rows: number, cols: number, layout: Layout, scale: number, next: () => number): StridedMatrix {
  const storedRows = layout.transposed ? cols : rows;
  const storedCols = (layout.transposed ? rows : cols) + layout.pad;
  const data = new Float32Array(layout.offset + storedRows * storedCols + 1);
  for (let i = 0; i < data.length; i++) data[i] = (2 * next() - 1) * scale;
  return layout.transposed
    ? { data, offset: layout.offset, rowStride: 1, colStride: storedCols }
    : { data, offset: layout.offset, rowStride: storedCols, colStride: 1 };
}

const at = (x: StridedMatrix, i: number, j: number) => x.data[x.offset + i * x.rowStride + j * x.colStride];

function describeProblem(p: Problem, a: StridedMatrix, b: StridedMatrix): string {
  const s = (x: StridedMatrix) => `{offset ${x.offset}, rowStride ${x.rowStride}, colStride ${x.colStride}}`;
  return `m=${p.m} n=${p.n} k=${p.k} A${s(a)} B${s(b)} bias=${p.bias} relu=${p.relu} ` +
    `accumulate=${p.accumulate} scale=${p.scale} seed=${p.seed} backend=${kernels().name}`;
}

/**
 * Runs the kernel and checks every element of C against the float64 reference, and that
 * nothing outside C's window changed. Throws with the index, both values and the problem.
 */
function check(p: Problem, override?: { a?: StridedMatrix; b?: StridedMatrix }): void {
  const next = random(p.seed);
  const a = override?.a ?? operand(p.m, p.k, p.aLayout, p.scale, next);
  const b = override?.b ?? operand(p.k, p.n, p.bLayout, p.scale, next);
  const bias = p.bias ? Float32Array.from({ length: p.n }, () => (2 * next() - 1) * p.scale * p.scale) : null;
  const cOffset = 3;
  const c = Float32Array.from({ length: cOffset + p.m * p.n + 5 }, () => (2 * next() - 1) * p.scale * p.scale);
  const before = c.slice();

  kernels().f32Gemm(p.m, p.n, p.k, a, b, c, cOffset, { bias, relu: p.relu, accumulate: p.accumulate });

  const terms = p.k + (p.bias ? 1 : 0) + (p.accumulate ? 1 : 0);
  for (let i = 0; i < p.m; i++) {
    for (let j = 0; j < p.n; j++) {
      const cOld = before[cOffset + i * p.n + j];
      let sum = p.accumulate ? cOld : 0;
      let abs = Math.abs(sum);
      for (let q = 0; q < p.k; q++) {
        const t = at(a, i, q) * at(b, q, j);
        sum += t;
        abs += Math.abs(t);
      }
      if (bias) { sum += bias[j]; abs += Math.abs(bias[j]); }
      const want = p.relu && sum < 0 ? 0 : sum;
      const got = c[cOffset + i * p.n + j];
      const tol = gemmTol(abs, want, terms);
      if (!(Math.abs(got - want) <= tol)) {
        throw new Error(`C[${i},${j}] = ${got}, expected ${want} ± ${tol}: ${describeProblem(p, a, b)}`);
      }
    }
  }
  for (let idx = 0; idx < c.length; idx = idx === cOffset - 1 ? cOffset + p.m * p.n : idx + 1) {
    if (!Object.is(c[idx], before[idx])) throw new Error(`c[${idx}], outside C, changed: ${describeProblem(p, a, b)}`);
  }
}

const plain: Layout = { transposed: false, pad: 0, offset: 0 };
const problem = (m: number, n: number, k: number, extra: Partial<Problem> = {}): Problem => ({
  m, n, k, aLayout: plain, bLayout: plain, bias: false, relu: false, accumulate: false, scale: 1, seed: 1, ...extra,
});

const layoutArb: fc.Arbitrary<Layout> = fc.record({
  transposed: fc.boolean(),
  // 64: a sparse window (a column slice of a wide matrix), which the wasm backend compacts.
  pad: fc.constantFrom(0, 0, 1, 3, 8, 64),
  offset: fc.integer({ min: 0, max: 5 }),
});
const problemArb = (m: fc.Arbitrary<number>, n: fc.Arbitrary<number>, k: fc.Arbitrary<number>) =>
  fc.record({
    m, n, k, aLayout: layoutArb, bLayout: layoutArb,
    bias: fc.boolean(), relu: fc.boolean(), accumulate: fc.boolean(),
    // 2^-70: products are subnormal (tests the η term); 2^40: large but far from overflow.
    scale: fc.constantFrom(1, 1, 1, 2 ** -70, 2 ** 40),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  });

describe("f32Gemm against a float64 triple loop", () => {
  it("holds for sizes around the 4x8 tile (m ≤ 2·MR+1, n ≤ 3·NR+1, k ≤ 40) and any layout", () => {
    fc.assert(fc.property(
      problemArb(fc.integer({ min: 1, max: 2 * MR + 1 }), fc.integer({ min: 1, max: 3 * NR + 1 }),
                 fc.integer({ min: 0, max: 40 })),
      (p) => check(p)), { numRuns: 300 });
  });

  it("holds across the cache blocks (m > MC, n > NC, k > KC)", () => {
    fc.assert(fc.property(
      fc.oneof(
        problemArb(fc.integer({ min: MC - 3, max: MC + 9 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 40 })),
        problemArb(fc.integer({ min: 1, max: 6 }), fc.integer({ min: NC - 5, max: NC + 17 }), fc.integer({ min: 1, max: 12 })),
        problemArb(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: KC - 3, max: 2 * KC + 7 })),
      ),
      (p) => check(p)), { numRuns: 30 });
  });
});

describe("f32Gemm boundary cases", () => {
  it("computes a 1×1×1 product", () => check(problem(1, 1, 1)));
  it("computes an outer product when k = 1", () => check(problem(2 * MR + 1, 3 * NR + 1, 1, { bias: true })));
  it("writes zeros when k = 0 without bias", () => check(problem(5, 9, 0)));
  it("writes the bias, then relu, when k = 0", () => check(problem(5, 9, 0, { bias: true, relu: true })));
  it("adds the bias to C when k = 0 and accumulating", () => check(problem(6, 11, 0, { bias: true, accumulate: true })));
  it("handles m not a multiple of MR while accumulating (aliased rows must not clobber C)", () =>
    check(problem(MR + 3, 2 * NR, 7, { accumulate: true })));
  it("stores partial tiles without touching C's neighbours (n = 1, 3, 5, 7 past a panel)", () => {
    for (const n of [1, 3, 5, 7, NR + 1, NR + 3, NR + 6]) check(problem(3, n, 5, { accumulate: true, bias: true }));
  });
  it("sums k-blocks in C when k > KC, with bias and relu applied once at the end", () =>
    check(problem(MR + 1, NR + 1, KC + 5, { bias: true, relu: true, accumulate: true })));
  it("computes Aᵀ·B, A·Bᵀ and Aᵀ·Bᵀ from swapped strides", () => {
    const t: Layout = { transposed: true, pad: 0, offset: 0 };
    for (const [aLayout, bLayout] of [[t, plain], [plain, t], [t, t]]) {
      check(problem(2 * MR + 1, 2 * NR + 3, 2 * KC + 3, { aLayout, bLayout }));
      check(problem(MC + 5, NR + 5, 37, { aLayout, bLayout, bias: true }));
    }
  });
  it("reads windows at an offset with padded row strides", () =>
    check(problem(9, 17, 13, { aLayout: { transposed: false, pad: 5, offset: 7 }, bLayout: { transposed: true, pad: 2, offset: 1 } })));
  it("reads a column slice of a wide matrix and a row slice of a tall transposed one", () =>
    check(problem(7, 3, 5, { aLayout: { transposed: false, pad: 50, offset: 2 }, bLayout: { transposed: true, pad: 40, offset: 3 } })));
  it("broadcasts an operand with stride 0", () => {
    const row = { data: Float32Array.from({ length: 40 }, (_, i) => i / 7 - 2), offset: 0, rowStride: 0, colStride: 1 };
    const col = { data: Float32Array.from({ length: 40 }, (_, i) => 1 - i / 9), offset: 2, rowStride: 1, colStride: 0 };
    check(problem(6, 10, 11), { a: row });
    check(problem(6, 10, 11), { b: col });
  });
  it("clamps negatives to zero with relu and passes NaN through", () => {
    const a = { data: new Float32Array([1, -1, NaN, 2]), offset: 0, rowStride: 2, colStride: 1 };
    const b = { data: new Float32Array([1, -2, 3, 1]), offset: 0, rowStride: 2, colStride: 1 };
    const c = new Float32Array(4);
    kernels().f32Gemm(2, 2, 2, a, b, c, 0, { relu: true });
    expect(Array.from(c.subarray(0, 2))).toEqual([0, 0]);   // [1·1 − 1·3, 1·(−2) − 1·1] → relu
    expect(c[2]).toBeNaN();
    expect(c[3]).toBeNaN();
  });
  it("leaves C alone when m = 0 or n = 0", () => {
    const c = new Float32Array([7, 7]);
    const x = { data: new Float32Array(4), offset: 0, rowStride: 2, colStride: 1 };
    kernels().f32Gemm(0, 2, 2, x, x, c, 0);
    kernels().f32Gemm(2, 0, 2, x, x, c, 0);
    expect(Array.from(c)).toEqual([7, 7]);
  });
});
