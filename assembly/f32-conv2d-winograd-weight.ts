// The weight gradient of the Winograd F(2×2, 3×3) convolution (f32-conv2d-winograd.ts). The
// forward is Y = Aᵀ [ Σc U[o,c] ⊙ V[c] ] A per tile with U = G·w·Gᵀ and V = Bᵀ·d·B, so by the
// transposes of those linear maps
//   dU_ξ[o, c] = Σ over tiles of dM_ξ[o] · V_ξ[c],  dM = A·dy·Aᵀ,    dw[o, c] = Gᵀ·dU[o, c]·G:
// 16 GEMMs [Cout × tiles]·[tiles × Cin] whose k runs over every tile of the batch (in blocks of
// TILE_BLOCK tiles of one image), 2.25× fewer multiply-adds than dW = dY·patchesᵀ. dM is packed
// as A panels (4 output channels per k-step) and V as B panels (8 input channels per k-step),
// both vectorised across channels, one tile at a time; the sums over the batch accumulate image
// by image in the order of the batch.
import { MR, NR, UK_LOAD_C } from "./f32-gemm-4x8-wasmsimd";
import { tiles as gemm } from "./f32-gemm";
import { Conv2dGeometry, padImage, paddedW } from "./conv2d-geometry";
import { roundUp } from "./gemm-blocking";
import { inputTransform } from "./f32-conv2d-winograd";

const XI: usize = 16;
/** Tiles per k-block: dM and V of a block stay in L2 however large the image. */
const TILE_BLOCK: usize = 128;

// Rows and columns of the slice of dU a call computes: output channels i0..i1 (whole 4-row
// panels) and the input channels the patch elements j0..j1 belong to (whole 8-column panels).
// @ts-ignore: decorator
@inline function rowsOf(i0: usize, i1: usize): usize { return roundUp(i1 - i0, MR); }
// @ts-ignore: decorator
@inline function colsOf(c0: usize, c1: usize): usize { return roundUp(c1 - c0, NR); }

/** Bytes of scratch winogradWeightGradientTile needs for any tile (winogradApplies(g) must hold). */
export function winogradWeightGradientBytes(g: Conv2dGeometry): usize {
  const cin = <usize>g.inChannels, cout = <usize>g.outChannels;
  const hw = min(tilesOf(g), TILE_BLOCK);
  const rows = roundUp(cout, MR), cols = roundUp(cin, NR);
  // dU, dM (A panels), V (B panels with headers), the padded image.
  return 256 + (XI * rows * cols + XI * rows * hw + XI * cols * (hw + 1) + cin * paddedRows(g) * paddedCols(g)) * 4;
}

// Tiles of one image.
// @ts-ignore: decorator
@inline function tilesOf(g: Conv2dGeometry): usize {
  return <usize>((g.outH + 1) >> 1) * <usize>((g.outW + 1) >> 1);
}
// The padded image covers every tile's 4×4 window.
// @ts-ignore: decorator
@inline function paddedRows(g: Conv2dGeometry): usize {
  return max<usize>(<usize>(((g.outH + 1) >> 1) * 2 + 2), <usize>(g.padTop + g.inH));
}
// @ts-ignore: decorator
@inline function paddedCols(g: Conv2dGeometry): usize {
  return max<usize>(<usize>(((g.outW + 1) >> 1) * 2 + 2), paddedW(g));
}

/**
 * Rows i0..i1 (output channels) × columns j0..j1 (patch elements c·9 + kh·3 + kw) of dw, each
 * element by the same operations in the same order whatever the tile: the thread pool's split.
 */
