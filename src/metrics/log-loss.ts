import { ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { labelsOf, valuesOf, type Values } from "./inputs.js";
import { sampleWeights, weightedMean, type WeightOptions } from "./weights.js";

/**
 * Mean negative log-likelihood of the true classes: probs [n, k] (row i, column yᵢ), or [n]
 * probabilities of class 1 for binary 0/1 labels. Probabilities are clipped to [eps, 1 − eps]
 * (default eps 1e-15) so one confident mistake costs about 34.5 rather than Infinity; rows are
 * not renormalized, so pass probabilities (softmax), not logits. With `sampleWeight`, the
 * weighted mean.
 */
export function logLoss(yTrue: Values, probs: Values, o: { eps?: number } & WeightOptions = {}): number {
  checkOptions("logLoss", o, ["eps", "sampleWeight"]);
  const eps = o.eps ?? 1e-15;
  if (!(eps > 0 && eps < 0.5)) throw new ValueError(`logLoss: eps must be in (0, 0.5), got ${eps}`);
  const y = labelsOf(yTrue, "logLoss");
  const { data, shape } = valuesOf(probs);
  const binary = shape.length === 1 || (shape.length === 2 && shape[1] === 1);
  if (!binary && shape.length !== 2) throw new ShapeError(`logLoss: probabilities must be [n] or [n, classes], got [${shape}]`);
  const n = shape[0];
  const k = binary ? 2 : shape[1];
  if (y.length !== n) throw new ShapeError(`logLoss: yTrue has ${y.length} values, probabilities are [${shape}]`);
  if (n === 0) throw new ValueError("logLoss: no samples");
  const w = sampleWeights("logLoss", o.sampleWeight, n, true);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = y[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new ValueError(`logLoss: label ${c} at index ${i} is not a class of probabilities [${shape}]`);
    const clip = (x: number) => Math.min(Math.max(x, eps), 1 - eps);
    if (binary) {
      // As scikit-learn: the class-1 probability is clipped first, class 0 gets 1 − that, and
      // the pair is renormalized — so p = 1 costs −log(1 − (1 − eps)), not −log(eps).
      const p1 = clip(data[i]);
      loss[i] = -Math.log((c === 1 ? p1 : 1 - p1) / (1 - p1 + p1));
    } else {
      loss[i] = -Math.log(clip(data[i * k + c]));
    }
  }
  return weightedMean(n, w, (i) => loss[i]);
}
