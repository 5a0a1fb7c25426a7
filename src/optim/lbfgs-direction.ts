/** The curvature pairs L-BFGS keeps: y_k = g_{k+1} − g_k ("dirs"), s_k = t·d_k ("steps"), ρ_k = 1/(y_k·s_k). */
export interface LBFGSHistory {
  dirs: Float64Array[];
  steps: Float64Array[];
  ro: number[];
  /** γ = (s·y)/(y·y) of the newest pair: the initial inverse Hessian is γ·I. */
  hDiag: number;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * Adds the pair from the last step (s = t·d, y = g − gPrev) when it has positive curvature
 * y·s > 1e-10 (otherwise BFGS's update would lose positive definiteness), dropping the oldest
 * pair beyond historySize.
 */
export function lbfgsRemember(h: LBFGSHistory, g: Float64Array, gPrev: Float64Array, d: Float64Array, t: number, historySize: number): void {
  const y = g.map((x, i) => x - gPrev[i]);
  const s = d.map((x) => x * t);
  const ys = dot(y, s);
  if (!(ys > 1e-10)) return;
  if (h.dirs.length === historySize) {
    h.dirs.shift();
    h.steps.shift();
    h.ro.shift();
  }
  h.dirs.push(y);
  h.steps.push(s);
  h.ro.push(1 / ys);
  h.hDiag = ys / dot(y, y);
}

/**
 * The two-loop recursion (Nocedal & Wright, Algorithm 7.4): the descent direction −H·g, with H
 * the L-BFGS inverse-Hessian approximation built from the stored pairs on γ·I.
 */
export function lbfgsDirection(g: Float64Array, h: LBFGSHistory): Float64Array {
  const k = h.dirs.length;
  const al = new Float64Array(k);
  const q = g.map((x) => -x);
  for (let i = k - 1; i >= 0; i--) {
    al[i] = dot(h.steps[i], q) * h.ro[i];
    const y = h.dirs[i];
    for (let j = 0; j < q.length; j++) q[j] -= al[i] * y[j];
  }
  const r = q.map((x) => x * h.hDiag);
  for (let i = 0; i < k; i++) {
    const be = dot(h.dirs[i], r) * h.ro[i];
    const s = h.steps[i];
    for (let j = 0; j < r.length; j++) r[j] += (al[i] - be) * s[j];
  }
  return r;
}
