// The Jacobian of outputs with respect to inputs by reverse mode, one sweep of grad() per output
// element (PyTorch's jacobian without vectorize does the same), shared by functional.jacobian
// and gradcheck.
import { allocate } from "../ndarray/dtype.js";
import { Tensor } from "../ndarray/tensor.js";
import { grad } from "./grad.js";

export interface JacobianBlocks {
  /**
   * blocks[i][k]: d outputs[i] / d inputs[k] as a row-major [outputs[i].size × inputs[k].size]
   * matrix in float64 (row j: the gradient of element j of the output); zeros where no gradient
   * reached the input.
   */
  blocks: Float64Array[][];
  /** complete[i][k]: every element of outputs[i] reached inputs[k] (what strict mode demands). */
  complete: boolean[][];
}

/** The Jacobian blocks of `outputs` (already computed from `inputs`, with recording on). */
export function jacobianBlocks(outputs: readonly Tensor[], inputs: readonly Tensor[]): JacobianBlocks {
  const blocks = outputs.map((out) => inputs.map((x) => new Float64Array(out.size * x.size)));
  const complete = outputs.map((out) => inputs.map(() => out.requiresGrad));
  outputs.forEach((out, i) => {
    if (!out.requiresGrad) return; // a constant: its Jacobian is zero
    // One seed for every row: the sweep never edits a seed, and hands out no gradient sharing it.
    const seed = new Tensor(allocate(out.dtype, out.size), out.dtype, out.shape.slice());
    for (let j = 0; j < out.size; j++) {
      seed.storage.fill(0);
      seed.storage[j] = 1;
      const grads = grad(out, inputs, { gradOutputs: seed, allowUnused: true });
      grads.forEach((g, k) => {
        if (g === null) complete[i][k] = false;
        else blocks[i][k].set(g.data, j * inputs[k].size);
      });
    }
  });
  return { blocks, complete };
}
