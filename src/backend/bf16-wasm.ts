// The wasm side of the bfloat16 family: each call copies its operands into scratch (bfloat16 as
// bits, half the bytes of float32), widens or narrows there with the conversion kernels, runs the
// float32 kernels (or the GEMM that widens B while packing) and copies the results out.
import { withScratch, type Arena } from "./arena.js";
import type { Bf16Kernels, Bf16Matrix } from "./bf16-types.js";
import type { Conv2dGeometry } from "./conv-geometry.js";
import { GEMM_ACCUMULATE, GEMM_RELU } from "./flags.js";
import type { Conv2dGradsWanted } from "./conv-js.js";
import type { KernelExports } from "./kernel-exports.js";
import { biasBackwardSplit } from "./parallel-elementwise.js";
import type { StridedMatrix } from "./kernels.js";

/** The order in which the kernels read Conv2dGeometry's fields (assembly/conv2d-geometry.ts). */
const FIELDS: readonly (keyof Conv2dGeometry)[] = [
  "batch", "inChannels", "inH", "inW", "outChannels", "outH", "outW", "kernelH", "kernelW",
  "strideH", "strideW", "padTop", "padLeft", "dilationH", "dilationW", "groups",
];

const inSize = (g: Conv2dGeometry) => g.batch * g.inChannels * g.inH * g.inW;
const outSize = (g: Conv2dGeometry) => g.batch * g.outChannels * g.outH * g.outW;
const weightSize = (g: Conv2dGeometry) => g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
const spanOf = (rows: number, cols: number, rs: number, cs: number) => (rows - 1) * rs + (cols - 1) * cs + 1;

/** Moving bfloat16 and float32 operands in and out of scratch (call inside withScratch). */
function scratchOps(wasm: KernelExports, arena: Arena) {
  const u16 = (ptr: number, n: number) => new Uint16Array(arena.memory.buffer, ptr, n);
  const bitsIn = (bits: Uint16Array): number => {
    const ptr = arena.alloc(bits.length * 2);
    u16(ptr, bits.length).set(bits);
    return ptr;
  };
  /** bfloat16 bits copied in and widened to float32 in scratch. */
  const widenIn = (bits: Uint16Array): number => {
    const src = bitsIn(bits), dst = arena.alloc(bits.length * 4);
    wasm.bf16_f32_vcvt(bits.length, src, dst);
    return dst;
  };
  return {
    bitsIn, widenIn,
    /** The float32 values at ptr rounded to bfloat16 into `out`. */
    narrowOut(ptr: number, out: Uint16Array): void {
      const dst = arena.alloc(out.length * 2);
      wasm.f32_bf16_vcvt(out.length, ptr, dst);
      out.set(u16(dst, out.length));
    },
    /** Weights in scratch as float32: copied, or widened from bfloat16 bits. */
    weightsIn: (w: Float32Array | Uint16Array, n: number): number =>
      (w instanceof Uint16Array ? widenIn(w.subarray(0, n)) : arena.copyIn(w.subarray(0, n))),
    geometryIn(g: Conv2dGeometry): number {
      const ptr = arena.alloc(FIELDS.length * 4), view = arena.i32(ptr, FIELDS.length);
      FIELDS.forEach((f, i) => { view[i] = g[f]; });
      return ptr;
    },
    copyOut: (ptr: number, n: number) => new Float32Array(arena.f32(ptr, n)),
  };
}

export function wasmBf16Kernels(wasm: KernelExports, arena: Arena): Bf16Kernels {
  const { bitsIn, widenIn, narrowOut, copyOut } = scratchOps(wasm, arena);
  return {
    ...convPasses(wasm, arena),
    f32ToBf16(x, out) {
      withScratch(arena, () => narrowOut(arena.copyIn(x), out));
    },
    bf16ToF32(bits, out) {
      withScratch(arena, () => out.set(arena.f32(widenIn(bits), bits.length)));
    },
    // In JS these two loops cost an MLP's bfloat16 step 7% over float32's, which runs them in wasm.
    reluBackwardBits(g, yBits, m, n, sums) {
      if (!yBits && !sums) return { g, db: null };
      return withScratch(arena, () => {
        const size = m * n, gp = arena.copyIn(g.subarray(0, size));
        if (yBits) wasm.f32_relu_backward(size, gp, widenIn(yBits.subarray(0, size)));
        let db: Float32Array | null = null;
        if (sums) {
          const sp = arena.alloc(n * 8);
          wasm.f32_column_sums(m, n, gp, sp);
          db = Float32Array.from(new Float64Array(arena.memory.buffer, sp, n));
        }
        return { g: yBits ? copyOut(gp, size) : g, db };
      });
    },
    f32GemmBf16B(m, n, k, a: StridedMatrix, b: Bf16Matrix, c, o = {}) {
      if (m === 0 || n === 0) return;
      withScratch(arena, () => {
        const aSpan = k > 0 ? spanOf(m, k, a.rowStride, a.colStride) : 0;
        const bSpan = k > 0 ? spanOf(k, n, b.rowStride, b.colStride) : 0;
        const ap = arena.copyIn(a.data.subarray(a.offset, a.offset + aSpan));
        const bp = bitsIn(b.bits.subarray(b.offset, b.offset + bSpan));
        const cp = arena.alloc(m * n * 4);
        if (o.accumulate) arena.f32(cp, m * n).set(c.subarray(0, m * n));
        const biasp = o.bias ? arena.copyIn(o.bias.subarray(0, n)) : 0;
        const flags = (o.relu ? GEMM_RELU : 0) | (o.accumulate ? GEMM_ACCUMULATE : 0);
        const work = arena.alloc(wasm.f32_gemm_bf16b_workspace(m, n, k));
        wasm.f32_gemm_bf16b(m, n, k, ap, a.rowStride, a.colStride, bp, b.rowStride, b.colStride, cp, n, biasp, flags, work);
        c.set(arena.f32(cp, m * n));
        if (o.outBits) narrowOut(cp, o.outBits);
      });
    },
  };
}

