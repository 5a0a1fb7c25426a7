// Depthwise convolution (groups = inChannels, each input channel feeding outChannels/groups
// outputs): a patch has only kH·kW elements, too few for the GEMM's micro-kernel to pay off, so
// each output row is accumulated directly: y[oy, :] += w[tap] · x_padded[row of the tap, :],
// four pixels per instruction when the stride along W is 1.
import { Conv2dGeometry, padImage, paddedH, paddedW } from "./conv2d-geometry";
import { GEMM_RELU } from "./flags";

/** Bytes of scratch f32_dwconv2d needs: one zero-padded input channel. */
export function f32_dwconv2d_workspace(geometry: usize): i32 {
  const g = changetype<Conv2dGeometry>(geometry);
  return <i32>(paddedH(g) * paddedW(g) * 4);
}

/**
 * y = conv2d(x, w) + bias (relu with GEMM_RELU) for groups = inChannels; w [Cout, 1, kH, kW].
 * bias = 0: none. work: f32_dwconv2d_workspace(geometry) bytes.
 */
export function f32_dwconv2d(geometry: usize, x: usize, w: usize, bias: usize, y: usize, flags: i32, work: usize): void {
  const g = changetype<Conv2dGeometry>(geometry);
  const cin = <usize>g.inChannels, cout = <usize>g.outChannels, multiplier = cout / cin;
  const hp = paddedH(g), wp = paddedW(g);
  const outH = <usize>g.outH, outW = <usize>g.outW, taps = <usize>(g.kernelH * g.kernelW);
  const plane = outH * outW, inPlane = <usize>(g.inH * g.inW);
  for (let n: usize = 0; n < <usize>g.batch; n++) {
    for (let ci: usize = 0; ci < cin; ci++) {
      padImage(g, 1, x + (n * cin + ci) * inPlane * 4, hp, wp, work);
      for (let m: usize = 0; m < multiplier; m++) {
        const co = ci * multiplier + m;
        const yc = y + (n * cout + co) * plane * 4;
        const b: f32 = bias != 0 ? load<f32>(bias + co * 4) : 0;
        for (let oy: usize = 0; oy < outH; oy++) {
          channelRow(g, work, wp, w + co * taps * 4, oy, yc + oy * outW * 4, b, (flags & GEMM_RELU) != 0);
        }
      }
    }
  }
}

/** Output row oy of one channel: bias, then every tap's weighted input row, then relu. */
function channelRow(g: Conv2dGeometry, xp: usize, wp: usize, w: usize, oy: usize, yRow: usize, b: f32, relu: bool): void {
  const outW = <usize>g.outW, kH = <usize>g.kernelH, kW = <usize>g.kernelW;
  const sW = <usize>g.strideW;
  let j: usize = 0;
  const vb = f32x4.splat(b);
  for (; j + 4 <= outW; j += 4) v128.store(yRow + j * 4, vb);
  for (; j < outW; j++) store<f32>(yRow + j * 4, b);
  for (let kh: usize = 0; kh < kH; kh++) {
    const row = xp + ((oy * <usize>g.strideH + kh * <usize>g.dilationH) * wp) * 4;
    for (let kw: usize = 0; kw < kW; kw++) {
      const wt = load<f32>(w + (kh * kW + kw) * 4);
      const src = row + kw * <usize>g.dilationW * 4;
      j = 0;
      if (sW == 1) {
        const vw = f32x4.splat(wt);
        for (; j + 4 <= outW; j += 4) {
          const d = yRow + j * 4;
          v128.store(d, f32x4.add(v128.load(d), f32x4.mul(vw, v128.load(src + j * 4))));
        }
      }
      for (; j < outW; j++) {
        const d = yRow + j * 4;
        store<f32>(d, load<f32>(d) + wt * load<f32>(src + j * sW * 4));
      }
    }
  }
  if (relu) {
    const zero = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= outW; j += 4) v128.store(yRow + j * 4, f32x4.pmax(v128.load(yRow + j * 4), zero));
    for (; j < outW; j++) {
      const v = load<f32>(yRow + j * 4);
      store<f32>(yRow + j * 4, v < 0 ? 0 : v);
    }
  }
}