export function winogradWeightGradientTile(g: Conv2dGeometry, x: usize, dy: usize, dw: usize, work: usize,
                                           i0: usize, i1: usize, j0: usize, j1: usize): void {
  const cin = <usize>g.inChannels, cout = <usize>g.outChannels;
  const c0 = j0 / 9, c1 = (j1 + 8) / 9;
  const rows = rowsOf(i0, i1), cols = colsOf(c0, c1), tiles = tilesOf(g), hw = min(tiles, TILE_BLOCK);
  const windows = work, du = work + 256, dm = du + XI * rows * cols * 4, v = dm + XI * rows * hw * 4, image = v + XI * cols * (hw + 1) * 4;
  const hp = paddedRows(g), wp = paddedCols(g);
  const outH = <usize>g.outH, outW = <usize>g.outW, batch = <usize>g.batch;
  if (batch == 0) memory.fill(du, 0, XI * rows * cols * 4);
  // V's padding columns (input channels past c1) and headers stay zero.
  memory.fill(v, 0, XI * cols * (hw + 1) * 4);
  for (let n: usize = 0; n < batch; n++) {
    padImage(g, c1, x + n * cin * <usize>(g.inH * g.inW) * 4, hp, wp, image, c0); // only the tile's channels
    for (let t0: usize = 0; t0 < tiles; t0 += hw) {
      const kc = min(hw, tiles - t0);
      transformInput(image, hp, wp, outW, c0, c1, cols, t0, kc, windows, v);
      transformGradient(dy + n * cout * outH * outW * 4, outH, outW, i0, i1, t0, kc, dm);
      // The panels of this block: kc tiles each (the layouts' strides are the block's).
      for (let xi: usize = 0; xi < XI; xi++) {
        gemm(rows, cols, kc, dm + xi * rows * kc * 4, v + xi * cols * (kc + 1) * 4, du + xi * rows * cols * 4, cols * 4,
             n > 0 || t0 > 0 ? UK_LOAD_C : 0);
      }
    }
  }
  transformWeights(du, rows, cols, i0, i1, c0, j0, j1, cin, dw);
}

/**
 * V_ξ of tiles t0..t0+hw of one padded image for channels c0..c1, four channels per vector, into
 * B panels: panel q holds NR header floats then, per tile, channels c0 + 8q .. c0 + 8q + 7.
 */
function transformInput(image: usize, hp: usize, wp: usize, outW: usize, c0: usize, c1: usize,
                        cols: usize, t0: usize, hw: usize, windows: usize, v: usize): void {
  const plane = hp * wp * 4, xiStride = cols * (hw + 1) * 4;
  const tilesX = (outW + 1) >> 1;
  for (let c = c0; c < c1; c += 4) {
    const q = (c - c0) / NR, half = (c - c0) & (NR - 1);
    // Channels past c1 read channel c1 − 1 again: finite values in columns never used.
    const p1 = min(c + 1, c1 - 1) - c, p2 = min(c + 2, c1 - 1) - c, p3 = min(c + 3, c1 - 1) - c;
    let dst = v + (q * NR * (hw + 1) + NR + half) * 4;
    const channel = image + c * plane;
    for (let t = t0; t < t0 + hw; t++) {
      const ty = t / tilesX, tx = t - ty * tilesX;
      const s = channel + ((ty << 1) * wp + (tx << 1)) * 4;
      for (let r: usize = 0; r < 4; r++) {
        for (let col: usize = 0; col < 4; col++) {
          v128.store(windows + (r * 4 + col) * 16, gather(s + (r * wp + col) * 4, plane, p1, p2, p3));
        }
      }
      inputTransform<f32>(windows, dst, xiStride);
      dst += NR * 4;
    }
  }
}

// The float at p in 4 channels: p, and channel offsets p1..p3 planes further.
// @ts-ignore: decorator
@inline function gather(p: usize, plane: usize, p1: usize, p2: usize, p3: usize): v128 {
  let r = v128.load32_zero(p);
  r = v128.load32_lane(p + p1 * plane, r, 1);
  r = v128.load32_lane(p + p2 * plane, r, 2);
  return v128.load32_lane(p + p3 * plane, r, 3);
}

/**
 * dM_ξ = A·dy·Aᵀ of the 2×2 tiles t0..t0+hw of dy (zeros past outH × outW) for output channels
 * i0..i1, four per vector, into A panels: panel p holds, per tile, channels i0 + 4p .. + 3.
 * A = [1 0; 1 1; 1 −1; 0 −1].
 */
