import { erf } from "../nn/erf.js";
import type { Rng } from "../ndarray/index.js";
import type { Distribution } from "./space.js";

/**
 * The densities of the Tree-structured Parzen Estimator (Bergstra et al. 2011), one parameter
 * at a time. A numeric parameter (on the log scale for logUniform) gets a mixture of Gaussians
 * truncated to its range, one at each observation plus a wide one for the prior; a categorical
 * one gets its observed frequencies smoothed by one pseudo-count per value.
 */
export interface Parzen {
  sample(rng: Rng): unknown;
  logDensity(v: unknown): number;
}

const SQRT2 = Math.SQRT2;
const cdf = (z: number) => 0.5 * (1 + erf(z / SQRT2));

/** The range a numeric parameter lives on, in the space the Gaussians are placed in. */
function numericRange(d: Distribution): { lo: number; hi: number; to: (v: number) => number; from: (u: number) => number } {
  if (d.kind === "logUniform") return { lo: Math.log(d.low), hi: Math.log(d.high), to: Math.log, from: Math.exp };
  if (d.kind === "intUniform") {
    // Integers own the unit interval around them, so the ends are as likely as the middle.
    return { lo: d.low - 0.5, hi: d.high + 0.5, to: (v) => v, from: (u) => Math.min(d.high, Math.max(d.low, Math.round(u))) };
  }
  const { low, high } = d as { low: number; high: number };
  return { lo: low, hi: high, to: (v) => v, from: (u) => u };
}

/**
 * Bandwidths as hyperopt's adaptive Parzen estimator sets them: each kernel as wide as the
 * larger gap to its sorted neighbours (the range's ends count as neighbours), clipped between
 * range / min(100, 1 + n) and the range.
 */
function bandwidths(mus: number[], lo: number, hi: number): number[] {
  const order = mus.map((m, i) => [m, i] as const).sort((a, b) => a[0] - b[0]);
  const range = hi - lo;
  const minSigma = range / Math.min(100, 1 + mus.length);
  const sigmas = new Array<number>(mus.length);
  order.forEach(([m, i], k) => {
    const left = k > 0 ? m - order[k - 1][0] : m - lo;
    const right = k + 1 < order.length ? order[k + 1][0] - m : hi - m;
    sigmas[i] = Math.min(range, Math.max(minSigma, left, right));
  });
  return sigmas;
}

function numericParzen(d: Distribution, observed: number[]): Parzen {
  const { lo, hi, to, from } = numericRange(d);
  // The prior: one kernel at the middle as wide as the range, weighted like one observation.
  const mus = [...observed.map(to), (lo + hi) / 2];
  const sigmas = bandwidths(mus, lo, hi);
  sigmas[mus.length - 1] = hi - lo;
  const mass = mus.map((m, i) => cdf((hi - m) / sigmas[i]) - cdf((lo - m) / sigmas[i]));
  return {
    sample(rng) {
      const i = rng.int(mus.length);
      for (let tries = 0; tries < 100; tries++) {
        const u = mus[i] + sigmas[i] * rng.normal();
        if (u >= lo && u <= hi) return from(u);
      }
      return from(Math.min(hi, Math.max(lo, mus[i])));
    },
    logDensity(v) {
      const u = to(v as number);
      let p = 0;
      for (let i = 0; i < mus.length; i++) {
        const z = (u - mus[i]) / sigmas[i];
        p += Math.exp(-0.5 * z * z) / (sigmas[i] * Math.sqrt(2 * Math.PI) * mass[i]);
      }
      return Math.log(p / mus.length);
    },
  };
}

function categoricalParzen(values: readonly unknown[], observed: unknown[]): Parzen {
  const weights = values.map((v) => 1 + observed.filter((o) => Object.is(o, v)).length);
  const total = weights.reduce((a, b) => a + b, 0);
  return {
    sample(rng) {
      let u = rng.uniform() * total;
      for (let i = 0; i < values.length; i++) if ((u -= weights[i]) < 0) return values[i];
      return values[values.length - 1];
    },
    logDensity(v) {
      const i = values.findIndex((x) => Object.is(x, v));
      return Math.log((i < 0 ? 1 : weights[i]) / total);
    },
  };
}

/** The Parzen estimator of one parameter from the values observed in a group of trials. */
export function parzen(d: Distribution, observed: unknown[]): Parzen {
  return d.kind === "choice" ? categoricalParzen(d.values, observed) : numericParzen(d, observed as number[]);
}
