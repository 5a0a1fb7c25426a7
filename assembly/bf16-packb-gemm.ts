// Packing of a bfloat16 B operand into the float32 panels of the 4x8 micro-kernel, widening on
// the way (a bfloat16 is the upper half of a float32: zero-extend, shift left 16, exact). The
// panel layout is x32_packb_gemm's, so the unchanged micro-kernel runs on it and accumulates in
// float32; only the bytes read from B are halved.
import { NR } from "./f32-gemm-4x8-wasmsimd";
import { storeBiasHeader, transpose4x4Store } from "./x32-pack-gemm";

// Four bfloat16 at p (8 bytes) as four float32.
// @ts-ignore: decorator
@inline function widen4(p: usize): v128 {
  return i32x4.shl(v128.load16x4_u(p), 16);
}

/**
 * Packs the kc×nc window of bfloat16 B at byte pointer b (element (p, j) at b + 2·(p·rs + j·cs))
 * into ⌈nc/NR⌉ float32 panels of NR + kc·NR floats: NR bias values (float32 at bias + 4·j, or
 * zeros if bias = 0) then kc rows of NR. Columns past nc are zeros.
 */
export function bf16_packb_gemm(nc: usize, kc: usize, b: usize, rs: usize, cs: usize, bias: usize, dst: usize): void {
  const rsb = rs << 1, csb = cs << 1;
  for (let j0: usize = 0; j0 < nc; j0 += NR) {
    const nr = min(NR, nc - j0);
    storeBiasHeader(dst, bias, j0, nr);
    const src = b + j0 * csb;
    let d = dst + NR * 4;
    let p: usize = 0;
    if (nr == NR && cs == 1) {
      // Row-major B (an activation read for dW, or W read for dX): 8 adjacent values per row.
      for (; p < kc; p++) {
        const s = src + p * rsb;
        v128.store(d, widen4(s));
        v128.store(d, widen4(s + 8), 16);
        d += NR * 4;
      }
    } else if (nr == NR && rs == 1) {
      // Column-major B (W transposed in the forward): 4 steps of each column, two 4x4 transposes.
      const s0 = src, s1 = s0 + csb, s2 = s1 + csb, s3 = s2 + csb;
      const s4 = s3 + csb, s5 = s4 + csb, s6 = s5 + csb, s7 = s6 + csb;
      for (; p + 4 <= kc; p += 4) {
        const o = p << 1;
        transpose4x4Store(widen4(s0 + o), widen4(s1 + o), widen4(s2 + o), widen4(s3 + o), d, NR * 4);
        transpose4x4Store(widen4(s4 + o), widen4(s5 + o), widen4(s6 + o), widen4(s7 + o), d + 16, NR * 4);
        d += 4 * NR * 4;
      }
    }
    for (; p < kc; p++) {
      for (let j: usize = 0; j < NR; j++) {
        store<u32>(d + (j << 2), j < nr ? <u32>load<u16>(src + p * rsb + j * csb) << 16 : 0);
      }
      d += NR * 4;
    }
    dst += (kc + 1) * NR * 4;
  }
}
