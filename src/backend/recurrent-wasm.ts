// The recurrent machine on the wasm kernels: one withScratch per layer-direction holds the whole
// sequence (inputs, weights, states, gates, gradients) in the arena, so each step is two calls
// into wasm (the step's GEMM and the fused cell) with no copy between JS and wasm memory. With
// init({ threads }), each GEMM large enough is split over the pool as matmul's are (the same
// tiles, so the same bits as on one thread); the cells stay on the calling thread.
import { withScratch, type Arena } from "./arena.js";
import { activeThreading } from "./init.js";
import { GEMM_ACCUMULATE, RNN_RELU } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import type { RecurrentKernels, RecurrentMachine } from "./recurrent-kernels.js";

export function wasmRecurrentRunner(wasm: KernelExports, arena: Arena): RecurrentKernels {
  return {
    run(size, gemms, fn) {
      return withScratch(arena, () => {
        // Math.max(0, …): with no GEMMs, Math.max() alone is −∞, which an arena pointer must never become.
        const workBytes = Math.max(0, ...gemms.map(([m, n, k]) => wasm.f32_gemm_workspace(m, n, k)));
        const work = arena.alloc(workBytes);
        const base = arena.alloc(size * 4);
        // Views are made after the last allocation (growth detaches them) and nothing allocates after.
        const buf = arena.f32(base, size);
        const p = (o: number) => base + 4 * o;
        const pooled = activeThreading()?.gemm ?? null;
        const m: RecurrentMachine = {
          buf,
          gemm(mm, n, k, a, ars, acs, b, brs, bcs, c, bias, accumulate) {
            const biasPtr = bias >= 0 ? p(bias) : 0, flags = accumulate ? GEMM_ACCUMULATE : 0;
            // The pool's per-thread workspaces are scratch of this call only (a nested withScratch):
            // T steps must not pile them up. A grown shared memory leaves buf valid (it cannot detach).
            if (pooled && withScratch(arena, () => pooled(wasm, arena, {
              batch: 1, m: mm, n, k, a: p(a), aBatchStride: 0, aRowStride: ars, aColStride: acs,
              b: p(b), bBatchStride: 0, bRowStride: brs, bColStride: bcs, c: p(c), cBatchStride: mm * n, cRowStride: n,
              bias: biasPtr, flags,
            }))) return;
            wasm.f32_gemm_batch(1, mm, n, k, p(a), 0, ars, acs, p(b), 0, brs, bcs, p(c), mm * n, n, biasPtr, flags, work);
          },
          lstmForward: (B, H, xp, hp, cp, g, h, c) => wasm.f32_lstm_cell_forward(B, H, p(xp), p(hp), p(cp), p(g), p(h), p(c)),
          lstmBackward: (B, H, g, cp, c, dy, dh, dc, dg) =>
            wasm.f32_lstm_cell_backward(B, H, p(g), p(cp), p(c), p(dy), p(dh), p(dc), p(dg)),
          gruForward: (B, H, xp, hp, hPrev, g, h) => wasm.f32_gru_cell_forward(B, H, p(xp), p(hp), p(hPrev), p(g), p(h)),
          gruBackward: (B, H, g, hPrev, dy, dh, dxp, dhp) =>
            wasm.f32_gru_cell_backward(B, H, p(g), p(hPrev), p(dy), p(dh), p(dxp), p(dhp)),
          rnnForward: (n, xp, hp, h, relu) => wasm.f32_rnn_cell_forward(n, p(xp), p(hp), p(h), relu ? RNN_RELU : 0),
          rnnBackward: (n, h, dy, dh, dpre, relu) => wasm.f32_rnn_cell_backward(n, p(h), p(dy), p(dh), p(dpre), relu ? RNN_RELU : 0),
        };
        return fn(m);
      });
    },
  };
}
