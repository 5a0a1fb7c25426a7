import { nonNegativeInt } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, type RandomOptions, type Rng } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

/**
 * Drawing the next token of a language model from its logits, as Hugging Face's generate with
 * do_sample: temperature, then top-k, then top-p (nucleus), then a draw from what is left.
 */

export interface SampleOptions extends RandomOptions {
  /** Divides the logits (default 1); 0 takes the argmax (greedy decoding). */
  temperature?: number;
  /** Keep only the k largest logits (0 or absent: all). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches topP (default 1: all). */
  topP?: number;
}

interface Resolved { temperature: number; topK: number; topP: number; rng: Rng }

function resolve(o: SampleOptions): Resolved {
  checkOptions("sampleLogits", o, ["temperature", "topK", "topP", "seed", "rng"]);
  const temperature = o.temperature ?? 1;
  if (!(typeof temperature === "number" && temperature >= 0 && Number.isFinite(temperature))) {
    throw new ValueError(`sampleLogits: temperature must be a finite number ≥ 0, got ${String(temperature)}`);
  }
  const topK = nonNegativeInt("sampleLogits", "topK", o.topK ?? 0);
  const topP = o.topP ?? 1;
  if (!(typeof topP === "number" && topP > 0 && topP <= 1)) throw new ValueError(`sampleLogits: topP must be in (0, 1], got ${String(topP)}`);
  return { temperature, topK, topP, rng: rngFrom(o) };
}

/** Ids of the row's candidates after top-k and top-p, largest logit first (ties: lower id first). */
function candidateTokens(logits: ArrayLike<number>, temperature: number, topK: number, topP: number): number[] {
  const order = Array.from({ length: logits.length }, (_, i) => i).filter((i) => logits[i] > -Infinity);
  order.sort((a, b) => logits[b] - logits[a] || a - b);
  let keep = topK > 0 ? order.slice(0, topK) : order;
  if (topP < 1 && keep.length > 1) {
    const top = logits[keep[0]];
    const weights = keep.map((i) => Math.exp((logits[i] - top) / temperature));
    const total = weights.reduce((a, b) => a + b, 0);
    // A token stays while the probability of the tokens before it is below topP (HF's rule).
    let before = 0, n = 0;
    while (n < keep.length && before < topP * total) before += weights[n++];
    keep = keep.slice(0, Math.max(n, 1));
  }
  return keep;
}

function sampleRow(logits: ArrayLike<number>, r: Resolved): number {
  let best = -1;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (Number.isNaN(v)) throw new ValueError(`sampleLogits: logit ${i} is NaN`);
    if (v > -Infinity && (best < 0 || v > logits[best])) best = i;
  }
  if (best < 0) throw new ValueError("sampleLogits: every logit is −Infinity (nothing to sample)");
  if (logits[best] === Infinity) return best;
  if (r.temperature === 0) return best;
  const keep = candidateTokens(logits, r.temperature, r.topK, r.topP).sort((a, b) => a - b);
  const top = logits[best];
  const weights = keep.map((i) => Math.exp((logits[i] - top) / r.temperature));
  let u = r.rng.uniform() * weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < keep.length; j++) {
    u -= weights[j];
    if (u < 0) return keep[j];
  }
  return keep[keep.length - 1]; // u landed on the total through rounding
}

/**
 * A token id drawn from softmax(logits / temperature) restricted to the top-k, then top-p set;
 * seeded draws repeat. Logits of one row (a 1-D tensor or array) give a number; a [batch, vocab]
 * tensor gives an int32 tensor [batch], one draw per row, in row order.
 */
export function sampleLogits(logits: Tensor, o?: SampleOptions): number | Tensor;
export function sampleLogits(logits: ArrayLike<number>, o?: SampleOptions): number;
export function sampleLogits(logits: Tensor | ArrayLike<number>, o: SampleOptions = {}): number | Tensor {
  const r = resolve(o);
  if (!(logits instanceof Tensor)) {
    if (logits === null || typeof logits !== "object" || typeof logits.length !== "number" || logits.length === 0) {
      throw new ShapeError("sampleLogits: logits must be a non-empty array or a 1-D/2-D tensor");
    }
    return sampleRow(logits, r);
  }
  if ((logits.ndim !== 1 && logits.ndim !== 2) || logits.size === 0 || (logits.dtype !== "float32" && logits.dtype !== "float64")) {
    throw new ShapeError(`sampleLogits: logits must be a non-empty float tensor [vocab] or [batch, vocab], got ${logits.dtype} [${logits.shape}]`);
  }
  const data = logits.contiguous().data as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> };
  if (logits.ndim === 1) return sampleRow(data, r);
  const [rows, vocab] = logits.shape;
  const out = new Int32Array(rows);
  for (let b = 0; b < rows; b++) out[b] = sampleRow(data.subarray(b * vocab, (b + 1) * vocab), r);
  return new Tensor(out, "int32", [rows]);
}
