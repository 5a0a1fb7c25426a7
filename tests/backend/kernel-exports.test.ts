// The one declaration of the kernel module's exports (src/backend/kernel-exports.ts) and the one
// flags module (src/backend/flags.ts) against both built modules: every function the module
// exports is declared with its parameter count, every declared function exists, and every flag
// of src/backend/flags.ts has its documented effect on the module's kernels.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as flags from "../../src/backend/flags.js";
import { detectFeatures } from "../../src/backend/index.js";
import type { KernelExports } from "../../src/backend/kernel-exports.js";

/** Parameter count of each declared function, as the type says it (checked by tsc). */
type Arity = { [K in keyof KernelExports as KernelExports[K] extends (...args: never[]) => unknown ? K : never]:
  KernelExports[K] extends (...args: infer P) => unknown ? P["length"] : never };

// Writing the counts out is what ties the type to the module: tsc rejects a wrong count, a
// missing function or an extra one here, and the test below compares the same object with the
// module's exports.
const declared: Arity = {
  heap_base: 0, kernel_isa: 0,
  f32_gemm_workspace: 3, f32_gemm_batch: 18,
  qs8_packw_gemm: 9, qs8_gemm_workspace: 3, qs8_gemm: 14,
  qs8_quantize_f32: 6, f32_minmax: 3,
  f32_spmm_workspace: 3, f32_spmm: 11,
  f32_adam: 18,
  f32_conv2d_workspace: 1, f32_conv2d: 7,
  f32_conv2d_backward_input_workspace: 1, f32_conv2d_backward_input: 5,
  f32_conv2d_backward_weight_workspace: 1, f32_conv2d_backward_weight: 5,
  f32_relu_backward: 3, f32_relu: 2, f32_bias_backward: 6, f32_column_sums: 4,
  f32_dwconv2d_workspace: 1, f32_dwconv2d: 7,
  f32_maxpool2d_2x2: 6,
  f32_maxpool2d_2x2_backward: 6,
  u8_pack_taps: 3,
  u8_unpack_taps: 3,
  f32_bf16_vcvt: 3, bf16_f32_vcvt: 3, f32_gemm_bf16b_workspace: 3, f32_gemm_bf16b: 14,
  qs8_conv2d_workspace: 1, qs8_conv2d: 10,
  f32_lstm_cell_forward: 8, f32_lstm_cell_backward: 9,
  f32_gru_cell_forward: 7, f32_gru_cell_backward: 8,
  f32_rnn_cell_forward: 5, f32_rnn_cell_backward: 6,
  f32_attention_forward_workspace: 2, f32_attention_forward: 16,
  f32_attention_backward_workspace: 3, f32_attention_backward: 17,
  f32_conv2d_backward_weight_tile: 9,
  f32_gelu_forward: 4, f32_gelu_backward: 6,
  f32_layernorm_forward: 9, f32_layernorm_backward_workspace: 1, f32_layernorm_backward: 11,
};

const builds = ["simd", ...(detectFeatures().relaxedSimd ? ["relaxed"] : [])];

// The core and dense builds (assembly/core.ts, dense.ts) export exactly these subsets, with the
// same parameter counts.
const coreNames = ["heap_base", "kernel_isa", "f32_gemm_workspace", "f32_gemm_batch"] as const;
const coreDeclared = Object.fromEntries(coreNames.map((name) => [name, declared[name]]));
const denseNames = [...coreNames, "f32_adam", "f32_relu_backward", "f32_column_sums"] as const;
const denseDeclared = Object.fromEntries(denseNames.map((name) => [name, declared[name]]));

function loadBuild(file: string): { module: WebAssembly.Module; instance: WebAssembly.Instance } {
  const module = new WebAssembly.Module(readFileSync(new URL(`../../build/${file}.wasm`, import.meta.url)));
  return { module, instance: new WebAssembly.Instance(module, {}) };
}

// Every built module, full, dense and core, against the functions it must export.
const moduleCases = builds.flatMap((build) => [
  { build, file: `edgegrad-core-${build}`, expected: coreDeclared },
  { build, file: `edgegrad-dense-${build}`, expected: denseDeclared },
  { build, file: `edgegrad-${build}`, expected: declared },
]);

describe.each(moduleCases)("build/$file.wasm", ({ build, file, expected }) => {
  const { module, instance } = loadBuild(file);
  const exports = WebAssembly.Module.exports(module);

  it("exports exactly its declared functions, each with the declared number of parameters", () => {
    const functions = Object.fromEntries(exports.filter((e) => e.kind === "function")
      .map((e) => [e.name, (instance.exports[e.name] as (...a: unknown[]) => unknown).length]));
    expect(functions).toEqual(expected);
  });

  it("exports one memory and no globals or tables", () => {
    expect(exports.filter((e) => e.kind !== "function").map((e) => `${e.kind} ${e.name}`)).toEqual(["memory memory"]);
  });

  it("reports its ISA through kernel_isa with the flags' values", () => {
    const isa = (instance.exports.kernel_isa as () => number)();
    expect(isa).toBe(build === "relaxed" ? flags.ISA_RELAXED_SIMD : flags.ISA_SIMD);
  });
});

