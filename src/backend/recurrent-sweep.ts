// One recurrent layer-direction over a whole sequence, forward and backward through time, written
// once over a RecurrentMachine: one flat buffer (the wasm arena's, or a JS typed array) and the
// GEMM and cell kernels on element offsets into it. The structure is the speed: the input
// projection of every step is one GEMM; each step is one GEMM (h₋·W_hhᵀ + b_hh) and one fused
// cell kernel; the backward is one cell kernel and one GEMM a step, then three GEMMs for dx, dW_ih
// and dW_hh and two for the bias sums (a row of ones times the gate gradients).
//
// Layout of the hidden states: hs holds T + 1 rows of [batch, H]; the forward direction keeps h0
// in row 0 and the output of time t in row t + 1, the reverse direction the output of time t in
// row t and h0 in row T. Either way the state a step reads is the row next to the one it writes,
// the outputs are T consecutive rows, and the states read by the steps, in time order, are T
// consecutive rows too (so dW_hh is one GEMM). The LSTM's cells cs follow the same layout.
import type { RecurrentMachine } from "./recurrent-kernels.js";

export type CellKind = "lstm" | "gru" | "rnn_tanh" | "rnn_relu";

/** Gates per unit: the row count of W_ih and W_hh is gates·hidden. */
export const GATE_COUNT: Record<CellKind, number> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };

export interface RecurrentShape {
  kind: CellKind;
  steps: number;
  batch: number;
  inputSize: number;
  hidden: number;
  reverse: boolean;
}

type Floats = Float32Array | Float64Array;

export interface RecurrentWeights {
  wIh: Floats;
  wHh: Floats;
  bIh: Floats | null;
  bHh: Floats | null;
}

/** What the forward returns and the backward needs: hs and cs as laid out above, the saved gates. */
export interface RecurrentSaved {
  hs: Floats;
  cs: Floats | null;
  gates: Floats | null;
}

export interface RecurrentGrads {
  dx: Floats | null;
  dh0: Floats;
  dc0: Floats | null;
  dwIh: Floats;
  dwHh: Floats;
  dbIh: Floats;
  dbHh: Floats;
}

/** Offsets of named blocks in one buffer, in the order given. */
function layout<K extends string>(sizes: Record<K, number>): { at: Record<K, number>; total: number } {
  const at = {} as Record<K, number>;
  let total = 0;
  for (const k of Object.keys(sizes) as K[]) {
    at[k] = total;
    total += sizes[k];
  }
  return { at, total: Math.max(total, 1) };
}

/** Gate floats saved per batch row and time step: LSTM i, f, g, o; GRU r, z, n, hn; none for RNN. */
const savedGates = (s: RecurrentShape) => (s.kind === "lstm" || s.kind === "gru" ? 4 * s.hidden : 0);

export type MachineRunner = <R>(size: number, gemms: readonly (readonly [number, number, number])[],
                                fn: (m: RecurrentMachine) => R) => R;

/** The forward over all T steps: x [T, batch, inputSize] (time order), h0 and c0 [batch, H]. */
export function recurrentForward(run: MachineRunner, s: RecurrentShape, x: Floats, w: RecurrentWeights,
                                 h0: Floats, c0: Floats | null): RecurrentSaved {
  const { steps: T, batch: B, inputSize: I, hidden: H, kind, reverse } = s;
  const GH = GATE_COUNT[kind] * H, BH = B * H, lstm = kind === "lstm";
  const { at, total } = layout({
    x: T * B * I, wIh: GH * I, wHh: GH * H, bIh: w.bIh ? GH : 0, bHh: w.bHh ? GH : 0,
    hs: (T + 1) * BH, cs: lstm ? (T + 1) * BH : 0, xp: T * B * GH, hp: B * GH, gates: T * B * savedGates(s),
  });
  return run(total, [[T * B, GH, I], [B, GH, H]], (m) => {
    const d = m.buf;
    d.set(x, at.x); d.set(w.wIh, at.wIh); d.set(w.wHh, at.wHh);
    if (w.bIh) d.set(w.bIh, at.bIh);
    if (w.bHh) d.set(w.bHh, at.bHh);
    const stateRow = reverse ? T : 0;
    d.set(h0, at.hs + stateRow * BH);
    if (lstm) d.set(c0!, at.cs + stateRow * BH);
    m.gemm(T * B, GH, I, at.x, I, 1, at.wIh, 1, I, at.xp, w.bIh ? at.bIh : -1, false);
    for (let step = 0; step < T; step++) {
      const t = reverse ? T - 1 - step : step;
      const prev = (reverse ? t + 1 : t) * BH, out = (reverse ? t : t + 1) * BH, xp = at.xp + t * B * GH;
      m.gemm(B, GH, H, at.hs + prev, H, 1, at.wHh, 1, H, at.hp, w.bHh ? at.bHh : -1, false);
      const gates = at.gates + t * B * savedGates(s);
      if (lstm) m.lstmForward(B, H, xp, at.hp, at.cs + prev, gates, at.hs + out, at.cs + out);
      else if (kind === "gru") m.gruForward(B, H, xp, at.hp, at.hs + prev, gates, at.hs + out);
      else m.rnnForward(BH, xp, at.hp, at.hs + out, kind === "rnn_relu");
    }
    const copy = (o: number, n: number) => d.slice(o, o + n);
    return {
      hs: copy(at.hs, (T + 1) * BH), cs: lstm ? copy(at.cs, (T + 1) * BH) : null,
      gates: savedGates(s) ? copy(at.gates, T * B * savedGates(s)) : null,
    };
  });
}

