// Fused attention split over the pool by (batch, head) blocks: each block's scores, softmax and
// values (and their gradients) are computed by one thread with the instructions of the whole
// call, so any split gives the bits of one thread. Each thread gets its own workspace.
import type { Arena } from "./arena.js";
import type { AttentionBlocks } from "./attention-kernels.js";
import type { KernelExports } from "./kernel-exports.js";
import { perThread, ranges, threadPool } from "./parallel-split.js";

export const parallelAttention = {
  /**
   * Size (blocks·l·s·(e + ev), the multiply-adds of a call without a causal mask) from which a
   * call is split. The forward runs at a few GFLOP/s (exp and the row softmax), a
   * dispatch costs about 15 µs: some 10^5 multiply-adds pay for it, so a few times that. A
   * decoding step of a cached model (one query a block) stays on the calling thread. Tests set 0.
   */
  minMacs: 1 << 18,
};

/** Pointers of one call into wasm memory: inputs, outputs, and the optional mask/dropout (0 for none). */
export interface AttentionForwardPointers { q: number; k: number; v: number; mask: number; drop: number; out: number; probs: number }
export interface AttentionBackwardPointers {
  q: number; k: number; v: number; drop: number; probs: number; dOut: number; dq: number; dk: number; dv: number;
}

function split(g: AttentionBlocks): [number, number][] | null {
  const pool = threadPool();
  if (pool === null || g.blocks < 2 || g.blocks * g.l * g.s * (g.e + g.ev) < parallelAttention.minMacs) return null;
  return ranges(g.blocks, 1, 2 * pool.threads);
}

/** f32_attention_forward on the calling thread, or over the pool in ranges of whole blocks. */
export function attentionForwardSplit(wasm: KernelExports, arena: Arena, g: AttentionBlocks, p: AttentionForwardPointers): void {
  const { blocks, l, s, e, ev } = g, causal = g.causal ? 1 : 0;
  const bytes = wasm.f32_attention_forward_workspace(s, e);
  const parts = split(g);
  if (parts === null) {
    wasm.f32_attention_forward(blocks, l, s, e, ev, g.scale, causal, p.q, p.k, p.v, p.mask, g.maskStride, p.drop, p.out, p.probs, arena.alloc(bytes));
    return;
  }
  const work = perThread(arena, bytes, parts.length);
  const at = (ptr: number, b0: number, perBlock: number) => (ptr === 0 ? 0 : ptr + 4 * b0 * perBlock);
  threadPool()!.run(wasm, "f32_attention_forward", parts.map(([b0, b1], t) => [
    b1 - b0, l, s, e, ev, g.scale, causal, at(p.q, b0, l * e), at(p.k, b0, s * e), at(p.v, b0, s * ev),
    at(p.mask, b0, g.maskStride), g.maskStride, at(p.drop, b0, l * s), at(p.out, b0, l * ev), at(p.probs, b0, l * s),
    work.base + t * work.stride,
  ]));
}

/** f32_attention_backward on the calling thread, or over the pool in ranges of whole blocks. */
export function attentionBackwardSplit(wasm: KernelExports, arena: Arena, g: AttentionBlocks, p: AttentionBackwardPointers): void {
  const { blocks, l, s, e, ev } = g, causal = g.causal ? 1 : 0;
  const bytes = wasm.f32_attention_backward_workspace(l, s, ev);
  const parts = split(g);
  if (parts === null) {
    wasm.f32_attention_backward(blocks, l, s, e, ev, g.scale, causal, p.q, p.k, p.v, p.drop, p.probs, p.dOut, p.dq, p.dk, p.dv, arena.alloc(bytes));
    return;
  }
  const work = perThread(arena, bytes, parts.length);
  const at = (ptr: number, b0: number, perBlock: number) => (ptr === 0 ? 0 : ptr + 4 * b0 * perBlock);
  threadPool()!.run(wasm, "f32_attention_backward", parts.map(([b0, b1], t) => [
    b1 - b0, l, s, e, ev, g.scale, causal, at(p.q, b0, l * e), at(p.k, b0, s * e), at(p.v, b0, s * ev),
    at(p.drop, b0, l * s), at(p.probs, b0, l * s), at(p.dOut, b0, l * ev), at(p.dq, b0, l * e), at(p.dk, b0, s * e),
    at(p.dv, b0, s * ev), work.base + t * work.stride,
  ]));
}
