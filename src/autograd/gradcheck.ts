// torch.autograd.gradcheck: the Jacobian the backward rules give (by grad(), one sweep per output
// element) against central differences of the function, for float64 inputs.
import { boolean, positive } from "../checks.js";
import { DTypeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { enableGrad, noGrad } from "../ndarray/autograd.js";
import { isFloat } from "../ndarray/dtype.js";
import type { Tensor } from "../ndarray/tensor.js";
import { jacobianBlocks } from "./jacobian-blocks.js";
import { tensorList, unravel } from "./tensor-args.js";

export interface GradcheckOptions {
  /** The step of the central differences (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5): analytic a passes against numeric n when |a − n| ≤ atol + rtol·|n|. */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw a GradcheckError on a mismatch (default) rather than return false. */
  raiseException?: boolean;
}

/** A gradient that disagrees with the function's differences (PyTorch's GradcheckError). */
export class GradcheckError extends ValueError {
  override name = "GradcheckError";
}

type TensorFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/** Storage positions of `t`'s elements in row-major order, so a difference can nudge one in place. */
function positions(t: Tensor): number[] {
  const out: number[] = [];
  const walk = (dim: number, at: number): void => {
    if (dim === t.ndim) {
      out.push(at);
      return;
    }
    for (let i = 0; i < t.shape[dim]; i++) walk(dim + 1, at + i * t.strides[dim]);
  };
  walk(0, t.offset);
  return out;
}

/** fn's outputs, checked to be Tensors. */
function outputsOf(fn: TensorFn, inputs: Tensor[]): Tensor[] {
  return tensorList("gradcheck", "the result of fn", fn(...inputs)).list;
}

/**
 * numeric[i][k]: (f(x + eps·e) − f(x − eps·e)) / 2eps for every element e of inputs[k], laid out
 * as jacobianBlocks lays the analytic one out. The element is nudged in the input's own storage
 * and put back, as PyTorch does.
 */
function numericBlocks(fn: TensorFn, inputs: Tensor[], checked: number[], eps: number): Float64Array[][] {
  const outs = noGrad(() => outputsOf(fn, inputs));
  // Integer outputs have no derivative: PyTorch leaves them out, and so does the comparison.
  const blocks = outs.map((out) => (isFloat(out.dtype) ? checked.map((k) => new Float64Array(out.size * inputs[k].size)) : []));
  checked.forEach((k, c) => {
    const storage = inputs[k].storage, n = inputs[k].size;
    positions(inputs[k]).forEach((p, m) => {
      const keep = storage[p];
      const at = (v: number) => {
        storage[p] = v;
        return noGrad(() => outputsOf(fn, inputs)).map((o) => o.data);
      };
      const up = at(keep + eps), down = at(keep - eps);
      storage[p] = keep;
      outs.forEach((out, i) => {
        if (blocks[i].length === 0) return;
        for (let j = 0; j < out.size; j++) blocks[i][c][j * n + m] = (up[i][j] - down[i][j]) / (2 * eps);
      });
    });
  });
  return blocks;
}

/**
 * Checks the gradients of `fn` at `inputs` (PyTorch's `torch.autograd.gradcheck`): for every
 * input that requires grad (all float64) and every floating-point output that requires grad, each
 * element of the Jacobian from the backward rules against central differences with step eps,
 * passing when |analytic − numeric| ≤ atol + rtol·|numeric|. With no output requiring grad, the
 * differences must all be zero. Returns true, or on the first mismatch throws a GradcheckError
 * naming the output, the input and the elements (returns false with raiseException: false).
 * fn must be deterministic: it runs twice per input element.
 */
export function gradcheck(fn: TensorFn, inputs: Tensor | readonly Tensor[], options?: GradcheckOptions): boolean {
  checkOptions("gradcheck", options, ["eps", "atol", "rtol", "raiseException"]);
  const o = options ?? {};
  const eps = o.eps === undefined ? 1e-6 : positive("gradcheck", "eps", o.eps);
  const atol = o.atol === undefined ? 1e-5 : positive("gradcheck", "atol", o.atol, true);
  const rtol = o.rtol === undefined ? 1e-3 : positive("gradcheck", "rtol", o.rtol, true);
  const raise = o.raiseException === undefined ? true : boolean("gradcheck", "raiseException", o.raiseException);
  if (typeof fn !== "function") throw new ValueError("gradcheck: fn must be a function");
  const ins = tensorList("gradcheck", "inputs", inputs).list;
  const checked = ins.flatMap((x, k) => (x.requiresGrad ? [k] : []));
  if (checked.length === 0) throw new ValueError("gradcheck: no input requires grad (at least one must)");
  for (const k of checked) checkInput(ins[k], k, eps);
  const outs = enableGrad(() => outputsOf(fn, ins));
  const numeric = numericBlocks(fn, ins, checked, eps);
  const live = outs.flatMap((out, i) => (out.requiresGrad ? [i] : []));
  const analytic = live.length === 0 ? null : jacobianBlocks(live.map((i) => outs[i]), checked.map((k) => ins[k])).blocks;
  // Without an output requiring grad, PyTorch demands that the differences of the others be zero.
  const compared = analytic ? live : outs.flatMap((out, i) => (isFloat(out.dtype) ? [i] : []));
  for (const [r, i] of compared.entries()) {
    for (const [c, k] of checked.entries()) {
      const mismatch = firstMismatch(numeric[i][c], analytic?.[r][c] ?? null, atol, rtol);
      if (mismatch === null) continue;
      if (!raise) return false;
      const { at, n, a } = mismatch, size = ins[k].size;
      throw new GradcheckError(`gradcheck: Jacobian mismatch for output ${i} with respect to input ${k} at output element ${unravel(Math.floor(at / size), outs[i].shape)}, input element ${unravel(at % size, ins[k].shape)}: numerical ${n}, analytical ${a} (atol ${atol}, rtol ${rtol}${analytic ? "" : "; no output requires grad, so the numerical gradient must be zero"})`);
    }
  }
  return true;
}

/** The first element where analytic a and numeric n differ by more than atol + rtol·|n| (null: an exact zero demanded). */
function firstMismatch(numeric: Float64Array, analytic: Float64Array | null, atol: number, rtol: number): { at: number; n: number; a: number } | null {
  const at = analytic === null ? numeric.findIndex((n) => n !== 0)
    : numeric.findIndex((n, e) => !(Math.abs(analytic[e] - n) <= atol + rtol * Math.abs(n)));
  return at < 0 ? null : { at, n: numeric[at], a: analytic === null ? 0 : analytic[at] };
}

/** A checked input must be float64 and hold each element once (a nudge must move one element). */
function checkInput(x: Tensor, k: number, eps: number): void {
  if (x.dtype !== "float64") {
    throw new DTypeError(`gradcheck: input ${k} requires grad and is ${x.dtype}; the check needs float64 (a difference of step ${eps} in ${x.dtype} is mostly rounding error): pass a float64 copy that requires grad`);
  }
  if (x.shape.some((d, i) => d > 1 && x.strides[i] === 0)) {
    throw new ValueError(`gradcheck: input ${k} (shape [${x.shape}], strides [${x.strides}]) has a broadcast dim of stride 0, so one element stands for several: pass a contiguous copy`);
  }
}
