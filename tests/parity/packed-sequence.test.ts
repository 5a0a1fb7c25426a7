// RNN (tanh, relu), LSTM and GRU on packed sequences against PyTorch 1.13
// (tests/parity/cases/packed-sequence.json, made by scripts/torch-parity/packed_sequence.py):
// PyTorch's parameters loaded, the input packed with enforceSorted true and false, then the packed
// output and its indices, hN (and cN), the output padded again, and the gradients of the padded
// input, h0 (and c0) and every parameter for fixed cotangents of the packed data and final states.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";
import { expectRecurrentGrads, loadRecurrentCase, type RecurrentCaseBase } from "./recurrent-case.js";

interface PackedCase extends RecurrentCaseBase {
  enforceSorted: boolean; lengths: number[];
  data: EncodedTensor; batchSizes: number[]; sortedIndices: number[] | null; unsortedIndices: number[] | null;
  hN: EncodedTensor; cN?: EncodedTensor; padded: EncodedTensor; paddedLengths: number[];
  cotangents: EncodedTensor[];
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/packed-sequence.json", import.meta.url), "utf8")) as { cases: PackedCase[] };

/** The float32 error of T steps through L layers of sums of I + D·H + 1 products: a bound's term count. */
function terms(c: PackedCase): number {
  const [inputSize, hidden, o] = c.ctor.args;
  const T = Math.max(...c.lengths), layers = (o.numLayers as number) ?? 1, d = o.bidirectional ? 2 : 1;
  return 4 * T * layers * (inputSize + d * hidden + 8);
}

function run(c: PackedCase): void {
  const loaded = loadRecurrentCase(c), { m, x, h0, c0 } = loaded;
  const batchFirst = c.ctor.args[2].batchFirst as boolean;
  const packed = eg.nn.utils.rnn.packPaddedSequence(x, c.lengths, { batchFirst, enforceSorted: c.enforceSorted });
  let out: eg.nn.utils.rnn.PackedSequence, states: eg.Tensor[];
  if (c.lstm) {
    const [y, [h, cc]] = (m as eg.nn.LSTM).forward(packed, c.withState ? [h0, c0] : undefined);
    out = y; states = [h, cc];
  } else {
    const [y, h] = (m as eg.nn.RNN).forward(packed, c.withState ? h0 : undefined);
    out = y; states = [h];
  }
  expect(out.batchSizes).toEqual(c.batchSizes);
  expect(out.sortedIndices).toEqual(c.sortedIndices);
  expect(out.unsortedIndices).toEqual(c.unsortedIndices);
  const n = terms(c);
  expectClose(out.data, c.data, n, `${c.id} packed data`);
  expectClose(states[0], c.hN, n, `${c.id} hN`);
  if (c.lstm) expectClose(states[1], c.cN!, n, `${c.id} cN`);
  const [padded, lengths] = eg.nn.utils.rnn.padPackedSequence(out, { batchFirst, paddingValue: -1.5, totalLength: c.padded.shape[batchFirst ? 1 : 0] });
  expectClose(padded, c.padded, n, `${c.id} padded output`);
  expect(lengths).toEqual(c.paddedLengths);
  [out.data, ...states].map((t, i) => t.mul(decode(c.cotangents[i])).sum()).reduce((a, b) => a.add(b)).backward();
  expectRecurrentGrads(c, loaded, n);
}

describe("RNN, LSTM and GRU on packed sequences agree with PyTorch (outputs, indices, final states, gradients)", () => {
  it("covers enforceSorted true and false", () => {
    expect(new Set(cases.map((c) => c.enforceSorted))).toEqual(new Set([true, false]));
  });
  for (const c of cases) it(c.id, () => run(c));
});
