// MultiheadAttention, TransformerEncoderLayer and TransformerEncoder against PyTorch
// (tests/parity/cases/attention.json, scripts/torch-parity/attention.py): outputs, attention
// weights, the input gradients and every parameter gradient; then PyTorch state_dicts saved as
// safetensors load and reproduce PyTorch's eval-mode outputs.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { loadSafetensors } from "../../src/io/safetensors.js";
import { decode, expectClose, resolveArgs, type EncodedTensor } from "./run-case.js";

interface Base {
  id: string; terms: number; state: Record<string, EncodedTensor>; masks: Record<string, EncodedTensor>;
  output: EncodedTensor; cotangent: EncodedTensor; paramGrads: Record<string, EncodedTensor>;
}
interface MhaCase extends Base {
  kind: "mha"; ctor: { args: [number, number]; options: Record<string, unknown> }; self: boolean;
  inputs: Record<string, EncodedTensor>; options: Record<string, unknown>; weights: EncodedTensor | null;
  inputGrads: Record<string, EncodedTensor>;
}
interface LayerCase extends Base {
  kind: "layer" | "encoder"; args: [number, number]; options: Record<string, unknown>; layers: number;
  input: EncodedTensor; forward: Record<string, unknown>; inputGrad: EncodedTensor;
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/attention.json", import.meta.url), "utf8")) as { cases: (MhaCase | LayerCase)[] };

function load(m: eg.nn.Module, state: Record<string, EncodedTensor>): void {
  expect(Object.keys(m.stateDict())).toEqual(Object.keys(state));
  m.loadStateDict(Object.fromEntries(Object.entries(state).map(([k, t]) => [k, decode(t)])));
}

function checkParamGrads(m: eg.nn.Module, c: Base): void {
  const params = new Map(m.namedParameters());
  for (const [k, want] of Object.entries(c.paramGrads)) {
    const p = params.get(k);
    if (!p?.grad) throw new Error(`${c.id}: no gradient for parameter ${k}`);
    expectClose(p.grad, want, 2 * c.terms, `${c.id} grad of ${k}`);
  }
}

function runMha(c: MhaCase): void {
  const m = new eg.nn.MultiheadAttention(...c.ctor.args, c.ctor.options);
  load(m, c.state);
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, t]) => [k, decode(t)]));
  const masks = Object.fromEntries(Object.entries(c.masks).map(([k, t]) => [k, decode(t)]));
  const [q, k, v] = c.self ? [inputs.x, inputs.x, inputs.x] : [inputs.q, inputs.k, inputs.v];
  const [y, w] = m.forward(q, k, v, resolveArgs(c.options, masks) as eg.nn.AttentionForwardOptions);
  expectClose(y, c.output, c.terms, `${c.id} output`);
  if (c.weights) expectClose(w!, c.weights, c.terms, `${c.id} weights`);
  else expect(w).toBeNull();
  y.mul(decode(c.cotangent)).sum().backward();
  for (const [name, want] of Object.entries(c.inputGrads)) expectClose(inputs[name].grad!, want, 2 * c.terms, `${c.id} grad of ${name}`);
  checkParamGrads(m, c);
}

function build(kind: "layer" | "encoder", args: [number, number], options: Record<string, unknown>, layers: number): eg.nn.Module {
  const layer = new eg.nn.TransformerEncoderLayer(...args, options);
  return kind === "layer" ? layer : new eg.nn.TransformerEncoder(layer, layers, { norm: new eg.nn.LayerNorm(args[0]) });
}

function runLayer(c: LayerCase): void {
  const m = build(c.kind, c.args, c.options, c.layers);
  load(m, c.state);
  const x = decode(c.input);
  const masks = Object.fromEntries(Object.entries(c.masks).map(([k, t]) => [k, decode(t)]));
  const y = m.forward(x, resolveArgs(c.forward, masks)) as eg.Tensor;
  expectClose(y, c.output, c.terms, `${c.id} output`);
  y.mul(decode(c.cotangent)).sum().backward();
  expectClose(x.grad!, c.inputGrad, 2 * c.terms, `${c.id} input gradient`);
  checkParamGrads(m, c);
}

describe("attention layers agree with PyTorch (values, weights and gradients)", () => {
  for (const c of cases) it(c.id, () => (c.kind === "mha" ? runMha(c) : runLayer(c)));
});

interface Fixture {
  kind: "mha" | "encoder"; args: [number, number]; options: Record<string, unknown>; layers?: number;
  keys: string[]; inputs: EncodedTensor[]; output: EncodedTensor;
}
const fixtures = JSON.parse(readFileSync(new URL("../io/fixtures/torch-attention.json", import.meta.url), "utf8")) as Record<string, Fixture>;

describe("PyTorch attention state_dicts (safetensors) load and reproduce PyTorch's eval-mode outputs", () => {
  for (const [name, f] of Object.entries(fixtures)) {
    it(name, () => {
      const state = loadSafetensors(readFileSync(new URL(`../io/fixtures/${name}.safetensors`, import.meta.url)));
      expect(Object.keys(state)).toEqual(f.keys);
      // The encoder was saved without a final norm.
      const model = f.kind === "mha" ? new eg.nn.MultiheadAttention(...f.args, f.options)
        : new eg.nn.TransformerEncoder(new eg.nn.TransformerEncoderLayer(...f.args, f.options), f.layers!);
      model.loadStateDict(state);
      model.eval();
      const inputs = f.inputs.map(decode);
      const y = f.kind === "mha"
        ? (model as eg.nn.MultiheadAttention).predict(inputs[0], inputs[1], inputs[2])[0]
        : (model as eg.nn.TransformerEncoder).predict(inputs[0], { isCausal: true });
      const terms = 8 * (f.args[0] + 32 + inputs[0].shape[1]) * (f.layers ?? 1);
      expectClose(y, f.output, terms, `${name} output`);
    });
  }
});
