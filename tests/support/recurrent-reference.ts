// RNN, LSTM and GRU in float64, written from PyTorch's documented equations step by step (one
// unit at a time, no GEMM, no fused cells), for tests/nn/recurrent*.test.ts. No code shared with
// src/nn or src/backend.
export type Kind = "rnn_tanh" | "rnn_relu" | "lstm" | "gru";
export const gatesOf = (k: Kind) => (k === "lstm" ? 4 : k === "gru" ? 3 : 1);

export interface RefSpec { kind: Kind; layers: number; dirs: number; hidden: number; bias: boolean }
/** Parameters by PyTorch's state-dict name, row-major. */
export type RefParams = Record<string, ArrayLike<number>>;

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * x: [T][B][I] time first; h0, c0: [L·D][B][H]. Returns y [T][B][D·H], hN and cN [L·D][B][H], and
 * for rnn_relu the smallest |input| of any ReLU (how near the run came to ReLU's kink at 0, where
 * the gradient jumps; Infinity for the other kinds).
 */
export function refRecurrent(s: RefSpec, p: RefParams, x: number[][][], h0: number[][][], c0: number[][][] | null) {
  const T = x.length, B = x[0].length, H = s.hidden;
  const hN: number[][][] = [], cN: number[][][] = [];
  let nearestKink = Infinity;
  let input = x;
  for (let l = 0; l < s.layers; l++) {
    const out = Array.from({ length: T }, () => Array.from({ length: B }, () => new Array<number>(s.dirs * H).fill(0)));
    for (let d = 0; d < s.dirs; d++) {
      const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
      const wih = p[`weight_ih${sfx}`], whh = p[`weight_hh${sfx}`];
      const bih = s.bias ? p[`bias_ih${sfx}`] : null, bhh = s.bias ? p[`bias_hh${sfx}`] : null;
      const I = input[0][0].length;
      let h = h0[l * s.dirs + d].map((r) => r.slice()), c = c0 ? c0[l * s.dirs + d].map((r) => r.slice()) : null;
      for (let step = 0; step < T; step++) {
        const t = d === 1 ? T - 1 - step : step;
        const nh: number[][] = [], nc: number[][] = [];
        for (let b = 0; b < B; b++) {
          // Row r of W_ih·x + b_ih and of W_hh·h + b_hh.
          const wx = (r: number) => { let v = bih ? bih[r] : 0; for (let i = 0; i < I; i++) v += wih[r * I + i] * input[t][b][i]; return v; };
          const wh = (r: number) => { let v = bhh ? bhh[r] : 0; for (let i = 0; i < H; i++) v += whh[r * H + i] * h[b][i]; return v; };
          const hb: number[] = [], cb: number[] = [];
          for (let j = 0; j < H; j++) {
            if (s.kind === "lstm") {
              const ig = sig(wx(j) + wh(j)), fg = sig(wx(H + j) + wh(H + j));
              const gg = Math.tanh(wx(2 * H + j) + wh(2 * H + j)), og = sig(wx(3 * H + j) + wh(3 * H + j));
              cb.push(fg * c![b][j] + ig * gg);
              hb.push(og * Math.tanh(cb[j]));
            } else if (s.kind === "gru") {
              const r = sig(wx(j) + wh(j)), z = sig(wx(H + j) + wh(H + j));
              const n = Math.tanh(wx(2 * H + j) + r * wh(2 * H + j));
              hb.push((1 - z) * n + z * h[b][j]);
            } else {
              const v = wx(j) + wh(j);
              if (s.kind === "rnn_relu") nearestKink = Math.min(nearestKink, Math.abs(v));
              hb.push(s.kind === "rnn_tanh" ? Math.tanh(v) : Math.max(0, v));
            }
          }
          nh.push(hb); nc.push(cb);
          for (let j = 0; j < H; j++) out[t][b][d * H + j] = hb[j];
        }
        h = nh;
        if (c) c = nc;
      }
      hN.push(h);
      if (c) cN.push(c);
    }
    input = out;
  }
  return { y: input, hN, cN: c0 ? cN : null, nearestKink };
}