function transformGradient(dy: usize, outH: usize, outW: usize, i0: usize, i1: usize, t0: usize, hw: usize, dm: usize): void {
  const plane = outH * outW * 4, xiStride = roundUp(i1 - i0, MR) * hw * 4;
  const tilesX = (outW + 1) >> 1;
  const vzero = f32x4.splat(0);
  for (let o = i0; o < i1; o += MR) {
    const p1 = min(o + 1, i1 - 1) - o, p2 = min(o + 2, i1 - 1) - o, p3 = min(o + 3, i1 - 1) - o;
    let dst = dm + ((o - i0) * hw) * 4;
    const channel = dy + o * plane;
    for (let t = t0; t < t0 + hw; t++) {
      const ty = t / tilesX, tx = t - ty * tilesX;
      const oy = ty << 1, ox = tx << 1;
      const s = channel + (oy * outW + ox) * 4;
      const twoCols = ox + 1 < outW, twoRows = oy + 1 < outH;
      const y0 = gather(s, plane, p1, p2, p3);
      const y1 = twoCols ? gather(s + 4, plane, p1, p2, p3) : vzero;
      const y2 = twoRows ? gather(s + outW * 4, plane, p1, p2, p3) : vzero;
      const y3 = twoRows && twoCols ? gather(s + outW * 4 + 4, plane, p1, p2, p3) : vzero;
      // R = A·dy by rows i (each two columns), then row i of R·Aᵀ: (r0, r0 + r1, r0 − r1, −r1).
      for (let i: usize = 0; i < 4; i++) {
        const r0 = i == 0 ? y0 : i == 1 ? f32x4.add(y0, y2) : i == 2 ? f32x4.sub(y0, y2) : f32x4.neg(y2);
        const r1 = i == 0 ? y1 : i == 1 ? f32x4.add(y1, y3) : i == 2 ? f32x4.sub(y1, y3) : f32x4.neg(y3);
        const at = dst + 4 * i * xiStride;
        v128.store(at, r0);
        v128.store(at + xiStride, f32x4.add(r0, r1));
        v128.store(at + 2 * xiStride, f32x4.sub(r0, r1));
        v128.store(at + 3 * xiStride, f32x4.neg(r1));
      }
      dst += MR * 4;
    }
  }
}

/**
 * dw[o, c] = Gᵀ·dU[o, c]·G for the tile's output channels and the patch elements j0..j1 of its
 * input channels. Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1].
 */
function transformWeights(du: usize, rows: usize, cols: usize, i0: usize, i1: usize, c0: usize,
                          j0: usize, j1: usize, cin: usize, dw: usize): void {
  const xiStride = rows * cols * 4;
  for (let o = i0; o < i1; o++) {
    for (let c = j0 / 9; c * 9 < j1; c++) {
      // dU[o, c] read once: u[i][j] at ξ = 4i + j; then row kh of Gᵀ·dU, times column kw of G.
      const at = du + ((o - i0) * cols + (c - c0)) * 4;
      const u00 = load<f32>(at), u01 = load<f32>(at + xiStride), u02 = load<f32>(at + 2 * xiStride), u03 = load<f32>(at + 3 * xiStride);
      const u10 = load<f32>(at + 4 * xiStride), u11 = load<f32>(at + 5 * xiStride), u12 = load<f32>(at + 6 * xiStride), u13 = load<f32>(at + 7 * xiStride);
      const u20 = load<f32>(at + 8 * xiStride), u21 = load<f32>(at + 9 * xiStride), u22 = load<f32>(at + 10 * xiStride), u23 = load<f32>(at + 11 * xiStride);
      const u30 = load<f32>(at + 12 * xiStride), u31 = load<f32>(at + 13 * xiStride), u32 = load<f32>(at + 14 * xiStride), u33 = load<f32>(at + 15 * xiStride);
      for (let kh: usize = 0; kh < 3; kh++) {
        const r0 = gtCombine(u00, u10, u20, u30, kh), r1 = gtCombine(u01, u11, u21, u31, kh);
        const r2 = gtCombine(u02, u12, u22, u32, kh), r3 = gtCombine(u03, u13, u23, u33, kh);
        for (let kw: usize = 0; kw < 3; kw++) {
          const j = c * 9 + kh * 3 + kw;
          if (j >= j0 && j < j1) store<f32>(dw + (o * cin * 9 + j) * 4, gtCombine(r0, r1, r2, r3, kw));
        }
      }
    }
  }
}

// Row k of Gᵀ times (u0 u1 u2 u3).
// @ts-ignore: decorator
@inline function gtCombine(u0: f32, u1: f32, u2: f32, u3: f32, k: usize): f32 {
  if (k == 0) return u0 + <f32>0.5 * (u1 + u2);
  if (k == 1) return <f32>0.5 * (u1 - u2);
  return <f32>0.5 * (u1 + u2) + u3;
}
