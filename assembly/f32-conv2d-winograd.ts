// The 3×3 stride-1 convolution by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray 2016):
// each 2×2 block of output ("tile") comes from the 4×4 window of input under it as
//   Y = Aᵀ [ Σc (G w[o,c] Gᵀ) ⊙ (Bᵀ d[c] B) ] A,
// 16 products per tile and channel pair where the direct form has 36: 2.25× fewer
// multiply-adds. The sum over channels is 16 independent GEMMs, one per position ξ of the 4×4
// transformed tile: M_ξ[tiles, Cout] = V_ξ[tiles, Cin] · U_ξ[Cin, Cout], run on the 4x8
// micro-kernel. Rows of V are tiles in groups of four neighbours along x, which is what the
// input transform produces with one vector per row (4 tiles × 1 channel) and the micro-kernel
// reads as one packed A panel (MR = 4 rows, k = channel), so V is written packed.
// The matrices (F(2,3)): G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
//   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], Aᵀ = [1 1 1 0; 0 1 −1 −1]:
// only additions and halvings, so U, V and the output transform round no worse than short sums.
import { NR } from "./f32-gemm-4x8-wasmsimd";
import { tiles } from "./f32-gemm";
import { Conv2dGeometry } from "./conv2d-geometry";
import { KC, roundUp } from "./gemm-blocking";

/** Tile positions ξ of the transformed 4×4 tile: one GEMM each. */
const XI: usize = 16;
/** Output tiles are 2×2; a group of 4 tiles along x covers 8 output columns. */
const GROUP: usize = 4;
/** Floats of V and M held per block of tile rows: both stay in L2 while the 16 GEMMs run. */
const BLOCK_FLOATS: usize = 96 * 1024;

/**
 * Whether the convolution runs as Winograd F(2×2, 3×3): a dense 3×3 stride-1 undilated kernel
 * with at most 2 rows/columns of padding on top/left (so the input gradient, the same
 * convolution with the flipped kernel, is one too), channel counts that fill the micro-tile and
 * fit one k-block in both directions.
 */
export function winogradApplies(g: Conv2dGeometry): bool {
  return g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1
    && g.groups == 1 && g.padTop <= 2 && g.padLeft <= 2
    && g.inChannels >= 8 && g.outChannels >= 8 && (g.inChannels & 3) == 0 && (g.outChannels & 3) == 0
    && <usize>g.inChannels <= KC && <usize>g.outChannels <= KC && g.outH > 0 && g.outW > 0;
}

/** The shape of one Winograd pass: input cin × inH × inW → output cout × outH × outW. */
// @ts-ignore: decorator
@unmanaged class Pass {
  cin: usize; inH: usize; inW: usize; cout: usize; outH: usize; outW: usize; padTop: usize; padLeft: usize;
  tilesY: usize; groupsX: usize; hp: usize; wp: usize; rowsPerBlock: usize;
}

// @ts-ignore: decorator
@inline function setPass(p: Pass, cin: usize, inH: usize, inW: usize, cout: usize, outH: usize, outW: usize,
                         padTop: usize, padLeft: usize): void {
  p.cin = cin; p.inH = inH; p.inW = inW; p.cout = cout; p.outH = outH; p.outW = outW;
  p.padTop = padTop; p.padLeft = padLeft;
  p.tilesY = (outH + 1) >> 1;
  p.groupsX = (((outW + 1) >> 1) + GROUP - 1) / GROUP;
  // The padded image covers every window row and the 12 floats each group's loads read.
  p.hp = max<usize>(2 * p.tilesY + 2, padTop + inH);
  p.wp = max<usize>(2 * GROUP * p.groupsX + 4, padLeft + inW);
  p.rowsPerBlock = rowsPerBlock(p.tilesY, p.groupsX, cin, cout);
}

/** Floats of U: 16 packed B blocks of ⌈cout/8⌉ panels, each NR header floats + cin rows of NR. */
// @ts-ignore: decorator
@inline function uFloats(cin: usize, cout: usize): usize {
  return XI * roundUp(cout, NR) * (cin + 1);
}

