// Hyperparameter search on digits: 2 learning rates × 2 hidden sizes × 2 L2 strengths = 8
// candidates, each scored by stratified 3-fold cross-validation on the same folds.
// Here (Node 20): best lr 0.01, hidden 128, no L2, CV accuracy 0.9743; refitted, 0.9722 on the
// test set.
// Run: npm run build && node examples/grid-search-digits.mjs
import * as eg from "../dist/index.js";

const { x, y } = eg.data.digits();
const s = eg.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed: 1 });

function build({ hidden, l2 }, seed) {
  return new eg.nn.Sequential(
    new eg.nn.Linear(64, hidden, { init: "he_uniform", seed, kernelRegularizer: l2 ? eg.nn.regularizers.l2(l2) : undefined }),
    new eg.nn.ReLU(), new eg.nn.Linear(hidden, 10, { seed: seed + 1 }));
}

// One fold: scale on the fold's training rows only, train, score accuracy on its validation rows.
async function trainAndScore(params, xTr, yTr, xVal, yVal) {
  const scaler = eg.data.standardize(xTr);
  const model = build(params, 1);
  await eg.nn.fit(model, scaler.transform(xTr), yTr, {
    loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: params.lr }), epochs: 15, batchSize: 32, seed: 2,
  });
  return eg.metrics.accuracy(yVal, eg.nn.predict(model, scaler.transform(xVal)).argmax(1));
}

const t0 = performance.now();
const result = await eg.select.gridSearch(trainAndScore, s.xTrain, s.yTrain,
  { lr: [1e-3, 1e-2], hidden: [32, 128], l2: [0, 1e-3] }, { k: 3, stratify: true, seed: 3 });
console.log(`grid search on digits: ${result.results.length} candidates × 3 folds in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(eg.select.formatResults(result));
console.log("best:", JSON.stringify(result.bestParams), "CV accuracy", result.bestScore.toFixed(4));

// Refit the best on all training rows and report the untouched test set once.
const scaler = eg.data.standardize(s.xTrain);
const best = build(result.bestParams, 1);
await eg.nn.fit(best, scaler.transform(s.xTrain), s.yTrain, {
  loss: "crossEntropy", optimizer: new eg.optim.Adam(best.parameters(), { lr: result.bestParams.lr }), epochs: 15, batchSize: 32, seed: 2,
});
console.log("test accuracy of the refitted best:", eg.metrics.accuracy(s.yTest, eg.nn.predict(best, scaler.transform(s.xTest)).argmax(1)).toFixed(4));
