// The inner loop of a 4x8 GEMM micro-kernel with its data held in L1 (a 4 KB buffer read over
// and over): per step two B vectors and four broadcast A values are loaded and eight products
// accumulated. Nothing waits on memory, so only the CPU's execution ports limit the rate — the
// ceiling of that instruction mix on this machine, for our kernels and for XNNPACK's alike.

const WRAP: usize = 4096 - 1;

/** f32x4.mul + f32x4.add, as plain SIMD must: 64 FLOP per step. */
export function f32_mul_add(steps: i32, buf: usize): f32 {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  let off: usize = 0;
  for (let i = 0; i < steps; i++) {
    const p = buf + off;
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    const a0 = v128.load32_splat(p, 32), a1 = v128.load32_splat(p, 36);
    const a2 = v128.load32_splat(p, 40), a3 = v128.load32_splat(p, 44);
    c0 = f32x4.add(c0, f32x4.mul(a0, b0)); c1 = f32x4.add(c1, f32x4.mul(a0, b1));
    c2 = f32x4.add(c2, f32x4.mul(a1, b0)); c3 = f32x4.add(c3, f32x4.mul(a1, b1));
    c4 = f32x4.add(c4, f32x4.mul(a2, b0)); c5 = f32x4.add(c5, f32x4.mul(a2, b1));
    c6 = f32x4.add(c6, f32x4.mul(a3, b0)); c7 = f32x4.add(c7, f32x4.mul(a3, b1));
    off = (off + 48) & WRAP;
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7))), 0);
}

/** f32x4.relaxed_madd (a fused multiply-add on x64 and arm64): 64 FLOP per step. */
export function f32_madd(steps: i32, buf: usize): f32 {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  let off: usize = 0;
  for (let i = 0; i < steps; i++) {
    const p = buf + off;
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    const a0 = v128.load32_splat(p, 32), a1 = v128.load32_splat(p, 36);
    const a2 = v128.load32_splat(p, 40), a3 = v128.load32_splat(p, 44);
    c0 = f32x4.relaxed_madd(a0, b0, c0); c1 = f32x4.relaxed_madd(a0, b1, c1);
    c2 = f32x4.relaxed_madd(a1, b0, c2); c3 = f32x4.relaxed_madd(a1, b1, c3);
    c4 = f32x4.relaxed_madd(a2, b0, c4); c5 = f32x4.relaxed_madd(a2, b1, c5);
    c6 = f32x4.relaxed_madd(a3, b0, c6); c7 = f32x4.relaxed_madd(a3, b1, c7);
    off = (off + 48) & WRAP;
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7))), 0);
}

/** i32x4.dot_i16x8_s + i32x4.add on i16 pairs (the int8 kernel's 4x8c2 step): 128 OPS per step. */
export function i16_dot_add(steps: i32, buf: usize): i32 {
  let c0 = i32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  let off: usize = 0;
  for (let i = 0; i < steps; i++) {
    const p = buf + off;
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    const a0 = v128.load32_splat(p, 32), a1 = v128.load32_splat(p, 36);
    const a2 = v128.load32_splat(p, 40), a3 = v128.load32_splat(p, 44);
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(a0, b0)); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(a0, b1));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(a1, b0)); c3 = i32x4.add(c3, i32x4.dot_i16x8_s(a1, b1));
    c4 = i32x4.add(c4, i32x4.dot_i16x8_s(a2, b0)); c5 = i32x4.add(c5, i32x4.dot_i16x8_s(a2, b1));
    c6 = i32x4.add(c6, i32x4.dot_i16x8_s(a3, b0)); c7 = i32x4.add(c7, i32x4.dot_i16x8_s(a3, b1));
    off = (off + 48) & WRAP;
  }
  return i32x4.extract_lane(i32x4.add(i32x4.add(i32x4.add(c0, c1), i32x4.add(c2, c3)), i32x4.add(i32x4.add(c4, c5), i32x4.add(c6, c7))), 0);
}

/**
 * The int8 step's arithmetic alone: dot_i16x8_s + add with every operand in a register (no
 * loads, no pointer), 128 OPS per step. The rate of the two instructions themselves, which a
 * GEMM, loading its operands, can approach but not pass.
 */
export function i16_dot_add_registers(steps: i32, buf: usize): i32 {
  const b0 = v128.load(buf), b1 = v128.load(buf, 16);
  const a0 = v128.load32_splat(buf, 32), a1 = v128.load32_splat(buf, 36);
  const a2 = v128.load32_splat(buf, 40), a3 = v128.load32_splat(buf, 44);
  let c0 = i32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  for (let i = 0; i < steps; i++) {
    c0 = i32x4.add(c0, i32x4.dot_i16x8_s(a0, b0)); c1 = i32x4.add(c1, i32x4.dot_i16x8_s(a0, b1));
    c2 = i32x4.add(c2, i32x4.dot_i16x8_s(a1, b0)); c3 = i32x4.add(c3, i32x4.dot_i16x8_s(a1, b1));
    c4 = i32x4.add(c4, i32x4.dot_i16x8_s(a2, b0)); c5 = i32x4.add(c5, i32x4.dot_i16x8_s(a2, b1));
    c6 = i32x4.add(c6, i32x4.dot_i16x8_s(a3, b0)); c7 = i32x4.add(c7, i32x4.dot_i16x8_s(a3, b1));
  }
  return i32x4.extract_lane(i32x4.add(i32x4.add(i32x4.add(c0, c1), i32x4.add(c2, c3)), i32x4.add(i32x4.add(c4, c5), i32x4.add(c6, c7))), 0);
}
