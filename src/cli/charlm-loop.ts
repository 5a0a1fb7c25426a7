import * as eg from "../index.js";
import type { Replicas } from "./charlm-replicas.js";

/**
 * The training loop of `edgegrad train --model charlm`: next-character batches from one long
 * sequence of ids, AdamW with gradient clipping, the lr schedule driven by the run's progress,
 * a progress line per step and a validation after each epoch.
 */

export interface LmRun {
  model: eg.nn.TransformerLM;
  train: Int32Array;
  validation: Int32Array;
  contextLength: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  beta2: number;
  schedule: "onecycle" | "cosine" | "none";
  clipNorm: number;
  /** Stop conditions; the first one reached ends training. With none, one epoch. */
  epochs?: number;
  steps?: number;
  minutes?: number;
  /** Steps between validations; default one pass over the training windows. */
  stepsPerEpoch?: number;
  /** Validation characters read after each epoch but the last, which reads them all. */
  evalTokens: number;
  logEvery: number;
  seed: number;
  /** Threads computing each step's gradient together (data parallel), or undefined for this one alone. */
  replicas?: Replicas;
}

export interface LmEvaluation { loss: number; accuracy: number; tokens: number }

export interface LmHistory {
  /** Per epoch: mean training loss (nats per character) of its steps, validation loss and accuracy. */
  trainLoss: number[];
  valLoss: number[];
  valAccuracy: number[];
  /** The last validation (over the whole validation text). */
  final: LmEvaluation;
  steps: number;
  tokens: number;
  /** Time spent in training steps (validation excluded), and this process's CPU time in them. */
  seconds: number;
  cpuSeconds: number;
}

/** CPU seconds of this process: on a machine shared with other jobs, what the steps really cost. */
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

/** The schedule's resolution: its position is the run's progress in thousandths. */
const SCHEDULE_UNITS = 1000;

/**
 * The scheduler of the run, stepped to progress·(units − 1) before each step, so a time budget
 * anneals the lr exactly when the time runs out, however fast the steps turn out to be.
 */
function scheduler(run: LmRun, opt: eg.optim.AdamW): eg.optim.lr.LRScheduler | null {
  if (run.schedule === "onecycle") {
    // A short warm-up (10%, not OneCycle's 30%): transformers need one, but it costs steps.
    return new eg.optim.lr.OneCycleLR(opt, { maxLr: run.lr, totalSteps: SCHEDULE_UNITS, pctStart: 0.1 });
  }
  if (run.schedule === "cosine") return new eg.optim.lr.CosineAnnealingLR(opt, { tMax: SCHEDULE_UNITS - 1 });
  return null;
}

/** Endless training batches: each pass over the text starts at a random offset and visits the windows in a new order. */
function* batchStream(run: LmRun, rng: eg.Rng): Generator<eg.data.LanguageModelBatch> {
  const T = run.contextLength;
  for (;;) {
    const offset = rng.int(T);
    yield* eg.data.languageModelBatches(run.train.subarray(offset), { contextLength: T, batchSize: run.batchSize, rng, dropLast: true });
  }
}

function stepsPerPass(run: LmRun): number {
  return Math.max(1, Math.floor(eg.data.countWindows(run.train.length - run.contextLength, run.contextLength) / run.batchSize));
}

/** One optimizer step on a batch; returns the batch's mean loss in nats per character. */
async function trainStep(run: LmRun, opt: eg.optim.AdamW, b: eg.data.LanguageModelBatch): Promise<number> {
  let value: number;
  if (run.replicas) {
    value = await run.replicas.step(b.x, b.y);
  } else {
    const [B, T] = b.x.shape;
    const logits = run.model.forward(b.x);
    const loss = eg.nn.crossEntropy(logits.reshape([B * T, run.model.vocabSize]), b.y.reshape([B * T]));
    opt.zeroGrad();
    loss.backward();
    value = loss.item();
  }
  if (Number.isFinite(run.clipNorm)) eg.optim.clipGradNorm(run.model.parameters(), run.clipNorm);
  opt.step();
  return value;
}

