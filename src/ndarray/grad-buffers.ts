// Weight-gradient storage reused from one training step to the next. fit() sets every gradient
// to null before each backward (zeroGrad), so each step's weight gradients were fresh arrays —
// 0.94 MB a batch for the 784-256-128-10 MLP — and V8 answers that much garbage with a full
// collection every couple of dozen batches, whose background threads then compete with the
// thread pool's workers for the cores. fit hands each weight's last gradient storage back
// before zeroGrad; the layer's backward writes the next gradient into it (the same GEMM, so the
// same bits). Only fit does this: a gradient a program keeps from a fit step is overwritten by
// the next one (copy it in a callback to keep it), as PyTorch overwrites .grad in place when
// gradients are zeroed rather than set to None.
import type { Tensor } from "./tensor.js";

/** Storages a layer wrote a weight gradient into (weakly held: this keeps nothing alive). */
const written = new WeakSet<object>();
/** Parameter → its last gradient's storage, handed back by fit for the next backward. */
const handedBack = new WeakMap<Tensor, Float32Array>();

/** Marks `grad`, a weight's fresh gradient, as one fit may hand back: its whole storage, float32. */
export function markWeightGrad(grad: Tensor): Tensor {
  if (grad.storage instanceof Float32Array && grad.offset === 0 && grad.storage.length === grad.size && grad.isContiguous) {
    written.add(grad.storage);
  }
  return grad;
}

/** fit, before zeroGrad: each parameter's gradient storage back for reuse, if a layer wrote it whole. */
export function handBackWeightGrads(params: Iterable<Tensor>): void {
  for (const p of params) {
    const g = p.grad;
    if (g && written.has(g.storage) && g.storage.length === p.size) handedBack.set(p, g.storage as Float32Array);
  }
}

/**
 * The storage fit handed back for `param`'s gradient, taken (once), or null. Never the storage
 * .grad still holds: an optimizer whose zeroGrad keeps .grad (zeroed in place) gets fresh arrays,
 * since the backward then adds into .grad.
 */
export function takeWeightGradBuffer(param: Tensor): Float32Array | null {
  const buffer = handedBack.get(param);
  if (buffer === undefined) return null;
  handedBack.delete(param);
  return param.grad?.storage === buffer || buffer.length !== param.size ? null : buffer;
}

/**
 * fit with its weights in kernel memory (src/nn/fit-resident.ts): `buffer` is the storage the
 * next backward writes `param`'s weight gradient into, as if fit had handed it back.
 */
export function offerWeightGradBuffer(param: Tensor, buffer: Float32Array): void {
  handedBack.set(param, buffer);
}
