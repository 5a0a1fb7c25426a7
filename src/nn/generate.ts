import { boolean, nonNegativeInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { noGrad, rngFrom, Tensor, type RandomOptions } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { sampleLogits } from "./sampling.js";
import { inEvalMode } from "./eval-mode.js";
import type { LMCache, TransformerLM } from "./transformer-lm.js";

/** `seed` or `rng` draw the tokens: the same seed, model and prompt give the same text; with neither, the global generator (manualSeed). */
export interface GenerateOptions extends RandomOptions {
  /** Tokens to add after the prompt. */
  maxNewTokens: number;
  /** Softmax temperature; 0 picks the most likely token (greedy). Default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens (0: all). */
  topK?: number;
  /** Sample only among the most likely tokens whose probabilities sum to p (nucleus sampling). */
  topP?: number;
  /** Reuse the keys and values of earlier positions (default true): one position per new token. */
  useCache?: boolean;
}

const KEYS = ["maxNewTokens", "temperature", "topK", "topP", "seed", "rng", "useCache"];

/**
 * The prompt's ids. generate continues one sequence: a tensor must be 1-D (a batch's rows would
 * otherwise be read as one text) and of an integer dtype (a bool tensor would be read as 1s and
 * 0s); anything but an array or a typed array is refused, as a string would be read character by
 * character.
 */
function promptIds(prompt: unknown, vocabSize: number): number[] {
  let list: unknown[];
  if (prompt instanceof Tensor) {
    if (prompt.ndim !== 1) throw new ShapeError(`generate: the prompt must be 1-D (one sequence), got shape [${prompt.shape.join(", ")}]`);
    if (prompt.dtype !== "int32" && prompt.dtype !== "uint8" && prompt.dtype !== "int8") {
      throw new DTypeError(`generate: the prompt must be an integer tensor (int32, uint8 or int8), got ${prompt.dtype}`);
    }
    list = Array.from(prompt.data as ArrayLike<number>);
  } else if (Array.isArray(prompt) || (ArrayBuffer.isView(prompt) && !(prompt instanceof DataView))) {
    list = Array.from(prompt as ArrayLike<unknown>);
  } else {
    throw new ValueError(`generate: the prompt must be a tensor, a typed array or an array of token ids, got ${prompt === null ? "null" : typeof prompt}`);
  }
  if (list.length === 0) throw new ValueError("generate: the prompt needs at least one token");
  list.forEach((id, i) => {
    if (!(typeof id === "number" && Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      const shown = typeof id === "string" ? JSON.stringify(id) : typeof id === "bigint" ? `${id}n` : String(id);
      throw new ValueError(`generate: prompt token ${shown} at position ${i} is outside the vocabulary [0, ${vocabSize})`);
    }
  });
  return list as number[];
}

/**
 * The prompt (one sequence of token ids: an array, a typed array or a 1-D integer tensor)
 * followed by maxNewTokens tokens drawn one at a time from the model's next-token distribution,
 * as an Int32Array. The model reads at most contextLength tokens: once the text is longer, it
 * reads a window that keeps the last ⌈contextLength/2⌉ tokens and grows again — with the cache
 * the window is read once (a new cache) and then one token per step; without it, the whole
 * window is read for every token. Both read the same tokens at the same positions, so for
 * a seed they give the same text (up to float rounding deciding a near tie). Runs in eval mode
 * without recording gradients and restores the model's mode.
 */
export function generate(model: TransformerLM, prompt: Tensor | ArrayLike<number>, o: GenerateOptions): Int32Array {
  checkOptions("generate", o, KEYS);
  const maxNew = nonNegativeInt("generate", "maxNewTokens", o?.maxNewTokens);
  const useCache = boolean("generate", "useCache", o.useCache ?? true);
  const seq = promptIds(prompt, model.vocabSize);
  const sample = { temperature: o.temperature, topK: o.topK, topP: o.topP };
  sampleLogits([0], { ...sample, seed: 0 }); // refuses bad sampling options before anything runs
  const rng = rngFrom(o);
  const window = model.contextLength, keep = Math.ceil(model.contextLength / 2);
  // Each module gets its own mode back afterwards (a frozen layer stays frozen), not one flag for all.
  inEvalMode(model, () => noGrad(() => {
    let start = Math.max(0, seq.length - window);
    let cache: LMCache | null = null;
    for (let step = 0; step < maxNew; step++) {
      if (seq.length - start > window) start = seq.length - keep;
      let ids: number[];
      if (!useCache) ids = seq.slice(start);
      else if (cache === null || cache.length + start !== seq.length - 1) {
        // The window moved (or this is the first step): a new cache read from its first token.
        cache = model.newCache();
        ids = seq.slice(start);
      } else ids = seq.slice(seq.length - 1);
      const logits = model.forward(new Tensor(Int32Array.from(ids), "int32", [1, ids.length]), useCache ? { cache: cache! } : {});
      const V = model.vocabSize;
      seq.push(sampleLogits(logits.data.subarray((ids.length - 1) * V, ids.length * V) as Float32Array, { ...sample, rng }));
    }
  }));
  return Int32Array.from(seq);
}
