// eg.autograd.functional: torch.autograd.functional's jacobian and vjp, the function given as a
// JS function of tensors. hessian, jvp, hvp and vhp need gradients of gradients, which edgegrad
// does not record (src/ndarray/autograd.ts): they are left out.
import { boolean, oneOf } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { enableGrad } from "../ndarray/autograd.js";
import { sameShape } from "../ndarray/shape.js";
import { Tensor } from "../ndarray/tensor.js";
import { grad } from "./grad.js";
import { jacobianBlocks } from "./jacobian-blocks.js";
import { tensorList, tensorOf, type TensorList } from "./tensor-args.js";

export interface JacobianOptions {
  /** Only false (no higher-order gradients). */
  createGraph?: boolean;
  /** Refuse, with a ValueError, an output independent of an input instead of giving zeros. */
  strict?: boolean;
  /** Only false: each row is its own backward sweep (there is no vmap). */
  vectorize?: boolean;
  /** Only "reverse-mode": edgegrad has no forward-mode differentiation. */
  strategy?: "reverse-mode" | "forward-mode";
}

export interface VjpOptions {
  /** Only false (no higher-order gradients). */
  createGraph?: boolean;
  /** Refuse, with a ValueError, an input no output depends on instead of giving zeros. */
  strict?: boolean;
}

type TensorFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

function refuseCreateGraph(where: string, createGraph: unknown): void {
  if (createGraph !== undefined && boolean(where, "createGraph", createGraph)) {
    throw new ValueError(`${where}: createGraph: true is not possible: edgegrad's backward rules run without recording (no higher-order gradients)`);
  }
}

/**
 * Calls `fn` on fresh leaves that share the inputs' storage and require grad (the inputs
 * themselves, and their graph, stay as they are), with recording on even inside noGrad.
 */
function evaluate(where: string, fn: TensorFn, inputs: unknown): { ins: TensorList; leaves: Tensor[]; outs: TensorList } {
  if (typeof fn !== "function") throw new ValueError(`${where}: fn must be a function`);
  const ins = tensorList(where, "inputs", inputs);
  const leaves = ins.list.map((x) => {
    const leaf = x.detach();
    leaf.requiresGrad = true; // a DTypeError for an integer input: only floats have gradients
    return leaf;
  });
  const outs = tensorList(where, "the result of fn", enableGrad(() => fn(...leaves)));
  return { ins, leaves, outs };
}

export function jacobian(fn: (input: Tensor) => Tensor, inputs: Tensor, options?: JacobianOptions): Tensor;
export function jacobian(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options?: JacobianOptions): Tensor[];
export function jacobian(fn: (input: Tensor) => readonly Tensor[], inputs: Tensor, options?: JacobianOptions): Tensor[];
export function jacobian(fn: (...inputs: Tensor[]) => readonly Tensor[], inputs: readonly Tensor[], options?: JacobianOptions): Tensor[][];
export function jacobian(fn: TensorFn, inputs: Tensor | readonly Tensor[], options?: JacobianOptions): Tensor | Tensor[] | Tensor[][];
/**
 * The Jacobian of `fn` at `inputs` (PyTorch's `torch.autograd.functional.jacobian`): for output
 * i and input k, a tensor of shape [...outputs[i].shape, ...inputs[k].shape] in the input's
 * dtype. Arrays where torch has tuples: one output and one input give a Tensor, several inputs
 * (an array) an array over the inputs, several outputs an array over the outputs, both an array
 * of arrays [output][input]. An output independent of an input gives zeros (strict: refused).
 */
export function jacobian(fn: TensorFn, inputs: Tensor | readonly Tensor[], options?: JacobianOptions): Tensor | Tensor[] | Tensor[][] {
  checkOptions("jacobian", options, ["createGraph", "strict", "vectorize", "strategy"]);
  const o = options ?? {};
  refuseCreateGraph("jacobian", o.createGraph);
  if (o.vectorize !== undefined && boolean("jacobian", "vectorize", o.vectorize)) {
    throw new ValueError("jacobian: vectorize: true is not possible: edgegrad has no vmap (batched gradients); leave it false to compute the rows one by one");
  }
  if (o.strategy !== undefined && oneOf("jacobian", "strategy", o.strategy, ["reverse-mode", "forward-mode"]) === "forward-mode") {
    throw new ValueError('jacobian: strategy "forward-mode" is not possible: edgegrad has reverse-mode differentiation only');
  }
  const strict = o.strict === undefined ? false : boolean("jacobian", "strict", o.strict);
  const { ins, leaves, outs } = evaluate("jacobian", fn, inputs);
  const { blocks, complete } = jacobianBlocks(outs.list, leaves);
  const perOutput = outs.list.map((out, i) => leaves.map((x, k) => {
    if (strict && !complete[i][k]) {
      throw new ValueError(`jacobian: output ${i} of fn is independent of input ${k} (at least in one element), which strict: true refuses`);
    }
    return tensorOf(blocks[i][k], [...out.shape, ...x.shape], x.dtype);
  }));
  const byInputs = (row: Tensor[]) => (ins.isArray ? row : row[0]);
  return outs.isArray ? perOutput.map(byInputs) as Tensor[] | Tensor[][] : byInputs(perOutput[0]);
}

