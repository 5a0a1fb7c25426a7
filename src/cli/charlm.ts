import * as eg from "../index.js";
import { parseArgs, usage, UsageError, type OptionSpec, type Parsed } from "./args.js";
import { trainLm, type LmRun } from "./charlm-loop.js";
import { Replicas } from "./charlm-replicas.js";
import { learningCurvesSvg, makeOutDir, saveLearningCurves, table } from "./report.js";
import { backendLabel, backendOptions, initBackend } from "./train.js";

/**
 * `edgegrad train --model charlm`: a character-level GPT-style transformer trained on a text file
 * or folder (default: the fortunes of the Debian package `fortunes`), with AdamW, a OneCycle or
 * cosine schedule and gradient clipping. Per-step progress with tokens/s, validation loss in bits
 * per character per epoch on the last 10% of the text, samples at the end, curves as an SVG.
 */
// The defaults are the recipe that learned most per character in runs of a few hundred thousand
// to 1.5 million characters (bench/RESULTS-sequence.md, "A recipe for minutes"): 2 blocks of
// context 64, batches of 8, cosine decay from 2e-3, no weight decay. A third block learned no more
// per character and cost 1.5× the time per character. The feed-forward width is 3·d-model, not
// the usual 4: in 5 minutes the narrower block read 19% more characters and ended lower.
export const charlmOptions: Record<string, OptionSpec> = {
  model: { type: "string", help: "charlm (mlp and cnn have their own options: edgegrad train --help)", default: "charlm" },
  data: { type: "string", help: "a text file or a folder of text files (default: the fortunes in /usr/share/games/fortunes)" },
  layers: { type: "int", help: "transformer blocks", default: 2 },
  "d-model": { type: "int", help: "width of the token vectors", default: 128 },
  heads: { type: "int", help: "attention heads (must divide --d-model)", default: 4 },
  context: { type: "int", help: "characters the model reads at once", default: 64 },
  "ff-dim": { type: "int", help: "hidden width of each block's feed-forward network (default 3·d-model)" },
  dropout: { type: "fraction", help: "dropout in the blocks", default: 0 },
  activation: { type: "string", help: "feed-forward activation: gelu or relu (fused into the GEMM)", default: "gelu" },
  "batch-size": { type: "int", help: "windows per step", default: 8 },
  lr: { type: "number", help: "peak AdamW learning rate", default: 2e-3 },
  "weight-decay": { type: "number", allowZero: true, help: "AdamW's decoupled weight decay", default: 0 },
  beta2: { type: "fraction", help: "AdamW's β2, the decay of its squared-gradient average", default: 0.999 },
  schedule: { type: "string", help: "cosine, onecycle (warm-up then cosine decay), or none", default: "cosine" },
  "clip-norm": { type: "number", help: "clip the gradients' joint 2-norm to this", default: 1 },
  epochs: { type: "int", help: "epochs to train (default 1, or as many as --minutes/--steps allow)" },
  "steps-per-epoch": { type: "int", help: "steps between validations (default: one pass over the training text)" },
  steps: { type: "int", help: "stop after this many steps" },
  minutes: { type: "number", help: "stop after this much training time; the schedule follows the time" },
  "eval-tokens": { type: "int", help: "validation characters read after each epoch (the last evaluation reads them all)", default: 65536 },
  samples: { type: "int", allowZero: true, help: "samples printed at the end", default: 3 },
  "sample-length": { type: "int", help: "characters per sample", default: 240 },
  temperature: { type: "number", help: "sampling temperature", default: 0.8 },
  "top-k": { type: "int", help: "sample among the k most likely characters (default: all)" },
  prompt: { type: "string", help: "text the samples start from (default a newline, or the text's first character if it has none)", default: "\n" },
  "log-every": { type: "int", help: "steps between progress lines", default: 1 },
  seed: { type: "int", allowZero: true, help: "seed for initialization, batch order and samples", default: 1 },
  out: { type: "string", help: "directory for learning-curves.svg", default: "edgegrad-output" },
  ...backendOptions,
  replicas: {
    type: "int", default: 1,
    help: "threads that compute each step together, each on its share of the batch's windows, their gradients averaged (data parallel; each replica's kernels run on one thread unless --threads says otherwise)",
  },
};

