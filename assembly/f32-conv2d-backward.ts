// The two gradients of f32_conv2d, through the same packing and micro-kernel:
//   input:  cols[K, hw] = Wᵀ[K, Cout/g] · dY[Cout/g, hw] per image and group, then col2im
//           scatter-adds each column back onto the pixels its patch came from;
//   weight: dW[Cout/g, K] += dY[Cout/g, hw] · patchesᵀ[hw, K], summed over the batch, the
//           patches packed transposed straight from the padded image (x32_packbt_conv2d).
// A 1×1 stride-1 unpadded convolution needs no col2im and packs the image itself. Where the
// forward runs as Winograd F(2×2, 3×3) (winogradApplies), so do both gradients
// (f32-conv2d-winograd.ts, f32-conv2d-winograd-weight.ts).
import { MR, NR, UK_LOAD_C } from "./f32-gemm-4x8-wasmsimd";
import { x32_packa_gemm, x32_packb_gemm } from "./x32-pack-gemm";
import { x32_packbt_conv2d } from "./x32-packb-conv2d";
import { Conv2dGeometry, cropImage, isPointwise, needsPadding, padImage, paddedH, paddedW } from "./conv2d-geometry";
import { tiles } from "./f32-gemm";
import { KC, NC, evenBlock, roundUp } from "./gemm-blocking";
import { winogradApplies, winogradInputGradient, winogradInputGradientBytes } from "./f32-conv2d-winograd";
import { winogradWeightGradientBytes, winogradWeightGradientTile } from "./f32-conv2d-winograd-weight";

/** Bytes of scratch f32_conv2d_backward_input needs: packed Wᵀ, one dY block, one column block, one padded image. */
export function f32_conv2d_backward_input_workspace(geometry: usize): i32 {
  const g = changetype<Conv2dGeometry>(geometry);
  if (winogradApplies(g)) return <i32>winogradInputGradientBytes(g);
  const groups = <usize>g.groups, mg = <usize>g.outChannels / groups;
  const k = <usize>(g.inChannels / g.groups * g.kernelH * g.kernelW), hw = <usize>(g.outH * g.outW);
  const kc = evenBlock(mg, KC, 4), nc = roundUp(evenBlock(hw, NC, NR), NR);
  const image = needsPadding(g) ? <usize>g.inChannels * paddedH(g) * paddedW(g) : 0;
  return <i32>((groups * roundUp(k, MR) * mg + nc * (kc + 1) + k * nc + image) * 4);
}

/**
 * dx[N, Cin, inH, inW] = the gradient of f32_conv2d's input for dy[N, Cout, outH, outW] and
 * w[Cout, Cin/groups, kH, kW] (the forward of a transposed convolution).
 */
