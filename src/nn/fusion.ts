// The one place that decides which consecutive modules run as one fused step. Sequential's
// forward, the compiled inference models (int8, sparse) and the ONNX exporter all walk a model
// through fuseLayers, so a fusion is written once and every consumer sees the same steps.
import type { Tensor } from "../ndarray/index.js";
import type { Conv1d, Conv2d } from "./conv-layers.js";
import { ReLU } from "./layers.js";
import { Linear } from "./linear.js";
import type { Module } from "./module.js";
import type { BatchNorm1d, BatchNorm2d } from "./norm-layers.js";
import type { MaxPool2d } from "./pool-layers.js";

/**
 * One step of a fused module list. `index` is the position of the step's first module in the
 * list, so that messages and exported names can point at the module the user wrote.
 *   linear: a Linear, with the ReLU that follows it run in the GEMM's epilogue when `relu`;
 *   conv: a Conv1d/Conv2d, with the eval-mode BatchNorm that follows it folded into its weight
 *         and bias when `batchNorm` is set, and the ReLU after them in the GEMM's epilogue;
 *   module: any other module, run as it is.
 * Sequential's own forward also runs ConvPoolStep (see fuseLayers).
 */
export type FusedStep =
  | { kind: "linear"; layer: Linear; relu: boolean; index: number }
  | ConvStep
  | { kind: "module"; module: Module; index: number };

/**
 * A Conv2d→ReLU step (a BatchNorm2d between them: folded in eval mode, normalizing by the batch
 * in place in training) followed by a 2×2, stride-2 MaxPool2d, run as one op whose full-size
 * convolution output stays inside the kernels: a step only Sequential's forward asks for.
 */
export interface ConvPoolStep { kind: "convPool"; conv: ConvStep; pool: MaxPool2d; index: number }
export type SequentialStep = FusedStep | ConvPoolStep;

export interface ConvStep {
  kind: "conv"; layer: Conv1d | Conv2d; batchNorm: BatchNorm1d | BatchNorm2d | null; relu: boolean; index: number;
}

type ModuleClass = abstract new (...args: never[]) => Module;

export interface FusionPattern {
  /** Module classes that must follow each other directly (instanceof, so subclasses match). */
  readonly sequence: readonly ModuleClass[];
  /** The step the matched modules become. */
  build(matched: readonly Module[], index: number): SequentialStep;
  /** An extra condition on the matched modules; without it the sequence alone decides. */
  applies?(matched: readonly Module[]): boolean;
  /** Set on rows that build a "convPool" step: fuseLayers tries them only when asked to. */
  convPool?: true;
}

/**
 * The fusions, tried in order at each position; the first row that matches consumes its
 * modules, so a longer sequence goes before a shorter one that starts with the same class.
 *
 * Adding a fusion is a row here plus, for a new kind of layer, a step kind; every consumer
 * branches on `kind` and ends in unhandledStep, so the compiler names each place that must learn
 * a new kind. The "conv" rows are written that way: [Conv, BatchNorm, ReLU], [Conv, BatchNorm],
 * [Conv, ReLU], [Conv], for Conv2d with BatchNorm2d and Conv1d with BatchNorm1d, in
 * conv-fusion.ts (registerConvFusions keeps them out of MLP-only bundles). Linear→BatchNorm1d
 * would be: give the "linear" kind a `batchNorm: BatchNorm1d | null` field and put the rows [Linear, BatchNorm1d, ReLU] and
 * [Linear, BatchNorm1d] before [Linear, ReLU]. Folding a BatchNorm's running statistics into
 * the weights is right only in eval mode, so such rows carry `applies: ([, bn]) => !bn.training`:
 * in training the modules stay separate steps (Sequential fuses on every call, so the mode
 * switch is seen).
 */
const PATTERNS: FusionPattern[] = [
  { sequence: [Linear, ReLU], build: ([layer], index) => ({ kind: "linear", layer: layer as Linear, relu: true, index }) },
  { sequence: [Linear], build: ([layer], index) => ({ kind: "linear", layer: layer as Linear, relu: false, index }) },
];

