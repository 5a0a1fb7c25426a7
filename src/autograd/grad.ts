// torch.autograd.grad: the gradients of outputs with respect to chosen tensors (leaves or
// intermediate ones), returned instead of accumulated into .grad, by a sweep built from the
// pieces of backward()'s (src/ndarray/autograd.ts), which stays as small as the tensor core's
// size budget needs.
import { boolean } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { noGrad, propagate, sweepTools, tapeOrder, type GradArithmetic } from "../ndarray/autograd.js";
import { binary, cast, onesLikeFloat, unary } from "../ndarray/elementwise.js";
import { sameShape } from "../ndarray/shape.js";
import { Tensor } from "../ndarray/tensor.js";
import { shown, tensorList } from "./tensor-args.js";

export interface GradOptions {
  /**
   * The gradient of each output ("vector" of the vector-Jacobian product): a Tensor for one
   * output, or an array with one entry per output. An entry may be null (or the option left out)
   * only for an output of one element, whose gradient is then 1.
   */
  gradOutputs?: Tensor | readonly (Tensor | null)[] | null;
  /**
   * Accepted for PyTorch's signature, and true or false alike: edgegrad never frees a graph after
   * a sweep (its tensors live until the garbage collector takes them), so the graph can always be
   * swept again, as PyTorch's with `retain_graph=True`.
   */
  retainGraph?: boolean;
  /** Only false: the backward rules run without recording, so a gradient has no graph of its own. */
  createGraph?: boolean;
  /** Whether an input the outputs do not reach gets null (true) or is refused (false, the default). */
  allowUnused?: boolean;
}

const arithmetic: GradArithmetic = {
  add: (a, b) => binary("add", a, b), copy: (t) => unary("identity", t), cast: (t, like) => cast(t, like.dtype),
};

/** The seed of each output's sweep: its given gradient (in the output's dtype) or an implied 1. */
function seedsFor(outputs: readonly Tensor[], given: unknown): Tensor[] {
  let entries: unknown[];
  if (given === undefined || given === null) entries = outputs.map(() => null);
  else if (given instanceof Tensor) entries = [given];
  else if (Array.isArray(given)) entries = given;
  else throw new ValueError(`grad: gradOutputs must be a Tensor, an array of Tensors (or nulls) or null, got ${shown(given)}`);
  if (entries.length !== outputs.length) {
    throw new ValueError(`grad: gradOutputs has ${entries.length} entries for ${outputs.length} outputs (one per output)`);
  }
  return outputs.map((out, i) => {
    const g = entries[i];
    if (g === null || g === undefined) {
      if (out.size !== 1) {
        throw new ShapeError(`grad: a gradient can be implied only for an output of one element; outputs[${i}] has shape [${out.shape}] (give gradOutputs[${i}])`);
      }
      return onesLikeFloat(out);
    }
    if (!(g instanceof Tensor)) throw new ValueError(`grad: gradOutputs[${i}] must be a Tensor or null, got ${shown(g)}`);
    if (!sameShape(g.shape, out.shape)) {
      throw new ShapeError(`grad: gradOutputs[${i}] has shape [${g.shape}] and outputs[${i}] has shape [${out.shape}]`);
    }
    // As backward() casts its gradient: an integer one would reach float-only rules.
    return g.dtype === out.dtype ? g : cast(g, out.dtype);
  });
}

/**
 * The tensors of `order` (post-order: each after every input of its op) on a path to a wanted
 * one: only their rules run, as PyTorch's grad() runs only what its inputs need.
 */
function onPaths(order: readonly Tensor[], wanted: ReadonlySet<Tensor>): Set<Tensor> {
  const needed = new Set<Tensor>();
  for (const t of order) {
    if (wanted.has(t) || t.gradFn?.inputs.some((x) => needed.has(x))) needed.add(t);
  }
  return needed;
}

/**
 * The sweep of backward() (src/ndarray/autograd.ts: the same order, sums, hooks and rules), from
 * all outputs at once, running only the rules on a path to an input and keeping the inputs'
 * gradients instead of adding into .grad (not even a retained tensor's). A gradient kept is its
 * own: copied where it shares storage with one kept before or with a seed, which is the caller's.
 */
