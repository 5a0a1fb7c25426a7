import { BackendError } from "../errors.js";
import { withScratch, type Arena } from "./arena.js";
import { pin, pinGeneration } from "./arena-pins.js";
import type { Qs8LinearOptions, Qs8LinearParams } from "./compress-types.js";
import type { Conv2dGeometry } from "./conv-geometry.js";
import { QS8_FLOAT_OUT, QS8_POOL_2X2, QS8_RELU } from "./flags.js";
import type { KernelExports } from "./kernel-exports.js";
import { qs8ConvSplit } from "./parallel-qs8.js";
import { qs8IsSigned } from "./qs8-types.js";
import { quantizeInScratch, quantizeInputWasm } from "./qs8-quantize-wasm.js";
import {
  convSizes, geometryWords, qs8ConvOutputScale,
  type QconvKernels, type Qs8ConvInput, type Qs8ConvLayerStage, type Qs8ConvPackedWeights,
} from "./qs8-conv-types.js";

/** What one qs8_conv2d call needs beyond the image (already in scratch at xPtr). */
interface ConvCall {
  xPtr: number;
  xSigned: boolean;
  xZero: number;
  bias: Int32Array | null | undefined;
  /** Per-channel output scale for a float output, null for int32. */
  scale: Float32Array | null;
  relu: boolean | undefined;
  /** Max-pool each image's float output 2×2 inside the kernel (y then holds the pooled batch). */
  pool2x2?: boolean;
}

/**
 * Runs qs8_conv2d inside the caller's scratch scope: weights pinned (or copied), bias, scale and
 * geometry in, y allocated (pooled with pool2x2). Returns y's pointer (valid until the scratch is
 * reset) and its length in elements.
 */
function runConv(wasm: KernelExports, arena: Arena, g: Conv2dGeometry, w: Qs8ConvPackedWeights,
                 wPinned: number | null, c: ConvCall): { yPtr: number; yLength: number } {
  let wPtr = wPinned;
  if (wPtr === null) {
    wPtr = arena.alloc(w.data.length * 2);
    arena.i16(wPtr, w.data.length).set(w.data);
  }
  const cout = g.outChannels;
  const biasPtr = arena.alloc(cout * 4);
  const b = arena.i32(biasPtr, cout);
  if (c.bias) b.set(c.bias.subarray(0, cout)); else b.fill(0);
  const scalePtr = arena.alloc(cout * 4);
  if (c.scale) arena.f32(scalePtr, cout).set(c.scale);
  const geoPtr = arena.alloc(64);
  arena.i32(geoPtr, 16).set(geometryWords(g));
  // The kernel pools float outputs only (the int8 layers' pooled path).
  const pool = c.pool2x2 === true;
  if (pool && c.scale === null) throw new BackendError("qs8 convolution: 2×2 pooling needs the float output (a scale)");
  const yImage = pool ? cout * (g.outH >> 1) * (g.outW >> 1) : cout * g.outH * g.outW;
  const yLength = g.batch * yImage, yPtr = arena.alloc(yLength * 4);
  const flags = (c.scale ? QS8_FLOAT_OUT : 0) | (c.relu ? QS8_RELU : 0) | (pool ? QS8_POOL_2X2 : 0);
  const macs = convSizes(g).ySize * (g.inChannels / g.groups) * g.kernelH * g.kernelW;
  qs8ConvSplit(wasm, arena, geoPtr, macs, g.inChannels * g.inH * g.inW, yImage * 4,
               [c.xPtr, c.xSigned ? 1 : 0, c.xZero, wPtr, biasPtr, scalePtr, yPtr, flags]);
  return { yPtr, yLength };
}

/** Copies the int8/uint8 image batch into scratch; returns its pointer. */
function copyInput(arena: Arena, x: Qs8ConvInput, size: number): number {
  const ptr = arena.alloc(size);
  arena.u8(ptr, size).set(new Uint8Array(x.data.buffer, x.data.byteOffset + x.offset, size));
  return ptr;
}

