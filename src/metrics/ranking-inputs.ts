// The inputs of the ranking metrics (DCG, NDCG, coverage error, label ranking precision and loss):
// yTrue and yScore as two [n, labels] matrices of one shape, checked once here so that every
// ranking metric refuses the same bad input with the same message.
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import type { Values } from "./inputs.js";

export interface RankingInputs {
  n: number;
  /** Labels (columns) per sample. */
  L: number;
  t: ArrayLike<number>;
  s: ArrayLike<number>;
}

/**
 * What yTrue must hold: "indicator", a 0/1 label-indicator matrix of ≥ 2 labels (scikit-learn's
 * multilabel-indicator); "indicatorColumn", the same or one 0/1 column; "relevance", finite
 * relevance grades of ≥ 2 labels (`nonNegative`: ≥ 0, for NDCG).
 */
export type RankingTarget = "indicator" | "indicatorColumn" | "relevance" | "nonNegative";

export function rankingInputs(where: string, yTrue: Values, yScore: Values, target: RankingTarget): RankingInputs {
  for (const [name, v] of [["yTrue", yTrue], ["yScore", yScore]] as const) {
    if (!(v instanceof Tensor) || v.ndim !== 2) {
      const shape = v instanceof Tensor ? `[${v.shape}]` : `a flat array of ${v.length}`;
      throw new ShapeError(`${where}: ${name} must be a [samples, labels] tensor, got ${shape}`);
    }
  }
  const a = yTrue as Tensor, b = yScore as Tensor;
  if (a.shape.join() !== b.shape.join()) throw new ShapeError(`${where}: yTrue [${a.shape}] and yScore [${b.shape}] differ in shape`);
  const [n, L] = a.shape;
  if (n === 0) throw new ValueError(`${where}: no samples`);
  // scikit-learn reads one column as a binary (not multilabel) target and refuses it, but for
  // label_ranking_average_precision_score, where a single label always scores 1.
  if (L < 2 && target !== "indicatorColumn") throw new ShapeError(`${where}: yTrue [${a.shape}] has ${L} label; ranking needs at least 2 labels per sample`);
  if (L === 0) throw new ShapeError(`${where}: yTrue [${a.shape}] has no labels`);
  const t = a.data, s = b.data;
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (target === "indicator" || target === "indicatorColumn") {
      if (v !== 0 && v !== 1) throw new ValueError(`${where}: yTrue must be a 0/1 label-indicator matrix, got ${v} at flat index ${i}`);
    } else if (!Number.isFinite(v)) {
      throw new ValueError(`${where}: yTrue holds ${v} at flat index ${i}; relevance must be finite`);
    } else if (target === "nonNegative" && v < 0) {
      throw new ValueError(`${where}: yTrue holds ${v} at flat index ${i}; NDCG needs relevance ≥ 0 (scikit-learn 1.2 warns, ≥ 1.4 refuses)`);
    }
  }
  for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i])) throw new ValueError(`${where}: yScore is NaN at flat index ${i}`);
  return { n, L, t, s };
}
