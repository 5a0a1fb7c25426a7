// Scaled dot-product attention, one (batch, head) block at a time: scores, softmax and the
// weighted sum of values fused row by row, so the [L×S] probability matrix is written once (it
// is what the backward and the returned weights need) and never re-read by the forward.
// Every product is a "row times rows" sum — out[0..w) = Σ_t c[t]·rows[t][0..w) — accumulated in
// registers, four rows by eight columns at a time (rows4TimesRows; rowTimesRows for the leftover
// rows and columns), so there is no horizontal reduction: the scores read Kᵀ (transposed
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
  let w: usize = 0;
  for (; w + 4 <= width; w += 4) {
    let a0 = f32x4.splat(0);
    let cp = c, rp = rows + (w << 2);
    for (let t: usize = 0; t < n; t++, cp += cs, rp += rs) a0 = madd(f32x4.splat(load<f32>(cp)), v128.load(rp), a0);
    v128.store(out + (w << 2), f32x4.mul(a0, f32x4.splat(scale)));
  }
  for (; w < width; w++) {
    let a: f32 = 0;
    let cp = c, rp = rows + (w << 2);
    for (let t: usize = 0; t < n; t++, cp += cs, rp += rs) a += load<f32>(cp) * load<f32>(rp);
    store<f32>(out + (w << 2), a * scale);
  }
}

/**
 * Four rows at once, the GEMM micro-kernel's 4×8 register tile: out[r·outRow + w] = scale ·
 * Σ_{t<n} c[r·cRow + t·cStride] · rows[t·rowStride + w] for r < 4, w < width. Each loaded
 * vector of `rows` serves four rows of coefficients.
 */
function rows4TimesRows(c: usize, cRow: usize, cStride: usize, n: usize, rows: usize, rowStride: usize, width: usize,
                        out: usize, outRow: usize, scale: f32): void {
  const cs = cStride << 2, cr = cRow << 2, rs = rowStride << 2, or = outRow << 2;
  const vs = f32x4.splat(scale);
  let w: usize = 0;
  for (; w + 8 <= width; w += 8) {
    let a0 = f32x4.splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
    let cp = c, rp = rows + (w << 2);
    for (let t: usize = 0; t < n; t++, cp += cs, rp += rs) {
      const x0 = v128.load(rp), x1 = v128.load(rp, 16);
      const s0 = f32x4.splat(load<f32>(cp)), s1 = f32x4.splat(load<f32>(cp + cr));
      a0 = madd(s0, x0, a0); a1 = madd(s0, x1, a1);
      b0 = madd(s1, x0, b0); b1 = madd(s1, x1, b1);
      const s2 = f32x4.splat(load<f32>(cp + 2 * cr)), s3 = f32x4.splat(load<f32>(cp + 3 * cr));
      c0 = madd(s2, x0, c0); c1 = madd(s2, x1, c1);
      d0 = madd(s3, x0, d0); d1 = madd(s3, x1, d1);
    }
    const o = out + (w << 2);
    v128.store(o, f32x4.mul(a0, vs)); v128.store(o, f32x4.mul(a1, vs), 16);
    v128.store(o + or, f32x4.mul(b0, vs)); v128.store(o + or, f32x4.mul(b1, vs), 16);
    v128.store(o + 2 * or, f32x4.mul(c0, vs)); v128.store(o + 2 * or, f32x4.mul(c1, vs), 16);
    v128.store(o + 3 * or, f32x4.mul(d0, vs)); v128.store(o + 3 * or, f32x4.mul(d1, vs), 16);
  }
  if (w < width) {
    for (let r: usize = 0; r < 4; r++) rowTimesRows(c + r * cr, cStride, n, rows + (w << 2), rowStride, width - w, out + r * or + (w << 2), scale);
  }
}

/** Keys query i sees: S, or i + 1 + S − L under a causal mask. */
// @ts-ignore: decorator
@inline function visible(i: usize, l: usize, s: usize, causal: bool): usize {
  return causal ? i + 1 + s - l : s;
}

