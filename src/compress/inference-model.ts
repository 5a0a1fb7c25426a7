// An inference-only model compiled from a Sequential MLP: each fused Linear step (with its ReLU)
// becomes a layer that runs on a compressed form (f32 dense, CSR sparse, or int8), other
// modules run as they are. It is a Module, so eg.nn.predict / evaluate work on it unchanged.
import { ShapeError, ValueError } from "../errors.js";
import { fromTypedArray, type Tensor } from "../ndarray/index.js";
import { unhandledStep, type FusedStep } from "../nn/fusion.js";
import { inEvalMode } from "../nn/eval-mode.js";
import { Dropout } from "../nn/layers.js";
import { Module, type LoadStateDictResult } from "../nn/module.js";
import { fuseForInference, Sequential } from "../nn/sequential.js";
import { typeName } from "../type-name.js";

/** One compiled Linear: float32 rows in, float32 rows out, no autograd. */
export interface InferenceLayer {
  readonly kind: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly relu: boolean;
  /** y [m × outFeatures] for x [m × inFeatures] (row-major). */
  run(x: Float32Array, m: number): Float32Array;
  /** Bytes of the stored parameters in this form. */
  bytes(): number;
  /** Parameters of the Linear it came from (weights + biases), and how many are nonzero. */
  parameters(): number;
  nonZeros(): number;
}

/** One compiled layer on whole tensors (a convolution: [N, C, (H,) W] in and out), no autograd. */
export interface TensorInferenceLayer {
  readonly kind: string;
  readonly relu: boolean;
  forward(x: Tensor): Tensor;
  /** This layer's and `next`'s forward as one call, when the layer can run that module inside it; else null. */
  fuseNext?(next: Module): ((x: Tensor) => Tensor) | null;
  /**
   * The forward of consecutive layers (this one first), each with the module it runs inside
   * (fuseNext) or alone, as one call that passes the outputs between them on inside the
   * kernels' memory; null when they cannot be.
   */
  fuseRun?(units: readonly RunUnit[]): ((x: Tensor) => Tensor) | null;
  bytes(): number;
  parameters(): number;
  nonZeros(): number;
}

/** One layer of a run for fuseRun: the module fused into it (or null), and its own forward with that module. */
export interface RunUnit {
  readonly layer: TensorInferenceLayer;
  readonly next: Module | null;
  readonly forward: (x: Tensor) => Tensor;
}

export type CompiledLayer = InferenceLayer | TensorInferenceLayer;
export type Step = CompiledLayer | Module;
const isLayer = (s: Step): s is CompiledLayer => !(s instanceof Module);
const onRows = (s: CompiledLayer): s is InferenceLayer => "inFeatures" in s;

/**
 * The fused steps of a model to compile: a Sequential, or a bare Linear/Conv1d/Conv2d as a
 * one-layer model. Fused as in eval mode (BatchNorm folded into the convolution before it).
 * Dropout is dropped (the identity at inference); Linear and Conv layers must
 * hold float32 weights.
 */
export function compileSteps(model: Module, where: string): FusedStep[] {
  const expected = () => new ValueError(`${where}: expected an nn.Sequential, nn.Linear, nn.Conv1d or nn.Conv2d, got ${typeName(model)}`);
  if (!(model instanceof Module)) throw expected();
  const steps = fuseForInference(model);
  // A bare layer is a model when it is one Linear or Conv step (no class imports here: an MLP
  // application must not bundle the convolutions).
  if (!(model instanceof Sequential) && !(steps.length === 1 && (steps[0].kind === "linear" || steps[0].kind === "conv"))) throw expected();
  const out: FusedStep[] = [];
  for (const s of steps) {
    if (s.kind === "linear" || s.kind === "conv") {
      const dtype = s.layer.weight.dtype;
      if (dtype !== "float32") throw new ValueError(`${where}: layer ${s.index}: ${typeName(s.layer)} has ${dtype} weights; only float32 models compile`);
      out.push(s);
    } else if (s.kind === "module") {
      if (s.module instanceof Sequential) throw new ValueError(`${where}: nested Sequential at layer ${s.index}; flatten the model first`);
      // Dropout2d stays: in eval mode (where compiled models keep their modules) it is the identity.
      if (!(s.module instanceof Dropout)) out.push(s);
    } else unhandledStep(s);
  }
  return out;
}

export class InferenceSequential extends Module {
  static readonly typeName: string = "InferenceSequential";
  readonly steps: readonly Step[];
  /**
   * Step i → the forward of steps i and i + 1 as one call, where the layer at i runs the module
   * after it inside (an int8 convolution and its 2×2 max pool). The steps themselves stay, so
   * the exporter and the report see the model as it was built.
   */
  private readonly fused = new Map<number, (x: Tensor) => Tensor>();
  /** Step i → the forward of the run of tensor layers starting there (fuseRun), and how many steps it spans. */
  private readonly runs = new Map<number, { forward: (x: Tensor) => Tensor; steps: number }>();

