// The pointwise half of one GRU step, fused (gate order r, z, n as PyTorch): hp = h₋·W_hhᵀ + b_hh
// comes from the step's GEMM, xp = x·W_ihᵀ + b_ih from the all-steps GEMM; rows are the batch.
//   r = σ(xr + hr)   z = σ(xz + hz)   n = tanh(xn + r·hn)   h = (1 − z)·n + z·h₋
// gates saves r, z, n and hn (4H a row): hn is needed by the backward (∂n/∂r) and is not
// recoverable from n alone.
import { load1, sigmoid4, store1, tanh4 } from "./f32-gate-math";

// @ts-ignore: decorator
@inline function ld(p: usize, wide: bool): v128 {
  return wide ? v128.load(p) : load1(p);
}
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v); else store1(p, v);
}

// @ts-ignore: decorator
@inline function forwardAt(xp: usize, hp: usize, hPrev: usize, gates: usize, h: usize,
                           gh: usize, o4: usize, wide: bool): void {
  const r = sigmoid4(f32x4.add(ld(xp + o4, wide), ld(hp + o4, wide)));
  const z = sigmoid4(f32x4.add(ld(xp + gh + o4, wide), ld(hp + gh + o4, wide)));
  const hn = ld(hp + 2 * gh + o4, wide);
  const n = tanh4(f32x4.add(ld(xp + 2 * gh + o4, wide), f32x4.mul(r, hn)));
  const hp0 = ld(hPrev + o4, wide);
  st(gates + o4, r, wide);
  st(gates + gh + o4, z, wide);
  st(gates + 2 * gh + o4, n, wide);
  st(gates + 3 * gh + o4, hn, wide);
  // (1 − z)·n + z·h₋ written as n + z·(h₋ − n): one multiply fewer, same value within rounding.
  st(h + o4, f32x4.add(n, f32x4.mul(z, f32x4.sub(hp0, n))), wide);
}

/** One step for `batch` rows: gates [batch, 4H] and h [batch, H] from xp, hp [batch, 3H], hPrev [batch, H]. */
export function f32_gru_cell_forward(batch: i32, hidden: i32, xp: usize, hp: usize, hPrev: usize,
                                     gates: usize, h: usize): void {
  const H = <usize>hidden, gh = H << 2;
  for (let b: usize = 0; b < <usize>batch; b++) {
    const x3 = xp + b * 3 * gh, h3 = hp + b * 3 * gh, g4 = gates + b * 4 * gh, r = b * gh;
    let j: usize = 0;
    for (; j + 4 <= H; j += 4) forwardAt(x3, h3, hPrev + r, g4, h + r, gh, j << 2, true);
    for (; j < H; j++) forwardAt(x3, h3, hPrev + r, g4, h + r, gh, j << 2, false);
  }
}

// @ts-ignore: decorator
@inline function backwardAt(gates: usize, hPrev: usize, dy: usize, dhRec: usize, dxp: usize, dhp: usize,
                            gh: usize, o4: usize, wide: bool): void {
  const one = f32x4.splat(1);
  const r = ld(gates + o4, wide), z = ld(gates + gh + o4, wide);
  const n = ld(gates + 2 * gh + o4, wide), hn = ld(gates + 3 * gh + o4, wide);
  const dh = f32x4.add(ld(dy + o4, wide), ld(dhRec + o4, wide));
  const dn = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
  const dz = f32x4.mul(f32x4.mul(dh, f32x4.sub(ld(hPrev + o4, wide), n)), f32x4.mul(z, f32x4.sub(one, z)));
  const dr = f32x4.mul(f32x4.mul(dn, hn), f32x4.mul(r, f32x4.sub(one, r)));
  st(dxp + o4, dr, wide);
  st(dxp + gh + o4, dz, wide);
  st(dxp + 2 * gh + o4, dn, wide);
  st(dhp + o4, dr, wide);
  st(dhp + gh + o4, dz, wide);
  st(dhp + 2 * gh + o4, f32x4.mul(dn, r), wide);
  st(dhRec + o4, f32x4.mul(dh, z), wide);
}

/**
 * The backward of one step: dxp and dhp ([batch, 3H]: the gradients of xp and hp, equal but for
 * the n block, which hp reaches through r) from the saved gates and hPrev, the output gradient dy
 * and dhRec; dhRec is overwritten with the direct part of h₋'s gradient, dh·z (the caller then
 * adds dhp·W_hh to it).
 */
export function f32_gru_cell_backward(batch: i32, hidden: i32, gates: usize, hPrev: usize, dy: usize,
                                      dhRec: usize, dxp: usize, dhp: usize): void {
  const H = <usize>hidden, gh = H << 2;
  for (let b: usize = 0; b < <usize>batch; b++) {
    const g4 = gates + b * 4 * gh, x3 = dxp + b * 3 * gh, h3 = dhp + b * 3 * gh, r = b * gh;
    let j: usize = 0;
    for (; j + 4 <= H; j += 4) backwardAt(g4, hPrev + r, dy + r, dhRec + r, x3, h3, gh, j << 2, true);
    for (; j < H; j++) backwardAt(g4, hPrev + r, dy + r, dhRec + r, x3, h3, gh, j << 2, false);
  }
}
