// Training and compression off the main thread, so the chart stays smooth while the GEMMs run.
// Imports the built package by path: import maps do not reach into workers, and no bundler is
// involved. Serve the repository root after `npm run build` (README.md in this folder).
import * as eg from "../../dist/index.js";

const state = { model: null, split: null };

function post(type, data = {}) {
  self.postMessage({ type, ...data });
}

/**
 * The 8×8 digits (1,797 scans), pixels 0..16 scaled to 0..1, split 80/20 with class balance:
 * rows of 64 pixels for the MLP, images [N, 1, 8, 8] for the CNN.
 */
function loadDigits(layout) {
  const { x, y } = eg.data.digits({ layout });
  return eg.data.trainTestSplit(x.div(16), y, { testSize: 0.2, stratify: true, seed: 0 });
}

/**
 * MLP: 64 → hidden → 10. CNN: Conv(1,16,3,p1)+ReLU → MaxPool(2) → Conv(16,32,3,p1)+ReLU →
 * MaxPool(2) → Flatten → Linear(128,10), the network of `edgegrad train --model cnn`.
 */
function buildModel(kind, hidden) {
  if (kind === "cnn") {
    return new eg.nn.Sequential(
      new eg.nn.Conv2d(1, 16, 3, { padding: 1, seed: 1 }), new eg.nn.ReLU(), new eg.nn.MaxPool2d(2),
      new eg.nn.Conv2d(16, 32, 3, { padding: 1, seed: 2 }), new eg.nn.ReLU(), new eg.nn.MaxPool2d(2),
      new eg.nn.Flatten(), new eg.nn.Linear(128, 10, { seed: 3 }));
  }
  return new eg.nn.Sequential(new eg.nn.Linear(64, hidden, { seed: 1 }), new eg.nn.ReLU(), new eg.nn.Linear(hidden, 10, { seed: 2 }));
}

async function train({ epochs = 20, hidden = 128, model: kind = "mlp" } = {}) {
  // Browsers compile wasm asynchronously: init() before the first op. threads: "auto" uses every
  // core when the page is cross-origin isolated (served with COOP/COEP), else one, and says why.
  // Said first, so that a page stuck before training shows which side of init() it stopped on.
  post("starting");
  const info = await eg.init({ threads: "auto" });
  post("backend", { info });
  const split = (state.split = loadDigits(kind === "cnn" ? "nchw" : "flat"));
  const model = (state.model = buildModel(kind, hidden));
  const started = performance.now();
  await eg.nn.fit(model, split.xTrain, split.yTrain, {
    loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 3e-3 }),
    epochs, batchSize: 32, shuffle: true, seed: 3, metrics: ["accuracy"],
    validationData: [split.xTest, split.yTest],
    callbacks: [{
      onEpochEnd: async (epoch, logs) => {
        post("epoch", { epoch: epoch + 1, epochs, loss: logs.loss, accuracy: logs.accuracy,
          valLoss: logs.val_loss, valAccuracy: logs.val_accuracy });
        // Give the worker's event loop a turn so each point is delivered as it happens.
        await new Promise((r) => setTimeout(r, 0));
      },
    }],
  });
  post("trained", { ms: performance.now() - started, row: await row("float32", model, "f32") });
}

/** Prune 80% of the weights (global magnitude), fine-tune with the masks held, then int8. */
async function compress({ sparsity = 0.8, fineTuneEpochs = 3 } = {}) {
  const { model, split } = state;
  if (!model) throw new Error("train first");
  const before = await row("float32", model, "f32");
  eg.compress.magnitudePrune(model, { sparsity, scope: "global" });
  await eg.nn.fit(model, split.xTrain, split.yTrain, {
    loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 1e-3 }),
    epochs: fineTuneEpochs, batchSize: 32, seed: 4, callbacks: [eg.compress.pruningCallback()],
  });
  eg.compress.stripPruning(model);
  const pruned = await row(`pruned ${Math.round(sparsity * 100)}% (sparse f32)`, model, "sparse");
  const int8 = eg.compress.quantizeModel(model, { calibration: split.xTrain });
  const quantized = await row("pruned + int8", int8, "int8");
  post("compressed", { rows: [before, pruned, quantized] });
}

/** Accuracy on the held-out 20%, bytes as stored, and bytes after gzip (what a download costs). */
async function row(name, model, form) {
  const { xTest, yTest } = state.split;
  const accuracy = eg.nn.evaluate(model, xTest, yTest, { metrics: ["accuracy"] }).accuracy;
  const compiled = model instanceof eg.compress.InferenceSequential;
  // A compiled model may keep float layers it has no int8 form for (their parameters are its own).
  const floats = compiled ? model.parameters().map((p) => p.data) : [];
  const floatNonZeros = floats.reduce((n, d) => n + d.filter((v) => v !== 0).length, 0);
  const bytes = compiled ? model.bytes() + floats.reduce((n, d) => n + d.byteLength, 0) : eg.compress.modelBytes(model).bytes[form];
  const nonZeros = compiled ? model.nonZeroCount() + floatNonZeros : eg.compress.modelBytes(model).nonZeros;
  return { name, accuracy, bytes, nonZeros, gzipBytes: await gzipSize(weightArrays(model)) };
}

/** The parameters as they would be saved: an int8 model's own arrays (and any float layers'), or the float32 tensors. */
function weightArrays(model) {
  if (model instanceof eg.compress.InferenceSequential) {
    return [...model.layers.flatMap((l) => [l.weight, l.weightScale, l.bias].filter(Boolean)), ...model.parameters().map((p) => p.data)];
  }
  return model.parameters().map((p) => p.data);
}

/** Deflate is in every browser as CompressionStream: pruning's zeros show up here. */
async function gzipSize(arrays) {
  const bytes = arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const stream = new Blob(bytes).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === "train") await train(data.options);
    else if (data.type === "compress") await compress(data.options);
  } catch (e) {
    post("error", { message: String(e?.message ?? e), stack: String(e?.stack ?? "") });
  }
};
