// The dynamic quantization of a float32 input in wasm that the int8 linear (compress-wasm.ts)
// and int8 convolution (qs8-conv-wasm.ts) kernels both start with.
import type { Arena } from "./arena.js";
import type { Qs8LinearOptions, Qs8LinearParams } from "./compress-types.js";
import type { KernelExports } from "./kernel-exports.js";

/** [min, max] of `size` float32 values already in scratch at `xPtr` (f32_minmax). */
function rangeOf(wasm: KernelExports, arena: Arena, size: number, xPtr: number): [number, number] {
  const r = arena.alloc(8);
  wasm.f32_minmax(size, xPtr, r);
  const v = arena.f32(r, 2);
  return [v[0], v[1]];
}

/**
 * Copies `size` float32 values of xs from xOffset into scratch and quantizes them there
 * (quantizeInScratch). Returns the quantized input's pointer (valid until the scratch reset)
 * and the parameters used.
 */
export function quantizeInputWasm(wasm: KernelExports, arena: Arena, xs: Float32Array, xOffset: number, size: number,
                                  o: Qs8LinearOptions): { xPtr: number; p: Qs8LinearParams } {
  const xfPtr = arena.alloc(size * 4);
  arena.f32(xfPtr, size).set(xs.subarray(xOffset, xOffset + size));
  return quantizeInScratch(wasm, arena, xfPtr, size, o);
}

/**
 * Quantizes `size` float32 values already in scratch at xfPtr: their range measured there when
 * o.needsRange, then qs8_quantize_f32 with o.params(min, max) into new scratch. Returns the
 * quantized values' pointer (valid until the scratch reset) and the parameters used.
 */
export function quantizeInScratch(wasm: KernelExports, arena: Arena, xfPtr: number, size: number,
                                  o: Qs8LinearOptions): { xPtr: number; p: Qs8LinearParams } {
  const [lo, hi] = o.needsRange ? rangeOf(wasm, arena, size, xfPtr) : [NaN, NaN];
  const p = o.params(lo, hi);
  const xPtr = arena.alloc(size);
  wasm.qs8_quantize_f32(size, xfPtr, p.scaleA, p.zeroPointA, o.signed ? 1 : 0, xPtr);
  return { xPtr, p };
}
