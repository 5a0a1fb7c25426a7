// Mixed-precision scopes (PyTorch's torch.autocast, for bfloat16 on the CPU): inside
// autocast("bf16", fn), Linear and Conv (linear, conv2d, conv1d and the fused steps that call
// them) keep the activations their backward needs in bfloat16 (round to nearest even) and the
// graph keeps no float32 intermediate of its own (see keep), so the memory held for the backward
// roughly halves. Weights, outputs, gradients, the optimizer and every sum stay float32: on a CPU
// without bfloat16 arithmetic the gain is memory, not speed, and a bfloat16 copy of the weights
// for the kernels to read was measured and left out (bench/RESULTS-mixed-precision.md).
import { setKeptInputs } from "../ndarray/autograd.js";
import { mixedPrecision } from "../ndarray/mixed-precision-hook.js";
import { Tensor } from "../ndarray/index.js";
import type { Conv2dGeometry } from "../backend/index.js";
import { ValueError } from "../errors.js";
import { conv2dBf16, conv2dReluMaxPoolBf16, linearBf16, type Bf16Store } from "./autocast-ops.js";
import { checkPrecision } from "./autocast-check.js";

export type AutocastDType = "bf16";

const EMPTY_STORAGE = new Float32Array(0);

/** One scope's state: bfloat16 copies of activations by their float32 storage, and graph stand-ins. */
class Bf16Scope implements Bf16Store {
  private readonly activations = new WeakMap<object, Uint16Array>();
  private readonly standIns = new WeakMap<Tensor, Tensor>();

  knownBits(t: Tensor): Uint16Array | null {
    if (t.offset !== 0 || t.storage.length !== t.size || !t.isContiguous) return null;
    return this.activations.get(t.storage) ?? null;
  }
  remember(data: Float32Array, bits: Uint16Array): void {
    this.activations.set(data, bits);
  }
  /**
   * What a node keeps of its inputs: leaves that require grad as they are (their .grad is set on
   * them), and for any other input a stand-in with its shape and gradFn but no data, so that the
   * sweep still reaches the op that made it (if any) while its float32 values — a computed
   * activation, or the data batch — are free to go once the ops that read them are done (those
   * that save them in bfloat16 hold only the bits). One stand-in per tensor, so gradients from
   * several consumers still meet in one place.
   */
  keep(inputs: readonly Tensor[]): readonly Tensor[] {
    return inputs.map((t) => {
      if (t.gradFn === null && t.requiresGrad) return t;
      let s = this.standIns.get(t);
      if (!s) {
        s = new Tensor(EMPTY_STORAGE, t.dtype, t.shape);
        if (t.gradFn !== null) s.gradFn = t.gradFn;
        this.standIns.set(t, s);
      }
      return s;
    });
  }
}

let open: Bf16Scope | null = null;

/**
 * Runs `fn` (synchronous: the scope closes when it returns) in a bfloat16 mixed-precision scope
 * and returns its result. A function that returns a Promise (an async function) is refused with
 * a ValueError once the scope has closed: all it ran after its first await was outside. Call the forward pass and the loss inside, backward() and the optimizer
 * step after it. Linear and Conv (and the fused steps built on them) save the activations their
 * backward needs in bfloat16 and sum in float32; the graph keeps no float32 intermediate.
 * Nested scopes share the outer one. Float64 tensors and other ops run as they would outside.
 *
 *   const loss = eg.nn.autocast("bf16", () => eg.nn.crossEntropy(model.forward(x), y));
 *   opt.zeroGrad(); loss.backward(); opt.step();
 */
export function autocast<T>(dtype: AutocastDType, fn: () => T): T {
  checkPrecision("autocast", dtype);
  if (typeof fn !== "function") throw new ValueError(`autocast: expected a function to run in the scope, got ${typeof fn}`);
  return synchronous(open !== null ? fn() : inScope(fn));
}

/**
 * The callback's result, unless it is a promise: an async callback runs in the scope only up to
 * its first await, and everything after would silently run in float32. The scope has already
 * closed (inScope's finally) when this throws. The promise's own outcome is dropped, so that its
 * rejection does not surface later as an unhandled one on top of this error.
 */
function synchronous<T>(result: T): T {
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    (result as unknown as PromiseLike<unknown>).then(undefined, () => {});
    throw new ValueError("autocast: the function returned a Promise; it must be synchronous (an async function leaves the scope at its first await)");
  }
  return result;
}

function inScope<T>(fn: () => T): T {
  const scope = new Bf16Scope();
  const opsBefore = mixedPrecision.active;
  mixedPrecision.active = {
    linear: (x, w, b, relu) => linearBf16(scope, x, w, b, relu),
    conv2d: (x, w, b, g, relu) => conv2dBf16(scope, x, w, b, g as Conv2dGeometry, relu),
    conv2dReluMaxPool: (x, w, b, g) => conv2dReluMaxPoolBf16(scope, x, w, b, g as Conv2dGeometry),
  };
  const keptBefore = setKeptInputs((inputs) => scope.keep(inputs));
  open = scope;
  try {
    return fn();
  } finally {
    open = null;
    setKeptInputs(keptBefore);
    mixedPrecision.active = opsBefore;
  }
}
