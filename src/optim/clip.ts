import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/** Scales g in place (writing back if the grad was a view). */
function scaleGrad(p: Tensor, f: (d: Float32Array | Float64Array) => void): void {
  const g = p.grad!;
  const d = g.data as Float32Array | Float64Array;
  f(d);
  if (d !== g.storage) p.grad = new Tensor(d, g.dtype, g.shape.slice());
}

/**
 * Rescales all gradients together so their joint p-norm is at most maxNorm (PyTorch's
 * clip_grad_norm_: coefficient maxNorm/(norm + 1e-6), applied only when below 1). Returns the
 * norm before clipping. normType may be Infinity.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw new ValueError(`clipGradNorm: maxNorm must be ≥ 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new ValueError(`clipGradNorm: normType must be > 0, got ${normType}`);
  const ps = [...params].filter((p) => p.grad);
  let total = 0;
  for (const p of ps) {
    const d = p.grad!.data;
    if (normType === Infinity) for (let i = 0; i < d.length; i++) total = Math.max(total, Math.abs(d[i]));
    // The usual 2-norm by multiplication, at a fraction of pow's cost (and the same sum for float32
    // gradients, whose squares are exact in float64).
    else if (normType === 2) for (let i = 0; i < d.length; i++) total += d[i] * d[i];
    else for (let i = 0; i < d.length; i++) total += Math.pow(Math.abs(d[i]), normType);
  }
  if (normType !== Infinity) total = Math.pow(total, 1 / normType);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) for (const p of ps) scaleGrad(p, (d) => { for (let i = 0; i < d.length; i++) d[i] *= coef; });
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue] in place. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError(`clipGradValue: clipValue must be ≥ 0, got ${clipValue}`);
  for (const p of params) {
    if (!p.grad) continue;
    scaleGrad(p, (d) => {
      for (let i = 0; i < d.length; i++) d[i] = d[i] > clipValue ? clipValue : d[i] < -clipValue ? -clipValue : d[i];
    });
  }
}
