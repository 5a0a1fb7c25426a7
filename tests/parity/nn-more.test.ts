// PyTorch 1.13 cases of scripts/torch-parity/nn_more.py (tests/parity/cases/nn-more.json):
// Unfold/Fold, Softmax2d and the padding modules as module cases (run-stateful.ts), the
// spectral-norm steps (train-mode power iterations, the last step's gradients, an eval forward,
// the weight removeSpectralNorm leaves) and the ParameterList/ParameterDict state-dict keys.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";
import { runModuleCase, type ModuleCase } from "./run-stateful.js";

interface Step {
  input: EncodedTensor; output: EncodedTensor; u: EncodedTensor; v: EncodedTensor;
  cotangent?: EncodedTensor; inputGrad?: EncodedTensor; paramGrads?: Record<string, EncodedTensor>;
}
interface SpectralCase {
  id: string; kind: "spectral"; ctor: { name: string; args: unknown[] }; options: Record<string, number>;
  state: Record<string, EncodedTensor>; steps: Step[];
  eval: { input: EncodedTensor; output: EncodedTensor; weight: EncodedTensor };
  removed: Record<string, EncodedTensor>;
}
type ContainerStep = ["list", EncodedTensor[]] | ["dict", [string, EncodedTensor][]] | ["update", [string, EncodedTensor][]] | ["append", EncodedTensor]
  | ["dictSet", string, EncodedTensor] | ["listSet", number, EncodedTensor];
interface ContainerCase {
  id: string; kind: "containers"; steps: ContainerStep[]; stateDict: Record<string, EncodedTensor>;
  namedParameters: string[]; dictKeys: string[]; listLength: number;
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/nn-more.json", import.meta.url), "utf8")) as {
  cases: (ModuleCase | SpectralCase | ContainerCase)[];
};
const decodeAll = (d: Record<string, EncodedTensor>) => Object.fromEntries(Object.entries(d).map(([k, t]) => [k, decode(t)]));

function runSpectral(c: SpectralCase): void {
  const Ctor = (eg.nn as unknown as Record<string, new (...a: unknown[]) => eg.nn.Module>)[c.ctor.name];
  const m = eg.nn.utils.spectralNorm(new Ctor(...c.ctor.args), { ...c.options, seed: 1 });
  expect(Object.keys(m.stateDict()), `${c.id} state keys`).toEqual(Object.keys(c.state));
  m.loadStateDict(decodeAll(c.state));
  // Σ of the weight's products in W·v and uᵀ·(W·v), a few power steps, then the layer's own sums.
  const terms = 8 * c.state.weight_orig.data.length;
  const buffers = () => Object.fromEntries(m.namedBuffers());
  m.train();
  c.steps.forEach((s, i) => {
    const x = decode(s.input);
    x.requiresGrad = s.cotangent !== undefined;
    const y = m.forward(x) as eg.Tensor;
    expectClose(y, s.output, terms, `${c.id} step ${i} output`);
    expectClose(buffers().weight_u, s.u, terms, `${c.id} step ${i} u`);
    expectClose(buffers().weight_v, s.v, terms, `${c.id} step ${i} v`);
    if (!s.cotangent) return;
    for (const p of m.parameters()) p.grad = null;
    y.mul(decode(s.cotangent)).sum().backward();
    expectClose(x.grad!, s.inputGrad!, 2 * terms, `${c.id} input gradient`);
    const params = Object.fromEntries(m.namedParameters());
    expect(Object.keys(params).sort()).toEqual(Object.keys(s.paramGrads!).sort());
    for (const [k, want] of Object.entries(s.paramGrads!)) expectClose(params[k].grad!, want, 2 * terms, `${c.id} grad of ${k}`);
  });
  m.eval();
  const u = Array.from(buffers().weight_u.data);
  expectClose(m.predict(decode(c.eval.input)) as eg.Tensor, c.eval.output, terms, `${c.id} eval output`);
  expect(Array.from(buffers().weight_u.data), "no power step in eval mode").toEqual(u);
  expectClose((m as unknown as { weight: eg.Tensor }).weight, c.eval.weight, terms, `${c.id} eval weight`);
  eg.nn.utils.removeSpectralNorm(m);
  const after = m.stateDict();
  expect(Object.keys(after), `${c.id} keys after removal`).toEqual(Object.keys(c.removed));
  for (const [k, want] of Object.entries(c.removed)) expectClose(after[k], want, terms, `${c.id} ${k} after removal`);
}

function runContainers(c: ContainerCase): void {
  const holder = new eg.nn.ModuleDict();
  let list: eg.nn.ParameterList | undefined, dict: eg.nn.ParameterDict | undefined;
  for (const step of c.steps) {
    if (step[0] === "list") holder.set("ws", (list = new eg.nn.ParameterList(step[1].map(decode))));
    else if (step[0] === "dict") holder.set("table", (dict = new eg.nn.ParameterDict(Object.fromEntries(step[1].map(([k, t]) => [k, decode(t)])))));
    else if (step[0] === "update") dict!.update(step[1].map(([k, t]) => [k, decode(t)] as [string, eg.Tensor]));
    else if (step[0] === "append") list!.append(decode(step[1]));
    else if (step[0] === "dictSet") dict!.set(step[1], decode(step[2]));
    else if (step[0] === "listSet") list!.set(step[1], decode(step[2]));
    else throw new Error(`${c.id}: unknown step ${JSON.stringify(step)}`);
  }
  expect(holder.namedParameters().map(([k]) => k)).toEqual(c.namedParameters);
  expect(dict!.keys()).toEqual(c.dictKeys);
  expect(list!.length).toBe(c.listLength);
  const sd = holder.stateDict();
  expect(Object.keys(sd)).toEqual(Object.keys(c.stateDict));
  const values = (t: eg.Tensor) => Array.from(t.data as ArrayLike<number>);
  for (const [k, want] of Object.entries(c.stateDict)) expect(values(sd[k]), k).toEqual(values(decode(want)));
  // And the dict loads back into a fresh holder of zeros of the same structure.
  const zeros = (t: eg.Tensor) => eg.zeros(t.shape.slice());
  const fresh = new eg.nn.ModuleDict([["ws", new eg.nn.ParameterList([...list!].map(zeros))],
    ["table", new eg.nn.ParameterDict(dict!.entries().map(([k, t]) => [k, zeros(t)] as [string, eg.Tensor]))]]);
  fresh.loadStateDict(decodeAll(c.stateDict));
  for (const [k, t] of Object.entries(fresh.stateDict())) expect(values(t), `${k} loaded`).toEqual(values(decode(c.stateDict[k])));
}

describe("PyTorch 1.13 cases (scripts/torch-parity/nn_more.py)", () => {
  it("has cases of every family", () => {
    const ids = cases.map((c) => c.id);
    for (const p of ["Unfold/", "Fold/", "Softmax2d/", "ConstantPad3d/", "ReflectionPad3d/", "ReplicationPad3d/", "ZeroPad1d/", "ZeroPad3d/",
      "CircularPad1d/", "CircularPad2d/", "CircularPad3d/", "spectralNorm/", "containers/"]) {
      expect(ids.some((id) => id.startsWith(p)), p).toBe(true);
    }
  });
  for (const c of cases) {
    it(c.id, () => {
      if (c.kind === "module") runModuleCase(c);
      else if (c.kind === "spectral") runSpectral(c);
      else runContainers(c);
    });
  }
});