/**
 * U_ξ for every (o, c): G·g·Gᵀ of the 3×3 kernel g = w[o, c] (flip: g = w[c, o] rotated by 180°,
 * the input gradient's kernel), stored into packed B panels (zero headers and padding columns).
 */
function packWeights(w: usize, cin: usize, cout: usize, flip: bool, u: usize): void {
  const panels = roundUp(cout, NR) / NR, panelFloats = NR * (cin + 1);
  memory.fill(u, 0, uFloats(cin, cout) * 4);
  for (let o: usize = 0; o < cout; o++) {
    for (let c: usize = 0; c < cin; c++) {
      // g[r][s] as 9 locals: row-major, or rotated when flipping.
      const src = flip ? w + (c * cout + o) * 36 : w + (o * cin + c) * 36;
      let g0 = load<f32>(src, 0), g1 = load<f32>(src, 4), g2 = load<f32>(src, 8);
      let g3 = load<f32>(src, 12), g4 = load<f32>(src, 16), g5 = load<f32>(src, 20);
      let g6 = load<f32>(src, 24), g7 = load<f32>(src, 28), g8 = load<f32>(src, 32);
      if (flip) {
        let t = g0; g0 = g8; g8 = t; t = g1; g1 = g7; g7 = t;
        t = g2; g2 = g6; g6 = t; t = g3; g3 = g5; g5 = t;
      }
      // G·g: 4 rows × 3 columns.
      const a0 = g0, a1 = g1, a2 = g2;
      const b0 = <f32>0.5 * (g0 + g3 + g6), b1 = <f32>0.5 * (g1 + g4 + g7), b2 = <f32>0.5 * (g2 + g5 + g8);
      const c0 = <f32>0.5 * (g0 - g3 + g6), c1 = <f32>0.5 * (g1 - g4 + g7), c2 = <f32>0.5 * (g2 - g5 + g8);
      const d0 = g6, d1 = g7, d2 = g8;
      const at = u + ((o / NR) * panelFloats + NR + c * NR + (o & (NR - 1))) * 4;
      const xiStride = panels * panelFloats * 4;
      storeRowG(at, xiStride, a0, a1, a2);
      storeRowG(at + 4 * xiStride, xiStride, b0, b1, b2);
      storeRowG(at + 8 * xiStride, xiStride, c0, c1, c2);
      storeRowG(at + 12 * xiStride, xiStride, d0, d1, d2);
    }
  }
}

// One row (r0 r1 r2) of G·g times Gᵀ: the four ξ of that row, each in its own U_ξ block.
// @ts-ignore: decorator
@inline function storeRowG(at: usize, xiStride: usize, r0: f32, r1: f32, r2: f32): void {
  store<f32>(at, r0);
  store<f32>(at + xiStride, <f32>0.5 * (r0 + r1 + r2));
  store<f32>(at + 2 * xiStride, <f32>0.5 * (r0 - r1 + r2));
  store<f32>(at + 3 * xiStride, r2);
}

/**
 * V for the tile rows ty0..ty0+rows of one padded image: for each group of 4 tiles along x and
 * each channel, the 16 transformed values as 16 vectors (one lane per tile), written as row
 * `group` of packed A panels (k = channel) in the ξ-th of 16 blocks.
 */
function transformInput(p: Pass, image: usize, ty0: usize, rows: usize, windows: usize, v: usize): void {
  const cin = p.cin, wp = p.wp, groupsX = p.groupsX;
  const xiStride = rows * groupsX * cin * 16;
  for (let ty: usize = 0; ty < rows; ty++) {
    for (let gx: usize = 0; gx < groupsX; gx++) {
      let dst = v + ((ty * groupsX + gx) * cin) * 16;
      let src = image + ((2 * (ty0 + ty)) * wp + GROUP * 2 * gx) * 4;
      for (let c: usize = 0; c < cin; c++) {
        transformWindows(src, wp * 4, windows, dst, xiStride);
        dst += 16;
        src += p.hp * wp * 4;
      }
    }
  }
}

