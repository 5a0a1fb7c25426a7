// The fused attention kernels (scaled dot-product attention over (batch, head) blocks): a kernel
// family built on first use, so an application without attention carries none of this code.
import { attentionBackwardJs, attentionForwardJs } from "./attention-js.js";
import { wasmAttentionKernels } from "./attention-wasm.js";
import { kernelFamily, type KernelFamily } from "./init.js";

/** The sizes of one call: `blocks` independent (batch, head) blocks laid out one after another. */
export interface AttentionBlocks {
  blocks: number;
  /** Queries per block. */
  l: number;
  /** Keys (and values) per block. */
  s: number;
  /** Width of a query and a key. */
  e: number;
  /** Width of a value (and of an output row). */
  ev: number;
  /** Multiplies Q·Kᵀ (1/√e for scaled dot-product attention). */
  scale: number;
  /** Query i sees keys j ≤ i + s − l only (the rest skipped, not computed); needs s ≥ l. */
  causal: boolean;
  /** Elements between consecutive blocks' [l, s] additive masks: 0 when one mask is shared. */
  maskStride: number;
}

export interface AttentionResult<A> {
  /** [blocks, l, ev] */
  out: A;
  /** softmax(scale·Q·Kᵀ + mask) before dropout, [blocks, l, s]; 0 past the causal limit. */
  probs: A;
}
export interface AttentionGrads<A> { dq: A; dk: A; dv: A }

export interface AttentionKernels {
  /**
   * Q [blocks, l, e], K [blocks, s, e], V [blocks, s, ev] contiguous; mask additive [l, s] per
   * block (or null); drop: dropout multipliers [blocks, l, s] (0 or 1/(1−p)) or null.
   */
  attentionForward(g: AttentionBlocks, q: Float32Array, k: Float32Array, v: Float32Array,
                   mask: Float32Array | null, drop: Float32Array | null): AttentionResult<Float32Array>;
  /** dQ, dK, dV for dOut [blocks, l, ev], from the forward's probs. */
  attentionBackward(g: AttentionBlocks, q: Float32Array, k: Float32Array, v: Float32Array, drop: Float32Array | null,
                    probs: Float32Array, dOut: Float32Array): AttentionGrads<Float32Array>;
}

export const jsAttentionKernels: AttentionKernels = {
  attentionForward: (g, q, k, v, mask, drop) => attentionForwardJs(g, q, k, v, mask, drop) as AttentionResult<Float32Array>,
  attentionBackward: (g, q, k, v, drop, probs, dOut) =>
    attentionBackwardJs(g, q, k, v, drop, probs, dOut) as AttentionGrads<Float32Array>,
};

const attentionFamily: KernelFamily<AttentionKernels> = {
  js: jsAttentionKernels,
  wasm: wasmAttentionKernels,
  exports: ["f32_attention_forward_workspace", "f32_attention_forward", "f32_attention_backward_workspace", "f32_attention_backward"],
  warmUp(k) {
    const g: AttentionBlocks = { blocks: 2, l: 8, s: 8, e: 16, ev: 16, scale: 0.25, causal: true, maskStride: 0 };
    const q = new Float32Array(2 * 8 * 16);
    for (let i = 0; i < 3; i++) {
      const { probs } = k.attentionForward(g, q, q, q, null, null);
      k.attentionBackward(g, q, q, q, null, probs, q);
    }
  },
};

/** The attention kernels of the active backend (built on the first call after each init). */
export function attentionKernels(): AttentionKernels {
  return kernelFamily(attentionFamily);
}
