// Pooling, normalization and resizing against PyTorch (scripts/torch-parity/pool_norm.py): the
// functional cases as every call case, and modules with their weights and buffers loaded, in
// train or eval mode, compared on output, gradients and the state after the forward
// (BatchNorm's running statistics and batch count after a training step).
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import * as eg from "../../src/index.js";
import { decode, expectClose, runCallCase, type CallCase, type EncodedTensor } from "./run-case.js";
import type { ModuleCase } from "./run-stateful.js";

interface StatefulModuleCase extends ModuleCase { train: boolean; stateAfter: Record<string, EncodedTensor> }
const { cases } = JSON.parse(readFileSync(new URL("./cases/pool-norm.json", import.meta.url), "utf8")) as { cases: (CallCase | StatefulModuleCase)[] };

interface Spec { name: string; args?: unknown[] }
const isSpec = (v: unknown): v is Spec => v !== null && typeof v === "object" && typeof (v as Spec).name === "string";
function build(s: Spec): eg.nn.Module {
  const Ctor = (eg.nn as unknown as Record<string, new (...a: unknown[]) => eg.nn.Module>)[s.name];
  if (typeof Ctor !== "function") throw new Error(`edgegrad has no eg.nn.${s.name}`);
  return new Ctor(...(s.args ?? []).map((a) => (isSpec(a) ? build(a) : a)));
}

function runModule(c: StatefulModuleCase): void {
  const m = build(c.ctor).train(c.train);
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, decode(t)])));
  const x = decode(c.input);
  const y = m.forward(x) as eg.Tensor;
  expectClose(y, c.output, c.terms, `${c.id} output`);
  y.mul(decode(c.cotangent)).sum().backward();
  expectClose(x.grad!, c.inputGrad, 2 * c.terms, `${c.id} input gradient`);
  const params = new Map(m.namedParameters());
  for (const [k, want] of Object.entries(c.paramGrads)) {
    const p = params.get(k);
    if (!p?.grad) throw new Error(`${c.id}: no gradient for parameter ${k}`);
    expectClose(p.grad, want, 2 * c.terms, `${c.id} grad of ${k}`);
  }
  const after = m.stateDict();
  const keys = Object.keys(c.stateAfter);
  if (Object.keys(after).join() !== keys.join()) throw new Error(`${c.id}: state keys [${Object.keys(after)}], PyTorch has [${keys}]`);
  for (const k of keys) expectClose(after[k], c.stateAfter[k], c.terms, `${c.id} state ${k} after the forward`);
}

describe("pooling, normalization and resizing agree with PyTorch (values, gradients, running statistics)", () => {
  for (const c of cases) it(c.id, () => (c.kind === "call" ? runCallCase(c) : runModule(c)));
});
