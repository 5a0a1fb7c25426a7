// Mixed-precision scopes (PyTorch's torch.autocast, for bfloat16 on the CPU): inside
// autocast("bf16", fn), Linear and Conv (linear, conv2d, conv1d and the fused steps that call
// them) keep the activations their backward needs in bfloat16 (round to nearest even) and the
// graph keeps no float32 intermediate of its own (see keep), so the memory held for the backward
// roughly halves; every sum is float32. With { weights: "bf16" } the kernels also read a bfloat16
// copy of each weight, made once per scope from the float32 master weights.
// Outputs, gradients and the optimizer stay float32. On a CPU without bfloat16 arithmetic the
// gain is memory, not speed (bench/RESULTS-mixed-precision.md).
import { setKeptInputs } from "../ndarray/autograd.js";
import { mixedPrecision } from "../ndarray/mixed-precision-hook.js";
import { Tensor } from "../ndarray/index.js";
import { bf16Kernels, type Conv2dGeometry } from "../backend/index.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { conv2dBf16, linearBf16, type Bf16Store } from "./autocast-ops.js";
import { checkPrecision } from "./autocast-check.js";

export type AutocastDType = "bf16";


const EMPTY_STORAGE = new Float32Array(0);

/** One scope's copies: weights by tensor, activations by their float32 storage, graph stand-ins. */
class Bf16Scope implements Bf16Store {
  constructor(readonly weightsInBf16: boolean) {}
  private readonly weights = new Map<Tensor, Uint16Array>();
  private readonly activations = new WeakMap<object, Uint16Array>();
  private readonly standIns = new WeakMap<Tensor, Tensor>();

  weightBits(w: Tensor): Uint16Array {
    const cached = this.weights.get(w);
    if (cached) return cached;
    const data = (w.dtype === "float32" ? w : w.astype("float32")).data as Float32Array;
    const bits = new Uint16Array(data.length);
    bf16Kernels().f32ToBf16(data, bits);
    // A parameter (a leaf) cannot change inside the scope's forward; a computed weight can.
    if (w.gradFn === null) this.weights.set(w, bits);
    return bits;
  }
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

export interface AutocastOptions {
  /**
   * "fp32" (default): the kernels read the float32 master weights. "bf16": they read a bfloat16
   * copy of each weight, made at its first use in the scope and kept for the backward (dX reads
   * it too): half the bytes of W per read, but the copies cost a pass per step and are memory
   * held for the backward — on the CPUs measured it does not pay (bench/RESULTS-mixed-precision.md).
   */
  weights?: "fp32" | "bf16";
}

let open: Bf16Scope | null = null;

/**
 * Runs `fn` (synchronous: the scope closes when it returns) in a bfloat16 mixed-precision scope
 * and returns its result. Call the forward pass and the loss inside, backward() and the optimizer
 * step after it. Linear and Conv (and the fused steps built on them) save the activations their
 * backward needs in bfloat16 and sum in float32; the graph keeps no float32 intermediate.
 * Nested scopes share the outer one. Float64 tensors and other ops run as they would outside.
 *
 *   const loss = eg.nn.autocast("bf16", () => eg.nn.crossEntropy(model.forward(x), y));
 *   opt.zeroGrad(); loss.backward(); opt.step();
 */
export function autocast<T>(dtype: AutocastDType, fn: () => T, o: AutocastOptions = {}): T {
  checkPrecision("autocast", dtype);
  if (typeof fn !== "function") throw new ValueError(`autocast: expected a function to run in the scope, got ${typeof fn}`);
  checkOptions("autocast", o, ["weights"]);
  const weights = o.weights ?? "fp32";
  if (weights !== "fp32" && weights !== "bf16") throw new ValueError(`autocast: weights must be "fp32" or "bf16", got ${JSON.stringify(weights)}`);
  if (open !== null) {
    if (o.weights !== undefined && (weights === "bf16") !== open.weightsInBf16) {
      throw new ValueError(`autocast: a nested scope asks for weights "${weights}" inside a scope that reads them in ${open.weightsInBf16 ? "bf16" : "fp32"}`);
    }
    return fn();
  }
  const scope = new Bf16Scope(weights === "bf16");
  const opsBefore = mixedPrecision.active;
  mixedPrecision.active = {
    linear: (x, w, b, relu) => linearBf16(scope, x, w, b, relu),
    conv2d: (x, w, b, g, relu) => conv2dBf16(scope, x, w, b, g as Conv2dGeometry, relu),
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