export function f32_conv2d_backward_input(geometry: usize, dy: usize, w: usize, dx: usize, work: usize): void {
  const g = changetype<Conv2dGeometry>(geometry);
  if (winogradApplies(g)) {
    winogradInputGradient(g, dy, w, dx, work);
    return;
  }
  const groups = <usize>g.groups, cin = <usize>g.inChannels, cout = <usize>g.outChannels;
  const cg = cin / groups, mg = cout / groups;
  const k = cg * <usize>(g.kernelH * g.kernelW), kPad = roundUp(k, MR), hw = <usize>(g.outH * g.outW);
  const kcBlock = evenBlock(mg, KC, 4), ncBlock = evenBlock(hw, NC, NR);
  const pointwise = isPointwise(g), padded = needsPadding(g);
  const hp = padded ? paddedH(g) : <usize>g.inH, wp = padded ? paddedW(g) : <usize>g.inW;
  const packedW = work;
  const packedB = packedW + groups * kPad * mg * 4;
  const cols = packedB + roundUp(ncBlock, NR) * (kcBlock + 1) * 4;
  const image = cols + k * ncBlock * 4;
  // Wᵀ once: A(i, p) = w[p, i] of group t, a column-major window.
  for (let t: usize = 0; t < groups; t++) {
    for (let pc: usize = 0; pc < mg; pc += kcBlock) {
      x32_packa_gemm(k, min(kcBlock, mg - pc), w + (t * mg + pc) * k * 4, 1, k, packedW + (t * kPad * mg + kPad * pc) * 4);
    }
  }
  const inImage = cin * <usize>(g.inH * g.inW) * 4, plane = hp * wp * 4;
  for (let n: usize = 0; n < <usize>g.batch; n++) {
    const dxn = dx + n * inImage;
    const target = padded ? image : dxn;
    if (!pointwise) memory.fill(target, 0, cin * hp * wp * 4);
    for (let t: usize = 0; t < groups; t++) {
      const dyg = dy + (n * cout + t * mg) * hw * 4;
      for (let jc: usize = 0; jc < hw; jc += ncBlock) {
        const nc = min(ncBlock, hw - jc);
        // Pointwise: the columns are dx's rows themselves.
        const c = pointwise ? dxn + (t * cg * hw + jc) * 4 : cols;
        const cStride = (pointwise ? hw : nc) * 4;
        for (let pc: usize = 0; pc < mg; pc += kcBlock) {
          const kc = min(kcBlock, mg - pc);
          x32_packb_gemm(nc, kc, dyg + (pc * hw + jc) * 4, hw, 1, 0, packedB);
          tiles(k, nc, kc, packedW + (t * kPad * mg + kPad * pc) * 4, packedB, c, cStride, pc > 0 ? UK_LOAD_C : 0);
        }
        if (!pointwise) col2im(g, k, nc, jc, cols, target + t * cg * plane, hp, wp);
      }
    }
    if (padded) cropImage(g, cin, image, hp, wp, dxn);
  }
}

/**
 * Adds row p of cols[k × nc] (patch element p = (c, kh, kw) of output pixels jc..jc+nc) onto
 * the padded image's pixels those patch elements were read from.
 */
function col2im(g: Conv2dGeometry, k: usize, nc: usize, jc: usize, cols: usize, xp: usize, hp: usize, wp: usize): void {
  const outW = <usize>g.outW, kH = <usize>g.kernelH, kW = <usize>g.kernelW;
  const rowStep = <usize>g.strideH * wp * 4, colStep = <usize>g.strideW * 4;
  const khStep = <usize>g.dilationH * wp * 4, kwStep = <usize>g.dilationW * 4, plane = hp * wp * 4;
  let c: usize = 0, kh: usize = 0, kw: usize = 0;
  let src = cols;
  for (let p: usize = 0; p < k; p++) {
    const tap = xp + c * plane + kh * khStep + kw * kwStep;
    let oy = jc / outW, ox = jc - oy * outW;
    let left = nc;
    while (left > 0) {
      const len = min(outW - ox, left);
      let d = tap + oy * rowStep + ox * colStep;
      let j: usize = 0;
      if (colStep == 4) {
        for (; j + 4 <= len; j += 4) {
          v128.store(d + j * 4, f32x4.add(v128.load(d + j * 4), v128.load(src + j * 4)));
        }
        if (j + 2 <= len) {
          const sum = f32x4.add(v128.load64_zero(d + j * 4), v128.load64_zero(src + j * 4));
          v128.store64_lane(d + j * 4, sum, 0);
          j += 2;
        }
        d += j * 4;
      }
      for (; j < len; j++) {
        store<f32>(d, load<f32>(d) + load<f32>(src + j * 4));
        d += colStep;
      }
      src += len * 4;
      left -= len;
      ox = 0;
      oy++;
    }
    if (++kw == kW) {
      kw = 0;
      if (++kh == kH) { kh = 0; c++; }
    }
  }
}

/** Bytes of scratch f32_conv2d_backward_weight needs: one dY block, one patch block, one padded image. */
export function f32_conv2d_backward_weight_workspace(geometry: usize): i32 {
  const g = changetype<Conv2dGeometry>(geometry);
  if (winogradApplies(g)) return <i32>winogradWeightGradientBytes(g);
  const mg = <usize>(g.outChannels / g.groups);
  const k = <usize>(g.inChannels / g.groups * g.kernelH * g.kernelW), hw = <usize>(g.outH * g.outW);
  const kc = evenBlock(hw, KC, 4), nc = roundUp(evenBlock(k, NC, NR), NR);
  const image = needsPadding(g) ? <usize>g.inChannels * paddedH(g) * paddedW(g) : 0;
  return <i32>((roundUp(mg, MR) * kc + nc * (kc + 1) + image) * 4);
}

