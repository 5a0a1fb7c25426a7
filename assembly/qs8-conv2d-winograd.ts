// The int8 3×3 stride-1 convolution by Winograd F(2×2, 3×3), exact in integers. With G' = 2G
// (integer: [2 0 0; 1 1 1; 1 −1 1; 0 0 2]) the transformed weights U' = G'·w·G'ᵀ = 4·U are
// integers, so every output is
//   4·y = Aᵀ [ Σc U'[o,c] ⊙ (Bᵀ·d[c]·B) ] A,
// all in i32 arithmetic, and y = (4·y) >> 2 exactly: the same accumulator as the direct
// convolution's, so the same epilogue gives the same bits. Ranges: d = x − x_zero ∈ [−255, 255],
// so V = Bᵀ·d·B ∈ [−1020, 1020] and |U'| ≤ 9·255 fit i16 — the int8 micro-kernel's operands —
// and i32 wraps modulo 2³², so 4·y is exact whenever |4·y| < 2³¹ (Cin ≤ 512 keeps it so).
// The 16 GEMMs run on the int8 4x8c2 micro-kernel with A = U'_ξᵀ [Cout × Cin] and B = V_ξ
// [Cin × tiles], packed as its B panels: 8 neighbouring tiles along x, channels in pairs.
import { QS8_MR, QS8_NR, QS8_UK_PER_ROW, qs8Gemm4x8c2 } from "./qs8-gemm-4x8c2-wasmsimd-dot16x2";
import { QS8_FLOAT_OUT, QS8_POOL_2X2, QS8_RELU } from "./flags";
import { widenImage } from "./qs8-conv2d";
import { inputTransform } from "./f32-conv2d-winograd";

const XI: usize = 16;

// Word offsets of the geometry block (Conv2dGeometry's fields in order, as i32).
// @ts-ignore: decorator
@inline function geo(g: usize, field: i32): usize {
  return <usize>load<i32>(g + (<usize>field << 2));
}
const G_BATCH = 0, G_CIN = 1, G_INH = 2, G_INW = 3, G_COUT = 4, G_OUTH = 5, G_OUTW = 6;
const G_KH = 7, G_KW = 8, G_SH = 9, G_SW = 10, G_PT = 11, G_PL = 12, G_DH = 13, G_DW = 14, G_GROUPS = 15;

/** A dense 3×3 stride-1 undilated convolution with an even Cin from 8 to 512. */
export function qs8WinogradApplies(g: usize): bool {
  const cin = geo(g, G_CIN);
  return geo(g, G_KH) == 3 && geo(g, G_KW) == 3 && geo(g, G_SH) == 1 && geo(g, G_SW) == 1
    && geo(g, G_DH) == 1 && geo(g, G_DW) == 1 && geo(g, G_GROUPS) == 1
    && cin >= 8 && cin <= 512 && (cin & 1) == 0 && geo(g, G_COUT) >= 1 && geo(g, G_OUTH) > 0 && geo(g, G_OUTW) > 0;
}

// The layout of one call: tiles, the padded i16 image (every window, and the 24 columns each
// panel's loads read), U'ᵀ, V panels and M (the output is written, or pooled, from M directly).
// @ts-ignore: decorator
@inline function tilesY(g: usize): usize { return (geo(g, G_OUTH) + 1) >> 1; }
// @ts-ignore: decorator
@inline function panelsX(g: usize): usize { return (((geo(g, G_OUTW) + 1) >> 1) + 7) >> 3; }
// @ts-ignore: decorator
@inline function imageH(g: usize): usize { return max<usize>(tilesY(g) * 2 + 2, geo(g, G_PT) + geo(g, G_INH)); }
// @ts-ignore: decorator
@inline function imageW(g: usize): usize { return max<usize>(panelsX(g) * 16 + 8, geo(g, G_PL) + geo(g, G_INW)); }

/** Bytes of scratch qs8WinogradConv needs. */
export function qs8WinogradBytes(g: usize): usize {
  const cin = geo(g, G_CIN), cout = geo(g, G_COUT), tiles = tilesY(g) * panelsX(g) * 8;
  const rows = (cout + 3) & ~3;
  return 512 + 16 + XI * rows * cin * 2 + XI * tiles * cin * 2 + XI * rows * tiles * 4
    + cin * imageH(g) * imageW(g) * 2;
}

/**
 * qs8_conv2d (same arguments and results) by Winograd F(2×2, 3×3); qs8WinogradApplies must
 * hold. work: qs8WinogradBytes(geometry) bytes, 16-byte aligned.
 */