describe.each(builds)("the flags of the %s kernel build", (build) => {
  const { instance } = loadBuild(`edgegrad-${build}`);

  // Each flag of src/backend/flags.ts, given to its kernel on a 1-element problem, must do what
  // it says (and only that): a wrong value on either side changes these results.
  const w = instance.exports as unknown as KernelExports;
  const base = (w.heap_base() + 63) & ~63;
  const f32 = (ptr: number, n: number) => new Float32Array(w.memory.buffer, ptr, n);
  const i32 = (ptr: number, n: number) => new Int32Array(w.memory.buffer, ptr, n);

  it("GEMM_RELU and GEMM_ACCUMULATE: C = relu(C_old + a·b + bias) for a 1×1×1 product", () => {
    const gemm = (aVal: number, cOld: number, bias: number, flags: number): number => {
      const [a, b, c, biasPtr, work] = [base, base + 16, base + 32, base + 48, base + 64];
      f32(a, 1)[0] = aVal; f32(b, 1)[0] = 2; f32(c, 1)[0] = cOld; f32(biasPtr, 1)[0] = bias;
      w.f32_gemm_batch(1, 1, 1, 1, a, 0, 1, 1, b, 0, 1, 1, c, 0, 1, biasPtr, flags, work);
      return f32(c, 1)[0];
    };
    expect(gemm(-3, 10, 1, 0)).toBe(-5);
    expect(gemm(-3, 10, 1, flags.GEMM_RELU)).toBe(0);
    expect(gemm(-3, 10, 1, flags.GEMM_ACCUMULATE)).toBe(5);
    expect(gemm(-6, 10, 1, flags.GEMM_ACCUMULATE | flags.GEMM_RELU)).toBe(0);
  });

  it("SPMM_BIAS and SPMM_RELU: y = relu(x·w + bias) for a 1×1 sparse W", () => {
    const spmm = (flagWord: number): number => {
      const [x, rowPtr, col, val, bias, y] = [base, base + 16, base + 32, base + 48, base + 64, base + 80];
      const work = base + 128;
      f32(x, 1)[0] = -2; i32(rowPtr, 2).set([0, 1]); i32(col, 1)[0] = 0; f32(val, 1)[0] = 3; f32(bias, 1)[0] = 1;
      w.f32_spmm(1, 1, 1, x, rowPtr, col, val, bias, y, flagWord, work);
      return f32(y, 1)[0];
    };
    expect(spmm(0)).toBe(-6);
    expect(spmm(flags.SPMM_BIAS)).toBe(-5);
    expect(spmm(flags.SPMM_BIAS | flags.SPMM_RELU)).toBe(0);
  });

  it("QS8_FLOAT_OUT and QS8_RELU: int32 or scaled float32 output, relu last", () => {
    const qs8 = (flagWord: number): number => {
      const [a, zp, packed, bias, scale, c] = [base, base + 16, base + 32, base + 128, base + 192, base + 256];
      const work = base + 320;
      new Int8Array(w.memory.buffer, a, 1)[0] = -3;
      i32(zp, 1)[0] = 0;
      new Int8Array(w.memory.buffer, a + 8, 1)[0] = 5;          // B = [[5]]
      w.qs8_packw_gemm(1, 1, a + 8, 1, 1, 1, zp, 0, packed);
      i32(bias, 8).fill(0); f32(scale, 8).fill(0.5);
      w.qs8_gemm(1, 1, 1, a, 1, 1, 0, packed, c, 1, bias, scale, flagWord, work);
      return flagWord & flags.QS8_FLOAT_OUT ? f32(c, 1)[0] : i32(c, 1)[0];
    };
    expect(qs8(0)).toBe(-15);
    expect(qs8(flags.QS8_RELU)).toBe(0);
    expect(qs8(flags.QS8_FLOAT_OUT)).toBe(-7.5);
    expect(qs8(flags.QS8_FLOAT_OUT | flags.QS8_RELU)).toBe(0);
  });

  it("QS8_POOL_2X2: qs8_conv2d's float output max-pooled 2×2 in the kernel", () => {
    // One 2×2 image, one 1×1 filter of weight 2, scale 0.5: outputs x·2·0.5 = x, pooled to their max.
    const conv = (flagWord: number): number[] => {
      const [geo, x, wts, bias, scale, y] = [base, base + 64, base + 80, base + 96, base + 112, base + 128];
      // batch, Cin, inH, inW, Cout, outH, outW, kH, kW, strides, pads, dilations, groups
      i32(geo, 16).set([1, 1, 2, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1]);
      new Int8Array(w.memory.buffer, x, 4).set([1, -2, 3, 0]);
      new Int16Array(w.memory.buffer, wts, 2).set([2, 0]);
      i32(bias, 1)[0] = 0; f32(scale, 1)[0] = 0.5;
      f32(y, 4).fill(-99);
      w.qs8_conv2d(geo, x, 1, 0, wts, bias, scale, y, flagWord, base + 192);
      return Array.from(f32(y, 4));
    };
    expect(conv(flags.QS8_FLOAT_OUT)).toEqual([1, -2, 3, 0]);
    expect(conv(flags.QS8_FLOAT_OUT | flags.QS8_POOL_2X2)).toEqual([3, -99, -99, -99]);
  });

  it("RNN_RELU: relu instead of tanh in the Elman cell, forward and backward", () => {
    const [xp, hp, h, dy, dh, dp] = [base, base + 16, base + 32, base + 48, base + 64, base + 80];
    f32(xp, 1)[0] = -0.75; f32(hp, 1)[0] = 0.25; f32(dy, 1)[0] = 2; f32(dh, 1)[0] = 1;
    w.f32_rnn_cell_forward(1, xp, hp, h, flags.RNN_RELU);
    expect(f32(h, 1)[0]).toBe(0);
    w.f32_rnn_cell_backward(1, h, dy, dh, dp, flags.RNN_RELU);
    expect(f32(dp, 1)[0]).toBe(0);
    w.f32_rnn_cell_forward(1, xp, hp, h, 0);
    expect(f32(h, 1)[0]).toBeCloseTo(Math.tanh(-0.5), 6);
    w.f32_rnn_cell_backward(1, h, dy, dh, dp, 0);
    expect(f32(dp, 1)[0]).toBeCloseTo(3 * (1 - Math.tanh(-0.5) ** 2), 5);
  });
});
