import { record } from "../ndarray/autograd.js";
import type { Rng } from "../ndarray/random.js";
import { Tensor } from "../ndarray/tensor.js";
import { incompleteGamma } from "./incomplete-gamma.js";
import { finfo } from "./params.js";

/**
 * One Gamma(α, 1) draw by Marsaglia and Tsang's squeeze-and-reject method (2000), exact in
 * distribution; for α < 1 a Gamma(α + 1) draw times U^(1/α) (their boost), taken in logs so
 * that a small α underflows to 0 only where the draw itself is below the float64 range.
 */
export function standardGammaDraw(alpha: number, rng: Rng): number {
  if (alpha < 1) {
    const boosted = standardGammaDraw(alpha + 1, rng);
    return Math.exp(Math.log(boosted) + Math.log(rng.uniform()) / alpha);
  }
  const d = alpha - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform(), x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Gamma(α, 1) draws, one per element of `alpha` (already of the sample's full shape), floored at
 * the dtype's smallest normal number as PyTorch's Gamma.rsample clamps them. Differentiable in α
 * by implicit reparameterization: a draw z is F⁻¹(u; α) for the uniform u it stands for, so
 * dz/dα = −(∂F/∂α)(z; α)/f(z; α), with ∂F/∂α from incomplete-gamma.ts (Figurnov et al. 2018).
 */
export function standardGammaSample(alpha: Tensor, rng: Rng): Tensor {
  const a = alpha.contiguous().data, n = a.length, tiny = finfo(alpha.dtype).tiny;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = Math.max(standardGammaDraw(a[i], rng), tiny);
  const out = new Tensor(alpha.dtype === "float32" ? Float32Array.from(z) : z, alpha.dtype, alpha.shape.slice());
  return record(out, "standardGamma", [alpha], (g) => {
    // From the float64 draws, before any rounding to float32.
    const dz = new Float64Array(n);
    for (let i = 0; i < n; i++) dz[i] = incompleteGamma(a[i], z[i]).dxda;
    return [g.mul(new Tensor(alpha.dtype === "float32" ? Float32Array.from(dz) : dz, alpha.dtype, alpha.shape.slice()))];
  });
}
