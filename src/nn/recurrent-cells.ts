// PyTorch's single-step recurrent cells, nn.RNNCell, nn.LSTMCell and nn.GRUCell: what a loop
// written by hand steps one token at a time (a decoder with teacher forcing, an attention decoder).
// A cell is one step of a layer's direction, so its forward is recurrentDirection
// (recurrent-op.ts) with T = 1: the layers' GEMMs, fused cell kernels and hand-written backward,
// no kernel or op of its own. That op already returns what a cell needs: the LSTM's c' as the row
// after the outputs, and the gradients of h and c (a layer's h0 and c0). Composing the cell from
// linear, sigmoid and tanh instead would be as exact but record some ten nodes a step where this
// records one, and would be a second copy of the gate equations to keep in step with the kernels.
import { boolean, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { rngFrom, Tensor, zeros, type RandomOptions } from "../ndarray/index.js";
import { GATE_COUNT, type CellKind } from "../backend/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { uniformDraws } from "./recurrent-base.js";
import { recurrentDirection } from "./recurrent-op.js";

export interface RecurrentCellOptions extends RandomOptions {
  /** Learned biases b_ih and b_hh (default true). */
  bias?: boolean;
  dtype?: "float32" | "float64";
}
export interface RNNCellOptions extends RecurrentCellOptions {
  /** "tanh" (default) or "relu". */
  nonlinearity?: "tanh" | "relu";
}

const CELL_KEYS = ["bias", "dtype", "seed", "rng"] as const;

/** What the three cells share (PyTorch's RNNCellBase); use RNNCell, LSTMCell or GRUCell. */
export abstract class RecurrentCellBase extends Module {
  readonly bias: boolean;
  /** [gates·hiddenSize, inputSize], state-dict key weight_ih. */
  readonly weightIh: Tensor;
  /** [gates·hiddenSize, hiddenSize], state-dict key weight_hh. */
  readonly weightHh: Tensor;
  /** [gates·hiddenSize] (null without bias), state-dict keys bias_ih and bias_hh. */
  readonly biasIh: Tensor | null;
  readonly biasHh: Tensor | null;

  protected constructor(readonly name: string, readonly mode: CellKind, readonly inputSize: number,
                        readonly hiddenSize: number, o: RecurrentCellOptions) {
    super();
    positiveInt(name, "inputSize", inputSize);
    positiveInt(name, "hiddenSize", hiddenSize);
    this.bias = boolean(name, "bias", o.bias ?? true);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${name}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    // Drawn as the full layers draw theirs (uniformDraws): a cell and a one-layer layer of one seed hold the same weights.
    const rows = GATE_COUNT[mode] * hiddenSize, draw = uniformDraws(hiddenSize, dtype, rngFrom(o));
    const param = (pname: string, shape: number[]) => this.registerParameter(pname, draw(shape));
    this.weightIh = param("weight_ih", [rows, inputSize]);
    this.weightHh = param("weight_hh", [rows, hiddenSize]);
    this.biasIh = this.bias ? param("bias_ih", [rows]) : null;
    this.biasHh = this.bias ? param("bias_hh", [rows]) : null;
  }

  /** The input checked, as [batch, inputSize] (a 1-D input is one unbatched row, as PyTorch 1.13). */
  protected input(x: Tensor): Tensor {
    if (!(x instanceof Tensor)) throw new ValueError(`${this.name}: input must be a Tensor, got ${Array.isArray(x) ? "an array" : typeof x}`);
    if (x.dtype !== this.weightIh.dtype) throw new DTypeError(`${this.name}: input is ${x.dtype}, the cell's weights are ${this.weightIh.dtype}`);
    if (x.ndim !== 1 && x.ndim !== 2) {
      throw new ShapeError(`${this.name}: input must be 2-D [batch, inputSize] or 1-D [inputSize] (unbatched), got shape [${x.shape}]`);
    }
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${this.name}: input of shape [${x.shape}] has ${x.shape[x.ndim - 1]} features, expected inputSize ${this.inputSize}`);
    }
    return x.ndim === 1 ? x.unsqueeze(0) : x;
  }

  /** A state (h or c) checked against the input `x` as given, as [batch, hiddenSize]; zeros when absent. */
  protected state(h: Tensor | undefined | null, what: string, x: Tensor): Tensor {
    const unbatched = x.ndim === 1, batch = unbatched ? 1 : x.shape[0], H = this.hiddenSize;
    const dtype = this.weightIh.dtype as "float32" | "float64";
    if (h === undefined || h === null) return zeros([batch, H], { dtype });
    const want = unbatched ? [H] : [batch, H], layout = unbatched ? "[hiddenSize] for a 1-D input" : "[batch, hiddenSize]";
    // An array here is most often an LSTMCell's [h, c] passed to an RNNCell or GRUCell.
    if (!(h instanceof Tensor)) throw new ValueError(`${this.name}: ${what} must be a Tensor of shape [${want}], got ${Array.isArray(h) ? "an array" : typeof h}`);
    if (h.ndim !== want.length) {
      throw new ShapeError(`${this.name}: ${what} has shape [${h.shape}], expected ${layout}: [${want}] for the input of shape [${x.shape}]`);
    }
    if (!unbatched && h.shape[0] !== batch) {
      throw new ShapeError(`${this.name}: ${what} of shape [${h.shape}] has batch ${h.shape[0]}, the input of shape [${x.shape}] has batch ${batch}`);
    }
    if (h.shape[h.ndim - 1] !== H) {
      throw new ShapeError(`${this.name}: ${what} of shape [${h.shape}] has ${h.shape[h.ndim - 1]} features, expected hiddenSize ${H}`);
    }
    if (h.dtype !== dtype) throw new DTypeError(`${this.name}: ${what} is ${h.dtype}, the cell's weights are ${dtype}`);
    return unbatched ? h.unsqueeze(0) : h;
  }

  /** One step: [1, batch, H] (h'), or [2, batch, H] (h', c') for the LSTM. */
  protected step(x: Tensor, h: Tensor, c: Tensor | null): Tensor {
    return recurrentDirection({
      kind: this.mode, reverse: false, x: x.unsqueeze(0), h0: h, c0: c,
      wIh: this.weightIh, wHh: this.weightHh, bIh: this.biasIh, bHh: this.biasHh,
    });
  }

  /** Row `i` of a step's result, in the caller's layout. */
  protected row(z: Tensor, i: number, unbatched: boolean): Tensor {
    const r = z.slice(i);
    return unbatched ? r.squeeze(0) : r;
  }
}

/**
 * Elman RNN cell: h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh), act tanh or relu.
 * `forward(x, h?)` → h': x [batch, inputSize] or unbatched [inputSize], h and h' [batch,
 * hiddenSize] (unbatched: [hiddenSize]); h zeros if omitted.
 */
export class RNNCell extends RecurrentCellBase {
  static readonly typeName: string = "RNNCell";
  readonly nonlinearity: "tanh" | "relu";
  constructor(inputSize: number, hiddenSize: number, o: RNNCellOptions = {}) {
    checkOptions("RNNCell", o, [...CELL_KEYS, "nonlinearity"]);
    const nl = o.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new ValueError(`RNNCell: nonlinearity must be "tanh" or "relu", got ${JSON.stringify(nl)}`);
    super("RNNCell", nl === "relu" ? "rnn_relu" : "rnn_tanh", inputSize, hiddenSize, o);
    this.nonlinearity = nl;
  }
  forward(x: Tensor, hx?: Tensor | null): Tensor {
    const xb = this.input(x);
    return this.row(this.step(xb, this.state(hx, "hx", x), null), 0, x.ndim === 1);
  }
}

/**
 * LSTM cell (gates i, f, g, o as PyTorch): c' = f·c + i·g, h' = o·tanh(c').
 * `forward(x, [h, c]?)` → `[h', c']`, shapes as RNNCell's; h and c zeros if omitted.
 */
export class LSTMCell extends RecurrentCellBase {
  static readonly typeName: string = "LSTMCell";
  constructor(inputSize: number, hiddenSize: number, o: RecurrentCellOptions = {}) {
    checkOptions("LSTMCell", o, CELL_KEYS);
    super("LSTMCell", "lstm", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const xb = this.input(x);
    // Both or neither: a missing c next to a given h would silently start the cell at zero.
    if (hx != null && (!Array.isArray(hx) || hx.length !== 2 || !hx.every((t) => t instanceof Tensor))) {
      throw new ValueError("LSTMCell: the state must be [h, c], two Tensors");
    }
    const h = this.state(hx?.[0], "h", x), c = this.state(hx?.[1], "c", x);
    const z = this.step(xb, h, c), unbatched = x.ndim === 1;
    return [this.row(z, 0, unbatched), this.row(z, 1, unbatched)];
  }
}

/**
 * GRU cell (gates r, z, n as PyTorch): n = tanh(W_in x + b_in + r·(W_hn h + b_hn)),
 * h' = (1 − z)·n + z·h. `forward(x, h?)` → h', shapes as RNNCell's.
 */
export class GRUCell extends RecurrentCellBase {
  static readonly typeName: string = "GRUCell";
  constructor(inputSize: number, hiddenSize: number, o: RecurrentCellOptions = {}) {
    checkOptions("GRUCell", o, CELL_KEYS);
    super("GRUCell", "gru", inputSize, hiddenSize, o);
  }
  forward(x: Tensor, hx?: Tensor | null): Tensor {
    const xb = this.input(x);
    return this.row(this.step(xb, this.state(hx, "hx", x), null), 0, x.ndim === 1);
  }
}
