// What RNN, LSTM and GRU share (PyTorch's RNNBase): options, parameters under PyTorch's names and
// in its order, and the forward over layers and directions. Each layer-direction is one autograd
// node (recurrent-op.ts); this file only arranges them: time-first views, initial states, the
// two directions joined along features, dropout between layers, the final states stacked.
import { boolean, positiveInt, probability } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { concat, rngFrom, stack, Tensor, zeros, type RandomOptions, type Rng } from "../ndarray/index.js";
import { MAX_ELEMENTS } from "../ndarray/dtype.js";
import { GATE_COUNT, type CellKind } from "../backend/index.js";
import { dropout } from "./functional.js";
import { Module } from "./module.js";
import { recurrentDirection } from "./recurrent-op.js";
import { checkPackedInput, runPacked } from "./packed-recurrent.js";
import type { PackedSequence } from "./packed-sequence.js";

export interface RecurrentOptions extends RandomOptions {
  /** Stacked layers (default 1): layer l > 0 reads layer l − 1's output. */
  numLayers?: number;
  /** Learned biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output as [batch, T, features] instead of [T, batch, features] (default false). */
  batchFirst?: boolean;
  /** Dropout probability on the output of every layer but the last, in training mode only (default 0). */
  dropout?: number;
  /** Also run each layer from the last step to the first; outputs join along features (default false). */
  bidirectional?: boolean;
  dtype?: "float32" | "float64";
}

export const RECURRENT_KEYS = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional", "dtype", "seed", "rng"] as const;

interface DirectionParams { wIh: Tensor; wHh: Tensor; bIh: Tensor | null; bHh: Tensor | null }

/**
 * PyTorch's reset_parameters for the recurrent layers and cells: each parameter U(±1/√hidden),
 * drawn from one generator in registration order, so that a cell and a one-layer layer of one
 * seed hold the same weights. Returns the maker of the next parameter of a shape.
 */
export function uniformDraws(hiddenSize: number, dtype: "float32" | "float64", rng: Rng): (shape: number[]) => Tensor {
  const bound = 1 / Math.sqrt(hiddenSize);
  return (shape) => {
    const t = zeros(shape, { dtype }), d = t.storage;
    for (let i = 0; i < d.length; i++) d[i] = (2 * rng.uniform() - 1) * bound;
    return t;
  };
}

