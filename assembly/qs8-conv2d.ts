// The int8 convolution operator (ONNX ConvInteger, plus the requantizing epilogue of an int8
// layer), NCHW, as an implicit GEMM on the int8 GEMM's 4x8c2 micro-kernel:
//
//   per image:  widen it to i16 with the zero point off, into a zero-padded copy (so padding
//               contributes exactly 0 = x_zero_point − x_zero_point)
//   per group:  A = the group's weights [Cout/g × K] (widened once, at packing; put in the
//               micro-kernel's 4-row panels once per call)
//               B = patches [K × outH·outW], packed block by block straight into 8-pixel panels
//               C = A·B lands directly in y[n, co, :, :] — NCHW needs no transpose
//   and         bias, scale and ReLU per output channel (per row of C) in the micro-kernel's
//               epilogue (QS8_UK_PER_ROW), as each tile is stored: y is written once.
// Pooled 2×2 after it (QS8_POOL_2X2), the panels hold 2×4 blocks of output pixels and the
// micro-kernel stores each block's two window maxima (QS8_UK_POOL_2X4) when that is exact (scales
// finite and ≥ +0, strideW 1 or 2); otherwise each image's full output is pooled after it.
// A 3×3 stride-1 convolution with an even Cin from 8 runs as Winograd F(2×2, 3×3) instead,
// exactly (qs8-conv2d-winograd.ts).
import {
  QS8_MR, QS8_NR, QS8_UK_PER_ROW, QS8_UK_POOL_2X4, qs8_gemm_ukernel_4x8c2__wasmsimd_dot16x2,
} from "./qs8-gemm-4x8c2-wasmsimd-dot16x2";
import { x16_packb_conv2d, x16_packb_conv2d_2x4 } from "./x16-packb-conv2d";
import { x16_packa_4x2 } from "./x16-packa-4x2";
import { QS8_FLOAT_OUT, QS8_POOL_2X2 } from "./flags";
import { f32_maxpool2d_2x2 } from "./f32-maxpool2d-2x2";
import { qs8WinogradApplies, qs8WinogradBytes, qs8WinogradConv } from "./qs8-conv2d-winograd";

// Word offsets of the geometry block: the fields of Conv2dGeometry (src/backend/conv-geometry.ts)
// in declaration order, as i32.
const G_BATCH = 0, G_CIN = 1, G_INH = 2, G_INW = 3, G_COUT = 4, G_OUTH = 5, G_OUTW = 6;
const G_KH = 7, G_KW = 8, G_SH = 9, G_SW = 10, G_PT = 11, G_PL = 12, G_DH = 13, G_DW = 14;
const G_GROUPS = 15;

// @ts-ignore: decorator
@inline function geo(g: usize, field: i32): i32 {
  return load<i32>(g + (<usize>field << 2));
}

// Weight rows per block (MC·kc i16 stay in L2) and patch panels per block (in L2 beside them;
// each panel, kc·16 bytes, stays in L1 while every weight row of the block passes over it).
const A_BLOCK_BYTES: i32 = 256 * 1024;
const B_BLOCK_BYTES: i32 = 128 * 1024;
/** i16 elements readable before and after the padded image (the packer's vector overreach). */
const SLACK: i32 = 32;

/** The padded image: rows and columns that cover every tap of every output pixel. */
// @ts-ignore: decorator
@inline function paddedH(g: usize): i32 {
  return max(geo(g, G_PT) + geo(g, G_INH), (geo(g, G_OUTH) - 1) * geo(g, G_SH) + (geo(g, G_KH) - 1) * geo(g, G_DH) + 1);
}
// @ts-ignore: decorator
@inline function paddedW(g: usize): i32 {
  return max(geo(g, G_PL) + geo(g, G_INW), (geo(g, G_OUTW) - 1) * geo(g, G_SW) + (geo(g, G_KW) - 1) * geo(g, G_DW) + 1);
}
// @ts-ignore: decorator
@inline function groupK(g: usize): i32 {
  return geo(g, G_CIN) / geo(g, G_GROUPS) * geo(g, G_KH) * geo(g, G_KW);
}
// @ts-ignore: decorator
@inline function panelsPerBlock(kc: i32): i32 {
  return max(1, B_BLOCK_BYTES / (kc << 4));
}
// @ts-ignore: decorator
@inline function align64(x: usize): usize {
  return (x + 63) & ~63;
}

