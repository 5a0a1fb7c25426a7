import type { Rng } from "../ndarray/random.js";

/**
 * Exact sampling of a unimodal distribution on {0, …, upper} by inversion (Poisson, Binomial):
 * the weights are known relative to the mode (w(mode) = 1, ratios of neighbours from the
 * probability function's recurrence), summed once per parameter until they fall below 2⁻⁶⁰ of
 * the total, and each draw walks from the mode to where the running sum passes u·total, so a draw
 * takes O(standard deviation) steps and no weight needs a factorial or the normalizing constant.
 */
export interface ModeWalk {
  mode: number;
  /** The largest value (Infinity for Poisson). */
  upper: number;
  /** w(k + 1)/w(k). */
  up: (k: number) => number;
  /** w(k − 1)/w(k). */
  down: (k: number) => number;
}

export interface InversionTable {
  walk: ModeWalk;
  /** Σ w(k) for k ≤ mode. */
  below: number;
  /** Σ w(k) over the support. */
  total: number;
}

const NEGLIGIBLE = 2 ** -60;

export function inversionTable(walk: ModeWalk): InversionTable {
  let below = 1, w = 1;
  for (let k = walk.mode; k > 0 && w > 0; k--) {
    w *= walk.down(k);
    below += w;
    if (w < NEGLIGIBLE * below) break;
  }
  let above = 0;
  w = 1;
  for (let k = walk.mode; k < walk.upper && w > 0; k++) {
    w *= walk.up(k);
    above += w;
    if (w < NEGLIGIBLE * (below + above)) break;
  }
  return { walk, below, total: below + above };
}

/** The value whose cumulative weight first exceeds u·total, for u uniform on [0, 1). */
export function invert(table: InversionTable, u: number): number {
  const { walk, below } = table, target = u * table.total;
  let k = walk.mode, w = 1, cum = below;
  if (target < below) {
    // cum is Σ w(j), j ≤ k: step down while the target lies below w(k)'s share.
    while (k > 0 && target < cum - w) {
      cum -= w;
      w *= walk.down(k);
      k--;
    }
    return k;
  }
  while (k < walk.upper) {
    w *= walk.up(k);
    // Past the last representable weight (a tail below 2⁻¹⁰⁷⁴ of the mode's): the last value with weight.
    if (w === 0) return k;
    k++;
    cum += w;
    if (target < cum) break;
  }
  return k;
}

/**
 * Draws for every element of a batch, `draws` times over: out[d·rows + r] from tables[r], in the
 * order PyTorch lays out sampleShape + batchShape.
 */
export function drawAll(tables: readonly InversionTable[], draws: number, rng: Rng, out: Float32Array | Float64Array): void {
  const rows = tables.length;
  for (let d = 0; d < draws; d++) for (let r = 0; r < rows; r++) out[d * rows + r] = invert(tables[r], rng.uniform());
}
