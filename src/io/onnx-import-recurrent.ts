// ONNX's RNN, LSTM and GRU nodes (opset 13/14, layout 0: X [T, batch, input]) unrolled into
// edgegrad's tensor ops step by step, so gradients reach W, R, B and the initial states. Gate
// orders are ONNX's: LSTM i, o, f, c; GRU z, r, h (onnx-recurrent-export.ts maps PyTorch's to
// them). Activations are the defaults (an RNN may use Relu, as the exporter writes for
// nonlinearity "relu"); clip, peepholes, sequence_lens and custom activations are refused.
import { ShapeError, ValueError } from "../errors.js";
import { matmul, stack, zeros, type Tensor } from "../ndarray/index.js";
import { at, floatInput, type OpContext, type OpSpec } from "./onnx-import-op.js";

type Kind = "RNN" | "LSTM" | "GRU";
const GATES: Record<Kind, number> = { RNN: 1, LSTM: 4, GRU: 3 };
const DEFAULT_ACTIVATIONS: Record<Kind, string[]> = { RNN: ["tanh"], LSTM: ["sigmoid", "tanh", "tanh"], GRU: ["sigmoid", "tanh"] };

interface Cell { kind: Kind; hidden: number; directions: number; reverse: boolean; relu: boolean; linearBeforeReset: boolean }

function readCell(c: OpContext, kind: Kind): Cell {
  const hidden = c.a.int("hidden_size"), direction = c.a.string("direction", "forward");
  if (hidden === undefined || hidden < 1) throw new ValueError(`${c.where}: attribute hidden_size must be a positive integer, got ${hidden}`);
  if (!["forward", "reverse", "bidirectional"].includes(direction)) c.a.refuse("direction", direction, "direction is forward, reverse or bidirectional");
  const directions = direction === "bidirectional" ? 2 : 1;
  for (const name of ["activation_alpha", "activation_beta"]) if (c.a.floats(name)) c.a.refuse(name, c.a.floats(name), "only the default activations are supported");
  if (c.a.has("clip")) c.a.refuse("clip", c.a.float("clip", 0), "cell clipping is not supported");
  if (c.a.int("layout", 0) !== 0) c.a.refuse("layout", 1, "only layout 0 ([T, batch, ·]) is supported");
  if (kind === "LSTM" && c.a.int("input_forget", 0) !== 0) c.a.refuse("input_forget", 1, "coupled input and forget gates are not supported");
  const linearBeforeReset = kind === "GRU" ? c.a.int("linear_before_reset", 0) === 1 : false;
  const given = c.a.strings("activations")?.map((s) => s.toLowerCase());
  let relu = false;
  if (given) {
    const per = DEFAULT_ACTIVATIONS[kind].length;
    const ok = given.length === per * directions && given.every((s, i) => {
      const want = DEFAULT_ACTIVATIONS[kind][i % per];
      return s === want || (kind === "RNN" && s === "relu" && given.every((t) => t === "relu"));
    });
    if (!ok) c.a.refuse("activations", given, `expected ${DEFAULT_ACTIVATIONS[kind].join(", ")} per direction${kind === "RNN" ? " (or Relu)" : ""}`);
    relu = kind === "RNN" && given[0] === "relu";
  }
  return { kind, hidden, directions, reverse: direction === "reverse", relu, linearBeforeReset };
}

/** [rows, cols) of a 2-D tensor's columns. */
const cols = (t: Tensor, from: number, to: number) => t.slice(null, [from, to]);

interface Direction { w: Tensor; r: Tensor; wb: Tensor | null; rb: Tensor | null; h0: Tensor; c0: Tensor | null }

/** One direction over the whole sequence: its output [T, batch, H], final h and (LSTM) c. */
function runDirection(cell: Cell, x: Tensor, d: Direction, backwards: boolean): { y: Tensor; h: Tensor; c: Tensor | null } {
  const H = cell.hidden, T = x.shape[0];
  let xw = matmul(x, d.w.transpose());
  if (d.wb) xw = xw.add(d.wb);
  const rbh = cell.kind === "GRU" && d.rb ? cols(d.rb.unsqueeze(0), 2 * H, 3 * H) : null;
  let h = d.h0, c = d.c0;
  const ys: Tensor[] = new Array(T);
  for (let step = 0; step < T; step++) {
    const t = backwards ? T - 1 - step : step, xt = xw.slice(t);
    if (cell.kind === "GRU") {
      h = gruStep(cell, xt, h, d, rbh);
    } else {
      let g = xt.add(matmul(h, d.r.transpose()));
      if (d.rb) g = g.add(d.rb);
      if (cell.kind === "RNN") h = cell.relu ? g.relu() : g.tanh();
      else {
        const i = cols(g, 0, H).sigmoid(), o = cols(g, H, 2 * H).sigmoid(), f = cols(g, 2 * H, 3 * H).sigmoid();
        c = f.mul(c as Tensor).add(i.mul(cols(g, 3 * H, 4 * H).tanh()));
        h = o.mul(c.tanh());
      }
    }
    ys[t] = h;
  }
  return { y: stack(ys, 0), h, c };
}

