// swa.updateBn, PyTorch's torch.optim.swa_utils.update_bn: the running statistics of every
// BatchNorm recomputed for a model's current weights (an SWA average's, whose averaged weights
// the statistics gathered while training do not fit) by one pass over the data in train mode,
// as a cumulative average (momentum null) of the batches' statistics. The BatchNorms are
// recognized through the layer registry, not by importing their classes: a program whose models
// hold none does not ship the normalization modules for this.
import { ValueError } from "../errors.js";
import { noGrad } from "../ndarray/autograd.js";
import { Tensor } from "../ndarray/index.js";
import { Module } from "../nn/module.js";
import { isRegisteredLayer } from "../nn/layer-registry.js";
import type { BatchNorm1d, BatchNorm2d } from "../nn/norm-layers.js";
import type { BatchNorm3d } from "../nn/norm3d.js";
import { positiveInt } from "../checks.js";
import { checkOptions } from "../options.js";

const WHERE = "updateBn";

/** A batch as a loader yields it: the input, or [input, target, …] (the first is the input), or { x } as eg.data.batches yields. */
export type UpdateBnBatch = Tensor | readonly [Tensor, ...unknown[]] | { readonly x: Tensor };

export interface UpdateBnOptions {
  /** With a Tensor loader: the rows per batch, in order (the last batch may be smaller). */
  batchSize?: number;
}

const kindOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

/** The input of one batch, or a ValueError naming what the loader yielded. */
function inputOf(batch: unknown, index: number): Tensor {
  if (batch instanceof Tensor) return batch;
  if (Array.isArray(batch) && batch[0] instanceof Tensor) return batch[0];
  if (batch !== null && typeof batch === "object" && (batch as { x?: unknown }).x instanceof Tensor) return (batch as { x: Tensor }).x;
  throw new ValueError(`${WHERE}: batch ${index} of the loader is ${kindOf(batch)}${Array.isArray(batch) ? ` whose first element is ${kindOf(batch[0])}` : ""}; expected a Tensor, [input, target] or { x }`);
}

/** The model a caller means: a Module, or an AveragedModel's copy (PyTorch's update_bn(loader, swa_model)). */
function moduleOf(model: unknown): Module {
  if (model instanceof Module) return model;
  const inner = model !== null && typeof model === "object" ? (model as { module?: unknown }).module : undefined;
  if (inner instanceof Module && typeof (model as { updateParameters?: unknown }).updateParameters === "function") return inner;
  throw new ValueError(`${WHERE}: model must be an nn Module (or an AveragedModel of one), got ${kindOf(model)}`);
}

/**
 * Recomputes the running mean and variance of every BatchNorm1d/BatchNorm2d in `model` (one with
 * running statistics; trackRunningStats: false has none and is left alone) by one pass over
 * `loader` in train mode without gradients: each BatchNorm's statistics are reset, its momentum
 * is null for the pass (so the result is the cumulative average: the mean of the batches' means
 * and of their unbiased variances, each batch weighing the same whatever its size), and
 * numBatchesTracked ends as the number of batches. Afterwards each BatchNorm's momentum and each
 * module's train/eval mode are as they were, also when a forward throws part way (the statistics
 * are then those of the batches seen so far). A model without such a BatchNorm is returned at
 * once, its loader untouched.
 *
 * `loader`: an iterable (an array, a generator) of inputs, of [input, target] pairs (the input is
 * the first element, as PyTorch), or of { x } batches as eg.data.batches yields; or one Tensor
 * with `{ batchSize }`, split along its first axis in order. The statistics depend on how the
 * data is split into batches (the batch size, the last smaller batch), as with any loader.
 * `model` may be an AveragedModel: its averaged copy (`.module`) is updated.
 *
 * PyTorch's update_bn puts every module in the mode the model had on entry; here each module
 * gets back its own mode (a submodule frozen in eval mode stays in eval mode).
 */
export function updateBn(loader: Iterable<UpdateBnBatch> | Tensor, model: Module | { module: Module }, o: UpdateBnOptions = {}): void {
  checkOptions(WHERE, o, ["batchSize"]);
  const m = moduleOf(model);
  // The loader's form is checked before anything changes; it is read only if there is work.
  let batchSize = 0;
  if (loader instanceof Tensor) {
    batchSize = positiveInt(WHERE, "batchSize", o.batchSize);
    if (loader.ndim === 0) throw new ValueError(`${WHERE}: a Tensor loader needs a first (batch) axis, got a 0-d tensor`);
    if (loader.shape[0] === 0) throw new ValueError(`${WHERE}: the loader is empty (a Tensor of shape [${loader.shape}])`);
  } else {
    if (loader === null || typeof loader !== "object" || typeof (loader as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new ValueError(`${WHERE}: loader must be an iterable of batches or a Tensor, got ${kindOf(loader)}`);
    }
    if (o.batchSize !== undefined) throw new ValueError(`${WHERE}: batchSize applies to a Tensor loader only (this loader yields its own batches)`);
  }
  // PyTorch's _BatchNorm subclasses; not the instance norms, whose statistics update_bn leaves alone.
  type BatchNorm = BatchNorm1d | BatchNorm2d | BatchNorm3d;
  const isBatchNorm = (b: Module): b is BatchNorm =>
    isRegisteredLayer(b, "BatchNorm1d") || isRegisteredLayer(b, "BatchNorm2d") || isRegisteredLayer(b, "BatchNorm3d");
  const norms = m.modules().filter((b): b is BatchNorm => isBatchNorm(b) && b.runningMean !== null);
  if (norms.length === 0) return;

  const batchesOf = (): Iterator<unknown> => {
    if (!(loader instanceof Tensor)) return (loader as Iterable<unknown>)[Symbol.iterator]();
    const x = loader, n = x.shape[0];
    return (function* () {
      for (let start = 0; start < n; start += batchSize) yield x.slice([start, Math.min(start + batchSize, n)]);
    })();
  };
  const it = batchesOf();
  // The first batch is read before any statistic is reset: an empty loader, or one whose first
  // batch is of no known form, leaves the model as it was.
  let next = it.next();
  if (next.done) throw new ValueError(`${WHERE}: the loader is empty`);
  let input: Tensor;
  try {
    input = inputOf(next.value, 0);
  } catch (e) {
    it.return?.();
    throw e;
  }

  const modes = m.modules().map((mod) => [mod, mod.training] as const);
  const momenta = norms.map((b) => b.momentum);
  let finished = false;
  try {
    for (const b of norms) {
      b.resetRunningStats();
      // momentum is read-only to users (fixed at construction); the pass needs the cumulative average.
      (b as { momentum: number | null }).momentum = null;
    }
    m.train(true);
    noGrad(() => {
      for (let i = 0; ; i++) {
        m.forward(input);
        next = it.next();
        if (next.done) break;
        input = inputOf(next.value, i + 1);
      }
    });
    finished = true;
  } finally {
    if (!finished) it.return?.();
    norms.forEach((b, i) => ((b as { momentum: number | null }).momentum = momenta[i]));
    for (const [mod, training] of modes) mod.training = training;
  }
}
