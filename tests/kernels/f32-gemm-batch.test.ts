// The strided-batch GEMM against a float64 triple loop, on every backend, with the error bound
// of tests/support/tolerance.ts: the kernel table's f32GemmBatch with any batch strides
// (0 = broadcast), operand layouts and epilogue; then matmul over random broadcast batch shapes,
// including permuted batch dims whose strides cannot merge (several strided-batch calls).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { F32_GEMM, kernels, type StridedBatch } from "../../src/backend/index.js";
import { fromTypedArray, matmul, type Tensor } from "../../src/index.js";
import { at as element } from "../support/reference.js";
import { gemmTol } from "../support/tolerance.js";

const { MR, NR } = F32_GEMM;

/** Operand t of a batch: element (i, j) of matrix t. */
const at = (x: StridedBatch, t: number, i: number, j: number) =>
  x.data[x.offset + t * x.batchStride + i * x.rowStride + j * x.colStride];

interface Operand { broadcast: boolean; transposed: boolean; pad: number; offset: number }
const operandArb: fc.Arbitrary<Operand> = fc.record({
  broadcast: fc.boolean(), transposed: fc.boolean(), pad: fc.constantFrom(0, 0, 3, 40), offset: fc.integer({ min: 0, max: 4 }),
});

/** A batch of rows×cols matrices laid out per `o` (stored rows padded by o.pad; broadcast: one matrix). */
function makeBatch(batch: number, rows: number, cols: number, o: Operand, next: () => number): StridedBatch {
  const storedRows = o.transposed ? cols : rows, storedCols = (o.transposed ? rows : cols) + o.pad;
  const matrix = storedRows * storedCols;
  const data = Float32Array.from({ length: o.offset + (o.broadcast ? 1 : batch) * matrix + 1 }, () => 2 * next() - 1);
  const strides = o.transposed ? { rowStride: 1, colStride: storedCols } : { rowStride: storedCols, colStride: 1 };
  return { data, offset: o.offset, batchStride: o.broadcast ? 0 : matrix, ...strides };
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const problemArb = fc.record({
  batch: fc.integer({ min: 0, max: 7 }),
  m: fc.integer({ min: 1, max: 2 * MR + 1 }), n: fc.integer({ min: 1, max: 2 * NR + 1 }), k: fc.integer({ min: 0, max: 30 }),
  a: operandArb, b: operandArb, bias: fc.boolean(), relu: fc.boolean(), accumulate: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

describe("f32GemmBatch against a float64 triple loop", () => {
  it("holds for any batch strides (0 broadcasts), layouts, bias, relu and accumulate, and touches only C", () => {
    fc.assert(fc.property(problemArb, (p) => {
      const next = lcg(p.seed);
      const a = makeBatch(p.batch, p.m, p.k, p.a, next), b = makeBatch(p.batch, p.k, p.n, p.b, next);
      const bias = p.bias ? Float32Array.from({ length: p.n }, () => 2 * next() - 1) : null;
      const cOffset = 2, size = p.batch * p.m * p.n;
      const c = Float32Array.from({ length: cOffset + size + 3 }, () => 2 * next() - 1);
      const before = c.slice();
      kernels().f32GemmBatch(p.batch, p.m, p.n, p.k, a, b, c, cOffset, { bias, relu: p.relu, accumulate: p.accumulate });
      const terms = p.k + (bias ? 1 : 0) + (p.accumulate ? 1 : 0);
      for (let t = 0; t < p.batch; t++) {
        for (let i = 0; i < p.m; i++) {
          for (let j = 0; j < p.n; j++) {
            const idx = cOffset + (t * p.m + i) * p.n + j;
            let sum = p.accumulate ? before[idx] : 0, abs = Math.abs(sum);
            for (let q = 0; q < p.k; q++) {
              const x = at(a, t, i, q) * at(b, t, q, j);
              sum += x;
              abs += Math.abs(x);
            }
            if (bias) { sum += bias[j]; abs += Math.abs(bias[j]); }
            const want = p.relu && sum < 0 ? 0 : sum;
            const tol = gemmTol(abs, want, terms);
            if (!(Math.abs(c[idx] - want) <= tol)) throw new Error(`C${t}[${i},${j}] = ${c[idx]}, expected ${want} ± ${tol}`);
          }
        }
      }
      for (const idx of [0, 1, cOffset + size, cOffset + size + 1, cOffset + size + 2]) expect(Object.is(c[idx], before[idx])).toBe(true);
    }), { numRuns: 200 });
  });
});

/** Random float32 tensor of `shape`, its batch dims stored in the order `perm` and then viewed back. */
function permutedTensor(shape: number[], perm: number[], next: () => number): Tensor {
  const stored = perm.map((p) => shape[p]);
  const data = Float32Array.from({ length: stored.reduce((x, y) => x * y, 1) }, () => 2 * next() - 1);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return fromTypedArray(data, stored).permute(inverse);
}

const matmulCaseArb = fc.record({
  batch: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }),
  dropA: fc.integer({ min: 0, max: 3 }), dropB: fc.integer({ min: 0, max: 3 }),
  onesA: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), onesB: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  m: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 10 }), k: fc.integer({ min: 1, max: 9 }),
  permuteA: fc.boolean(), permuteB: fc.boolean(), seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
});

