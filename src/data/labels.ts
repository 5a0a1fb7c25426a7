import { ValueError } from "../errors.js";
import type { Rng, Tensor } from "../ndarray/index.js";
import { toNumbers } from "./rows.js";

/**
 * Indices of each distinct label, classes in ascending label order. Labels may be any finite
 * numbers (class ids, 0/1, ±1); NaN would silently form its own class, so it is rejected.
 */
export function groupByLabel(y: Tensor | ArrayLike<number>, where: string): { labels: number[]; groups: number[][] } {
  const values = toNumbers(y);
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      // A string ("a") would otherwise read as "label at index 0 is a".
      throw new ValueError(`${where}: label at index ${i} is ${typeof v === "number" ? v : `${JSON.stringify(v) ?? String(v)} (${typeof v}); labels must be numbers`}`);
    }
    let g = byLabel.get(v);
    if (!g) byLabel.set(v, (g = []));
    g.push(i);
  }
  const labels = [...byLabel.keys()].sort((a, b) => a - b);
  return { labels, groups: labels.map((l) => byLabel.get(l)!) };
}

/**
 * Splits `total` items among groups in proportion to `sizes`, each share within one of its exact
 * quota (largest-remainder rounding), shares summing to `total`. Groups with equal remainders
 * take the spare items in a random order drawn from `rng` (as scikit-learn's stratified split
 * breaks such ties), else in index order; with a fixed order the first classes would always be
 * the ones given the extra rows.
 */
export function apportion(sizes: number[], total: number, rng?: Rng): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (n === 0 ? 0 : (total * s) / n));
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => i);
  rng?.shuffle(order);
  // A stable sort: ties keep the (shuffled) order.
  order.sort((a, b) => exact[b] - shares[b] - (exact[a] - shares[a]));
  for (const i of order) {
    if (left <= 0) break;
    if (shares[i] < sizes[i]) { shares[i]++; left--; }
  }
  return shares;
}
