// Binary classification of the Wisconsin breast-cancer data: a small MLP with a sigmoid output
// and binary cross-entropy, judged on held-out data by ROC-AUC, F1 and the confusion matrix.
// Here (Node 20): ROC-AUC 0.9971, accuracy 0.9650 (138 of the 143 held-out patients).
// Run: npm run build && node examples/breast-cancer.mjs
import * as eg from "../dist/index.js";

const { x, y } = eg.data.breastCancer();
const s = eg.data.trainTestSplit(x, y, { testSize: 0.25, stratify: true, seed: 7 });
const scaler = eg.data.standardize(s.xTrain); // fitted on train only, applied to both
const xTrain = scaler.transform(s.xTrain), xTest = scaler.transform(s.xTest);
const yTrain = s.yTrain.astype("float32").reshape([-1, 1]);

const model = new eg.nn.Sequential(
  new eg.nn.Linear(30, 16, { init: "he_uniform", seed: 1 }), new eg.nn.ReLU(),
  new eg.nn.Linear(16, 1, { seed: 2 }), new eg.nn.Sigmoid());
await eg.nn.fit(model, xTrain, yTrain, {
  loss: "binaryCrossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 1e-2 }),
  epochs: 60, batchSize: 32, seed: 3, validationSplit: 0.1,
  callbacks: [eg.nn.callbacks.earlyStopping({ patience: 10, restoreBestWeights: true })],
});

const p = eg.nn.predict(model, xTest).reshape([-1]);
const pred = p.gt(0.5).astype("int32");
const auc = eg.metrics.rocAuc(s.yTest, p);
const { precision, recall, f1 } = eg.metrics.precisionRecallF1(s.yTest, pred, { average: "binary" });
console.log(`breast cancer (569 × 30, ${s.yTest.size} held out)`);
console.log(`ROC-AUC   ${auc.toFixed(4)}`);
console.log(`accuracy  ${eg.metrics.accuracy(s.yTest, pred).toFixed(4)}`);
console.log(`precision ${precision.toFixed(4)}  recall ${recall.toFixed(4)}  F1 ${f1.toFixed(4)}`);
console.log(`log loss  ${eg.metrics.logLoss(s.yTest, p).toFixed(4)}`);
console.log("confusion matrix (rows: true malignant/benign):", JSON.stringify(eg.metrics.confusionMatrix(s.yTest, pred).toArray()));
