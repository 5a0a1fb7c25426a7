// f32 GEMM with 1 thread against 2 threads in the same run, from Float32Array-backed tensors to
// a read result (eg.fromTypedArray → matmul → .data), in every transposition; tinybench medians.
// Both sides load the same threaded build (edgegrad-mt-simd.wasm, plain SIMD) from the slim
// entry's per-file modules, so the only difference is the pool. The second part forces the split
// on small products (parallelGemm.minMacs = 0) to find where a dispatch starts to pay: the
// threshold of src/backend/parallel-gemm.ts. The third runs, on one thread, the parts a
// 2-thread split makes one after the other against the whole call, straight on the kernel: what
// splitting itself costs (each thread packs all of the operand it does not split, and works on
// narrower blocks), with no second core involved. Then an empty job: the dispatch itself. Last,
// the peers in the same run, at the first table's shapes: tfjs-backend-wasm with its operands
// resident (tfjs forces one thread in Node) and onnxruntime-web on THREADS threads, from
// Float32Arrays to its output, against edgegrad's N-thread times of the first table.
//   npm run build && node bench/threads-gemm.mjs            (THREADS=3 to compare 1 with 3)
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { onnxruntime, tfjs } from "./engines.mjs";
import { medianMs } from "./median.mjs";
import { crossCore, crossCoreText } from "./cross-core.mjs";
import { SHAPES, VARIANTS, gemmOpCase, shapeName as shape } from "./threads-gemm-cases.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const eg = await import(join(root, "dist", "slim", "api.js"));
const { parallelGemm, splitGemm, gemmArgs } = await import(join(root, "dist", "slim", "backend", "parallel-gemm.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-mt-simd.wasm")));
const THREADS = Number(process.env.THREADS ?? 2);

const SMALL = [[32, 32, 32], [48, 48, 48], [64, 64, 64], [80, 80, 80], [96, 96, 96], [128, 128, 128], [64, 128, 256]];
const operands = (m, n, k, transA, transB) => gemmOpCase(eg, m, n, k, transA, transB);

async function timed(fn) {
  const first = performance.now();
  await fn();
  const firstMs = performance.now() - first;
  return medianMs(fn, { time: firstMs > 50 ? 600 : 250, iterations: 5, warmupTime: 50, warmupIterations: 2 });
}

/** Median ms of each case on `threads` threads (the pool made once for all cases). */
async function measure(cases, threads) {
  const info = await eg.init({ module, threads });
  if (info.threads !== threads) throw new Error(`asked for ${threads} threads, got ${info.threads}: ${info.threadsReason}`);
  const out = [];
  for (const c of cases) out.push(await timed(c.run));
  return out;
}

function table(title, cases, one, many) {
  console.log(`\n${title}`);
  console.log(`${"shape".padEnd(22)} ${"variant".padEnd(7)} ${"1 thread ms".padStart(12)} ${`${THREADS} threads ms`.padStart(13)} ${"ratio".padStart(6)} ${"GFLOP/s (1 → N)".padStart(17)}`);
  cases.forEach((c, i) => {
    const g = (ms) => (2 * c.m * c.n * c.k / (ms * 1e6)).toFixed(1);
    console.log(`${c.shape.padEnd(22)} ${c.variant.padEnd(7)} ${one[i].toFixed(3).padStart(12)} ${many[i].toFixed(3).padStart(13)} ` +
      `${(one[i] / many[i]).toFixed(2).padStart(6)} ${`${g(one[i])} → ${g(many[i])}`.padStart(17)}`);
  });
}

const big = SHAPES.flatMap(([m, n, k]) => VARIANTS.map(([variant, ta, tb]) =>
  ({ shape: shape(m, n, k), variant, m, n, k, ...operands(m, n, k, ta, tb) })));
const small = SMALL.map(([m, n, k]) => ({ shape: shape(m, n, k), variant: "A·B", m, n, k, ...operands(m, n, k, false, false) }));

