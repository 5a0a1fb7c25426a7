// RNN (tanh, relu), LSTM and GRU against PyTorch 1.13 (tests/parity/cases/recurrent.json, made by
// scripts/torch-parity/recurrent.py): PyTorch's parameters loaded, then the output, hN (and cN) and
// the gradients of the input, h0 (and c0) and every parameter for fixed cotangents of all outputs.
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import * as eg from "../../src/index.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";

interface RecurrentCase {
  id: string; ctor: { name: "RNN" | "LSTM" | "GRU"; args: [number, number, Record<string, unknown>] };
  lstm: boolean; withState: boolean; state: Record<string, EncodedTensor>;
  input: EncodedTensor; h0: EncodedTensor; c0: EncodedTensor;
  output: EncodedTensor; hN: EncodedTensor; cN?: EncodedTensor; cotangents: EncodedTensor[];
  inputGrad: EncodedTensor; h0Grad?: EncodedTensor; c0Grad?: EncodedTensor; paramGrads: Record<string, EncodedTensor>;
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/recurrent.json", import.meta.url), "utf8")) as { cases: RecurrentCase[] };

/** The float32 error of T steps through L layers of sums of I + D·H + 1 products: a bound's term count. */
function terms(c: RecurrentCase): number {
  const [inputSize, hidden, o] = c.ctor.args;
  const T = c.input.shape[(o.batchFirst as boolean) && c.input.shape.length === 3 ? 1 : 0];
  const layers = (o.numLayers as number) ?? 1, d = o.bidirectional ? 2 : 1;
  return 4 * T * layers * (inputSize + d * hidden + 8);
}

function run(c: RecurrentCase): void {
  const Ctor = eg.nn[c.ctor.name] as unknown as new (...a: unknown[]) => eg.nn.RNN | eg.nn.LSTM;
  const m = new Ctor(...c.ctor.args);
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, decode(t)])));
  const x = decode(c.input), h0 = decode(c.h0), c0 = decode(c.c0);
  x.requiresGrad = true; h0.requiresGrad = true; c0.requiresGrad = true;
  let outs: eg.Tensor[];
  if (c.lstm) {
    const [y, [h, cc]] = (m as eg.nn.LSTM).forward(x, c.withState ? [h0, c0] : undefined);
    outs = [y, h, cc];
  } else outs = (m as eg.nn.RNN).forward(x, c.withState ? h0 : undefined);
  const n = terms(c);
  expectClose(outs[0], c.output, n, `${c.id} output`);
  expectClose(outs[1], c.hN, n, `${c.id} hN`);
  if (c.lstm) expectClose(outs[2], c.cN!, n, `${c.id} cN`);
  outs.map((t, i) => t.mul(decode(c.cotangents[i])).sum()).reduce((a, b) => a.add(b)).backward();
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

describe("RNN, LSTM and GRU agree with PyTorch (outputs, final states and every gradient)", () => {
  for (const c of cases) it(c.id, () => run(c));
});
