// Whether splitting a GEMM loses anything beyond what the host's second core gives at the
// moment: in one process with a 2-thread pool, alternated over 25 rounds of 6 calls each, the
// plain-SIMD GEMM kernel (operands already in wasm memory, no copies) (1) whole on the calling
// thread, (2) split in two by the pool as the op would split it, (3) two whole, independent
// GEMMs on separate operands, one per thread. (1)/(2) is the split's speedup; 2·(1)/(3) is the
// pool's raw capacity for two threads' worth of the same work. If both agree, the split costs
// nothing of its own and what is missing from 2× is the host's. (1)/(2) is also the ceiling of
// the op from JS arrays (bench/threads-gemm.mjs), whose copies run on the calling thread.
//   npm run build && node bench/threads-capacity.mjs [512] [256] [64x256x784 (m×n×k)] …
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gemmsInMemory } from "./gemm-in-memory.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const eg = await import(join(root, "slim", "api.js"));
const { activeThreadPool, activeKernelExports } = await import(join(root, "slim", "backend", "init.js"));
const { splitGemm, gemmArgs } = await import(join(root, "slim", "backend", "parallel-gemm.js"));
await eg.init({ module: new WebAssembly.Module(readFileSync(join(root, "edgegrad-mt-simd.wasm"))), threads: 2 });
const pool = activeThreadPool(), k = activeKernelExports();

const shapes = (process.argv.length > 2 ? process.argv.slice(2) : ["512"]).map((s) => {
  const d = s.split("x").map(Number);
  if (!(d.length === 1 || d.length === 3) || d.some((x) => !(Number.isInteger(x) && x > 0))) {
    throw new Error(`a shape is n or m×n×k (e.g. 512 or 64x256x784), got ${s}`);
  }
  return d.length === 1 ? { m: d[0], n: d[0], k: d[0] } : { m: d[0], n: d[1], k: d[2] };
});

console.log(`GEMM kernel, operands in wasm memory, 2 threads against 1, Node ${process.version}`);
for (const shape of shapes) {
  const { calls, work: w } = gemmsInMemory(k, shape, 2, 2);
  const whole = gemmArgs(calls[0], w[0]);
  const split = splitGemm(calls[0], 2).map((p, t) => gemmArgs(p, w[t]));
  const twoWhole = [gemmArgs(calls[0], w[0]), gemmArgs(calls[1], w[1])];
  const time = (f) => { const t0 = performance.now(); for (let i = 0; i < 6; i++) f(); return performance.now() - t0; };
  const splitSpeedup = [], capacity = [];
  for (let r = 0; r < 25; r++) {
    const one = time(() => k.f32_gemm_batch(...whole));
    splitSpeedup.push(one / time(() => pool.run(k, "f32_gemm_batch", split)));
    capacity.push((2 * one) / time(() => pool.run(k, "f32_gemm_batch", twoWhole)));
  }
  const summary = (v) => { v.sort((x, y) => x - y); return `median ${v[12].toFixed(2)}× (quartiles ${v[6].toFixed(2)}–${v[18].toFixed(2)})`; };
  const name = shape.m === shape.n && shape.n === shape.k ? `${shape.m}³` : `[${shape.m}×${shape.k}]·[${shape.k}×${shape.n}]`;
  console.log(`${name.padEnd(20)} one GEMM split in two: ${summary(splitSpeedup)}; two whole GEMMs, one per thread: ${summary(capacity)}`);
}
