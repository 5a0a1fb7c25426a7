// The pointwise half of one LSTM step, fused: after the step's GEMM (hp = h·W_hhᵀ + b_hh) one
// pass reads the input projection xp (x·W_ihᵀ + b_ih, computed for every step at once) and hp,
// applies the gates (PyTorch's order i, f, g, o) and writes c and h; the backward is one pass
// too. Rows are the batch: xp, hp, gates and dgates hold 4H floats a row, h and c hold H.
//   i = σ(xi + hi)   f = σ(xf + hf)   g = tanh(xg + hg)   o = σ(xo + ho)
//   c = f·c₋ + i·g   h = o·tanh(c)
import { load1, sigmoid4, store1, tanh4 } from "./f32-gate-math";

// @ts-ignore: decorator
@inline function ld(p: usize, wide: bool): v128 {
  return wide ? v128.load(p) : load1(p);
}
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v); else store1(p, v);
}

// One to four columns of one row; gh = H·4 bytes (one gate's block), o4: the column's byte offset.
// @ts-ignore: decorator
@inline function forwardAt(xp: usize, hp: usize, cPrev: usize, gates: usize, h: usize, c: usize,
                           gh: usize, o4: usize, wide: bool): void {
  const i = sigmoid4(f32x4.add(ld(xp + o4, wide), ld(hp + o4, wide)));
  const f = sigmoid4(f32x4.add(ld(xp + gh + o4, wide), ld(hp + gh + o4, wide)));
  const g = tanh4(f32x4.add(ld(xp + 2 * gh + o4, wide), ld(hp + 2 * gh + o4, wide)));
  const o = sigmoid4(f32x4.add(ld(xp + 3 * gh + o4, wide), ld(hp + 3 * gh + o4, wide)));
  const cv = f32x4.add(f32x4.mul(f, ld(cPrev + o4, wide)), f32x4.mul(i, g));
  st(gates + o4, i, wide);
  st(gates + gh + o4, f, wide);
  st(gates + 2 * gh + o4, g, wide);
  st(gates + 3 * gh + o4, o, wide);
  st(c + o4, cv, wide);
  st(h + o4, f32x4.mul(o, tanh4(cv)), wide);
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
    let j: usize = 0;
    for (; j + 4 <= H; j += 4) forwardAt(x4, h4, cp, g4, hr, cr, gh, j << 2, true);
    for (; j < H; j++) forwardAt(x4, h4, cp, g4, hr, cr, gh, j << 2, false);
  }
}

// @ts-ignore: decorator
@inline function backwardAt(gates: usize, cPrev: usize, c: usize, dy: usize, dhRec: usize, dc: usize,
                            dGates: usize, gh: usize, o4: usize, wide: bool): void {
  const one = f32x4.splat(1);
  const i = ld(gates + o4, wide), f = ld(gates + gh + o4, wide);
  const g = ld(gates + 2 * gh + o4, wide), o = ld(gates + 3 * gh + o4, wide);
  const dh = f32x4.add(ld(dy + o4, wide), ld(dhRec + o4, wide));
  const tc = tanh4(ld(c + o4, wide));
  const dcv = f32x4.add(ld(dc + o4, wide), f32x4.mul(f32x4.mul(dh, o), f32x4.sub(one, f32x4.mul(tc, tc))));
  st(dGates + o4, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))), wide);
  st(dGates + gh + o4, f32x4.mul(f32x4.mul(dcv, ld(cPrev + o4, wide)), f32x4.mul(f, f32x4.sub(one, f))), wide);
  st(dGates + 2 * gh + o4, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))), wide);
  st(dGates + 3 * gh + o4, f32x4.mul(f32x4.mul(dh, tc), f32x4.mul(o, f32x4.sub(one, o))), wide);
  st(dc + o4, f32x4.mul(dcv, f), wide);
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
    let j: usize = 0;
    for (; j + 4 <= H; j += 4) backwardAt(g4, cPrev + r, c + r, dy + r, dhRec + r, dc + r, d4, gh, j << 2, true);
    for (; j < H; j++) backwardAt(g4, cPrev + r, c + r, dy + r, dhRec + r, dc + r, d4, gh, j << 2, false);
  }
}