  constructor(steps: Step[]) {
    super();
    this.steps = steps;
    steps.forEach((s, i) => {
      if (!isLayer(s)) this.registerModule(String(i), s);
      const next = steps[i + 1];
      const pair = isLayer(s) && !onRows(s) && next !== undefined && !isLayer(next) ? s.fuseNext?.(next) : null;
      if (pair) this.fused.set(i, pair);
    });
    this.findRuns();
    this.eval();
  }

  /** Consecutive tensor layers (each with the module fused into it) that the first one runs as one call. */
  private findRuns(): void {
    for (let i = 0; i < this.steps.length;) {
      const units: RunUnit[] = [];
      let j = i;
      for (let s = this.steps[j]; s !== undefined && isLayer(s) && !onRows(s); s = this.steps[j]) {
        const layer = s, pair = this.fused.get(j);
        const next = pair ? (this.steps[j + 1] as Module) : null;
        units.push({ layer, next, forward: pair ?? ((x) => layer.forward(x)) });
        j += pair ? 2 : 1;
      }
      const run = units.length > 1 ? units[0].layer.fuseRun?.(units) : null;
      if (run) this.runs.set(i, { forward: run, steps: j - i });
      i = Math.max(j, i + 1);
    }
  }

  /** The compiled layers (not the plain modules between them). */
  get layers(): CompiledLayer[] {
    return this.steps.filter(isLayer);
  }

  // This model only infers: fit() toggling train() must not wake a Dropout. Its plain modules are
  // the float model's own, so their flags are left as they are; forward runs them in eval mode.
  override train(mode = true): this {
    if (typeof mode !== "boolean") throw new ValueError(`InferenceSequential.train: mode must be true or false, got ${typeof mode === "string" ? JSON.stringify(mode) : String(mode)}`);
    this.training = mode;
    return this;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.steps.length; i++) {
      const s = this.steps[i], run = this.runs.get(i), pair = this.fused.get(i);
      if (run) { h = run.forward(h); i += run.steps - 1; continue; }
      if (pair) { h = pair(h); i++; continue; }
      // A plain module is shared with the float model, whose mode may change after compiling
      // (quantizeModel gives every module its own mode back): it runs in eval mode here.
      if (!isLayer(s)) { const input = h; h = inEvalMode(s, () => s.forward(input)); continue; }
      if (!onRows(s)) { h = s.forward(h); continue; }
      if (h.ndim < 1 || h.shape[h.ndim - 1] !== s.inFeatures) {
        throw new ShapeError(`${s.kind} layer: input [${h.shape}] does not end in ${s.inFeatures} features`);
      }
      const m = h.size / s.inFeatures;
      const data = h.dtype === "float32" ? (h.data as Float32Array) : (h.astype("float32").data as Float32Array);
      h = fromTypedArray(s.run(data, m), [...h.shape.slice(0, -1), s.outFeatures]);
    }
    return h;
  }

  /**
   * Compiled layers are not modules, so a state dict would hold only the modules between them
   * (an unfused BatchNorm) and a saved file would silently lack every int8/sparse weight: both
   * directions are refused while the model has compiled layers.
   */
  private refuseStateDict(what: string): void {
    if (this.layers.length > 0) {
      throw new ValueError(`InferenceSequential.${what}: the compiled ${this.layers.map((l) => l.kind).join(", ")} layers have no state dict; save the float model's stateDict() and compile it again after loading, or export this model with exportOnnx`);
    }
  }
  override stateDict(): Record<string, Tensor> {
    this.refuseStateDict("stateDict");
    return super.stateDict();
  }
  override loadStateDict(sd: Record<string, Tensor>, o: { strict?: boolean } = {}): LoadStateDictResult {
    this.refuseStateDict("loadStateDict");
    return super.loadStateDict(sd, o);
  }

  /** Bytes of all compiled layers' parameters (the modules between them have none). */
  bytes(): number {
    return this.layers.reduce((s, l) => s + l.bytes(), 0);
  }
  parameterCount(): number {
    return this.layers.reduce((s, l) => s + l.parameters(), 0);
  }
  nonZeroCount(): number {
    return this.layers.reduce((s, l) => s + l.nonZeros(), 0);
  }
}

/** Non-zero entries of a layer's weight and bias (the report's "nonzeros"). */
export function countNonZeros(weight: ArrayLike<number>, bias: ArrayLike<number> | null): number {
  let nz = 0;
  for (let i = 0; i < weight.length; i++) if (weight[i] !== 0) nz++;
  if (bias) for (let i = 0; i < bias.length; i++) if (bias[i] !== 0) nz++;
  return nz;
}