describe("matmul over broadcast batch dims (one strided-batch GEMM per unmergeable outer index)", () => {
  it("equals the float64 product for random batch shapes, broadcasts and permuted batch layouts", () => {
    fc.assert(fc.property(matmulCaseArb, (p) => {
      const next = lcg(p.seed);
      const batchA = p.batch.slice(Math.min(p.dropA, p.batch.length)).map((d, i) => (p.onesA[i] ? 1 : d));
      const batchB = p.batch.slice(Math.min(p.dropB, p.batch.length)).map((d, i) => (p.onesB[i] ? 1 : d));
      const shapeA = [...batchA, p.m, p.k], shapeB = [...batchB, p.k, p.n];
      // Reversing the batch dims in storage gives strides that do not merge into one batch dim.
      const order = (rank: number, permute: boolean) => {
        const batchDims = Array.from({ length: rank - 2 }, (_, i) => i);
        return [...(permute ? batchDims.reverse() : batchDims), rank - 2, rank - 1];
      };
      const a = permutedTensor(shapeA, order(shapeA.length, p.permuteA), next);
      const b = permutedTensor(shapeB, order(shapeB.length, p.permuteB), next);
      const y = matmul(a, b);
      const rank = Math.max(batchA.length, batchB.length);
      const outBatch = Array.from({ length: rank }, (_, i) => {
        const da = batchA[i - (rank - batchA.length)] ?? 1, db = batchB[i - (rank - batchB.length)] ?? 1;
        return Math.max(da, db);
      });
      expect(y.shape).toEqual([...outBatch, p.m, p.n]);
      const pick = (shape: number[], idx: number[]) => shape.slice(0, -2).map((d, i) => (d === 1 ? 0 : idx[i + idx.length - (shape.length - 2)]));
      const count = outBatch.reduce((x, z) => x * z, 1);
      for (let flat = 0; flat < count; flat++) {
        const idx = outBatch.map((_, d) => Math.floor(flat / outBatch.slice(d + 1).reduce((x, z) => x * z, 1)) % outBatch[d]);
        const ia = pick(shapeA, idx), ib = pick(shapeB, idx);
        for (let i = 0; i < p.m; i++) {
          for (let j = 0; j < p.n; j++) {
            let sum = 0, abs = 0;
            for (let q = 0; q < p.k; q++) {
              const x = element(a, [...ia, i, q]) * element(b, [...ib, q, j]);
              sum += x;
              abs += Math.abs(x);
            }
            const got = element(y, [...idx, i, j]);
            const tol = gemmTol(abs, sum, p.k);
            if (!(Math.abs(got - sum) <= tol)) throw new Error(`y[${[...idx, i, j]}] = ${got}, expected ${sum} ± ${tol}`);
          }
        }
      }
    }), { numRuns: 200 });
  });
});