export function qs8WinogradConv(g: usize, x: usize, xSigned: i32, xZero: i32, w: usize,
                                bias: usize, scale: usize, y: usize, flags: i32, work: usize): void {
  const cin = geo(g, G_CIN), cout = geo(g, G_COUT), outH = geo(g, G_OUTH), outW = geo(g, G_OUTW);
  const ty = tilesY(g), px = panelsX(g), tiles = ty * px * 8, rows = (cout + 3) & ~3;
  const hp = imageH(g), wp = imageW(g);
  const windows = work, zeros = work + 512;
  const u = zeros + 16, v = u + XI * rows * cin * 2, m = v + XI * tiles * cin * 2;
  const image = m + XI * rows * tiles * 4;
  memory.fill(zeros, 0, 16);
  packWeights(w, cin, cout, rows, u);
  memory.fill(image, 0, cin * hp * wp * 2);
  const pool = (flags & QS8_POOL_2X2) != 0;
  const inImage = cin * geo(g, G_INH) * geo(g, G_INW);
  const outImage = cout * outH * outW * 4, pooledImage = cout * (outH >> 1) * (outW >> 1) * 4;
  for (let n: usize = 0; n < geo(g, G_BATCH); n++) {
    widenImage(x + n * inImage, <i32>cin, <i32>geo(g, G_INH), <i32>geo(g, G_INW), xSigned, xZero,
               image + (geo(g, G_PT) * wp + geo(g, G_PL)) * 2, <i32>hp, <i32>wp);
    transformInput(image, cin, hp, wp, ty, px, windows, v);
    for (let xi: usize = 0; xi < XI; xi++) {
      const a = u + xi * rows * cin * 2, b = v + xi * tiles * cin * 2, c = m + xi * rows * tiles * 4;
      for (let p: usize = 0; p < tiles; p += QS8_NR) {
        for (let i: usize = 0; i < cout; i += QS8_MR) {
          qs8Gemm4x8c2(QS8_MR, QS8_NR, <i32>cin, a + i * cin * 2,
            b + p * cin * 2, c + (i * tiles + p) * 4, tiles * 4, zeros, 0, QS8_UK_PER_ROW);
        }
      }
    }
    transformOutput(m, cout, tiles, outH, outW, px, bias, scale, flags, y + n * (pool ? pooledImage : outImage));
  }
}

/**
 * U'_ξᵀ [Cout × Cin] i16, in the micro-kernel's 4-row panels, from the packed weights (per
 * output channel a row of K = Cin·9 i16, the zero point off, padded to even K): G'·g·G'ᵀ of each
 * 3×3 kernel g.
 */
function packWeights(w: usize, cin: usize, cout: usize, rows: usize, u: usize): void {
  const kc = (cin * 9 + 1) & ~1, xiStride = rows * cin * 2;
  memory.fill(u, 0, XI * xiStride); // the rows past cout of each panel
  for (let o: usize = 0; o < cout; o++) {
    for (let c: usize = 0; c < cin; c++) {
      const s = w + (o * kc + c * 9) * 2;
      // (o, c) in the 4-row panels (x16-packa-4x2.ts): o's panel, c's pair, o's row in the pair.
      const inPanel = (o & ~3) * cin * 2 + ((c >> 1) << 4) + ((o & 3) << 2) + ((c & 1) << 1);
      for (let r: usize = 0; r < 4; r++) {
        // Row r of G'·g, one column of g at a time (rowOfG), then that row times G'ᵀ.
        const a = rowOfG(s, r, 0), b = rowOfG(s, r, 1), d = rowOfG(s, r, 2);
        const at = u + r * 4 * xiStride + inPanel;
        store<i16>(at, <i16>(2 * a));
        store<i16>(at + xiStride, <i16>(a + b + d));
        store<i16>(at + 2 * xiStride, <i16>(a - b + d));
        store<i16>(at + 3 * xiStride, <i16>(2 * d));
      }
    }
  }
}

// (G'·g)[r][col]: G' = [2 0 0; 1 1 1; 1 −1 1; 0 0 2] against column col of g (3 i16 at s).
// @ts-ignore: decorator
@inline function rowOfG(s: usize, r: usize, col: usize): i32 {
  const g0 = <i32>load<i16>(s + col * 2), g1 = <i32>load<i16>(s + (3 + col) * 2), g2 = <i32>load<i16>(s + (6 + col) * 2);
  if (r == 0) return 2 * g0;
  if (r == 1) return g0 + g1 + g2;
  if (r == 2) return g0 - g1 + g2;
  return 2 * g2;
}

/**
 * V_ξ of every tile of one padded image into B panels: panel (ty, px) holds 8 tiles along x;
 * per channel pair 8 tiles × 2 channels interleaved (32 bytes), as qs8_packw_gemm lays out B.
 */
