// Module hooks and tensor gradient hooks against PyTorch (cases from scripts/torch-parity/hooks.py):
// the same hooks installed on both sides, outputs and every gradient compared.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";

interface LinearCase {
  id: string; kind: "linear"; hooks: { preScale: number; outShift: number; gradScale: number };
  weight: EncodedTensor; bias: EncodedTensor; x: EncodedTensor; cotangent: EncodedTensor; terms: number;
  output: EncodedTensor; gradInput: EncodedTensor; gradOutput: EncodedTensor;
  xGrad: EncodedTensor; weightGrad: EncodedTensor; biasGrad: EncodedTensor;
}
interface SequentialCase {
  id: string; kind: "sequential"; params: Record<string, EncodedTensor>; x: EncodedTensor; cotangent: EncodedTensor;
  terms: number; output: EncodedTensor; gradOutput: EncodedTensor; xGrad: EncodedTensor; grads: Record<string, EncodedTensor>;
}
interface TensorCase {
  id: string; kind: "tensor"; hooks: { hiddenScale: number; leafScale: number };
  x: EncodedTensor; w: EncodedTensor; cotangent: EncodedTensor; terms: number;
  yGrad: EncodedTensor; xGrad: EncodedTensor; wGrad: EncodedTensor;
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/hooks.json", import.meta.url), "utf8")) as { cases: (LinearCase | SequentialCase | TensorCase)[] };
const leaf = (t: EncodedTensor): Tensor => decode({ ...t, requiresGrad: true });

describe("module hooks agree with PyTorch's (pre-hook, forward hook, full backward hook)", () => {
  for (const c of cases.filter((k): k is LinearCase => k.kind === "linear")) {
    it(c.id, () => {
      const lin = new eg.nn.Linear(c.weight.shape[1], c.weight.shape[0]);
      lin.loadStateDict({ weight: decode(c.weight), bias: decode(c.bias) });
      const seen: { gradInput?: Tensor | null; gradOutput?: Tensor | null } = {};
      // The pre-hook returns one tensor, not a list: wrapped as the single input, as PyTorch wraps a non-tuple.
      lin.registerForwardPreHook((_m, inputs) => (inputs[0] as Tensor).mul(c.hooks.preScale));
      lin.registerForwardHook((_m, _inputs, out) => (out as Tensor).add(c.hooks.outShift));
      lin.registerFullBackwardHook((_m, gradInput, gradOutput) => {
        seen.gradInput = gradInput[0];
        seen.gradOutput = gradOutput[0];
        return [gradInput[0]!.mul(c.hooks.gradScale)];
      });
      const x = leaf(c.x);
      const y = lin.forward(x);
      expectClose(y, c.output, c.terms, `${c.id} output`);
      y.mul(decode(c.cotangent)).sum().backward();
      expectClose(seen.gradOutput!, c.gradOutput, c.terms, `${c.id} gradOutput`);
      expectClose(seen.gradInput!, c.gradInput, c.terms, `${c.id} gradInput`);
      expectClose(x.grad!, c.xGrad, c.terms, `${c.id} x.grad`);
      expectClose(lin.weight.grad!, c.weightGrad, c.terms, `${c.id} weight.grad`);
      expectClose(lin.bias!.grad!, c.biasGrad, c.terms, `${c.id} bias.grad`);
    });
  }

  for (const c of cases.filter((k): k is SequentialCase => k.kind === "sequential")) {
    it(c.id, () => {
      const seq = new eg.nn.Sequential(new eg.nn.Linear(4, 5), new eg.nn.ReLU(), new eg.nn.Linear(5, 2));
      seq.loadStateDict(Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, decode(v)])));
      const [first, relu] = seq.children();
      let gradOutput: Tensor | null = null;
      relu.registerForwardHook((_m, _inputs, out) => (out as Tensor).mul(2));
      first.registerFullBackwardHook((_m, gradInput, go) => {
        gradOutput = go[0];
        return [gradInput[0]!.mul(3)];
      });
      const x = leaf(c.x);
      const y = seq.forward(x);
      expectClose(y, c.output, c.terms, `${c.id} output`);
      y.mul(decode(c.cotangent)).sum().backward();
      expectClose(gradOutput!, c.gradOutput, c.terms, `${c.id} gradOutput of the first Linear`);
      expectClose(x.grad!, c.xGrad, c.terms, `${c.id} x.grad`);
      const params = Object.fromEntries(seq.namedParameters());
      expect(Object.keys(params)).toEqual(Object.keys(c.grads));
      for (const [n, want] of Object.entries(c.grads)) expectClose(params[n].grad!, want, c.terms, `${c.id} ${n}.grad`);
    });
  }
});

describe("tensor gradient hooks agree with PyTorch's (register_hook on a leaf and an intermediate, retain_grad)", () => {
  for (const c of cases.filter((k): k is TensorCase => k.kind === "tensor")) {
    it(c.id, () => {
      const x = leaf(c.x), w = leaf(c.w);
      const y = x.matmul(w);
      eg.retainGrad(y);
      const z = y.tanh();
      eg.registerHook(z, (g) => g.mul(c.hooks.hiddenScale));
      eg.registerHook(w, (g) => g.mul(c.hooks.leafScale));
      z.mul(z).mul(decode(c.cotangent)).sum().backward();
      expectClose(y.grad!, c.yGrad, c.terms, `${c.id} retained y.grad`);
      expectClose(x.grad!, c.xGrad, c.terms, `${c.id} x.grad`);
      expectClose(w.grad!, c.wGrad, c.terms, `${c.id} w.grad`);
    });
  }
});