/** Bytes of scratch f32_attention_forward needs: Kᵀ of one block and four rows. */
export function f32_attention_forward_workspace(s: i32, e: i32): i32 {
  return (e * s + 4 * s + 4) * 4;
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
    const mb = mask != 0 ? mask + b * <usize>maskStride * 4 : 0, db = drop != 0 ? drop + b * L * S * 4 : 0;
    let i: usize = 0;
    // Four query rows at a time; a causal group computes up to its last row's limit (the earlier
    // rows' extra scores are overwritten by softmaxRow's zeros).
    for (; i + 4 <= L; i += 4) {
      const last = visible(i + 3, L, S, causal != 0);
      const p = pb + i * S * 4;
      rows4TimesRows(qb + i * E * 4, E, 1, E, kt, S, last, p, S, scale);
      for (let r: usize = 0; r < 4; r++) finishRow(p + r * S * 4, mb, db, i + r, visible(i + r, L, S, causal != 0), S, row + r * S * 4);
      rows4TimesRows(db != 0 ? row : p, S, 1, last, vb, Ev, Ev, ob + i * Ev * 4, Ev, 1);
    }
    for (; i < L; i++) {
      const lim = visible(i, L, S, causal != 0);
      const p = pb + i * S * 4;
      rowTimesRows(qb + i * E * 4, 1, E, kt, S, lim, p, scale);
      finishRow(p, mb, db, i, lim, S, row);
      rowTimesRows(db != 0 ? row : p, 1, lim, vb, Ev, Ev, ob + i * Ev * 4, 1);
    }
  }
}

/**
 * Row i of the scores at p: the mask added, softmax over the first lim (0 after), and with
 * dropout the dropped probabilities written to `dropped` (0 after lim too).
 */
function finishRow(p: usize, mb: usize, db: usize, i: usize, lim: usize, S: usize, dropped: usize): void {
  if (mb != 0) {
    const m = mb + i * S * 4;
    for (let j: usize = 0; j < lim; j++) store<f32>(p + j * 4, load<f32>(p + j * 4) + load<f32>(m + j * 4));
  }
  softmaxRow(p, lim, S);
  if (db != 0) {
    const d = db + i * S * 4;
    for (let j: usize = 0; j < S; j++) store<f32>(dropped + j * 4, load<f32>(p + j * 4) * load<f32>(d + j * 4));
  }
}

/**
 * e^x for x ≤ 0, four lanes (Cephes' expf: x = n·ln2 + r, a degree-7 polynomial in r, 2^n in the
 * exponent bits), within 2 ulp; 0 below −87.3 (where e^x leaves the normal floats) and for −∞.
 * A scalar exp per score cost as much as the scores' dot products at head dim 32.
 */
// @ts-ignore: decorator
@inline function expNonPositive(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(-87.33));
  const xc = f32x4.max(x, f32x4.splat(-87.33));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let y = f32x4.splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), f32x4.splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(y, f32x4.mul(r, r)), r), f32x4.splat(1));
  const pow2 = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(y, pow2), tiny);
}

