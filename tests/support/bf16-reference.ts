// Independent float64 references for bfloat16 tests: the value of bfloat16 bits from its fields,
// the rounding of a float32 to bfloat16 from the definition (nearest, ties to even, on the value),
// and a direct convolution.
import type { Conv2dGeometry } from "../../src/backend/index.js";

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
export const valueOfF32Bits = (b: number) => { u32[0] = b; return f32[0]; };
const bitsOfF32 = (x: number) => { f32[0] = x; return u32[0]; };

/** The value of bfloat16 bits from its fields: sign, 8-bit exponent, 7-bit fraction. */
export function bf16Value(h: number): number {
  const sign = h & 0x8000 ? -1 : 1, e = (h >>> 7) & 0xff, f = h & 0x7f;
  if (e === 0xff) return f ? NaN : sign * Infinity;
  return e === 0 ? sign * f * 2 ** -133 : sign * (1 + f / 128) * 2 ** (e - 127);
}

/** x rounded to 8 significant bits (bfloat16) in float64, ties to even, overflow to ±Inf; its bits. */
export function bf16Reference(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return bitsOfF32(x) >>> 16;
  const a = Math.abs(x);
  const e = Math.max(Math.floor(Math.log2(a)), -126);
  // log2 may be off by one near powers of two: fix e so that 2^e ≤ a < 2^(e+1) (or subnormal).
  const exp = a >= 2 ** (e + 1) ? e + 1 : a < 2 ** e && e > -126 ? e - 1 : e;
  const ulp = 2 ** (exp - 7);
  const q = a / ulp, fl = Math.floor(q), rest = q - fl;
  const n = rest > 0.5 || (rest === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
  const r = n * ulp;
  const signBit = x < 0 ? 0x8000 : 0;
  if (r >= 2 ** 128) return signBit | 0x7f80;
  return (bitsOfF32(r) >>> 16) | signBit;
}


/** x's values rounded to bfloat16, as bits. */
export const toBits = (x: ArrayLike<number>): Uint16Array => Uint16Array.from(Array.from(x), bf16Reference);

/** Direct float64 convolution (NCHW, symmetric padding), from the definition. */
export function convReference(x: ArrayLike<number>, w: ArrayLike<number>, g: Conv2dGeometry): { y: Float64Array; abs: Float64Array } {
  const cg = g.inChannels / g.groups, mg = g.outChannels / g.groups;
  const y = new Float64Array(g.batch * g.outChannels * g.outH * g.outW), abs = new Float64Array(y.length);
  let o = 0;
  for (let n = 0; n < g.batch; n++) {
    for (let co = 0; co < g.outChannels; co++) {
      const grp = Math.floor(co / mg);
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++, o++) {
          for (let c = 0; c < cg; c++) {
            for (let kh = 0; kh < g.kernelH; kh++) {
              for (let kw = 0; kw < g.kernelW; kw++) {
                const iy = oy * g.strideH - g.padTop + kh * g.dilationH, ix = ox * g.strideW - g.padLeft + kw * g.dilationW;
                if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) continue;
                const prod = x[((n * g.inChannels + grp * cg + c) * g.inH + iy) * g.inW + ix] * w[((co * cg + c) * g.kernelH + kh) * g.kernelW + kw];
                y[o] += prod;
                abs[o] += Math.abs(prod);
              }
            }
          }
        }
      }
    }
  }
  return { y, abs };
}

