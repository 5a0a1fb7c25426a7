// Selection of the k smallest magnitudes in O(n): quickselect with a three-way partition (pruned
// weights are exact zeros, so later rounds of gradual pruning see huge runs of equal values,
// which a two-way partition handles in O(n²)). Ties are broken by index, so a mask is a pure
// function of the values: the same weights give the same mask in every runtime.

/** The value of rank `r` (0-based) in ascending order; reorders `a`. a has no NaN; 0 ≤ r < a.length. */
export function selectRank(a: Float32Array | Float64Array, r: number): number {
  let lo = 0, hi = a.length - 1;
  let seed = 0x9e3779b9 ^ a.length;
  while (lo < hi) {
    // Median of three pseudo-random positions (deterministic): no sorted-input worst case.
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    const span = hi - lo + 1;
    const x = a[lo + ((seed >>> 0) % span)], y = a[lo + ((seed >>> 11) % span)], z = a[lo + ((seed >>> 21) % span)];
    const p = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    // Dutch flag: [lo, lt) < p, [lt, i) == p, (gt, hi] > p.
    let lt = lo, i = lo, gt = hi;
    while (i <= gt) {
      const v = a[i];
      if (v < p) { a[i] = a[lt]; a[lt] = v; lt++; i++; }
      else if (v > p) { a[i] = a[gt]; a[gt] = v; gt--; }
      else i++;
    }
    if (r < lt) hi = lt - 1;
    else if (r > gt) lo = gt + 1;
    else return p;
  }
  return a[r];
}

/**
 * A keep-mask (1 keep, 0 pruned) with exactly `k` zeros: the k smallest `scores`, equal scores
 * pruned in index order (lowest index first). O(n) expected.
 */
export function smallestMask(scores: Float32Array | Float64Array, k: number): Uint8Array {
  const n = scores.length;
  const mask = new Uint8Array(n).fill(1);
  if (k <= 0) return mask;
  if (k >= n) return mask.fill(0);
  const t = selectRank(scores.slice(), k - 1);
  let below = 0;
  for (let i = 0; i < n; i++) if (scores[i] < t) below++;
  let ties = k - below;   // how many of the values equal to t are pruned too
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (s < t) mask[i] = 0;
    else if (s === t && ties > 0) { mask[i] = 0; ties--; }
  }
  return mask;
}
