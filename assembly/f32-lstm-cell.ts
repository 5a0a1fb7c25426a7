// The pointwise half of one LSTM step, fused: after the step's GEMM (hp = h·W_hhᵀ + b_hh) one
// pass reads the input projection xp (x·W_ihᵀ + b_ih, computed for every step at once) and hp,
// applies the gates (PyTorch's order i, f, g, o) and writes c and h; the backward is one pass
// too. Rows are the batch: xp, hp, gates and dgates hold 4H floats a row, h and c hold H.
//   i = σ(xi + hi)   f = σ(xf + hf)   g = tanh(xg + hg)   o = σ(xo + ho)
//   c = f·c₋ + i·g   h = o·tanh(c)
import { loadN, sigmoid4, storeN, tanh4 } from "./f32-gate-math";

// @ts-ignore: decorator
@inline function ld(p: usize, lanes: usize): v128 {
  return loadN(p, lanes);
}
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, lanes: usize): void {
  storeN(p, v, lanes);
}

// One to four columns of one row; gh = H·4 bytes (one gate's block), o4: the column's byte offset.
// @ts-ignore: decorator
@inline function forwardAt(xp: usize, hp: usize, cPrev: usize, gates: usize, h: usize, c: usize,
                           gh: usize, o4: usize, lanes: usize): void {
  const i = sigmoid4(f32x4.add(ld(xp + o4, lanes), ld(hp + o4, lanes)));
  const f = sigmoid4(f32x4.add(ld(xp + gh + o4, lanes), ld(hp + gh + o4, lanes)));
  const g = tanh4(f32x4.add(ld(xp + 2 * gh + o4, lanes), ld(hp + 2 * gh + o4, lanes)));
  const o = sigmoid4(f32x4.add(ld(xp + 3 * gh + o4, lanes), ld(hp + 3 * gh + o4, lanes)));
  const cv = f32x4.add(f32x4.mul(f, ld(cPrev + o4, lanes)), f32x4.mul(i, g));
  st(gates + o4, i, lanes);
  st(gates + gh + o4, f, lanes);
  st(gates + 2 * gh + o4, g, lanes);
  st(gates + 3 * gh + o4, o, lanes);
  st(c + o4, cv, lanes);
  st(h + o4, f32x4.mul(o, tanh4(cv)), lanes);
}

/**
 * One step for `batch` rows of `hidden` units: gates (σ/tanh applied, [batch, 4H]), c and h
 * ([batch, H]) from xp, hp ([batch, 4H]) and cPrev ([batch, H]). Byte pointers, contiguous rows.
 */
export function f32_lstm_cell_forward(batch: i32, hidden: i32, xp: usize, hp: usize, cPrev: usize,
                                      gates: usize, h: usize, c: usize): void {
  const H = <usize>hidden, gh = H << 2;
  for (let b: usize = 0; b < <usize>batch; b++) {
    const x4 = xp + b * 4 * gh, h4 = hp + b * 4 * gh, g4 = gates + b * 4 * gh;
    const cp = cPrev + b * gh, hr = h + b * gh, cr = c + b * gh;
    for (let j: usize = 0; j < H; j += 4) forwardAt(x4, h4, cp, g4, hr, cr, gh, j << 2, min<usize>(4, H - j));
  }
}

// @ts-ignore: decorator
@inline function backwardAt(gates: usize, cPrev: usize, c: usize, dy: usize, dhRec: usize, dc: usize,
                            dGates: usize, gh: usize, o4: usize, lanes: usize): void {
  const one = f32x4.splat(1);
  const i = ld(gates + o4, lanes), f = ld(gates + gh + o4, lanes);
  const g = ld(gates + 2 * gh + o4, lanes), o = ld(gates + 3 * gh + o4, lanes);
  const dh = f32x4.add(ld(dy + o4, lanes), ld(dhRec + o4, lanes));
  const tc = tanh4(ld(c + o4, lanes));
  const dcv = f32x4.add(ld(dc + o4, lanes), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  st(dGates + o4, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))), lanes);
  st(dGates + gh + o4, f32x4.mul(f32x4.mul(dcv, ld(cPrev + o4, lanes)), f32x4.mul(f, f32x4.sub(one, f))), lanes);
  st(dGates + 2 * gh + o4, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))), lanes);
  st(dGates + 3 * gh + o4, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o))), lanes);
  st(dc + o4, f32x4.mul(dcv, f), lanes);
}

/**
 * The backward of one step: dGates ([batch, 4H], the gradient of the pre-activations xp + hp)
 * from the saved gates, cPrev and c, the gradient dy of this step's output plus dhRec (what the
 * next step sends back through W_hh), and dc (in: the gradient of c from the next step; out:
 * that of cPrev).
 */
export function f32_lstm_cell_backward(batch: i32, hidden: i32, gates: usize, cPrev: usize, c: usize,
                                       dy: usize, dhRec: usize, dc: usize, dGates: usize): void {
  const H = <usize>hidden, gh = H << 2;
  for (let b: usize = 0; b < <usize>batch; b++) {
    const g4 = gates + b * 4 * gh, d4 = dGates + b * 4 * gh, r = b * gh;
    for (let j: usize = 0; j < H; j += 4) backwardAt(g4, cPrev + r, c + r, dy + r, dhRec + r, dc + r, d4, gh, j << 2, min<usize>(4, H - j));
  }
}
