// Inverses and linear systems, as torch.inverse (torch.linalg.inv), torch.linalg.solve and
// torch.linalg.matrix_power: A is [..., n, n], float32 or float64, factored by LU with partial
// pivoting in float64 (linalg-common.ts), the result rounded once to the input's dtype. A
// singular matrix (an exactly zero pivot) is refused with a ValueError naming its batch element,
// as PyTorch raises; a nearly singular one gives large values, as in PyTorch.
//
// Gradients (PyTorch's): inverse: −A⁻ᵀ·G·A⁻ᵀ; solve (X = A⁻¹B): G_B = A⁻ᵀ·G, G_A = −G_B·Xᵀ,
// each summed over the batch dims it was broadcast along; matrixPower is made of matmul and
// inverse, so its gradient is theirs.
import { ShapeError, DTypeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { type Batch, batchElement, fromF64, gradValues, identity, luInPlace, luSolveInPlace, squareBatch } from "./linalg-common.js";
import { matmul } from "./matmul.js";
import { broadcastShapes } from "./shape.js";
import { Tensor } from "./tensor.js";

/** LU factors of every matrix of the batch; a singular one throws, naming it. */
function factorOrThrow(b: Batch, where: string): { lu: Float64Array; perms: Int32Array } {
  const { n, count } = b;
  const lu = Float64Array.from(b.data), perms = new Int32Array(count * n);
  for (let m = 0; m < count; m++) {
    const { zeroAt } = luInPlace(lu, m * n * n, n, perms.subarray(m * n, (m + 1) * n));
    if (zeroAt >= 0) {
      throw new ValueError(`${where}: the matrix${batchElement(m, b.batch)} is singular: pivot ${zeroAt + 1} of ${n} of its LU factorization is zero`);
    }
  }
  return { lu, perms };
}

/** C = α·A·B for an r×s matrix A and an s×t matrix B (with A or B read transposed), added into c[coff…]. */
function gemm(a: Float64Array, aoff: number, at: boolean, b: Float64Array, boff: number, bt: boolean,
              c: Float64Array, coff: number, r: number, s: number, t: number, alpha: number): void {
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < t; j++) {
      let sum = 0;
      for (let p = 0; p < s; p++) sum += a[aoff + (at ? p * r + i : i * s + p)] * b[boff + (bt ? j * s + p : p * t + j)];
      c[coff + i * t + j] += alpha * sum;
    }
  }
}

/** A⁻¹ for each matrix of A [..., n, n], as torch.inverse / torch.linalg.inv. */
export function inverse(A: Tensor): Tensor {
  const b = squareBatch(A, "inverse");
  const { n, count } = b;
  const { lu, perms } = factorOrThrow(b, "inverse");
  const x = new Float64Array(count * n * n);
  for (let m = 0; m < count; m++) {
    x.set(identity(n), m * n * n);
    luSolveInPlace(lu, m * n * n, n, perms.subarray(m * n, (m + 1) * n), x, m * n * n, n);
  }
  return record(fromF64(x, A.dtype, A.shape), "inverse", [A], (g) => {
    const gv = gradValues(g), out = new Float64Array(count * n * n), tmp = new Float64Array(n * n);
    for (let m = 0, o = 0; m < count; m++, o += n * n) {
      tmp.fill(0);
      gemm(x, o, true, gv, o, false, tmp, 0, n, n, n, 1); // X⁻ᵀ… Xᵀ·G
      gemm(tmp, 0, false, x, o, true, out, o, n, n, n, -1); // −Xᵀ·G·Xᵀ
    }
    return [fromF64(out, A.dtype, A.shape)];
  });
}

/** Row-major offsets, in a batch of shape `from`, of each index of the broadcast batch `to`. */
function broadcastIndex(from: readonly number[], to: readonly number[]): Int32Array {
  const total = to.reduce((p, d) => p * d, 1), out = new Int32Array(total);
  const lead = to.length - from.length;
  for (let t = 0; t < total; t++) {
    let r = t, idx = 0, stride = 1;
    for (let i = to.length - 1; i >= 0; i--) {
      const coord = r % to[i]; r = Math.floor(r / to[i]);
      const j = i - lead;
      if (j >= 0) { if (from[j] !== 1) idx += coord * stride; stride *= from[j]; }
    }
    out[t] = idx;
  }
  return out;
}

/**
 * X with A·X = B for each matrix of A [..., n, n], as torch.linalg.solve: B is [..., n, k], or a
 * vector right side [..., n] when it is 1-D or has A's shape without its last dim (PyTorch 1.13's
 * rule); the batch dims of A and B broadcast.
 */
