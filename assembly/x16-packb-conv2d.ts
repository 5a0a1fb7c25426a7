// Packs image patches straight into the int8 GEMM's B panels (the implicit GEMM of a
// convolution: no im2col matrix is ever formed). The image arrives already widened to i16 with
// its zero point off and its padding materialized as zeros (qs8_conv2d does that once per
// image), so this step only moves 16-bit values — hence x16 — and needs no bounds checks.
//
// Column j of B is output pixel q = p0 + j (row-major over outH × outW); row k of B is the
// kernel tap k = (ci, kh, kw) of the channel group, whose element offset into the padded image
// is koff[k]. Pixel q = (oh, ow) adds oh·strideH·Wp + ow·strideW. The panel layout is the one
// qs8_packw_gemm writes: per panel of 8 pixels, ceil(K/2) k-pairs × 8 columns × 2 i16.
import { QS8_NR } from "./qs8-gemm-4x8c2-wasmsimd-dot16x2";

/**
 * Writes `panels` panels for pixels p0, p0 + 8, … (lanes past the image's `pixels` hold junk
 * that only reaches output columns the micro-kernel does not store). xpad: the padded image of
 * the channel group (element 0 = channel 0, padded row 0, column 0), with at least 16 readable
 * elements before and after it. k-rows past K are zero.
 */
export function x16_packb_conv2d(
  panels: i32, p0: i32, pixels: i32, outW: i32, strideH: i32, strideW: i32, wp: i32,
  xpad: usize, koff: usize, k: i32, out: usize,
): void {
  const panelBytes = <usize>((k + 1) >> 1) << 5;
  const rowStep = strideH * wp;
  for (let t = 0; t < panels; t++) {
    const q0 = p0 + t * QS8_NR;
    const oh0 = q0 / outW, ow0 = q0 - oh0 * outW;
    // Lanes [0, s) lie in output row oh0; lanes [s, 8) in row oh0 + 1 if they fit in it.
    const s = min(QS8_NR, outW - ow0);
    if ((strideW == 1 || strideW == 2) && QS8_NR - s <= outW) {
      const base0 = oh0 * rowStep + ow0 * strideW;
      // Lane l of the second row reads base1 + l·strideW. With no real pixel there (a full first
      // row, or the image's last row) the lanes continue the first row instead: a row past the
      // last one can lie beyond the padded image by more than its slack when strideH > 1.
      const base1 = s < QS8_NR && q0 + s < pixels ? (oh0 + 1) * rowStep - s * strideW : base0;
      packPanelRows(xpad, koff, k, base0, base1, s, strideW, out);
    } else {
      packPanelGather(xpad, koff, k, q0, pixels, outW, rowStep, strideW, out);
    }
    out += panelBytes;
  }
}

// 8 consecutive output pixels of one tap, from `base` (elements) in the padded image: one load
// for stride 1, two and a shuffle of the even lanes for stride 2.
// @ts-ignore: decorator
@inline function lanes(xpad: usize, off: i32, stride2: bool): v128 {
  const p = xpad + (<usize>off << 1);
  if (!stride2) return v128.load(p);
  return i16x8.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6, 8, 10, 12, 14);
}

/** A panel whose pixels span at most two output rows, strideW 1 or 2: vector loads and a blend. */
function packPanelRows(xpad: usize, koff: usize, k: i32, base0: i32, base1: i32, s: i32,
                       strideW: i32, out: usize): void {
  const stride2 = strideW == 2;
  // Lanes below s take the first row.
  const first = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>s));
  const zero = i16x8.splat(0);
  let p = 0;
  for (; p + 2 <= k; p += 2) {
    const o0 = load<i32>(koff + (<usize>p << 2)), o1 = load<i32>(koff + (<usize>p << 2), 4);
    const r0 = v128.bitselect(lanes(xpad, o0 + base0, stride2), lanes(xpad, o0 + base1, stride2), first);
    const r1 = v128.bitselect(lanes(xpad, o1 + base0, stride2), lanes(xpad, o1 + base1, stride2), first);
    v128.store(out, i16x8.shuffle(r0, r1, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(out, i16x8.shuffle(r0, r1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    out += 32;
  }
  if (p < k) {
    // Odd K: the last pair's second tap is padding, exactly zero.
    const o0 = load<i32>(koff + (<usize>p << 2));
    const r0 = v128.bitselect(lanes(xpad, o0 + base0, stride2), lanes(xpad, o0 + base1, stride2), first);
    v128.store(out, i16x8.shuffle(r0, zero, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(out, i16x8.shuffle(r0, zero, 4, 12, 5, 13, 6, 14, 7, 15), 16);
  }
}

/** Any panel, element by element: other strides, and outputs narrower than a panel. */
function packPanelGather(xpad: usize, koff: usize, k: i32, q0: i32, pixels: i32, outW: i32,
                         rowStep: i32, strideW: i32, out: usize): void {
  // Pixel offsets of the 8 lanes; lanes past the image read element 0 (junk, never stored).
  let o0 = 0, o1 = 0, o2 = 0, o3 = 0, o4 = 0, o5 = 0, o6 = 0, o7 = 0;
  for (let l = 0; l < QS8_NR; l++) {
    const q = q0 + l;
    const oh = q / outW;
    const off = q < pixels ? oh * rowStep + (q - oh * outW) * strideW : 0;
    if (l == 0) o0 = off; else if (l == 1) o1 = off; else if (l == 2) o2 = off; else if (l == 3) o3 = off;
    else if (l == 4) o4 = off; else if (l == 5) o5 = off; else if (l == 6) o6 = off; else o7 = off;
  }
  const pairs = (k + 1) >> 1;
  for (let pr = 0; pr < pairs; pr++) {
    for (let t = 0; t < 2; t++) {
      const p = 2 * pr + t;
      const dst = out + (<usize>t << 1);
      if (p >= k) {
        for (let l = 0; l < QS8_NR; l++) store<i16>(dst + (<usize>l << 2), 0);
        continue;
      }
      const src = xpad + (<usize>load<i32>(koff + (<usize>p << 2)) << 1);
      store<i16>(dst, load<i16>(src + (<usize>o0 << 1)));
      store<i16>(dst, load<i16>(src + (<usize>o1 << 1)), 4);
      store<i16>(dst, load<i16>(src + (<usize>o2 << 1)), 8);
      store<i16>(dst, load<i16>(src + (<usize>o3 << 1)), 12);
      store<i16>(dst, load<i16>(src + (<usize>o4 << 1)), 16);
      store<i16>(dst, load<i16>(src + (<usize>o5 << 1)), 20);
      store<i16>(dst, load<i16>(src + (<usize>o6 << 1)), 24);
      store<i16>(dst, load<i16>(src + (<usize>o7 << 1)), 28);
    }
    out += 32;
  }
}
