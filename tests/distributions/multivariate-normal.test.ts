// eg.distributions.MultivariateNormal from each of scaleTril, covarianceMatrix and precisionMatrix:
// logProb, entropy, mean, variance and the three matrices against float64 linear algebra written
// here (Cholesky, Gauss–Jordan inverse), over batch shapes, event sizes and both dtypes drawn by
// fast-check, with tolerances scaled by the condition number; gradients by central differences;
// whitened draws against the standard normal CDF; refusals.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { DTypeError, ShapeError, ValueError } from "../../src/errors.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { at, indices, sampleTensor } from "../support/reference.js";
import { dtypeArb, expectMeanWithin } from "./helpers.js";
import { ksBound, ksDistance, normalCdfRef } from "./reference.js";

const D = eg.distributions;
type Matrix = number[][];
const LOG_2PI = Math.log(2 * Math.PI);

function choleskyRef(a: Matrix): Matrix {
  const n = a.length, l: Matrix = a.map(() => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    for (let k = 0; k < j; k++) d -= l[j][k] ** 2;
    l[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = s / l[j][j];
    }
  }
  return l;
}

function inverseRef(a: Matrix): Matrix {
  const n = a.length, m = a.map((row, i) => [...row, ...row.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const pivot = m[c][c];
    for (let k = 0; k < 2 * n; k++) m[c][k] /= pivot;
    for (let r = 0; r < n; r++) if (r !== c) { const f = m[r][c]; for (let k = 0; k < 2 * n; k++) m[r][k] -= f * m[c][k]; }
  }
  return m.map((row) => row.slice(n));
}

const matmulT = (a: Matrix, b: Matrix) => a.map((row) => b.map((col) => row.reduce((s, x, k) => s + x * col[k], 0))); // a·bᵀ
const normInf = (a: Matrix) => Math.max(...a.map((row) => row.reduce((s, x) => s + Math.abs(x), 0)));
const matrixAt = (t: eg.Tensor, lead: number[], n: number): Matrix =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => at(t, [...lead, i, j])));

/** An SPD matrix W·Wᵀ + n/2·I (well conditioned) from a seed, as float64 numbers. */
function spd(n: number, seed: number): Matrix {
  const w = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.sin(seed * 7.1 + i * 3.3 + j * 1.7)));
  return matmulT(w, w).map((row, i) => row.map((x, j) => x + (i === j ? n / 2 : 0)));
}

/** A [...batch, n, n] tensor of the matrices `make(b)` for each batch index b. */
function stackMatrices(batch: number[], n: number, dtype: "float32" | "float64", make: (b: number) => Matrix): eg.Tensor {
  const count = batch.reduce((p, q) => p * q, 1), data: number[] = [];
  for (let b = 0; b < count; b++) for (const row of make(b)) data.push(...row);
  return eg.tensor(data, { dtype }).reshape([...batch, n, n]);
}

/** NumPy's broadcast of two shapes (the test's own). */
function broadcast(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => Math.max(a[i - n + a.length] ?? 1, b[i - n + b.length] ?? 1));
}

const formArb = fc.constantFrom("scaleTril", "covarianceMatrix", "precisionMatrix") as fc.Arbitrary<"scaleTril" | "covarianceMatrix" | "precisionMatrix">;

