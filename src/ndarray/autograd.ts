import { ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "./tensor.js";

/**
 * One recorded op of the define-by-run tape: its inputs and the rule that maps the gradient of
 * its output to gradients of its inputs (null where an input needs none).
 */
export interface GradNode {
  readonly name: string;
  readonly inputs: readonly Tensor[];
  readonly backward: (grad: Tensor) => readonly (Tensor | null)[];
}

let gradEnabled = true;

export const isGradEnabled = (): boolean => gradEnabled;

/**
 * Runs `fn` without recording any op on the tape, and returns its result. The library's own
 * calls; the public form (src/ndarray/no-grad.ts) also refuses an async `fn`.
 */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/**
 * Runs `fn` with recording on, even inside noGrad (PyTorch's enable_grad): src/autograd
 * evaluates the user's function so, since it differentiates what the function returns.
 */
export function enableGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

// Set while a mixed-precision scope runs (src/nn/autocast.ts): maps a node's inputs to what the
// node keeps for the sweep, so the graph itself holds no float32 activation the op saved in bfloat16.
let keptInputs: ((inputs: readonly Tensor[]) => readonly Tensor[]) | null = null;
/** Installs (or with null removes) the mapping of recorded inputs; returns the one it replaces. */
export function setKeptInputs(f: ((inputs: readonly Tensor[]) => readonly Tensor[]) | null): typeof keptInputs {
  const before = keptInputs;
  keptInputs = f;
  return before;
}

/**
 * Whether record() will keep a backward rule for an op on these inputs: recording is on and some
 * input needs a gradient. Ops ask first when their forward can skip work only the backward reads.
 */
export function willRecord(inputs: readonly Tensor[]): boolean {
  return gradEnabled && inputs.some((t) => t.requiresGrad);
}

/**
 * Attaches `backward` to `out` if recording is on and some input needs a gradient. Ops call this
 * right after computing their forward result, so each backward rule sits next to its forward.
 */
export function record(out: Tensor, name: string, inputs: readonly Tensor[],
                       backward: (grad: Tensor) => readonly (Tensor | null)[]): Tensor {
  if (willRecord(inputs)) {
    out.gradFn = { name, inputs: keptInputs === null ? inputs : keptInputs(inputs), backward };
  }
  return out;
}

/**
 * How the sweep sums and copies gradients of a special kind: a sum or null (not of that kind: the
 * ordinary sum), and what a copy keeps. src/ndarray/sparse-rows.ts installs the row-sparse ones.
 */
export interface GradHooks {
  add: (a: Tensor, b: Tensor) => Tensor | null;
  copy: (from: Tensor, copy: Tensor) => Tensor;
}
let gradHooks: GradHooks | null = null;
export function setGradHooks(hooks: GradHooks): void {
  gradHooks = hooks;
}

// Set by src/ndarray/tensor-hooks.ts once a tensor gets a gradient hook: maps the summed gradient
// of a tensor before it flows on (or into a leaf's .grad), so programs without hooks carry one check.
// `retained` false (autograd.grad's sweep) keeps a retaining non-leaf (retainGrad) from adding the
// result into its .grad, as backward() has it do.
let tensorGradHook: ((t: Tensor, g: Tensor, retained?: boolean) => Tensor) | null = null;
export function setTensorGradHook(hook: (t: Tensor, g: Tensor, retained?: boolean) => Tensor): void {
  tensorGradHook = hook;
}

/** The two tensor operations the sweep needs, passed in so that this file imports no ops. */
export interface GradArithmetic {
  add: (a: Tensor, b: Tensor) => Tensor;
  /** A copy in fresh storage. */
  copy: (t: Tensor) => Tensor;
  /** A converted copy. */
  cast: (t: Tensor, like: Tensor) => Tensor;
}

/**
 * For autograd.grad's sweep (src/autograd/grad.ts): the sum and copy with the installed hooks,
 * as runBackward builds them, and the tensor gradient hooks.
 */
export function sweepTools(arithmetic: GradArithmetic): {
  add: (a: Tensor, b: Tensor) => Tensor; copy: (t: Tensor) => Tensor; hook: typeof tensorGradHook;
} {
  const hooks = gradHooks;
  return {
    add: hooks ? (a, b) => hooks.add(a, b) ?? arithmetic.add(a, b) : arithmetic.add,
    copy: hooks ? (t) => hooks.copy(t, arithmetic.copy(t)) : arithmetic.copy,
    hook: tensorGradHook,
  };
}

/**
 * The tensors requiring grad that `root` reaches, in post-order: each after every input of its
 * op, so a sweep visits them from the end.
 */
export function tapeOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  // Iterative DFS: deep networks would overflow the call stack with recursion.
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const inputs = top[0].gradFn?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (!seen.has(next) && next.requiresGrad) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order;
}

