// LBFGS: the two-loop recursion against the textbook dense BFGS inverse-Hessian update, the
// line search against the strong Wolfe conditions, and convergence of both variants on a
// quadratic and on Rosenbrock's function.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fromTypedArray, optim, Rng, ShapeError, Tensor, ValueError } from "../../src/index.js";

const U64 = 2 ** -53;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
const leaf64 = (a: number[]) => { const t = fromTypedArray(Float64Array.from(a), [a.length]); t.requiresGrad = true; return t; };

/** H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, the BFGS update of the inverse Hessian (N&W 6.17). */
function bfgsInverseUpdate(H: number[][], s: Float64Array, y: Float64Array): number[][] {
  const n = s.length, rho = 1 / dot(y, s);
  const V = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) - rho * y[i] * s[j]));
  const out = Array.from({ length: n }, () => new Array(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let acc = rho * s[i] * s[j];
    for (let k = 0; k < n; k++) for (let l = 0; l < n; l++) acc += V[k][i] * H[k][l] * V[l][j];
    out[i][j] = acc;
  }
  return out;
}

describe("lbfgsDirection (two-loop recursion)", () => {
  it("equals −H·g with H from the dense BFGS updates of γI over the stored pairs", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 1e9 }), (n, pairs, seed) => {
      const rng = new Rng(seed);
      // y = A·s with A symmetric positive definite, so every pair has positive curvature.
      const B = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal()));
      const A = B.map((r, i) => r.map((_, j) => dot(B[i], B[j]) + (i === j ? n : 0)));
      const h: optim.LBFGSHistory = { dirs: [], steps: [], ro: [], hDiag: 1 };
      for (let k = 0; k < pairs; k++) {
        const s = Float64Array.from({ length: n }, () => rng.normal());
        const y = Float64Array.from(A.map((r) => dot(r, s)));
        h.dirs.push(y); h.steps.push(s); h.ro.push(1 / dot(y, s));
        h.hDiag = dot(y, s) / dot(y, y);
      }
      let H = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? h.hDiag : 0)));
      for (let k = 0; k < pairs; k++) H = bfgsInverseUpdate(H, h.steps[k], h.dirs[k]);
      const g = Float64Array.from({ length: n }, () => rng.normal());
      const d = optim.lbfgsDirection(g, h);
      for (let i = 0; i < n; i++) {
        const want = -dot(H[i], g);
        const scale = H[i].reduce((a, x, j) => a + Math.abs(x * g[j]), 0);
        const cond = Math.max(1, ...A.map((r) => r.reduce((a, x) => a + Math.abs(x), 0))) * Math.max(1, 1 / h.hDiag);
        if (!(Math.abs(d[i] - want) <= 64 * (pairs + 1) * n * U64 * scale * cond)) throw new Error(`d[${i}] = ${d[i]}, −(Hg)[${i}] = ${want}`);
      }
    }), { numRuns: 100 });
  });

  it("lbfgsRemember keeps historySize pairs, newest last, and skips pairs without positive curvature", () => {
    const h: optim.LBFGSHistory = { dirs: [], steps: [], ro: [], hDiag: 1 };
    const z = new Float64Array(2);
    for (let k = 1; k <= 4; k++) optim.lbfgsRemember(h, Float64Array.of(k, 0), z, Float64Array.of(1, 0), 1, 3);
    expect(h.dirs.map((y) => y[0])).toEqual([2, 3, 4]);
    expect(h.ro).toEqual([1 / 2, 1 / 3, 1 / 4]);
    expect(h.hDiag).toBe(1 / 4);
    optim.lbfgsRemember(h, Float64Array.of(-1, 0), z, Float64Array.of(1, 0), 1, 3);
    expect(h.dirs.length).toBe(3);
    expect(h.hDiag).toBe(1 / 4);
  });
});

