// The expected mutual information of two clusterings under the permutation (hypergeometric)
// model, as scikit-learn 1.2's expected_mutual_information (Vinh, Epps & Bailey 2010): what
// adjustedMutualInfoScore subtracts so that chance agreement scores 0.

/** ln(m!) for every m in 0..N: exact factorials below 23, Stirling's series above (error < 1 ulp). */
function logFactorials(N: number): Float64Array {
  const out = new Float64Array(N + 1);
  let f = 1;
  for (let m = 1; m <= Math.min(N, 22); m++) out[m] = Math.log((f *= m));
  const halfLog2Pi = 0.5 * Math.log(2 * Math.PI);
  for (let m = 23; m <= N; m++) {
    const r = 1 / m, r2 = r * r;
    // 1/(12m) − 1/(360m³) + 1/(1260m⁵) − 1/(1680m⁷): the next term is below 1e-15 · ln(m!) from m = 23.
    const series = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 / 1680)));
    out[m] = (m + 0.5) * Math.log(m) - m + halfLog2Pi + series;
  }
  return out;
}

/**
 * E[MI] for clusterings of N samples whose classes have sizes a (rows of the contingency table)
 * and clusters sizes b (columns): Σᵢⱼ Σₙ (n/N)·log(N·n/(aᵢbⱼ))·P(n), P hypergeometric, summed in
 * scikit-learn's order with its log-space terms. 0 when either side is a single cluster.
 */
export function expectedMutualInformation(a: ArrayLike<number>, b: ArrayLike<number>, N: number): number {
  const R = a.length, C = b.length;
  if (R === 1 || C === 1) return 0;
  const lf = logFactorials(N);
  let top = 0;
  for (let i = 0; i < R; i++) top = Math.max(top, a[i]);
  for (let j = 0; j < C; j++) top = Math.max(top, b[j]);
  const logN = Math.log(N);
  const logNnij = new Float64Array(top + 1);
  for (let v = 1; v <= top; v++) logNnij[v] = logN + Math.log(v);
  let emi = 0;
  for (let i = 0; i < R; i++) {
    const ai = a[i];
    const logA = Math.log(ai);
    for (let j = 0; j < C; j++) {
      const bj = b[j];
      const logB = Math.log(bj);
      const fixed = lf[ai] + lf[bj] + lf[N - ai] + lf[N - bj];
      for (let nij = Math.max(1, ai - N + bj); nij <= Math.min(ai, bj); nij++) {
        const term2 = logNnij[nij] - logA - logB;
        const gln = fixed - lf[N] - lf[nij] - lf[ai - nij] - lf[bj - nij] - lf[N - ai - bj + nij];
        emi += (nij / N) * term2 * Math.exp(gln);
      }
    }
  }
  return emi;
}
