// Batched matmul: [32 × 64×64]·[32 × 64×64] in one strided-batch GEMM, against one GEMM of the
// same total work. The reference is [2048×64]·[64×64]: the same 32 problems' A stacked into m
// (what a batch sharing one B folds into), so each k-step and output tile has the same shape as
// in the batch and A and C are the same size; [64×2048]·[2048×64] (k = 2048) is shown too.
// Also the way matmul ran a batch before: one kernel call per batch item.
// `node bench/batched-gemm.mjs` (re-runs itself with the relaxed-SIMD flag on Node 20).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { medianMs as timeMedian } from "./median.mjs";
import { importFromSource } from "./from-source.mjs";

const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
if (Number(process.versions.node.split(".")[0]) < 22 && !process.execArgv.includes(RELAXED_FLAG)) {
  const r = spawnSync(process.execPath, [RELAXED_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const BATCH = 32, S = 64;
const FLOPS = 2 * BATCH * S * S * S;
const ROUNDS = 3;

const random = (seed) => () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const fill = (n, next) => Float32Array.from({ length: n }, () => 2 * next() - 1);
const next = random(7);
const a = fill(BATCH * S * S, next), b = fill(BATCH * S * S, next), c = new Float32Array(BATCH * S * S);
const bSmall = b.subarray(0, S * S);
const matrix = (data, rows, cols) => ({ data, offset: 0, rowStride: cols, colStride: 1, batchStride: rows * cols });

const medianMs = (fn) => timeMedian(fn, { time: 300, warmupTime: 50 });

const eg = await importFromSource(`export { init, kernels } from "./src/backend/index.ts";`, "batched-bench.ts");
const dist = await import("../dist/index.js");
await dist.init();
const tensorA = dist.fromTypedArray(a, [BATCH, S, S]), tensorB = dist.fromTypedArray(b, [BATCH, S, S]);
const tensorA2 = dist.fromTypedArray(a, [BATCH * S, S]), tensorB2 = dist.fromTypedArray(bSmall, [S, S]);

// One instance per backend for the whole run (each init compiles a fresh module, which starts in
// V8's baseline tier), warmed up on the batched call before anything is timed.
const tables = {};
for (const backend of ["wasm-simd", "wasm-relaxed-simd"]) {
  await eg.init({ backend });
  tables[backend] = eg.kernels();
  for (let i = 0; i < 20; i++) tables[backend].f32GemmBatch(BATCH, S, S, S, matrix(a, S, S), matrix(b, S, S), c, 0);
}

const cases = [];
for (const backend of ["wasm-simd", "wasm-relaxed-simd"]) {
  cases.push([backend, "batched [32×64×64]·[32×64×64] (one call)", async () => {
    const t = tables[backend];
    return () => t.f32GemmBatch(BATCH, S, S, S, matrix(a, S, S), matrix(b, S, S), c, 0);
  }]);
  cases.push([backend, "single [2048×64]·[64×64]", async () => {
    const t = tables[backend];
    return () => t.f32Gemm(BATCH * S, S, S, matrix(a, BATCH * S, S), matrix(bSmall, S, S), c, 0);
  }]);
  cases.push([backend, "single [64×2048]·[2048×64]", async () => {
    const t = tables[backend];
    return () => t.f32Gemm(S, S, BATCH * S, matrix(a, S, BATCH * S), matrix(b, BATCH * S, S), c, 0);
  }]);
  cases.push([backend, "32 calls of [64×64]·[64×64]", async () => {
    const t = tables[backend];
    return () => {
      for (let i = 0; i < BATCH; i++) {
        t.f32Gemm(S, S, S, { ...matrix(a, S, S), offset: i * S * S }, { ...matrix(b, S, S), offset: i * S * S }, c, i * S * S);
      }
    };
  }]);
}
cases.push([dist.backendInfo().backend, "matmul [32,64,64]@[32,64,64] (Tensor, dist)", async () => () => dist.matmul(tensorA, tensorB)]);
cases.push([dist.backendInfo().backend, "matmul [2048,64]@[64,64] (Tensor, dist)", async () => () => dist.matmul(tensorA2, tensorB2)]);

const best = new Map();
for (let round = 1; round <= ROUNDS; round++) {
  for (const [backend, name, prepare] of cases) {
    const ms = await medianMs(await prepare());
    const key = `${backend} ${name}`;
    best.set(key, Math.min(ms, best.get(key) ?? Infinity));
    process.stderr.write(`round ${round}  ${key.padEnd(62)} ${ms.toFixed(3).padStart(8)} ms ${(FLOPS / (ms * 1e6)).toFixed(1).padStart(6)} GFLOP/s\n`);
  }
}

const gflops = (key) => FLOPS / (best.get(key) * 1e6);
console.log(`\nBatched GEMM, ${FLOPS / 1e6} MFLOP per call, GFLOP/s (best of ${ROUNDS} tinybench medians)\n`);
console.log("| backend | problem | GFLOP/s |\n|:--|:--|--:|");
for (const key of best.keys()) {
  const [backend, ...rest] = key.split(" ");
  console.log(`| ${backend} | ${rest.join(" ")} | ${gflops(key).toFixed(1)} |`);
}
console.log("\nAcceptance: batched ≥ 0.8× the equal-work single GEMM [2048×64]·[64×64]");
for (const backend of ["wasm-simd", "wasm-relaxed-simd"]) {
  const x = gflops(`${backend} batched [32×64×64]·[32×64×64] (one call)`) / gflops(`${backend} single [2048×64]·[64×64]`);
  const y = gflops(`${backend} batched [32×64×64]·[32×64×64] (one call)`) / gflops(`${backend} single [64×2048]·[2048×64]`);
  console.log(`${x >= 0.8 ? "PASS" : "FAIL"}  ${backend}: ${x.toFixed(2)}× (against [64×2048]·[2048×64]: ${y.toFixed(2)}×)`);
}