describe("MultivariateNormal", () => {
  it("logProb, entropy, moments and the three matrices match float64 linear algebra", () => {
    const problem = fc.record({ n: fc.integer({ min: 1, max: 4 }), locBatch: fc.constantFrom<number[]>([], [2], [3, 1]), matBatch: fc.constantFrom<number[]>([], [1], [2]), form: formArb, dtype: dtypeArb, seed: fc.nat() });
    fc.assert(fc.property(problem, ({ n, locBatch, matBatch, form, dtype, seed }) => {
      const matrices = Array.from({ length: matBatch.reduce((p, q) => p * q, 1) }, (_, b) => spd(n, seed + b));
      const given = stackMatrices(matBatch, n, dtype, (b) => (form === "scaleTril" ? choleskyRef(matrices[b]) : matrices[b]));
      const loc = sampleTensor([...locBatch, n], seed + 1, dtype, -2, 2);
      const d = new D.MultivariateNormal(loc, { [form]: given } as never);
      const batch = broadcast(locBatch, matBatch);
      expect(d.batchShape).toEqual(batch);
      expect(d.eventShape).toEqual([n]);
      const x = sampleTensor([...batch, n], seed + 2, dtype, -3, 3), u = dtype === "float64" ? 2 ** -53 : 2 ** -24;
      const lp = d.logProb(x), h = d.entropy(), variance = d.variance, cov = d.covarianceMatrix, prec = d.precisionMatrix, tril = d.scaleTril;
      for (const b of indices(batch)) {
        const mb = matBatch.length ? [matBatch[0] === 1 ? 0 : b[b.length - 1]] : [];
        const g = matrixAt(given, mb, n);
        // Σ from what was given, as the rounded tensor holds it.
        const sigma = form === "scaleTril" ? matmulT(g, g) : form === "covarianceMatrix" ? g : inverseRef(g);
        const inv = inverseRef(sigma), l = choleskyRef(sigma), kappa = normInf(sigma) * normInf(inv);
        const lb = locBatch.length === 0 ? [] : locBatch.map((dim, k) => (dim === 1 ? 0 : b[b.length - locBatch.length + k]));
        const diff = Array.from({ length: n }, (_, i) => at(x, [...b, i]) - at(loc, [...lb, i]));
        const maha = diff.reduce((s, di, i) => s + di * inv[i].reduce((t, v, j) => t + v * diff[j], 0), 0);
        const logDet = 2 * l.reduce((s, row, i) => s + Math.log(row[i]), 0);
        const tol = (mag: number) => 64 * n * kappa * u * mag + 1e-300;
        const within = (got: number, want: number, mag: number, what: string) =>
          expect(Math.abs(got - want), `${what} at [${b}] (${form}, n ${n}): ${got} vs ${want}`).toBeLessThanOrEqual(tol(mag));
        within(at(lp, b), -0.5 * (n * LOG_2PI + logDet + maha), n * 2 + Math.abs(logDet) + maha + diff.reduce((s, v) => s + v * v, 0), "logProb");
        within(at(h, b), 0.5 * n * (1 + LOG_2PI) + 0.5 * logDet, n * 3 + Math.abs(logDet), "entropy");
        const scale = normInf(sigma), invScale = normInf(inv);
        for (let i = 0; i < n; i++) {
          within(at(variance, [...b, i]), sigma[i][i], scale, "variance");
          for (let j = 0; j < n; j++) {
            within(at(cov, [...b, i, j]), sigma[i][j], scale, "covarianceMatrix");
            within(at(prec, [...b, i, j]), inv[i][j], invScale, "precisionMatrix");
            within(at(tril, [...b, i, j]), l[i][j], Math.sqrt(scale), "scaleTril");
          }
        }
        for (let i = 0; i < n; i++) expect(at(d.mean, [...b, i])).toBe(at(loc, [...lb, i]));
      }
    }), { numRuns: 40 });
  });

  it("gradients reach loc, the matrix given (each form) and the value", () => {
    const n = 3, loc = float64Input([2, n], 1), w = float64Input([n, n], 2, -1, 1), x = float64Input([2, n], 3);
    const sym = (m: eg.Tensor) => m.matmul(m.transpose()).add(eg.eye(n, n, { dtype: "float64" }));
    const tri = (m: eg.Tensor) => eg.tril(m).add(eg.eye(n, n, { dtype: "float64" }).mul(2));
    const forms: [string, (m: eg.Tensor) => object][] = [
      ["scaleTril", (m) => ({ scaleTril: tri(m) })], ["covarianceMatrix", (m) => ({ covarianceMatrix: sym(m) })], ["precisionMatrix", (m) => ({ precisionMatrix: sym(m) })],
    ];
    for (const [name, make] of forms) {
      const build = (l: eg.Tensor, m: eg.Tensor) => new D.MultivariateNormal(l, make(m) as never);
      assertGradByDifferences((l, m, v) => build(l, m).logProb(v), [loc, w, x], `logProb (${name})`);
      assertGradByDifferences((m) => build(loc.detach(), m).entropy(), [w], `entropy (${name})`);
      assertGradByDifferences((m) => build(loc.detach(), m).variance, [w], `variance (${name})`);
      assertGradByDifferences((l, m) => build(l, m).rsample([2], { seed: 4 }), [loc, w], `rsample (${name})`);
    }
  });

  it("whitened draws L⁻¹(x − loc) are standard normal coordinates; the means within 5σ/√n", () => {
    const N = 20000, sigma = [[2, 0.6, -0.3], [0.6, 1, 0.2], [-0.3, 0.2, 0.5]], mu = [1, -2, 0.5];
    const d = new D.MultivariateNormal(eg.tensor(mu, { dtype: "float64" }), { covarianceMatrix: eg.tensor(sigma, { dtype: "float64" }) });
    const xs = d.sample([N], { seed: 3 });
    expect(xs.shape).toEqual([N, 3]);
    expect(Array.from(d.rsample([N], { seed: 3 }).data)).toEqual(Array.from(xs.data));
    const l = choleskyRef(sigma), z: number[][] = [[], [], []];
    for (let s = 0; s < N; s++) {
      const y = [0, 1, 2].map((i) => xs.data[3 * s + i] - mu[i]), w: number[] = [];
      for (let i = 0; i < 3; i++) w.push((y[i] - w.reduce((acc, v, k) => acc + l[i][k] * v, 0)) / l[i][i]);
      w.forEach((v, i) => z[i].push(v));
    }
    z.forEach((col, i) => {
      expect(ksDistance(col, (v) => normalCdfRef(v, 0, 1)), `coordinate ${i}`).toBeLessThanOrEqual(ksBound(N));
      expectMeanWithin(Array.from({ length: N }, (_, s) => xs.data[3 * s + i]), mu[i], Math.sqrt(sigma[i][i]), `mean ${i}`);
    });
  });

  it("refuses bad parameters with typed errors naming the value", () => {
    const loc = eg.zeros([2]), eye = eg.eye(2, 2);
    expect(() => new D.MultivariateNormal(loc, { covarianceMatrix: eg.tensor([[1, 0.5], [0.2, 1]]) })).toThrow(/covarianceMatrix must be symmetric, got 0.5 at row 0, column 1/);
    expect(() => new D.MultivariateNormal(loc, { covarianceMatrix: eg.tensor([[1, 2], [2, 1]]) })).toThrow(/covarianceMatrix must be positive definite/);
    expect(() => new D.MultivariateNormal(loc, { precisionMatrix: eg.tensor([[-1, 0], [0, 1]]) })).toThrow(ValueError);
    expect(() => new D.MultivariateNormal(loc, { scaleTril: eg.tensor([[1, 0.5], [0, 1]]) })).toThrow(/scaleTril must be lower triangular with a positive diagonal, got 0.5 at row 0, column 1/);
    expect(() => new D.MultivariateNormal(loc, { scaleTril: eg.tensor([[1, 0], [3, -1]]) })).toThrow(/got -1 at row 1, column 1/);
    expect(() => new D.MultivariateNormal(loc, { scaleTril: eye, covarianceMatrix: eye } as never)).toThrow(/exactly one of covarianceMatrix, precisionMatrix and scaleTril, got covarianceMatrix and scaleTril/);
    expect(() => new D.MultivariateNormal(loc, {} as never)).toThrow(/got none/);
    expect(() => new D.MultivariateNormal(loc, { scaleTrill: eye } as never)).toThrow(/unknown option "scaleTrill"/);
    expect(() => new D.MultivariateNormal(eg.zeros([3]), { scaleTril: eye })).toThrow(ShapeError);
    expect(() => new D.MultivariateNormal(eg.tensor(1), { scaleTril: eye })).toThrow(/at least one dimension/);
    expect(() => new D.MultivariateNormal(loc, { scaleTril: eg.eye(2, 2, { dtype: "float64" }) })).toThrow(DTypeError);
    expect(() => new D.MultivariateNormal(eg.zeros([3, 2]), { scaleTril: eg.stack([eye, eye]) })).toThrow(ShapeError);
    expect(() => new D.MultivariateNormal(loc, { scaleTril: eye }).logProb(eg.zeros([3]))).toThrow(/does not broadcast/);
  });
});
