// Independent reference implementations, written from the textbook definitions and sharing no
// code with src/metrics: O(n²) pair counting, per-sample precision, explicit confusion counts.

/** AUC as the Mann–Whitney statistic: P(score of a positive > score of a negative), ties ½. */
export function aucMannWhitney(y: number[], s: number[], pos = 1): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== pos) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] === pos) continue;
      pairs++;
      wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** AP by definition: mean over positives of the precision among samples scoring at least as high. */
export function apByDefinition(y: number[], s: number[], pos = 1): number {
  let sum = 0;
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== pos) continue;
    positives++;
    let above = 0;
    let posAbove = 0;
    for (let j = 0; j < y.length; j++) {
      if (s[j] >= s[i]) {
        above++;
        if (y[j] === pos) posAbove++;
      }
    }
    sum += posAbove / above;
  }
  return sum / positives;
}

/** Macro/weighted/micro F1 from an explicitly counted confusion matrix, F1 = 2PR/(P+R). */
export function f1FromConfusion(t: number[], p: number[], average: "macro" | "weighted" | "micro"): number {
  const labels = [...new Set([...t, ...p])].sort((a, b) => a - b);
  const cm = labels.map((a) => labels.map((b) => t.filter((v, i) => v === a && p[i] === b).length));
  const k = labels.length;
  const tp = labels.map((_, i) => cm[i][i]);
  const predicted = labels.map((_, j) => cm.reduce((s, row) => s + row[j], 0));
  const actual = cm.map((row) => row.reduce((a, b) => a + b, 0));
  const f1 = (tpi: number, pred: number, act: number) => {
    const P = pred === 0 ? 0 : tpi / pred;
    const R = act === 0 ? 0 : tpi / act;
    return P + R === 0 ? 0 : (2 * P * R) / (P + R);
  };
  if (average === "micro") return f1(tp.reduce((a, b) => a + b), predicted.reduce((a, b) => a + b), actual.reduce((a, b) => a + b));
  const scores = labels.map((_, i) => f1(tp[i], predicted[i], actual[i]));
  const w = average === "weighted" ? actual : labels.map(() => 1);
  return scores.reduce((s, f, i) => s + f * w[i], 0) / w.slice(0, k).reduce((a, b) => a + b, 0);
}
