import { ValueError } from "../errors.js";
import { Rng, type Tensor } from "../ndarray/index.js";
import { withGlobalRng } from "../ndarray/random.js";
import { prepare } from "../nn/evaluate.js";
import { batchBuffer, checkBatchSize, gather, resolveLoss, type LossFn } from "../nn/fit-data.js";
import { Module } from "../nn/module.js";
import type { OptimizerStateDict } from "../optim/index.js";
import { checkOptions } from "../options.js";
import { positive } from "./trial.js";

/** An optimizer the finder can drive and put back: edgegrad's optimizers all are. */
export interface FinderOptimizer {
  paramGroups: { lr: number }[];
  step(): void;
  zeroGrad(): void;
  stateDict(): OptimizerStateDict;
  loadStateDict(sd: OptimizerStateDict): void;
}

export interface LrFinderOptions {
  optimizer: FinderOptimizer;
  loss: string | LossFn;
  /** First learning rate (default 1e-7). */
  startLr?: number;
  /** Last learning rate (default 10). */
  endLr?: number;
  /** Mini-batches, the lr growing exponentially from startLr to endLr over them (default 100). */
  numIter?: number;
  /** Weight of each new loss in the running average (default 0.05; the average is bias-corrected). */
  smoothing?: number;
  /**
   * Stop when the smoothed loss rises above its best by more than (divergeFactor − 1) × |best|
   * (default 4: for a positive best, the same as exceeding 4 × best; losses may be negative).
   */
  divergeFactor?: number;
  batchSize?: number;
  /** Seeds the batches' order and, during the test, unseeded Dropout. */
  seed?: number;
}

export interface LrFinderResult {
  /** The learning rate of each step taken. */
  lrs: number[];
  /** The smoothed loss after each step. */
  losses: number[];
  /** The unsmoothed batch losses. */
  rawLosses: number[];
  /** The recommended learning rate: `minimumOverTen` (see lrFinder for why). */
  suggestion: number;
  /** The lr where the smoothed loss falls fastest per decade of lr, before its minimum. */
  steepest: number;
  /** The lr of the smoothed loss's minimum, divided by 10. */
  minimumOverTen: number;
  /** Why the test ended: "endLr" or "diverged". */
  stopReason: "endLr" | "diverged";
}

const FINDER_KEYS = ["optimizer", "loss", "startLr", "endLr", "numIter", "smoothing", "divergeFactor", "batchSize", "seed"];

/** Everything the test changes, copied so that it can be put back bit for bit. */
function snapshot(model: Module, optimizer: FinderOptimizer): () => void {
  const tensors = [...model.parameters(), ...model.buffers()];
  const values = tensors.map((t) => (t.storage as Float32Array).slice());
  const grads = model.parameters().map((p) => p.grad);
  const modes = model.modules().map((m) => m.training);
  // Seeded layers (Dropout) own a generator: find them among the modules' fields.
  const rngs = model.modules().flatMap((m) => Object.values(m).filter((v): v is Rng => v instanceof Rng)).map((r) => [r, r.getState()] as const);
  const opt = optimizer.stateDict();
  return () => {
    tensors.forEach((t, i) => (t.storage as Float32Array).set(values[i]));
    model.parameters().forEach((p, i) => (p.grad = grads[i]));
    model.modules().forEach((m, i) => (m.training = modes[i]));
    for (const [r, s] of rngs) r.setState(s);
    optimizer.loadStateDict(opt);
  };
}

function checkFinder(model: Module, o: LrFinderOptions) {
  if (!(model instanceof Module)) throw new ValueError("lrFinder: model must be a Module");
  if (o === undefined || o === null) throw new ValueError("lrFinder: options { optimizer, loss } are required");
  checkOptions("lrFinder", o, FINDER_KEYS);
  const opt = o.optimizer;
  if (!opt || typeof opt.step !== "function" || typeof opt.stateDict !== "function" || typeof opt.loadStateDict !== "function" || !Array.isArray(opt.paramGroups)) {
    throw new ValueError("lrFinder: optimizer must be an optimizer instance (with stateDict and loadStateDict, to be restored)");
  }
  const startLr = positive("lrFinder", "startLr", o.startLr ?? 1e-7);
  const endLr = positive("lrFinder", "endLr", o.endLr ?? 10);
  if (!(endLr > startLr)) throw new ValueError(`lrFinder: endLr ${endLr} must be above startLr ${startLr}`);
  const numIter = positive("lrFinder", "numIter", o.numIter ?? 100, true);
  if (numIter < 5) throw new ValueError(`lrFinder: numIter must be at least 5, got ${numIter}`);
  const smoothing = o.smoothing ?? 0.05;
  if (typeof smoothing !== "number" || !(smoothing > 0 && smoothing <= 1)) throw new ValueError(`lrFinder: smoothing must be in (0, 1], got ${String(smoothing)}`);
  const divergeFactor = positive("lrFinder", "divergeFactor", o.divergeFactor ?? 4);
  if (divergeFactor <= 1) throw new ValueError(`lrFinder: divergeFactor must be above 1, got ${divergeFactor}`);
  const seed = o.seed ?? 0;
  if (typeof seed !== "number" || !Number.isFinite(seed)) throw new ValueError(`lrFinder: seed must be a finite number, got ${String(seed)}`);
  return { startLr, endLr, numIter, smoothing, divergeFactor, seed, batchSize: checkBatchSize("lrFinder", o.batchSize ?? 32) };
}

