// The recurrent machine on the wasm kernels: one withScratch per layer-direction holds the whole
// sequence (inputs, weights, states, gates, gradients) in the arena, so each step is two calls
// into wasm (the step's GEMM and the fused cell) with no copy between JS and wasm memory.
import { withScratch, type Arena } from "./arena.js";
import { GEMM_ACCUMULATE, RNN_RELU } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import type { RecurrentKernels, RecurrentMachine } from "./recurrent-kernels.js";

export function wasmRecurrentRunner(wasm: KernelExports, arena: Arena): RecurrentKernels {
  return {
    run(size, gemms, fn) {
      return withScratch(arena, () => {
        const workBytes = Math.max(...gemms.map(([m, n, k]) => wasm.f32_gemm_workspace(m, n, k)));
        const work = arena.alloc(workBytes);
        const base = arena.alloc(size * 4);
        // Views are made after the last allocation (growth detaches them) and nothing allocates after.
        const buf = arena.f32(base, size);
        const p = (o: number) => base + 4 * o;
        const m: RecurrentMachine = {
          buf,
          gemm(mm, n, k, a, ars, acs, b, brs, bcs, c, bias, accumulate) {
            wasm.f32_gemm_batch(1, mm, n, k, p(a), 0, ars, acs, p(b), 0, brs, bcs, p(c), mm * n, n,
                                bias >= 0 ? p(bias) : 0, accumulate ? GEMM_ACCUMULATE : 0, work);
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