// Column s (0..3) of one window row for 4 neighbouring tiles: lane l holds column 2l + s of the
// 12 floats v0, v1, v2, separated by shuffles.
// @ts-ignore: decorator
@inline function windowColumns(v0: v128, v1: v128, v2: v128, s: i32): v128 {
  if (s == 0) return v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
  if (s == 1) return v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
  if (s == 2) return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 2, 4, 6, 6), v2, 0, 1, 2, 4);
  return v128.shuffle<f32>(v128.shuffle<f32>(v0, v1, 3, 5, 7, 7), v2, 0, 1, 2, 5);
}

/**
 * V = Bᵀ·d·B of 4 windows (rows rowBytes apart at src) into ξ = 4i + j blocks at dst; the
 * windows' 16 vectors pass through `windows` (256 bytes of the caller's workspace).
 */
// @ts-ignore: decorator
@inline function transformWindows(src: usize, rowBytes: usize, windows: usize, dst: usize, xiStride: usize): void {
  for (let d = windows; d < windows + 256; d += 64) {
    const v0 = v128.load(src), v1 = v128.load(src, 16), v2 = v128.load(src, 32);
    v128.store(d, windowColumns(v0, v1, v2, 0));
    v128.store(d, windowColumns(v0, v1, v2, 1), 16);
    v128.store(d, windowColumns(v0, v1, v2, 2), 32);
    v128.store(d, windowColumns(v0, v1, v2, 3), 48);
    src += rowBytes;
  }
  inputTransform<f32>(windows, dst, xiStride);
}

/**
 * Bᵀ·d·B of the 4×4 windows at d (16 vectors, row r column s at d + 16·(4r + s); each lane its
 * own window) stored as 16 vectors, ξ = 4i + j at dst + ξ·xiStride. T is the lane type: f32 for
 * the float convolution, i16 for the int8 one (qs8-conv2d-winograd.ts), whose values fit it.
 */
export function inputTransform<T>(d: usize, dst: usize, xiStride: usize): void {
  // t[r][j] = (d·B)[r][j] = (d0 − d2, d1 + d2, d2 − d1, d1 − d3) of row r, then Bᵀ·t by columns.
  for (let r: usize = 0; r < 4; r++) {
    const d0 = v128.load(d), d1 = v128.load(d, 16), d2 = v128.load(d, 32), d3 = v128.load(d, 48);
    v128.store(d, v128.sub<T>(d0, d2));
    v128.store(d, v128.add<T>(d1, d2), 16);
    v128.store(d, v128.sub<T>(d2, d1), 32);
    v128.store(d, v128.sub<T>(d1, d3), 48);
    d += 64;
  }
  d -= 256;
  for (let j: usize = 0; j < 4; j++) {
    const t0 = v128.load(d), t1 = v128.load(d, 64), t2 = v128.load(d, 128), t3 = v128.load(d, 192);
    v128.store(dst, v128.sub<T>(t0, t2));
    v128.store(dst + 4 * xiStride, v128.add<T>(t1, t2));
    v128.store(dst + 8 * xiStride, v128.sub<T>(t2, t1));
    v128.store(dst + 12 * xiStride, v128.sub<T>(t1, t3));
    d += 16;
    dst += xiStride;
  }
}

/**
 * Y for the tile rows ty0..ty0+rows of one image from the 16 blocks M_ξ[tile rows × cout]:
 * Aᵀ·m·A per tile, four output channels per vector, + bias, then relu; stores skip pixels past
 * outH × outW (the last tile row or column of an odd size). `sums`: 128 bytes of workspace.
 */
