// Scaled dot-product attention, one (batch, head) block at a time: scores, softmax and the
// weighted sum of values fused row by row, so the [L×S] probability matrix is written once (it
// is what the backward and the returned weights need) and never re-read by the forward.
// Every product is a "row times rows" sum — out[0..w) = Σ_t c[t]·rows[t][0..w) — accumulated in
// registers 16 floats wide, so there is no horizontal reduction: the scores read Kᵀ (transposed
// once per block), the outputs read V, the backward's dP reads Vᵀ and its dQ, dK, dV read K, Q
// and dO. With a causal mask, query i sees keys j ≤ i + S − L; the rest is skipped, not masked.
import { x32_transpose } from "./x32-transpose";

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * out[w] = scale · Σ_{t<n} c[t·cStride] · rows[t·rowStride + w] for w < width. Byte pointers,
 * strides in elements.
 */
function rowTimesRows(c: usize, cStride: usize, n: usize, rows: usize, rowStride: usize, width: usize,
                      out: usize, scale: f32): void {
  const cs = cStride << 2, rs = rowStride << 2;
  const vs = f32x4.splat(scale);
  let w: usize = 0;
  for (; w + 16 <= width; w += 16) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let cp = c, rp = rows + (w << 2);
    for (let t: usize = 0; t < n; t++, cp += cs, rp += rs) {
      const ct = f32x4.splat(load<f32>(cp));
      a0 = madd(ct, v128.load(rp), a0);
      a1 = madd(ct, v128.load(rp, 16), a1);
      a2 = madd(ct, v128.load(rp, 32), a2);
      a3 = madd(ct, v128.load(rp, 48), a3);
    }
    const o = out + (w << 2);
    v128.store(o, f32x4.mul(a0, vs));
    v128.store(o, f32x4.mul(a1, vs), 16);
    v128.store(o, f32x4.mul(a2, vs), 32);
    v128.store(o, f32x4.mul(a3, vs), 48);
  }
  for (; w + 4 <= width; w += 4) {
    let a0 = f32x4.splat(0);
    let cp = c, rp = rows + (w << 2);
    for (let t: usize = 0; t < n; t++, cp += cs, rp += rs) a0 = madd(f32x4.splat(load<f32>(cp)), v128.load(rp), a0);
    v128.store(out + (w << 2), f32x4.mul(a0, vs));
  }
  for (; w < width; w++) {
    let a: f32 = 0;
    let cp = c, rp = rows + (w << 2);
    for (let t: usize = 0; t < n; t++, cp += cs, rp += rs) a += load<f32>(cp) * load<f32>(rp);
    store<f32>(out + (w << 2), a * scale);
  }
}

/** Keys query i sees: S, or i + 1 + S − L under a causal mask. */
// @ts-ignore: decorator
@inline function visible(i: usize, l: usize, s: usize, causal: bool): usize {
  return causal ? i + 1 + s - l : s;
}

/** Bytes of scratch f32_attention_forward needs: Kᵀ of one block and one row. */
export function f32_attention_forward_workspace(s: i32, e: i32): i32 {
  return (e * s + s + 4) * 4;
}

/**
 * For each of `blocks` blocks: probs = softmax(scale·Q·Kᵀ + mask) (rows past the causal limit
 * 0), out = (probs ⊙ drop)·V. Q [L, E], K [S, E], V [S, Ev], probs and drop [L, S], out [L, Ev],
 * blocks contiguous one after another. mask: additive [L, S], maskStride elements between
 * blocks (0: shared), 0 for none; drop: dropout multipliers, 0 for none. causal: 1 or 0 (S ≥ L).
 */
export function f32_attention_forward(blocks: i32, l: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32,
                                      q: usize, k: usize, v: usize, mask: usize, maskStride: i32, drop: usize,
                                      out: usize, probs: usize, work: usize): void {
  const L = <usize>l, S = <usize>s, E = <usize>e, Ev = <usize>ev;
  const kt = work, row = work + E * S * 4;
  for (let b: usize = 0; b < <usize>blocks; b++) {
    const qb = q + b * L * E * 4, vb = v + b * S * Ev * 4, ob = out + b * L * Ev * 4, pb = probs + b * L * S * 4;
    x32_transpose(s, e, k + b * S * E * 4, e, kt, s);
    for (let i: usize = 0; i < L; i++) {
      const lim = visible(i, L, S, causal != 0);
      const p = pb + i * S * 4;
      rowTimesRows(qb + i * E * 4, 1, E, kt, S, lim, p, scale);
      if (mask != 0) {
        const m = mask + (b * <usize>maskStride + i * S) * 4;
        for (let j: usize = 0; j < lim; j++) store<f32>(p + j * 4, load<f32>(p + j * 4) + load<f32>(m + j * 4));
      }
      softmaxRow(p, lim, S);
      let coef = p;
      if (drop != 0) {
        const d = drop + (b * L + i) * S * 4;
        for (let j: usize = 0; j < lim; j++) store<f32>(row + j * 4, load<f32>(p + j * 4) * load<f32>(d + j * 4));
        coef = row;
      }
      rowTimesRows(coef, 1, lim, vb, Ev, Ev, ob + i * Ev * 4, 1);
    }
  }
}

