import * as eg from "../index.js";
import { parseArgs, usage, UsageError, type OptionSpec, type Parsed } from "./args.js";
import { learningCurvesSvg, table } from "./report.js";

/**
 * `edgegrad train`: the main job. Trains an MLP on the embedded digits set (or Fashion-MNIST
 * from --data DIR), prints a line per epoch, then a results table, and writes the learning
 * curves as an SVG.
 */
export const trainOptions: Record<string, OptionSpec> = {
  data: { type: "string", help: "directory with the Fashion-MNIST IDX files (default: embedded digits)" },
  epochs: { type: "int", help: "training epochs (40 on digits, 10 on Fashion-MNIST)" },
  "batch-size": { type: "int", help: "mini-batch size (32 on digits, 64 on Fashion-MNIST)" },
  lr: { type: "number", help: "Adam learning rate", default: 1e-3 },
  hidden: { type: "list", help: "hidden layer sizes (128,64 on digits, 256,128 on Fashion-MNIST)" },
  seed: { type: "int", help: "seed for initialization, split and shuffling", default: 1 },
  out: { type: "string", help: "directory for learning-curves.svg", default: "edgegrad-output" },
  backend: { type: "string", help: "auto, wasm-relaxed-simd, wasm-simd or js", default: "auto" },
};

export const trainUsage = () => usage("train", "Train an MLP classifier and report test accuracy, macro-F1 and the confusion matrix.", trainOptions);

interface Split { xTrain: eg.Tensor; yTrain: eg.Tensor; xTest: eg.Tensor; yTest: eg.Tensor; classes: string[]; name: string }

async function loadData(dir: string | undefined, seed: number): Promise<Split> {
  if (dir === undefined) {
    const d = eg.data.digits();
    const s = eg.data.trainTestSplit(d.x, d.y, { testSize: 0.2, stratify: true, seed });
    const scaler = eg.data.standardize(s.xTrain);
    return { xTrain: scaler.transform(s.xTrain), yTrain: s.yTrain, xTest: scaler.transform(s.xTest), yTest: s.yTest,
      classes: d.targetNames ?? [], name: "digits (1797 images of 8×8, UCI)" };
  }
  let f: Awaited<ReturnType<typeof eg.data.loadFashionMnist>>;
  try {
    f = await eg.data.loadFashionMnist(dir);
  } catch (e) {
    throw new UsageError(`cannot read Fashion-MNIST from ${dir}: ${(e as Error).message}`);
  }
  return { xTrain: f.train.x, yTrain: f.train.y, xTest: f.test.x, yTest: f.test.y, classes: [...f.targetNames], name: `Fashion-MNIST (${dir})` };
}

/** Linear layers of the given sizes (He-uniform, one seed per layer) with ReLU between them. */
function buildMlp(sizes: number[], seed: number): eg.nn.Sequential {
  const layers: eg.nn.Module[] = [];
  sizes.slice(1).forEach((out, i) => {
    layers.push(new eg.nn.Linear(sizes[i], out, { init: "he_uniform", seed: seed + i }));
    if (i < sizes.length - 2) layers.push(new eg.nn.ReLU());
  });
  return new eg.nn.Sequential(...layers);
}

/** Test accuracy, macro F1, size and time as a table, then the confusion matrix; returns the accuracy. */
function reportResults(model: eg.nn.Sequential, data: Split, epochs: number, trainSeconds: number,
                       write: (s: string) => void): number {
  const pred = eg.nn.predict(model, data.xTest).argmax(1);
  const accuracy = eg.metrics.accuracy(data.yTest, pred);
  const { f1 } = eg.metrics.precisionRecallF1(data.yTest, pred, { average: "macro" });
  const cm = eg.metrics.confusionMatrix(data.yTest, pred).toArray() as number[][];
  const params = model.parameters().reduce((s, p) => s + p.size, 0);

  write("");
  write(table([
    ["test accuracy", accuracy.toFixed(4)],
    ["macro F1", f1.toFixed(4)],
    ["parameters", String(params)],
    ["model size (float32)", `${(params * 4 / 1024).toFixed(1)} KiB`],
    ["training time", `${trainSeconds.toFixed(1)} s (${epochs} epochs)`],
    ["backend", eg.backendInfo().backend],
  ], ["result", "value"]));
  write("");
  write("confusion matrix (rows: true class, columns: predicted)");
  const labels = data.classes.map((c) => c.slice(0, 5));
  write(table(cm.map((row, i) => [labels[i], ...row]), ["", ...labels]));
  return accuracy;
}

/** Writes the loss and accuracy curves (train and validation) to `<outDir>/learning-curves.svg`. */
async function writeLearningCurves(h: eg.nn.History["history"], title: string, outDir: string,
                                   write: (s: string) => void): Promise<void> {
  const svg = learningCurvesSvg(
    [{ name: "train", values: h.loss, color: "#1f77b4" }, { name: "validation", values: h.val_loss ?? [], color: "#ff7f0e", dashed: true }],
    [{ name: "train", values: h.accuracy ?? [], color: "#1f77b4" }, { name: "validation", values: h.val_accuracy ?? [], color: "#ff7f0e", dashed: true }],
    title);
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  await mkdir(outDir, { recursive: true });
  const file = resolve(join(outDir, "learning-curves.svg"));
  await writeFile(file, svg);
  write("");
  write(`learning curves: ${file}`);
}

/** Validates --backend and initializes it. */
async function initBackend(a: Parsed): Promise<void> {
  const backend = a.backend as string;
  if (!["auto", "wasm-relaxed-simd", "wasm-simd", "js"].includes(backend)) throw new UsageError(`--backend must be auto, wasm-relaxed-simd, wasm-simd or js, got "${backend}"`);
  await eg.init({ backend: backend as "auto" });
}

export async function train(argv: string[], write: (s: string) => void): Promise<void> {
  const a = parseArgs(argv, trainOptions);
  await initBackend(a);
  const seed = a.seed as number;
  const data = await loadData(a.data as string | undefined, seed);
  const isDigits = a.data === undefined;
  const hidden = (a.hidden as number[] | undefined) ?? (isDigits ? [128, 64] : [256, 128]);
  const epochs = (a.epochs as number | undefined) ?? (isDigits ? 40 : 10);
  const batchSize = (a["batch-size"] as number | undefined) ?? (isDigits ? 32 : 64);
  const sizes = [data.xTrain.shape[1], ...hidden, data.classes.length];
  const model = buildMlp(sizes, seed);
  const optimizer = new eg.optim.Adam(model.parameters(), { lr: a.lr as number });
  write(`edgegrad ${eg.backendInfo().backend} — ${data.name}: ${data.xTrain.shape[0]} train / ${data.xTest.shape[0]} test, MLP ${sizes.join("-")}, Adam lr ${a.lr}, batch ${batchSize}, ${epochs} epochs`);

  const t0 = performance.now();
  const history = await eg.nn.fit(model, data.xTrain, data.yTrain, {
    loss: "crossEntropy", optimizer, epochs, batchSize, shuffle: true, seed,
    validationSplit: 0.1, metrics: ["accuracy"], callbacks: [eg.nn.callbacks.progressBar()],
  });
  const trainSeconds = (performance.now() - t0) / 1000;

  const accuracy = reportResults(model, data, epochs, trainSeconds, write);
  const title = `edgegrad — MLP ${sizes.join("-")} on ${data.name.split(" (")[0]}, test accuracy ${accuracy.toFixed(4)}`;
  await writeLearningCurves(history.history, title, a.out as string, write);
}
