// init({ threads }) reaches the recurrent layers: their GEMMs (the all-steps input projection,
// each step's recurrent product, the backward's) split over the pool give the same bits as one
// thread, for the outputs, the final states and every gradient of a 2-layer bidirectional LSTM
// and GRU (every GEMM split: the size threshold set to 0). On the js backend there is no pool
// and the same check holds trivially.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import type { BackendName } from "../../src/backend/index.js";
import { parallelGemm } from "../../src/backend/parallel-gemm.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
const defaultMinMacs = parallelGemm.minMacs;
afterEach(() => { parallelGemm.minMacs = defaultMinMacs; });
afterAll(() => eg.init({ backend }));

/** Every output and gradient of one forward and backward, as plain arrays. */
function everything(kind: "LSTM" | "GRU"): number[][] {
  const o = { numLayers: 2, bidirectional: true, batchFirst: true, seed: 3 };
  const m = kind === "LSTM" ? new eg.nn.LSTM(5, 9, o) : new eg.nn.GRU(5, 9, o);
  const x = eg.randn([3, 7, 5], { seed: 4 });
  x.requiresGrad = true;
  const outs = m instanceof eg.nn.LSTM ? (([y, [h, c]]) => [y, h, c])(m.forward(x)) : m.forward(x);
  outs.map((t, i) => t.mul(i + 1).sum()).reduce((a, b) => a.add(b)).backward();
  return [...outs, x.grad!, ...m.parameters().map((p) => p.grad!)].map((t) => Array.from(t.data));
}

describe("recurrent layers on threads", () => {
  it("give the same bits on 1 and 2 threads, every GEMM split", async () => {
    for (const kind of ["LSTM", "GRU"] as const) {
      await eg.init({ backend, threads: 1 });
      const one = everything(kind);
      const info = await eg.init({ backend, threads: 2 });
      expect(info.threads).toBe(backend === "js" ? 1 : 2);
      parallelGemm.minMacs = 0;
      expect(everything(kind)).toEqual(one);
    }
  });
});
