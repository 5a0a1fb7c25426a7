// Compression benchmark, one run: (1) the sparse kernel at 90% sparsity vs the dense f32 GEMM on
// [64×784]·[784×256] (a Linear 784→256 at batch 64; target ≥ 2.5×); (2) batch-64 inference of
// the MLP 784-256-128-10 as f32, int8 (quantizeModel, static and dynamic; target ≥ 1.5×) and 90%
// pruned + sparsify. Every timed call includes what a user pays: copies into wasm scratch, the
// kernel, the result out. Weight packing/CSR building happens once, outside the timed region.
//
//   npm run build:wasm && node --experimental-wasm-relaxed-simd bench/compress.mjs
import { medianMs as timeMedian } from "./median.mjs";
import { importFromSource } from "./from-source.mjs";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The public API plus the (internal) kernel tables. */
const load = () => importFromSource(`
    export * from "./src/index.ts";
    export { kernels, compressKernels } from "./src/backend/index.ts";`, "compress-bench.ts");

const medianMs = (fn) => timeMedian(fn, { time: 400, iterations: 20, warmupTime: 100, warmupIterations: 10 });

const eg = await load();
const rows = [];
const M = 64, K = 784, N = 256;
for (const backend of ["wasm-simd", "wasm-relaxed-simd"]) {
  try {
    await eg.init({ backend });
  } catch (e) {
    console.log(`(skipping ${backend}: ${e.message})`);
    continue;
  }
  const K_ = { ...eg.kernels(), ...eg.compressKernels() };
  // (1) kernel level: a Linear 784→256 pruned to exactly 90% by magnitude.
  const lin = new eg.nn.Linear(K, N, { seed: 1 });
  eg.compress.magnitudePrune(lin.weight, { sparsity: 0.9 });
  const csr = eg.compress.toCsr(lin.weight);
  const x = eg.randn([M, K], { seed: 2 });
  const xd = x.data, wd = lin.weight.data, bias = lin.bias.data;
  const y = new Float32Array(M * N);
  const dense = () => K_.f32Gemm(M, N, K, { data: xd, offset: 0, rowStride: K, colStride: 1 },
                                 { data: wd, offset: 0, rowStride: 1, colStride: K }, y, 0, { bias, relu: true });
  const sparse = () => K_.f32SpmmCsr(M, xd, 0, csr, y, 0, { bias, relu: true });
  const td = await medianMs(dense), ts = await medianMs(sparse);
  const flops = 2 * M * N * K;
  rows.push({ backend, case: "[64×784]·[784×256] dense f32", ms: td, rate: `${(flops / td / 1e6).toFixed(1)} GFLOP/s`, speedup: 1 });
  rows.push({ backend, case: "  same, 90% sparse (CSR)", ms: ts, rate: `${(flops / ts / 1e6).toFixed(1)} GFLOP/s eff.`, speedup: td / ts, target: 2.5 });

  // (2) model level: MLP 784-256-128-10 (random weights: timing does not depend on values).
  const mlp = new eg.nn.Sequential(new eg.nn.Linear(784, 256, { seed: 3 }), new eg.nn.ReLU(),
    new eg.nn.Linear(256, 128, { seed: 4 }), new eg.nn.ReLU(), new eg.nn.Linear(128, 10, { seed: 5 }));
  mlp.eval();
  const xb = eg.rand([M, 784], { seed: 6 });
  const calib = eg.rand([256, 784], { seed: 7 });
  const qStatic = eg.compress.quantizeModel(mlp, { calibration: calib });
  const qDynamic = eg.compress.quantizeModel(mlp, { activations: "dynamic" });
  const pruned = new eg.nn.Sequential(new eg.nn.Linear(784, 256, { seed: 3 }), new eg.nn.ReLU(),
    new eg.nn.Linear(256, 128, { seed: 4 }), new eg.nn.ReLU(), new eg.nn.Linear(128, 10, { seed: 5 }));
  eg.compress.magnitudePrune(pruned, { sparsity: 0.9, scope: "global" });
  const sm = eg.compress.sparsify(pruned);
  const tf = await medianMs(() => mlp.predict(xb));
  rows.push({ backend, case: "MLP 784-256-128-10 ×64, f32", ms: tf, rate: `${(64 / tf * 1e3).toFixed(0)} samples/s`, speedup: 1 });
  for (const [name, m, target] of [["  int8 static", qStatic, 1.5], ["  int8 dynamic", qDynamic, 1.5], ["  90% pruned, sparsify", sm, undefined]]) {
    const t = await medianMs(() => m.predict(xb));
    rows.push({ backend, case: name, ms: t, rate: `${(64 / t * 1e3).toFixed(0)} samples/s`, speedup: tf / t, target });
  }
}

const w = Math.max(...rows.map((r) => r.case.length));
console.log(`\n${"backend".padEnd(18)} ${"case".padEnd(w)}  ${"ms".padStart(8)}  ${"rate".padStart(24)}  speedup`);
for (const r of rows) {
  const verdict = r.target ? (r.speedup >= r.target ? `  (target ≥ ${r.target}×: met)` : `  (target ≥ ${r.target}×: MISSED)`) : "";
  console.log(`${r.backend.padEnd(18)} ${r.case.padEnd(w)}  ${r.ms.toFixed(4).padStart(8)}  ${r.rate.padStart(24)}  ${r.speedup.toFixed(2)}×${verdict}`);
}
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "compress.json"), JSON.stringify({ node: process.version, rows }, null, 1));
