// The dense kernel build (edgegrad-dense-*.wasm, assembly/dense.ts) given to init({ module }):
// what an MLP trains with — the f32 GEMM, Adam's step, Linear's ReLU mask and bias-gradient
// sums — and nothing else. A model trained on it gets the same bits as on the full build of the
// same instruction set (the kernels are the same code), backendInfo says which build is loaded,
// and every family it lacks refuses by name, pointing to the full build, before any state changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as eg from "../../src/index.js";
import { compressKernels, convKernels, detectFeatures, optimKernels, recurrentKernels, type BackendName } from "../../src/backend/index.js";
import { activeThreadPool } from "../../src/backend/init.js";

const builds = ["simd", ...(detectFeatures().relaxedSimd ? ["relaxed"] : [])];
const moduleOf = (file: string) => new WebAssembly.Module(readFileSync(new URL(`../../build/${file}`, import.meta.url)));
const fullBuildAdvice = /dense build \(edgegrad-dense-\*\.wasm\).*edgegrad-simd\.wasm or edgegrad-relaxed\.wasm, the full build/;

let restore: BackendName;
beforeAll(() => { restore = eg.backendInfo().backend; });
afterAll(() => eg.init({ backend: restore })); // (also ends the pool of the threaded test)

/**
 * Two epochs of an MLP (features-hidden-8-3, dropout, Adam) on seeded data: the losses and every
 * final weight. 128 features and 256 hidden units give GEMMs of 4 M multiply-adds, which the pool splits.
 */
async function trainMlp(features = 6, hidden = 16): Promise<{ losses: number[]; weights: number[][] }> {
  const x = eg.randn([90, features], { seed: 7 });
  const labels = Int32Array.from({ length: 90 }, (_, i) => (x.data[i * features] > 0 ? 1 : 0) + (x.data[i * features + 1] > 0.5 ? 1 : 0));
  const model = new eg.nn.Sequential(new eg.nn.Linear(features, hidden, { seed: 1 }), new eg.nn.ReLU(), new eg.nn.Dropout(0.2),
    new eg.nn.Linear(hidden, 8, { seed: 2 }), new eg.nn.ReLU(), new eg.nn.Linear(8, 3, { seed: 3 }));
  const history = await eg.nn.fit(model, x, eg.fromTypedArray(labels, [90]), {
    loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 1e-2 }), epochs: 2, batchSize: features > 6 ? 64 : 16, seed: 4,
  });
  return { losses: history.history.loss, weights: model.parameters().map((p) => Array.from(p.data)) };
}

describe.each(builds)("the dense %s build given to init({ module })", (build) => {
  it("says it is the dense build, and trains an MLP with Adam to the very bits of the full build", async () => {
    const full = await eg.init({ module: moduleOf(`edgegrad-${build}.wasm`) });
    expect(full.wasmBuild).toBe("full");
    const onFull = await trainMlp();
    const dense = await eg.init({ module: moduleOf(`edgegrad-dense-${build}.wasm`) });
    expect(dense.wasmBuild).toBe("dense");
    expect(dense.backend).toBe(build === "relaxed" ? "wasm-relaxed-simd" : "wasm-simd");
    const onDense = await trainMlp();
    expect(onDense.losses[1]).toBeLessThan(onDense.losses[0]);
    expect(onDense).toEqual(onFull);
  });

  it("runs the kernels it holds: Adam's step and Linear's ReLU and bias gradients", async () => {
    await eg.init({ module: moduleOf(`edgegrad-dense-${build}.wasm`) });
    expect(() => optimKernels()).not.toThrow();
    const w = eg.tensor([[1, -2], [3, 4]], { requiresGrad: true });
    const b = eg.tensor([0.5, -9], { requiresGrad: true });
    const x = eg.tensor([[1, 1], [2, -1]]);
    // relu(x·wᵀ + b): row 0 [−0.5, −2] → [0, 0]; row 1 [4.5, −7] → [4.5, 0].
    eg.nn.functional.relu(eg.nn.functional.linear(x, w, b)).sum().backward();
    expect(w.grad!.toArray()).toEqual([[2, -1], [0, 0]]);
    expect(b.grad!.toArray()).toEqual([1, 0]);
  });

  it("threaded (edgegrad-mt-dense-*.wasm): the dense build's exports on an imported memory, and 2 threads train to the bits of one", async () => {
    const mt = moduleOf(`edgegrad-mt-dense-${build}.wasm`), dense = moduleOf(`edgegrad-dense-${build}.wasm`);
    const exportsOf = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => `${e.kind} ${e.name}`).sort();
    expect(exportsOf(mt)).toEqual(exportsOf(dense));
    expect(WebAssembly.Module.imports(mt)).toEqual([{ module: "env", name: "memory", kind: "memory" }]);
    await eg.init({ module: dense });
    const one = await trainMlp(128, 256);
    const info = await eg.init({ module: mt, threads: 2 });
    expect(info).toMatchObject({ wasmBuild: "dense", threads: 2, threadsReason: null });
    const pool = activeThreadPool()!;
    const run = pool.run;
    let jobs = 0;
    pool.run = function counted(...a: Parameters<typeof run>) { jobs++; return run.apply(this, a); };
    expect(await trainMlp(128, 256)).toEqual(one);
    expect(jobs).toBeGreaterThan(0); // the work was split, not left on the calling thread
  });

  it("refuses the convolution, int8/sparse and recurrent families by name, before any state changes", async () => {
    await eg.init({ module: moduleOf(`edgegrad-dense-${build}.wasm`) });
    expect(() => convKernels()).toThrow(eg.BackendError);
    expect(() => convKernels()).toThrow(fullBuildAdvice);
    expect(() => compressKernels()).toThrow(/no qs8_packw_gemm, qs8_gemm_workspace, qs8_gemm, .*f32_spmm kernel/);
    expect(() => recurrentKernels()).toThrow(fullBuildAdvice);
    const conv = new eg.nn.Conv2d(1, 2, 3, { seed: 1 });
    const before = conv.parameters().map((p) => Array.from(p.data));
    expect(() => conv.forward(eg.randn([1, 1, 5, 5], { seed: 2 }))).toThrow(fullBuildAdvice);
    expect(conv.parameters().map((p) => Array.from(p.data))).toEqual(before);
    // The same layer runs once the full build is loaded.
    await eg.init({ module: moduleOf(`edgegrad-${build}.wasm`) });
    expect(conv.forward(eg.randn([1, 1, 5, 5], { seed: 2 })).shape).toEqual([1, 2, 3, 3]);
  });
});
