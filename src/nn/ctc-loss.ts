import { ValueError } from "../errors.js";
import { record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { checkBlank, readCtcBatch, type CtcBatch, type CtcLengths } from "./ctc-inputs.js";
import { ctcForward, ctcLogProbGrad, type CtcSample } from "./ctc-recursions.js";
import { LossModule } from "./loss-module.js";
import { checkReduction, flag, type LossOptions } from "./loss-reduction.js";

export type { CtcLengths } from "./ctc-inputs.js";

export interface CtcLossOptions extends LossOptions {
  /** The blank label's class index (default 0). */
  blank?: number;
  /** Give an impossible target (infinite loss) the loss 0 and the gradient 0 (default false). */
  zeroInfinity?: boolean;
}

/** Sample b's first inputLengths[b] frames of logProbs, as a float64 [T_b, C] table. */
function sampleOf(batch: CtcBatch, data: ArrayLike<number>, b: number, blank: number): CtcSample {
  const { classes: C, batch: N } = batch;
  const frames = batch.inputLengths[b];
  const x = new Float64Array(frames * C);
  for (let t = 0; t < frames; t++) for (let c = 0; c < C; c++) x[t * C + c] = data[(t * N + b) * C + c];
  return { x, frames, classes: C, labels: batch.labels[b], blank };
}

/**
 * Connectionist temporal classification loss (PyTorch's ctc_loss): −log of the probability that
 * logProbs ([T, N, C], or [T, C] for one sample: log-softmaxed scores per frame) read the target
 * after merging repeated labels and dropping blanks, summed over every alignment by the α
 * recursion (ctc-recursions.ts). Targets are padded [N, S] (the first targetLengths[b] labels of
 * row b) or all samples' labels concatenated; lengths are integer tensors or numbers.
 * Reductions: "none" ([N], or 0-d unbatched), "sum", and "mean": each loss divided by its target
 * length (at least 1), then averaged over the batch, as PyTorch. A target no alignment reads
 * (e.g. longer than the input, counting a blank between repeats) has loss +∞ and gradient NaN,
 * or loss and gradient 0 with zeroInfinity.
 *
 * The gradient is the derivative with respect to logProbs as given: minus each frame's posterior
 * probability of each class (from the β recursion), 0 at frames past a sample's input length.
 * PyTorch 1.13 adds exp(logProbs) to it, which is the gradient through a log-softmax; through
 * logSoftmax both give the logits the same gradient (exp(x) sums to 1 over the classes, as the
 * posteriors do, so log-softmax's backward removes that term).
 */
export function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: CtcLengths, targetLengths: CtcLengths,
                        o: CtcLossOptions = {}): Tensor {
  const name = "ctcLoss";
  checkOptions(name, o, ["reduction", "blank", "zeroInfinity"]);
  checkReduction(o.reduction, name);
  const reduction = o.reduction ?? "mean";
  const zeroInfinity = flag(o.zeroInfinity, false, name, "zeroInfinity");
  const batch = readCtcBatch(name, logProbs, targets, inputLengths, targetLengths, o.blank ?? 0);
  const blank = o.blank ?? 0;
  const data = logProbs.contiguous().data as ArrayLike<number>;
  const N = batch.batch;
  const samples = Array.from({ length: N }, (_, b) => sampleOf(batch, data, b, blank));
  const passes = samples.map(ctcForward);
  const losses = passes.map(({ nll }) => (zeroInfinity && nll === Infinity ? 0 : nll));
  // "mean" divides each loss by its target length, at least 1 (an empty target counts as one).
  const meanWeight = (b: number) => 1 / (Math.max(batch.labels[b].length, 1) * N);
  const FloatArray = logProbs.dtype === "float64" ? Float64Array : Float32Array;
  let result: Tensor;
  if (reduction === "none") result = new Tensor(FloatArray.from(losses), logProbs.dtype, batch.unbatched ? [] : [N]);
  else {
    const total = losses.reduce((sum, loss, b) => sum + (reduction === "mean" ? loss * meanWeight(b) : loss), 0);
    result = new Tensor(FloatArray.of(N === 0 && reduction === "mean" ? NaN : total), logProbs.dtype, []);
  }
  return record(result, name, [logProbs], (g) => {
    const gd = g.contiguous().data as ArrayLike<number>;
    const weightOf = (b: number) => (reduction === "none" ? gd[b] : reduction === "sum" ? gd[0] : gd[0] * meanWeight(b));
    const grad = new FloatArray(logProbs.size);
    const C = batch.classes;
    samples.forEach((sample, b) => {
      const { logAlpha, nll } = passes[b];
      if (nll === Infinity && zeroInfinity) return;
      // An impossible target's derivative is undefined: NaN over its frames, as PyTorch.
      const rows = nll === Infinity ? new Float64Array(sample.frames * C).fill(NaN) : ctcLogProbGrad(sample, logAlpha, nll);
      const w = weightOf(b);
      for (let t = 0; t < sample.frames; t++) for (let c = 0; c < C; c++) grad[(t * N + b) * C + c] = rows[t * C + c] * w;
    });
    return [new Tensor(grad, logProbs.dtype, logProbs.shape.slice())];
  });
}

/**
 * PyTorch's CTCLoss: forward(logProbs, targets, inputLengths, targetLengths) is ctcLoss with the
 * module's blank, reduction and zeroInfinity. Its four inputs make it a module to call, not a
 * `fit` loss (fit's loss takes output and target).
 */
export class CTCLoss extends LossModule {
  static readonly typeName: string = "CTCLoss";
  readonly lossFunction = ctcLoss;
  protected override readonly inputNames = ["logProbs", "targets", "inputLengths", "targetLengths"];
  readonly blank: number;
  readonly zeroInfinity: boolean;
  constructor(o: CtcLossOptions = {}) {
    super("CTCLoss", o, ["blank", "zeroInfinity"]);
    this.blank = checkBlank("CTCLoss", o.blank ?? 0);
    this.zeroInfinity = flag(o.zeroInfinity, false, "CTCLoss", "zeroInfinity");
  }
  lossOptions(): CtcLossOptions {
    return { reduction: this.reduction as LossOptions["reduction"], blank: this.blank, zeroInfinity: this.zeroInfinity };
  }
  /** The lengths may be numbers, as PyTorch's may be tuples, so only logProbs and targets must be Tensors. */
  override forward(logProbs: Tensor, targets: Tensor, inputLengths: CtcLengths, targetLengths: CtcLengths, ...extra: unknown[]): Tensor {
    if (targetLengths === undefined || extra.length > 0) {
      throw new ValueError("CTCLoss: forward takes (logProbs, targets, inputLengths, targetLengths)");
    }
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, this.lossOptions());
  }
}