/**
 * Bytes of scratch qs8_conv2d needs: padded image, tap offsets, one block of patch panels, 32
 * bytes of the packer's lane offsets, then one image's full-size output (used with
 * QS8_POOL_2X2 only; one image of the batch's output, so at most 1/N more).
 */
export function qs8_conv2d_workspace(geometry: usize): i32 {
  if (qs8WinogradApplies(geometry)) return <i32>qs8WinogradBytes(geometry);
  return <i32>(weightPanels(geometry) + weightPanelBytes(geometry));
}

/** Where the weights in 4-row panels start: after the QS8_POOL_2X2 scratch (64-aligned). */
// @ts-ignore: decorator
@inline function weightPanels(geometry: usize): usize {
  return align64(poolScratch(geometry) + fullImageBytes(geometry));
}
/** Bytes of the weights in 4-row panels: each group's rows padded to a multiple of 4. */
// @ts-ignore: decorator
@inline function weightPanelBytes(geometry: usize): usize {
  const groups = geo(geometry, G_GROUPS), rows = ((geo(geometry, G_COUT) / groups + 3) & ~3);
  return <usize>(groups * rows * ((groupK(geometry) + 1) & ~1)) << 1;
}

/** Where the QS8_POOL_2X2 scratch starts: after the padded image, taps, panels and lanes (64-aligned). */
// @ts-ignore: decorator
@inline function poolScratch(geometry: usize): usize {
  const image = align64(<usize>(geo(geometry, G_CIN) * paddedH(geometry) * paddedW(geometry) + 2 * SLACK) << 1);
  const kc = (groupK(geometry) + 1) & ~1;
  return align64(image + align64(<usize>groupK(geometry) << 2) + <usize>(panelsPerBlock(kc) * (kc << 4)) + 32);
}
// @ts-ignore: decorator
@inline function fullImageBytes(geometry: usize): usize {
  return <usize>(geo(geometry, G_COUT) * geo(geometry, G_OUTH) * geo(geometry, G_OUTW)) << 2;
}
// @ts-ignore: decorator
@inline function pooledImageElements(geometry: usize): usize {
  return <usize>(geo(geometry, G_COUT) * (geo(geometry, G_OUTH) >> 1) * (geo(geometry, G_OUTW) >> 1));
}

/**
 * y[n, co, oh, ow] = Σ (x − xZero)·w over the taps of co's group (+ bias[co]), the padding
 * counting as xZero, then as i32, or (QS8_FLOAT_OUT) f32(acc + bias[co])·scale[co], and
 * max(·, 0) if QS8_RELU; with QS8_POOL_2X2 (and QS8_FLOAT_OUT) each image's output is then
 * max-pooled 2×2 into y [N, Cout, outH/2, outW/2] instead of stored in full.
 * geometry: 16 i32 (Conv2dGeometry's fields in order). x: NCHW bytes,
 * i8 if xSigned else u8. w: the weights as qs8ConvPackWeights lays them out (per output channel
 * a row of K i16 with the weight zero point off, padded to even K with a zero). bias: Cout i32;
 * scale: Cout f32 (read only with QS8_FLOAT_OUT). y: NCHW, 4-byte elements. work:
 * qs8_conv2d_workspace(geometry) bytes, 64-byte aligned.
 */
