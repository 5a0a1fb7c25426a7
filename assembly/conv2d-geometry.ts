// The geometry of one convolution as the JS side writes it into memory: 16 i32 in the field
// order of src/backend/conv-geometry.ts (Conv2dGeometry). An unmanaged class is a typed view of
// those bytes: reading a field is one load, and nothing is allocated.

// @ts-ignore: decorator
@unmanaged
export class Conv2dGeometry {
  batch: i32;
  inChannels: i32;
  inH: i32;
  inW: i32;
  outChannels: i32;
  outH: i32;
  outW: i32;
  kernelH: i32;
  kernelW: i32;
  strideH: i32;
  strideW: i32;
  padTop: i32;
  padLeft: i32;
  dilationH: i32;
  dilationW: i32;
  groups: i32;
}

/**
 * Rows of the zero-padded image the patches are read from: the padded input, or the rows the
 * kernel window reaches if that is more (PyTorch's implicit bottom padding of "same").
 */
// @ts-ignore: decorator
@inline export function paddedH(g: Conv2dGeometry): usize {
  return <usize>max(g.padTop + g.inH, (g.outH - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1);
}

// @ts-ignore: decorator
@inline export function paddedW(g: Conv2dGeometry): usize {
  return <usize>max(g.padLeft + g.inW, (g.outW - 1) * g.strideW + (g.kernelW - 1) * g.dilationW + 1);
}

/** Whether patches read outside the input, so the image is first copied into a zeroed padded buffer. */
// @ts-ignore: decorator
@inline export function needsPadding(g: Conv2dGeometry): bool {
  return g.padTop != 0 || g.padLeft != 0 || paddedH(g) != <usize>g.inH || paddedW(g) != <usize>g.inW;
}

/**
 * A 1×1, stride-1, unpadded convolution whose output is as large as its input: the patch matrix
 * is the image itself, a plain GEMM. (A transposed convolution with an outputPadding of stride or
 * more gives a geometry whose input has rows and columns past the output's, which no patch reads.)
 */
// @ts-ignore: decorator
@inline export function isPointwise(g: Conv2dGeometry): bool {
  return g.kernelH == 1 && g.kernelW == 1 && g.strideH == 1 && g.strideW == 1 && !needsPadding(g)
    && g.outH == g.inH && g.outW == g.inW;
}

/**
 * Copies image n's channels (cin × inH × inW at x) into the zeroed cin × hp × wp buffer dst at
 * (padTop, padLeft); with c0 > 0 only channels c0..cin, each to its own place in dst (a tile of a
 * split pass that reads no other channel).
 */
export function padImage(g: Conv2dGeometry, cin: usize, x: usize, hp: usize, wp: usize, dst: usize, c0: usize = 0): void {
  memory.fill(dst + c0 * hp * wp * 4, 0, (cin - c0) * hp * wp * 4);
  const inH = <usize>g.inH, inW = <usize>g.inW;
  const rowBytes = inW * 4;
  for (let c = c0; c < cin; c++) {
    let d = dst + ((c * hp + <usize>g.padTop) * wp + <usize>g.padLeft) * 4;
    let s = x + c * inH * rowBytes;
    for (let r: usize = 0; r < inH; r++) {
      memory.copy(d, s, rowBytes);
      d += wp * 4;
      s += rowBytes;
    }
  }
}

/** The inverse of padImage for gradients: copies the inner cin × inH × inW window of src to dst. */
export function cropImage(g: Conv2dGeometry, cin: usize, src: usize, hp: usize, wp: usize, dst: usize): void {
  const inH = <usize>g.inH, inW = <usize>g.inW;
  const rowBytes = inW * 4;
  for (let c: usize = 0; c < cin; c++) {
    let s = src + ((c * hp + <usize>g.padTop) * wp + <usize>g.padLeft) * 4;
    let d = dst + c * inH * rowBytes;
    for (let r: usize = 0; r < inH; r++) {
      memory.copy(d, s, rowBytes);
      s += wp * 4;
      d += rowBytes;
    }
  }
}
