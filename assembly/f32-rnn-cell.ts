// The pointwise half of one Elman RNN step: h = act(xp + hp), act tanh or relu (flags), over n
// contiguous floats (batch·hidden); the backward is dpre = (dy + dhRec)·act′, from h alone.
import { load1, store1, tanh4 } from "./f32-gate-math";
import { RNN_RELU } from "./flags";

// @ts-ignore: decorator
@inline function ld(p: usize, wide: bool): v128 {
  return wide ? v128.load(p) : load1(p);
}
// @ts-ignore: decorator
@inline function st(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v); else store1(p, v);
}

// @ts-ignore: decorator
@inline function tanhAt(xp: usize, hp: usize, h: usize, wide: bool): void {
  st(h, tanh4(f32x4.add(ld(xp, wide), ld(hp, wide))), wide);
}

/** h[i] = act(xp[i] + hp[i]) for i < n; flags RNN_RELU for relu, else tanh. */
export function f32_rnn_cell_forward(n: i32, xp: usize, hp: usize, h: usize, flags: i32): void {
  const relu = (flags & RNN_RELU) != 0, N = <usize>n;
  let i: usize = 0;
  if (relu) {
    for (; i + 4 <= N; i += 4) {
      // Zero where s < 0 (not max(s, 0)), so that NaN propagates as in the reference.
      const s = f32x4.add(v128.load(xp + (i << 2)), v128.load(hp + (i << 2)));
      v128.store(h + (i << 2), v128.andnot(s, f32x4.lt(s, f32x4.splat(0))));
    }
    for (; i < N; i++) {
      const s = load<f32>(xp + (i << 2)) + load<f32>(hp + (i << 2));
      store<f32>(h + (i << 2), s < 0 ? 0 : s);
    }
    return;
  }
  for (; i + 4 <= N; i += 4) tanhAt(xp + (i << 2), hp + (i << 2), h + (i << 2), true);
  for (; i < N; i++) tanhAt(xp + (i << 2), hp + (i << 2), h + (i << 2), false);
}

/** dpre[i] = (dy[i] + dhRec[i])·act′ at h[i]: 1 − h² for tanh, [h > 0] for relu. */
export function f32_rnn_cell_backward(n: i32, h: usize, dy: usize, dhRec: usize, dpre: usize, flags: i32): void {
  const relu = (flags & RNN_RELU) != 0, N = <usize>n, one = f32x4.splat(1);
  let i: usize = 0;
  for (; i + 4 <= N; i += 4) {
    const o = i << 2, hv = v128.load(h + o);
    const dh = f32x4.add(v128.load(dy + o), v128.load(dhRec + o));
    const d = relu ? v128.and(dh, f32x4.gt(hv, f32x4.splat(0))) : f32x4.mul(dh, f32x4.sub(one, f32x4.mul(hv, hv)));
    v128.store(dpre + o, d);
  }
  for (; i < N; i++) {
    const o = i << 2, hv = load<f32>(h + o), dh = load<f32>(dy + o) + load<f32>(dhRec + o);
    store<f32>(dpre + o, relu ? (hv > 0 ? dh : 0) : dh * (1 - hv * hv));
  }
}