function transformOutput(p: Pass, m: usize, ty0: usize, rows: usize, bias: usize, y: usize, relu: bool, sums: usize): void {
  const cout = p.cout, outH = p.outH, outW = p.outW, plane = outH * outW * 4;
  const tileRows = rows * p.groupsX * GROUP;
  const xiStride = tileRows * cout * 4;
  const vzero = f32x4.splat(0);
  for (let ty: usize = 0; ty < rows; ty++) {
    const oy = (ty0 + ty) << 1;
    const twoRows = oy + 1 < outH;
    for (let gx: usize = 0; gx < p.groupsX; gx++) {
      for (let l: usize = 0; l < GROUP; l++) {
        const ox = (GROUP * gx + l) << 1;
        if (ox >= outW) break;
        const twoCols = ox + 1 < outW;
        let src = m + ((ty * p.groupsX + gx) * GROUP + l) * cout * 4;
        let dst = y + (oy * outW + ox) * 4;
        for (let o: usize = 0; o < cout; o += 4) {
          // Aᵀ·m by columns j: s0 = m0j + m1j + m2j at sums + 16j, s1 = m1j − m2j − m3j at + 64.
          for (let j: usize = 0; j < 4; j++) {
            const at = src + j * xiStride;
            const m0 = v128.load(at), m1 = v128.load(at + 4 * xiStride);
            const m2 = v128.load(at + 8 * xiStride), m3 = v128.load(at + 12 * xiStride);
            v128.store(sums + j * 16, f32x4.add(f32x4.add(m0, m1), m2));
            v128.store(sums + j * 16, f32x4.sub(f32x4.sub(m1, m2), m3), 64);
          }
          const b = bias != 0 ? v128.load(bias + o * 4) : vzero;
          // Then ·A by rows: (s0 + s1 + s2, s1 − s2 − s3), each + bias, relu.
          for (let i: usize = 0; i < 2; i++) {
            if (i == 1 && !twoRows) break;
            const row = sums + i * 64;
            const s0 = v128.load(row), s1 = v128.load(row, 16), s2 = v128.load(row, 32), s3 = v128.load(row, 48);
            let y0 = f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), b);
            let y1 = f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), b);
            if (relu) {
              y0 = f32x4.pmax(y0, vzero);
              y1 = f32x4.pmax(y1, vzero);
            }
            const at = dst + i * outW * 4;
            storeLanes(at, plane, y0);
            if (twoCols) storeLanes(at + 4, plane, y1);
          }
          src += 16;
          dst += 4 * plane;
        }
      }
    }
  }
}

// Lane q of v to channel q's plane.
// @ts-ignore: decorator
@inline function storeLanes(at: usize, plane: usize, v: v128): void {
  v128.store32_lane(at, v, 0);
  v128.store32_lane(at + plane, v, 1);
  v128.store32_lane(at + 2 * plane, v, 2);
  v128.store32_lane(at + 3 * plane, v, 3);
}

/** Copies one image (cin × inH × inW at x) into the zeroed cin × hp × wp buffer at (padTop, padLeft). */
function padInto(p: Pass, x: usize, image: usize): void {
  memory.fill(image, 0, p.cin * p.hp * p.wp * 4);
  const rowBytes = p.inW * 4;
  for (let c: usize = 0; c < p.cin; c++) {
    let d = image + ((c * p.hp + p.padTop) * p.wp + p.padLeft) * 4;
    let s = x + c * p.inH * rowBytes;
    for (let r: usize = 0; r < p.inH; r++) {
      memory.copy(d, s, rowBytes);
      d += p.wp * 4;
      s += rowBytes;
    }
  }
}

/** Runs one pass over `batch` images with U already packed at u. */
function run(p: Pass, batch: usize, x: usize, u: usize, bias: usize, y: usize, relu: bool, windows: usize, work: usize): void {
  const cin = p.cin, cout = p.cout;
  const uXi = roundUp(cout, NR) * (cin + 1) * 4;
  const blockRows = p.rowsPerBlock * p.groupsX * GROUP;
  const v = work, m = v + XI * blockRows * cin * 4, image = m + XI * blockRows * cout * 4;
  const inImage = cin * p.inH * p.inW * 4, outImage = cout * p.outH * p.outW * 4;
  for (let n: usize = 0; n < batch; n++) {
    padInto(p, x + n * inImage, image);
    for (let ty0: usize = 0; ty0 < p.tilesY; ty0 += p.rowsPerBlock) {
      const rows = min(p.rowsPerBlock, p.tilesY - ty0);
      const tileRows = rows * p.groupsX * GROUP;
      transformInput(p, image, ty0, rows, windows, v);
      for (let xi: usize = 0; xi < XI; xi++) {
        tiles(tileRows, cout, cin, v + xi * tileRows * cin * 4, u + xi * uXi, m + xi * tileRows * cout * 4, cout * 4, 0);
      }
      transformOutput(p, m, ty0, rows, bias, y + n * outImage, relu, windows);
    }
  }
}

