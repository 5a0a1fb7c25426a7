// The f32 GEMM operator: cache blocking around the packed 4x8 micro-kernel (BLIS loop order).
//   for each NC-wide column block of B
//     for each KC-deep slice of k:   pack B[slice, block] into 8-column panels (+ bias header)
//       for each MC-tall block of A: pack A[block, slice] into 4-row panels
//         for each 8-column panel, for each 4-row panel: micro-kernel
// The B panel (KC·8 floats, 16 KB) stays in L1 while the A block (MC·KC floats) streams from L2.
import {
  MR, NR, UK_LAST, UK_LOAD_C, UK_RELU, f32_gemm_ukernel_4x8__wasmsimd,
} from "./f32-gemm-4x8-wasmsimd";
import { x32_packa_gemm, x32_packb_gemm } from "./x32-pack-gemm";
import { GEMM_ACCUMULATE, GEMM_RELU } from "./flags";
import { KC, MC, NC, evenBlock, gemmWorkspaceBytes, roundUp } from "./gemm-blocking";

/**
 * C[0..m, 0..nc) (+)= packed A (⌈m/MR⌉ panels of kc·MR) · packed B (⌈nc/NR⌉ panels), row stride
 * cStride bytes: the inner two loops of the GEMM, B panel outermost so it stays in L1.
 */
export function tiles(m: usize, nc: usize, kc: usize, packedA: usize, packedB: usize, c: usize, cStride: usize, flags: u32): void {
  for (let jr: usize = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const panel = packedB + jr * (kc + 1) * 4;
    const cPanel = c + jr * 4;
    for (let ir: usize = 0; ir < m; ir += MR) {
      f32_gemm_ukernel_4x8__wasmsimd(min(MR, m - ir), nr, kc, packedA + ir * kc * 4, panel, cPanel + ir * cStride, cStride, flags);
    }
  }
}

/** Bytes of scratch f32_gemm_batch needs for m×n×k problems: one packed A block and one packed B block. */
export function f32_gemm_workspace(m: i32, n: i32, k: i32): i32 {
  return gemmWorkspaceBytes(m, n, k);
}

/**
 * C_t[m×n] = (accumulate ? C_t : 0) + A_t·B_t + bias, then relu, for each of `batch` problems
 * (batch 1: one GEMM). Byte pointers; strides in elements (≥ 0, so transposes and broadcasts
 * are strides): problem t reads A at a + 4·t·aBatchStride, B at b + 4·t·bBatchStride, writes C
 * at c + 4·t·cBatchStride, row-major with row stride cRowStride; a batch stride of 0 gives every
 * problem the same operand. bias = 0: none, else n floats, the same for all. flags: GEMM_RELU,
 * GEMM_ACCUMULATE (flags.ts). k may be 0. work: f32_gemm_workspace(m, n, k) bytes, 16-byte
 * aligned, reused by each problem in turn.
 */
export function f32_gemm_batch(
  batch: i32, m: i32, n: i32, k: i32,
  a: usize, aBatchStride: i32, aRowStride: i32, aColStride: i32,
  b: usize, bBatchStride: i32, bRowStride: i32, bColStride: i32,
  c: usize, cBatchStride: i32, cRowStride: i32,
  bias: usize, flags: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  const M = <usize>m, N = <usize>n, K = <usize>max(k, 0);
  const ars = <usize>aRowStride, acs = <usize>aColStride;
  const brs = <usize>bRowStride, bcs = <usize>bColStride;
  const csb = <usize>cRowStride << 2;
  const relu: u32 = flags & GEMM_RELU ? UK_RELU : 0;
  const accumulate = (flags & GEMM_ACCUMULATE) != 0;
  const kcBlock = evenBlock(K, KC, 4), mcBlock = evenBlock(M, MC, MR), ncBlock = evenBlock(N, NC, NR);
  const packedA = work;
  const packedB = work + roundUp(mcBlock, MR) * kcBlock * 4;

  for (let t = 0; t < batch; t++) {
    for (let jc: usize = 0; jc < N; jc += ncBlock) {
      const nc = min(ncBlock, N - jc);
      // do-while so that k = 0 still runs one pass that writes bias (or C, or zeros).
      let pc: usize = 0;
      do {
        const kc = min(kcBlock, K - pc);
        const last = pc + kc >= K;
        x32_packb_gemm(nc, kc, b + (pc * brs + jc * bcs) * 4, brs, bcs, bias != 0 ? bias + jc * 4 : 0, packedB);
        const ukFlags: u32 = (pc > 0 || accumulate ? UK_LOAD_C : 0) | (last ? UK_LAST | relu : 0);
        for (let ic: usize = 0; ic < M; ic += mcBlock) {
          const mc = min(mcBlock, M - ic);
          x32_packa_gemm(mc, kc, a + (ic * ars + pc * acs) * 4, ars, acs, packedA);
          tiles(mc, nc, kc, packedA, packedB, c + ic * csb + jc * 4, csb, ukFlags);
        }
        pc += kc;
      } while (pc < K);
    }
    a += <usize>aBatchStride << 2;
    b += <usize>bBatchStride << 2;
    c += <usize>cBatchStride << 2;
  }
}