export function qs8_conv2d(
  geometry: usize, x: usize, xSigned: i32, xZero: i32, w: usize,
  bias: usize, scale: usize, y: usize, flags: i32, work: usize,
): void {
  if (qs8WinogradApplies(geometry)) {
    qs8WinogradConv(geometry, x, xSigned, xZero, w, bias, scale, y, flags, work);
    return;
  }
  const batch = geo(geometry, G_BATCH), cin = geo(geometry, G_CIN);
  const cout = geo(geometry, G_COUT), groups = geo(geometry, G_GROUPS);
  const pixels = geo(geometry, G_OUTH) * geo(geometry, G_OUTW);
  const hp = paddedH(geometry), wp = paddedW(geometry);
  const plane = hp * wp;
  const k = groupK(geometry), kc = (k + 1) & ~1;
  const imageBytes = align64(<usize>(cin * plane + 2 * SLACK) << 1);
  const xpad = work + (<usize>SLACK << 1);
  const koff = work + imageBytes;
  const panels = align64(koff + (<usize>k << 2));
  // 32 bytes for the packer's lane offsets.
  const laneOffsets = panels + <usize>(panelsPerBlock(kc) * (kc << 4));
  // Padding stays zero for the whole call: each image rewrites only the interior.
  memory.fill(work, 0, imageBytes);
  tapOffsets(geometry, wp, plane, koff);

  const coutG = cout / groups, cinG = cin / groups;
  // Each group's weight rows into the micro-kernel's 4-row panels, once for the whole batch.
  const wPanels = work + weightPanels(geometry), groupPanelBytes = <usize>(((coutG + 3) & ~3) * kc) << 1;
  for (let gi = 0; gi < groups; gi++) {
    const rows = w + ((<usize>(gi * coutG) * <usize>kc) << 1);
    x16_packa_4x2(coutG, kc, rows, <usize>kc << 1, wPanels + <usize>gi * groupPanelBytes);
  }
  const inH = geo(geometry, G_INH), inW = geo(geometry, G_INW);
  const pool = (flags & QS8_POOL_2X2) != 0;
  const poolInKernel = pool && poolsInKernel(geometry, scale, flags);
  const full = work + poolScratch(geometry);
  const pooledBytes = pooledImageElements(geometry) << 2;
  for (let n = 0; n < batch; n++) {
    widenImage(x + <usize>(n * cin * inH * inW), cin, inH, inW, xSigned, xZero,
               xpad + (<usize>(geo(geometry, G_PT) * wp + geo(geometry, G_PL)) << 1), hp, wp);
    // Pooled in the micro-kernel, each channel's plane is the pooled one, written in place.
    const yn = poolInKernel ? y + <usize>n * pooledBytes : pool ? full : y + (<usize>(n * cout * pixels) << 2);
    const outPlane = poolInKernel ? pooledImageElements(geometry) / cout : pixels;
    for (let gi = 0; gi < groups; gi++) {
      const g0 = <usize>(gi * coutG);
      convGroup(geometry, xpad + (<usize>(gi * cinG * plane) << 1), koff, k, kc,
                wPanels + <usize>gi * groupPanelBytes, coutG, yn + ((g0 * <usize>outPlane) << 2),
                pixels, wp, panels, laneOffsets, bias + (g0 << 2), scale + (g0 << 2), flags & ~QS8_POOL_2X2, poolInKernel);
    }
    // The image's output is still in cache: pool it now, maxima only (no backward reads taps).
    if (pool && !poolInKernel) f32_maxpool2d_2x2(cout, geo(geometry, G_OUTH), geo(geometry, G_OUTW), full, y + <usize>n * pooledBytes, 0);
  }
}

/** Element offset in the padded image of tap k = (ci, kh, kw) of a group's first channel. */
function tapOffsets(g: usize, wp: i32, plane: i32, koff: usize): void {
  const cinG = geo(g, G_CIN) / geo(g, G_GROUPS), kh = geo(g, G_KH), kw = geo(g, G_KW);
  const dh = geo(g, G_DH), dw = geo(g, G_DW);
  let t: usize = koff;
  for (let c = 0; c < cinG; c++) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        store<i32>(t, c * plane + i * dh * wp + j * dw);
        t += 4;
      }
    }
  }
}

/**
 * One group of one image: patch panels block by block, weight rows in blocks, the 4x8 tiles,
 * each finished with its rows' bias and scale (bg, sg: the group's first row). pooled: panels
 * of 2×4 output pixels (x16_packb_conv2d_2x4) whose tile rows store their two 2×2 window
 * maxima into yg's pooled planes (QS8_UK_POOL_2X4).
 */
