// layerNorm on float32 tensors: the fused kernel (assembly/f32-layernorm.ts) on the SIMD
// projects, the op's float64 loops on js, both through nn.functional.layerNorm and its backward.
// Against float64 references written here: two-pass statistics, and the gradients from the
// explicit Jacobian ∂x̂_j/∂x_i = rstd·(δij − 1/n − x̂i·x̂j/n) (itself checked against central
// differences), for row lengths that straddle the 4-lane vectors, rows whose mean is far from
// their spread, with and without weight and bias. Both paths compute in float64 and round once:
// each element within one float32 rounding plus the float64 sums' error, 4·(n + rows)·2⁻⁵³ of
// the magnitudes summed.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromTypedArray, nn, type Tensor } from "../../src/index.js";
import { ETA32, U32 } from "../support/tolerance.js";

const F = nn.functional;
const U64 = 2 ** -53;

const caseArb = fc.record({
  rows: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 13 }),
  weight: fc.boolean(), bias: fc.boolean(), shift: fc.constantFrom(0, 3, -200, 1e4), eps: fc.constantFrom(1e-5, 1e-2),
  seed: fc.nat(10_000),
});

/** Deterministic values in [−1, 1) from a seed (an LCG: independent of the library's generator). */
function values(count: number, seed: number, shift = 0): Float32Array {
  const out = new Float32Array(count);
  let s = (seed * 2654435761) >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = shift + (s / 2 ** 31 - 1);
  }
  return out;
}

interface RowRef { xh: number[]; r: number }
function rowRef(x: ArrayLike<number>, base: number, n: number, eps: number): RowRef {
  let m = 0;
  for (let j = 0; j < n; j++) m += x[base + j];
  m /= n;
  let v = 0;
  for (let j = 0; j < n; j++) v += (x[base + j] - m) ** 2;
  const r = 1 / Math.sqrt(v / n + eps);
  return { xh: Array.from({ length: n }, (_, j) => (x[base + j] - m) * r), r };
}

function within(got: number, want: number, mag: number, terms: number, what: string): void {
  const tol = U32 * Math.abs(want) + 4 * terms * U64 * mag + ETA32;
  if (!(Math.abs(got - want) <= tol)) expect.fail(`${what}: ${got}, expected ${want} (tolerance ${tol})`);
}

function run(c: { rows: number; n: number; weight: boolean; bias: boolean; shift: number; eps: number; seed: number }) {
  const { rows, n } = c;
  const x = fromTypedArray(values(rows * n, c.seed, c.shift), [rows, n]);
  const w = c.weight ? fromTypedArray(values(n, c.seed + 1, 0.5), [n]) : null;
  const b = c.bias ? fromTypedArray(values(n, c.seed + 2), [n]) : null;
  const g = values(rows * n, c.seed + 3);
  for (const t of [x, w, b]) if (t) t.requiresGrad = true;
  const y = F.layerNorm(x, n, { weight: w, bias: b, eps: c.eps });
  y.mul(fromTypedArray(g, [rows, n])).sum().backward();
  return { x, w, b, g, y };
}

describe("layerNorm on float32 (fused kernel on wasm, float64 loops on js)", () => {
  it("forward, dx, dweight and dbias against float64 references", () => {
    fc.assert(fc.property(caseArb, (c) => {
      const { rows, n, eps } = c;
      const { x, w, b, g, y } = run(c);
      const xd = x.data, wd = w ? w.data : null, bd = b ? b.data : null;
      const dw = new Array<number>(n).fill(0), dwMag = new Array<number>(n).fill(0);
      const db = new Array<number>(n).fill(0), dbMag = new Array<number>(n).fill(0);
      for (let r = 0; r < rows; r++) {
        const { xh, r: k } = rowRef(xd, r * n, n, eps);
        const ww = (j: number) => (wd ? wd[j] : 1);
        for (let j = 0; j < n; j++) {
          const t = xh[j] * ww(j), want = t + (bd ? bd[j] : 0);
          within(y.data[r * n + j], want, (Math.abs(t) + Math.abs(bd ? bd[j] : 0)) * (1 + Math.abs(c.shift) * k), n, `y[${r}, ${j}]`);
          dw[j] += g[r * n + j] * xh[j]; dwMag[j] += Math.abs(g[r * n + j] * xh[j]);
          db[j] += g[r * n + j]; dbMag[j] += Math.abs(g[r * n + j]);
        }
        for (let i = 0; i < n; i++) {
          let s = 0, mag = 0;
          for (let j = 0; j < n; j++) {
            const term = g[r * n + j] * ww(j) * k * ((i === j ? 1 : 0) - 1 / n - (xh[i] * xh[j]) / n);
            s += term; mag += Math.abs(term);
          }
          within(x.grad!.data[r * n + i], s, mag * (1 + Math.abs(c.shift) * k), n, `dx[${r}, ${i}]`);
        }
      }
      for (let j = 0; j < n; j++) {
        if (w) within(w.grad!.data[j], dw[j], dwMag[j] * (1 + Math.abs(c.shift) / Math.sqrt(eps)), rows * n, `dweight[${j}]`);
        if (b) within(b.grad!.data[j], db[j], dbMag[j], rows * n, `dbias[${j}]`);
      }
      expect(y.dtype).toBe("float32");
    }), { numRuns: 150 });
  });

  it("the Jacobian reference is the derivative of the float64 forward (central differences)", () => {
    const n = 6, x = Array.from(values(n, 11, 2)), g = Array.from(values(n, 12)), eps = 1e-5;
    const loss = (v: number[]) => rowRef(v, 0, n, eps).xh.reduce((a, t, j) => a + t * g[j], 0);
    const { xh, r } = rowRef(x, 0, n, eps);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += g[j] * r * ((i === j ? 1 : 0) - 1 / n - (xh[i] * xh[j]) / n);
      const h = 1e-6, up = x.slice(), down = x.slice();
      up[i] += h; down[i] -= h;
      expect(Math.abs((loss(up) - loss(down)) / (2 * h) - s)).toBeLessThan(1e-7);
    }
  });

  it("a row of equal values normalizes to the bias (x − mean = 0), with a finite gradient", () => {
    const { y, x } = run({ rows: 2, n: 7, weight: true, bias: true, shift: 0, eps: 1e-5, seed: 3 });
    const flat = fromTypedArray(new Float32Array(2 * 7).fill(4.25), [2, 7]);
    const b = fromTypedArray(values(7, 5), [7]);
    const yf: Tensor = F.layerNorm(flat, 7, { bias: b });
    for (let i = 0; i < 14; i++) expect(yf.data[i]).toBe(b.data[i % 7]);
    expect(Array.from(x.grad!.data).every(Number.isFinite) && Array.from(y.data).every(Number.isFinite)).toBe(true);
  });
});
