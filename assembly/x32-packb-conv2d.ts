// x32: packing of convolution patches straight into the 4x8 GEMM's packed B panels (the layout
// x32_packb_gemm writes: NR header floats, then kc rows of NR), so no im2col matrix is ever
// built. Patches are read from a zero-padded image (conv2d-geometry.ts: padImage), so the hot
// loops have no bounds checks: patch row p = (c, kh, kw) and output pixel j = (oy, ox) read
//   xp[c·hp·wp + (oy·strideH + kh·dilationH)·wp + ox·strideW + kw·dilationW].
// Lane byte offsets are computed once per panel; each packed row is then 8 loads and 2 stores,
// or 2 loads and 2 stores when the panel's 8 pixels are adjacent in one input row.
import { NR } from "./f32-gemm-4x8-wasmsimd";
import { Conv2dGeometry } from "./conv2d-geometry";

// The 8 lanes at byte offsets b0..b7 from src, as two vectors stored at d and d + 16.
// @ts-ignore: decorator
@inline function gather8(src: usize, b0: usize, b1: usize, b2: usize, b3: usize,
                         b4: usize, b5: usize, b6: usize, b7: usize, d: usize): void {
  let lo = v128.load32_zero(src + b0);
  lo = v128.load32_lane(src + b1, lo, 1);
  lo = v128.load32_lane(src + b2, lo, 2);
  lo = v128.load32_lane(src + b3, lo, 3);
  let hi = v128.load32_zero(src + b4);
  hi = v128.load32_lane(src + b5, hi, 1);
  hi = v128.load32_lane(src + b6, hi, 2);
  hi = v128.load32_lane(src + b7, hi, 3);
  v128.store(d, lo);
  v128.store(d, hi, 16);
}

/**
 * Packs rows p0..p0+kc (patch elements) × columns j0..j0+nc (output pixels of one image) of the
 * implicit patch matrix of one group into ⌈nc/NR⌉ panels of NR zero header floats + kc rows of
 * NR. xp: the group's first channel in the padded image (hp × wp per channel). Columns past nc
 * repeat the last pixel (finite values in columns whose results are never stored).
 */
export function x32_packb_conv2d(g: Conv2dGeometry, nc: usize, kc: usize, j0: usize, p0: usize,
                                 xp: usize, hp: usize, wp: usize, dst: usize): void {
  const outW = <usize>g.outW, kH = <usize>g.kernelH, kW = <usize>g.kernelW;
  const rowStep = <usize>g.strideH * wp * 4, colStep = <usize>g.strideW * 4;
  const khStep = <usize>g.dilationH * wp * 4, kwStep = <usize>g.dilationW * 4, plane = hp * wp * 4;
  const taps = kH * kW;
  const c0 = p0 / taps, kh0 = (p0 - c0 * taps) / kW, kw0 = p0 - c0 * taps - kh0 * kW;
  for (let jb: usize = 0; jb < nc; jb += NR) {
    const nr = min(NR, nc - jb);
    v128.store(dst, f32x4.splat(0));
    v128.store(dst, f32x4.splat(0), 16);
    // Byte offset of each lane's pixel (its patch's top-left tap); lanes past nr repeat the last.
    let oy = (j0 + jb) / outW, ox = j0 + jb - oy * outW;
    let b0: usize = 0, b1: usize = 0, b2: usize = 0, b3: usize = 0, b4: usize = 0, b5: usize = 0, b6: usize = 0, b7: usize = 0;
    for (let l: usize = 0; l < NR; l++) {
      const b = oy * rowStep + ox * colStep;
      if (l == 0) b0 = b; else if (l == 1) b1 = b; else if (l == 2) b2 = b; else if (l == 3) b3 = b;
      else if (l == 4) b4 = b; else if (l == 5) b5 = b; else if (l == 6) b6 = b; else b7 = b;
      if (l + 1 < nr && ++ox == outW) { ox = 0; oy++; }
    }
    let d = dst + NR * 4;
    let c = c0, kh = kh0, kw = kw0;
    let tap = c * plane + kh * khStep + kw * kwStep;
    const contiguous = nr == NR && colStep == 4 && b7 - b0 == 28;
    for (let p: usize = 0; p < kc; p++) {
      const src = xp + tap;
      if (contiguous) {
        v128.store(d, v128.load(src + b0));
        v128.store(d, v128.load(src + b0, 16), 16);
      } else {
        gather8(src, b0, b1, b2, b3, b4, b5, b6, b7, d);
      }
      d += NR * 4;
      // Next tap: kw, then kh, then channel.
      if (++kw == kW) {
        kw = 0;
        if (++kh == kH) { kh = 0; c++; }
        tap = c * plane + kh * khStep;
      } else {
        tap += kwStep;
      }
    }
    dst += (kc + 1) * NR * 4;
  }
}

/**
 * The transpose, for the weight gradient dW = dY·patchesᵀ: packs rows j0..j0+kc (output pixels)
 * × columns p0..p0+nc (patch elements) into panels of NR zero header floats + kc rows of NR.
 * Columns past nc repeat the last patch element.
 */
export function x32_packbt_conv2d(g: Conv2dGeometry, nc: usize, kc: usize, j0: usize, p0: usize,
                                  xp: usize, hp: usize, wp: usize, dst: usize): void {
  const outW = <usize>g.outW, kH = <usize>g.kernelH, kW = <usize>g.kernelW;
  const rowStep = <usize>g.strideH * wp * 4, colStep = <usize>g.strideW * 4;
  const khStep = <usize>g.dilationH * wp * 4, kwStep = <usize>g.dilationW * 4, plane = hp * wp * 4;
  const taps = kH * kW;
  for (let jb: usize = 0; jb < nc; jb += NR) {
    const nr = min(NR, nc - jb);
    v128.store(dst, f32x4.splat(0));
    v128.store(dst, f32x4.splat(0), 16);
    // Byte offset of each lane's tap (c, kh, kw) from a pixel's top-left corner.
    let p = p0 + jb;
    let c = p / taps, kh = (p - c * taps) / kW, kw = p - c * taps - kh * kW;
    let b0: usize = 0, b1: usize = 0, b2: usize = 0, b3: usize = 0, b4: usize = 0, b5: usize = 0, b6: usize = 0, b7: usize = 0;
    for (let l: usize = 0; l < NR; l++) {
      const b = c * plane + kh * khStep + kw * kwStep;
      if (l == 0) b0 = b; else if (l == 1) b1 = b; else if (l == 2) b2 = b; else if (l == 3) b3 = b;
      else if (l == 4) b4 = b; else if (l == 5) b5 = b; else if (l == 6) b6 = b; else b7 = b;
      if (l + 1 < nr && ++kw == kW) {
        kw = 0;
        if (++kh == kH) { kh = 0; c++; }
      }
    }
    let d = dst + NR * 4;
    let oy = j0 / outW, ox = j0 - oy * outW;
    let pixel = oy * rowStep + ox * colStep;
    for (let r: usize = 0; r < kc; r++) {
      gather8(xp + pixel, b0, b1, b2, b3, b4, b5, b6, b7, d);
      d += NR * 4;
      if (++ox == outW) {
        ox = 0;
        oy++;
        pixel = oy * rowStep;
      } else {
        pixel += colStep;
      }
    }
    dst += (kc + 1) * NR * 4;
  }
}