function convGroup(g: usize, xg: usize, koff: usize, k: i32, kc: i32, wg: usize, rows: i32,
                   yg: usize, pixels: i32, wp: i32, panels: usize, laneOffsets: usize,
                   bg: usize, sg: usize, flags: i32, pooled: bool): void {
  const outW = geo(g, G_OUTW), sh = geo(g, G_SH), sw = geo(g, G_SW);
  const pooledW = outW >> 1, perRow = (pooledW + 1) >> 1;
  const panelBytes = <usize>kc << 4;
  const rowBytes = <usize>kc << 1; // wg's panel of rows i..i+3 starts at i·rowBytes
  const cStride = <usize>(pooled ? (geo(g, G_OUTH) >> 1) * pooledW : pixels) << 2;
  const nb = panelsPerBlock(kc);
  let mc = (A_BLOCK_BYTES / (kc << 1)) & ~(QS8_MR - 1);
  if (mc < QS8_MR) mc = QS8_MR;
  const totalPanels = pooled ? (geo(g, G_OUTH) >> 1) * perRow : (pixels + QS8_NR - 1) / QS8_NR;
  const ukFlags = flags | QS8_UK_PER_ROW | (pooled ? QS8_UK_POOL_2X4 : 0);
  for (let b0 = 0; b0 < totalPanels; b0 += nb) {
    const bn = min(nb, totalPanels - b0);
    if (pooled) x16_packb_conv2d_2x4(bn, b0, perRow, sh, sw, wp, xg, koff, k, panels);
    else x16_packb_conv2d(bn, b0 * QS8_NR, pixels, outW, sh, sw, wp, xg, koff, k, laneOffsets, panels);
    for (let i0 = 0; i0 < rows; i0 += mc) {
      const mb = min(mc, rows - i0);
      for (let t = 0; t < bn; t++) {
        // The panel's first output (pooled: row pi, column pj of the pooled plane) and its count.
        let j0 = (b0 + t) * QS8_NR, nc = min(QS8_NR, pixels - j0);
        if (pooled) {
          const pi = (b0 + t) / perRow, pj = 2 * (b0 + t - pi * perRow);
          j0 = pi * pooledW + pj;
          nc = min(2, pooledW - pj);
        }
        const bp = panels + <usize>t * panelBytes;
        const cj = yg + (<usize>j0 << 2);
        for (let i = i0; i < i0 + mb; i += QS8_MR) {
          qs8_gemm_ukernel_4x8c2__wasmsimd_dot16x2(
            min(QS8_MR, i0 + mb - i), nc, kc, wg + <usize>i * rowBytes, bp,
            cj + <usize>i * cStride, cStride, bg + (<usize>i << 2), sg + (<usize>i << 2), ukFlags);
        }
      }
    }
  }
}

/**
 * Whether QS8_POOL_2X2 can pool in the micro-kernel: a float output whose every scale is finite
 * and ≥ +0 (so the window maximum may be taken before the epilogue), strideW 1 or 2 (the 2×4
 * panels' vector loads) and a pooled output that is not empty.
 */
function poolsInKernel(g: usize, scale: usize, flags: i32): bool {
  const sw = geo(g, G_SW);
  if ((flags & QS8_FLOAT_OUT) == 0 || (sw != 1 && sw != 2) || geo(g, G_OUTH) < 2 || geo(g, G_OUTW) < 2) return false;
  for (let o = 0; o < geo(g, G_COUT); o++) {
    if (load<u32>(scale + (<usize>o << 2)) >= 0x7f800000) return false;
  }
  return true;
}

/** x − zero point as i16 into the interior of the padded image (row stride wp, plane hp·wp). */
export function widenImage(x: usize, cin: i32, inH: i32, inW: i32, signed: i32, zero: i32,
                    dst: usize, hp: i32, wp: i32): void {
  const vz = i16x8.splat(<i16>zero);
  // A row of 8 or more ends on one more vector at inW − 8, over values already written (the
  // same ones again): a 14-wide row (the CNN's second layer) then takes 2 vectors, not 1 + 6 scalars.
  const vectorEnd = inW >= 8 ? inW : 0;
  for (let c = 0; c < cin; c++) {
    for (let r = 0; r < inH; r++) {
      const src = x + <usize>((c * inH + r) * inW);
      const out = dst + (<usize>((c * hp + r) * wp) << 1);
      for (let p = 0; p < vectorEnd; p += 8) {
        const q = min(p, inW - 8);
        const raw = v128.load64_zero(src + q);
        const wide = signed ? i16x8.extend_low_i8x16_s(raw) : i16x8.extend_low_i8x16_u(raw);
        v128.store(out + (<usize>q << 1), i16x8.sub(wide, vz));
      }
      for (let p = vectorEnd; p < inW; p++) {
        const raw: i32 = signed ? <i32>load<i8>(src + p) : <i32>load<u8>(src + p);
        store<i16>(out + (<usize>p << 1), <i16>(raw - zero));
      }
    }
  }
}