/** The shared machinery; use RNN, LSTM or GRU. */
export abstract class RecurrentBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  private readonly cells: DirectionParams[] = [];
  /** Its own generator when seeded (the one that drew the weights, continued); else the global one per call. */
  private readonly dropoutRng: Rng | null;

  protected constructor(readonly name: string, readonly mode: CellKind, readonly inputSize: number,
                        readonly hiddenSize: number, o: RecurrentOptions) {
    super();
    positiveInt(name, "inputSize", inputSize);
    positiveInt(name, "hiddenSize", hiddenSize);
    this.numLayers = positiveInt(name, "numLayers", o.numLayers ?? 1);
    this.bias = boolean(name, "bias", o.bias ?? true);
    this.batchFirst = boolean(name, "batchFirst", o.batchFirst ?? false);
    // probability(), not inRange(): a string such as "0.5" is named as one, not shown as the number.
    this.dropout = probability(name, "dropout", o.dropout ?? 0);
    if (this.dropout === 1) throw new ValueError(`${name}: dropout must be in [0, 1), got 1`);
    this.bidirectional = boolean(name, "bidirectional", o.bidirectional ?? false);
    const dtype = o.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") throw new DTypeError(`${name}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
    const rng = rngFrom(o);
    const rows = GATE_COUNT[mode] * hiddenSize, draw = uniformDraws(hiddenSize, dtype, rng);
    const param = (pname: string, shape: number[]) => this.registerParameter(pname, draw(shape));
    // Each parameter's own size is checked where it is allocated; the layers' count is not, and a
    // numLayers such as 1e9 would allocate until the process runs out of memory. The whole layer is
    // held to one typed array's limit (16 GB of float32), beyond what any engine here can hold.
    const perDirection = (inSize: number) => rows * (inSize + hiddenSize + (this.bias ? 2 : 0));
    const total = this.directions * (perDirection(inputSize) + (this.numLayers - 1) * perDirection(hiddenSize * this.directions));
    if (!(total <= MAX_ELEMENTS)) {
      throw new ValueError(`${name}: numLayers ${this.numLayers}, inputSize ${inputSize} and hiddenSize ${hiddenSize} make ${total} parameters, more than ${MAX_ELEMENTS}`);
    }
    for (let l = 0; l < this.numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize * this.directions;
      for (const suffix of this.bidirectional ? ["", "_reverse"] : [""]) {
        const wIh = param(`weight_ih_l${l}${suffix}`, [rows, inSize]), wHh = param(`weight_hh_l${l}${suffix}`, [rows, hiddenSize]);
        const bIh = this.bias ? param(`bias_ih_l${l}${suffix}`, [rows]) : null;
        const bHh = this.bias ? param(`bias_hh_l${l}${suffix}`, [rows]) : null;
        this.cells.push({ wIh, wHh, bIh, bHh });
      }
    }
    this.dropoutRng = o.rng || o.seed !== undefined ? rng : null;
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** x as [T, batch, inputSize] (time first) and whether it came without a batch dimension; checked. */
  protected timeFirst(x: Tensor): { xt: Tensor; unbatched: boolean } {
    const w = this.cells[0].wIh;
    if (!(x instanceof Tensor)) throw new ValueError(`${this.name}: input must be a Tensor, got ${Array.isArray(x) ? "an array" : typeof x}`);
    if (x.dtype !== w.dtype) throw new DTypeError(`${this.name}: input is ${x.dtype}, the layer's weights are ${w.dtype}`);
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new ShapeError(`${this.name}: input must be 3-D (batched) or 2-D (unbatched), got shape [${x.shape}]`);
    }
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${this.name}: input of shape [${x.shape}] has ${x.shape[x.ndim - 1]} features, expected inputSize ${this.inputSize}`);
    }
    const unbatched = x.ndim === 2;
    const xt = unbatched ? x.unsqueeze(1) : this.batchFirst ? x.transpose(0, 1) : x;
    // An empty batch is fine (empty outputs, zero weight gradients, as PyTorch); no time steps is not.
    if (xt.shape[0] === 0) throw new ShapeError(`${this.name}: input of shape [${x.shape}] has no time steps`);
    return { xt, unbatched };
  }

  /** An initial state as [L·D, batch, H] (zeros when absent), checked against what the input needs. */
  protected initialState(h: Tensor | undefined | null, what: string, batch: number, unbatched: boolean): Tensor {
    const ld = this.numLayers * this.directions;
    const dtype = this.cells[0].wIh.dtype as "float32" | "float64";
    if (h === undefined || h === null) return zeros([ld, batch, this.hiddenSize], { dtype });
    const want = unbatched ? [ld, this.hiddenSize] : [ld, batch, this.hiddenSize];
    // An array here is most often an LSTM's [h0, c0] passed to an RNN or GRU: its shape would read "undefined".
    if (!(h instanceof Tensor)) throw new ValueError(`${this.name}: ${what} must be a Tensor of shape [${want}], got ${Array.isArray(h) ? "an array" : typeof h}`);
    if (h.ndim !== want.length || h.shape.some((n, i) => n !== want[i])) {
      throw new ShapeError(`${this.name}: ${what} has shape [${h.shape}], expected [${want}] (numLayers·directions, ${unbatched ? "" : "batch, "}hiddenSize)`);
    }
    if (h.dtype !== dtype) throw new DTypeError(`${this.name}: ${what} is ${h.dtype}, the layer's weights are ${dtype}`);
    return unbatched ? h.unsqueeze(1) : h;
  }

  /**
   * Runs every layer and direction: the output [T, batch, D·H] of the last layer and the final
   * states [L·D, batch, H] (and cells for the LSTM).
   */
  protected run(xt: Tensor, h0: Tensor, c0: Tensor | null): { y: Tensor; hN: Tensor; cN: Tensor | null } {
    const T = xt.shape[0], D = this.directions, hs: Tensor[] = [], cs: Tensor[] = [];
    let input = xt;
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0 && this.training && this.dropout > 0) input = dropout(input, this.dropout, this.dropoutRng ?? rngFrom(undefined));
      const outs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const p = this.cells[l * D + d], i = l * D + d, reverse = d === 1;
        const z = recurrentDirection({
          kind: this.mode, reverse, x: input, h0: h0.slice(i), c0: c0 ? c0.slice(i) : null, ...p,
        });
        const y = c0 ? z.slice([0, T]) : z;
        outs.push(y);
        hs.push(y.slice(reverse ? 0 : T - 1));
        if (c0) cs.push(z.slice(T));
      }
      input = D === 1 ? outs[0] : concat(outs, 2);
    }
    return { y: input, hN: stack(hs, 0), cN: c0 ? stack(cs, 0) : null };
  }

  /** The layers over a PackedSequence, each sequence to its own length (packed-recurrent.ts). */
  protected runPackedInput(x: PackedSequence, h0: Tensor | undefined | null, c0: Tensor | undefined | null, lstm: boolean) {
    const batch = checkPackedInput(this.name, x, this.inputSize, this.cells[0].wIh.dtype);
    const h = this.initialState(h0, "h0", batch, false), c = lstm ? this.initialState(c0, "c0", batch, false) : null;
    const betweenLayers = (t: Tensor) => (this.training && this.dropout > 0 ? dropout(t, this.dropout, this.dropoutRng ?? rngFrom(undefined)) : t);
    return runPacked({ kind: this.mode, numLayers: this.numLayers, directions: this.directions, cells: this.cells, betweenLayers }, x, h, c);
  }

  /** Back to the caller's layout: batch first, or no batch dimension. */
  protected outputLayout(y: Tensor, unbatched: boolean): Tensor {
    return unbatched ? y.squeeze(1) : this.batchFirst ? y.transpose(0, 1) : y;
  }
  protected stateLayout(h: Tensor, unbatched: boolean): Tensor {
    return unbatched ? h.squeeze(1) : h;
  }
}