/** dw[Cout, Cin/groups, kH, kW] = the gradient of f32_conv2d's weights for x and dy, summed over the batch. */
export function f32_conv2d_backward_weight(geometry: usize, x: usize, dy: usize, dw: usize, work: usize): void {
  const g = changetype<Conv2dGeometry>(geometry);
  f32_conv2d_backward_weight_tile(geometry, x, dy, dw, work, 0, g.outChannels / g.groups,
                                  0, g.inChannels / g.groups * g.kernelH * g.kernelW);
}

/**
 * The tile rows i0..i1 (output channels within each group) × columns j0..j1 (patch elements) of
 * f32_conv2d_backward_weight's dw, and nothing else: how the thread pool splits it. An element
 * is computed by the same instructions in the same order whatever the tile (the k-blocking over
 * the batch's pixels depends on the geometry alone), so tiles give the bits of the whole call.
 * work: f32_conv2d_backward_weight_workspace(geometry) bytes.
 */
export function f32_conv2d_backward_weight_tile(geometry: usize, x: usize, dy: usize, dw: usize, work: usize,
                                                i0: i32, i1: i32, j0: i32, j1: i32): void {
  const g = changetype<Conv2dGeometry>(geometry);
  const groups = <usize>g.groups, cin = <usize>g.inChannels, cout = <usize>g.outChannels;
  const cg = cin / groups, mg = cout / groups;
  const k = cg * <usize>(g.kernelH * g.kernelW), hw = <usize>(g.outH * g.outW);
  const r0 = <usize>i0, rows = <usize>(i1 - i0), c0 = <usize>j0, c1 = <usize>j1;
  if (i1 <= i0 || j1 <= j0) return;
  if (winogradApplies(g)) {
    winogradWeightGradientTile(g, x, dy, dw, work, r0, <usize>i1, c0, c1);
    return;
  }
  const kcBlock = evenBlock(hw, KC, 4), ncBlock = evenBlock(k, NC, NR);
  const pointwise = isPointwise(g), padded = needsPadding(g);
  const hp = padded ? paddedH(g) : <usize>g.inH, wp = padded ? paddedW(g) : <usize>g.inW;
  const packedA = work;
  const packedB = packedA + roundUp(mg, MR) * kcBlock * 4;
  const image = packedB + roundUp(ncBlock, NR) * (kcBlock + 1) * 4;
  const batch = <usize>g.batch;
  if (batch == 0) {
    for (let t: usize = 0; t < groups; t++) {
      for (let i: usize = 0; i < rows; i++) memory.fill(dw + ((t * mg + r0 + i) * k + c0) * 4, 0, (c1 - c0) * 4);
    }
  }
  const inImage = cin * <usize>(g.inH * g.inW) * 4, plane = hp * wp * 4;
  for (let n: usize = 0; n < batch; n++) {
    let xn = x + n * inImage;
    if (padded) {
      padImage(g, cin, xn, hp, wp, image);
      xn = image;
    }
    for (let t: usize = 0; t < groups; t++) {
      const xg = xn + t * cg * plane;
      const dyg = dy + ((n * cout + t * mg + r0) * hw) * 4;
      const dwg = dw + (t * mg + r0) * k * 4;
      for (let jc: usize = c0; jc < c1; jc += ncBlock) {
        const nc = min(ncBlock, c1 - jc);
        for (let pc: usize = 0; pc < hw; pc += kcBlock) {
          const kc = min(kcBlock, hw - pc);
          // Pointwise: patchesᵀ(p, j) = x[j, p], the image read column-major.
          if (pointwise) x32_packb_gemm(nc, kc, xg + (jc * hw + pc) * 4, 1, hw, 0, packedB);
          else x32_packbt_conv2d(g, nc, kc, pc, jc, xg, hp, wp, packedB);
          x32_packa_gemm(rows, kc, dyg + pc * 4, hw, 1, packedA);
          tiles(rows, nc, kc, packedA, packedB, dwg + jc * 4, k * 4, n > 0 || pc > 0 ? UK_LOAD_C : 0);
        }
      }
    }
  }
}