function sweepTo(outs: readonly Tensor[], seeds: readonly Tensor[], ins: readonly Tensor[], allowUnused: boolean): Map<Tensor, Tensor> {
  const { add, copy, hook } = sweepTools(arithmetic);
  // The sweep's root: a node of no value whose inputs are the outputs and whose rule hands each its seed.
  const root = new Tensor(new Float32Array(1), "float32", []);
  root.gradFn = { name: "gradOutputs", inputs: outs, backward: () => seeds };
  const order = tapeOrder(root);
  const reached = new Set(order);
  const i = allowUnused ? -1 : ins.findIndex((x) => !reached.has(x));
  if (i >= 0) throw unused(i); // before any rule or hook runs
  const wanted = new Set(ins);
  const needed = onPaths(order, wanted);
  const skip = (x: Tensor) => !needed.has(x);
  const grads = new Map<Tensor, Tensor>([[root, root]]);
  const handedOut = new Set<unknown>(seeds.map((g) => g.storage));
  const got = new Map<Tensor, Tensor>();
  noGrad(() => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      let g = grads.get(t);
      if (!g || skip(t)) continue;
      if (hook) g = hook(t, g, false);
      grads.delete(t);
      if (wanted.has(t)) {
        // In the tensor's dtype, as backward() casts a leaf's.
        const gt = g.dtype === t.dtype ? g : arithmetic.cast(g, t);
        const own = gt.offset === 0 && gt.storage.length === gt.size && gt.isContiguous && !handedOut.has(gt.storage) ? gt : copy(gt);
        handedOut.add(own.storage);
        got.set(t, own);
      }
      if (t.gradFn && t.gradFn.inputs.some((x) => needed.has(x))) propagate(t, g, grads, add);
    }
  });
  return got;
}

const unused = (i: number) =>
  new ValueError(`grad: inputs[${i}] is not used in the graph of the outputs (pass allowUnused: true to get null for it)`);

/**
 * The sum over the outputs of each output's gradient (gradOutputs) times its Jacobian with
 * respect to each input — PyTorch's `torch.autograd.grad(outputs, inputs, grad_outputs, …)`.
 * `outputs` and `inputs` are each a Tensor or an array of Tensors; an input may be a leaf or an
 * intermediate tensor of the graph. Returns one gradient per input, in the input's dtype (null
 * for an unreached input with allowUnused). No tensor's `.grad` changes, not even a retained
 * one's (retainGrad); gradient hooks on the tensors swept, the inputs included, apply as in
 * backward(). Only the ops on a path from an output to an input run their backward rule.
 */
export function grad(outputs: Tensor | readonly Tensor[], inputs: Tensor | readonly Tensor[], options?: GradOptions): (Tensor | null)[] {
  checkOptions("grad", options, ["gradOutputs", "retainGraph", "createGraph", "allowUnused"]);
  const o = options ?? {};
  if (o.retainGraph !== undefined) boolean("grad", "retainGraph", o.retainGraph);
  if (o.createGraph !== undefined && boolean("grad", "createGraph", o.createGraph)) {
    throw new ValueError("grad: createGraph: true is not possible: edgegrad's backward rules run without recording, so a gradient cannot be differentiated again (no higher-order gradients)");
  }
  const allowUnused = o.allowUnused === undefined ? false : boolean("grad", "allowUnused", o.allowUnused);
  const outs = tensorList("grad", "outputs", outputs).list;
  const ins = tensorList("grad", "inputs", inputs).list;
  outs.forEach((t, i) => {
    if (!t.requiresGrad) throw new ValueError(`grad: outputs[${i}] does not require grad (no input of it does)`);
  });
  ins.forEach((t, i) => {
    if (!t.requiresGrad) throw new ValueError(`grad: inputs[${i}] does not require grad, so it has no gradient`);
  });
  const seeds = seedsFor(outs, o.gradOutputs);
  const got = sweepTo(outs, seeds, ins, allowUnused);
  const returned = new Set<Tensor>();
  return ins.map((x, i) => {
    const g = got.get(x);
    if (!g) {
      // Reached, but every rule on the way gave it no gradient.
      if (!allowUnused) throw unused(i);
      return null;
    }
    // An input listed twice gets two tensors, so that editing one leaves the other.
    if (returned.has(g)) return unary("identity", g);
    returned.add(g);
    return g;
  });
}
