// The int8 convolution kernels: a family of their own, built on first use, so an application
// that quantizes only MLPs (or never quantizes) carries none of their code.
import { kernelFamily, type KernelFamily } from "./init.js";
import { jsQconvKernels } from "./qs8-conv-js.js";
import { qs8ConvPackWeights, type QconvKernels } from "./qs8-conv-types.js";
import { wasmQconvKernels } from "./qs8-conv-wasm.js";

const qconvFamily: KernelFamily<QconvKernels> = {
  js: jsQconvKernels,
  exports: ["qs8_conv2d_workspace", "qs8_conv2d", "qs8_quantize_f32", "f32_minmax", "f32_maxpool2d_2x2"],
  wasm: wasmQconvKernels,
  warmUp(k) {
    // A 3×3 convolution over a small batch: the packer's vector and gather paths and the tiles.
    const g = {
      batch: 2, inChannels: 4, inH: 10, inW: 10, outChannels: 8, outH: 10, outW: 10, kernelH: 3, kernelW: 3,
      strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1, groups: 1,
    };
    const w = qs8ConvPackWeights(8, 36, { data: new Int8Array(8 * 36), offset: 0, zeroPoint: 0 });
    const x = { data: new Uint8Array(2 * 4 * 100), offset: 0, zeroPoint: 0 };
    for (let i = 0; i < 4; i++) k.qs8Conv2d(g, x, w, new Int32Array(2 * 8 * 100), 0);
  },
};

/** The int8 convolution kernels of the active backend (built on the first call after each init). */
export function qconvKernels(): QconvKernels {
  return kernelFamily(qconvFamily);
}
