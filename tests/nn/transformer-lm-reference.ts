// A float64 GPT forward written from the formulas, sharing no code with src/nn: token and
// position embeddings, pre-norm blocks (x + attn(LN1 x), x + W2·gelu(W1·LN2 x)) with causal
// multi-head attention, a final LayerNorm and the head. Weights are read by their PyTorch names
// from a state dict, so the reference also pins the module's key layout.
import type { Tensor } from "../../src/index.js";

export interface GptShape { dModel: number; numHeads: number; numLayers: number; vocabSize: number; tieWeights: boolean; activation?: "gelu" | "relu" }
type Weights = Record<string, Tensor>;
type Vec = Float64Array;

const rows = (w: Tensor): number => w.shape[0];
const f64 = (w: Tensor): Float64Array => Float64Array.from(w.contiguous().data as ArrayLike<number>);

/** erf by its Maclaurin series (|x| ≤ 5, error far below float32's) and ±1 beyond (erfc(5) < 2e-12). */
export function erf64(x: number): number {
  if (Math.abs(x) > 5) return Math.sign(x);
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const gelu = (x: number) => 0.5 * x * (1 + erf64(x / Math.SQRT2));

/** y = W·x + b for W [out, in] row-major. */
function affine(W: Vec, b: Vec | null, x: Vec, out: number): Vec {
  const n = x.length, y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < n; i++) s += W[o * n + i] * x[i];
    y[o] = s;
  }
  return y;
}

/**
 * What the forward learned about its own conditioning: the largest amplification a LayerNorm
 * applied to errors in its input, max|x| / √(var + eps). An error of ε·max|x| in x (what float32
 * arithmetic leaves upstream) leaves up to ε·|g|·max|x|/√(var + eps) in the normalized output,
 * so nearly constant vectors (two close values of a dModel = 2 model) amplify rounding by
 * hundreds. One element is the exception: x − mean is exactly 0 in any precision.
 */
export interface GptConditioning { layerNorm: number }

function layerNorm(x: Vec, g: Vec, b: Vec, cond?: GptConditioning, eps = 1e-5): Vec {
  const n = x.length;
  const mean = x.reduce((a, v) => a + v, 0) / n;
  const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
  const sd = Math.sqrt(variance + eps);
  if (cond && n > 1) cond.layerNorm = Math.max(cond.layerNorm, Math.max(...Array.from(x, Math.abs)) / sd);
  return x.map((v, i) => ((v - mean) / sd) * g[i] + b[i]);
}

/** Causal multi-head self-attention of one sequence of vectors xs. */
function attention(xs: Vec[], p: (k: string) => Vec, d: number, heads: number): Vec[] {
  const qkv = xs.map((x) => affine(p("self_attn.in_proj_weight"), p("self_attn.in_proj_bias"), x, 3 * d));
  const dh = d / heads, T = xs.length;
  return xs.map((_, t) => {
    const concat = new Float64Array(d);
    for (let h = 0; h < heads; h++) {
      const scores: number[] = [];
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let j = 0; j < dh; j++) dot += qkv[t][h * dh + j] * qkv[s][d + h * dh + j];
        scores.push(dot / Math.sqrt(dh));
      }
      const m = Math.max(...scores);
      const e = scores.map((v) => Math.exp(v - m));
      const z = e.reduce((a, v) => a + v, 0);
      for (let s = 0; s <= t && s < T; s++) {
        for (let j = 0; j < dh; j++) concat[h * dh + j] += (e[s] / z) * qkv[s][2 * d + h * dh + j];
      }
    }
    return affine(p("self_attn.out_proj.weight"), p("self_attn.out_proj.bias"), concat, d);
  });
}

/** Logits [T][V] of one sequence of ids; `cond`, when given, gathers the LayerNorms' conditioning. */
export function gptForward(w: Weights, shape: GptShape, ids: number[], cond?: GptConditioning): Vec[] {
  const { dModel: d, numHeads, numLayers, vocabSize: V } = shape;
  const get = (k: string): Vec => f64(w[k]);
  const emb = get("embedding.weight"), pos = get("positions.weight");
  let xs = ids.map((id, t) => emb.slice(id * d, id * d + d).map((v, j) => v + pos[t * d + j]));
  for (let l = 0; l < numLayers; l++) {
    const p = (k: string) => get(`encoder.layers.${l}.${k}`);
    const ff = rows(w[`encoder.layers.${l}.linear1.weight`]);
    const a = attention(xs.map((x) => layerNorm(x, p("norm1.weight"), p("norm1.bias"), cond)), p, d, numHeads);
    xs = xs.map((x, t) => x.map((v, j) => v + a[t][j]));
    xs = xs.map((x) => {
      const hidden = affine(p("linear1.weight"), p("linear1.bias"), layerNorm(x, p("norm2.weight"), p("norm2.bias"), cond), ff).map(shape.activation === "relu" ? (v) => Math.max(0, v) : gelu);
      const y = affine(p("linear2.weight"), p("linear2.bias"), hidden, d);
      return x.map((v, j) => v + y[j]);
    });
  }
  const head = shape.tieWeights ? emb : get("head.weight");
  return xs.map((x) => affine(head, null, layerNorm(x, get("norm.weight"), get("norm.bias"), cond), V));
}

/**
 * Redraws every parameter of a module in place with values of order one (norm gains near 1), so
 * logits are far from zero and a wrong term shows: GPT-2's N(0, 0.02²) start would make every
 * logit nearly 0 and most comparisons trivially close.
 */
export function scrambleParameters(model: { namedParameters(): [string, Tensor][] }, seed: number): void {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  for (const [name, p] of model.namedParameters()) {
    const d = p.storage;
    const gain = /norm\d?\.weight$/.test(name);
    for (let i = 0; i < d.length; i++) d[i] = gain ? 1 + 0.3 * next() : next() * (p.ndim === 2 ? 1.5 / Math.sqrt(p.shape[1]) : 0.3);
  }
}