export const charlmUsage = () => usage("train --model charlm", "Train a character-level transformer language model, report validation bits per character and print samples.", charlmOptions);

/** True when argv asks for the language model (`--model charlm` or `--model=charlm`). */
export function isCharLm(argv: string[]): boolean {
  return argv.some((a, i) => a === "--model=charlm" || (a === "--model" && argv[i + 1] === "charlm"));
}

interface Corpus { text: string; name: string }

async function loadCorpus(path: string | undefined): Promise<Corpus> {
  if (path !== undefined) {
    const text = await eg.data.loadText(path);
    return { text, name: path };
  }
  const { stat } = await import("node:fs/promises");
  const present = await stat(eg.data.FORTUNES_DIR).then((s) => s.isDirectory(), () => false);
  if (!present) throw new UsageError(`--model charlm needs --data <text file or folder> (the default corpus, ${eg.data.FORTUNES_DIR} from the Debian package fortunes, is not installed)`);
  const f = await eg.data.loadFortunes(eg.data.FORTUNES_DIR);
  // The fortune files' own separator between fortunes, so the model learns where one ends.
  return { text: f.texts.join("\n%\n") + "\n", name: `fortunes (${f.labelNames.length} files)` };
}

function checkedChoice(a: Parsed, key: string, allowed: string[]): string {
  const v = String(a[key]);
  const choices = allowed.length > 1 ? `${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}` : allowed[0];
  if (!allowed.includes(v)) throw new UsageError(`--${key} must be ${choices}, got "${v}"`);
  return v;
}

/** The model options the command line describes (heads not dividing the width is a usage error here, not the model's ValueError). */
function modelOptions(a: Parsed): eg.nn.TransformerLMOptions {
  if ((a["d-model"] as number) % (a.heads as number) !== 0) throw new UsageError(`--heads (${a.heads}) must divide --d-model (${a["d-model"]})`);
  return {
    dModel: a["d-model"] as number, numLayers: a.layers as number, numHeads: a.heads as number, contextLength: a.context as number,
    dimFeedforward: (a["ff-dim"] as number | undefined) ?? 3 * (a["d-model"] as number), dropout: a.dropout as number,
    activation: a.activation as "gelu" | "relu", seed: a.seed as number,
  };
}

