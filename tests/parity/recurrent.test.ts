// RNN (tanh, relu), LSTM and GRU against PyTorch 1.13 (tests/parity/cases/recurrent.json, made by
// scripts/torch-parity/recurrent.py): PyTorch's parameters loaded, then the output, hN (and cN) and
// the gradients of the input, h0 (and c0) and every parameter for fixed cotangents of all outputs.
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import * as eg from "../../src/index.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";
import { expectRecurrentGrads, loadRecurrentCase, type RecurrentCaseBase } from "./recurrent-case.js";

interface RecurrentCase extends RecurrentCaseBase {
  output: EncodedTensor; hN: EncodedTensor; cN?: EncodedTensor; cotangents: EncodedTensor[];
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
  const loaded = loadRecurrentCase(c), { m, x, h0, c0 } = loaded;
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
  expectRecurrentGrads(c, loaded, n);
}

describe("RNN, LSTM and GRU agree with PyTorch (outputs, final states and every gradient)", () => {
  for (const c of cases) it(c.id, () => run(c));
});