function transformInput(image: usize, cin: usize, hp: usize, wp: usize, tilesY: usize, panelsX: usize,
                        windows: usize, v: usize): void {
  const plane = hp * wp * 2, xiStride = tilesY * panelsX * 8 * cin * 2;
  for (let ty: usize = 0; ty < tilesY; ty++) {
    for (let px: usize = 0; px < panelsX; px++) {
      let dst = v + (ty * panelsX + px) * 8 * cin * 2;
      let src = image + (ty * 2 * wp + px * 16) * 2;
      for (let c: usize = 0; c < cin; c += 2) {
        // Windows of channels c and c + 1, interleaved: tiles 0–3 at windows, 4–7 at + 256.
        for (let r: usize = 0; r < 4; r++) {
          const a = src + r * wp * 2, b = a + plane;
          for (let s: i32 = 0; s < 4; s++) {
            const ca = windowColumn(a, s), cb = windowColumn(b, s);
            const at = windows + (r * 4 + s) * 16;
            v128.store(at, v128.shuffle<i16>(ca, cb, 0, 8, 1, 9, 2, 10, 3, 11));
            v128.store(at + 256, v128.shuffle<i16>(ca, cb, 4, 12, 5, 13, 6, 14, 7, 15));
          }
        }
        inputTransform<i16>(windows, dst, xiStride);
        inputTransform<i16>(windows + 256, dst + 16, xiStride);
        dst += 32;
        src += 2 * plane;
      }
    }
  }
}

// Column s of the windows of 8 neighbouring tiles: i16 at columns 2l + s, l = 0..7, from src.
// @ts-ignore: decorator
@inline function windowColumn(src: usize, s: i32): v128 {
  const v0 = v128.load(src), v1 = v128.load(src, 16);
  const even = v128.shuffle<i16>(v0, v1, 0, 2, 4, 6, 8, 10, 12, 14);
  const odd = v128.shuffle<i16>(v0, v1, 1, 3, 5, 7, 9, 11, 13, 15);
  if (s == 0) return even;
  if (s == 1) return odd;
  const v2 = v128.load(src, 32);
  if (s == 2) return v128.shuffle<i16>(even, v2, 1, 2, 3, 4, 5, 6, 7, 8);
  return v128.shuffle<i16>(odd, v2, 1, 2, 3, 4, 5, 6, 7, 9);
}

/**
 * y from M_ξ [Cout × tiles] i32: (Aᵀ·m·A) >> 2 for 4 tiles per vector, + bias, then as
 * qs8_conv2d's epilogue: f32(acc + bias)·scale (QS8_FLOAT_OUT) or i32, max(·, 0) if QS8_RELU.
 * With QS8_POOL_2X2 each tile is one window of the 2×2 max pooling: its maximum is stored into
 * the pooled y [Cout, outH/2, outW/2] (the same bits as pooling the full output: max is exact)
 * and tiles cut by an odd edge are dropped, as floor-mode pooling drops that row or column.
 */
