// The trial of examples/tune-digits.mjs, as a module so that worker threads can load it: an MLP
// on digits scored by stratified 3-fold cross-validation on the folds of
// examples/grid-search-digits.mjs. The three fold models train in step, one epoch at a time, and
// the mean validation accuracy is reported after each epoch (a pruner may stop the trial there).
import * as eg from "../dist/index.js";

const { x, y } = eg.data.digits();
const s = eg.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed: 1 });
// gridSearch(…, { k: 3, stratify: true, seed: 3 }) draws these same folds.
const folds = eg.select.stratifiedKFold(s.yTrain, { k: 3, shuffle: true, seed: 3 }).map(({ train, validation }) => {
  const xTr = eg.data.takeRows(s.xTrain, train), xVal = eg.data.takeRows(s.xTrain, validation);
  const scaler = eg.data.standardize(xTr);
  return { xTr: scaler.transform(xTr), yTr: eg.data.takeRows(s.yTrain, train), xVal: scaler.transform(xVal), yVal: eg.data.takeRows(s.yTrain, validation) };
});

function build({ hidden, dropout }, seed) {
  const layers = [new eg.nn.Linear(64, hidden, { init: "he_uniform", seed }), new eg.nn.ReLU()];
  if (dropout > 0) layers.push(new eg.nn.Dropout(dropout, { seed: seed + 2 }));
  layers.push(new eg.nn.Linear(hidden, 10, { seed: seed + 1 }));
  return new eg.nn.Sequential(...layers);
}

/** params: { lr, weightDecay, hidden, dropout }; ctx.resource (Hyperband) or params.epochs: the epochs to train. */
export async function train(params, ctx) {
  const epochs = ctx.resource ?? params.epochs;
  const runs = folds.map((f, k) => {
    const model = build(params, ctx.seed + 10 * k);
    return { f, model, optimizer: new eg.optim.AdamW(model.parameters(), { lr: params.lr, weightDecay: params.weightDecay }) };
  });
  let score = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    score = 0;
    for (const [k, r] of runs.entries()) {
      // initialEpoch continues each fold's run (its shuffling stream included) one epoch further.
      await eg.nn.fit(r.model, r.f.xTr, r.f.yTr, { loss: "crossEntropy", optimizer: r.optimizer, epochs: epoch + 1, initialEpoch: epoch, batchSize: 32, seed: ctx.seed + k });
      score += eg.metrics.accuracy(r.f.yVal, eg.nn.predict(r.model, r.f.xVal).argmax(1)) / runs.length;
    }
    ctx.report(epoch + 1, score);
  }
  return score;
}