export function vjp(fn: (input: Tensor) => Tensor, inputs: Tensor, v?: Tensor | null, options?: VjpOptions): [Tensor, Tensor];
export function vjp(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], v?: Tensor | null, options?: VjpOptions): [Tensor, Tensor[]];
export function vjp(fn: (input: Tensor) => readonly Tensor[], inputs: Tensor, v: readonly Tensor[], options?: VjpOptions): [Tensor[], Tensor];
export function vjp(fn: (...inputs: Tensor[]) => readonly Tensor[], inputs: readonly Tensor[], v: readonly Tensor[], options?: VjpOptions): [Tensor[], Tensor[]];
export function vjp(fn: TensorFn, inputs: Tensor | readonly Tensor[], v?: Tensor | readonly Tensor[] | null, options?: VjpOptions): [Tensor | Tensor[], Tensor | Tensor[]];
/**
 * `fn`'s outputs at `inputs` and the vector-Jacobian product vᵀ·J (PyTorch's
 * `torch.autograd.functional.vjp`): [outputs (detached), vjp], each a Tensor or an array as
 * fn's result and `inputs` are. `v` has one tensor per output, of its shape; it may be left
 * out only when fn returns one tensor of one element. An input no output depends on gets zeros
 * (strict: refused).
 */
export function vjp(fn: TensorFn, inputs: Tensor | readonly Tensor[], v?: Tensor | readonly Tensor[] | null, options?: VjpOptions): [Tensor | Tensor[], Tensor | Tensor[]] {
  checkOptions("vjp", options, ["createGraph", "strict"]);
  const o = options ?? {};
  refuseCreateGraph("vjp", o.createGraph);
  const strict = o.strict === undefined ? false : boolean("vjp", "strict", o.strict);
  const { ins, leaves, outs } = evaluate("vjp", fn, inputs);
  const vs = vectorsFor(outs.list, v);
  const live = outs.list.map((out, i) => i).filter((i) => outs.list[i].requiresGrad);
  const grads = live.length === 0 ? leaves.map(() => null)
    : grad(live.map((i) => outs.list[i]), leaves, { gradOutputs: live.map((i) => vs[i]), allowUnused: true });
  const products = grads.map((g, k) => {
    if (g !== null) return g;
    if (strict) throw new ValueError(`vjp: input ${k} is one no output of fn depends on, which strict: true refuses`);
    return tensorOf(new Float64Array(leaves[k].size), leaves[k].shape, leaves[k].dtype);
  });
  const detached = outs.list.map((out) => out.detach());
  return [outs.isArray ? detached : detached[0], ins.isArray ? products : products[0]];
}

/** The vector of each output: `v`'s tensors, checked against the outputs' shapes. */
function vectorsFor(outputs: readonly Tensor[], v: unknown): Tensor[] {
  if (v === undefined || v === null) {
    if (outputs.length !== 1 || outputs[0].size !== 1) {
      throw new ShapeError(`vjp: v can be left out only when fn returns one tensor of one element, not ${outputs.length === 1 ? `shape [${outputs[0].shape}]` : `${outputs.length} tensors`}`);
    }
    return [tensorOf([1], outputs[0].shape, outputs[0].dtype)];
  }
  const vs = tensorList("vjp", "v", v).list;
  if (vs.length !== outputs.length) throw new ValueError(`vjp: v has ${vs.length} tensors for ${outputs.length} outputs of fn`);
  vs.forEach((t, i) => {
    if (!sameShape(t.shape, outputs[i].shape)) throw new ShapeError(`vjp: v[${i}] has shape [${t.shape}], output ${i} of fn has shape [${outputs[i].shape}]`);
  });
  return vs;
}