export function solve(A: Tensor, B: Tensor): Tensor {
  const b = squareBatch(A, "solve");
  if (!(B instanceof Tensor)) throw new ValueError(`solve: B must be a Tensor, got ${typeof B}`);
  if (B.dtype !== A.dtype) throw new DTypeError(`solve: A and B must have the same dtype, got ${A.dtype} and ${B.dtype}`);
  const n = b.n;
  const vector = B.ndim === 1 || (B.ndim === A.ndim - 1 && B.shape.every((d, i) => d === A.shape[i]));
  if (!vector && B.ndim < 2) throw new ShapeError(`solve: B must be [..., n] or [..., n, k], got shape [${B.shape}]`);
  const bRows = vector ? B.shape[B.ndim - 1] : B.shape[B.ndim - 2];
  if (bRows !== n) {
    throw new ShapeError(`solve: A of shape [${A.shape}] and B of shape [${B.shape}] do not fit: B must have ${n} rows` +
      (vector ? "" : ` ([..., ${n}, k])`));
  }
  const k = vector ? 1 : B.shape[B.ndim - 1];
  const bBatch = vector ? B.shape.slice(0, -1) : B.shape.slice(0, -2);
  const batch = broadcastShapes(b.batch, bBatch, "solve");
  const { lu, perms } = factorOrThrow(b, "solve");
  const total = batch.reduce((p, d) => p * d, 1);
  const fromA = broadcastIndex(b.batch, batch), fromB = broadcastIndex(bBatch, batch);
  const bv = Float64Array.from(B.data as ArrayLike<number>), x = new Float64Array(total * n * k);
  for (let t = 0; t < total; t++) {
    x.set(bv.subarray(fromB[t] * n * k, (fromB[t] + 1) * n * k), t * n * k);
    luSolveInPlace(lu, fromA[t] * n * n, n, perms.subarray(fromA[t] * n, (fromA[t] + 1) * n), x, t * n * k, k);
  }
  const shape = vector ? [...batch, n] : [...batch, n, k];
  return record(fromF64(x, A.dtype, shape), "solve", [A, B], (g) => {
    const gB = gradValues(g); // becomes A⁻ᵀ·G in place
    for (let t = 0; t < total; t++) luSolveInPlace(lu, fromA[t] * n * n, n, perms.subarray(fromA[t] * n, (fromA[t] + 1) * n), gB, t * n * k, k, true);
    let gA: Tensor | null = null, gBsum: Tensor | null = null;
    if (A.requiresGrad) {
      const out = new Float64Array(b.count * n * n);
      for (let t = 0; t < total; t++) gemm(gB, t * n * k, false, x, t * n * k, true, out, fromA[t] * n * n, n, k, n, -1);
      gA = fromF64(out, A.dtype, A.shape);
    }
    if (B.requiresGrad) {
      const out = new Float64Array(B.size);
      for (let t = 0; t < total; t++) for (let e = 0; e < n * k; e++) out[fromB[t] * n * k + e] += gB[t * n * k + e];
      gBsum = fromF64(out, B.dtype, B.shape);
    }
    return [gA, gBsum];
  });
}

/**
 * A to the integer power k for each matrix of A, as torch.linalg.matrix_power: the identity for
 * k = 0, repeated squaring for k > 0, and inverse(A) to the power −k for k < 0.
 */
export function matrixPower(A: Tensor, k: number): Tensor {
  const b = squareBatch(A, "matrixPower");
  if (typeof k !== "number" || !Number.isSafeInteger(k)) throw new ValueError(`matrixPower: k must be an integer, got ${String(k)}`);
  if (k === 0) {
    const eye = new Float64Array(b.count * b.n * b.n);
    for (let m = 0; m < b.count; m++) eye.set(identity(b.n), m * b.n * b.n);
    // PyTorch's copy of the identity into A's clone: a zero gradient.
    return record(fromF64(eye, A.dtype, A.shape), "matrixPower", [A], () => [fromF64(new Float64Array(A.size), A.dtype, A.shape)]);
  }
  let base = k < 0 ? inverse(A) : A;
  let e = Math.abs(k), result: Tensor | null = null;
  for (;;) {
    if (e % 2 === 1) result = result === null ? base : matmul(result, base);
    e = Math.floor(e / 2);
    if (e === 0) break;
    base = matmul(base, base);
  }
  // A itself for k = 1: a copy, as PyTorch's clone.
  return result !== A ? result! : record(new Tensor(A.data.slice(), A.dtype, A.shape.slice()), "matrixPower", [A], (g) => [g]);
}