describe("strong-Wolfe line search", () => {
  it("cubicInterpolate returns the minimiser of a cubic from two points and slopes", () => {
    // f(x) = x³ − 3x has its local minimum at 1.
    const f = (x: number) => x ** 3 - 3 * x, df = (x: number) => 3 * x * x - 3;
    expect(optim.cubicInterpolate(0, f(0), df(0), 2, f(2), df(2))).toBeCloseTo(1, 12);
    // Clamped to the bounds; the midpoint when the cubic has no minimiser.
    expect(optim.cubicInterpolate(0, f(0), df(0), 2, f(2), df(2), [1.5, 3])).toBe(1.5);
    expect(optim.cubicInterpolate(0, 0, 1.5, 1, 1, 1.5)).toBe(0.5);
  });

  it("returns a step satisfying the strong Wolfe conditions on 1-D problems", () => {
    fc.assert(fc.property(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 1e-3, max: 100, noNaN: true }), (a, c, t0) => {
      // φ(t) = f(x0 + t·d) with f(x) = a(x − c)² + x⁴/4, x0 = c + 3 + |c|, d = −f'(x0).
      const f = (x: number) => a * (x - c) ** 2 + x ** 4 / 4, df = (x: number) => 2 * a * (x - c) + x ** 3;
      const x0 = c + 3 + Math.abs(c), g0 = df(x0), d = Float64Array.of(-g0);
      const obj = (t: number) => ({ f: f(x0 + t * d[0]), g: Float64Array.of(df(x0 + t * d[0])) });
      const gtd0 = g0 * d[0];
      const r = optim.strongWolfe(obj, t0, d, f(x0), Float64Array.of(g0), gtd0);
      const phi = f(x0 + r.t * d[0]), dphi = df(x0 + r.t * d[0]) * d[0];
      expect(r.f).toBe(phi);
      if (!(phi <= f(x0) + 1e-4 * r.t * gtd0)) throw new Error(`no sufficient decrease at t = ${r.t}`);
      if (!(Math.abs(dphi) <= 0.9 * -gtd0)) throw new Error(`curvature condition fails at t = ${r.t}: |φ'| = ${Math.abs(dphi)} > ${-0.9 * gtd0}`);
    }), { numRuns: 200 });
  });
});

/** A closure that writes the gradient of f into p.grad and counts its calls. */
function closureFor(p: Tensor, f: (x: Float64Array) => [number, Float64Array]) {
  const c = { calls: 0, fn: () => {
    c.calls++;
    const [v, g] = f(p.data as Float64Array);
    p.grad = fromTypedArray(g, [g.length]);
    return v;
  } };
  return c;
}

const rosenbrock = (x: Float64Array): [number, Float64Array] => {
  const [a, b] = x;
  return [(1 - a) ** 2 + 100 * (b - a * a) ** 2, Float64Array.of(-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a))];
};

