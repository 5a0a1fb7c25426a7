// The same-seed-same-bits promise at any thread count: one epoch of an MLP on digits with Adam
// gives bit-identical final weights and losses with 1, 2 and 3 threads (the forward and both
// backward products of the wider layers are past the split threshold), and it learns.
import { afterAll, describe, expect, it, vi } from "vitest";
import * as eg from "../../src/index.js";
import { nn } from "../../src/index.js";
import type { BackendName } from "../../src/backend/index.js";
import { digits } from "../../src/data/index.js";
import { ThreadPool } from "../../src/backend/thread-pool.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
afterAll(() => eg.init({ backend }));

async function epochWith(threads: number): Promise<{ weights: Float32Array[]; loss: number[]; threads: number }> {
  const info = await eg.init({ backend, threads });
  const { x, y } = digits();
  const scaled = x.div(16);
  eg.manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(64, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(),
                                  new nn.Linear(128, 10));
  const history = await nn.fit(model, scaled, y, { loss: "crossEntropy", optimizer: "adam", epochs: 1, batchSize: 64, seed: 7 });
  return { weights: model.parameters().map((p) => p.data as Float32Array), loss: history.history.loss, threads: info.threads };
}

describe("one digits epoch", () => {
  it("ends in the same weights, bit for bit, with 1, 2 and 3 threads", async () => {
    const one = await epochWith(1);
    const split = vi.spyOn(ThreadPool.prototype, "run");
    const two = await epochWith(2);
    expect(split.mock.calls.length > 0).toBe(backend !== "js"); // the pool really ran products
    const three = await epochWith(3);
    expect([one.threads, two.threads, three.threads]).toEqual(backend === "js" ? [1, 1, 1] : [1, 2, 3]);
    expect(one.loss[0]).toBeLessThan(2.2); // the mean over the epoch fell below chance, ln 10 ≈ 2.30
    expect(two.loss).toEqual(one.loss);
    expect(three.loss).toEqual(one.loss);
    one.weights.forEach((w, i) => {
      expect(two.weights[i], `parameter ${i}, 2 threads`).toEqual(w);
      expect(three.weights[i], `parameter ${i}, 3 threads`).toEqual(w);
    });
  });
});