/** p[0..n) ← softmax(p[0..n)), p[n..width) ← 0. A row masked everywhere becomes NaN, as in PyTorch. */
function softmaxRow(p: usize, n: usize, width: usize): void {
  let mx: f32 = -Infinity;
  for (let j: usize = 0; j < n; j++) mx = max(mx, load<f32>(p + j * 4));
  let sum: f32 = 0;
  for (let j: usize = 0; j < n; j++) {
    const x = Mathf.exp(load<f32>(p + j * 4) - mx);
    store<f32>(p + j * 4, x);
    sum += x;
  }
  const inv: f32 = 1 / sum;
  for (let j: usize = 0; j < n; j++) store<f32>(p + j * 4, load<f32>(p + j * 4) * inv);
  for (let j = n; j < width; j++) store<f32>(p + j * 4, 0);
}

/** Bytes of scratch f32_attention_backward needs: Vᵀ, dS and the dropped probabilities of one block. */
export function f32_attention_backward_workspace(l: i32, s: i32, ev: i32): i32 {
  return (ev * s + 2 * l * s + 4) * 4;
}

/**
 * dQ, dK, dV of f32_attention_forward for dOut [blocks, L, Ev], from the probs it wrote (same
 * arguments otherwise). dP' = dO·Vᵀ, dP = dP' ⊙ drop, dS = P ⊙ (dP − Σ_j P·dP),
 * dQ = scale·dS·K, dK = scale·dSᵀ·Q, dV = (P ⊙ drop)ᵀ·dO.
 */
export function f32_attention_backward(blocks: i32, l: i32, s: i32, e: i32, ev: i32, scale: f32, causal: i32,
                                       q: usize, k: usize, v: usize, drop: usize, probs: usize, dOut: usize,
                                       dq: usize, dk: usize, dv: usize, work: usize): void {
  const L = <usize>l, S = <usize>s, E = <usize>e, Ev = <usize>ev;
  const vt = work, ds = vt + Ev * S * 4, dropped = ds + L * S * 4;
  for (let b: usize = 0; b < <usize>blocks; b++) {
    const qb = q + b * L * E * 4, kb = k + b * S * E * 4, pb = probs + b * L * S * 4, gb = dOut + b * L * Ev * 4;
    const db = drop != 0 ? drop + b * L * S * 4 : 0;
    x32_transpose(s, ev, v + b * S * Ev * 4, ev, vt, s);
    for (let i: usize = 0; i < L; i++) {
      const lim = visible(i, L, S, causal != 0);
      const p = pb + i * S * 4, d = ds + i * S * 4;
      rowTimesRows(gb + i * Ev * 4, 1, Ev, vt, S, lim, d, 1);
      if (db != 0) {
        const m = db + i * S * 4, pd = dropped + i * S * 4;
        for (let j: usize = 0; j < lim; j++) {
          const mj = load<f32>(m + j * 4);
          store<f32>(d + j * 4, load<f32>(d + j * 4) * mj);
          store<f32>(pd + j * 4, load<f32>(p + j * 4) * mj);
        }
      }
      let dot: f32 = 0;
      for (let j: usize = 0; j < lim; j++) dot += load<f32>(p + j * 4) * load<f32>(d + j * 4);
      for (let j: usize = 0; j < lim; j++) store<f32>(d + j * 4, load<f32>(p + j * 4) * (load<f32>(d + j * 4) - dot));
      rowTimesRows(d, 1, lim, kb, E, E, dq + (b * L + i) * E * 4, scale);
    }
    const pUsed = db != 0 ? dropped : pb;
    for (let j: usize = 0; j < S; j++) {
      // Rows before i0 cannot see key j under a causal mask: their dS and P entries were never written.
      const i0: usize = causal != 0 && j + L > S ? j + L - S : 0;
      rowTimesRows(ds + (i0 * S + j) * 4, S, L - i0, qb + i0 * E * 4, E, E, dk + (b * S + j) * E * 4, scale);
      rowTimesRows(pUsed + (i0 * S + j) * 4, S, L - i0, gb + i0 * Ev * 4, Ev, Ev, dv + (b * S + j) * Ev * 4, 1);
    }
  }
}
