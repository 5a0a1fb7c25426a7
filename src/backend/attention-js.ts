// The JS reference of the fused attention kernels (assembly/f32-attention.ts): the same formulas
// in plain loops (one row of scores at a time, causal keys skipped), on float32 or float64 arrays
// (float64 is the path of float64 tensors and of the gradient checks).
import type { AttentionBlocks, AttentionGrads, AttentionResult } from "./attention-kernels.js";

type Floats = Float32Array | Float64Array;
const like = (a: Floats, n: number): Floats => (a instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));

/** Keys query i sees: S, or i + 1 + S − L under a causal mask. */
const visible = (i: number, g: AttentionBlocks) => (g.causal ? i + 1 + g.s - g.l : g.s);

/** p[0..n) ← softmax(p[0..n)); a row masked everywhere becomes NaN, as in PyTorch. */
function softmaxRow(p: Floats, base: number, n: number): void {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) mx = Math.max(mx, p[base + j]);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    const x = Math.exp(p[base + j] - mx);
    p[base + j] = x;
    sum += x;
  }
  const inv = 1 / sum;
  for (let j = 0; j < n; j++) p[base + j] *= inv;
}

export function attentionForwardJs(g: AttentionBlocks, q: Floats, k: Floats, v: Floats,
                                   mask: Floats | null, drop: Floats | null): AttentionResult<Floats> {
  const { blocks, l: L, s: S, e: E, ev: Ev, scale } = g;
  const out = like(q, blocks * L * Ev), probs = like(q, blocks * L * S);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < L; i++) {
      const lim = visible(i, g), p = (b * L + i) * S, qi = (b * L + i) * E;
      for (let j = 0; j < lim; j++) {
        const kj = (b * S + j) * E;
        let dot = 0;
        for (let c = 0; c < E; c++) dot += q[qi + c] * k[kj + c];
        probs[p + j] = dot * scale + (mask ? mask[b * g.maskStride + i * S + j] : 0);
      }
      softmaxRow(probs, p, lim);
      const oi = (b * L + i) * Ev;
      for (let j = 0; j < lim; j++) {
        const w = drop ? probs[p + j] * drop[p + j] : probs[p + j], vj = (b * S + j) * Ev;
        for (let c = 0; c < Ev; c++) out[oi + c] += w * v[vj + c];
      }
    }
  }
  return { out, probs };
}

export function attentionBackwardJs(g: AttentionBlocks, q: Floats, k: Floats, v: Floats, drop: Floats | null,
                                    probs: Floats, dOut: Floats): AttentionGrads<Floats> {
  const { blocks, l: L, s: S, e: E, ev: Ev, scale } = g;
  const dq = like(q, blocks * L * E), dk = like(q, blocks * S * E), dv = like(q, blocks * S * Ev);
  const dp = like(q, S);
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < L; i++) {
      const lim = visible(i, g), p = (b * L + i) * S, gi = (b * L + i) * Ev, qi = (b * L + i) * E;
      let dot = 0;
      for (let j = 0; j < lim; j++) {
        const vj = (b * S + j) * Ev;
        let s = 0;
        for (let c = 0; c < Ev; c++) s += dOut[gi + c] * v[vj + c];
        const m = drop ? drop[p + j] : 1;
        dp[j] = s * m;
        dot += probs[p + j] * dp[j];
        const pw = probs[p + j] * m;
        for (let c = 0; c < Ev; c++) dv[vj + c] += pw * dOut[gi + c];
      }
      for (let j = 0; j < lim; j++) {
        const ds = probs[p + j] * (dp[j] - dot) * scale, kj = (b * S + j) * E;
        for (let c = 0; c < E; c++) {
          dq[qi + c] += ds * k[kj + c];
          dk[kj + c] += ds * q[qi + c];
        }
      }
    }
  }
  return { dq, dk, dv };
}
