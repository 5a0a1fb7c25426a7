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
 * elements before and after it. k-rows past K are zero. lanes: 32 bytes of scratch.
 */
export function x16_packb_conv2d(
  panels: i32, p0: i32, pixels: i32, outW: i32, strideH: i32, strideW: i32, wp: i32,
  xpad: usize, koff: usize, k: i32, lanes: usize, out: usize,
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
      packPanelRows(xpad, koff, k, base0, base1, s, strideW == 2, out);
    } else {
      packPanelGather(xpad, koff, k, q0, pixels, outW, rowStep, strideW, lanes, out);
    }
    out += panelBytes;
  }
}

/**
 * x16_packb_conv2d for a convolution pooled 2×2 in the micro-kernel (QS8_UK_POOL_2X4): panel t
 * of the call is panel t0 + t of the image, which covers pooled row i = ⌊(t0 + t)/perRow⌋ and
 * pooled columns 2j, 2j + 1 (j the remainder): lanes 0–3 output pixels (2i, 4j..4j+3), lanes
 * 4–7 the same columns of row 2i + 1. strideW 1 or 2. Lanes past the output row read pixels
 * that only reach pooled columns the micro-kernel does not store, within the image's slack.
 */
export function x16_packb_conv2d_2x4(
  panels: i32, t0: i32, perRow: i32, strideH: i32, strideW: i32, wp: i32,
  xpad: usize, koff: usize, k: i32, out: usize,
): void {
  const panelBytes = <usize>((k + 1) >> 1) << 5;
  const rowStep = strideH * wp;
  for (let t = t0; t < t0 + panels; t++) {
    const i = t / perRow, j = t - i * perRow;
    const base0 = 2 * i * rowStep + 4 * j * strideW;
    // Lane l ≥ 4 reads base1 + l·strideW: the same columns one output row down.
    packPanelRows(xpad, koff, k, base0, base0 + rowStep - 4 * strideW, 4, strideW == 2, out);
    out += panelBytes;
  }
}

/**
 * Tap `p`'s 8 lanes: lanes below s from the first row (base0), the rest from the second (base1),
 * 8 consecutive pixels each (one load), or every other one for stride 2 (two loads, a shuffle).
 * Past K: zero.
 */
function tapLanes(xpad: usize, koff: usize, p: i32, k: i32, base0: i32, base1: i32, first: v128, stride2: bool): v128 {
  if (p >= k) return i16x8.splat(0);
  const o = load<i32>(koff + (<usize>p << 2));
  const p0 = xpad + (<usize>(o + base0) << 1), p1 = xpad + (<usize>(o + base1) << 1);
  if (!stride2) return v128.bitselect(v128.load(p0), v128.load(p1), first);
  return v128.bitselect(
    i16x8.shuffle(v128.load(p0), v128.load(p0, 16), 0, 2, 4, 6, 8, 10, 12, 14),
    i16x8.shuffle(v128.load(p1), v128.load(p1, 16), 0, 2, 4, 6, 8, 10, 12, 14), first);
}

/** A panel whose pixels span at most two output rows, strideW 1 or 2: vector loads and a blend. */
function packPanelRows(xpad: usize, koff: usize, k: i32, base0: i32, base1: i32, s: i32,
                       stride2: bool, out: usize): void {
  // Lanes below s take the first row.
  const first = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>s));
  for (let p = 0; p < k; p += 2) {
    const r0 = tapLanes(xpad, koff, p, k, base0, base1, first, stride2);
    const r1 = tapLanes(xpad, koff, p + 1, k, base0, base1, first, stride2);
    // Interleave into (tap p, tap p+1) pairs per pixel, the micro-kernel's c2 layout.
    v128.store(out, i16x8.shuffle(r0, r1, 0, 8, 1, 9, 2, 10, 3, 11));
    v128.store(out, i16x8.shuffle(r0, r1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
    out += 32;
  }
}

/** Any panel, element by element: other strides, and outputs narrower than a panel. */
function packPanelGather(xpad: usize, koff: usize, k: i32, q0: i32, pixels: i32, outW: i32,
                         rowStep: i32, strideW: i32, lanes: usize, out: usize): void {
  // Pixel offsets of the 8 lanes; lanes past the image read element 0 (junk, never stored).
  for (let l = 0; l < QS8_NR; l++) {
    const q = q0 + l;
    const oh = q / outW;
    store<i32>(lanes + (<usize>l << 2), q < pixels ? oh * rowStep + (q - oh * outW) * strideW : 0);
  }
  const pairs = (k + 1) >> 1;
  for (let p = 0; p < pairs << 1; p++) {
    // Tap p goes to the (p & 1) half of each pixel's pair.
    const dst = out + (<usize>(p >> 1) << 5) + (<usize>(p & 1) << 1);
    const src = p < k ? xpad + (<usize>load<i32>(koff + (<usize>p << 2)) << 1) : 0;
    for (let l = 0; l < QS8_NR; l++) {
      const v: i16 = p < k ? load<i16>(src + (<usize>load<i32>(lanes + (<usize>l << 2)) << 1)) : 0;
      store<i16>(dst + (<usize>l << 2), v);
    }
  }
}