console.log(`f32 GEMM, tensors to a read result, edgegrad-mt-simd.wasm, Node ${process.versions.node}; medians (tinybench); ` +
  `load average at start ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(", ")}`);
console.log(`at the start, ${crossCoreText(await crossCore())}`);
// Two rounds, 1 then N then 1 then N, each case keeping its better median: a noisy neighbour
// during one measurement then shows as noise, not as a fake ratio.
let one = null, many = null;
for (let round = 0; round < 2; round++) {
  const a = await measure(big, 1), b = await measure(big, THREADS);
  one = one ? one.map((v, i) => Math.min(v, a[i])) : a;
  many = many ? many.map((v, i) => Math.min(v, b[i])) : b;
}
table(`default threshold (split from ${parallelGemm.minMacs} multiply-adds)`, big, one, many);

const defaultMinMacs = parallelGemm.minMacs;
const smallOne = await measure(small, 1);
parallelGemm.minMacs = 0;
const smallMany = await measure(small, THREADS);
parallelGemm.minMacs = defaultMinMacs;
table("small products, split forced (where a dispatch starts to pay)", small, smallOne, smallMany);

/** The kernel on a fresh instance: whole calls against their 2-way split run serially (ms, medians). */
async function splitCost() {
  const memory = new WebAssembly.Memory({ initial: 17, maximum: 32768, shared: true });
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  console.log("\nsplitting's own cost, one thread: the 2 parts run serially vs the whole call; the op (first table) vs the kernel alone");
  for (const [m, n, k_] of SHAPES) {
    for (const [variant, ta, tb] of VARIANTS) {
      const a = 1 << 16, b = a + m * k_ * 4 + 64, c = b + k_ * n * 4 + 64, work = c + m * n * 4 + 64;
      const need = work + 2 * k.f32_gemm_workspace(m, n, k_);
      if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
      const call = { batch: 1, m, n, k: k_, a, aBatchStride: 0, aRowStride: ta ? 1 : k_, aColStride: ta ? m : 1,
        b, bBatchStride: 0, bRowStride: tb ? 1 : n, bColStride: tb ? k_ : 1, c, cBatchStride: 0, cRowStride: n, bias: 0, flags: 0 };
      const whole = await medianMs(() => k.f32_gemm_batch(...gemmArgs(call, work)), { time: 300, iterations: 5 });
      const parts = splitGemm(call, 2);
      const split = await medianMs(() => { for (const p of parts) k.f32_gemm_batch(...gemmArgs(p, work)); }, { time: 300, iterations: 5 });
      const how = parts[0].batch < call.batch ? "batch" : parts[0].n < n ? "columns" : "rows";
      // The op of the first table on one thread against the kernel alone: the rest (copies in
      // and out, the result tensor) stays on the calling thread and bounds the ratio (Amdahl).
      const op = one[big.findIndex((c) => c.m === m && c.n === n && c.k === k_ && c.variant === variant)];
      const serial = Math.max(0, 1 - whole / op), bound = 1 / (serial + (1 - serial) / THREADS);
      console.log(`${shape(m, n, k_).padEnd(22)} ${variant.padEnd(7)} split by ${how.padEnd(8)} whole ${whole.toFixed(3).padStart(9)} ms, ` +
        `parts ${split.toFixed(3).padStart(9)} ms: ${((split / whole - 1) * 100).toFixed(1)}% more; ` +
        `op ${op.toFixed(3)} ms, ${(100 * serial).toFixed(0)}% outside the kernel: at best ${bound.toFixed(2)}×`);
    }
  }
}
await splitCost();

/**
 * What one job costs with nothing to compute: an empty part per thread (m = 0), timed from the
 * caller's call to its return, median of 2000, with the workers polling for 250 µs after a job or
 * asleep at once (spinMicros 0, the default), back to back and 1 ms apart. The
 * caller does not run the workers' parts here (stealing off): what is timed is the round trip.
 */
