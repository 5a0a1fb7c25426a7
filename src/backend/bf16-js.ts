// The JS reference of the bfloat16 family (src/backend/bf16-types.ts): the js backend's table and
// what the wasm kernels are tested against. The conversions give the same bits as the wasm
// kernels; the GEMM and convolutions widen their bfloat16 operands and run the float32 references.
import type { Bf16Kernels, Bf16Matrix } from "./bf16-types.js";
import { conv2dBackwardJs, conv2dJs, conv2dReluMaxPoolBackwardJs, conv2dReluMaxPoolJs } from "./conv-js.js";
import { gemmJs } from "./js-kernels.js";

/** Bits of float32 bit pattern `f` rounded to bfloat16 (round to nearest, ties to even). */
export function bf16BitsOfF32Bits(f: number): number {
  // NaN keeps its sign and top payload with the quiet bit set; the sum below cannot pass 2³² otherwise.
  if ((f & 0x7fffffff) >>> 0 > 0x7f800000) return ((f >>> 16) | 0x40) & 0xffff;
  return ((f >>> 0) + 0x7fff + ((f >>> 16) & 1)) >>> 16;
}

export function f32ToBf16Js(x: Float32Array, out: Uint16Array): void {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < u.length; i++) out[i] = bf16BitsOfF32Bits(u[i]);
}

export function bf16ToF32Js(bits: Uint16Array, out: Float32Array): void {
  const u = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < bits.length; i++) u[i] = bits[i] << 16;
}

const widen = (bits: Uint16Array): Float32Array => {
  const out = new Float32Array(bits.length);
  bf16ToF32Js(bits, out);
  return out;
};

/** The float32 values of a bfloat16 window's span (same offsets and strides). */
function widenSpan(b: Bf16Matrix, rows: number, cols: number): Float32Array {
  if (rows === 0 || cols === 0) return new Float32Array(0);
  const span = (rows - 1) * b.rowStride + (cols - 1) * b.colStride + 1;
  return widen(b.bits.subarray(b.offset, b.offset + span));
}

/** g masked where the bfloat16 bits say the relu output is > 0. */
function maskedByBits(g: Float32Array, bits: Uint16Array, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const h = bits[i];
    if (h !== 0 && h <= 0x7f80) out[i] = g[i];
  }
  return out;
}

/** Σ over the m rows of g [m×n], in float64 row by row, rounded to float32. */
function columnSums(g: Float32Array, m: number, n: number): Float32Array {
  const acc = new Float64Array(n);
  for (let i = 0, r = 0; i < m; i++, r += n) for (let j = 0; j < n; j++) acc[j] += g[r + j];
  return Float32Array.from(acc);
}

export const jsBf16Kernels: Bf16Kernels = {
  f32ToBf16: f32ToBf16Js,
  bf16ToF32: bf16ToF32Js,
  f32GemmBf16B(m, n, k, a, b, c, o = {}) {
    gemmJs(m, n, k, a, { data: widenSpan(b, k, n), offset: 0, rowStride: b.rowStride, colStride: b.colStride }, c, 0, o);
    if (o.outBits) f32ToBf16Js(c.subarray(0, m * n), o.outBits);
  },
  reluBackwardBits(g, yBits, m, n, sums) {
    const masked = yBits ? maskedByBits(g, yBits, m * n) : g;
    return { g: masked, db: sums ? columnSums(masked, m, n) : null };
  },
  conv2d(x, w, bias, g, o = {}) {
    const y = conv2dJs(x, w instanceof Uint16Array ? widen(w) : w, bias, g, { relu: o.relu === true }) as Float32Array;
    if (o.xBits) f32ToBf16Js(x, o.xBits);
    if (o.yBits) f32ToBf16Js(y, o.yBits);
    return y;
  },
  conv2dBackward(xBits, w, dy, yBits, g, want) {
    return conv2dBackwardJs(widen(xBits), w instanceof Uint16Array ? widen(w) : w, dy, yBits ? widen(yBits) : null, g, want);
  },
  conv2dReluMaxPool(x, w, bias, g, o) {
    const r = conv2dReluMaxPoolJs(x, w, bias, g);
    if (o.xBits) f32ToBf16Js(x, o.xBits);
    f32ToBf16Js(r.y, o.yBits);
    return r;
  },
  conv2dReluMaxPoolBackward: (xBits, w, dy, yBits, code, g, want) =>
    conv2dReluMaxPoolBackwardJs(widen(xBits), w, dy, widen(yBits), code, g, want),
};
