// eg.nn.utils: torch.nn.utils' helpers with PyTorch 1.13's semantics — padSequence
// (nn.utils.rnn.pad_sequence), parametersToVector / vectorToParameters, and the gradient clipping
// that edgegrad keeps in eg.optim, re-exported under the names PyTorch users look for here;
// weightNorm and spectralNorm (weight-norm.ts, spectral-norm.ts).
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { concat, Tensor } from "../ndarray/index.js";
import { tensorList } from "./pad-sequence.js";

export { clipGradNorm, clipGradValue } from "../optim/clip.js";
export { padSequence, type PadSequenceOptions } from "./pad-sequence.js";

/** The parameters flattened and concatenated into one vector (a recorded op: gradients flow back). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const fn = "parametersToVector";
  const ps = tensorList(fn, "parameters", parameters);
  if (ps.length === 0) throw new ValueError(`${fn}: parameters is empty`);
  ps.forEach((p, i) => {
    if (p.dtype !== ps[0].dtype) throw new DTypeError(`${fn}: parameters[${i}] is ${p.dtype}, parameters[0] ${ps[0].dtype}`);
  });
  return concat(ps.map((p) => p.reshape([p.size])), 0);
}

/**
 * Copies consecutive slices of vec [Σ sizes] into the parameters, in place (their storage, so
 * optimizers and modules holding them see the new values); not recorded, as PyTorch's `.data`
 * assignment. Every check runs before the first write.
 */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  const fn = "vectorToParameters";
  if (!(vec instanceof Tensor)) throw new ValueError(`${fn}: vec must be a Tensor, got ${Object.prototype.toString.call(vec)}`);
  if (vec.ndim !== 1) throw new ShapeError(`${fn}: vec must be 1-d, got shape [${vec.shape}]`);
  const ps = tensorList(fn, "parameters", parameters);
  const total = ps.reduce((n, p) => n + p.size, 0);
  if (vec.size !== total) throw new ShapeError(`${fn}: vec has ${vec.size} elements, the parameters ${total}`);
  ps.forEach((p, i) => {
    if (p.dtype !== vec.dtype) throw new DTypeError(`${fn}: parameters[${i}] is ${p.dtype}, vec ${vec.dtype}`);
    if (!p.isContiguous) throw new ValueError(`${fn}: parameters[${i}] (shape [${p.shape}]) is not contiguous`);
  });
  const v = vec.data;
  let at = 0;
  for (const p of ps) {
    p.storage.set(v.subarray(at, at + p.size), p.offset);
    at += p.size;
  }
}
export { weightNorm, removeWeightNorm } from "./weight-norm.js";
export type { WeightNormOptions } from "./weight-norm.js";
export { spectralNorm, removeSpectralNorm } from "./spectral-norm.js";
export type { SpectralNormOptions } from "./spectral-norm.js";
export * as rnn from "./rnn-utils.js";
