// The f32 GEMM with a bfloat16 B operand: f32_gemm_batch's blocking (one problem), B packed by
// bf16_packb_gemm, which widens to float32 panels, then the unchanged 4x8 micro-kernel, which
// accumulates in float32. Mixed-precision training reads its bfloat16 weights and saved
// activations through it (src/backend/bf16-kernels.ts).
import { MR, NR, UK_LAST, UK_LOAD_C, UK_RELU } from "./f32-gemm-4x8-wasmsimd";
import { tiles } from "./f32-gemm";
import { x32_packa_gemm } from "./x32-pack-gemm";
import { bf16_packb_gemm } from "./bf16-packb-gemm";
import { GEMM_ACCUMULATE, GEMM_RELU } from "./flags";
// The same blocking as f32_gemm_batch: the panels are float32 either way.
import { KC, MC, NC, evenBlock, gemmWorkspaceBytes, roundUp } from "./gemm-blocking";

/** Bytes of scratch f32_gemm_bf16b needs for an m×n×k problem (as f32_gemm_workspace). */
export function f32_gemm_bf16b_workspace(m: i32, n: i32, k: i32): i32 {
  return gemmWorkspaceBytes(m, n, k);
}

/**
 * C[m×n] = (accumulate ? C : 0) + A·B + bias, then relu. A float32 at byte pointer a (element
 * (i, p) at a + 4·(i·aRowStride + p·aColStride)); B bfloat16 bits at b (element (p, j) at
 * b + 2·(p·bRowStride + j·bColStride)); C float32 row-major, row stride cRowStride. Strides in
 * elements, ≥ 0. bias = 0: none, else n floats. flags: GEMM_RELU, GEMM_ACCUMULATE. k may be 0.
 * work: f32_gemm_bf16b_workspace(m, n, k) bytes, 16-byte aligned.
 */
export function f32_gemm_bf16b(
  m: i32, n: i32, k: i32,
  a: usize, aRowStride: i32, aColStride: i32,
  b: usize, bRowStride: i32, bColStride: i32,
  c: usize, cRowStride: i32, bias: usize, flags: i32, work: usize,
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
  for (let jc: usize = 0; jc < N; jc += ncBlock) {
    const nc = min(ncBlock, N - jc);
    let pc: usize = 0;
    do {
      const kc = min(kcBlock, K - pc);
      const last = pc + kc >= K;
      bf16_packb_gemm(nc, kc, b + (pc * brs + jc * bcs) * 2, brs, bcs, bias != 0 ? bias + jc * 4 : 0, packedB);
      const ukFlags: u32 = (pc > 0 || accumulate ? UK_LOAD_C : 0) | (last ? UK_LAST | relu : 0);
      for (let ic: usize = 0; ic < M; ic += mcBlock) {
        const mc = min(mcBlock, M - ic);
        x32_packa_gemm(mc, kc, a + (ic * ars + pc * acs) * 4, ars, acs, packedA);
        tiles(mc, nc, kc, packedA, packedB, c + ic * csb + jc * 4, csb, ukFlags);
      }
      pc += kc;
    } while (pc < K);
  }
}
