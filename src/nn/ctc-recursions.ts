/**
 * The two dynamic programmes of connectionist temporal classification (Graves et al., 2006) for
 * one sample, in float64 log space. The target l of length L is extended with blanks to
 * l' = (blank, l1, blank, l2, …, lL, blank), of length S = 2L + 1; a frame-by-frame path of T
 * labels maps to l when, after merging repeats and dropping blanks, it reads l. At each frame a
 * path sits in one state s of l' and moves to s, s + 1, or s + 2 when that skips a blank between
 * two different labels (a blank between equal labels cannot be skipped: "aa" needs "a_a").
 *
 *   α_t(s) = y_t(l'_s) · (α_{t−1}(s) + α_{t−1}(s−1) + [skip] α_{t−1}(s−2))   paths to (t, s)
 *   β_t(s) = y_t(l'_s) · (β_{t+1}(s) + β_{t+1}(s+1) + [skip] β_{t+1}(s+2))   paths from (t, s)
 *   p(l) = α_{T−1}(S−1) + α_{T−1}(S−2)
 *
 * Both include y_t(l'_s), so α_t(s)·β_t(s) / y_t(l'_s) sums the paths through state s at frame t.
 * The loss is −log p(l); its derivative with respect to the log-probability x_t(c) = log y_t(c),
 * each treated as a free input, is −(1/p) Σ_{s: l'_s = c} α_t(s)·β_t(s) / y_t(c): minus the
 * posterior probability that frame t emits c. Every sum is a logsumexp, so long inputs whose
 * path probabilities underflow in linear space still give finite losses.
 */

/** log(e^a + e^b + e^c) without overflow; −∞ when all three are −∞. */
function logSum3(a: number, b: number, c: number): number {
  const m = Math.max(a, b, c);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m) + Math.exp(c - m));
}

/** One sample: log-probabilities x[t·C + c] for its first T frames, its labels and the blank. */
export interface CtcSample {
  readonly x: Float64Array;
  readonly frames: number;
  readonly classes: number;
  readonly labels: Int32Array;
  readonly blank: number;
}

/** Label of state s of the extended target: blanks at even states, the target between them. */
const stateLabel = (p: CtcSample, s: number): number => (s & 1 ? p.labels[s >> 1] : p.blank);

/** Whether a path may reach state s from s − 2 (skipping the blank between two different labels). */
const canSkipTo = (p: CtcSample, s: number): boolean => s >= 2 && (s & 1) === 1 && p.labels[s >> 1] !== p.labels[(s >> 1) - 1];

/** log α as a [T, S] table and the negative log-likelihood (+∞ when no path reads the target). */
export function ctcForward(p: CtcSample): { logAlpha: Float64Array; nll: number } {
  const T = p.frames, C = p.classes, L = p.labels.length, S = 2 * L + 1;
  const logAlpha = new Float64Array(T * S).fill(-Infinity);
  // An empty input reads only the empty target.
  if (T === 0) return { logAlpha, nll: L === 0 ? 0 : Infinity };
  logAlpha[0] = p.x[p.blank];
  if (L > 0) logAlpha[1] = p.x[p.labels[0]];
  for (let t = 1; t < T; t++) {
    const prev = (t - 1) * S, row = t * S;
    for (let s = 0; s < S; s++) {
      const stay = logAlpha[prev + s];
      const advance = s > 0 ? logAlpha[prev + s - 1] : -Infinity;
      const skip = canSkipTo(p, s) ? logAlpha[prev + s - 2] : -Infinity;
      const reach = logSum3(stay, advance, skip);
      // −∞ stays −∞ (no path reaches this state yet) whatever this frame's score.
      logAlpha[row + s] = reach === -Infinity ? -Infinity : reach + p.x[t * C + stateLabel(p, s)];
    }
  }
  const last = (T - 1) * S;
  const logLikelihood = L === 0 ? logAlpha[last] : logSum3(logAlpha[last + S - 1], logAlpha[last + S - 2], -Infinity);
  return { logAlpha, nll: -logLikelihood };
}

/**
 * d(−log p)/dx_t(c) for t < T, as a [T, C] table: −exp(log Σ_{s: l'_s = c} α_t(s)β_t(s) − x_t(c) + nll).
 * β is kept one frame at a time, since each frame's derivative needs only that frame's α and β.
 * Requires a finite nll (the caller decides what an impossible target's gradient is).
 */
export function ctcLogProbGrad(p: CtcSample, logAlpha: Float64Array, nll: number): Float64Array {
  const T = p.frames, C = p.classes, L = p.labels.length, S = 2 * L + 1;
  const grad = new Float64Array(T * C);
  let next = new Float64Array(S), beta = new Float64Array(S);
  const perClass = new Float64Array(C);
  for (let t = T - 1; t >= 0; t--) {
    for (let s = 0; s < S; s++) {
      let reach: number;
      if (t === T - 1) reach = s >= S - 2 ? 0 : -Infinity;
      else {
        const skip = s + 2 < S && canSkipTo(p, s + 2) ? next[s + 2] : -Infinity;
        reach = logSum3(next[s], s + 1 < S ? next[s + 1] : -Infinity, skip);
      }
      beta[s] = reach === -Infinity ? -Infinity : reach + p.x[t * C + stateLabel(p, s)];
    }
    perClass.fill(-Infinity);
    for (let s = 0; s < S; s++) {
      const c = stateLabel(p, s);
      perClass[c] = logSum3(perClass[c], logAlpha[t * S + s] + beta[s], -Infinity);
    }
    for (let c = 0; c < C; c++) {
      // A class no path emits at frame t has derivative 0 (also where x_t(c) = −∞).
      grad[t * C + c] = perClass[c] === -Infinity ? 0 : -Math.exp(perClass[c] - p.x[t * C + c] + nll);
    }
    [next, beta] = [beta, next];
  }
  return grad;
}
