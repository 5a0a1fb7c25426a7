// Layer normalization over the last dimension of a float32 [rows, n] matrix, computed in float64
// two lanes at a time (as the JS loops of src/nn/normalization.ts compute, so both give y within
// a rounding of the exact value; the float64 arithmetic costs little next to the loads, and keeps
// a row whose mean is large next to its spread from losing its variance to cancellation).
// Forward, per row: the mean (one pass), the biased variance as the mean of (x − mean)² (a
// second pass), rstd = 1/√(var + eps), then y = (x − mean)·rstd·weight + bias; mean and rstd are
// saved in float64 for the backward.
// Backward, per row, with x̂ = (x − mean)·rstd and ĝ = g·weight: one pass for Σĝ and Σĝ·x̂ (and
// the weight's and bias's gradients, Σ over rows of g·x̂ and g, kept in float64 in `work`), one
// for dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)).

/** The low and high halves of four floats as two f64x2. */
// @ts-ignore: decorator
@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}
// @ts-ignore: decorator
@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}
/** Four floats from two f64x2, each rounded once. */
// @ts-ignore: decorator
@inline function narrow(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}
// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}
// @ts-ignore: decorator
@inline function f(p: usize, j: usize): f64 {
  return <f64>load<f32>(p + (j << 2));
}

/** Mean of the row at p (n elements). */
// @ts-ignore: decorator
@inline function rowMean(p: usize, n: usize): f64 {
  const n4 = n & ~(<usize>3);
  let a = f64x2.splat(0), b = f64x2.splat(0);
  let j: usize = 0;
  for (; j < n4; j += 4) {
    const v = v128.load(p + (j << 2));
    a = f64x2.add(a, lo(v));
    b = f64x2.add(b, hi(v));
  }
  let s = hsum(f64x2.add(a, b));
  for (; j < n; j++) s += f(p, j);
  return s / <f64>n;
}

/** 1/√(mean of (x − m)² + eps) of the row at p. */
// @ts-ignore: decorator
@inline function rowRstd(p: usize, n: usize, m: f64, eps: f64): f64 {
  const n4 = n & ~(<usize>3);
  const mv = f64x2.splat(m);
  let a = f64x2.splat(0), b = f64x2.splat(0);
  let j: usize = 0;
  for (; j < n4; j += 4) {
    const v = v128.load(p + (j << 2));
    const d0 = f64x2.sub(lo(v), mv), d1 = f64x2.sub(hi(v), mv);
    a = f64x2.add(a, f64x2.mul(d0, d0));
    b = f64x2.add(b, f64x2.mul(d1, d1));
  }
  let ss = hsum(f64x2.add(a, b));
  for (; j < n; j++) { const d = f(p, j) - m; ss += d * d; }
  return 1 / Math.sqrt(ss / <f64>n + eps);
}

/**
 * y = layer norm of each of the `rows` rows of x ([rows, n], contiguous), weight and bias [n] (0
 * for none); mean[r] and rstd[r] written as float64. Byte pointers.
 */
export function f32_layernorm_forward(rows: usize, n: usize, x: usize, weight: usize, bias: usize, eps: f64,
                                      y: usize, mean: usize, rstd: usize): void {
  const n4 = n & ~(<usize>3);
  for (let r: usize = 0; r < rows; r++) {
    const xp = x + r * (n << 2), yp = y + r * (n << 2);
    const m = rowMean(xp, n), k = rowRstd(xp, n, m, eps);
    store<f64>(mean + (r << 3), m);
    store<f64>(rstd + (r << 3), k);
    const mv = f64x2.splat(m), kv = f64x2.splat(k);
    let j: usize = 0;
    for (; j < n4; j += 4) {
      const o = j << 2, v = v128.load(xp + o);
      let a = f64x2.mul(f64x2.sub(lo(v), mv), kv), b = f64x2.mul(f64x2.sub(hi(v), mv), kv);
      if (weight) { const w = v128.load(weight + o); a = f64x2.mul(a, lo(w)); b = f64x2.mul(b, hi(w)); }
      if (bias) { const c = v128.load(bias + o); a = f64x2.add(a, lo(c)); b = f64x2.add(b, hi(c)); }
      v128.store(yp + o, narrow(a, b));
    }
    for (; j < n; j++) {
      let v = (f(xp, j) - m) * k;
      if (weight) v *= f(weight, j);
      if (bias) v += f(bias, j);
      store<f32>(yp + (j << 2), <f32>v);
    }
  }
}

/** Bytes of scratch f32_layernorm_backward needs: the two column sums in float64. */
export function f32_layernorm_backward_workspace(n: usize): usize {
  return n << 4;
}

/**
 * dx for dy = g (all [rows, n]) from the forward's mean and rstd (float64 [rows]); Σ_rows g·x̂
 * into dweight and Σ_rows g into dbias ([n] each, 0 for none). weight 0 means 1. Byte pointers.
 */