/** p[0..n) ← softmax(p[0..n)), p[n..width) ← 0. A row masked everywhere becomes NaN, as in PyTorch. */
function softmaxRow(p: usize, n: usize, width: usize): void {
  let vmax = f32x4.splat(-Infinity);
  let j: usize = 0;
  for (; j + 4 <= n; j += 4) vmax = f32x4.max(vmax, v128.load(p + j * 4));
  let mx = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  for (; j < n; j++) mx = max(mx, load<f32>(p + j * 4));
  if (!(mx > -Infinity)) {
    // Masked everywhere (or NaN scores): NaN, as PyTorch's softmax of all −∞ gives.
    for (j = 0; j < n; j++) store<f32>(p + j * 4, NaN);
    for (j = n; j < width; j++) store<f32>(p + j * 4, 0);
    return;
  }
  const vm = f32x4.splat(mx);
  let vsum = f32x4.splat(0);
  for (j = 0; j + 4 <= n; j += 4) {
    const x = expNonPositive(f32x4.sub(v128.load(p + j * 4), vm));
    v128.store(p + j * 4, x);
    vsum = f32x4.add(vsum, x);
  }
  let sum = (f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1)) + (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
  for (; j < n; j++) {
    const x = f32x4.extract_lane(expNonPositive(f32x4.splat(load<f32>(p + j * 4) - mx)), 0);
    store<f32>(p + j * 4, x);
    sum += x;
  }
  const inv: f32 = 1 / sum;
  const vi = f32x4.splat(inv);
  j = 0;
  for (; j + 4 <= n; j += 4) v128.store(p + j * 4, f32x4.mul(v128.load(p + j * 4), vi));
  for (; j < n; j++) store<f32>(p + j * 4, load<f32>(p + j * 4) * inv);
  for (j = n; j < width; j++) store<f32>(p + j * 4, 0);
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
    const dqb = dq + b * L * E * 4;
    let i: usize = 0;
    for (; i + 4 <= L; i += 4) {
      const last = visible(i + 3, L, S, causal != 0);
      rows4TimesRows(gb + i * Ev * 4, Ev, 1, Ev, vt, S, last, ds + i * S * 4, S, 1);
      for (let r: usize = 0; r < 4; r++) softmaxGradRow(pb, db, ds, dropped, i + r, visible(i + r, L, S, causal != 0), S);
      rows4TimesRows(ds + i * S * 4, S, 1, last, kb, E, E, dqb + i * E * 4, E, scale);
    }
    for (; i < L; i++) {
      const lim = visible(i, L, S, causal != 0);
      rowTimesRows(gb + i * Ev * 4, 1, Ev, vt, S, lim, ds + i * S * 4, 1);
      softmaxGradRow(pb, db, ds, dropped, i, lim, S);
      rowTimesRows(ds + i * S * 4, 1, lim, kb, E, E, dqb + i * E * 4, scale);
    }
    // dK and dV four keys at a time, from the columns of dS and of the dropped probabilities.
    // Rows before i0 cannot see the group's first key under a causal mask (nor its later ones);
    // the entries of later keys that a row cannot see were zeroed above.
    const pUsed = db != 0 ? dropped : pb, dkb = dk + b * S * E * 4, dvb = dv + b * S * Ev * 4;
    let j: usize = 0;
    for (; j + 4 <= S; j += 4) {
      const i0: usize = causal != 0 && j + L > S ? j + L - S : 0;
      rows4TimesRows(ds + (i0 * S + j) * 4, 1, S, L - i0, qb + i0 * E * 4, E, E, dkb + j * E * 4, E, scale);
      rows4TimesRows(pUsed + (i0 * S + j) * 4, 1, S, L - i0, gb + i0 * Ev * 4, Ev, Ev, dvb + j * Ev * 4, Ev, 1);
    }
    for (; j < S; j++) {
      const i0: usize = causal != 0 && j + L > S ? j + L - S : 0;
      rowTimesRows(ds + (i0 * S + j) * 4, S, L - i0, qb + i0 * E * 4, E, E, dkb + j * E * 4, scale);
      rowTimesRows(pUsed + (i0 * S + j) * 4, S, L - i0, gb + i0 * Ev * 4, Ev, Ev, dvb + j * Ev * 4, 1);
    }
  }
}

/**
 * Row i of dS in place of the dP' row at ds: dP = dP' ⊙ drop, dS = P ⊙ (dP − Σ P·dP) over the
 * first lim keys, 0 after (as the dropped probabilities), so column sums may run past a row's limit.
 */
function softmaxGradRow(pb: usize, db: usize, ds: usize, dropped: usize, i: usize, lim: usize, S: usize): void {
  const p = pb + i * S * 4, d = ds + i * S * 4;
  if (db != 0) {
    const m = db + i * S * 4, pd = dropped + i * S * 4;
    for (let j: usize = 0; j < lim; j++) {
      const mj = load<f32>(m + j * 4);
      store<f32>(d + j * 4, load<f32>(d + j * 4) * mj);
      store<f32>(pd + j * 4, load<f32>(p + j * 4) * mj);
    }
    for (let j = lim; j < S; j++) store<f32>(pd + j * 4, 0);
  }
  let dot: f32 = 0;
  for (let j: usize = 0; j < lim; j++) dot += load<f32>(p + j * 4) * load<f32>(d + j * 4);
  for (let j: usize = 0; j < lim; j++) store<f32>(d + j * 4, load<f32>(p + j * 4) * (load<f32>(d + j * 4) - dot));
  for (let j = lim; j < S; j++) store<f32>(d + j * 4, 0);
}
