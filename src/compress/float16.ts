import { DTypeError } from "../errors.js";
import { Tensor, fromTypedArray } from "../ndarray/index.js";

/**
 * float16 (IEEE 754 binary16) and bfloat16 as storage formats: conversion from float32 rounds to
 * nearest, ties to even, overflows to ±Inf, keeps NaN a (quiet) NaN and handles subnormals;
 * conversion back is exact. float64 values round to float16 once, directly (as numpy's
 * astype(float16)); to bfloat16 through float32 (as torch's to(bfloat16)).
 */
export interface HalfTensor {
  readonly dtype: "float16" | "bfloat16";
  readonly shape: readonly number[];
  /** The raw 16-bit patterns, row-major. */
  readonly bits: Uint16Array;
}

// One scratch word viewed both ways: the bit pattern of a float32.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The bits of the float32 nearest x, except that an inexact result gets an odd last bit (round
 * to odd): a second rounding to ≤ 22 significant bits then gives x's own nearest value, where
 * rounding to nearest twice can land on the wrong side of a tie (1 + 2⁻¹¹ + 2⁻⁴⁰ would become 1).
 */
function f32BitsRoundedToOdd(x: number): number {
  f32[0] = x;
  const rounded = f32[0];
  let bits = u32[0];
  if (rounded !== x && x === x && (bits & 1) === 0) bits += Math.abs(rounded) < Math.abs(x) ? 1 : -1;
  return bits;
}

/** Bits of `x` (any double, float32 values exactly) rounded to binary16. */
export function f32ToF16Bits(x: number): number {
  const f = f32BitsRoundedToOdd(x);
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  let mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): shift the full significand right, rounding half to even.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1))) half++;
    return sign | half; // a carry out of the mantissa correctly makes the smallest normal
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++; // a carry may round up to Inf: correct
  return half;
}

/** The exact value of binary16 bits. */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** Bits of float32 `x` rounded to bfloat16 (the upper half of a float32). */
export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  const f = u32[0];
  if ((f & 0x7f800000) === 0x7f800000 && (f & 0x7fffff)) return (f >>> 16) | 0x40; // stay a quiet NaN
  // Round half to even on the 16 dropped bits; computed in doubles, so no 32-bit overflow.
  return Math.floor((f + 0x7fff + ((f >>> 16) & 1)) / 65536) & 0xffff;
}

export function bf16BitsToNumber(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

function checkFloat(t: Tensor, where: string): void {
  if (!(t instanceof Tensor) || (t.dtype !== "float32" && t.dtype !== "float64")) {
    throw new DTypeError(`${where}: expected a float32 or float64 Tensor${t instanceof Tensor ? `, got ${t.dtype}` : ""}`);
  }
}

function encode(t: Tensor, dtype: HalfTensor["dtype"], convert: (x: number) => number): HalfTensor {
  checkFloat(t, dtype === "float16" ? "toFloat16" : "toBFloat16");
  const src = t.data;
  const bits = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) bits[i] = convert(src[i]);
  return { dtype, shape: t.shape.slice(), bits };
}

function decode(h: HalfTensor, dtype: HalfTensor["dtype"], convert: (b: number) => number): Tensor {
  if (!h || h.dtype !== dtype || !(h.bits instanceof Uint16Array)) {
    throw new DTypeError(`from${dtype === "float16" ? "Float16" : "BFloat16"}: expected a ${dtype} HalfTensor`);
  }
  const out = new Float32Array(h.bits.length);
  for (let i = 0; i < out.length; i++) out[i] = convert(h.bits[i]);
  return fromTypedArray(out, h.shape);
}

export const toFloat16 = (t: Tensor): HalfTensor => encode(t, "float16", f32ToF16Bits);
export const fromFloat16 = (h: HalfTensor): Tensor => decode(h, "float16", f16BitsToNumber);
export const toBFloat16 = (t: Tensor): HalfTensor => encode(t, "bfloat16", f32ToBf16Bits);
export const fromBFloat16 = (h: HalfTensor): Tensor => decode(h, "bfloat16", bf16BitsToNumber);