/**
 * Backward through time: dy [T, batch, H] is the gradient of the outputs (time order; hN is one of
 * them, so its gradient is already in dy), dcN that of the last cell state (LSTM). wantX: compute dx.
 */
export function recurrentBackward(run: MachineRunner, s: RecurrentShape, x: Floats, w: RecurrentWeights,
                                  saved: RecurrentSaved, dy: Floats, dcN: Floats | null, wantX: boolean): RecurrentGrads {
  const { steps: T, batch: B, inputSize: I, hidden: H, kind, reverse } = s;
  const GH = GATE_COUNT[kind] * H, BH = B * H, lstm = kind === "lstm", gru = kind === "gru", G = savedGates(s);
  const { at, total } = layout({
    x: T * B * I, wIh: GH * I, wHh: GH * H, hs: (T + 1) * BH, cs: lstm ? (T + 1) * BH : 0, gates: T * B * G,
    dy: T * BH, dxp: T * B * GH, dhp: gru ? T * B * GH : 0, dhRec: BH, dc: lstm ? BH : 0, one: 1,
    dx: wantX ? T * B * I : 0, dwIh: GH * I, dwHh: GH * H, dbIh: GH, dbHh: GH,
  });
  const TB = T * B;
  return run(total, [[B, H, GH], [TB, I, GH], [GH, I, TB], [GH, H, TB], [1, GH, TB]], (m) => {
    const d = m.buf;
    d.set(x, at.x); d.set(w.wIh, at.wIh); d.set(w.wHh, at.wHh); d.set(saved.hs, at.hs);
    if (lstm) { d.set(saved.cs!, at.cs); d.set(dcN!, at.dc); }
    if (G) d.set(saved.gates!, at.gates);
    d.set(dy, at.dy);
    d.fill(0, at.dhRec, at.dhRec + BH);
    d[at.one] = 1;
    const dhp = gru ? at.dhp : at.dxp;
    for (let step = T - 1; step >= 0; step--) {
      const t = reverse ? T - 1 - step : step;
      const prev = (reverse ? t + 1 : t) * BH, out = (reverse ? t : t + 1) * BH;
      const dxp = at.dxp + t * B * GH, dyt = at.dy + t * BH, gates = at.gates + t * B * G;
      if (lstm) m.lstmBackward(B, H, gates, at.cs + prev, at.cs + out, dyt, at.dhRec, at.dc, dxp);
      else if (gru) m.gruBackward(B, H, gates, at.hs + prev, dyt, at.dhRec, dxp, at.dhp + t * B * GH);
      else m.rnnBackward(BH, at.hs + out, dyt, at.dhRec, dxp, kind === "rnn_relu");
      m.gemm(B, H, GH, dhp + t * B * GH, GH, 1, at.wHh, H, 1, at.dhRec, -1, gru);
    }
    if (wantX) m.gemm(TB, I, GH, at.dxp, GH, 1, at.wIh, I, 1, at.dx, -1, false);
    m.gemm(GH, I, TB, at.dxp, 1, GH, at.x, I, 1, at.dwIh, -1, false);
    m.gemm(GH, H, TB, dhp, 1, GH, at.hs + (reverse ? BH : 0), H, 1, at.dwHh, -1, false);
    m.gemm(1, GH, TB, at.one, 0, 0, at.dxp, GH, 1, at.dbIh, -1, false);
    m.gemm(1, GH, TB, at.one, 0, 0, dhp, GH, 1, at.dbHh, -1, false);
    const copy = (o: number, n: number) => d.slice(o, o + n);
    return {
      dx: wantX ? copy(at.dx, TB * I) : null, dh0: copy(at.dhRec, BH), dc0: lstm ? copy(at.dc, BH) : null,
      dwIh: copy(at.dwIh, GH * I), dwHh: copy(at.dwHh, GH * H), dbIh: copy(at.dbIh, GH), dbHh: copy(at.dbHh, GH),
    };
  });
}
