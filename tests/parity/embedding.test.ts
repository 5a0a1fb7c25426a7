// Embedding and SparseAdam against PyTorch (cases from scripts/torch-parity/embedding.py).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { touchedRows } from "../../src/ndarray/row-lists.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";

interface LookupCase {
  id: string; options: Record<string, unknown>; weight: EncodedTensor; input: EncodedTensor; output: EncodedTensor;
  cotangent: EncodedTensor; weightAfter: EncodedTensor; weightGrad: EncodedTensor; rowsUsed: number[] | null; terms: number;
}
interface SparseAdamCase {
  id: string; options: Record<string, unknown>; weight: EncodedTensor;
  steps: { input: EncodedTensor; cotangent: EncodedTensor; weight: EncodedTensor }[];
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/embedding.json", import.meta.url), "utf8")) as { cases: (LookupCase | SparseAdamCase)[] };
const lookups = cases.filter((c): c is LookupCase => c.id.startsWith("embedding/"));
const adams = cases.filter((c): c is SparseAdamCase => c.id.startsWith("SparseAdam/"));
// Tables and cotangents are float32 values written with 10 digits: fround recovers them exactly.
const f64 = (t: EncodedTensor) => new eg.Tensor(Float64Array.from(t.data, Math.fround), "float64", t.shape);

describe("Embedding agrees with PyTorch: output, the table after maxNorm, the table's gradient (dense and sparse)", () => {
  for (const c of lookups) {
    it(c.id, () => {
      const options = { ...c.options, ...(c.options.normType === "inf" ? { normType: Infinity } : {}) };
      const e = eg.nn.Embedding.fromPretrained(decode(c.weight), { freeze: false, ...options });
      const y = e.forward(decode(c.input));
      expectClose(y, c.output, c.terms, `${c.id} output`);
      expectClose(e.weight, c.weightAfter, c.terms, `${c.id} table after the forward`);
      y.mul(decode(c.cotangent)).sum().backward();
      expectClose(e.weight.grad!, c.weightGrad, c.terms, `${c.id} table gradient`);
      const rows = touchedRows(e.weight.grad!);
      expect(rows === null ? null : Array.from(rows)).toEqual(c.rowsUsed);
    });
  }
});

describe("SparseAdam agrees with torch.optim.SparseAdam on a sparse Embedding (float64 trajectories)", () => {
  for (const c of adams) {
    it(c.id, () => {
      const e = eg.nn.Embedding.fromPretrained(f64(c.weight), { freeze: false, sparse: true });
      const opt = new eg.optim.SparseAdam([e.weight], c.options);
      c.steps.forEach((s, t) => {
        opt.zeroGrad();
        e.forward(decode(s.input)).mul(f64(s.cotangent)).sum().backward();
        opt.step();
        const scale = s.weight.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        s.weight.data.forEach((want, i) => {
          const got = e.weight.data[i];
          // A few dozen roundings per step in each library.
          expect(Math.abs(got - want), `${c.id} step ${t + 1} element ${i}: ${got} vs PyTorch ${want}`).toBeLessThanOrEqual(64 * (t + 1) * 2 ** -53 * (Math.abs(want) + scale));
        });
      });
    });
  }
});
