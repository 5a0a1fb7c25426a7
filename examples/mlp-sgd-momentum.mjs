// An MLP classifier the classic way: He initialization, an L2 penalty on the weights and SGD
// with momentum 0.9, on the 8×8 handwritten digits (1797 images, 10 classes).
// Here (Node 20): test accuracy 0.9722 after 30 epochs.
// Run: npm run build && node examples/mlp-sgd-momentum.mjs
import * as eg from "../dist/index.js";

const { x, y } = eg.data.digits();
const s = eg.data.trainTestSplit(x.div(16), y, { testSize: 0.2, stratify: true, seed: 1 });
const l2 = eg.nn.regularizers.l2(1e-4);
const model = new eg.nn.Sequential(
  new eg.nn.Linear(64, 128, { init: "he_normal", kernelRegularizer: l2, seed: 1 }), new eg.nn.ReLU(),
  new eg.nn.Linear(128, 64, { init: "he_normal", kernelRegularizer: l2, seed: 2 }), new eg.nn.ReLU(),
  new eg.nn.Linear(64, 10, { seed: 3 }));
const opt = new eg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const history = await eg.nn.fit(model, s.xTrain, s.yTrain, {
  loss: "crossEntropy", optimizer: opt, epochs: 30, batchSize: 32, seed: 1, metrics: ["accuracy"],
  validationSplit: 0.1,
  callbacks: [eg.nn.callbacks.lrScheduler(new eg.optim.lr.CosineAnnealingLR(opt, { tMax: 30 })), eg.nn.callbacks.progressBar()],
});
const test = eg.nn.evaluate(model, s.xTest, s.yTest, { loss: "crossEntropy", metrics: ["accuracy"] });
console.log(`test accuracy ${test.accuracy.toFixed(4)}, test loss ${test.loss.toFixed(4)} after ${history.epoch.length} epochs`);
