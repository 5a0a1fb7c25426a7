// PyTorch RNN, LSTM and GRU state_dicts saved in float32 as safetensors
// (tests/io/fixtures/torch-recurrent.safetensors, made by scripts/torch-parity/recurrent.py, one
// prefix per case of tests/parity/cases/recurrent.json) load with loadStateDict into the same
// edgegrad layer and reproduce PyTorch's outputs: edgegrad's and PyTorch's float32 outputs are
// both within the float32 error bound of PyTorch's float64 output for the same weights.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { loadSafetensors } from "../../src/io/safetensors.js";
import { gamma } from "../support/tolerance.js";

interface Case {
  id: string; ctor: { name: "RNN" | "LSTM" | "GRU"; args: [number, number, Record<string, unknown>] };
  lstm: boolean; withState: boolean; safetensorsPrefix: string;
  input: { shape: number[]; data: number[] }; h0: { shape: number[]; data: number[] }; c0: { shape: number[]; data: number[] };
  output: { data: number[] }; output_f32: number[];
}
const { cases } = JSON.parse(readFileSync(new URL("../parity/cases/recurrent.json", import.meta.url), "utf8")) as { cases: Case[] };
const all = loadSafetensors(new Uint8Array(readFileSync(new URL("./fixtures/torch-recurrent.safetensors", import.meta.url))));

describe("PyTorch recurrent state_dicts (safetensors) load and give PyTorch's outputs", () => {
  for (const c of cases) {
    it(c.id, () => {
      const Ctor = eg.nn[c.ctor.name] as unknown as new (...a: unknown[]) => eg.nn.RNN | eg.nn.LSTM;
      const m = new Ctor(...c.ctor.args);
      const sd = Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(c.safetensorsPrefix))
        .map(([k, t]) => [k.slice(c.safetensorsPrefix.length), t]));
      expect(Object.keys(sd).sort()).toEqual(Object.keys(m.stateDict()).sort());
      m.loadStateDict(sd);
      m.eval();
      const t = (e: { shape: number[]; data: number[] }) => eg.fromTypedArray(Float32Array.from(e.data), e.shape);
      const x = t(c.input), h0 = t(c.h0), c0 = t(c.c0);
      const y = eg.noGrad(() => (c.lstm ? (m as eg.nn.LSTM).forward(x, c.withState ? [h0, c0] : undefined)[0]
        : (m as eg.nn.RNN).forward(x, c.withState ? h0 : undefined)[0]));
      const [inputSize, hidden, o] = c.ctor.args;
      const steps = c.input.shape[o.batchFirst && c.input.shape.length === 3 ? 1 : 0];
      const k = gamma(4 * steps * ((o.numLayers as number) ?? 1) * (inputSize + 2 * hidden + 8) + 16);
      const scale = c.output.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      const got = y.data;
      c.output.data.forEach((r, i) => {
        const tol = k * (Math.abs(r) + scale);
        if (!(Math.abs(c.output_f32[i] - r) <= tol)) throw new Error(`PyTorch float32 output ${i}: ${c.output_f32[i]} vs ${r}`);
        if (!(Math.abs(got[i] - r) <= tol)) throw new Error(`edgegrad output ${i}: ${got[i]} vs PyTorch ${r} (tolerance ${tol})`);
      });
    });
  }
});
