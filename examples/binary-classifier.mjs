// A binary classifier with a sigmoid output and binary cross-entropy, on two interleaved
// half-moons (a problem no straight line separates), generated with a seeded generator.
// Here (Node 20): held-out accuracy 1.0000, binary cross-entropy 0.0126.
// Run: npm run build && node examples/binary-classifier.mjs
import * as eg from "../dist/index.js";

function moons(n, seed) {
  const rng = new eg.Rng(seed);
  const x = new Float32Array(2 * n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const upper = i % 2 === 0, t = Math.PI * rng.uniform();
    x[2 * i] = (upper ? Math.cos(t) : 1 - Math.cos(t)) + 0.15 * rng.normal();
    x[2 * i + 1] = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) + 0.15 * rng.normal();
    y[i] = upper ? 0 : 1;
  }
  return { x: eg.fromTypedArray(x, [n, 2]), y: eg.fromTypedArray(y, [n, 1]) };
}
const train = moons(800, 1), test = moons(400, 2);
const model = new eg.nn.Sequential(
  new eg.nn.Linear(2, 32, { init: "he_uniform", seed: 1 }), new eg.nn.ReLU(),
  new eg.nn.Linear(32, 32, { init: "he_uniform", seed: 2 }), new eg.nn.ReLU(),
  new eg.nn.Linear(32, 1, { init: "glorot_uniform", seed: 3 }), new eg.nn.Sigmoid());
await eg.nn.fit(model, train.x, train.y, {
  loss: "binaryCrossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 0.01 }),
  epochs: 40, batchSize: 32, seed: 1, metrics: ["accuracy"],
  callbacks: [eg.nn.callbacks.onEpochEnd((e, logs) => { if ((e + 1) % 10 === 0) console.log(`epoch ${e + 1}: loss ${logs.loss.toFixed(4)}, accuracy ${logs.accuracy.toFixed(4)}`); })],
});
const { loss, accuracy } = eg.nn.evaluate(model, test.x, test.y, { loss: "binaryCrossEntropy" });
console.log(`held-out: binary cross-entropy ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(4)}`);
