// Multilabel ranking metrics, as scikit-learn 1.2 computes them: how far down its scores a sample
// must go to cover its true labels (coverage error), the precision of the ranking at each true
// label (label ranking average precision), and the fraction of wrongly ordered label pairs
// (label ranking loss). yTrue is a 0/1 indicator matrix [n, labels], yScore its scores.
import { checkOptions } from "../options.js";
import type { Values } from "./inputs.js";
import { rankingInputs } from "./ranking-inputs.js";
import { sampleWeights, weightedMean, type WeightOptions } from "./weights.js";

/**
 * Mean number of top-scored labels needed to cover every true label of a sample: the count of
 * labels scoring at least its lowest-scored true label (ties count against it). A sample without
 * true labels counts 0. Best value: the mean number of true labels.
 */
export function coverageError(yTrue: Values, yScore: Values, o: WeightOptions = {}): number {
  const where = "coverageError";
  checkOptions(where, o, ["sampleWeight"]);
  const { n, L, t, s } = rankingInputs(where, yTrue, yScore, "indicator");
  const w = sampleWeights(where, o.sampleWeight, n, true);
  return weightedMean(n, w, (i) => {
    let lowest = Infinity;
    let any = false;
    for (let j = i * L; j < (i + 1) * L; j++) {
      if (t[j] === 1) {
        any = true;
        if (s[j] < lowest) lowest = s[j];
      }
    }
    if (!any) return 0;
    let covered = 0;
    for (let j = i * L; j < (i + 1) * L; j++) if (s[j] >= lowest) covered++;
    return covered;
  });
}

/**
 * Label ranking average precision (LRAP), in (0, 1]: for each true label of a sample, the fraction
 * of the labels scoring at least as high that are true, averaged over its true labels and then
 * over samples (weighted by `sampleWeight`). A sample whose labels are all true or all false
 * scores 1 (its ranking has no meaning), as scikit-learn; one label column [n, 1] is accepted.
 */
export function labelRankingAveragePrecisionScore(yTrue: Values, yScore: Values, o: WeightOptions = {}): number {
  const where = "labelRankingAveragePrecisionScore";
  checkOptions(where, o, ["sampleWeight"]);
  const { n, L, t, s } = rankingInputs(where, yTrue, yScore, "indicatorColumn");
  const w = sampleWeights(where, o.sampleWeight, n, true);
  let out = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const base = i * L;
    let relevant = 0;
    for (let j = base; j < base + L; j++) relevant += t[j];
    let aux = 1;
    if (relevant > 0 && relevant < L) {
      // rank: labels scoring ≥ this one; above: true labels among them (scipy's rankdata "max").
      let sum = 0;
      for (let j = base; j < base + L; j++) {
        if (t[j] !== 1) continue;
        let rank = 0;
        let above = 0;
        for (let m = base; m < base + L; m++) {
          if (s[m] >= s[j]) {
            rank++;
            above += t[m];
          }
        }
        sum += above / rank;
      }
      aux = sum / relevant;
    }
    const wi = w === null ? 1 : w[i];
    out += aux * wi;
    total += wi;
  }
  return out / total;
}

/**
 * Label ranking loss: per sample the fraction of (true, false) label pairs whose false label
 * scores at least as high as the true one (a tie counts as wrongly ordered), averaged over samples
 * (weighted by `sampleWeight`). A sample whose labels are all true or all false counts 0.
 */
export function labelRankingLoss(yTrue: Values, yScore: Values, o: WeightOptions = {}): number {
  const where = "labelRankingLoss";
  checkOptions(where, o, ["sampleWeight"]);
  const { n, L, t, s } = rankingInputs(where, yTrue, yScore, "indicator");
  const w = sampleWeights(where, o.sampleWeight, n, true);
  const order = new Int32Array(L);
  return weightedMean(n, w, (i) => {
    const base = i * L;
    let positives = 0;
    for (let j = base; j < base + L; j++) positives += t[j];
    if (positives === 0 || positives === L) return 0;
    for (let j = 0; j < L; j++) order[j] = j;
    order.sort((a, b) => (s[base + a] < s[base + b] ? -1 : s[base + a] > s[base + b] ? 1 : 0));
    // Ascending by score, a group of ties at a time: each false label in the group is wrongly
    // ordered against every true label scoring at most as much (the group included).
    let wrong = 0;
    let trueSoFar = 0;
    for (let r = 0; r < L; ) {
      let end = r;
      let falses = 0;
      while (end < L && s[base + order[end]] === s[base + order[r]]) {
        if (t[base + order[end]] === 1) trueSoFar++;
        else falses++;
        end++;
      }
      wrong += trueSoFar * falses;
      r = end;
    }
    return wrong / ((L - positives) * positives);
  });
}