/**
 * Reverse-mode sweep from `root`: visits recorded ops in reverse topological order, sums the
 * gradients that reach each tensor, and adds them into `.grad` of leaves that require grad.
 * A leaf's gradient must be its own: backward rules pass one gradient tensor (or a view of it)
 * to several inputs, and the seed belongs to the caller, so two leaves could otherwise share one
 * `.grad` and an in-place edit of one (gradient clipping, loss unscaling) would act on both. A
 * leaf's first gradient is kept as it is when it owns its whole storage and no other leaf (nor
 * the caller's seed) holds that storage — the common case, which then costs no copy — and copied
 * otherwise. Later gradients are added into a new tensor the leaf owns.
 */
export function runBackward(root: Tensor, seed: Tensor, arithmetic: GradArithmetic): void {
  // Row-sparse gradients (src/ndarray/sparse-rows.ts) stay row-sparse when summed or copied.
  // (As sweepTools builds them; written out here because a call costs the tensor core's size budget bytes.)
  const hooks = gradHooks;
  const add = hooks ? (a: Tensor, b: Tensor) => hooks.add(a, b) ?? arithmetic.add(a, b) : arithmetic.add;
  const copy = hooks ? (t: Tensor) => hooks.copy(t, arithmetic.copy(t)) : arithmetic.copy;
  if (!root.requiresGrad) {
    throw new ValueError("backward: neither this tensor nor any input of it requires grad");
  }
  const order = tapeOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  // Storages handed out as some leaf's .grad in this sweep, and the caller's seed.
  const handedOut = new Set<unknown>([seed.storage]);
  const ownGrad = (g: Tensor): Tensor => {
    // Kept as it is when it owns its whole storage and nothing handed out (nor the seed) holds it.
    const own = g.offset === 0 && g.storage.length === g.size && g.isContiguous && !handedOut.has(g.storage) ? g : copy(g);
    handedOut.add(own.storage);
    return own;
  };
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      let g = grads.get(t);
      if (!g) continue;
      if (tensorGradHook) g = tensorGradHook(t, g);
      grads.delete(t); // frees intermediate gradients as soon as they are used
      if (!t.gradFn) {
        // A leaf's gradient has the leaf's dtype, as PyTorch's engine casts it: .grad accepts no other.
        const gl = g.dtype === t.dtype ? g : arithmetic.cast(g, t);
        t.grad = t.grad ? add(t.grad, gl) : ownGrad(gl);
        continue;
      }
      propagate(t, g, grads, add);
    }
  });
}

/** Runs the rule of the op that made `t` on its gradient `g` and adds each input's gradient into `grads`. */
export function propagate(t: Tensor, g: Tensor, grads: Map<Tensor, Tensor>, add: (a: Tensor, b: Tensor) => Tensor): void {
  const node = t.gradFn!;
  const inputGrads = node.backward(g);
  node.inputs.forEach((input, k) => {
    const gi = inputGrads[k];
    if (!gi || !input.requiresGrad) return;
    if (gi.shape.length !== input.shape.length || gi.shape.some((d, j) => d !== input.shape[j])) {
      throw new ShapeError(`backward of ${node.name}: gradient of shape [${gi.shape}] for an input of shape [${input.shape}]`);
    }
    const prev = grads.get(input);
    grads.set(input, prev ? add(prev, gi) : gi);
  });
}
