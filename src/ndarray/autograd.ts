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
  return withRecording(false, fn);
}

/**
 * Runs `fn` with recording on, even inside noGrad (PyTorch's enable_grad): src/autograd
 * evaluates the user's function so, since it differentiates what the function returns.
 */
export function enableGrad<T>(fn: () => T): T {
  return withRecording(true, fn);
}

function withRecording<T>(enabled: boolean, fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = enabled;
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
// of a tensor before it flows on (or is delivered), so programs without hooks carry one check.
// `retained` says whether a retaining non-leaf (retainGrad) adds the result into its .grad.
let tensorGradHook: ((t: Tensor, g: Tensor, retained: boolean) => Tensor) | null = null;
export function setTensorGradHook(hook: (t: Tensor, g: Tensor, retained: boolean) => Tensor): void {
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
 * Where a sweep delivers gradients: backward() adds those of the leaves into their .grad,
 * autograd.grad (src/autograd/grad.ts) keeps those of its inputs and returns them.
 */
export interface GradSink {
  /** Whether the gradient of `t` is wanted. */
  wants(t: Tensor): boolean;
  /**
   * Whether to run only the rules on a path to a wanted tensor, as PyTorch's grad() does. backward()
   * runs every rule: a node may be there for what its rule does, as the gate of the module
   * backward hooks (src/nn/module-backward-hooks.ts), whose inputs may need no gradient.
   */
  readonly prunes: boolean;
  /** Receives the summed gradient (after hooks) of a wanted tensor, in its dtype. */
  take(t: Tensor, g: Tensor, ops: DeliveryOps): void;
  /** Whether retaining non-leaves (retainGrad) get their gradient added into .grad. */
  readonly fillsRetained: boolean;
  /** Called with every tensor the roots reach, before any rule or hook runs (to refuse early). */
  reached?(tensors: ReadonlySet<Tensor>): void;
}

/** What a sink may do with a delivered gradient. */
export interface DeliveryOps {
  /** The gradient, or a copy of it, in storage that nothing the sweep handed out or was given holds. */
  own: (g: Tensor) => Tensor;
  /** The sum, as the sweep sums (row-sparse gradients stay row-sparse). */
  add: (a: Tensor, b: Tensor) => Tensor;
}

/**
 * The tensors requiring grad that the roots reach, in reverse topological order (each one
 * before every input of its op), and those among them on a path to a tensor the sink wants.
 */
function tapeOrder(roots: readonly Tensor[], sink: GradSink): { order: Tensor[]; seen: Set<Tensor>; needed: Set<Tensor> } {
  const postOrder: Tensor[] = [];
  const seen = new Set<Tensor>();
  const needed = new Set<Tensor>();
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    // Iterative DFS: deep networks would overflow the call stack with recursion.
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const inputs = top[0].gradFn?.inputs ?? [];
      if (top[1] < inputs.length) {
        const next = inputs[top[1]++];
        if (!seen.has(next) && next.requiresGrad) {
          seen.add(next);
          stack.push([next, 0]);
        }
      } else {
        // Post-order: the inputs are finished, so whether they are needed is known.
        if (!sink.prunes || sink.wants(top[0]) || inputs.some((x) => needed.has(x))) needed.add(top[0]);
        postOrder.push(top[0]);
        stack.pop();
      }
    }
  }
  return { order: postOrder.reverse(), seen, needed };
}

/**
 * Reverse-mode sweep from `roots` (seeded with `seeds`, the caller's, one per root): visits the
 * recorded ops in reverse topological order, sums the gradients that reach each tensor, passes
 * the sum through the tensor's hooks and hands it to the sink if wanted. Given gradients are
 * never edited in place, and what the sink keeps is its own: backward rules pass one gradient
 * tensor (or a view of it) to several inputs, and the seeds belong to the caller, so two leaves
 * could otherwise share one `.grad` and an in-place edit of one (gradient clipping, loss
 * unscaling) would act on both. `own` keeps a gradient as it is when it owns its whole storage
 * and nothing handed out before (nor a seed) holds that storage — the common case, which then
 * costs no copy — and copies it otherwise.
 */
export function sweep(roots: readonly Tensor[], seeds: readonly Tensor[], arithmetic: GradArithmetic, sink: GradSink): void {
  // Row-sparse gradients (src/ndarray/sparse-rows.ts) stay row-sparse when summed or copied.
  const hooks = gradHooks;
  const add = hooks ? (a: Tensor, b: Tensor) => hooks.add(a, b) ?? arithmetic.add(a, b) : arithmetic.add;
  const copy = hooks ? (t: Tensor) => hooks.copy(t, arithmetic.copy(t)) : arithmetic.copy;
  const { order, seen, needed } = tapeOrder(roots, sink);
  sink.reached?.(seen);
  const grads = new Map<Tensor, Tensor>();
  // Storages handed to the sink in this sweep, and the caller's seeds.
  const handedOut = new Set<unknown>(seeds.map((s) => s.storage));
  const own = (g: Tensor): Tensor => {
    const sole = g.offset === 0 && g.storage.length === g.size && g.isContiguous && !handedOut.has(g.storage);
    const owned = sole ? g : copy(g);
    handedOut.add(owned.storage);
    return owned;
  };
  const delivery: DeliveryOps = { own, add };
  return noGrad(() => {
    roots.forEach((root, i) => {
      const prev = grads.get(root);
      grads.set(root, prev ? add(prev, seeds[i]) : seeds[i]);
    });
    for (const t of order) {
      let g = grads.get(t);
      if (!g || !needed.has(t)) continue;
      if (tensorGradHook) g = tensorGradHook(t, g, sink.fillsRetained);
      grads.delete(t); // frees intermediate gradients as soon as they are used
      // A delivered gradient has the tensor's dtype, as PyTorch's engine casts it: .grad accepts no other.
      if (sink.wants(t)) sink.take(t, g.dtype === t.dtype ? g : arithmetic.cast(g, t), delivery);
      if (t.gradFn && (!sink.prunes || t.gradFn.inputs.some((x) => needed.has(x)))) propagate(t, g, grads, needed, add);
    }
  });
}

/** Runs the rule of the op that made `t` and adds each input's gradient into `grads`. */
function propagate(t: Tensor, g: Tensor, grads: Map<Tensor, Tensor>, needed: Set<Tensor>, add: (a: Tensor, b: Tensor) => Tensor): void {
  const node = t.gradFn!;
  const inputGrads = node.backward(g);
  node.inputs.forEach((input, k) => {
    const gi = inputGrads[k];
    if (!gi || !input.requiresGrad) return;
    if (gi.shape.length !== input.shape.length || gi.shape.some((d, j) => d !== input.shape[j])) {
      throw new ShapeError(`backward of ${node.name}: gradient of shape [${gi.shape}] for an input of shape [${input.shape}]`);
    }
    if (!needed.has(input)) return;
    const prev = grads.get(input);
    grads.set(input, prev ? add(prev, gi) : gi);
  });
}

/**
 * backward(): a sweep from `root` that adds the gradient of every leaf requiring grad into its
 * `.grad` (a leaf's first gradient kept as its own, later ones summed into a new tensor).
 */
export function runBackward(root: Tensor, seed: Tensor, arithmetic: GradArithmetic): void {
  if (!root.requiresGrad) {
    throw new ValueError("backward: neither this tensor nor any input of it requires grad");
  }
  sweep([root], [seed], arithmetic, {
    wants: (t) => t.gradFn === null,
    take: (t, g, { own, add }) => {
      t.grad = t.grad ? add(t.grad, g) : own(g);
    },
    prunes: false,
    fillsRetained: true,
  });
}
