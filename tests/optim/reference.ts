// Independent float64 implementations of the published update rules, one element at a time,
// written in the papers' notation (bias-corrected m̂, v̂ …) rather than the fused forms of
// src/optim. Each returns the new values and, for the tolerance, the magnitude of the terms
// that were added to form each output (float64 rounding is relative to those).

export type Elem = Record<string, number>;
export type Rule = (s: Elem, t: number, o: any) => { out: Elem; mag: Elem };

const abs = Math.abs;

export const sgdRef: Rule = ({ p, g, buf }, t, o): { out: Elem; mag: Elem } => {
  const d = g + o.weightDecay * p;
  if (o.momentum === 0) return { out: { p: p - o.lr * d }, mag: { p: abs(p) + abs(o.lr * d) } };
  const b = t === 1 ? d : o.momentum * buf + (1 - o.dampening) * d;
  const dir = o.nesterov ? d + o.momentum * b : b;
  return { out: { p: p - o.lr * dir, buf: b }, mag: { p: abs(p) + abs(o.lr) * (abs(d) + abs(o.momentum * b)), buf: abs(o.momentum * buf) + abs(d) } };
};

export const adamRef: Rule = ({ p, g, m, v, vMax }, t, o) => {
  const [b1, b2] = o.betas;
  const p0 = o.decoupled ? p - o.lr * o.weightDecay * p : p;
  const d = o.decoupled ? g : g + o.weightDecay * p;
  const m1 = b1 * m + (1 - b1) * d;
  const v1 = b2 * v + (1 - b2) * d * d;
  const vUse = o.amsgrad ? Math.max(vMax, v1) : v1;
  const mHat = m1 / (1 - b1 ** t);
  const vHat = vUse / (1 - b2 ** t);
  // Adam's ε sits outside the root, on the bias-corrected v (PyTorch: √v/√(1−β2^t) + ε).
  const upd = (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
  const out: Elem = { p: p0 - upd, m: m1, v: v1 };
  // Magnitudes of the terms each output is summed from, so that a rounding error relative to them
  // is allowed even where they cancel: the gradient's (g + λθ may cancel), m's (an error in m
  // reaches θ scaled by step/denominator), and d² through d's own error (2|d|·δd).
  const dTerms = o.decoupled ? abs(g) : abs(g) + abs(o.weightDecay * p);
  const mTerms = abs(b1 * m) + abs(1 - b1) * dTerms;
  const updTerms = (o.lr * mTerms / (1 - b1 ** t)) / (Math.sqrt(vHat) + o.eps);
  const magV = abs(b2 * v) + abs(d) * dTerms;
  // v's error reaches θ through the denominator: relative δv/(2v) on √v̂, scaled by √v̂/(√v̂ + ε);
  // large where d cancels (β2 = 0 and g + λθ ≈ 0 make v = d² with d's error relative to |d|).
  const denomTerms = o.amsgrad && vUse !== v1 ? 0 : v1 > 0 ? abs(upd) * (magV / (2 * v1)) * (Math.sqrt(vHat) / (Math.sqrt(vHat) + o.eps)) : 0;
  const mag: Elem = { p: abs(p) + abs(o.lr * o.weightDecay * p) + abs(upd) + updTerms + denomTerms, m: mTerms + abs(d), v: magV };
  if (o.amsgrad) { out.vMax = vUse; mag.vMax = vUse; }
  return { out, mag };
};

export const adamaxRef: Rule = ({ p, g, m, u }, t, o) => {
  const [b1, b2] = o.betas;
  const d = g + o.weightDecay * p;
  const m1 = b1 * m + (1 - b1) * d;
  const u1 = Math.max(b2 * u, abs(d) + o.eps);
  const upd = (o.lr / (1 - b1 ** t)) * (m1 / u1);
  return { out: { p: p - upd, m: m1, u: u1 }, mag: { p: abs(p) + abs(upd), m: abs(b1 * m) + abs(d), u: u1 } };
};

export const nadamRef = (muProduct: number): Rule => ({ p, g, m, v }, t, o) => {
  const [b1, b2] = o.betas;
  const mu = (k: number) => b1 * (1 - 0.5 * 0.96 ** (k * o.momentumDecay));
  const d = g + o.weightDecay * p;
  const m1 = b1 * m + (1 - b1) * d;
  const v1 = b2 * v + (1 - b2) * d * d;
  const prodT = muProduct * mu(t);
  const vHat = v1 / (1 - b2 ** t);
  const denom = Math.sqrt(vHat) + o.eps;
  const u1 = (o.lr * (1 - mu(t)) / (1 - prodT)) * (d / denom);
  const u2 = (o.lr * mu(t + 1) / (1 - prodT * mu(t + 1))) * (m1 / denom);
  return { out: { p: p - u1 - u2, m: m1, v: v1 }, mag: { p: abs(p) + abs(u1) + abs(u2), m: abs(b1 * m) + abs(d), v: abs(b2 * v) + d * d } };
};

export const rmspropRef: Rule = ({ p, g, sq, gAvg, momentum }, _t, o) => {
  const d = g + o.weightDecay * p;
  const s1 = o.alpha * sq + (1 - o.alpha) * d * d;
  const out: Elem = { sq: s1 };
  const mag: Elem = { sq: abs(o.alpha * sq) + d * d };
  let variance = s1;
  if (o.centered) {
    const a1 = o.alpha * gAvg + (1 - o.alpha) * d;
    out.gAvg = a1;
    mag.gAvg = abs(o.alpha * gAvg) + abs(d);
    variance = s1 - a1 * a1;
  }
  const step = d / (Math.sqrt(variance) + o.eps);
  if (o.momentum > 0) {
    const b = o.momentum * momentum + step;
    out.momentum = b;
    mag.momentum = abs(o.momentum * momentum) + abs(step);
    out.p = p - o.lr * b;
    mag.p = abs(p) + abs(o.lr) * (abs(o.momentum * momentum) + abs(step));
  } else {
    out.p = p - o.lr * step;
    mag.p = abs(p) + abs(o.lr * step);
  }
  return { out, mag };
};

export const adagradRef: Rule = ({ p, g, sum }, t, o) => {
  const d = g + o.weightDecay * p;
  const s1 = sum + d * d;
  const eta = o.lr / (1 + (t - 1) * o.lrDecay);
  const upd = (eta * d) / (Math.sqrt(s1) + o.eps);
  return { out: { p: p - upd, sum: s1 }, mag: { p: abs(p) + abs(upd), sum: s1 } };
};

export const adadeltaRef: Rule = ({ p, g, sq, accDelta }, _t, o) => {
  const d = g + o.weightDecay * p;
  const eg2 = o.rho * sq + (1 - o.rho) * d * d;
  const rms = (x: number) => Math.sqrt(x + o.eps);
  const delta = (rms(accDelta) / rms(eg2)) * d;
  const ed2 = o.rho * accDelta + (1 - o.rho) * delta * delta;
  return { out: { p: p - o.lr * delta, sq: eg2, accDelta: ed2 }, mag: { p: abs(p) + abs(o.lr * delta), sq: abs(o.rho * sq) + d * d, accDelta: abs(o.rho * accDelta) + delta * delta } };
};
