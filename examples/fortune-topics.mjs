// Which file does a fortune come from? Text classification on the `fortune` databases (Debian
// package `fortunes`): the six largest files as classes, a stratified 80/20 split.
//   - a character Embedding → bidirectional GRU → mean over the characters → Linear, trained with
//     SparseAdam on the embedding (a step touches only the characters a batch used) and Adam on
//     the rest; `--model pool` swaps the GRU for a per-character MLP (Embedding + mean pooling);
//   - the baseline: logistic regression on bag-of-characters frequencies, trained in this script.
// Both are judged by accuracy and macro-F1 on the held-out fortunes.
// Run: npm run build && node examples/fortune-topics.mjs [--dir /usr/share/games/fortunes]
//      [--classes 6] [--epochs 10] [--max-chars 256] [--model gru|pool] [--lr 4e-3] [--seed 1]
import * as eg from "../dist/index.js";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const dir = arg("dir", eg.data.FORTUNES_DIR);
const nClasses = Number(arg("classes", 6)), epochs = Number(arg("epochs", 10));
const maxChars = Number(arg("max-chars", 256)), kind = arg("model", "gru"), seed = Number(arg("seed", 1));

// ---- data: the largest files, each fortune cut to maxChars, split stratified by file ----
const all = await eg.data.loadFortunes(dir);
const counts = all.labelNames.map(() => 0);
for (const l of all.labels.data) counts[l]++;
const chosen = counts.map((c, i) => [c, i]).sort((a, b) => b[0] - a[0]).slice(0, nClasses).map(([, i]) => i);
const names = chosen.map((i) => all.labelNames[i]);
const texts = [], labels = [];
all.texts.forEach((t, i) => {
  const k = chosen.indexOf(all.labels.data[i]);
  if (k >= 0) { texts.push([...t].slice(0, maxChars).join("")); labels.push(k); }
});
const rows = eg.fromTypedArray(Int32Array.from(texts.keys()), [texts.length, 1]);
const split = eg.data.trainTestSplit(rows, eg.tensor(labels, { dtype: "int32" }), { testSize: 0.2, stratify: true, seed });
const trainIdx = Array.from(split.xTrain.data), testIdx = Array.from(split.xTest.data);
const yTrain = Array.from(split.yTrain.data), yTest = Array.from(split.yTest.data);
// Characters seen in training, shifted by one: id 0 pads, id 1 (U+0000, in no fortune) stands for
// any character the training texts do not have.
const chars = eg.data.CharTokenizer.fromText(trainIdx.map((i) => texts[i]).join(""), { unk: "\u0000" });
const PAD = 0;
const encode = (i) => Array.from(chars.encode(texts[i]), (id) => id + 1);
const vocab = chars.vocabSize + 1;
console.log(`${texts.length} fortunes from ${names.join(", ")}; ${trainIdx.length} train, ${testIdx.length} test; ${vocab - 1} characters`);

// ---- baseline: logistic regression on character frequencies ----
function bagOfChars(idx) {
  const x = new Float32Array(idx.length * vocab);
  idx.forEach((i, r) => {
    const ids = encode(i);
    for (const id of ids) x[r * vocab + id] += 1 / ids.length;
  });
  return eg.fromTypedArray(x, [idx.length, vocab]);
}
const bowTrain = bagOfChars(trainIdx), bowTest = bagOfChars(testIdx);
const scaler = eg.data.standardize(bowTrain);
const logistic = new eg.nn.Linear(vocab, nClasses, { seed });
const t0 = performance.now();
await eg.nn.fit(logistic, scaler.transform(bowTrain), split.yTrain, {
  loss: "crossEntropy", optimizer: new eg.optim.Adam(logistic.parameters(), { lr: 0.01, weightDecay: 1e-4 }),
  epochs: 40, batchSize: 64, seed,
});
const baseline = report("bag-of-characters logistic regression", eg.nn.predict(logistic, scaler.transform(bowTest)).argmax(-1), performance.now() - t0);

