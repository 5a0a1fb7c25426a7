// The wasm side of the convolution family: each call copies its operands into scratch, crosses
// into wasm once for the whole batch and copies the result out (one withScratch); an operand or
// step-array result that is kernel memory already (resident.ts) is used where it is. With a thread
// pool, large passes are split over it (parallel-conv.ts), with the bits of one thread.
import { withScratch, type Arena } from "./arena.js";
import type { Conv2dGeometry } from "./conv-geometry.js";
import type { ConvKernels } from "./conv-kernels.js";
import type { Conv2dGradsWanted } from "./conv-js.js";
import { GEMM_RELU } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import { convBackwardInput, convBackwardWeight, convForward } from "./parallel-conv.js";
import { biasBackwardSplit, maxPoolBackwardSplit, maxPoolSplit, reluBackwardSplit } from "./parallel-elementwise.js";
import { readable, residentOffset } from "./resident.js";
import { stepArray } from "./step-arrays.js";

/** The order in which the kernels read Conv2dGeometry's fields (assembly/conv2d-geometry.ts). */
const FIELDS: readonly (keyof Conv2dGeometry)[] = [
  "batch", "inChannels", "inH", "inW", "outChannels", "outH", "outW", "kernelH", "kernelW",
  "strideH", "strideW", "padTop", "padLeft", "dilationH", "dilationW", "groups",
];

function geometryIn(arena: Arena, g: Conv2dGeometry): number {
  const ptr = arena.alloc(FIELDS.length * 4);
  const view = arena.i32(ptr, FIELDS.length);
  FIELDS.forEach((f, i) => { view[i] = g[f]; });
  return ptr;
}

/**
 * A fresh array with `size` floats of scratch. NOTE: the typed-array constructor, not view.slice():
 * slice() of a view on wasm memory measured 2–3× slower than this copy (Node 20).
 */
function copyOut(arena: Arena, ptr: number, size: number): Float32Array {
  return new Float32Array(arena.f32(ptr, size));
}

/**
 * Where a result of `size` floats that goes to a step array (src/backend/step-arrays.ts) is
 * written: the outputs and input gradients, which live within a training step, not the weight
 * and bias gradients, which outlive it as .grad. The step array itself when it is kernel memory
 * (fit's batches on the threaded build, resident.ts), else scratch that stepResult copies out.
 */
function stepOutput(arena: Arena, size: number): { array: Float32Array; ptr: number } {
  const array = stepArray(size), at = residentOffset(array, arena);
  return { array, ptr: at >= 0 ? at : arena.alloc(size * 4) };
}

/** The step array of stepOutput, holding the kernel's result. */
function stepResult(arena: Arena, out: { array: Float32Array; ptr: number }): Float32Array {
  if (residentOffset(out.array, arena) < 0) out.array.set(arena.f32(out.ptr, out.array.length));
  return out.array;
}

const inSize = (g: Conv2dGeometry) => g.batch * g.inChannels * g.inH * g.inW;
const outSize = (g: Conv2dGeometry) => g.batch * g.outChannels * g.outH * g.outW;
const weightSize = (g: Conv2dGeometry) => g.outChannels * (g.inChannels / g.groups) * g.kernelH * g.kernelW;

