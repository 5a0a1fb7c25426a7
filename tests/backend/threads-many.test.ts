// Pools of more threads than one job has parts for: with 17 threads a convolution cut into 4
// parts a thread would be 68 parts, with 33 max pooling at 2 a thread 66, past the 64
// argument slots of the control block (ThreadPool.maxParts). Every splitter caps its count
// there, and since they all cut by output, a CNN training step gives the bits of one thread.
// Small problems with every split forced; the workers only run slower on a machine with fewer cores.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import * as eg from "../../src/index.js";
import { nn } from "../../src/index.js";
import type { BackendName } from "../../src/backend/index.js";
import { activeThreadPool } from "../../src/backend/init.js";
import { parallelAdam } from "../../src/backend/parallel-adam.js";
import { parallelConv } from "../../src/backend/parallel-conv.js";
import { parallelElementwise } from "../../src/backend/parallel-elementwise.js";
import { parallelGemm } from "../../src/backend/parallel-gemm.js";
import { ThreadPool } from "../../src/backend/thread-pool.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
const onWasm = backend !== "js";
const F = nn.functional;
const defaults = { conv: parallelConv.minMacs, gemm: parallelGemm.minMacs, adam: parallelAdam.minElements, elementwise: { ...parallelElementwise } };

function splitEverything(): void {
  parallelConv.minMacs = 0;
  parallelGemm.minMacs = 0;
  parallelAdam.minElements = 0;
  Object.assign(parallelElementwise, { minElements: 0, reluMinElements: 0, biasMinElements: 0 });
}
afterEach(() => {
  parallelConv.minMacs = defaults.conv;
  parallelGemm.minMacs = defaults.gemm;
  parallelAdam.minElements = defaults.adam;
  Object.assign(parallelElementwise, defaults.elementwise);
  vi.restoreAllMocks();
});
afterAll(() => eg.init({ backend })); // ends the last pool: no test leaves workers running

/**
 * One Adam step of Conv2d(2→70)→ReLU→MaxPool2d(2)→Flatten→Linear on 80 images (the convolution,
 * ReLU and pooling fused, the bias gradient over 70 channels), and a plain convolution and 2×2
 * max pooling of 80 images with their gradients: every output and gradient, and the weights after the step.
 */
function cnnStep(): Float32Array[] {
  const x = eg.randn([80, 2, 6, 6], { seed: 1, requiresGrad: true }), labels = eg.randint(0, 3, [80], { seed: 2 });
  const model = new nn.Sequential(new nn.Conv2d(2, 70, 3, { padding: 1, seed: 3 }), new nn.ReLU(), new nn.MaxPool2d(2),
                                  new nn.Flatten(), new nn.Linear(70 * 9, 3, { seed: 4 }));
  const opt = new eg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const loss = nn.crossEntropy(model.forward(x), labels);
  loss.backward();
  const grads = [x, ...model.parameters()].map((p) => p.grad!.data.slice() as Float32Array);
  opt.step();
  const images = eg.randn([80, 8, 6, 6], { seed: 5, requiresGrad: true });
  const conv = F.conv2d(images, eg.randn([16, 8, 3, 3], { seed: 6 }));
  const pooled = F.maxPool2d(images, 2);
  conv.sum().add(pooled.sum()).backward();
  return [loss.data, ...grads, ...model.parameters().map((p) => p.data), conv.data, pooled.data, images.grad!.data] as Float32Array[];
}

describe("a pool of more threads than a job has parts for", () => {
  it("caps every split at 64 parts, with the bits of one thread, on 17 and 33 threads", async () => {
    await eg.init({ backend, threads: 1 });
    const one = cnnStep();
    for (const threads of [17, 33]) {
      const info = await eg.init({ backend, threads });
      expect(info.threads).toBe(onWasm ? threads : 1);
      // More threads than cores: a worker that polls only takes a core from the one with work.
      if (onWasm) activeThreadPool()!.spinMicros = 0;
      splitEverything();
      const run = vi.spyOn(ThreadPool.prototype, "run");
      const got = cnnStep();
      got.forEach((a, i) => expect(a, `${threads} threads, output ${i}`).toEqual(one[i]));
      const parts = new Map<string, number>();
      for (const [, name, list] of run.mock.calls) parts.set(name, Math.max(parts.get(name) ?? 0, list.length));
      run.mockRestore();
      if (!onWasm) {
        expect(parts.size).toBe(0);
        continue;
      }
      // Each kernel ran on the pool: those cut into 4 parts a thread at the cap from 17 threads
      // on, those cut into 2 from 33 on, Adam in one a thread (every problem has units enough
      // for 64 parts).
      const cap = (perThread: number) => Math.min(perThread * threads, 64);
      expect(Object.fromEntries(parts)).toEqual({
        f32_conv2d: cap(4), f32_conv2d_backward_input: cap(4), f32_conv2d_backward_weight_tile: expect.any(Number),
        f32_maxpool2d_2x2: cap(2), f32_maxpool2d_2x2_backward: cap(2), f32_relu_backward: cap(2), f32_bias_backward: cap(2),
        f32_adam: cap(1), f32_gemm_batch: expect.any(Number),
      });
      expect(Math.max(...parts.values())).toBeLessThanOrEqual(64);
    }
  });
});