describe("LBFGS", () => {
  const A = [[4, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]], bVec = [1, -2, 3];
  const quadratic = (x: Float64Array): [number, Float64Array] => {
    const Ax = A.map((r) => dot(r, x));
    return [0.5 * dot(x, Ax) - dot(bVec, x), Float64Array.from(Ax, (v, i) => v - bVec[i])];
  };
  // A⁻¹b by Cramer's rule, independent of the optimizer.
  const det = (M: number[][]) => M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) - M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) + M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
  const solution = [0, 1, 2].map((j) => det(A.map((r, i) => r.map((v, k) => (k === j ? bVec[i] : v)))) / det(A));

  for (const lineSearchFn of [null, "strong_wolfe"] as const) {
    it(`converges on a quadratic (lineSearchFn ${lineSearchFn})`, () => {
      const p = leaf64([5, -5, 5]);
      // PyTorch's default tolerances stop once g·d > −1e-9, |g| ≈ 1e-5 here. With 1e-15 the
      // iterations stop near |g| ≈ √(1e-15/λ) ≈ 5e-8, so |x − x*| ≤ |g|/λmin ≈ 1e-7.
      const opt = new optim.LBFGS([p], { lineSearchFn, maxIter: 50, toleranceChange: 1e-15, toleranceGrad: 1e-10 });
      const c = closureFor(p, quadratic);
      for (let k = 0; k < 5; k++) opt.step(c.fn);
      Array.from(p.data).forEach((v, i) => expect(Math.abs(v - solution[i])).toBeLessThan(1e-7));
    });

    it(`converges on Rosenbrock's function from (−1.2, 1) (lineSearchFn ${lineSearchFn})`, () => {
      const p = leaf64([-1.2, 1]);
      const opt = new optim.LBFGS([p], { lineSearchFn, maxIter: 100, lr: lineSearchFn === null ? 0.1 : 1, toleranceChange: 1e-15, toleranceGrad: 1e-10 });
      const c = closureFor(p, rosenbrock);
      for (let k = 0; k < 20; k++) opt.step(c.fn);
      expect(Math.abs(p.data[0] - 1)).toBeLessThan(1e-5);
      expect(Math.abs(p.data[1] - 1)).toBeLessThan(1e-5);
    });
  }

  it("the first iteration is θ − lr·min(1, 1/‖g‖₁)·g; step returns the first loss; maxIter bounds the evaluations", () => {
    const p = leaf64([3, -1, 2]);
    const opt = new optim.LBFGS([p], { lr: 0.5, maxIter: 1 });
    const c = closureFor(p, quadratic);
    const [f0, g0] = quadratic(Float64Array.from(p.data));
    const l1 = g0.reduce((s, x) => s + Math.abs(x), 0);
    expect(opt.step(c.fn)).toBe(f0);
    Array.from(p.data).forEach((v, i) => expect(v).toBe([3, -1, 2][i] - 0.5 * Math.min(1, 1 / l1) * g0[i]));
    expect(c.calls).toBe(1);
    const q = leaf64([3, -1, 2]);
    const c2 = closureFor(q, quadratic);
    new optim.LBFGS([q], { maxIter: 7, toleranceGrad: 0, toleranceChange: 0 }).step(c2.fn);
    expect(c2.calls).toBe(7);
  });

  it("a frozen parameter is left alone", () => {
    const p = leaf64([-1.2, 1]), frozen = leaf64([7]);
    frozen.requiresGrad = false;
    const opt = new optim.LBFGS([p, frozen], { lineSearchFn: "strong_wolfe" });
    const c = closureFor(p, rosenbrock);
    opt.step(() => { frozen.grad = fromTypedArray(Float64Array.of(1)); return c.fn(); });
    expect(frozen.data[0]).toBe(7);
    expect(p.data[0]).not.toBe(-1.2);
  });

  it("stateDict/loadStateDict: a restored optimizer continues identically; a bad dict changes nothing", () => {
    for (const lineSearchFn of [null, "strong_wolfe"] as const) {
      const p = leaf64([-1.2, 1]);
      const opt = new optim.LBFGS([p], { lineSearchFn, maxIter: 3, lr: lineSearchFn === null ? 0.1 : 1 });
      const c = closureFor(p, rosenbrock);
      opt.step(c.fn); opt.step(c.fn);
      const q = leaf64(Array.from(p.data));
      const other = new optim.LBFGS([q], { lineSearchFn: null });
      other.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
      expect(other.paramGroups[0].lineSearchFn).toBe(lineSearchFn);
      opt.step(c.fn);
      other.step(closureFor(q, rosenbrock).fn);
      expect(Array.from(q.data)).toEqual(Array.from(p.data));
      const before = JSON.stringify(other.stateDict());
      const bad = JSON.parse(before);
      bad.state.dirs[0] = [1];
      expect(() => other.loadStateDict(bad)).toThrow(ShapeError);
      expect(() => other.loadStateDict({ ...JSON.parse(before), paramGroups: [{ params: [0], lr: -5 }] })).toThrow(/lr must be in/);
      expect(() => other.loadStateDict({} as never)).toThrow(ValueError);
      expect(JSON.stringify(other.stateDict())).toBe(before);
    }
  });

  it("bad input: typed errors, parameters unchanged", () => {
    const p = leaf64([1, 2]);
    expect(() => new optim.LBFGS([p], { lineSearchFn: "wolfe" as never })).toThrow(/lineSearchFn must be null or "strong_wolfe"/);
    expect(() => new optim.LBFGS([p], { historySize: 0 })).toThrow(ValueError);
    expect(() => new optim.LBFGS([], {})).toThrow(ValueError);
    const opt = new optim.LBFGS([p]);
    expect(() => (opt.step as (c?: unknown) => unknown)()).toThrow(/needs a closure/);
    expect(() => opt.step(() => { p.grad = fromTypedArray(Float64Array.of(1, 2, 3)); return 1; })).toThrow(ShapeError);
    expect(() => opt.step(() => "loss" as never)).toThrow(ValueError);
    expect(Array.from(p.data)).toEqual([1, 2]);
  });
});