export function wasmQconvKernels(wasm: KernelExports, arena: Arena): QconvKernels {
  const empty = (g: Conv2dGeometry) => convSizes(g).ySize === 0;
  // An int8/uint8 image copied into scratch and convolved: y's pointer (valid until the reset) and length.
  const convQuantizedImage = (g: Conv2dGeometry, x: Qs8ConvInput, w: Qs8ConvPackedWeights, pinned: number | null,
                              bias: ConvCall["bias"], scale: ConvCall["scale"], relu: ConvCall["relu"]) =>
    runConv(wasm, arena, g, w, pinned, {
      xPtr: copyInput(arena, x, convSizes(g).xSize), xSigned: qs8IsSigned(x.data), xZero: x.zeroPoint, bias, scale, relu,
    });
  return {
    qs8Conv2d(g, x, w, y, yOffset, options = {}): void {
      if (empty(g)) return;
      const pinned = pin(arena, w, w.data);
      withScratch(arena, () => {
        const { yPtr, yLength } = convQuantizedImage(g, x, w, pinned, options.bias, null, options.relu);
        y.set(arena.i32(yPtr, yLength), yOffset);
      });
    },

    qs8Conv2dF32(g, x, w, y, yOffset, o): void {
      if (empty(g)) return;
      const pinned = pin(arena, w, w.data);
      withScratch(arena, () => {
        const scale = qs8ConvOutputScale(g.outChannels, o.scaleA, o.scaleB);
        const { yPtr, yLength } = convQuantizedImage(g, x, w, pinned, o.bias, scale, o.relu);
        y.set(arena.f32(yPtr, yLength), yOffset);
      });
    },

    qs8Conv2dLayerF32(g, x, xOffset, w, y, yOffset, o: Qs8LinearOptions, pool2x2 = false): Float32Array {
      if (empty(g)) return y ?? new Float32Array(0);
      const pinned = pin(arena, w, w.data);
      return withScratch(arena, () => {
        const { xPtr, p } = quantizeInputWasm(wasm, arena, x, xOffset, convSizes(g).xSize, o);
        const { yPtr, yLength } = runLayer(wasm, arena, { g, w, o, pool2x2 }, pinned, xPtr, p);
        if (y === null) return new Float32Array(arena.f32(yPtr, yLength));
        y.set(arena.f32(yPtr, yLength), yOffset);
        return y;
      });
    },

    qs8Conv2dLayersF32(x, xOffset, stages): Float32Array {
      if (stages.length === 0) throw new BackendError("qs8Conv2dLayersF32: no stages to run");
      for (const s of stages) {
        if (empty(s.g)) throw new BackendError(`qs8Conv2dLayersF32: a stage's output is empty (${s.g.outChannels}×${s.g.outH}×${s.g.outW}, batch ${s.g.batch})`);
      }
      const pinned = pinAll(arena, stages);
      return withScratch(arena, () => {
        let { xPtr, p } = quantizeInputWasm(wasm, arena, x, xOffset, convSizes(stages[0].g).xSize, stages[0].o);
        for (let i = 0; ; i++) {
          const { yPtr, yLength } = runLayer(wasm, arena, stages[i], pinned[i], xPtr, p);
          if (i + 1 === stages.length) return new Float32Array(arena.f32(yPtr, yLength));
          ({ xPtr, p } = quantizeInScratch(wasm, arena, yPtr, yLength, stages[i + 1].o));
        }
      });
    },
  };
}

/** One int8 layer on its input already quantized in scratch (xPtr, with the parameters p used). */
function runLayer(wasm: KernelExports, arena: Arena, s: Qs8ConvLayerStage, pinned: number | null, xPtr: number,
                  p: Qs8LinearParams): { yPtr: number; yLength: number } {
  return runConv(wasm, arena, s.g, s.w, pinned, {
    xPtr, xSigned: s.o.signed, xZero: p.zeroPointA, bias: p.bias,
    scale: qs8ConvOutputScale(s.g.outChannels, p.scaleA, s.o.scaleB), relu: s.o.relu, pool2x2: s.pool2x2,
  });
}

/**
 * Every stage's weights pinned where they fit: pinning one may drop the pins made before it (the
 * pinned budget full), so the pointers count only when no pin after the first dropped any; one
 * more try after such a drop, then the weights are copied into scratch (null) instead.
 */
function pinAll(arena: Arena, stages: readonly Qs8ConvLayerStage[]): (number | null)[] {
  for (let attempt = 0; attempt < 2; attempt++) {
    const pinned = [pin(arena, stages[0].w, stages[0].w.data)];
    const generation = pinGeneration(arena);
    for (let i = 1; i < stages.length; i++) pinned.push(pin(arena, stages[i].w, stages[i].w.data));
    if (pinGeneration(arena) === generation) return pinned;
  }
  return stages.map(() => null);
}
