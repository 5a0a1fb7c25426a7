// Compressing a Fashion-MNIST classifier: train the MLP 784-256-128-10 (Adam 1e-3, batch 64),
// then (a) post-training int8 quantization, (b) 90% global magnitude pruning with a
// polynomial-decay schedule during fine-tuning, compiled to CSR, (c) float16 storage, and print
// the report table: parameters, nonzeros, bytes, test accuracy, inference time per batch of 64.
//
//   npm run build && node --experimental-wasm-relaxed-simd examples/compress-fashion-mnist.mjs [dir] [epochs]
//
// The dataset: /usr/share/datasets/fashion-mnist (apt-get install -y dataset-fashion-mnist).
import * as eg from "../dist/index.js";

const dir = process.argv[2] ?? "/usr/share/datasets/fashion-mnist";
const epochs = Number(process.argv[3] ?? 5);
const fineTuneEpochs = Number(process.argv[4] ?? 3);
await eg.init();
console.log("backend:", eg.backendInfo().backend);

const { train, test } = await eg.data.loadFashionMnist(dir, { flatten: true, normalize: true });
const mlp = () => new eg.nn.Sequential(
  new eg.nn.Linear(784, 256, { seed: 1 }), new eg.nn.ReLU(),
  new eg.nn.Linear(256, 128, { seed: 2 }), new eg.nn.ReLU(),
  new eg.nn.Linear(128, 10, { seed: 3 }));

const t0 = performance.now();
const model = mlp();
await eg.nn.fit(model, train.x, train.y, {
  loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 1e-3 }),
  epochs, batchSize: 64, seed: 1, metrics: ["accuracy"],
  callbacks: [eg.nn.callbacks.onEpochEnd((e, logs) => console.log(`epoch ${e + 1}: loss ${logs.loss.toFixed(4)} acc ${logs.accuracy.toFixed(4)}`))],
});
console.log(`trained ${epochs} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// (a) Post-training int8: static activation ranges from 2000 training samples.
const calib = train.x.slice([0, 2000]);
const int8Static = eg.compress.quantizeModel(model, { calibration: calib, observer: "minmax" });
const int8Dynamic = eg.compress.quantizeModel(model, { activations: "dynamic" });

// (b) 90% global magnitude pruning: a copy of the trained model fine-tuned while the sparsity
// rises from 50% to 90% on Zhu & Gupta's cubic over the first 2/3 of the fine-tuning steps.
const pruned = mlp();
pruned.loadStateDict(model.stateDict());
const steps = fineTuneEpochs * Math.ceil(train.x.shape[0] / 64);
const prune = eg.compress.pruningCallback({
  scope: "global",
  schedule: eg.compress.polynomialDecay({ initialSparsity: 0.5, finalSparsity: 0.9, beginStep: 0,
                                          endStep: Math.floor((2 * steps) / 3), frequency: 100, power: 3 }),
});
const t1 = performance.now();
await eg.nn.fit(pruned, train.x, train.y, {
  loss: "crossEntropy", optimizer: new eg.optim.Adam(pruned.parameters(), { lr: 1e-3 }),
  epochs: fineTuneEpochs, batchSize: 64, seed: 2, callbacks: [prune],
});
console.log(`pruning fine-tune: ${fineTuneEpochs} epochs, ${prune.step} steps, final sparsity ${prune.sparsity.toFixed(3)}, ${((performance.now() - t1) / 1000).toFixed(1)} s`);
const layers = eg.compress.sparsityReport(pruned).layers.filter((r) => r.masked);
console.log("per-layer sparsity:", layers.map((r) => `${r.name} ${(100 * r.sparsity).toFixed(1)}%`).join(", "));
eg.compress.stripPruning(pruned);
const sparse = eg.compress.sparsify(pruned);

// (c) float16 storage: save with F16 weights, load into a fresh model.
const f16Bytes = eg.io.saveSafetensors(model.stateDict(), { dtype: "F16" });
const fromF16 = mlp();
fromF16.loadStateDict(eg.io.loadSafetensors(f16Bytes));

const rows = eg.compress.report({
  "f32": model, "f16 (stored)": fromF16, "int8 static": int8Static, "int8 dynamic": int8Dynamic,
  "90% pruned f32": pruned, "90% pruned CSR": sparse,
}, { x: test.x, y: test.y, batchSize: 64, repeats: 100 });
// The f16 model computes in f32 after loading; its stored size is the file's tensor bytes.
const f16 = rows.find((r) => r.name === "f16 (stored)");
f16.bytes = eg.compress.modelBytes(model).bytes.f16;
f16.bytesRatio = f16.bytes / rows[0].bytes;
console.log("\n" + eg.compress.formatReport(rows));
const sizes = eg.compress.modelBytes(model).bytes;
console.log(`\nf32 model in each format (bytes): f32 ${sizes.f32}, f16 ${sizes.f16}, int8 ${sizes.int8}, ` +
            `sparse CSR of the pruned model ${eg.compress.modelBytes(pruned).bytes.sparse} (safetensors F16 file: ${f16Bytes.length})`);
const acc = (n) => rows.find((r) => r.name === n).accuracy;
const drop = (n) => (100 * (acc("f32") - acc(n))).toFixed(2);
console.log(`\naccuracy drop (points): int8 static ${drop("int8 static")} (target ≤ 0.5), int8 dynamic ${drop("int8 dynamic")}, ` +
            `90% pruned ${drop("90% pruned CSR")} (target ≤ 1); int8 bytes ${(100 * rows.find((r) => r.name === "int8 static").bytesRatio).toFixed(1)}% of f32 (target ≤ 26%)`);