export function wasmConvKernels(wasm: KernelExports, arena: Arena): ConvKernels {
  // The two gradient passes on operands already in scratch, shared by the fused backward and the
  // single passes (the latter are ConvTranspose2d's forward and weight gradient).
  const inputGrad = (g: Conv2dGeometry, geo: number, dyp: number, wp: number): Float32Array => {
    const dx = stepOutput(arena, inSize(g));
    convBackwardInput(wasm, arena, g, geo, dyp, wp, dx.ptr);
    return stepResult(arena, dx);
  };
  const weightGrad = (g: Conv2dGeometry, geo: number, xp: number, dyp: number): Float32Array => {
    const dwp = arena.alloc(weightSize(g) * 4);
    convBackwardWeight(wasm, arena, g, geo, xp, dyp, dwp);
    return copyOut(arena, dwp, weightSize(g));
  };
  // The wanted gradients from dy (byte pointer, masked already) in scratch, inside a withScratch.
  const grads = (x: Float32Array, weight: Float32Array, g: Conv2dGeometry, dyp: number, want: Conv2dGradsWanted) => {
    const geo = geometryIn(arena, g);
    let db: Float32Array | null = null;
    if (want.bias) {
      const dbp = arena.alloc(g.outChannels * 4);
      biasBackwardSplit(wasm, g.batch, g.outChannels, g.outH * g.outW, dyp, dbp);
      db = copyOut(arena, dbp, g.outChannels);
    }
    const dx = want.input ? inputGrad(g, geo, dyp, readable(arena, weight, 0, weightSize(g))) : null;
    const dw = want.weight ? weightGrad(g, geo, readable(arena, x, 0, inSize(g)), dyp) : null;
    return { dx, dw, db };
  };
  // The convolution into `yp` (scratch when not given).
  const forward = (x: Float32Array, weight: Float32Array, bias: Float32Array | null, g: Conv2dGeometry, relu: boolean,
                   yp = arena.alloc(outSize(g) * 4)) => {
    const geo = geometryIn(arena, g);
    const xp = readable(arena, x, 0, inSize(g));
    const wp = readable(arena, weight, 0, weightSize(g));
    const bp = bias ? arena.copyIn(bias.subarray(0, g.outChannels)) : 0;
    // Depthwise: patches of kH·kW elements are too short for the GEMM; its own kernel.
    const depthwise = g.groups === g.inChannels && g.groups > 1;
    convForward(wasm, arena, depthwise ? "f32_dwconv2d" : "f32_conv2d", g, geo, xp, wp, bp, yp, relu ? GEMM_RELU : 0);
    return yp;
  };
  const pooledSize = (g: Conv2dGeometry) => g.batch * g.outChannels * (g.outH >> 1) * (g.outW >> 1);
  return {
    conv2dBackward(x, weight, dy, y, g, want) {
      return withScratch(arena, () => {
        const outN = outSize(g);
        const dyp = arena.copyIn(dy.subarray(0, outN));
        if (y) reluBackwardSplit(wasm, outN, dyp, readable(arena, y, 0, outN));
        return grads(x, weight, g, dyp, want);
      });
    },
    conv2d(x, weight, bias, g, options = {}) {
      return withScratch(arena, () => {
        const y = stepOutput(arena, outSize(g));
        forward(x, weight, bias, g, options.relu === true, y.ptr);
        return stepResult(arena, y);
      });
    },
    conv2dReluMaxPool(x, weight, bias, g, normalize, withTaps = true) {
      return withScratch(arena, () => {
        const full = forward(x, weight, bias, g, normalize === undefined), n = pooledSize(g);
        if (normalize) {
          normalize(arena.f32(full, outSize(g)));
          // relu in place; not the relu mask y > 0 ? y : 0 on y itself, which turns NaN into 0.
          wasm.f32_relu(outSize(g), full);
        }
        const y = stepOutput(arena, n);
        if (!withTaps) {
          maxPoolSplit(wasm, g.batch * g.outChannels, g.outH, g.outW, full, y.ptr, 0);
          return { y: stepResult(arena, y), code: new Uint8Array(0) };
        }
        const cp = arena.alloc(n), packed = arena.alloc((n + 3) >> 2);
        maxPoolSplit(wasm, g.batch * g.outChannels, g.outH, g.outW, full, y.ptr, cp);
        wasm.u8_pack_taps(n, cp, packed);
        return { y: stepResult(arena, y), code: arena.u8(packed, (n + 3) >> 2).slice() };
      });
    },
    conv2dReluMaxPoolBackward(x, weight, dy, y, code, g, want, normalizeBackward) {
      return withScratch(arena, () => {
        const n = pooledSize(g);
        const dp = arena.copyIn(dy.subarray(0, n));
        reluBackwardSplit(wasm, n, dp, readable(arena, y, 0, n));
        const cp = arena.alloc(n), packed = arena.alloc(code.length);
        arena.u8(packed, code.length).set(code);
        wasm.u8_unpack_taps(n, packed, cp);
        const dyp = arena.alloc(outSize(g) * 4);
        maxPoolBackwardSplit(wasm, g.batch * g.outChannels, g.outH, g.outW, cp, dp, dyp);
        normalizeBackward?.(arena.f32(dyp, outSize(g)));
        return grads(x, weight, g, dyp, want);
      });
    },
    conv2dBackwardInput(dy, weight, g) {
      return withScratch(arena, () => {
        const geo = geometryIn(arena, g);
        return inputGrad(g, geo, readable(arena, dy, 0, outSize(g)), readable(arena, weight, 0, weightSize(g)));
      });
    },
    conv2dBackwardWeight(x, dy, g) {
      return withScratch(arena, () => {
        const geo = geometryIn(arena, g);
        return weightGrad(g, geo, readable(arena, x, 0, inSize(g)), readable(arena, dy, 0, outSize(g)));
      });
    },
  };
}