/**
 * The two usual readings of the curve. steepest: the most negative slope of the smoothed loss
 * against log lr (central differences), looked for before the minimum; minimumOverTen: the
 * minimum's lr / 10 (fastai's "lr_min").
 */
export function readCurve(lrs: number[], losses: number[]): { steepest: number; minimumOverTen: number } {
  let iMin = 0;
  for (let i = 1; i < losses.length; i++) if (losses[i] < losses[iMin]) iMin = i;
  let iSteep = 0, slope = Infinity;
  for (let i = 1; i < iMin; i++) {
    const s = (losses[i + 1] - losses[i - 1]) / (Math.log(lrs[i + 1]) - Math.log(lrs[i - 1]));
    if (s < slope) [iSteep, slope] = [i, s];
  }
  return { steepest: lrs[iMin > 1 ? iSteep : iMin], minimumOverTen: lrs[iMin] / 10 };
}

/**
 * Smith's learning-rate range test (Smith 2017, as fastai's lr_find): train for numIter
 * mini-batches with the lr growing exponentially from startLr to endLr, record the
 * exponentially smoothed, bias-corrected loss, and stop once it rises above its best by more than
 * (divergeFactor − 1) × |best| (divergeFactor × best when the best is positive; the rule holds
 * for losses that go below zero, such as a Poisson NLL on log inputs).
 * The model's weights, buffers, gradients, train/eval modes, its layers' generators and the
 * optimizer's state (lr included) are put back exactly afterwards.
 *
 * `suggestion` is `minimumOverTen` (fastai's lr_min). The smoothed loss keeps falling until the
 * steepest direction of the loss blows up (for gradient descent, past 2/L) and its minimum lags
 * the raw curve, so a tenth of it lands near the step a fixed lr should take: on least-squares
 * problems of several conditionings and scales it fell within 1.2–1.7 × 1/L, where the steepest
 * point of the smoothed curve spread over 0.25–3 × 1/L (it depends on which descent is the
 * steepest). Both readings are returned.
 */
export async function lrFinder(model: Module, x: Tensor, y: Tensor, o: LrFinderOptions): Promise<LrFinderResult> {
  const c = checkFinder(model, o);
  const loss = resolveLoss(o.loss);
  // Taken first: prepare() runs the model in eval mode and sets every module's mode back to the root's.
  const restore = snapshot(model, o.optimizer);
  const lrs: number[] = [], losses: number[] = [], rawLosses: number[] = [];
  let stopReason: LrFinderResult["stopReason"] = "endLr";
  try {
    const { xr, yr } = prepare(model, x, y, loss.name, "lrFinder");
    const rng = new Rng(c.seed);
    const order = Int32Array.from({ length: xr.n }, (_, i) => i);
    const xb = batchBuffer(xr, c.batchSize, true), yb = batchBuffer(yr, c.batchSize, false);
    let avg = 0, best = Infinity, at = xr.n;
    model.train();
    for (let i = 0; i < c.numIter; i++) {
      if (at >= xr.n) { rng.shuffle(order); at = 0; }
      const end = Math.min(at + c.batchSize, xr.n);
      const lr = c.startLr * (c.endLr / c.startLr) ** (i / (c.numIter - 1));
      for (const g of o.optimizer.paramGroups) g.lr = lr;
      const lv = withGlobalRng(rng, () => {
        const out = model.forward(gather(xr, order, at, end, xb, true)) as Tensor;
        let l = loss.fn(out, gather(yr, order, at, end, yb, false));
        const reg = model.regularizationLoss();
        if (reg) l = l.add(reg);
        o.optimizer.zeroGrad();
        l.backward();
        o.optimizer.step();
        return l.item();
      });
      at = end;
      avg = (1 - c.smoothing) * avg + c.smoothing * lv;
      const smoothed = avg / (1 - (1 - c.smoothing) ** (i + 1));
      lrs.push(lr); rawLosses.push(lv); losses.push(smoothed);
      best = Math.min(best, smoothed);
      // smoothed − best > (f − 1)·|best|: equal to smoothed > f·best for best > 0, and still
      // meaningful when the loss is negative (there smoothed > f·best holds for any smoothed ≥ best).
      if (!Number.isFinite(smoothed) || smoothed - best > (c.divergeFactor - 1) * Math.abs(best)) { stopReason = "diverged"; break; }
    }
  } finally {
    restore();
  }
  const { steepest, minimumOverTen } = readCurve(lrs, losses.map((v) => (Number.isFinite(v) ? v : Infinity)));
  return { lrs, losses, rawLosses, suggestion: minimumOverTen, steepest, minimumOverTen, stopReason };
}
