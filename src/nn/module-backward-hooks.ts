import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { isGradEnabled, Tensor } from "../ndarray/index.js";
import { shownValue } from "../ndarray/tensor-hooks.js";
import { typeName } from "../type-name.js";
import type { Module } from "./module.js";

/**
 * PyTorch's full backward hook: called once the gradients with respect to the module's inputs
 * are computed, with one entry per forward argument (null for an argument that is not a tensor,
 * needs no gradient or got none) and one per top-level output (null likewise). An array of the
 * same length returned replaces gradInput: what then flows on to the inputs.
 */
export type FullBackwardHook<M extends Module = Module> =
  (module: M, gradInput: (Tensor | null)[], gradOutput: (Tensor | null)[]) => (Tensor | null)[] | undefined | void;

/** A view of `t` on the same storage: a new graph node without copying a value. */
const viewOf = (t: Tensor): Tensor => new Tensor(t.storage, t.dtype, t.shape, t.strides, t.offset);
/** The gradient passed to the gate: it carries no value, only the edge that orders the sweep. */
const nothing = (): Tensor => new Tensor(new Float32Array(1), "float32", []);

/** The gradients captured in one backward sweep through one call of the module. */
interface Capture {
  gradInput: (Tensor | null)[];
  gradOutput: (Tensor | null)[];
  reached: boolean;
}

/**
 * Runs `run(args)` (the module's forward with its forward hooks) so that `hooks` see the
 * gradients of this call. Each tensor argument that requires grad, and each top-level tensor of
 * the output that does, is replaced by a view whose backward records its gradient. All of those
 * views lead to one gate node whose own inputs are the original arguments, so the sweep, which
 * runs a node only after every node that uses it, reaches the gate once every gradient of the
 * call is known: there the hooks run, and what they return flows on to the arguments.
 * As PyTorch's: only top-level tensors count (an array inside the arguments or the output is
 * passed through, its gradients unseen), and nothing is set up when autograd is off.
 */
export function withBackwardHooks(m: Module, hooks: readonly FullBackwardHook[], args: unknown[],
                                  run: (args: unknown[]) => unknown): unknown {
  const needing = args.flatMap((a, i) => (a instanceof Tensor && a.requiresGrad ? [i] : []));
  if (!isGradEnabled()) return run(args);
  const capture: Capture = { gradInput: args.map(() => null), gradOutput: [], reached: false };
  const gate = nothing();
  gate.gradFn = {
    name: "fullBackwardHook", inputs: needing.map((i) => args[i] as Tensor),
    backward: () => finish(m, hooks, args, needing, capture),
  };
  const hookedArgs = args.slice();
  for (const i of needing) {
    const v = viewOf(args[i] as Tensor);
    v.gradFn = { name: "backwardHookInput", inputs: [gate], backward: (g) => { capture.gradInput[i] = g; return [nothing()]; } };
    hookedArgs[i] = v;
  }
  const out = run(hookedArgs);
  const outs = Array.isArray(out) ? out.slice() : [out];
  capture.gradOutput = outs.map(() => null);
  outs.forEach((o, j) => {
    if (!(o instanceof Tensor) || !o.requiresGrad) return;
    const w = viewOf(o);
    w.gradFn = {
      name: "backwardHookOutput", inputs: [o, gate],
      backward: (g) => { capture.gradOutput[j] = g; capture.reached = true; return [g, nothing()]; },
    };
    outs[j] = w;
  });
  return Array.isArray(out) ? outs : outs[0];
}

/** At the gate: the hooks in registration order, each result checked, then the gradients for the arguments. */
function finish(m: Module, hooks: readonly FullBackwardHook[], args: unknown[], needing: number[], capture: Capture): (Tensor | null)[] {
  let gradInput = capture.gradInput;
  const gradOutput = capture.gradOutput;
  const reached = capture.reached;
  // Ready for another backward through the same graph.
  capture.gradInput = args.map(() => null);
  capture.gradOutput = gradOutput.map(() => null);
  capture.reached = false;
  // A gradient that reached the inputs without passing through the outputs is not this call's: no hook, as in PyTorch.
  if (!reached) return needing.map((i) => gradInput[i]);
  for (const hook of hooks) {
    const r: unknown = hook(m, gradInput.slice(), gradOutput.slice());
    if (r === undefined || r === null) continue;
    gradInput = checkReplacement(m, r, args, needing);
  }
  return needing.map((i) => gradInput[i]);
}

function checkReplacement(m: Module, r: unknown, args: unknown[], needing: number[]): (Tensor | null)[] {
  const where = `full backward hook of ${typeName(m)}`;
  if (!Array.isArray(r) || r.length !== args.length) {
    throw new ValueError(`${where}: returned ${Array.isArray(r) ? `${r.length} gradients` : shownValue(r)}, expected an array of ${args.length} (one per forward argument)`);
  }
  r.forEach((g: unknown, i) => {
    if (g === null) return;
    if (!(g instanceof Tensor)) throw new ValueError(`${where}: gradient ${i} is ${shownValue(g)}, expected a Tensor or null`);
    if (!needing.includes(i)) {
      throw new ValueError(`${where}: returned a gradient for argument ${i}, which ${args[i] instanceof Tensor ? "does not require grad" : "is not a tensor"}`);
    }
    const x = args[i] as Tensor;
    if (g.shape.length !== x.shape.length || g.shape.some((d, k) => d !== x.shape[k])) {
      throw new ShapeError(`${where}: gradient ${i} has shape [${g.shape}], the argument has shape [${x.shape}]`);
    }
    if (g.dtype !== x.dtype) throw new DTypeError(`${where}: gradient ${i} is ${g.dtype}, the argument is ${x.dtype}`);
  });
  return r as (Tensor | null)[];
}
