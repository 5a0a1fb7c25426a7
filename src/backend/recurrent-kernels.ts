// The recurrent kernels (RNN, LSTM, GRU): a kernel family built on first use, so an application
// without recurrent layers carries none of this code. The table is a machine runner: it gives
// the sweep of recurrent-sweep.ts one flat buffer (in wasm memory for the wasm backends, so a
// whole sequence runs with no copy per step) and the GEMM and cell kernels on offsets into it.
import { kernelFamily, type KernelFamily } from "./init.js";
import { gemmJs } from "./js-kernels.js";
import {
  gruCellBackwardJs, gruCellForwardJs, lstmCellBackwardJs, lstmCellForwardJs, rnnCellBackwardJs, rnnCellForwardJs,
} from "./recurrent-cells-js.js";
import { recurrentBackward, recurrentForward, type MachineRunner } from "./recurrent-sweep.js";
import { wasmRecurrentRunner } from "./recurrent-wasm.js";

/** Kernels on element offsets into `buf` (see recurrent-sweep.ts and the assembly cells for each). */
export interface RecurrentMachine {
  readonly buf: Float32Array | Float64Array;
  /**
   * C[m×n] (row-major, row stride n) = (accumulate ? C : 0) + A·B (+ bias, n floats; −1: none), A
   * and B strided (element strides ≥ 0). C overlaps neither operand.
   */
  gemm(m: number, n: number, k: number, a: number, aRowStride: number, aColStride: number,
       b: number, bRowStride: number, bColStride: number, c: number, bias: number, accumulate: boolean): void;
  lstmForward(batch: number, hidden: number, xp: number, hp: number, cPrev: number, gates: number, h: number, c: number): void;
  lstmBackward(batch: number, hidden: number, gates: number, cPrev: number, c: number, dy: number, dhRec: number,
               dc: number, dGates: number): void;
  gruForward(batch: number, hidden: number, xp: number, hp: number, hPrev: number, gates: number, h: number): void;
  gruBackward(batch: number, hidden: number, gates: number, hPrev: number, dy: number, dhRec: number, dxp: number, dhp: number): void;
  rnnForward(n: number, xp: number, hp: number, h: number, relu: boolean): void;
  rnnBackward(n: number, h: number, dy: number, dhRec: number, dpre: number, relu: boolean): void;
}

export interface RecurrentKernels {
  /** Runs fn on a machine of `size` floats (not zeroed) able to run GEMMs of the given m, n, k. */
  run: MachineRunner;
}

/** A machine on a JS typed array: the JS reference of the GEMM and the cells. */
export function jsMachine(buf: Float32Array | Float64Array): RecurrentMachine {
  const d = buf;
  return {
    buf,
    gemm(m, n, k, a, ars, acs, b, brs, bcs, c, bias, accumulate) {
      gemmJs(m, n, k, { data: d, offset: a, rowStride: ars, colStride: acs }, { data: d, offset: b, rowStride: brs, colStride: bcs },
             d, c, { bias: bias >= 0 ? d.subarray(bias, bias + n) : null, accumulate });
    },
    lstmForward: (...a) => lstmCellForwardJs(d, ...a),
    lstmBackward: (...a) => lstmCellBackwardJs(d, ...a),
    gruForward: (...a) => gruCellForwardJs(d, ...a),
    gruBackward: (...a) => gruCellBackwardJs(d, ...a),
    rnnForward: (...a) => rnnCellForwardJs(d, ...a),
    rnnBackward: (...a) => rnnCellBackwardJs(d, ...a),
  };
}

/** The JS runner of a dtype: float32 is the js backend's table, float64 the exact path of gradient checks. */
export function jsRecurrentRunner(dtype: "float32" | "float64"): MachineRunner {
  return (size, _gemms, fn) => fn(jsMachine(dtype === "float64" ? new Float64Array(size) : new Float32Array(size)));
}

const recurrentFamily: KernelFamily<RecurrentKernels> = {
  js: { run: jsRecurrentRunner("float32") },
  wasm: wasmRecurrentRunner,
  exports: [
    "f32_gemm_workspace", "f32_gemm_batch", "f32_lstm_cell_forward", "f32_lstm_cell_backward",
    "f32_gru_cell_forward", "f32_gru_cell_backward", "f32_rnn_cell_forward", "f32_rnn_cell_backward",
  ],
  warmUp(k) {
    for (const kind of ["lstm", "gru", "rnn_tanh"] as const) {
      const s = { kind, steps: 3, batch: 2, inputSize: 5, hidden: 6, reverse: false };
      const g = kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
      const w = { wIh: new Float32Array(g * 30), wHh: new Float32Array(g * 36), bIh: new Float32Array(g * 6), bHh: null };
      const x = new Float32Array(30), h0 = new Float32Array(12), c0 = kind === "lstm" ? h0 : null;
      const saved = recurrentForward(k.run, s, x, w, h0, c0);
      recurrentBackward(k.run, s, x, w, saved, new Float32Array(36), c0, true);
    }
  },
};

/** The recurrent kernels of the active backend (built on the first call after each init). */
export function recurrentKernels(): RecurrentKernels {
  return kernelFamily(recurrentFamily);
}