export async function trainCharLm(argv: string[], write: (s: string) => void): Promise<void> {
  const a = parseArgs(argv, charlmOptions);
  checkedChoice(a, "model", ["charlm"]);
  const schedule = checkedChoice(a, "schedule", ["onecycle", "cosine", "none"]) as LmRun["schedule"];
  checkedChoice(a, "activation", ["gelu", "relu"]);
  await initBackend(a);
  const corpus = await loadCorpus(a.data as string | undefined);
  const tokenizer = eg.data.CharTokenizer.fromText(corpus.text);
  const ids = tokenizer.encode(corpus.text);
  const { train, validation } = eg.data.splitSequence(ids, 0.1);
  const T = a.context as number;
  if (validation.length <= T) throw new UsageError(`the text is too short: its last 10% (${validation.length} characters) must be longer than --context ${T}`);
  const options = modelOptions(a);
  // The samples come after training: a prompt the text cannot encode, or an --out that cannot be
  // made, would otherwise fail only then.
  const prompt = promptIds(tokenizer, a.prompt as string);
  await makeOutDir(a.out as string);
  const model = new eg.nn.TransformerLM(tokenizer.vocabSize, options);
  const params = model.parameters().reduce((s, p) => s + p.size, 0);
  const description = `transformer ${a.layers}×${a["d-model"]} (${a.heads} heads, context ${T}, ${a.activation}), ${params} parameters`;
  write(`edgegrad ${backendLabel()} — ${corpus.name}: ${train.length} train / ${validation.length} validation characters, vocabulary ${tokenizer.vocabSize}`);
  write(`${description}; AdamW lr ${a.lr} β2 ${a.beta2} weight decay ${a["weight-decay"]}, ${schedule} schedule, clip-norm ${a["clip-norm"]}, batch ${a["batch-size"]}×${T}`);

  const run: LmRun = {
    model, train, validation, contextLength: T, batchSize: a["batch-size"] as number, lr: a.lr as number,
    weightDecay: a["weight-decay"] as number, beta2: a.beta2 as number, schedule, clipNorm: a["clip-norm"] as number,
    epochs: a.epochs as number | undefined, stepsPerEpoch: a["steps-per-epoch"] as number | undefined,
    steps: a.steps as number | undefined, minutes: a.minutes as number | undefined,
    evalTokens: a["eval-tokens"] as number, logEvery: a["log-every"] as number, seed: a.seed as number,
  };
  const replicas = a.replicas as number;
  if (replicas > (a["batch-size"] as number)) throw new UsageError(`--replicas (${replicas}) must not exceed --batch-size (${a["batch-size"]}): each replica takes whole windows`);
  if (replicas > 1) {
    run.replicas = await Replicas.start(model, replicas, options, a["batch-size"] as number, T);
    write(`data parallel: ${replicas} replicas, each on ${a["batch-size"]}/${replicas} of every batch's windows`);
  }
  let history;
  try {
    history = await trainLm(run, write);
  } finally {
    await run.replicas?.close();
  }
  const final = history.final;
  write("");
  write(table([
    ["validation loss", `${final.loss.toFixed(4)} nats/char (${(final.loss / Math.LN2).toFixed(4)} bits/char)`],
    ["next-character accuracy", final.accuracy.toFixed(4)],
    ["training", `${history.steps} steps, ${history.tokens} characters, ${history.seconds.toFixed(1)} s (${Math.round(history.tokens / history.seconds)} tokens/s)`],
    // On a shared machine the wall time says little; the process's CPU time says what the steps cost.
    ["CPU time in training", `${history.cpuSeconds.toFixed(1)} s (${Math.round(history.tokens / history.cpuSeconds)} tokens per CPU second)`],
    ["parameters", String(params)],
    ["backend", backendLabel()],
  ], ["result", "value"]));
  writeSamples(model, tokenizer, prompt, a, write);
  const title = `edgegrad — char transformer on ${corpus.name.split(" (")[0]}, validation ${(final.loss / Math.LN2).toFixed(3)} bits/char`;
  await writeCurves(history, title, a.out as string, write);
}

/** The ids of --prompt; a character the text does not contain is a usage error. */
function promptIds(tokenizer: eg.data.CharTokenizer, given: string): Int32Array {
  // The default prompt, a newline, is not in the vocabulary of a text without one: start from the
  // vocabulary's first character instead. A prompt given with --prompt is used as given.
  const text = given === "\n" && !tokenizer.vocab.includes("\n") ? tokenizer.vocab[0] : given;
  if (text === "") throw new UsageError("--prompt must have at least one character");
  const missing = [...text].find((c) => !tokenizer.vocab.includes(c));
  if (missing !== undefined) throw new UsageError(`--prompt has ${JSON.stringify(missing)}, which the text never contains (the model knows only the text's characters)`);
  return tokenizer.encode(text);
}

function writeSamples(model: eg.nn.TransformerLM, tokenizer: eg.data.CharTokenizer, prompt: Int32Array, a: Parsed,
                      write: (s: string) => void): void {
  for (let i = 0; i < (a.samples as number); i++) {
    const out = eg.nn.generate(model, prompt, {
      maxNewTokens: a["sample-length"] as number, temperature: a.temperature as number,
      ...(a["top-k"] === undefined ? {} : { topK: a["top-k"] as number }), seed: (a.seed as number) + i,
    });
    write("");
    write(`sample ${i + 1} (temperature ${a.temperature}):`);
    write(tokenizer.decode(out));
  }
}

/** Bits per character (train: the epoch's mean; validation: after the epoch) and next-character accuracy. */
async function writeCurves(h: Awaited<ReturnType<typeof trainLm>>, title: string, outDir: string, write: (s: string) => void): Promise<void> {
  const bits = (xs: number[]) => xs.map((v) => v / Math.LN2);
  const svg = learningCurvesSvg(
    [{ name: "train", values: bits(h.trainLoss), color: "#1f77b4" }, { name: "validation", values: bits(h.valLoss), color: "#ff7f0e", dashed: true }],
    [{ name: "validation", values: h.valAccuracy, color: "#ff7f0e", dashed: true }],
    title, { lossLabel: "bits per character", accuracyLabel: "next-character accuracy" });
  await saveLearningCurves(svg, outDir, write);
}
