// Evaluation: metrics take (yTrue, yPredOrScore, options) as Tensors (or plain arrays) and return numbers.
export type { Values } from "./inputs.js";
export type { WeightOptions } from "./weights.js";
export { accuracy, topKAccuracy, confusionMatrix } from "./classification.js";
export type { ConfusionOptions } from "./classification.js";
export { precisionRecallF1, f1Score, fbetaScore, jaccardScore } from "./prf.js";
export type { Average, FbetaOptions, Prf, PrfOptions } from "./prf.js";
export { matthewsCorrcoef, balancedAccuracy, cohenKappaScore, hammingLoss } from "./agreement.js";
export type { KappaOptions } from "./agreement.js";
export { classificationReport } from "./report.js";
export type { ReportDict, ReportOptions, ReportRow } from "./report.js";
export { rocCurve, prCurve } from "./curves.js";
export type { CurveOptions, RocCurve, PrCurve } from "./curves.js";
export { rocAuc, averagePrecision } from "./auc.js";
export type { ScoreAverageOptions } from "./auc.js";
export { logLoss } from "./log-loss.js";
export { brierScoreLoss, hingeLoss } from "./margin-losses.js";
export { mse, rmse, mae, r2 } from "./regression.js";
export {
  explainedVarianceScore, meanAbsolutePercentageError, medianAbsoluteError, maxError, meanSquaredLogError, d2AbsoluteErrorScore,
} from "./regression-scores.js";
export { dcgScore, ndcgScore } from "./dcg.js";
export type { DcgOptions, NdcgOptions } from "./dcg.js";
export { coverageError, labelRankingAveragePrecisionScore, labelRankingLoss } from "./label-ranking.js";
export { zeroOneLoss } from "./zero-one-loss.js";
export type { ZeroOneOptions } from "./zero-one-loss.js";
export { detCurve } from "./det-curve.js";
export type { DetCurve } from "./det-curve.js";
export { randScore, adjustedRandScore, mutualInfoScore, normalizedMutualInfoScore, adjustedMutualInfoScore } from "./clustering.js";
export type { AverageMethod, MutualInfoOptions } from "./clustering.js";
export { silhouetteScore } from "./silhouette.js";
export type { SilhouetteOptions } from "./silhouette.js";