// The pass descriptions live in the workspace's first bytes, so nothing is allocated.
// @ts-ignore: decorator
@inline function forwardPass(g: Conv2dGeometry, at: usize): Pass {
  const p = changetype<Pass>(at);
  setPass(p, <usize>g.inChannels, <usize>g.inH, <usize>g.inW, <usize>g.outChannels, <usize>g.outH, <usize>g.outW,
          <usize>g.padTop, <usize>g.padLeft);
  return p;
}

// The input gradient: the forward convolution of dy with the flipped kernel, channels swapped,
// padded by 2 − pad on top/left, onto the input's size.
// @ts-ignore: decorator
@inline function inputGradientPass(g: Conv2dGeometry, at: usize): Pass {
  const p = changetype<Pass>(at);
  setPass(p, <usize>g.outChannels, <usize>g.outH, <usize>g.outW, <usize>g.inChannels, <usize>g.inH, <usize>g.inW,
          2 - <usize>g.padTop, 2 - <usize>g.padLeft);
  return p;
}

/** Bytes of scratch the Winograd forward needs (winogradApplies(g) must hold). */
export function winogradForwardBytes(g: Conv2dGeometry): usize {
  return bytesFor(<usize>g.inChannels, <usize>g.inH, <usize>g.inW, <usize>g.outChannels, <usize>g.outH, <usize>g.outW, <usize>g.padTop);
}

/** Bytes of scratch the Winograd input gradient needs (winogradApplies(g) must hold). */
export function winogradInputGradientBytes(g: Conv2dGeometry): usize {
  return bytesFor(<usize>g.outChannels, <usize>g.outH, <usize>g.outW, <usize>g.inChannels, <usize>g.inH, <usize>g.inW, 2 - <usize>g.padTop);
}

// The pass description, U, V, M and the padded image (the pass's layout, setPass and run).
function bytesFor(cin: usize, inH: usize, inW: usize, cout: usize, outH: usize, outW: usize, padTop: usize): usize {
  const tilesY = (outH + 1) >> 1, groupsX = (((outW + 1) >> 1) + GROUP - 1) / GROUP;
  const hp = max<usize>(2 * tilesY + 2, padTop + inH), wp = max<usize>(2 * GROUP * groupsX + 4, 2 + inW);
  const rows = rowsPerBlock(tilesY, groupsX, cin, cout) * groupsX * GROUP;
  return roundUp(offsetof<Pass>(), 16) + 256 + (uFloats(cin, cout) + XI * rows * (cin + cout) + cin * hp * wp) * 4;
}

// Tile rows per block: V and M of a block fill at most BLOCK_FLOATS.
// @ts-ignore: decorator
@inline function rowsPerBlock(tilesY: usize, groupsX: usize, cin: usize, cout: usize): usize {
  return max<usize>(1, min(tilesY, BLOCK_FLOATS / (XI * groupsX * GROUP * (cin + cout))));
}

/** f32_conv2d by Winograd F(2×2, 3×3): y = conv(x, w) + bias, relu if asked. */
export function winogradForward(g: Conv2dGeometry, x: usize, w: usize, bias: usize, y: usize, relu: bool, work: usize): void {
  const p = forwardPass(g, work);
  const windows = roundUp(work + offsetof<Pass>(), 16), u = windows + 256;
  packWeights(w, p.cin, p.cout, false, u);
  run(p, <usize>g.batch, x, u, bias, y, relu, windows, u + uFloats(p.cin, p.cout) * 4);
}

/** f32_conv2d_backward_input by Winograd F(2×2, 3×3): dx from dy and the flipped kernel. */
export function winogradInputGradient(g: Conv2dGeometry, dy: usize, w: usize, dx: usize, work: usize): void {
  const p = inputGradientPass(g, work);
  const windows = roundUp(work + offsetof<Pass>(), 16), u = windows + 256;
  packWeights(w, p.cin, p.cout, true, u);
  run(p, <usize>g.batch, dy, u, 0, dx, false, windows, u + uFloats(p.cin, p.cout) * 4);
}
