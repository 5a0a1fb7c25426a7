// The plane rotation that both Jacobi methods are built from: the one-sided SVD sweep
// (linalg-svd-core.ts), which rotates pairs of columns until they are orthogonal, and the
// symmetric eigen sweep (linalg-eigh.ts), which rotates A from both sides until it is diagonal.
// Each decides on its own when to rotate and when it has converged.

/**
 * tan θ of the rotation that zeroes the off-diagonal of the symmetric 2×2 [[app, apq], [apq, aqq]]
 * (apq ≠ 0): the root of t² + 2ζt − 1 = 0, ζ = (aqq − app)/(2·apq), of smaller magnitude
 * (|θ| ≤ π/4), written so that no cancellation occurs.
 */
export function jacobiTangent(app: number, aqq: number, apq: number): number {
  const zeta = (aqq - app) / (2 * apq);
  return (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
}

/**
 * Rotates `len` pairs in place: x at pStart + k·stride and y at qStart + k·stride become
 * c·x − s·y and s·x + c·y.
 */
export function rotatePairs(v: Float64Array, pStart: number, qStart: number, stride: number, len: number, c: number, s: number): void {
  for (let k = 0; k < len; k++) {
    const p = pStart + k * stride, q = qStart + k * stride;
    const x = v[p], y = v[q];
    v[p] = c * x - s * y; v[q] = s * x + c * y;
  }
}
