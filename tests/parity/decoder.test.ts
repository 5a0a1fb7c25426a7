// TransformerDecoderLayer, TransformerDecoder and Transformer against PyTorch 1.13
// (tests/parity/cases/decoder.json, scripts/torch-parity/decoder.py): outputs, the gradients of
// both inputs (tgt and memory, or src and tgt) and of every parameter, each case's module
// loaded from PyTorch's state_dict; then a PyTorch nn.Transformer state_dict saved as
// safetensors loads and reproduces PyTorch's eval-mode output.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { loadSafetensors } from "../../src/io/safetensors.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";

interface Case {
  id: string; kind: "layer" | "decoder" | "transformer"; terms: number;
  spec: { args?: [number, number]; options: Record<string, unknown>; layers?: number };
  state: Record<string, EncodedTensor>; inputs: [EncodedTensor, EncodedTensor]; masks: Record<string, EncodedTensor>;
  forward: Record<string, unknown>; output: EncodedTensor; cotangent: EncodedTensor;
  inputGrads: [EncodedTensor, EncodedTensor]; paramGrads: Record<string, EncodedTensor>;
}
interface Fixture {
  options: Record<string, number>; keys: string[]; src: EncodedTensor; tgt: EncodedTensor; kpm: EncodedTensor; output: EncodedTensor;
}

const { cases, fixture } = JSON.parse(readFileSync(new URL("./cases/decoder.json", import.meta.url), "utf8")) as { cases: Case[]; fixture: Fixture };

/** The generator's activation names; "tanh-fn" is PyTorch's unary callable torch.tanh. */
const layerOptions = (o: Record<string, unknown>) => (o.activation === "tanh-fn" ? { ...o, activation: (x: eg.Tensor) => x.tanh() } : o);

function build(c: Case): eg.nn.Module {
  const o = layerOptions(c.spec.options);
  if (c.kind === "transformer") return new eg.nn.Transformer(o);
  const layer = new eg.nn.TransformerDecoderLayer(...c.spec.args!, o);
  return c.kind === "layer" ? layer : new eg.nn.TransformerDecoder(layer, c.spec.layers!, { norm: new eg.nn.LayerNorm(c.spec.args![0]) });
}

/** The forward options: { $t: name } → the case's mask, { $squareSubsequent: sz } → Transformer.generateSquareSubsequentMask(sz). */
function forwardOptions(c: Case): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c.forward).map(([k, v]) => {
    if (typeof v !== "object" || v === null) return [k, v];
    const r = v as { $t?: string; $squareSubsequent?: number };
    return [k, r.$t !== undefined ? decode(c.masks[r.$t]) : eg.nn.Transformer.generateSquareSubsequentMask(r.$squareSubsequent!)];
  }));
}

function run(c: Case): void {
  const m = build(c);
  expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.state));
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, decode(t)])));
  const [a, b] = c.inputs.map(decode);
  const y = m.forward(a, b, forwardOptions(c)) as eg.Tensor;
  expectClose(y, c.output, c.terms, `${c.id} output`);
  y.mul(decode(c.cotangent)).sum().backward();
  const names = c.kind === "transformer" ? ["src", "tgt"] : ["tgt", "memory"];
  [a, b].forEach((x, i) => expectClose(x.grad!, c.inputGrads[i], 2 * c.terms, `${c.id} grad of ${names[i]}`));
  const params = new Map(m.namedParameters());
  expect([...params.keys()].sort()).toEqual(Object.keys(c.paramGrads).sort());
  for (const [k, want] of Object.entries(c.paramGrads)) {
    const p = params.get(k)!;
    if (!p.grad) throw new Error(`${c.id}: no gradient for parameter ${k}`);
    expectClose(p.grad, want, 2 * c.terms, `${c.id} grad of ${k}`);
  }
}

describe("transformer decoder layers agree with PyTorch (values and gradients)", () => {
  for (const c of cases) it(c.id, () => run(c));
});

describe("a PyTorch nn.Transformer state_dict (safetensors) loads and reproduces PyTorch's eval-mode output", () => {
  it("torch-transformer", () => {
    const state = loadSafetensors(readFileSync(new URL("../io/fixtures/torch-transformer.safetensors", import.meta.url)));
    expect(Object.keys(state)).toEqual(fixture.keys);
    const model = new eg.nn.Transformer(fixture.options); // default dropout 0.1: eval() must switch it off
    expect(Object.keys(model.stateDict())).toEqual(fixture.keys);
    expect(model.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    model.eval();
    const kpm = decode(fixture.kpm);
    const src = decode(fixture.src), tgt = decode(fixture.tgt);
    const y = model.predict(src, tgt, {
      tgtMask: eg.nn.Transformer.generateSquareSubsequentMask(tgt.shape[0]), srcKeyPaddingMask: kpm, memoryKeyPaddingMask: kpm,
    });
    const o = fixture.options;
    const terms = 8 * (o.dModel + o.dimFeedforward + src.shape[0] + tgt.shape[0] + src.shape[1]) * (o.numEncoderLayers + o.numDecoderLayers);
    expectClose(y, fixture.output, terms, "torch-transformer output");
  });
});
