// One recurrent layer-direction as one autograd node: the forward runs the whole sequence
// (recurrent-sweep.ts: one GEMM for every step's input projection, then one GEMM and one fused
// cell kernel per step) and saves the gates; the hand-written backward runs backward through
// time with the same structure. float32 runs on the backend's recurrent kernels; float64 on
// their JS reference, which sums in float64, so gradient checks see exact arithmetic.
import {
  jsRecurrentRunner, recurrentBackward, recurrentForward, recurrentKernels, type CellKind, type MachineRunner,
  type RecurrentShape,
} from "../backend/index.js";
import { record, Tensor, type FloatArray } from "../ndarray/index.js";

type Floats = Float32Array | Float64Array;

export interface RecurrentDirectionArgs {
  kind: CellKind;
  reverse: boolean;
  /** [T, batch, inputSize], time first. */
  x: Tensor;
  /** [batch, hidden]. */
  h0: Tensor;
  /** [batch, hidden], LSTM only. */
  c0: Tensor | null;
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

function runnerFor(dtype: string): MachineRunner {
  return dtype === "float64" ? jsRecurrentRunner("float64") : recurrentKernels().run;
}

const floats = (t: Tensor) => t.data as FloatArray as Floats;

/**
 * The outputs of one direction of one layer: [T, batch, H] (the hidden state of every time step,
 * in time order, so hN is row T − 1, or row 0 when reverse), and for the LSTM one more row, cN:
 * [T + 1, batch, H]. One tensor so that one node carries every gradient back.
 */
export function recurrentDirection(a: RecurrentDirectionArgs): Tensor {
  const [T, B, I] = a.x.shape, H = a.h0.shape[1];
  const s: RecurrentShape = { kind: a.kind, steps: T, batch: B, inputSize: I, hidden: H, reverse: a.reverse };
  const run = runnerFor(a.x.dtype);
  const x = floats(a.x);
  const w = { wIh: floats(a.wIh), wHh: floats(a.wHh), bIh: a.bIh ? floats(a.bIh) : null, bHh: a.bHh ? floats(a.bHh) : null };
  const saved = recurrentForward(run, s, x, w, floats(a.h0), a.c0 ? floats(a.c0) : null);
  const BH = B * H, lstm = a.kind === "lstm";
  const out = new (saved.hs.constructor as Float32ArrayConstructor | Float64ArrayConstructor)((lstm ? T + 1 : T) * BH);
  out.set(saved.hs.subarray(a.reverse ? 0 : BH, (a.reverse ? 0 : BH) + T * BH));
  if (lstm) out.set(saved.cs!.subarray(a.reverse ? 0 : T * BH, (a.reverse ? 0 : T * BH) + BH), T * BH);
  const z = new Tensor(out, a.x.dtype, [lstm ? T + 1 : T, B, H]);
  const inputs = [a.x, a.h0, ...(a.c0 ? [a.c0] : []), a.wIh, a.wHh, ...(a.bIh ? [a.bIh, a.bHh!] : [])];
  return record(z, a.kind, inputs, (g) => {
    const gd = floats(g);
    const dy = gd.subarray(0, T * BH), dcN = lstm ? gd.subarray(T * BH, (T + 1) * BH) : null;
    const r = recurrentBackward(runnerFor(a.x.dtype), s, x, w, saved, dy, dcN, a.x.requiresGrad);
    const t = (d: Floats | null, like: Tensor) => (d ? new Tensor(d, like.dtype, like.shape.slice()) : null);
    return [
      t(r.dx, a.x), t(r.dh0, a.h0), ...(a.c0 ? [t(r.dc0, a.c0)] : []), t(r.dwIh, a.wIh), t(r.dwHh, a.wHh),
      ...(a.bIh ? [t(r.dbIh, a.bIh), t(r.dbHh, a.bHh!)] : []),
    ];
  });
}
