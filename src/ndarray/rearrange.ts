import { ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate } from "./dtype.js";
import { normalizeAxes } from "./shape.js";
import { copyStrided } from "./strided.js";
import { Tensor } from "./tensor.js";

/**
 * x tiled `reps[i]` times along dim i, as torch.Tensor.repeat; extra leading reps add dims.
 * Built from views: [1, s0, 1, s1, …] broadcast to [r0, s0, r1, s1, …] and copied into
 * [r0·s0, r1·s1, …], so the backward (the sum over the copies) comes from broadcastTo's.
 */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  if (!Array.isArray(reps) || reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new ValueError(`repeat: repeats must be non-negative integers, got [${String(reps)}]`);
  }
  if (reps.length < x.ndim) {
    throw new ShapeError(`repeat: ${reps.length} repeats for a tensor of ${x.ndim} dimensions (need at least as many)`);
  }
  const shape = [...new Array<number>(reps.length - x.ndim).fill(1), ...x.shape];
  const spread = x.reshape(shape.flatMap((s) => [1, s])).broadcastTo(shape.flatMap((s, i) => [reps[i], s]));
  return spread.reshape(shape.map((s, i) => s * reps[i]));
}

/**
 * x reversed along each of `dims`, as torch.flip, in fresh storage: the reversal is a
 * negative-stride view that only the copy below ever reads, so no other loop meets one.
 */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const axes = normalizeAxes(dims, x.ndim, "flip");
  const strides = x.strides.slice();
  let offset = x.offset;
  for (const a of axes) {
    if (x.shape[a] === 0) continue;
    offset += (x.shape[a] - 1) * strides[a];
    strides[a] = -strides[a];
  }
  const out = allocate(x.dtype, x.size, x.shape);
  copyStrided(x.storage, x.shape, strides, offset, out);
  return record(new Tensor(out, x.dtype, x.shape.slice()), "flip", [x], (g) => [flip(g, axes)]);
}