/**
 * What the consumers of a "conv" step call, registered with the conv rows by conv-fusion.ts:
 * reaching them here rather than by importing that file keeps the convolutions out of the
 * bundles of applications (and compiled MLPs) that never build one.
 */
export interface ConvStepSupport {
  /** The float forward of the step (Sequential's). */
  run(step: ConvStep, x: Tensor): Tensor;
  /** The float forward of a convPool step. */
  runPool(step: ConvPoolStep, x: Tensor): Tensor;
  /** The weight and bias the step convolves with (its BatchNorm folded in). */
  parameters(step: ConvStep): { weight: Tensor; bias: Tensor | null };
  /** The step's convolution with other weights (same geometry and relu). */
  convolve(step: ConvStep, x: Tensor, weight: Tensor, bias: Tensor | null): Tensor;
  /** The layer's arguments per spatial dimension, "same"/"valid" resolved. */
  convArguments(layer: Conv1d | Conv2d): {
    kernelSize: number[]; stride: number[]; padding: number[]; paddingEnd: number[]; dilation: number[]; groups: number;
  };
}
let support: ConvStepSupport | null = null;

/** The registered conv support; only reachable from a conv step, which exists only once it is registered. */
export function convSupport(): ConvStepSupport {
  if (!support) throw new Error("conv step without the convolution layers loaded");
  return support;
}

/**
 * Adds the rows of a family of layers that lives in its own files (the convolutions: the rows
 * and the conv step's forward are in conv-fusion.ts, registered when conv-layers.ts loads), so
 * that an application using only Linear layers bundles none of their code. Rows go before the
 * ones already there; a family's rows never start with another family's class.
 */
export function registerConvFusions(rows: readonly FusionPattern[], conv: ConvStepSupport): void {
  if (support) return;   // once: a second copy of the module must not add the rows twice
  PATTERNS.unshift(...rows);
  support = conv;
}

function matchAt(modules: readonly Module[], at: number, p: FusionPattern): readonly Module[] | null {
  if (at + p.sequence.length > modules.length) return null;
  const matched = modules.slice(at, at + p.sequence.length);
  if (!matched.every((m, i) => m instanceof p.sequence[i])) return null;
  return p.applies && !p.applies(matched) ? null : matched;
}

/**
 * Rewrites a module list into fused steps (the modules themselves are shared, not copied).
 * ConvPoolSteps only with `convPool: true`: Sequential's own forward asks for them; the
 * compilers and the exporter, which read a step's layers, see the conv step and the pool module.
 */
export function fuseLayers(modules: readonly Module[]): FusedStep[];
export function fuseLayers(modules: readonly Module[], o: { convPool: true }): SequentialStep[];
export function fuseLayers(modules: readonly Module[], o: { convPool?: boolean } = {}): SequentialStep[] {
  const steps: SequentialStep[] = [];
  for (let i = 0; i < modules.length;) {
    let step: SequentialStep = { kind: "module", module: modules[i], index: i };
    let width = 1;
    for (const p of PATTERNS) {
      if (p.convPool && o.convPool !== true) continue;
      const matched = matchAt(modules, i, p);
      // Sequential's forward (convPool: true) runs a module whose forward is replaced on the instance
      // (module hooks) on its own: a fused step would skip it. Compilers and exporters fuse as usual.
      if (matched && o.convPool === true && matched.some((m) => Object.hasOwn(m, "forward"))) continue;
      if (matched) { step = p.build(matched, i); width = matched.length; break; }
    }
    steps.push(step);
    i += width;
  }
  return steps;
}

/** The float forward of one step: what the separate modules compute, as one op where fused. */
export function runStep(step: SequentialStep, x: Tensor): Tensor {
  if (step.kind === "linear") return step.relu ? step.layer.forwardRelu(x) : step.layer.forward(x);
  if (step.kind === "conv") return convSupport().run(step, x);
  if (step.kind === "convPool") return convSupport().runPool(step, x);
  if (step.kind === "module") return step.module.forward(x);
  return unhandledStep(step);
}

/** For the end of a branch on FusedStep["kind"]: a kind no branch handled fails to compile. */
export function unhandledStep(step: never): never {
  throw new Error(`fused step of unknown kind ${JSON.stringify((step as { kind: unknown }).kind)}`);
}
