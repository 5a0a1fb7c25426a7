// What the recurrent layers' PyTorch cases share (recurrent.test.ts, packed-sequence.test.ts):
// the layer built with PyTorch's parameters loaded, the input and initial states as gradient
// leaves, and the comparison of every gradient with PyTorch's.
import * as eg from "../../src/index.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";

/** The fields both case files have. */
export interface RecurrentCaseBase {
  id: string; ctor: { name: "RNN" | "LSTM" | "GRU"; args: [number, number, Record<string, unknown>] };
  lstm: boolean; withState: boolean; state: Record<string, EncodedTensor>;
  input: EncodedTensor; h0: EncodedTensor; c0: EncodedTensor;
  inputGrad: EncodedTensor; h0Grad?: EncodedTensor; c0Grad?: EncodedTensor; paramGrads: Record<string, EncodedTensor>;
}

/** The layer with PyTorch's parameters, and the input, h0 and c0 as leaves that require grad. */
export function loadRecurrentCase(c: RecurrentCaseBase) {
  const Ctor = eg.nn[c.ctor.name] as unknown as new (...a: unknown[]) => eg.nn.RNN | eg.nn.LSTM;
  const m = new Ctor(...c.ctor.args);
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, decode(t)])));
  const x = decode(c.input), h0 = decode(c.h0), c0 = decode(c.c0);
  x.requiresGrad = true; h0.requiresGrad = true; c0.requiresGrad = true;
  return { m, x, h0, c0 };
}

/** After backward: the gradients of the input, the given states and every parameter, each within the bound for n terms. */
export function expectRecurrentGrads(c: RecurrentCaseBase, loaded: ReturnType<typeof loadRecurrentCase>, n: number): void {
  const { m, x, h0, c0 } = loaded;
  expectClose(x.grad!, c.inputGrad, 2 * n, `${c.id} input gradient`);
  if (c.withState) {
    expectClose(h0.grad!, c.h0Grad!, 2 * n, `${c.id} h0 gradient`);
    if (c.lstm) expectClose(c0.grad!, c.c0Grad!, 2 * n, `${c.id} c0 gradient`);
  }
  const params = new Map(m.namedParameters());
  for (const [k, want] of Object.entries(c.paramGrads)) {
    const p = params.get(k);
    if (!p?.grad) throw new Error(`${c.id}: no gradient for parameter ${k}`);
    expectClose(p.grad, want, 2 * n, `${c.id} grad of ${k}`);
  }
}