function transformOutput(m: usize, cout: usize, tiles: usize, outH: usize, outW: usize, panelsX: usize,
                         bias: usize, scale: usize, flags: i32, y: usize): void {
  const xiStride = ((cout + 3) & ~3) * tiles * 4;
  const floatOut = (flags & QS8_FLOAT_OUT) != 0, relu = (flags & QS8_RELU) != 0, pool = (flags & QS8_POOL_2X2) != 0;
  const rowTiles = panelsX * 8;
  const pooledH = outH >> 1, pooledW = outW >> 1;
  for (let o: usize = 0; o < cout; o++) {
    const vb = i32x4.splat(load<i32>(bias + o * 4));
    const s = floatOut ? load<f32>(scale + o * 4) : 0;
    const vs = f32x4.splat(s);
    // For a finite scale ≥ +0 the epilogue after the bias, relu(f32(u)·s), never decreases as
    // the i32 u grows, so the window's maximum is the epilogue of the largest u: one conversion
    // per window instead of four, the same bits. (−0 or a negative scale would reorder zeros.)
    const poolFirst = pool && reinterpret<u32>(s) < 0x7f800000;
    const yo = y + o * (pool ? pooledH * pooledW : outH * outW) * 4;
    for (let t: usize = 0; t < tiles; t += 4) {
      const ty = t / rowTiles, tx = t - ty * rowTiles, oy = ty * 2, ox = tx * 2;
      if (ox >= outW || (pool && (oy + 1 >= outH || ox + 1 >= outW))) continue;
      // Aᵀ over the ξ rows, column by column: a_j = m0j + m1j + m2j, b_j = m1j − m2j − m3j.
      let src = m + (o * tiles + t) * 4;
      let m0 = v128.load(src), m1 = v128.load(src + 4 * xiStride), m2 = v128.load(src + 8 * xiStride), m3 = v128.load(src + 12 * xiStride);
      const a0 = i32x4.add(i32x4.add(m0, m1), m2), b0 = i32x4.sub(i32x4.sub(m1, m2), m3);
      src += xiStride;
      m0 = v128.load(src); m1 = v128.load(src + 4 * xiStride); m2 = v128.load(src + 8 * xiStride); m3 = v128.load(src + 12 * xiStride);
      const a1 = i32x4.add(i32x4.add(m0, m1), m2), b1 = i32x4.sub(i32x4.sub(m1, m2), m3);
      src += xiStride;
      m0 = v128.load(src); m1 = v128.load(src + 4 * xiStride); m2 = v128.load(src + 8 * xiStride); m3 = v128.load(src + 12 * xiStride);
      const a2 = i32x4.add(i32x4.add(m0, m1), m2), b2 = i32x4.sub(i32x4.sub(m1, m2), m3);
      src += xiStride;
      m0 = v128.load(src); m1 = v128.load(src + 4 * xiStride); m2 = v128.load(src + 8 * xiStride); m3 = v128.load(src + 12 * xiStride);
      const a3 = i32x4.add(i32x4.add(m0, m1), m2), b3 = i32x4.sub(i32x4.sub(m1, m2), m3);
      // ·A: pixel (0, 0) = a0 + a1 + a2, (0, 1) = a1 − a2 − a3; row 1 the same of b.
      if (poolFirst) {
        const u = i32x4.max_s(i32x4.max_s(unscale(i32x4.add(i32x4.add(a0, a1), a2), vb), unscale(i32x4.sub(i32x4.sub(a1, a2), a3), vb)),
                              i32x4.max_s(unscale(i32x4.add(i32x4.add(b0, b1), b2), vb), unscale(i32x4.sub(i32x4.sub(b1, b2), b3), vb)));
        const top = epilogue(u, vs, floatOut, relu);
        storeRun(yo + (ty * pooledW + tx) * 4, top, top, min<usize>(4, pooledW - tx));
        continue;
      }
      const y00 = finish(i32x4.add(i32x4.add(a0, a1), a2), vb, vs, floatOut, relu);
      const y01 = finish(i32x4.sub(i32x4.sub(a1, a2), a3), vb, vs, floatOut, relu);
      const y10 = finish(i32x4.add(i32x4.add(b0, b1), b2), vb, vs, floatOut, relu);
      const y11 = finish(i32x4.sub(i32x4.sub(b1, b2), b3), vb, vs, floatOut, relu);
      if (pool) {
        const top = f32x4.max(y00, y01), bottom = f32x4.max(y10, y11);
        storeRun(yo + (ty * pooledW + tx) * 4, f32x4.max(top, bottom), top, min<usize>(4, pooledW - tx));
        continue;
      }
      // Pixels 2l and 2l + 1 of the 4 tiles: 8 neighbours in the row.
      const n = min<usize>(8, outW - ox);
      const row0 = yo + (oy * outW + ox) * 4;
      storeRun(row0, v128.shuffle<i32>(y00, y01, 0, 4, 1, 5), v128.shuffle<i32>(y00, y01, 2, 6, 3, 7), n);
      if (oy + 1 < outH) storeRun(row0 + outW * 4, v128.shuffle<i32>(y10, y11, 0, 4, 1, 5), v128.shuffle<i32>(y10, y11, 2, 6, 3, 7), n);
    }
  }
}

// 4·acc → acc (exact), + bias: the direct kernel's i32 sum.
// @ts-ignore: decorator
@inline function unscale(v: v128, vb: v128): v128 {
  return i32x4.add(i32x4.shr_s(v, 2), vb);
}

// 4·acc → the direct kernel's result.
// @ts-ignore: decorator
@inline function finish(v: v128, vb: v128, vs: v128, floatOut: bool, relu: bool): v128 {
  return epilogue(unscale(v, vb), vs, floatOut, relu);
}

// The direct kernel's epilogue of its i32 sum v: f32(v)·scale (QS8_FLOAT_OUT) or v, then relu.
// @ts-ignore: decorator
@inline function epilogue(v: v128, vs: v128, floatOut: bool, relu: bool): v128 {
  if (floatOut) {
    v = f32x4.mul(f32x4.convert_i32x4_s(v), vs);
    return relu ? f32x4.max(v, f32x4.splat(0)) : v;
  }
  return relu ? i32x4.max_s(v, i32x4.splat(0)) : v;
}

// The first n (1..8) of the 8 lanes of lo, hi at p.
// @ts-ignore: decorator
@inline function storeRun(p: usize, lo: v128, hi: v128, n: usize): void {
  if (n >= 4) {
    v128.store(p, lo);
    if (n == 8) { v128.store(p, hi, 16); return; }
    lo = hi;
    p += 16;
    n -= 4;
  }
  if (n & 2) {
    v128.store64_lane(p, lo, 0);
    lo = v128.shuffle<i64>(lo, lo, 1, 1);
    p += 8;
  }
  if (n & 1) v128.store32_lane(p, lo, 0);
}
