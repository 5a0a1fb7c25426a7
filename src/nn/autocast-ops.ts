// The ops a bfloat16 autocast scope runs instead of float32 linear and conv2d (src/nn/autocast.ts):
// the activations the backward needs (the input for dW, the relu output for the mask) are saved
// as bfloat16 and widened when the backward reads them (dW through the GEMM that widens its
// bfloat16 B while packing). Weights are read in float32 and every sum is float32. Each backward
// rule sits next to its forward.
import { bf16Kernels, kernels, type Conv2dGeometry } from "../backend/index.js";
import { isGradEnabled, record, Tensor } from "../ndarray/index.js";

/** What an op asks of the scope it runs in. */
export interface Bf16Store {
  /** bfloat16 bits an op of this scope already made of t's values, or null. */
  knownBits(t: Tensor): Uint16Array | null;
  /** Records `bits` as the bfloat16 copy of the values in `data`, for later ops of the scope. */
  remember(data: Float32Array, bits: Uint16Array): void;
}

const EMPTY = new Uint16Array(0);
const asF32 = (t: Tensor): Tensor => (t.dtype === "float32" ? t : t.astype("float32"));

/** The bfloat16 bits of a contiguous float32 tensor's values: the scope's copy, or a new one. */
function activationBits(store: Bf16Store, t: Tensor): Uint16Array {
  const known = store.knownBits(t);
  if (known) return known;
  const data = t.data as Float32Array, bits = new Uint16Array(data.length);
  bf16Kernels().f32ToBf16(data, bits);
  return bits;
}

/** linear(x, W, b) (relu) with bfloat16 saved activations; x, W float32. */
export function linearBf16(store: Bf16Store, x: Tensor, weight: Tensor, bias: Tensor | null, relu: boolean): Tensor {
  const [outF, inF] = weight.shape;
  // The row count spelled out: reshape cannot infer a -1 next to an inF of 0.
  const m = x.shape.slice(0, -1).reduce((a, b) => a * b, 1), x2 = x.reshape([m, inF]);
  const bs = bias ? asF32(bias) : null, w = asF32(weight);
  const wantX = x2.requiresGrad, wantW = weight.requiresGrad, wantB = bs?.requiresGrad === true;
  const saving = isGradEnabled() && (wantX || wantW || wantB);
  const out = new Float32Array(m * outF), outBits = relu && saving ? new Uint16Array(m * outF) : null;
  const ws = w.storage as Float32Array;
  kernels().f32Gemm(m, outF, inF, { data: x2.storage as Float32Array, offset: x2.offset, rowStride: x2.strides[0], colStride: x2.strides[1] },
    { data: ws, offset: w.offset, rowStride: w.strides[1], colStride: w.strides[0] }, out, 0, { bias: bs ? (bs.data as Float32Array) : null, relu });
  if (outBits) {
    bf16Kernels().f32ToBf16(out, outBits);
    store.remember(out, outBits);
  }
  const y = new Tensor(out, "float32", [m, outF]);
  if (saving) {
    const xBits = wantW ? activationBits(store, x2) : EMPTY;
    const wOffset = w.offset, wRow = w.strides[0], wCol = w.strides[1];
    record(y, relu ? "linearRelu" : "linear", bs ? [x2, weight, bs] : [x2, weight], (gIn) => {
      const { g, db } = bf16Kernels().reluBackwardBits(gIn.data as Float32Array, outBits, m, outF, wantB);
      let dx: Tensor | null = null, dw: Tensor | null = null;
      if (wantX) {
        const d = new Float32Array(m * inF);
        kernels().f32Gemm(m, inF, outF, { data: g, offset: 0, rowStride: outF, colStride: 1 }, { data: ws, offset: wOffset, rowStride: wRow, colStride: wCol }, d, 0);
        dx = new Tensor(d, "float32", [m, inF]);
      }
      if (wantW) {
        const d = new Float32Array(outF * inF);
        bf16Kernels().f32GemmBf16B(outF, inF, m, { data: g, offset: 0, rowStride: 1, colStride: outF }, { bits: xBits, offset: 0, rowStride: inF, colStride: 1 }, d);
        dw = new Tensor(d, "float32", [outF, inF]);
      }
      return [dx, dw, db ? new Tensor(db, "float32", [outF]) : null];
    });
  }
  return y.reshape([...x.shape.slice(0, -1), outF]);
}