async function dispatchLatency() {
  const { activeThreadPool, activeKernelExports } = await import(join(root, "dist", "slim", "backend", "init.js"));
  await eg.init({ module, threads: THREADS });
  const pool = activeThreadPool(), wasm = activeKernelExports();
  const empty = new Array(18).fill(0);
  const parts = Array.from({ length: THREADS }, () => empty);
  const defaultSpin = pool.spinMicros;
  pool.stealing = false;
  console.log(`\ndispatch latency: one job of ${THREADS} empty parts, caller's call to return (µs; median, 90th percentile)`);
  for (const [label, spin, gapUs] of [["back to back, workers polling 250 µs", 250, 0], ["back to back, workers asleep", 0, 0],
                                      ["1 ms apart, workers asleep", 0, 1000]]) {
    pool.spinMicros = spin;
    const times = [];
    for (let i = 0; i < 2000; i++) {
      const g0 = performance.now();
      while (performance.now() - g0 < gapUs / 1000);
      const t0 = performance.now();
      pool.run(wasm, "f32_gemm_batch", parts);
      times.push((performance.now() - t0) * 1000);
    }
    times.sort((a, b) => a - b);
    console.log(`${label.padEnd(36)} ${times[1000].toFixed(1).padStart(7)} ${times[1800].toFixed(1).padStart(8)}`);
  }
  pool.spinMicros = defaultSpin;
  pool.stealing = true;
}
await dispatchLatency();

/**
 * The peers at the first table's shapes, after edgegrad's runs (onnxruntime's threads stay
 * alive once started). Each peer's product is checked against edgegrad's, so a fast wrong
 * answer cannot pass as a speed.
 */
async function peers() {
  const tf = await tfjs("wasm"), ort = await onnxruntime(THREADS);
  await tf.activate();
  await eg.init({ module, threads: 1 });
  console.log(`\npeers, same run: edgegrad on ${THREADS} threads (first table, tensors to a read result) against ` +
    `tfjs-backend-wasm resident (one thread: tfjs turns threads off in Node) and onnxruntime-web on ${THREADS} threads ` +
    "(Float32Arrays to its output)");
  console.log(`${"shape".padEnd(22)} ${"variant".padEnd(7)} ${"edgegrad ms".padStart(12)} ${"tfjs-wasm ms".padStart(13)} ` +
    `${"× tfjs".padStart(7)} ${"ort ms".padStart(9)} ${"× ort".padStart(6)}`);
  for (const [i, c] of big.entries()) {
    const want = c.run();
    const t = tf.prepare(c.problem), o = await ort.prepareAsync(c.problem);
    await o.f32();
    for (const [name, got] of [["tfjs-wasm", t.result()], ["onnxruntime-web", o.result()]]) {
      let worst = 0;
      for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]));
      // Inputs in [-1, 1]: any two float32 sums of k products differ by far less than k·2⁻¹⁰.
      if (!(worst <= c.k * 2 ** -10)) throw new Error(`${name} ${c.shape} ${c.variant}: differs from edgegrad by ${worst}`);
    }
    const tfMs = await timed(t.resident), ortMs = await timed(o.f32);
    console.log(`${c.shape.padEnd(22)} ${c.variant.padEnd(7)} ${many[i].toFixed(3).padStart(12)} ${tfMs.toFixed(3).padStart(13)} ` +
      `${(tfMs / many[i]).toFixed(2).padStart(7)} ${ortMs.toFixed(3).padStart(9)} ${(ortMs / many[i]).toFixed(2).padStart(6)}`);
  }
}
await peers();
console.log(`load average at the end ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(", ")}`);
console.log(`at the end, ${crossCoreText(await crossCore())}`);
await eg.init({ module, threads: 1 });
process.exit(0); // onnxruntime-web's worker threads would keep the process alive
