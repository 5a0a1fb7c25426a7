// The recurrent layers, PyTorch's nn.RNN, nn.LSTM and nn.GRU (see recurrent-base.ts for what
// they share and recurrent-op.ts for how a layer-direction runs). Each forward also takes a
// PackedSequence (nn.utils.rnn) and gives one back, every sequence run to its own length
// (packed-recurrent.ts); its initial and final states are in the original batch order.
//
// Truncated backpropagation through time, for every one of them: run a long sequence in chunks
// and pass each chunk's final state, detached, as the next chunk's initial state —
// `[y, h] = rnn.forward(chunk, h?.detach())`, for the LSTM `[h.detach(), c.detach()]` — so the
// gradient of a chunk stops at its first step while the state itself carries forward.
import { checkOptions } from "../options.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { RECURRENT_KEYS, RecurrentBase, type RecurrentOptions } from "./recurrent-base.js";
import { PackedSequence } from "./packed-sequence.js";
import { registerLayers } from "./layer-registry.js";

export type { RecurrentOptions } from "./recurrent-base.js";

export interface RNNOptions extends RecurrentOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}
export interface LSTMOptions extends RecurrentOptions {
  /** PyTorch's projected LSTM; only 0 (no projection) is implemented. */
  projSize?: number;
}


/**
 * Elman RNN: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), act tanh or relu.
 * `forward(x, h0?)` → `[output, hN]`: x [T, batch, inputSize] ([batch, T, ·] with batchFirst, or
 * [T, inputSize] unbatched), h0 [numLayers·directions, batch, hiddenSize] (zeros if omitted);
 * output [T, batch, directions·hiddenSize], hN like h0. Truncated BPTT: pass `hN.detach()` as the
 * next chunk's h0.
 */
export class RNN extends RecurrentBase {
  static readonly typeName: string = "RNN";
  readonly nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, o: RNNOptions = {}) {
    checkOptions("RNN", o, [...RECURRENT_KEYS, "nonlinearity"]);
    const nl = o.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new ValueError(`RNN: nonlinearity must be "tanh" or "relu", got ${JSON.stringify(nl)}`);
    super("RNN", nl === "relu" ? "rnn_relu" : "rnn_tanh", inputSize, hiddenSize, o);
    this.nonlinearity = nl;
  }
  forward(x: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor];
  forward(x: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    if (x instanceof PackedSequence) { const r = this.runPackedInput(x, h0, null, false); return [r.output, r.hN]; }
    const { xt, unbatched } = this.timeFirst(x);
    const h = this.initialState(h0, "h0", xt.shape[1], unbatched);
    const r = this.run(xt, h, null);
    return [this.outputLayout(r.y, unbatched), this.stateLayout(r.hN, unbatched)];
  }
}

/**
 * LSTM (gates i, f, g, o as PyTorch): c_t = f·c_{t−1} + i·g, h_t = o·tanh(c_t).
 * `forward(x, [h0, c0]?)` → `[output, [hN, cN]]`, shapes as RNN's. Truncated BPTT: pass
 * `[hN.detach(), cN.detach()]` as the next chunk's state.
 */
export class LSTM extends RecurrentBase {
  static readonly typeName: string = "LSTM";
  constructor(inputSize: number, hiddenSize: number, o: LSTMOptions = {}) {
    checkOptions("LSTM", o, [...RECURRENT_KEYS, "projSize"]);
    if (o.projSize !== undefined && o.projSize !== 0) {
      throw new ValueError(`LSTM: projSize ${String(o.projSize)} is not implemented (only 0, no projection)`);
    }
    super("LSTM", "lstm", inputSize, hiddenSize, o);
  }
  forward(x: PackedSequence, state?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(x: Tensor, state?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(x: Tensor | PackedSequence, state?: readonly [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    // Both or neither: a null c0 next to a given h0 would silently start the cells at zero.
    if (state != null && (!Array.isArray(state) || state.length !== 2 || !state.every((t) => t instanceof Tensor))) {
      throw new ValueError("LSTM: the initial state must be [h0, c0], two Tensors");
    }
    if (x instanceof PackedSequence) { const r = this.runPackedInput(x, state?.[0], state?.[1], true); return [r.output, [r.hN, r.cN!]]; }
    const { xt, unbatched } = this.timeFirst(x);
    const h = this.initialState(state?.[0], "h0", xt.shape[1], unbatched);
    const c = this.initialState(state?.[1], "c0", xt.shape[1], unbatched);
    const r = this.run(xt, h, c);
    return [this.outputLayout(r.y, unbatched), [this.stateLayout(r.hN, unbatched), this.stateLayout(r.cN!, unbatched)]];
  }
}

/**
 * GRU (gates r, z, n as PyTorch): n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),
 * h_t = (1 − z)·n + z·h_{t−1}. `forward(x, h0?)` → `[output, hN]`, shapes as RNN's. Truncated
 * BPTT: pass `hN.detach()` as the next chunk's h0.
 */
export class GRU extends RecurrentBase {
  static readonly typeName: string = "GRU";
  constructor(inputSize: number, hiddenSize: number, o: RecurrentOptions = {}) {
    checkOptions("GRU", o, RECURRENT_KEYS);
    super("GRU", "gru", inputSize, hiddenSize, o);
  }
  forward(x: PackedSequence, h0?: Tensor | null): [PackedSequence, Tensor];
  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor];
  forward(x: Tensor | PackedSequence, h0?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    if (x instanceof PackedSequence) { const r = this.runPackedInput(x, h0, null, false); return [r.output, r.hN]; }
    const { xt, unbatched } = this.timeFirst(x);
    const h = this.initialState(h0, "h0", xt.shape[1], unbatched);
    const r = this.run(xt, h, null);
    return [this.outputLayout(r.y, unbatched), this.stateLayout(r.hN, unbatched)];
  }
}

registerLayers({ RNN, LSTM, GRU });