/** conv2d of 4-D float32 x and weight (geometry resolved) with bfloat16 saved activations. */
export function conv2dBf16(store: Bf16Store, x: Tensor, w: Tensor, b: Tensor | null, g: Conv2dGeometry, relu: boolean): Tensor {
  const want = { input: x.requiresGrad, weight: w.requiresGrad, bias: b?.requiresGrad === true };
  const saving = isGradEnabled() && (want.input || want.weight || want.bias);
  const wd = w.data as Float32Array;
  const xd = x.data as Float32Array, outN = g.batch * g.outChannels * g.outH * g.outW;
  // The input is narrowed inside the convolution's own pass unless an earlier op of the scope did.
  const known = saving && want.weight ? store.knownBits(x) : null;
  const xBits = saving && want.weight && !known ? new Uint16Array(xd.length) : null;
  const yBits = saving && relu ? new Uint16Array(outN) : null;
  const y = bf16Kernels().conv2d(xd, wd, b ? (b.data as Float32Array) : null, g, { relu, xBits, yBits });
  if (yBits) store.remember(y, yBits);
  const out = new Tensor(y, "float32", [g.batch, g.outChannels, g.outH, g.outW]);
  if (!saving) return out;
  const savedX = known ?? xBits ?? EMPTY, xShape = x.shape, wShape = w.shape;
  return record(out, relu ? "conv2dRelu" : "conv2d", b ? [x, w, b] : [x, w], (gIn) => {
    const r = bf16Kernels().conv2dBackward(savedX, wd, gIn.data as Float32Array, yBits, g, want);
    return [
      r.dx ? new Tensor(r.dx, "float32", xShape) : null,
      r.dw ? new Tensor(r.dw, "float32", wShape) : null,
      r.db ? new Tensor(r.db, "float32", [g.outChannels]) : null,
    ];
  });
}

/**
 * Conv→ReLU→2×2 max pooling (src/nn/conv.ts, conv2dReluMaxPool2x2) with bfloat16 saved
 * activations: the input for dW and the pooled output, whose sign is the relu's mask at each
 * window's winning tap; the taps themselves are bytes, as in float32.
 */
export function conv2dReluMaxPoolBf16(store: Bf16Store, x: Tensor, w: Tensor, b: Tensor | null, g: Conv2dGeometry): Tensor {
  const want = { input: x.requiresGrad, weight: w.requiresGrad, bias: b?.requiresGrad === true };
  const saving = isGradEnabled() && (want.input || want.weight || want.bias);
  const wd = w.data as Float32Array, xd = x.data as Float32Array;
  const known = saving && want.weight ? store.knownBits(x) : null;
  const xBits = saving && want.weight && !known ? new Uint16Array(xd.length) : null;
  const yBits = new Uint16Array(g.batch * g.outChannels * (g.outH >> 1) * (g.outW >> 1));
  const { y, code } = bf16Kernels().conv2dReluMaxPool(xd, wd, b ? (b.data as Float32Array) : null, g, { xBits, yBits });
  store.remember(y, yBits);
  const out = new Tensor(y, "float32", [g.batch, g.outChannels, g.outH >> 1, g.outW >> 1]);
  if (!saving) return out;
  const savedX = known ?? xBits ?? EMPTY, xShape = x.shape, wShape = w.shape;
  return record(out, "conv2dReluMaxPool2x2", b ? [x, w, b] : [x, w], (gIn) => {
    const r = bf16Kernels().conv2dReluMaxPoolBackward(savedX, wd, gIn.data as Float32Array, yBits, code, g, want);
    return [
      r.dx ? new Tensor(r.dx, "float32", xShape) : null,
      r.dw ? new Tensor(r.dw, "float32", wShape) : null,
      r.db ? new Tensor(r.db, "float32", [g.outChannels]) : null,
    ];
  });
}
