// The JS reference of the recurrent cells (assembly/f32-lstm-cell.ts, f32-gru-cell.ts,
// f32-rnn-cell.ts): the same pointwise steps on element offsets into one flat buffer, computed in
// float64 and rounded once on store. It is the js backend's kernel, the float64 path (gradient
// checks see exact arithmetic) and what the wasm kernels are tested against.
type Floats = Float32Array | Float64Array;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** One LSTM step (gates i, f, g, o): see f32_lstm_cell_forward. */
export function lstmCellForwardJs(d: Floats, batch: number, hidden: number, xp: number, hp: number, cPrev: number,
                                  gates: number, h: number, c: number): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const x4 = xp + 4 * H * b, h4 = hp + 4 * H * b, g4 = gates + 4 * H * b, r = b * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(d[x4 + j] + d[h4 + j]), f = sigmoid(d[x4 + H + j] + d[h4 + H + j]);
      const g = Math.tanh(d[x4 + 2 * H + j] + d[h4 + 2 * H + j]), o = sigmoid(d[x4 + 3 * H + j] + d[h4 + 3 * H + j]);
      d[g4 + j] = i; d[g4 + H + j] = f; d[g4 + 2 * H + j] = g; d[g4 + 3 * H + j] = o;
      const cv = f * d[cPrev + r + j] + i * g;
      d[c + r + j] = cv;
      d[h + r + j] = o * Math.tanh(d[c + r + j]);
    }
  }
}

/** The LSTM step's backward: see f32_lstm_cell_backward. */
export function lstmCellBackwardJs(d: Floats, batch: number, hidden: number, gates: number, cPrev: number, c: number,
                                   dy: number, dhRec: number, dc: number, dGates: number): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const g4 = gates + 4 * H * b, d4 = dGates + 4 * H * b, r = b * H;
    for (let j = 0; j < H; j++) {
      const i = d[g4 + j], f = d[g4 + H + j], g = d[g4 + 2 * H + j], o = d[g4 + 3 * H + j];
      const dh = d[dy + r + j] + d[dhRec + r + j];
      const tc = Math.tanh(d[c + r + j]);
      const dcv = d[dc + r + j] + dh * o * (1 - tc * tc);
      d[d4 + j] = dcv * g * i * (1 - i);
      d[d4 + H + j] = dcv * d[cPrev + r + j] * f * (1 - f);
      d[d4 + 2 * H + j] = dcv * i * (1 - g * g);
      d[d4 + 3 * H + j] = dh * tc * o * (1 - o);
      d[dc + r + j] = dcv * f;
    }
  }
}

/** One GRU step (gates r, z, n; saves r, z, n, hn): see f32_gru_cell_forward. */
export function gruCellForwardJs(d: Floats, batch: number, hidden: number, xp: number, hp: number, hPrev: number,
                                 gates: number, h: number): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const x3 = xp + 3 * H * b, h3 = hp + 3 * H * b, g4 = gates + 4 * H * b, r0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(d[x3 + j] + d[h3 + j]), z = sigmoid(d[x3 + H + j] + d[h3 + H + j]);
      const hn = d[h3 + 2 * H + j];
      const n = Math.tanh(d[x3 + 2 * H + j] + r * hn);
      d[g4 + j] = r; d[g4 + H + j] = z; d[g4 + 2 * H + j] = n; d[g4 + 3 * H + j] = hn;
      d[h + r0 + j] = (1 - z) * n + z * d[hPrev + r0 + j];
    }
  }
}

/** The GRU step's backward: see f32_gru_cell_backward (dhRec becomes dh·z). */
export function gruCellBackwardJs(d: Floats, batch: number, hidden: number, gates: number, hPrev: number, dy: number,
                                  dhRec: number, dxp: number, dhp: number): void {
  const H = hidden;
  for (let b = 0; b < batch; b++) {
    const g4 = gates + 4 * H * b, x3 = dxp + 3 * H * b, h3 = dhp + 3 * H * b, r0 = b * H;
    for (let j = 0; j < H; j++) {
      const r = d[g4 + j], z = d[g4 + H + j], n = d[g4 + 2 * H + j], hn = d[g4 + 3 * H + j];
      const dh = d[dy + r0 + j] + d[dhRec + r0 + j];
      const dn = dh * (1 - z) * (1 - n * n);
      const dz = dh * (d[hPrev + r0 + j] - n) * z * (1 - z);
      const dr = dn * hn * r * (1 - r);
      d[x3 + j] = dr; d[x3 + H + j] = dz; d[x3 + 2 * H + j] = dn;
      d[h3 + j] = dr; d[h3 + H + j] = dz; d[h3 + 2 * H + j] = dn * r;
      d[dhRec + r0 + j] = dh * z;
    }
  }
}

/** h = tanh or relu of xp + hp over n elements: see f32_rnn_cell_forward. */
export function rnnCellForwardJs(d: Floats, n: number, xp: number, hp: number, h: number, relu: boolean): void {
  for (let i = 0; i < n; i++) {
    const s = d[xp + i] + d[hp + i];
    d[h + i] = relu ? (s < 0 ? 0 : s) : Math.tanh(s);
  }
}

/** dpre = (dy + dhRec)·act′(h): see f32_rnn_cell_backward. */
export function rnnCellBackwardJs(d: Floats, n: number, h: number, dy: number, dhRec: number, dpre: number, relu: boolean): void {
  for (let i = 0; i < n; i++) {
    const hv = d[h + i], dh = d[dy + i] + d[dhRec + i];
    d[dpre + i] = relu ? (hv > 0 ? dh : 0) : dh * (1 - hv * hv);
  }
}
