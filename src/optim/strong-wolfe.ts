// The strong-Wolfe line search LBFGS uses (Nocedal & Wright, Algorithms 3.5 and 3.6), with the
// bracketing, safeguarded cubic interpolation and "insufficient progress" rule of PyTorch's
// port of minFunc, so that LBFGS takes the same steps.

/** f and its gradient at the point x + t·d of the line being searched. */
export type LineObjective = (t: number) => { f: number; g: Float64Array };

export interface StrongWolfeOptions {
  /** Sufficient decrease: f(t) ≤ f(0) + c1·t·f'(0). */
  c1: number;
  /** Curvature: |f'(t)| ≤ −c2·f'(0). */
  c2: number;
  toleranceChange: number;
  maxLs: number;
}
export const STRONG_WOLFE_DEFAULTS: StrongWolfeOptions = { c1: 1e-4, c2: 0.9, toleranceChange: 1e-9, maxLs: 25 };

/**
 * The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clamped to
 * `bounds` (default [min(x1, x2), max(x1, x2)]); the bounds' midpoint when the cubic has none.
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number,
                                 bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

interface Point { t: number; f: number; g: Float64Array; gtd: number }
export interface LineSearchResult { f: number; g: Float64Array; t: number; evals: number }

/**
 * Searches along d from the point where f = f0, gradient g0 and slope gtd0 = g0·d < 0, starting
 * at step t, for a step satisfying the strong Wolfe conditions.
 */
export function strongWolfe(obj: LineObjective, t: number, d: Float64Array, f0: number, g0: Float64Array, gtd0: number,
                            o: StrongWolfeOptions = STRONG_WOLFE_DEFAULTS): LineSearchResult {
  let dNorm = 0;
  for (let i = 0; i < d.length; i++) dNorm = Math.max(dNorm, Math.abs(d[i]));
  const at = (s: number): Point => { const r = obj(s); return { t: s, f: r.f, g: r.g, gtd: dot(r.g, d) }; };
  const sufficient = (p: Point) => p.f <= f0 + o.c1 * p.t * gtd0;
  const curvature = (p: Point) => Math.abs(p.gtd) <= -o.c2 * gtd0;
  let prev: Point = { t: 0, f: f0, g: g0, gtd: gtd0 };
  let cur = at(t);
  let evals = 1, iter = 0;
  let bracket: Point[] | null = null;
  // Bracketing phase: grow the step until an interval is known to contain an acceptable one.
  while (iter < o.maxLs) {
    if (!sufficient(cur) || (iter > 1 && cur.f >= prev.f)) { bracket = [prev, cur]; break; }
    if (curvature(cur)) return { f: cur.f, g: cur.g, t: cur.t, evals };
    if (cur.gtd >= 0) { bracket = [prev, cur]; break; }
    const next = cubicInterpolate(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, [cur.t + 0.01 * (cur.t - prev.t), cur.t * 10]);
    prev = cur;
    cur = at(next);
    evals++;
    iter++;
  }
  if (bracket === null) {
    const start = { t: 0, f: f0, g: g0, gtd: gtd0 };
    bracket = [start, cur];
    const low = start.f <= cur.f ? start : cur;
    return { f: low.f, g: low.g, t: low.t, evals };
  }
  return zoom(bracket, at, { evals, iter, dNorm, sufficient, curvature, gtd0 }, o);
}

interface ZoomContext {
  evals: number; iter: number; dNorm: number; gtd0: number;
  sufficient: (p: Point) => boolean; curvature: (p: Point) => boolean;
}

/** Zoom phase: shrink the bracket [b0, b1] by safeguarded cubic interpolation. */
function zoom(b: Point[], at: (t: number) => Point, c: ZoomContext, o: StrongWolfeOptions): LineSearchResult {
  let { evals, iter } = c;
  let insufficientProgress = false;
  let [lowPos, highPos] = b[0].f <= b[1].f ? [0, 1] : [1, 0];
  while (iter < o.maxLs) {
    if (Math.abs(b[1].t - b[0].t) * c.dNorm < o.toleranceChange) break;
    let t = cubicInterpolate(b[0].t, b[0].f, b[0].gtd, b[1].t, b[1].f, b[1].gtd);
    const hi = Math.max(b[0].t, b[1].t), lo = Math.min(b[0].t, b[1].t);
    // A step too close to either end makes little progress: move it 10% of the bracket inside,
    // and do so at once the second time in a row (or when it lands on an end).
    const margin = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < margin) {
      if (insufficientProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - margin : lo + margin;
        insufficientProgress = false;
      } else insufficientProgress = true;
    } else insufficientProgress = false;
    const p = at(t);
    evals++;
    iter++;
    if (!c.sufficient(p) || p.f >= b[lowPos].f) {
      b[highPos] = p;
      [lowPos, highPos] = b[0].f <= b[1].f ? [0, 1] : [1, 0];
    } else {
      if (c.curvature(p)) { b[lowPos] = p; break; }
      if (p.gtd * (b[highPos].t - b[lowPos].t) >= 0) b[highPos] = b[lowPos];
      b[lowPos] = p;
    }
  }
  const low = b[lowPos];
  return { f: low.f, g: low.g, t: low.t, evals };
}
