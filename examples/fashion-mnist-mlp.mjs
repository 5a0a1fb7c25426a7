// The Fashion-MNIST MLP recipe that reaches 0.90 test accuracy: the plain recipe (784-256-128-10,
// Adam 1e-3, batch 64, 10 epochs) stops near 0.884, as PyTorch's does. What moves it past 0.90:
// standardized pixels, a wider MLP (512-256) with dropout 0.2, AdamW (decoupled weight decay
// 1e-2), label smoothing 0.1 and a cosine learning-rate schedule over 20 epochs.
// `edgegrad train --data DIR` uses the same recipe.
//
//   npm run build && node examples/fashion-mnist-mlp.mjs [dir] [epochs]
//
// The dataset: /usr/share/datasets/fashion-mnist (apt-get install -y dataset-fashion-mnist).
import * as eg from "../dist/index.js";

const dir = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const epochs = Number(process.argv[3] ?? 20);
await eg.init();

const { train, test } = await eg.data.loadFashionMnist(dir);
const scaler = eg.data.standardize(train.x);
const [xTrain, xTest] = [scaler.transform(train.x), scaler.transform(test.x)];

const model = new eg.nn.Sequential(
  new eg.nn.Linear(784, 512, { init: "he_uniform", seed: 1 }), new eg.nn.ReLU(), new eg.nn.Dropout(0.2, { seed: 10 }),
  new eg.nn.Linear(512, 256, { init: "he_uniform", seed: 2 }), new eg.nn.ReLU(), new eg.nn.Dropout(0.2, { seed: 11 }),
  new eg.nn.Linear(256, 10, { init: "he_uniform", seed: 3 }));
const optimizer = new eg.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 1e-2 });
const schedule = new eg.optim.lr.CosineAnnealingLR(optimizer, { tMax: epochs });

const t0 = performance.now();
await eg.nn.fit(model, xTrain, train.y, {
  loss: (logits, labels) => eg.nn.crossEntropy(logits, labels, { labelSmoothing: 0.1 }),
  optimizer, epochs, batchSize: 64, shuffle: true, seed: 1,
  callbacks: [
    eg.nn.callbacks.lrScheduler(schedule),
    eg.nn.callbacks.onEpochEnd((e, logs) => {
      const accuracy = eg.metrics.accuracy(test.y, eg.nn.predict(model, xTest).argmax(1));
      console.log(`epoch ${e + 1}: loss ${logs.loss.toFixed(4)}  test accuracy ${accuracy.toFixed(4)}  ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }),
  ],
});
