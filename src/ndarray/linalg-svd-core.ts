// The singular value decomposition of one m×n matrix in float64, for linalg-svd.ts: one-sided
// (Hestenes) Jacobi, which rotates pairs of columns until all are orthogonal; the column norms
// are then the singular values, to a few ulps of each one relative to itself (not merely to
// ‖A‖, as bidiagonalization gives), which matters for ranks and pseudo-inverses. A wide matrix
// is decomposed through its transpose so the rotated columns are always the shorter side.
//
// Singular vectors are defined only up to sign (and, for repeated or zero singular values, up
// to a basis of their space). Each left vector is normalized so that its entry of largest
// magnitude (the first such, on a tie) is positive, the matching right vector following it;
// vectors that complete a basis (zero singular values, fullMatrices) are normalized the same way.

import { jacobiTangent, rotatePairs } from "./linalg-jacobi.js";

const EPS = 2 ** -52;

/** U (m×uCols, row-major), S (k, descending) and Vh (vRows×n, row-major) of one matrix. */
export interface SvdParts { u: Float64Array; s: Float64Array; vh: Float64Array }

/**
 * Jacobi on the c columns (each r long, r ≥ c) in cols; rotations are accumulated in the c×c
 * v (column j at v[j·c…]). Stops when every pair is orthogonal to working precision.
 */
function orthogonalizeColumns(cols: Float64Array, r: number, c: number, v: Float64Array): void {
  for (let j = 0; j < c; j++) v[j * c + j] = 1;
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false;
    for (let p = 0; p < c - 1; p++) {
      for (let q = p + 1; q < c; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < r; i++) {
          const x = cols[p * r + i], y = cols[q * r + i];
          alpha += x * x; beta += y * y; gamma += x * y;
        }
        // NaN compares false, so a NaN column ends the loop instead of spinning
        if (!(Math.abs(gamma) > EPS * Math.sqrt(alpha * beta))) continue;
        rotated = true;
        // the rotation that diagonalizes the Gram matrix of columns p and q
        const t = jacobiTangent(alpha, beta, gamma);
        const cs = 1 / Math.sqrt(1 + t * t), sn = cs * t;
        rotatePairs(cols, p * r, q * r, 1, r, cs, sn);
        rotatePairs(v, p * c, q * c, 1, c, cs, sn);
      }
    }
    if (!rotated) break;
  }
}

/**
 * Fills the vectors (each `len` long, vector j at vecs[j·len…]) whose `valid` flag is false with
 * unit vectors orthogonal to all others: the standard basis vector with the largest remainder
 * after two passes of Gram–Schmidt (twice is enough for orthogonality to working precision).
 */
function completeBasis(vecs: Float64Array, len: number, count: number, valid: boolean[]): void {
  const cand = new Float64Array(len), best = new Float64Array(len);
  for (let j = 0; j < count; j++) {
    if (valid[j]) continue;
    let bestNorm = -1;
    for (let e = 0; e < len; e++) {
      cand.fill(0); cand[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let o = 0; o < count; o++) {
          if (!valid[o]) continue;
          let d = 0;
          for (let i = 0; i < len; i++) d += vecs[o * len + i] * cand[i];
          for (let i = 0; i < len; i++) cand[i] -= d * vecs[o * len + i];
        }
      }
      let nrm = 0;
      for (let i = 0; i < len; i++) nrm += cand[i] * cand[i];
      if (nrm > bestNorm) { bestNorm = nrm; best.set(cand); }
    }
    const scale = 1 / Math.sqrt(bestNorm);
    for (let i = 0; i < len; i++) vecs[j * len + i] = best[i] * scale;
    valid[j] = true;
  }
}

/** −1 if the entry of largest magnitude of vector j (len long) is negative, else 1. */
function signOf(vecs: Float64Array, j: number, len: number): number {
  let big = 0;
  for (let i = 1; i < len; i++) if (Math.abs(vecs[j * len + i]) > Math.abs(vecs[j * len + big])) big = i;
  return vecs[j * len + big] < 0 ? -1 : 1;
}

/**
 * The SVD of a tall r×c matrix (r ≥ c) given by its columns: left vectors (uCount of them, each r
 * long, as columns), singular values (c) and right vectors (c of them, each c long).
 */
function tallSvd(cols: Float64Array, r: number, c: number, uCount: number): { left: Float64Array; s: Float64Array; right: Float64Array } {
  const v = new Float64Array(c * c);
  orthogonalizeColumns(cols, r, c, v);
  const norms = Array.from({ length: c }, (_, j) => {
    let s = 0;
    for (let i = 0; i < r; i++) s += cols[j * r + i] * cols[j * r + i];
    return Math.sqrt(s);
  });
  const order = norms.map((_, j) => j).sort((i, j) => norms[j] - norms[i] || i - j);
  const smax = c > 0 ? norms[order[0]] : 0;
  const left = new Float64Array(uCount * r), right = new Float64Array(c * c), s = new Float64Array(c);
  const valid: boolean[] = new Array<boolean>(uCount).fill(false);
  order.forEach((src, j) => {
    s[j] = norms[src];
    right.set(v.subarray(src * c, (src + 1) * c), j * c);
    // A column that is rounding noise has no direction of its own: it is replaced by a completion.
    if (!(norms[src] > r * EPS * smax) || norms[src] === 0) return;
    for (let i = 0; i < r; i++) left[j * r + i] = cols[src * r + i] / norms[src];
    valid[j] = true;
  });
  completeBasis(left, r, uCount, valid);
  for (let j = 0; j < uCount; j++) {
    const sign = signOf(left, j, r);
    if (sign > 0) continue;
    for (let i = 0; i < r; i++) left[j * r + i] = -left[j * r + i];
    if (j < c) for (let i = 0; i < c; i++) right[j * c + i] = -right[j * c + i];
  }
  return { left, s, right };
}

/**
 * U, S, Vh of the m×n matrix at a[off…] (row-major): U m×m and Vh n×n with `full`, else U m×k
 * and Vh k×n, k = min(m, n).
 */
export function svdOne(a: Float64Array, off: number, m: number, n: number, full: boolean): SvdParts {
  const k = Math.min(m, n), uCols = full ? m : k, vRows = full ? n : k;
  const u = new Float64Array(m * uCols), vh = new Float64Array(vRows * n);
  if (m >= n) {
    const cols = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) cols[j * m + i] = a[off + i * n + j];
    const { left, s, right } = tallSvd(cols, m, n, uCols);
    for (let j = 0; j < uCols; j++) for (let i = 0; i < m; i++) u[i * uCols + j] = left[j * m + i];
    vh.set(right); // right vector j is row j of Vh
    return { u, s, vh };
  }
  // A = (Aᵀ)ᵀ = (L·S·Rᵀ)ᵀ = R·S·Lᵀ: the right vectors of Aᵀ are A's left ones, and conversely.
  const cols = new Float64Array(m * n);
  cols.set(a.subarray(off, off + m * n)); // the rows of A are the columns of Aᵀ
  const { left, s, right } = tallSvd(cols, n, m, vRows);
  // the signs were fixed on Aᵀ's left vectors; fix them on A's instead, as the header says
  for (let j = 0; j < m; j++) {
    const sign = signOf(right, j, m);
    for (let i = 0; i < m; i++) u[i * uCols + j] = sign * right[j * m + i];
    for (let i = 0; i < n; i++) vh[j * n + i] = sign * left[j * n + i];
  }
  vh.set(left.subarray(m * n), m * n);
  return { u, s, vh };
}
