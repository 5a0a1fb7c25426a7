// Float64 references for RAdam, Rprop, ASGD, Lion and LAMB, written from the papers' and
// PyTorch's documented updates (not from src/optim). Each takes one tensor's state as float64
// arrays and returns the new state and, per element, a bound on the float32 error of a correct
// implementation (beyond the half ulp of rounding the result, which the caller adds).

export type State = Record<string, Float64Array>;
export interface Result { out: State; tol: State }

const U32 = 2 ** -24, U64 = 2 ** -53;
const abs = Math.abs;
const zeros = (n: number) => new Float64Array(n);

/** RAdam, PyTorch's radam with the rectification of Liu et al. 2020 (Algorithm 2). */
export function radamRef(s: State, t: number, o: any): Result {
  const { p, g, m, v } = s;
  const n = p.length;
  const [b1, b2] = o.betas;
  const out = { p: zeros(n), m: zeros(n), v: zeros(n) }, tol = { p: zeros(n), m: zeros(n), v: zeros(n) };
  const rhoInf = 2 / (1 - b2) - 1;
  const rhoT = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
  for (let i = 0; i < n; i++) {
    const decayed = o.decoupledWeightDecay ? p[i] * (1 - o.lr * o.weightDecay) : p[i];
    const d = o.decoupledWeightDecay ? g[i] : g[i] + o.weightDecay * p[i];
    out.m[i] = b1 * m[i] + (1 - b1) * d;
    out.v[i] = b2 * v[i] + (1 - b2) * d * d;
    const mHat = out.m[i] / (1 - b1 ** t);
    let upd: number;
    if (rhoT > 5) {
      const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
      const adaptiveLr = Math.sqrt(1 - b2 ** t) / (Math.sqrt(out.v[i]) + o.eps);
      upd = o.lr * mHat * r * adaptiveLr;
    } else upd = o.lr * mHat;
    out.p[i] = decayed - upd;
    tol.p[i] = 64 * U64 * (abs(p[i]) + abs(upd));
    tol.m[i] = 64 * U64 * (abs(b1 * m[i]) + abs(d));
    tol.v[i] = 64 * U64 * (abs(b2 * v[i]) + d * d);
  }
  return { out, tol };
}

/** Rprop as PyTorch documents it (sign of g·g_prev; step sizes clamped; g zeroed on a flip). */
export function rpropRef(s: State, _t: number, o: any): Result {
  const { p, g, prev, stepSize } = s;
  const n = p.length;
  const out = { p: zeros(n), prev: zeros(n), stepSize: zeros(n) }, tol = { p: zeros(n), prev: zeros(n), stepSize: zeros(n) };
  for (let i = 0; i < n; i++) {
    const sgn = Math.sign(g[i] * prev[i]);
    const eta = sgn > 0 ? o.etas[1] : sgn < 0 ? o.etas[0] : 1;
    const size = Math.min(Math.max(stepSize[i] * eta, o.stepSizes[0]), o.stepSizes[1]);
    const gUsed = sgn < 0 ? 0 : g[i];
    out.stepSize[i] = size;
    out.prev[i] = gUsed;
    // The parameter moves by the step size as stored (rounded to float32).
    out.p[i] = p[i] - Math.sign(gUsed) * size;
    tol.p[i] = U32 * size * 1.01;
  }
  return { out, tol };
}

/** ASGD, PyTorch's documented update; eta and mu are those of the step before. */
export function asgdRef(s: State, t: number, o: any, eta: number, mu: number): Result & { eta: number; mu: number } {
  const { p, g } = s;
  const n = p.length;
  const out = { p: zeros(n) }, tol = { p: zeros(n) };
  for (let i = 0; i < n; i++) {
    const d = g[i] + o.weightDecay * p[i];
    const decayed = p[i] * (1 - o.lambd * eta);
    out.p[i] = decayed - eta * d;
    // The decayed θ is stored (rounded) before the gradient step.
    tol.p[i] = U32 * abs(decayed) + 64 * U64 * (abs(decayed) + abs(eta * d));
  }
  return { out, tol, eta: o.lr / (1 + o.lambd * o.lr * t) ** o.alpha, mu: 1 / Math.max(1, t - o.t0) };
}

/** Lion, Chen et al. 2023 Algorithm 2. */
export function lionRef(s: State, _t: number, o: any): Result {
  const { p, g, m } = s;
  const n = p.length;
  const [b1, b2] = o.betas;
  const out = { p: zeros(n), m: zeros(n) }, tol = { p: zeros(n), m: zeros(n) };
  for (let i = 0; i < n; i++) {
    const c = b1 * m[i] + (1 - b1) * g[i];
    out.p[i] = p[i] - o.lr * (Math.sign(c) + o.weightDecay * p[i]);
    out.m[i] = b2 * m[i] + (1 - b2) * g[i];
    tol.p[i] = 64 * U64 * (abs(p[i]) + o.lr * (1 + abs(o.weightDecay * p[i])));
    tol.m[i] = 64 * U64 * (abs(b2 * m[i]) + abs(g[i]));
  }
  return { out, tol };
}

/** LAMB, You et al. Algorithm 2 with bias correction, φ = identity, ratio 1 if a norm is 0. */
export function lambRef(s: State, t: number, o: any): Result & { trust: number } {
  const { p, g, m, v } = s;
  const n = p.length;
  const [b1, b2] = o.betas;
  const out = { p: zeros(n), m: zeros(n), v: zeros(n) }, tol = { p: zeros(n), m: zeros(n), v: zeros(n) };
  const r = zeros(n), rMag = zeros(n);
  for (let i = 0; i < n; i++) {
    out.m[i] = b1 * m[i] + (1 - b1) * g[i];
    out.v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    const mHat = out.m[i] / (1 - b1 ** t), vHat = out.v[i] / (1 - b2 ** t);
    const adam = mHat / (Math.sqrt(vHat) + o.eps);
    r[i] = adam + o.weightDecay * p[i];
    rMag[i] = abs(adam) + abs(o.weightDecay * p[i]);
    tol.m[i] = 64 * U64 * (abs(b1 * m[i]) + abs(g[i]));
    tol.v[i] = 64 * U64 * (abs(b2 * v[i]) + g[i] * g[i]);
  }
  const pNorm = Math.sqrt(p.reduce((a, x) => a + x * x, 0));
  const rNorm = Math.sqrt(r.reduce((a, x) => a + x * x, 0));
  const rMagNorm = Math.sqrt(rMag.reduce((a, x) => a + x * x, 0));
  const trust = pNorm > 0 && rNorm > 0 ? pNorm / rNorm : 1;
  for (let i = 0; i < n; i++) {
    out.p[i] = p[i] - o.lr * trust * r[i];
    // The implementation takes the update from m and v as stored in float32: a few units of
    // float32 rounding in each term of r, and in the trust ratio through ‖r‖.
    const trustRel = rNorm > 0 ? rMagNorm / rNorm : 0;
    tol.p[i] = 16 * U32 * o.lr * trust * (rMag[i] + abs(r[i]) * trustRel) + 64 * U64 * abs(p[i]);
  }
  return { out, tol, trust };
}
