import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";

/** Scales g in place (writing back if the grad was a view). */
function scaleGrad(p: Tensor, f: (d: Float32Array | Float64Array) => void): void {
  const g = p.grad!;
  const d = g.data as Float32Array | Float64Array;
  f(d);
  if (d !== g.storage) p.grad = new Tensor(d, g.dtype, g.shape.slice());
}

/** The parameters to clip: one tensor or any iterable of them (PyTorch takes either). */
function paramList(who: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  if (params instanceof Tensor) return [params];
  if (params === null || typeof (params as Iterable<Tensor>)?.[Symbol.iterator] !== "function") {
    throw new ValueError(`${who}: params must be a tensor or an iterable of tensors, got ${params === null ? "null" : typeof params}`);
  }
  const list = [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ValueError(`${who}: params[${i}] is not a tensor`);
  });
  return list;
}

/**
 * Rescales all gradients together so their joint p-norm is at most maxNorm (PyTorch's
 * clip_grad_norm_: coefficient maxNorm/(norm + 1e-6), applied only when below 1). Returns the
 * norm before clipping. normType may be Infinity. A NaN gradient makes the norm and every
 * gradient NaN, as in PyTorch.
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw new ValueError(`clipGradNorm: maxNorm must be ≥ 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new ValueError(`clipGradNorm: normType must be > 0, got ${normType}`);
  const ps = paramList("clipGradNorm", params).filter((p) => p.grad);
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
  // A NaN norm (a NaN gradient) scales every gradient by NaN, as PyTorch's clamp(coef, max=1) does,
  // so that the failure shows in every parameter rather than in some.
  if (!(coef >= 1)) for (const p of ps) scaleGrad(p, (d) => { for (let i = 0; i < d.length; i++) d[i] *= coef; });
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue] in place. */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue >= 0)) throw new ValueError(`clipGradValue: clipValue must be ≥ 0, got ${clipValue}`);
  for (const p of paramList("clipGradValue", params)) {
    if (!p.grad) continue;
    scaleGrad(p, (d) => {
      for (let i = 0; i < d.length; i++) d[i] = d[i] > clipValue ? clipValue : d[i] < -clipValue ? -clipValue : d[i];
    });
  }
}