export function f32_layernorm_backward(rows: usize, n: usize, x: usize, weight: usize, mean: usize, rstd: usize,
                                       g: usize, dx: usize, dweight: usize, dbias: usize, work: usize): void {
  const sw = work, sb = work + (n << 3);
  memory.fill(work, 0, n << 4);
  for (let r: usize = 0; r < rows; r++) {
    const xp = x + r * (n << 2), gp = g + r * (n << 2), dp = dx + r * (n << 2);
    const m = load<f64>(mean + (r << 3)), k = load<f64>(rstd + (r << 3));
    const sums = rowSums(xp, gp, weight, n, m, k, sw, sb);
    rowGradient(xp, gp, dp, weight, n, m, k, f64x2.extract_lane(sums, 0) / <f64>n, f64x2.extract_lane(sums, 1) / <f64>n);
  }
  for (let j: usize = 0; j < n; j++) {
    if (dweight) store<f32>(dweight + (j << 2), <f32>load<f64>(sw + (j << 3)));
    if (dbias) store<f32>(dbias + (j << 2), <f32>load<f64>(sb + (j << 3)));
  }
}

/** [Σĝ, Σĝ·x̂] of one row; g·x̂ and g added into the column sums sw and sb (float64). */
// @ts-ignore: decorator
@inline function rowSums(xp: usize, gp: usize, weight: usize, n: usize, m: f64, k: f64, sw: usize, sb: usize): v128 {
  const n4 = n & ~(<usize>3);
  const mv = f64x2.splat(m), kv = f64x2.splat(k);
  let a = f64x2.splat(0), b = f64x2.splat(0);
  let j: usize = 0;
  for (; j < n4; j += 4) {
    const o = j << 2, v = v128.load(xp + o), gv = v128.load(gp + o), p = j << 3;
    const x0 = f64x2.mul(f64x2.sub(lo(v), mv), kv), x1 = f64x2.mul(f64x2.sub(hi(v), mv), kv);
    const g0 = lo(gv), g1 = hi(gv);
    v128.store(sw + p, f64x2.add(v128.load(sw + p), f64x2.mul(g0, x0)));
    v128.store(sw + p, f64x2.add(v128.load(sw + p, 16), f64x2.mul(g1, x1)), 16);
    v128.store(sb + p, f64x2.add(v128.load(sb + p), g0));
    v128.store(sb + p, f64x2.add(v128.load(sb + p, 16), g1), 16);
    let w0 = g0, w1 = g1;
    if (weight) { const w = v128.load(weight + o); w0 = f64x2.mul(g0, lo(w)); w1 = f64x2.mul(g1, hi(w)); }
    a = f64x2.add(a, f64x2.add(w0, w1));
    b = f64x2.add(b, f64x2.add(f64x2.mul(w0, x0), f64x2.mul(w1, x1)));
  }
  let sa = hsum(a), sx = hsum(b);
  for (; j < n; j++) {
    const xh = (f(xp, j) - m) * k, gv = f(gp, j), gw = weight ? gv * f(weight, j) : gv, p = j << 3;
    store<f64>(sw + p, load<f64>(sw + p) + gv * xh);
    store<f64>(sb + p, load<f64>(sb + p) + gv);
    sa += gw;
    sx += gw * xh;
  }
  return f64x2.replace_lane(f64x2.splat(sa), 1, sx);
}

/** dx = rstd·(g·w − ma − x̂·mb) over one row. */
// @ts-ignore: decorator
@inline function rowGradient(xp: usize, gp: usize, dp: usize, weight: usize, n: usize, m: f64, k: f64, ma: f64, mb: f64): void {
  const n4 = n & ~(<usize>3);
  const mv = f64x2.splat(m), kv = f64x2.splat(k), av = f64x2.splat(ma), bv = f64x2.splat(mb), one = f64x2.splat(1);
  let j: usize = 0;
  for (; j < n4; j += 4) {
    const o = j << 2, v = v128.load(xp + o), gv = v128.load(gp + o);
    const w = weight ? v128.load(weight + o) : f32x4.splat(1);
    const x0 = f64x2.mul(f64x2.sub(lo(v), mv), kv), x1 = f64x2.mul(f64x2.sub(hi(v), mv), kv);
    const g0 = f64x2.mul(lo(gv), weight ? lo(w) : one), g1 = f64x2.mul(hi(gv), weight ? hi(w) : one);
    const d0 = f64x2.mul(kv, f64x2.sub(f64x2.sub(g0, av), f64x2.mul(x0, bv)));
    const d1 = f64x2.mul(kv, f64x2.sub(f64x2.sub(g1, av), f64x2.mul(x1, bv)));
    v128.store(dp + o, narrow(d0, d1));
  }
  for (; j < n; j++) {
    const xh = (f(xp, j) - m) * k, gw = weight ? f(gp, j) * f(weight, j) : f(gp, j);
    store<f32>(dp + (j << 2), <f32>(k * (gw - ma - xh * mb)));
  }
}
