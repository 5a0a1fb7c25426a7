// x32: the kernels of this file move 32-bit elements without looking at them (the dtype prefix of
// a data-movement kernel names the element width, not a number type).
// Packing of GEMM operands into the panel layouts the 4x8 micro-kernel streams through.
// Operands are strided windows (strides in elements, ≥ 0), so a transposed operand is packed
// as fast as a plain one: each layout has a contiguous fast path and a 4x4-transpose fast path.
import { MR, NR } from "./f32-gemm-4x8-wasmsimd";

// Transposes the 4x4 block whose rows are x0..x3 and stores its rows at d, d+step, d+2·step, d+3·step.
// @ts-ignore: decorator
@inline export function transpose4x4Store(x0: v128, x1: v128, x2: v128, x3: v128, d: usize, step: usize): void {
  const t0 = f32x4.shuffle(x0, x1, 0, 4, 1, 5); // x0[0] x1[0] x0[1] x1[1]
  const t1 = f32x4.shuffle(x0, x1, 2, 6, 3, 7); // x0[2] x1[2] x0[3] x1[3]
  const t2 = f32x4.shuffle(x2, x3, 0, 4, 1, 5);
  const t3 = f32x4.shuffle(x2, x3, 2, 6, 3, 7);
  v128.store(d, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(d + step, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(d + 2 * step, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(d + 3 * step, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Packs the mc×kc window of A at byte pointer a (element (i, p) at a + 4·(i·rs + p·cs)) into
 * ⌈mc/MR⌉ panels of kc·MR floats: panel q holds rows q·MR.., column-interleaved (step p is
 * MR consecutive floats). Rows past mc are zeros, so edge tiles need no special hot loop.
 */
export function x32_packa_gemm(mc: usize, kc: usize, a: usize, rs: usize, cs: usize, dst: usize): void {
  const rsb = rs << 2, csb = cs << 2;
  for (let i0: usize = 0; i0 < mc; i0 += MR) {
    const mr = min(MR, mc - i0);
    const src = a + i0 * rsb;
    let d = dst;
    let p: usize = 0;
    if (mr == MR && cs == 1) {
      // Row-major A: read 4 steps of each row, transpose in registers.
      const r1 = src + rsb, r2 = r1 + rsb, r3 = r2 + rsb;
      for (; p + 4 <= kc; p += 4) {
        const o = p << 2;
        transpose4x4Store(v128.load(src + o), v128.load(r1 + o), v128.load(r2 + o), v128.load(r3 + o), d, 16);
        d += 64;
      }
    } else if (mr == MR && rs == 1) {
      // Column-major A (a transposed operand): the 4 rows of a step are already adjacent.
      for (; p < kc; p++) {
        v128.store(d, v128.load(src + p * csb));
        d += 16;
      }
    }
    // Remainder steps, partial panels and arbitrary strides (including 0 for broadcast).
    for (; p < kc; p++) {
      for (let r: usize = 0; r < MR; r++) {
        store<f32>(d + (r << 2), r < mr ? load<f32>(src + r * rsb + p * csb) : 0);
      }
      d += 16;
    }
    dst += kc * MR * 4;
  }
}

// The NR floats that open a packed B panel: bias[j0 + j] for its nr real columns (zeros past
// them, or all zeros if bias = 0), which the micro-kernel adds on its first k-block.
// @ts-ignore: decorator
@inline export function storeBiasHeader(dst: usize, bias: usize, j0: usize, nr: usize): void {
  for (let j: usize = 0; j < NR; j++) {
    store<f32>(dst + (j << 2), bias != 0 && j < nr ? load<f32>(bias + ((j0 + j) << 2)) : 0);
  }
}

/**
 * Packs the kc×nc window of B at byte pointer b (element (p, j) at b + 4·(p·rs + j·cs)) into
 * ⌈nc/NR⌉ panels of NR + kc·NR floats: the panel's NR bias values (bias + 4·j, or zeros if
 * bias = 0) then kc rows of NR. Columns past nc are zeros.
 */
export function x32_packb_gemm(nc: usize, kc: usize, b: usize, rs: usize, cs: usize, bias: usize, dst: usize): void {
  const rsb = rs << 2, csb = cs << 2;
  for (let j0: usize = 0; j0 < nc; j0 += NR) {
    const nr = min(NR, nc - j0);
    storeBiasHeader(dst, bias, j0, nr);
    const src = b + j0 * csb;
    let d = dst + NR * 4;
    let p: usize = 0;
    if (nr == NR && cs == 1) {
      // Row-major B: each panel row is 8 adjacent floats.
      for (; p < kc; p++) {
        const s = src + p * rsb;
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        d += NR * 4;
      }
    } else if (nr == NR && rs == 1) {
      // Column-major B (a transposed operand): read 4 steps of each column, transpose two 4x4 blocks.
      const s0 = src, s1 = s0 + csb, s2 = s1 + csb, s3 = s2 + csb;
      const s4 = s3 + csb, s5 = s4 + csb, s6 = s5 + csb, s7 = s6 + csb;
      for (; p + 4 <= kc; p += 4) {
        const o = p << 2;
        transpose4x4Store(v128.load(s0 + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), d, NR * 4);
        transpose4x4Store(v128.load(s4 + o), v128.load(s5 + o), v128.load(s6 + o), v128.load(s7 + o), d + 16, NR * 4);
        d += 4 * NR * 4;
      }
    }
    for (; p < kc; p++) {
      for (let j: usize = 0; j < NR; j++) {
        store<f32>(d + (j << 2), j < nr ? load<f32>(src + p * rsb + j * csb) : 0);
      }
      d += NR * 4;
    }
    dst += (kc + 1) * NR * 4;
  }
}
