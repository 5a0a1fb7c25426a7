import * as eg from "../index.js";
import { parseArgs, usage, UsageError, type OptionSpec } from "./args.js";
import { makeOutDir } from "./report.js";
import { backendLabel, backendOptions, buildMlp, initBackend, loadData } from "./train.js";

/**
 * `edgegrad lr-find`: the learning-rate range test on the MLP `edgegrad train` would train (same
 * data, sizes, dropout and AdamW), printing the suggested lr and writing the curve as an SVG.
 */
export const lrFindOptions: Record<string, OptionSpec> = {
  data: { type: "string", help: "directory with the Fashion-MNIST IDX files (default: embedded digits)" },
  "batch-size": { type: "int", help: "mini-batch size (32 on digits, 64 on Fashion-MNIST)" },
  "weight-decay": { type: "number", allowZero: true, help: "AdamW's decoupled weight decay", default: 0 },
  dropout: { type: "fraction", help: "dropout after each hidden layer", default: 0 },
  hidden: { type: "list", help: "hidden layer sizes (128,64 on digits, 512,256 on Fashion-MNIST)" },
  "start-lr": { type: "number", help: "first learning rate", default: 1e-7 },
  "end-lr": { type: "number", help: "last learning rate", default: 10 },
  "num-iter": { type: "int", help: "mini-batches over which the lr grows (at least 5)", default: 100 },
  seed: { type: "int", allowZero: true, help: "seed for initialization, split and batch order", default: 1 },
  out: { type: "string", help: "directory for lr-find.svg", default: "edgegrad-output" },
  ...backendOptions,
};

export const lrFindUsage = () => usage("lr-find", "Run the learning-rate range test (Smith 2017) on the MLP of `edgegrad train` and suggest an lr.", lrFindOptions);

export async function lrFind(argv: string[], write: (s: string) => void): Promise<void> {
  const a = parseArgs(argv, lrFindOptions);
  // lrFinder's own checks, in the names of the command line.
  if ((a["end-lr"] as number) <= (a["start-lr"] as number)) throw new UsageError(`--end-lr (${a["end-lr"]}) must be above --start-lr (${a["start-lr"]})`);
  if ((a["num-iter"] as number) < 5) throw new UsageError(`--num-iter must be at least 5, got ${a["num-iter"]}`);
  await initBackend(a);
  const seed = a.seed as number;
  const data = await loadData(a.data as string | undefined, seed);
  await makeOutDir(a.out as string);
  const fashion = a.data !== undefined;
  const hidden = (a.hidden as number[] | undefined) ?? (fashion ? [512, 256] : [128, 64]);
  const sizes = [data.xTrain.shape[1], ...hidden, data.classes.length];
  const model = buildMlp(sizes, seed, a.dropout as number);
  const optimizer = new eg.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: a["weight-decay"] as number });
  const r = await eg.select.lrFinder(model, data.xTrain, data.yTrain, {
    optimizer, loss: "crossEntropy", startLr: a["start-lr"] as number, endLr: a["end-lr"] as number,
    numIter: a["num-iter"] as number, batchSize: (a["batch-size"] as number | undefined) ?? (fashion ? 64 : 32), seed,
  });
  write(`edgegrad ${backendLabel()} — lr range test on ${data.name}, MLP ${sizes.join("-")}, AdamW: ${r.lrs.length} mini-batches (${r.stopReason === "diverged" ? "stopped when the loss diverged" : "reached end-lr"})`);
  write(`suggested lr: ${r.suggestion.toPrecision(3)} (the smoothed loss's minimum / 10; steepest descent at ${r.steepest.toPrecision(3)})`);
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  await mkdir(a.out as string, { recursive: true });
  const file = resolve(join(a.out as string, "lr-find.svg"));
  await writeFile(file, eg.select.lrFinderSvg(r, { title: `lr range test — MLP ${sizes.join("-")} on ${data.name.split(" (")[0]}` }));
  write(`loss against lr: ${file}`);
}
