import { DTypeError } from "../errors.js";
import { boolean, positive } from "../checks.js";
import { checkOptions } from "../options.js";
import { broadcastShapes, sameShape } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * Closeness and equality tests of whole tensors, as torch.isclose / allclose / equal: isclose is
 * a bool tensor (no gradient), allclose and equal plain booleans.
 */

export interface IscloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Whether NaN is close to NaN (default false). */
  equalNan?: boolean;
}

function tensorArg(name: string, key: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new DTypeError(`${name}: ${key} must be a Tensor, got ${t === null ? "null" : typeof t}`);
  return t;
}

/**
 * |a − b| ≤ atol + rtol·|b| elementwise, broadcast, or a = b (so ∞ is close to ∞ of its sign
 * only); a and b of one dtype, as PyTorch requires.
 */
export function isclose(aArg: Tensor, bArg: Tensor, o: IscloseOptions = {}): Tensor {
  const a = tensorArg("isclose", "input", aArg), b = tensorArg("isclose", "other", bArg);
  checkOptions("isclose", o, ["rtol", "atol", "equalNan"]);
  const rtol = o.rtol === undefined ? 1e-5 : positive("isclose", "rtol", o.rtol, true);
  const atol = o.atol === undefined ? 1e-8 : positive("isclose", "atol", o.atol, true);
  const equalNan = o.equalNan === undefined ? false : boolean("isclose", "equalNan", o.equalNan);
  if (a.dtype !== b.dtype) throw new DTypeError(`isclose: input is ${a.dtype} but other is ${b.dtype}`);
  const shape = broadcastShapes(a.shape, b.shape, "isclose");
  const A = a.detach().broadcastTo(shape).data, B = b.detach().broadcastTo(shape).data;
  const out = new Uint8Array(A.length);
  for (let i = 0; i < out.length; i++) {
    const u = A[i], v = B[i];
    out[i] = u === v || (equalNan && u !== u && v !== v) || (Number.isFinite(u) && Number.isFinite(v) && Math.abs(u - v) <= atol + rtol * Math.abs(v)) ? 1 : 0;
  }
  return new Tensor(out, "bool", shape);
}

/** Whether every element of a is close to b's (broadcast), as torch.allclose. */
export function allclose(a: Tensor, b: Tensor, o: IscloseOptions = {}): boolean {
  return isclose(a, b, o).data.every((v) => v === 1);
}

/** Same shape and equal values (NaN equals nothing), dtypes aside, as torch.equal in 1.13. */
export function equal(aArg: Tensor, bArg: Tensor): boolean {
  const a = tensorArg("equal", "input", aArg), b = tensorArg("equal", "other", bArg);
  if (!sameShape(a.shape, b.shape)) return false;
  const A = a.data, B = b.data;
  for (let i = 0; i < A.length; i++) if (A[i] !== B[i]) return false;
  return true;
}
