// PyTorch CNN state_dicts saved as safetensors (tests/io/fixtures, made by
// scripts/torch-parity/cnn_state_dict.py: weights, and BatchNorm's running statistics with
// num_batches_tracked as int64) load into the same edgegrad architecture with loadStateDict and
// give PyTorch's eval-mode outputs: PyTorch's float64 outputs equal a float64 reference written
// here from the loaded tensors, and edgegrad's and PyTorch's float32 outputs are both within the
// reference's derived float32 error bound.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { loadSafetensors } from "../../src/io/safetensors.js";
import { batchNorm, bounded, conv, expectWithin, flatten, linear, pool, relu, type Bounded } from "../support/cnn-reference.js";
import { gamma, U32 } from "../support/tolerance.js";

interface Case { input: { shape: number[]; data: number[] }; keys: string[]; output_f32: number[]; output_f64: number[] }
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const cases = JSON.parse(readFileSync(fixture("torch-cnn.json"), "utf8")) as Record<string, Case>;

function model(batchNorm: boolean, c1: number, c2: number, side: number, hidden: number): eg.nn.Sequential {
  const { Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear, Sequential } = eg.nn;
  const block = (cin: number, cout: number) => [new Conv2d(cin, cout, 3, { padding: 1 }), ...(batchNorm ? [new BatchNorm2d(cout)] : []), new ReLU(), new MaxPool2d(2)];
  const flat = c2 * Math.floor(side / 4) ** 2;
  const head = hidden ? [new Linear(flat, hidden), new ReLU(), new Linear(hidden, 10)] : [new Linear(flat, 10)];
  return new Sequential(...block(1, c1), ...block(c1, c2), new Flatten(), ...head);
}

/**
 * The model in float64 from its loaded tensors, layer by layer, with float32 error bounds. A
 * BatchNorm's bound covers both ways of computing it: separately (PyTorch) and folded into the
 * convolution (edgegrad's eval-mode fusion: γ(k+4)·Σ|w·s·x| + 4u·(|b·s| + |mean·s| + |β|)).
 */
function reference(m: eg.nn.Sequential, x: Bounded): Bounded {
  let h = x;
  const mods = [...m];
  mods.forEach((mod, i) => {
    if (mod instanceof eg.nn.Conv2d) {
      const spec = { weight: mod.weight.data, weightShape: mod.weight.shape, bias: mod.bias!.data, stride: [1, 1], padBegin: [1, 1], padEnd: [1, 1], dilation: [1, 1], groups: 1 };
      const next = mods[i + 1];
      if (!(next instanceof eg.nn.BatchNorm2d)) { h = conv(h, spec); return; }
      const k = mod.weight.size / mod.outChannels;
      const s = Array.from({ length: mod.outChannels }, (_, j) => next.weight!.data[j] / Math.sqrt(next.runningVar!.data[j] + next.eps));
      const absWsx = conv(bounded(h.shape, h.y.map(Math.abs)), { ...spec, weight: mod.weight.data.map((w, t) => Math.abs(w * s[Math.floor(t / k)])), bias: null });
      const separate = batchNorm(conv(h, spec), next.runningMean!.data, next.runningVar!.data, next.weight!.data, next.bias!.data, next.eps);
      const plane = separate.y.length / (h.shape[0] * mod.outChannels);
      // The incoming error propagates through |w·s| either way: Σ|w·s|·err, what the separate bound carries too.
      const incoming = conv(bounded(h.shape, h.err), { ...spec, weight: mod.weight.data.map((w, t) => Math.abs(w * s[Math.floor(t / k)])), bias: null });
      h = { ...separate, err: separate.err.map((e, t) => {
        const j = Math.floor(t / plane) % mod.outChannels;
        const folded = incoming.y[t] + gamma(k + 4) * absWsx.y[t]
          + 4 * U32 * (Math.abs(mod.bias!.data[j] * s[j]) + Math.abs(next.runningMean!.data[j] * s[j]) + Math.abs(next.bias!.data[j])) + (k + 4) * 2 ** -149;
        return Math.max(e, folded);
      }) };
    } else if (mod instanceof eg.nn.BatchNorm2d) {
      // Handled with the convolution before it.
    } else if (mod instanceof eg.nn.ReLU) h = relu(h);
    else if (mod instanceof eg.nn.MaxPool2d) h = pool(h, "max", { kernel: [2, 2], stride: [2, 2], padding: [0, 0] });
    else if (mod instanceof eg.nn.Flatten) h = flatten(h);
    else if (mod instanceof eg.nn.Linear) h = linear(h, mod.weight.data, mod.bias!.data, mod.outFeatures);
    else throw new Error(`reference: unexpected ${mod.constructor.name}`);
  });
  return h;
}

describe("PyTorch CNN state_dicts (safetensors) load and give PyTorch's outputs", () => {
  const variants: [string, boolean, number, number, number, number][] = [
    ["torch-cnn", false, 4, 8, 12, 16], ["torch-cnn-bn", true, 4, 8, 12, 16], ["torch-cnn-full", false, 32, 64, 28, 0],
  ];
  for (const [name, withBn, c1, c2, side, hidden] of variants) {
    it(`${name}: keys, buffers and eval-mode outputs`, () => {
      const c = cases[name];
      const m = model(withBn, c1, c2, side, hidden);
      expect(Object.keys(m.stateDict())).toEqual(c.keys);
      const sd = loadSafetensors(new Uint8Array(readFileSync(fixture(`${name}.safetensors`))));
      m.loadStateDict(sd);
      m.eval();
      if (withBn) {
        const bn = m.at(1) as eg.nn.BatchNorm2d;
        expect(Array.from(bn.numBatchesTracked!.data)).toEqual([3]);
        expect(Array.from(bn.runningVar!.data)).toEqual(Array.from(sd["1.running_var"].data));
      }
      const x = eg.fromTypedArray(Float32Array.from(c.input.data), c.input.shape);
      const ref = reference(m, bounded(x.shape, x.data));
      // PyTorch in float64 computes the same function: equal to the reference within the float64 analogue of its bound.
      c.output_f64.forEach((v, i) => {
        const bound = (ref.err[i] + U32 * Math.abs(ref.y[i])) * 2 ** -29;
        if (!(Math.abs(v - ref.y[i]) <= bound)) throw new Error(`PyTorch float64 output ${i}: ${v} vs reference ${ref.y[i]} (bound ${bound})`);
      });
      expectWithin("PyTorch float32", c.output_f32, ref);
      expectWithin("edgegrad", eg.noGrad(() => m.forward(x)).data, ref);
    });
  }
});
