// The product of Householder reflections, as torch.linalg.householder_product (LAPACK's orgqr):
// from A [..., m, n] (m ≥ n) holding the reflectors below its diagonal, as geqrf leaves them,
// and tau [..., k] (k ≤ n), the first n columns of H₀·H₁·…·H_{k−1}, H_i = I − τ_i·v_i·v_iᵀ with
// v_i = (0, …, 0, 1, A[i+1:, i]). Built from matmuls applied to the identity from the last
// reflection back, so its gradient (for A and tau) is that of the composition.
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { eye } from "./creation.js";
import { checkMatrix } from "./linalg-svd.js";
import { narrow } from "./movement.js";
import { Tensor } from "./tensor.js";
import { tril } from "./triangular.js";

/** The first n columns of the product of the k reflectors that A and tau describe. */
export function householderProduct(A: Tensor, tau: Tensor): Tensor {
  checkMatrix(A, "householderProduct");
  if (!(tau instanceof Tensor)) throw new ValueError(`householderProduct: tau must be a Tensor, got ${typeof tau}`);
  if (tau.dtype !== A.dtype) throw new DTypeError(`householderProduct: A and tau must have the same dtype, got ${A.dtype} and ${tau.dtype}`);
  const m = A.shape[A.ndim - 2], n = A.shape[A.ndim - 1], k = tau.shape[tau.ndim - 1];
  if (m < n) throw new ShapeError(`householderProduct: A must have at least as many rows as columns, got shape [${A.shape}]`);
  const batch = A.shape.slice(0, -2);
  if (tau.ndim !== A.ndim - 1 || tau.shape.slice(0, -1).some((d, i) => d !== batch[i])) {
    throw new ShapeError(`householderProduct: tau must be [..., k] with A's batch dims, got shapes [${A.shape}] and [${tau.shape}]`);
  }
  if (k > n) throw new ShapeError(`householderProduct: tau has ${k} reflectors but A only ${n} columns (shapes [${A.shape}] and [${tau.shape}])`);
  // v_i as the columns of V: A's strictly lower part with a unit diagonal
  const V = tril(narrow(A, -1, 0, k), -1).add(eye(m, k, { dtype: A.dtype }));
  let Q = eye(m, n, { dtype: A.dtype }).broadcastTo([...batch, m, n]);
  for (let i = k - 1; i >= 0; i--) {
    const v = narrow(V, -1, i, 1), t = narrow(tau, -1, i, 1).unsqueeze(-1);
    Q = Q.sub(v.mul(t).matmul(v.transpose(-1, -2).matmul(Q))); // H_i·Q = Q − τ_i·v_i·(v_iᵀ·Q)
  }
  return Q;
}
