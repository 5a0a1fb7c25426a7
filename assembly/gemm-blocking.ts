// The cache blocking every packed-GEMM kernel shares (f32-gemm.ts, f32-gemm-bf16.ts and the
// convolutions' implicit GEMMs): the block sizes and the rule that splits a dimension into them.
// One definition, so a retuned block size reaches every kernel that packs the same panels.
import { MR, NR } from "./f32-gemm-4x8-wasmsimd";

// NOTE: chosen by measurement (Node 20, this machine: L1d 48 KB, L2 2 MB): KC 256→512 gains
// 3–5% at 512³–1024³ (fewer C reloads); MC 64–256 and NC 512–2048 are within noise. KC·NR
// floats of B (16 KB) stay in L1 while the A block (MC·KC floats) streams from L2.
export const KC: usize = 512;
export const MC: usize = 128;
export const NC: usize = 2048;

// @ts-ignore: decorator
@inline export function roundUp(x: usize, to: usize): usize {
  return (x + to - 1) / to * to;
}

// The block size for `total` at most `max`, split evenly (784 = 2·392, not 512 + 272) and
// rounded up to a multiple of `unit` so only the last block has a ragged edge.
// @ts-ignore: decorator
@inline export function evenBlock(total: usize, max: usize, unit: usize): usize {
  if (total <= max) return total;
  const blocks = (total + max - 1) / max;
  return roundUp((total + blocks - 1) / blocks, unit);
}

/** Bytes of scratch a blocked m×n×k GEMM needs: one packed A block and one packed B block (float32 panels). */
// @ts-ignore: decorator
@inline export function gemmWorkspaceBytes(m: i32, n: i32, k: i32): i32 {
  const kc = evenBlock(<usize>max(k, 0), KC, 4);
  const mc = roundUp(evenBlock(<usize>m, MC, MR), MR);
  const nc = roundUp(evenBlock(<usize>n, NC, NR), NR);
  return <i32>((mc * kc + nc * (kc + 1)) * 4);
}
