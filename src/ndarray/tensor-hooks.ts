import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { typeName } from "../type-name.js";
import { setTensorGradHook } from "./autograd.js";
import { binary, cast, unary } from "./elementwise.js";
import { sameShape } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * A gradient hook (PyTorch's `Tensor.register_hook`): called with the gradient of the tensor it
 * is registered on, summed over every use of the tensor, during backward. Returning a tensor of
 * the same shape and dtype replaces that gradient; returning nothing keeps it. The gradient may
 * be shared with other tensors of the graph: return a new tensor rather than editing it in place.
 */
export type GradHook = (grad: Tensor) => Tensor | undefined | void;

/** What every register…Hook returns: `remove()` unregisters the hook (a second call does nothing). */
export interface RemovableHandle {
  remove(): void;
}

/** The hooks of one tensor in registration order, and whether it keeps its gradient (retainGrad). */
interface TensorHooks {
  hooks: { fn: GradHook }[];
  retain: boolean;
}

// Keyed weakly so that a hooked tensor is freed with its graph; the Tensor class stays as it is.
const registry = new WeakMap<Tensor, TensorHooks>();
let installed = false;

function hooksOf(t: Tensor): TensorHooks {
  let entry = registry.get(t);
  if (!entry) {
    entry = { hooks: [], retain: false };
    registry.set(t, entry);
  }
  if (!installed) {
    setTensorGradHook(applyHooks);
    installed = true;
  }
  return entry;
}

/** A value as a message names it: an object by its class, anything else as it prints. */
export const shownValue = (v: unknown): string =>
  v !== null && typeof v === "object" ? typeName(v) : typeof v === "function" ? "a function" : typeof v === "string" ? JSON.stringify(v) : String(v);

function checkTensor(where: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${where}: expected a Tensor, got ${shownValue(t)}`);
}

/**
 * What the backward sweep calls with each tensor's summed gradient: the tensor's hooks in
 * registration order, each seeing the previous one's result, then (for a retaining non-leaf,
 * when the sweep fills retained gradients: backward() does, autograd.grad does not) the result
 * added into `.grad`. A replacement is copied, so a leaf's `.grad` never shares storage with a
 * tensor the hook keeps.
 */
function applyHooks(t: Tensor, grad: Tensor, retained = true): Tensor {
  const entry = registry.get(t);
  if (!entry) return grad;
  let g = grad;
  for (const { fn } of entry.hooks.slice()) {
    const r: unknown = fn(g);
    if (r === undefined) continue;
    if (!(r instanceof Tensor)) throw new ValueError(`gradient hook: expected a Tensor or nothing back, got ${shownValue(r)}`);
    if (!sameShape(r.shape, g.shape)) throw new ShapeError(`gradient hook: returned a gradient of shape [${r.shape}] for a gradient of shape [${g.shape}]`);
    if (r.dtype !== g.dtype) throw new DTypeError(`gradient hook: returned a ${r.dtype} gradient for a ${g.dtype} one`);
    g = unary("identity", r);
  }
  if (retained && entry.retain && t.gradFn) {
    // A retained gradient accumulates over backward calls, as a leaf's does.
    const own = g.dtype === t.dtype ? unary("identity", g) : cast(g, t.dtype);
    t.grad = t.grad ? binary("add", t.grad, own) : own;
  }
  return g;
}

/**
 * Registers `hook` on `t` (PyTorch's `t.register_hook(hook)`): during every later backward that
 * reaches `t`, the hook sees the gradient of `t` and may replace it; the replacement is what
 * flows on to the inputs of `t` (or, for a leaf, what is added into `t.grad`). Several hooks run
 * in registration order. Returns a handle whose `remove()` unregisters this hook.
 */
export function registerHook(t: Tensor, hook: GradHook): RemovableHandle {
  checkTensor("registerHook", t);
  if (typeof hook !== "function") throw new ValueError(`registerHook: hook must be a function, got ${shownValue(hook)}`);
  if (!t.requiresGrad) throw new ValueError("registerHook: cannot register a hook on a tensor that does not require grad");
  const entry = hooksOf(t);
  const slot = { fn: hook };
  entry.hooks.push(slot);
  return {
    remove() {
      const i = entry.hooks.indexOf(slot);
      if (i >= 0) entry.hooks.splice(i, 1);
    },
  };
}

/**
 * Makes a non-leaf tensor keep its gradient in `.grad` after backward (PyTorch's
 * `t.retain_grad()`), accumulated over backward calls like a leaf's; the gradient kept is the one
 * after the tensor's hooks. On a leaf it does nothing (a leaf that requires grad keeps its own).
 */
export function retainGrad(t: Tensor): void {
  checkTensor("retainGrad", t);
  if (!t.requiresGrad) throw new ValueError("retainGrad: cannot retain the gradient of a tensor that does not require grad");
  if (t.gradFn) hooksOf(t).retain = true;
}

/** Whether retainGrad was called on this non-leaf tensor (PyTorch's `t.retains_grad`). */
export function retainsGrad(t: Tensor): boolean {
  checkTensor("retainsGrad", t);
  return t.gradFn !== null && registry.get(t)?.retain === true;
}

/**
 * Whether `t` is a leaf of the autograd graph (PyTorch's `t.is_leaf`): made by the user rather
 * than recorded from an op, which is every tensor that does not require grad and every
 * parameter. Only leaves that require grad get `.grad` from backward (unless retainGrad).
 */
export function isLeaf(t: Tensor): boolean {
  checkTensor("isLeaf", t);
  return t.gradFn === null;
}
