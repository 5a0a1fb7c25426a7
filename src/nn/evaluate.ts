import { ShapeError, ValueError } from "../errors.js";
import { concat, noGrad, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import type { Logs } from "./callbacks.js";
import { batchBuffer, checkBatchSize, checkFinite, checkLabels, countCorrect, CUSTOM_LOSS, gather, resolveLoss, rowsOf, type LossFn, type Rows } from "./fit-data.js";
import { inEvalMode } from "./eval-mode.js";
import { inferenceBatches } from "./inference-batches.js";
import { Module } from "./module.js";
import type { LossModule } from "./loss-module.js";

/** Whole-dataset passes in eval mode: the checks fit/evaluate share, evaluate() and predict(). */

export const LOGIT_LOSSES = new Set(["bceWithLogits", "crossEntropy"]);
/** asCalled: a loss module, called as fit calls it (its own mean) and weighted by rows, as a custom loss. */
export type ResolvedLoss = { fn: LossFn; name: string; asCalled?: boolean };

/**
 * The accuracy keys to log, each named as given, as Keras names a metric: "accuracy", or its
 * alias "acc" (logged as "acc" and "val_acc").
 */
export function checkMetrics(metrics: unknown): string[] {
  if (!Array.isArray(metrics)) throw new ValueError(`metrics must be an array of names, got ${String(metrics)}`);
  for (const m of metrics) if (m !== "accuracy" && m !== "acc") throw new ValueError(`unknown metric "${m}"; supported: accuracy (or its alias acc)`);
  return [...new Set(metrics as string[])];
}

/** Validates data against the model once, before any update: shapes, NaN/∞, label range. */
export function prepare(model: Module, x: Tensor, y: Tensor, lossName: string, what: string): { xr: Rows; yr: Rows } {
  const xr = rowsOf(x, `${what}: x`);
  const yr = rowsOf(y, `${what}: y`);
  if (xr.n !== yr.n) throw new ShapeError(`${what}: x has ${xr.n} samples but y has ${yr.n}`);
  if (xr.n === 0) throw new ValueError(`${what}: no samples`);
  checkFinite(xr, `${what}: x`);
  checkFinite(yr, `${what}: y`);
  // One sample through the model in eval mode: a feature-count mismatch surfaces here as a ShapeError.
  const idx = Int32Array.of(0);
  const out: unknown = inEvalMode(model, () => model.predict(gather(xr, idx, 0, 1, batchBuffer(xr, 1, true), true)));
  if (!(out instanceof Tensor)) throw new ValueError(`${what}: the model's forward() must return one Tensor for a dataset loop, got ${Array.isArray(out) ? "an array" : typeof out}`);
  // A custom loss decides itself what targets it takes: no check is implied by its name.
  if (lossName === CUSTOM_LOSS) return { xr, yr };
  const classes = out.size;
  // Without a loss (evaluate for accuracy), [n] targets for a multi-output model are labels.
  const labels = lossName === "" && yr.rowShape.length === 0 && classes > 1;
  // Classes lie on axis 1 (crossEntropy's layout): an output [1, C, d…] takes a label per
  // position (Πd of them) or probabilities of its own shape, and nothing else.
  const positions = out.ndim > 2 ? classes / out.shape[1] : 1;
  if (positions > 1 && (lossName === "crossEntropy" || lossName === "") && yr.rowSize === positions) checkLabels(yr, out.shape[1], lossName || what, positions);
  else if ((lossName === "crossEntropy" && positions === 1) || labels) checkLabels(yr, classes, lossName || what);
  else if (yr.rowSize !== classes) {
    throw new ShapeError(`${what}: the model gives ${classes} outputs per sample but y has ${yr.rowSize} values per sample`);
  }
  return { xr, yr };
}

/** Sum over a batch of the per-sample loss, so that dividing by the sample count gives fit's figure. */
function batchLossSum(loss: ResolvedLoss, out: Tensor, yt: Tensor, rows: number): number {
  // A custom loss is called as fit calls it (its own default reduction, a mean) and weighted by rows.
  if (loss.name === CUSTOM_LOSS || loss.asCalled) return loss.fn(out, yt).item() * rows;
  // The mean fit takes is over elements, or for crossEntropy over positions (an output [n, C, d…]
  // has d… of them per sample): the sum is divided by their count per sample.
  const perSample = out.size / rows;
  const counted = loss.name === "crossEntropy" ? perSample / (out.ndim > 1 ? out.shape[1] : perSample) : perSample;
  return loss.fn(out, yt, { reduction: "sum" }).item() / counted;
}

/** Loss (sample mean) and accuracy of the model over whole arrays, in eval mode (each module's own mode restored), by batches. */
export function evaluateRows(model: Module, xr: Rows, yr: Rows, loss: ResolvedLoss | null, acc: readonly string[], batchSize: number): Logs {
  const idx = Int32Array.from({ length: xr.n }, (_, i) => i);
  // No larger than the data: a batchSize past it makes one batch of all.
  const xb = batchBuffer(xr, Math.min(batchSize, xr.n), true), yb = batchBuffer(yr, Math.min(batchSize, xr.n), false);
  let lossSum = 0, correct = 0, penalty = 0;
  // A custom loss is code of the program's own that sees each batch's output.
  const libraryOnly = loss === null || (loss.name !== CUSTOM_LOSS && !loss.asCalled);
  inEvalMode(model, () => noGrad(() => {
    // As Keras's test_step (compute_loss adds self.losses): the model's regularization penalties
    // are part of the loss, as in fit's training loss, so that loss and val_loss compare.
    if (loss) penalty = model.regularizationLoss()?.item() ?? 0;
    inferenceBatches(model, xb, libraryOnly, (buffer, inBatch) => {
      for (let s = 0, b = 0; s < xr.n; s += batchSize, b++) {
        const e = Math.min(s + batchSize, xr.n);
        inBatch(b, () => {
          const out = model.forward(gather(xr, idx, s, e, buffer, true)) as Tensor;
          const yt = gather(yr, idx, s, e, yb, false);
          if (loss) lossSum += batchLossSum(loss, out, yt, e - s);
          if (acc.length) correct += countCorrect(out, yt, LOGIT_LOSSES.has(loss?.name ?? ""));
        });
      }
    });
  }));
  const logs: Logs = {};
  if (loss) logs.loss = lossSum / xr.n + penalty;
  for (const k of acc) logs[k] = correct / xr.n;
  return logs;
}

/**
 * Loss and metrics over a dataset in eval mode (Keras's evaluate), e.g. { loss, accuracy }; the
 * loss includes the model's regularization penalties, as fit's and Keras's do.
 */
export function evaluate(model: Module, x: Tensor, y: Tensor,
                         o: { loss?: string | LossFn | LossModule; metrics?: string[]; batchSize?: number } = {}): Logs {
  if (!(model instanceof Module)) throw new ValueError("evaluate: model must be a Module");
  checkOptions("evaluate", o, ["loss", "metrics", "batchSize"]);
  const batchSize = checkBatchSize("evaluate", o.batchSize ?? 256);
  const loss = o.loss !== undefined ? resolveLoss(o.loss) : null;
  const acc = checkMetrics(o.metrics ?? ["accuracy"]);
  if (!loss && !acc.length) throw new ValueError("evaluate: metrics: [] without a loss leaves nothing to compute; give a loss or metrics");
  const { xr, yr } = prepare(model, x, y, loss?.name ?? "", "evaluate");
  return evaluateRows(model, xr, yr, loss, acc, batchSize);
}

/** Model outputs for all samples, in eval mode without autograd, computed by batches. */
export function predict(model: Module, x: Tensor, o: { batchSize?: number } = {}): Tensor {
  if (!(model instanceof Module)) throw new ValueError("predict: model must be a Module");
  checkOptions("predict", o, ["batchSize"]);
  const bs = checkBatchSize("predict", o.batchSize ?? 256);
  const xr = rowsOf(x, "predict: x");
  const idx = Int32Array.from({ length: xr.n }, (_, i) => i);
  return inEvalMode(model, () => {
    const parts: Tensor[] = [];
    // Every batch's output must be one Tensor, whatever the number of batches (an array of
    // outputs would come back as it is from one batch and fail concat from two).
    const run = (batch: Tensor, reused: boolean) => {
      const out: unknown = model.predict(batch);
      if (!(out instanceof Tensor)) throw new ValueError(`predict: the model's forward() must return one Tensor for a dataset loop, got ${Array.isArray(out) ? "an array" : typeof out}`);
      // An output in a reused array (the next batch's) or a view of the reused input buffer (a
      // model of views only, such as Flatten or eval-mode Dropout, returns its input) is copied.
      parts.push(reused ? out.clone() : out);
    };
    // No rows: the model runs on the empty batch [0, …] as Keras does, so the result has the
    // output's shape with 0 rows (a layer that cannot take an empty batch says so itself).
    if (xr.n === 0) {
      run(gather(xr, idx, 0, 0, batchBuffer(xr, 0, true), true), false);
      return parts[0];
    }
    return inferenceBatches(model, batchBuffer(xr, Math.min(bs, xr.n), true), true, (buffer, inBatch, reused) => {
      for (let s = 0, b = 0; s < xr.n; s += bs, b++) {
        // Else a fresh buffer per batch: a model of the program's own may keep its input.
        const e = Math.min(s + bs, xr.n);
        inBatch(b, () => run(gather(xr, idx, s, e, reused ? buffer : batchBuffer(xr, e - s, true), true), reused));
      }
      return parts.length === 1 ? parts[0] : concat(parts, 0);
    });
  });
}
