// Sparse × dense: Y[m×n] = X[m×k]·Wᵀ (+ bias) (relu), W [n×k] a pruned Linear weight in CSR
// (rows = output features). The operator transposes X to Xᵀ [k×mp] (mp = m rounded up to 4, the
// padding zeros), so every nonzero W[j,p] is one splat times a contiguous row of Xᵀ added into
// the accumulators of output j: the accumulators stay in registers across the whole row of W,
// and only the nonzeros are ever touched. Yᵀ is transposed back at the end.
import { x32_transpose } from "./x32-transpose";
import { SPMM_BIAS, SPMM_RELU } from "./flags";

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

// @ts-ignore: decorator
@inline function finish(v: v128, relu: bool): v128 {
  return relu ? f32x4.max(v, f32x4.splat(0)) : v;
}

/** Bytes of workspace: Xᵀ [k×mp] and Yᵀ [n×mp] (every vector access stays inside a row of mp). */
export function f32_spmm_workspace(m: i32, n: i32, k: i32): i32 {
  const mp = (m + 3) & ~3;
  return (k + n) * mp * 4;
}

// 32 columns of Yᵀ row j: 8 accumulators + the splat + one load fit V8's 15 xmm registers
// (16 accumulators for all 64 columns would spill).
// @ts-ignore: decorator
@inline function row32(b: f32, e0: i32, e1: i32, col: usize, val: usize, xt: usize, rowBytes: usize,
                       out: usize, relu: bool): void {
  let a0 = f32x4.splat(b), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  for (let e = e0; e < e1; e++) {
    const w = v128.load32_splat(val + (<usize>e << 2));
    const p = xt + <usize>load<i32>(col + (<usize>e << 2)) * rowBytes;
    a0 = madd(w, v128.load(p), a0);
    a1 = madd(w, v128.load(p, 16), a1);
    a2 = madd(w, v128.load(p, 32), a2);
    a3 = madd(w, v128.load(p, 48), a3);
    a4 = madd(w, v128.load(p, 64), a4);
    a5 = madd(w, v128.load(p, 80), a5);
    a6 = madd(w, v128.load(p, 96), a6);
    a7 = madd(w, v128.load(p, 112), a7);
  }
  v128.store(out, finish(a0, relu));
  v128.store(out, finish(a1, relu), 16);
  v128.store(out, finish(a2, relu), 32);
  v128.store(out, finish(a3, relu), 48);
  v128.store(out, finish(a4, relu), 64);
  v128.store(out, finish(a5, relu), 80);
  v128.store(out, finish(a6, relu), 96);
  v128.store(out, finish(a7, relu), 112);
}

// @ts-ignore: decorator
@inline function row4(b: f32, e0: i32, e1: i32, col: usize, val: usize, xt: usize, rowBytes: usize,
                      out: usize, relu: bool): void {
  let a0 = f32x4.splat(b);
  for (let e = e0; e < e1; e++) {
    const w = v128.load32_splat(val + (<usize>e << 2));
    a0 = madd(w, v128.load(xt + <usize>load<i32>(col + (<usize>e << 2)) * rowBytes), a0);
  }
  v128.store(out, finish(a0, relu));
}

/**
 * Y[m×n] (row-major, row stride n) = X[m×k] (row stride k) · Wᵀ + bias, relu if SPMM_RELU.
 * W in CSR: rowPtr n+1 i32, colIdx and values nnz i32/f32 (column indices < k). bias: n f32 if
 * SPMM_BIAS. work: f32_spmm_workspace bytes, 16-byte aligned. Byte pointers throughout.
 */
export function f32_spmm(m: i32, n: i32, k: i32, x: usize, rowPtr: usize, colIdx: usize, values: usize,
                         bias: usize, y: usize, flags: i32, work: usize): void {
  if (m <= 0 || n <= 0) return;
  const mp = (m + 3) & ~3;
  const rowBytes = <usize>mp << 2;
  const xt = work;
  const yt = work + <usize>k * rowBytes;
  const relu = (flags & SPMM_RELU) != 0;
  x32_transpose(m, k, x, k, xt, mp);
  // The padding columns of Xᵀ must be zeros (their sums are computed, then never read).
  if (mp > m) for (let p = 0; p < k; p++) memory.fill(xt + <usize>p * rowBytes + (<usize>m << 2), 0, (mp - m) << 2);
  let c0 = 0;
  for (; c0 + 32 <= mp; c0 += 32) {
    const xc = xt + (<usize>c0 << 2);
    for (let j = 0; j < n; j++) {
      const b: f32 = flags & SPMM_BIAS ? load<f32>(bias + (<usize>j << 2)) : 0;
      row32(b, load<i32>(rowPtr + (<usize>j << 2)), load<i32>(rowPtr + (<usize>j << 2), 4), colIdx, values,
            xc, rowBytes, yt + <usize>j * rowBytes + (<usize>c0 << 2), relu);
    }
  }
  for (; c0 < mp; c0 += 4) {
    const xc = xt + (<usize>c0 << 2);
    for (let j = 0; j < n; j++) {
      const b: f32 = flags & SPMM_BIAS ? load<f32>(bias + (<usize>j << 2)) : 0;
      row4(b, load<i32>(rowPtr + (<usize>j << 2)), load<i32>(rowPtr + (<usize>j << 2), 4), colIdx, values,
           xc, rowBytes, yt + <usize>j * rowBytes + (<usize>c0 << 2), relu);
    }
  }
  x32_transpose(n, m, yt, mp, y, n);
}
