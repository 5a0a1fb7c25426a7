// The wasm side of the attention family: one crossing per call for all (batch, head) blocks.
import { withScratch, type Arena } from "./arena.js";
import type { AttentionKernels } from "./attention-kernels.js";
import type { KernelExports } from "./kernel-exports.js";

/** A fresh array from scratch (the typed-array constructor: faster than slice() of a view). */
const copyOut = (arena: Arena, ptr: number, n: number) => new Float32Array(arena.f32(ptr, n));

export function wasmAttentionKernels(wasm: KernelExports, arena: Arena): AttentionKernels {
  return {
    attentionForward(g, q, k, v, mask, drop) {
      return withScratch(arena, () => {
        const { blocks, l, s, e, ev } = g;
        const qp = arena.copyIn(q), kp = arena.copyIn(k), vp = arena.copyIn(v);
        const mp = mask ? arena.copyIn(mask) : 0, dp = drop ? arena.copyIn(drop) : 0;
        const op = arena.alloc(blocks * l * ev * 4), pp = arena.alloc(blocks * l * s * 4);
        const work = arena.alloc(wasm.f32_attention_forward_workspace(s, e));
        wasm.f32_attention_forward(blocks, l, s, e, ev, g.scale, g.causal ? 1 : 0, qp, kp, vp, mp, g.maskStride, dp, op, pp, work);
        return { out: copyOut(arena, op, blocks * l * ev), probs: copyOut(arena, pp, blocks * l * s) };
      });
    },
    attentionBackward(g, q, k, v, drop, probs, dOut) {
      return withScratch(arena, () => {
        const { blocks, l, s, e, ev } = g;
        const qp = arena.copyIn(q), kp = arena.copyIn(k), vp = arena.copyIn(v);
        const dp = drop ? arena.copyIn(drop) : 0, pp = arena.copyIn(probs), gp = arena.copyIn(dOut);
        const dq = arena.alloc(blocks * l * e * 4), dk = arena.alloc(blocks * s * e * 4), dv = arena.alloc(blocks * s * ev * 4);
        const work = arena.alloc(wasm.f32_attention_backward_workspace(l, s, ev));
        wasm.f32_attention_backward(blocks, l, s, e, ev, g.scale, g.causal ? 1 : 0, qp, kp, vp, dp, pp, gp, dq, dk, dv, work);
        return { dq: copyOut(arena, dq, blocks * l * e), dk: copyOut(arena, dk, blocks * s * e), dv: copyOut(arena, dv, blocks * s * ev) };
      });
    },
  };
}