/** z, r from the input and recurrent projections; h̃ with the reset applied after R (linear_before_reset) or before. */
function gruStep(cell: Cell, xt: Tensor, h: Tensor, d: Direction, rbh: Tensor | null): Tensor {
  const H = cell.hidden;
  let hr = matmul(h, cols(d.r.transpose(), 0, 2 * H));
  if (d.rb) hr = hr.add(cols(d.rb.unsqueeze(0), 0, 2 * H));
  const z = cols(xt, 0, H).add(cols(hr, 0, H)).sigmoid(), r = cols(xt, H, 2 * H).add(cols(hr, H, 2 * H)).sigmoid();
  const rh = cols(d.r.transpose(), 2 * H, 3 * H);
  let candidate: Tensor;
  if (cell.linearBeforeReset) {
    const recurrent = matmul(h, rh);
    candidate = cols(xt, 2 * H, 3 * H).add(r.mul(rbh ? recurrent.add(rbh) : recurrent)).tanh();
  } else {
    const recurrent = matmul(r.mul(h), rh);
    candidate = cols(xt, 2 * H, 3 * H).add(rbh ? recurrent.add(rbh) : recurrent).tanh();
  }
  return candidate.add(z.mul(h.sub(candidate)));
}

function checkShape(t: Tensor, want: number[], where: string, what: string): void {
  if (t.ndim !== want.length || t.shape.some((s, i) => s !== want[i])) throw new ShapeError(`${where}: ${what} has shape [${t.shape}], expected [${want}]`);
}

function recurrent(kind: Kind): OpSpec {
  return {
    inputs: [3, kind === "LSTM" ? 8 : 6], outputs: kind === "LSTM" ? 3 : 2,
    prepare: (c) => {
      const cell = readCell(c, kind);
      return (x) => {
        if (x[4]) throw new ValueError(`${c.where}: sequence_lens is not supported (every sequence runs the full length)`);
        if (kind === "LSTM" && x[7]) throw new ValueError(`${c.where}: peephole weights P are not supported`);
        const X = floatInput(at(x, 0), c.where, "X");
        if (X.ndim !== 3 || X.shape[0] < 1) throw new ShapeError(`${c.where}: X must be [seq_length ≥ 1, batch, input_size], got [${X.shape}]`);
        const [, N, I] = X.shape, H = cell.hidden, G = GATES[kind] * H, D = cell.directions;
        checkShape(at(x, 1), [D, G, I], c.where, "W");
        checkShape(at(x, 2), [D, G, H], c.where, "R");
        if (x[3]) checkShape(x[3], [D, 2 * G], c.where, "B");
        if (x[5]) checkShape(x[5], [D, N, H], c.where, "initial_h");
        if (x[6] && kind === "LSTM") checkShape(x[6], [D, N, H], c.where, "initial_c");
        const outs = Array.from({ length: D }, (_, d) => runDirection(cell, X, {
          w: at(x, 1).slice(d), r: at(x, 2).slice(d), wb: x[3] ? x[3].slice(d, [0, G]) : null, rb: x[3] ? x[3].slice(d, [G, 2 * G]) : null,
          h0: x[5] ? x[5].slice(d) : zeros([N, H], { dtype: X.dtype }),
          c0: kind === "LSTM" ? (x[6] ? x[6].slice(d) : zeros([N, H], { dtype: X.dtype })) : null,
        }, cell.reverse || d === 1));
        const result = [stack(outs.map((o) => o.y), 1), stack(outs.map((o) => o.h), 0)];
        if (kind === "LSTM") result.push(stack(outs.map((o) => o.c as Tensor), 0));
        return result;
      };
    },
  };
}

export const RECURRENT_OPS: Record<string, OpSpec> = { RNN: recurrent("RNN"), LSTM: recurrent("LSTM"), GRU: recurrent("GRU") };
