import { ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate } from "./dtype.js";
import { contiguousStrides, normalizeAxes, normalizeAxis } from "./shape.js";
import { copyStrided, forEachRow } from "./strided.js";
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

const integerList = (v: number | readonly number[]): v is number | number[] =>
  typeof v === "number" ? Number.isInteger(v) : Array.isArray(v) && v.every((s) => Number.isInteger(s));

/**
 * x with its entries shifted `shifts` places along `dims`, those that fall off one end coming
 * back at the other, as torch.roll: out[(i + s) mod n] = x[i]. Shifts may be negative or larger
 * than the dim; a dim listed twice is rolled by the sum of its shifts. Without `dims`, the
 * flattened tensor is rolled (one shift) and the shape restored. The backward rolls back.
 */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`roll: input must be a Tensor, got ${typeof x}`);
  if (!integerList(shifts)) throw new ValueError(`roll: shifts must be an integer or a list of integers, got ${String(shifts)}`);
  const s: readonly number[] = typeof shifts === "number" ? [shifts] : shifts;
  if (dims === undefined) {
    if (s.length !== 1) throw new ValueError(`roll: ${s.length} shifts [${s.join(", ")}] without dims; give one shift to roll the flattened tensor, or one dim per shift`);
    return roll(x.reshape([x.size]), s, [0]).reshape(x.shape.slice());
  }
  if (!integerList(dims)) throw new ValueError(`roll: dims must be an integer or a list of integers, got ${String(dims)}`);
  const ds: readonly number[] = typeof dims === "number" ? [dims] : dims;
  if (s.length === 0 || s.length !== ds.length) {
    throw new ValueError(`roll: shifts [${s.join(", ")}] and dims [${ds.join(", ")}] must be non-empty lists of the same length`);
  }
  // PyTorch: a 0-d tensor has no dim to roll (rolling it flattened, without dims, is allowed).
  if (x.ndim === 0) throw new ValueError(`roll: dims [${ds.join(", ")}] given for a 0-d tensor, which has none`);
  const total = new Array<number>(x.ndim).fill(0);
  ds.forEach((dim, i) => (total[normalizeAxis(dim, x.ndim, "roll")] += s[i]));
  return rolled(x, total.map((t, d) => (x.shape[d] === 0 ? 0 : ((t % x.shape[d]) + x.shape[d]) % x.shape[d])));
}

/** x rolled by `by[d]` (0 ≤ by[d] < size) along every dim d, recorded as one op. */
function rolled(x: Tensor, by: readonly number[]): Tensor {
  const outStrides = contiguousStrides(x.shape);
  const out = allocate(x.dtype, x.size, x.shape);
  const src = x.storage;
  const moved = by.map((b, d) => (b === 0 ? -1 : d)).filter((d) => d >= 0);
  // Each rolled dim splits into two runs that trade places: the first n − b entries go to
  // [b, n), the last b to [0, b). One strided block copy per combination of runs.
  for (let combo = 0; combo < 1 << moved.length; combo++) {
    const shape = x.shape.slice();
    let from = x.offset, to = 0;
    moved.forEach((d, k) => {
      const n = x.shape[d], b = by[d];
      const tail = (combo >> k) & 1;
      shape[d] = tail ? b : n - b;
      from += (tail ? n - b : 0) * x.strides[d];
      to += (tail ? 0 : b) * outStrides[d];
    });
    forEachRow(shape, [x.strides, outStrides], [from, to], (off, len, inner) => {
      for (let j = 0; j < len; j++) out[off[1] + j * inner[1]] = src[off[0] + j * inner[0]];
    });
  }
  const back = by.map((b, d) => (b === 0 ? 0 : x.shape[d] - b));
  return record(new Tensor(out, x.dtype, x.shape.slice()), "roll", [x], (g) => [rolled(g, back)]);
}