export async function trainLm(run: LmRun, write: (s: string) => void): Promise<LmHistory> {
  const opt = new eg.optim.AdamW(run.model.parameters(), { lr: run.lr, weightDecay: run.weightDecay, betas: [0.9, run.beta2] });
  const sched = scheduler(run, opt);
  const rng = new eg.Rng(run.seed);
  const batches = batchStream(run, rng);
  const perEpoch = run.stepsPerEpoch ?? stepsPerPass(run);
  const epochs = run.epochs ?? (run.steps === undefined && run.minutes === undefined ? 1 : Infinity);
  const budget = (run.minutes ?? Infinity) * 60;
  const totalSteps = Math.min(run.steps ?? Infinity, epochs * perEpoch);
  const progress = (step: number, seconds: number) => Math.min(1, Math.max(step / totalSteps, seconds / budget));
  const h: LmHistory = { trainLoss: [], valLoss: [], valAccuracy: [], final: { loss: NaN, accuracy: NaN, tokens: 0 }, steps: 0, tokens: 0, seconds: 0, cpuSeconds: 0 };
  const tokensPerStep = run.batchSize * run.contextLength;
  let done = false;
  for (let epoch = 1; !done; epoch++) {
    run.model.train();
    let sum = 0, count = 0;
    while (count < perEpoch) {
      if (progress(h.steps, h.seconds) >= 1) { done = true; break; }
      sched?.step(progress(h.steps, h.seconds) * (SCHEDULE_UNITS - 1));
      const t0 = performance.now(), c0 = cpuNow();
      const loss = await trainStep(run, opt, batches.next().value as eg.data.LanguageModelBatch);
      const seconds = (performance.now() - t0) / 1000;
      h.cpuSeconds += cpuNow() - c0;
      if (!Number.isFinite(loss)) throw new eg.ValueError(`training diverged: loss ${loss} at step ${h.steps + 1} (try a lower --lr)`);
      h.steps++; h.tokens += tokensPerStep; h.seconds += seconds;
      sum += loss; count++;
      if (h.steps % run.logEvery === 0) {
        write(`step ${h.steps} epoch ${epoch}  loss ${loss.toFixed(4)} (${(loss / Math.LN2).toFixed(3)} bits)  lr ${opt.paramGroups[0].lr.toExponential(2)}  ` +
          `${Math.round(tokensPerStep / seconds)} tokens/s  ${h.seconds.toFixed(1)} s`);
      }
      // Let a long run stay responsive (signals, output); setImmediate, as a timer would wait ≥ 1 ms a step.
      await new Promise((r) => setImmediate(r));
    }
    if (count === 0) break;
    done ||= progress(h.steps, h.seconds) >= 1;
    const v = evaluateLm(run.model, run.validation, run.contextLength, run.batchSize, done ? Infinity : run.evalTokens);
    if (done) h.final = v;
    h.trainLoss.push(sum / count); h.valLoss.push(v.loss); h.valAccuracy.push(v.accuracy);
    write(`Epoch ${epoch}: train loss ${(sum / count / Math.LN2).toFixed(4)} bits/char, validation ${(v.loss / Math.LN2).toFixed(4)} bits/char ` +
      `(${v.loss.toFixed(4)} nats, accuracy ${v.accuracy.toFixed(4)}, ${v.tokens} characters)`);
  }
  return h;
}

/**
 * Mean next-character loss (nats) and top-1 accuracy over validation windows of contextLength
 * (non-overlapping; at most maxTokens of them, spread evenly over the text), in eval mode.
 */
export function evaluateLm(model: eg.nn.TransformerLM, ids: Int32Array, T: number, batchSize: number, maxTokens: number): LmEvaluation {
  const count = eg.data.countWindows(ids.length, T);
  const wanted = Math.max(1, Math.min(count, Math.ceil(maxTokens / T)));
  const stride = wanted >= count ? T : Math.max(T, Math.floor((ids.length - T - 1) / Math.max(1, wanted - 1)));
  const wasTraining = model.training;
  model.eval();
  let loss = 0, correct = 0, tokens = 0;
  try {
    eg.noGrad(() => {
      for (const b of eg.data.languageModelBatches(ids, { contextLength: T, batchSize, shuffle: false, stride })) {
        const [B] = b.x.shape;
        const logits = model.forward(b.x).reshape([B * T, model.vocabSize]);
        const y = b.y.reshape([B * T]);
        loss += eg.nn.crossEntropy(logits, y, { reduction: "sum" }).item();
        const pred = logits.argmax(1).data, target = y.data;
        for (let i = 0; i < pred.length; i++) if (pred[i] === target[i]) correct++;
        tokens += B * T;
        if (tokens >= wanted * T) break;
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { loss: loss / tokens, accuracy: correct / tokens, tokens };
}