// ---- the sequence model ----
class FortuneClassifier extends eg.nn.Module {
  constructor() {
    super();
    this.embed = this.registerModule("embed", new eg.nn.Embedding(vocab, 32, { paddingIdx: PAD, sparse: true, seed }));
    if (kind === "gru") {
      this.gru = this.registerModule("gru", new eg.nn.GRU(32, 64, { batchFirst: true, bidirectional: true, seed: seed + 1 }));
    } else {
      this.mlp = this.registerModule("mlp", new eg.nn.Sequential(new eg.nn.Linear(32, 128, { seed: seed + 1 }), new eg.nn.ReLU()));
    }
    this.head = this.registerModule("head", new eg.nn.Linear(128, nClasses, { seed: seed + 2 }));
  }
  /** ids [batch, T] (PAD after each text), mask [batch, T, 1] with 1 on characters. */
  forward(ids, mask) {
    const e = this.embed.forward(ids);
    const h = kind === "gru" ? this.gru.forward(e)[0] : this.mlp.forward(e);
    return this.head.forward(h.mul(mask).sum(1).div(mask.sum(1)));
  }
}

/** Batches of texts of similar length (sorted, then the batches shuffled), padded to the longest. */
function* batchesOf(idx, ys, batchSize, rng) {
  const order = idx.map((_, j) => j).sort((a, b) => texts[idx[a]].length - texts[idx[b]].length);
  const starts = [];
  for (let s = 0; s < order.length; s += batchSize) starts.push(s);
  if (rng) rng.shuffle(starts);
  for (const s of starts) {
    const part = order.slice(s, s + batchSize), seqs = part.map((j) => encode(idx[j]));
    const T = Math.max(...seqs.map((q) => q.length));
    const ids = new Int32Array(part.length * T), mask = new Float32Array(part.length * T);
    seqs.forEach((q, b) => q.forEach((id, t) => { ids[b * T + t] = id; mask[b * T + t] = 1; }));
    yield { ids: eg.fromTypedArray(ids, [part.length, T]), mask: eg.fromTypedArray(mask, [part.length, T, 1]),
      y: eg.tensor(part.map((j) => ys[j]), { dtype: "int32" }), part };
  }
}

const model = new FortuneClassifier();
const others = model.parameters().filter((p) => p !== model.embed.weight);
const lr = Number(arg("lr", 4e-3));
const sparseOpt = new eg.optim.SparseAdam([model.embed.weight], { lr });
const denseOpt = new eg.optim.Adam(others, { lr });
const rng = new eg.Rng(seed);
const t1 = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  let total = 0, n = 0, seen = 0;
  const start = performance.now();
  for (const b of batchesOf(trainIdx, yTrain, 32, rng)) {
    sparseOpt.zeroGrad();
    denseOpt.zeroGrad();
    const loss = eg.nn.crossEntropy(model.forward(b.ids, b.mask), b.y);
    loss.backward();
    eg.optim.clipGradNorm(others, 1);
    sparseOpt.step();
    denseOpt.step();
    total += loss.item() * b.part.length;
    n += b.part.length;
    seen += b.ids.size;
  }
  const seconds = (performance.now() - start) / 1000;
  const at = eg.metrics.accuracy(split.yTest, predictTest());
  console.log(`epoch ${epoch}: train loss ${(total / n).toFixed(4)}, test accuracy ${at.toFixed(4)} (${seconds.toFixed(1)} s, ${Math.round(seen / seconds)} characters/s)`);
}
const label = kind === "gru" ? "Embedding + bidirectional GRU" : "Embedding + mean pooling + MLP";
const seqModel = report(label, predictTest(), performance.now() - t1);

function predictTest() {
  const pred = new Int32Array(testIdx.length);
  model.eval();
  for (const b of batchesOf(testIdx, yTest, 64, null)) {
    const p = eg.noGrad(() => model.forward(b.ids, b.mask)).argmax(-1).data;
    b.part.forEach((j, r) => (pred[j] = p[r]));
  }
  return eg.tensor(Array.from(pred), { dtype: "int32" });
}
console.log(`\n${label} vs baseline: accuracy ${(seqModel.accuracy - baseline.accuracy >= 0 ? "+" : "")}${((seqModel.accuracy - baseline.accuracy) * 100).toFixed(1)} points, macro-F1 ${(seqModel.f1 - baseline.f1 >= 0 ? "+" : "")}${((seqModel.f1 - baseline.f1) * 100).toFixed(1)} points`);

function report(name, predicted, ms) {
  const accuracy = eg.metrics.accuracy(split.yTest, predicted);
  const { f1 } = eg.metrics.precisionRecallF1(split.yTest, predicted, { average: "macro" });
  console.log(`${name}: accuracy ${accuracy.toFixed(4)}, macro-F1 ${f1.toFixed(4)} (${(ms / 1000).toFixed(1)} s to train)`);
  return { accuracy, f1 };
}