type ConvPasses = "conv2d" | "conv2dBackward" | "conv2dReluMaxPool" | "conv2dReluMaxPoolBackward";

/** The convolution passes: operands widened (or narrowed) in scratch around the float32 kernels. */
function convPasses(wasm: KernelExports, arena: Arena): Pick<Bf16Kernels, ConvPasses> {
  const { widenIn, narrowOut, weightsIn, geometryIn, copyOut } = scratchOps(wasm, arena);
  // The convolution into scratch (inside a withScratch): y's pointer; x's bits narrowed if asked.
  const forward = (x: Float32Array, w: Float32Array | Uint16Array, bias: Float32Array | null, g: Conv2dGeometry, relu: boolean,
                   xBits: Uint16Array | null | undefined) => {
    const geo = geometryIn(g);
    const xp = arena.copyIn(x.subarray(0, inSize(g)));
    const wp = weightsIn(w, weightSize(g));
    const bp = bias ? arena.copyIn(bias.subarray(0, g.outChannels)) : 0;
    const yp = arena.alloc(outSize(g) * 4);
    const flags = relu ? GEMM_RELU : 0;
    // Depthwise: its own kernel, as in the float32 family (conv-wasm.ts).
    if (g.groups === g.inChannels && g.groups > 1) {
      wasm.f32_dwconv2d(geo, xp, wp, bp, yp, flags, arena.alloc(wasm.f32_dwconv2d_workspace(geo)));
    } else {
      wasm.f32_conv2d(geo, xp, wp, bp, yp, flags, arena.alloc(wasm.f32_conv2d_workspace(geo)));
    }
    if (xBits) narrowOut(xp, xBits);
    return yp;
  };
  const pooled = (g: Conv2dGeometry) => g.batch * g.outChannels * (g.outH >> 1) * (g.outW >> 1);
  return {
    conv2d(x, w, bias, g, o = {}) {
      return withScratch(arena, () => {
        const yp = forward(x, w, bias, g, o.relu === true, o.xBits);
        if (o.yBits) narrowOut(yp, o.yBits);
        return copyOut(yp, outSize(g));
      });
    },
    conv2dReluMaxPool(x, w, bias, g, o) {
      return withScratch(arena, () => {
        const full = forward(x, w, bias, g, true, o.xBits), n = pooled(g);
        const yp = arena.alloc(n * 4), cp = arena.alloc(n), packed = arena.alloc((n + 3) >> 2);
        wasm.f32_maxpool2d_2x2(g.batch * g.outChannels, g.outH, g.outW, full, yp, cp);
        wasm.u8_pack_taps(n, cp, packed);
        narrowOut(yp, o.yBits);
        return { y: copyOut(yp, n), code: arena.u8(packed, (n + 3) >> 2).slice() };
      });
    },
    conv2dReluMaxPoolBackward(xBits, w, dy, yBits, code, g, want) {
      return withScratch(arena, () => {
        const n = pooled(g);
        const dp = arena.copyIn(dy.subarray(0, n));
        wasm.f32_relu_backward(n, dp, widenIn(yBits.subarray(0, n)));
        const cp = arena.alloc(n), packed = arena.alloc(code.length);
        arena.u8(packed, code.length).set(code);
        wasm.u8_unpack_taps(n, packed, cp);
        const dyp = arena.alloc(outSize(g) * 4);
        wasm.f32_maxpool2d_2x2_backward(g.batch * g.outChannels, g.outH, g.outW, cp, dp, dyp);
        return grads(xBits, w, g, dyp, want);
      });
    },
    conv2dBackward(xBits, w, dy, yBits, g, want) {
      return withScratch(arena, () => {
        const outN = outSize(g);
        const dyp = arena.copyIn(dy.subarray(0, outN));
        if (yBits) wasm.f32_relu_backward(outN, dyp, widenIn(yBits.subarray(0, outN)));
        return grads(xBits, w, g, dyp, want);
      });
    },
  };

  /** The wanted gradients from dy (pointer, masked already) in scratch, inside a withScratch. */
  function grads(xBits: Uint16Array, w: Float32Array | Uint16Array, g: Conv2dGeometry, dyp: number, want: Conv2dGradsWanted) {
    const geo = geometryIn(g);
    let db: Float32Array | null = null;
    if (want.bias) {
      const dbp = arena.alloc(g.outChannels * 4);
      biasBackwardSplit(wasm, g.batch, g.outChannels, g.outH * g.outW, dyp, dbp);
      db = copyOut(dbp, g.outChannels);
    }
    let dx: Float32Array | null = null, dw: Float32Array | null = null;
    if (want.input) {
      const wp = weightsIn(w, weightSize(g)), dxp = arena.alloc(inSize(g) * 4);
      wasm.f32_conv2d_backward_input(geo, dyp, wp, dxp, arena.alloc(wasm.f32_conv2d_backward_input_workspace(geo)));
      dx = copyOut(dxp, inSize(g));
    }
    if (want.weight) {
      const xp = widenIn(xBits.subarray(0, inSize(g))), dwp = arena.alloc(weightSize(g) * 4);
      wasm.f32_conv2d_backward_weight(geo, xp, dyp, dwp, arena.alloc(wasm.f32_conv2d_backward_weight_workspace(geo)));
      dw = copyOut(dwp, weightSize(g));
    }
    return { dx, dw, db };
  }
}
