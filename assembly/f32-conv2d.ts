// The f32 convolution as an implicit GEMM, per image and group:
//   Y[Cout/g, outH·outW] = W[Cout/g, K] · patches[K, outH·outW],  K = Cin/g·kH·kW.
// The weights are packed into A panels once per call; the patches are packed straight from the
// (padded) image into B panels one KC×NC block at a time (x32_packb_conv2d); the 4x8 micro-kernel
// of the GEMM does the arithmetic. A 1×1 stride-1 unpadded convolution packs the image itself.
// The bias is per row (output channel), which the micro-kernel's per-column bias header cannot
// express, so Y starts as the bias rows and every k-block accumulates.
// A 3×3 stride-1 convolution with channels in fours from 8 (winogradApplies) runs as Winograd
// F(2×2, 3×3) instead (f32-conv2d-winograd.ts): 2.25× fewer multiply-adds, the same interface.
import { MR, NR, UK_LAST, UK_LOAD_C, UK_RELU } from "./f32-gemm-4x8-wasmsimd";
import { tiles } from "./f32-gemm";
import { x32_packa_gemm, x32_packb_gemm } from "./x32-pack-gemm";
import { x32_packb_conv2d } from "./x32-packb-conv2d";
import { Conv2dGeometry, isPointwise, needsPadding, padImage, paddedH, paddedW } from "./conv2d-geometry";
import { GEMM_RELU } from "./flags";
import { winogradApplies, winogradForward, winogradForwardBytes } from "./f32-conv2d-winograd";
// The same blocking as f32_gemm_batch: KC·NR floats of B stay in L1.
import { KC, NC, evenBlock, roundUp } from "./gemm-blocking";

/** Bytes of scratch f32_conv2d needs: packed weights, one packed patch block, one padded image. */
export function f32_conv2d_workspace(geometry: usize): i32 {
  const g = changetype<Conv2dGeometry>(geometry);
  if (winogradApplies(g)) return <i32>winogradForwardBytes(g);
  const groups = <usize>g.groups, mg = <usize>g.outChannels / groups;
  const k = <usize>(g.inChannels / g.groups * g.kernelH * g.kernelW), hw = <usize>(g.outH * g.outW);
  const kc = evenBlock(k, KC, 4), nc = roundUp(evenBlock(hw, NC, NR), NR);
  const image = needsPadding(g) ? <usize>g.inChannels * paddedH(g) * paddedW(g) : 0;
  return <i32>((groups * roundUp(mg, MR) * k + nc * (kc + 1) + image) * 4);
}

/**
 * y[N, Cout, outH, outW] = conv2d(x[N, Cin, inH, inW], w[Cout, Cin/groups, kH, kW]) + bias,
 * then relu if flags has GEMM_RELU. geometry: a Conv2dGeometry (16 i32). bias = 0: none.
 * work: f32_conv2d_workspace(geometry) bytes, 16-byte aligned.
 */
export function f32_conv2d(geometry: usize, x: usize, w: usize, bias: usize, y: usize, flags: i32, work: usize): void {
  const g = changetype<Conv2dGeometry>(geometry);
  if (winogradApplies(g)) {
    winogradForward(g, x, w, bias, y, (flags & GEMM_RELU) != 0, work);
    return;
  }
  const groups = <usize>g.groups, cin = <usize>g.inChannels, cout = <usize>g.outChannels;
  const cg = cin / groups, mg = cout / groups, mgPad = roundUp(mg, MR);
  const k = cg * <usize>(g.kernelH * g.kernelW), hw = <usize>(g.outH * g.outW);
  const kcBlock = evenBlock(k, KC, 4), ncBlock = evenBlock(hw, NC, NR);
  const pointwise = isPointwise(g), padded = needsPadding(g);
  const hp = padded ? paddedH(g) : <usize>g.inH, wp = padded ? paddedW(g) : <usize>g.inW;
  const packedW = work;
  const packedB = packedW + groups * mgPad * k * 4;
  const image = packedB + roundUp(ncBlock, NR) * (kcBlock + 1) * 4;
  // Weights once for the whole batch: group t's k-slice at pc holds mgPad·kc floats.
  for (let t: usize = 0; t < groups; t++) {
    for (let pc: usize = 0; pc < k; pc += kcBlock) {
      x32_packa_gemm(mg, min(kcBlock, k - pc), w + (t * mg * k + pc) * 4, k, 1, packedW + (t * mgPad * k + mgPad * pc) * 4);
    }
  }
  const relu: u32 = flags & GEMM_RELU ? UK_LAST | UK_RELU : 0;
  const inImage = cin * <usize>(g.inH * g.inW) * 4, plane = hp * wp * 4;
  for (let n: usize = 0; n < <usize>g.batch; n++) {
    let xn = x + n * inImage;
    if (padded) {
      padImage(g, cin, xn, hp, wp, image);
      xn = image;
    }
    for (let t: usize = 0; t < groups; t++) {
      const xg = xn + t * cg * plane;
      const yg = y + (n * cout + t * mg) * hw * 4;
      if (bias != 0) fillRows(yg, mg, hw, bias + t * mg * 4);
      for (let jc: usize = 0; jc < hw; jc += ncBlock) {
        const nc = min(ncBlock, hw - jc);
        for (let pc: usize = 0; pc < k; pc += kcBlock) {
          const kc = min(kcBlock, k - pc);
          if (pointwise) x32_packb_gemm(nc, kc, xg + (pc * hw + jc) * 4, hw, 1, 0, packedB);
          else x32_packb_conv2d(g, nc, kc, jc, pc, xg, hp, wp, packedB);
          const ukFlags: u32 = (pc > 0 || bias != 0 ? UK_LOAD_C : 0) | (pc + kc >= k ? relu : 0);
          tiles(mg, nc, kc, packedW + (t * mgPad * k + mgPad * pc) * 4, packedB, yg + jc * 4, hw * 4, ukFlags);
        }
      }
    }
  }
}

/** Row i of the rows×cols matrix at c becomes bias[i] everywhere. */
function fillRows(c: usize, rows: usize, cols: usize, bias: usize): void {
  for (let i: usize = 0; i < rows; i++) {
    const v = v128.load32_splat(bias + i * 4);
    let j: usize = 0;
    for (; j + 4 <= cols; j += 4) v128.store(c + j * 4, v);
    for (; j < cols; j++) store<f32>(c + j * 4, f32x4.extract_lane(v, 0));
    c += cols * 4;
  }
}
