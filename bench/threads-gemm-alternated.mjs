// The 2-thread ÷ 1-thread ratio of the f32 GEMM op (tensors to a read result, as in
// bench/threads-gemm.mjs) measured in alternating rounds, one process, one pool: each round
// times a block of calls on the calling thread alone (the pool's split turned off by
// parallelGemm.minMacs = Infinity, so the op takes the one-thread path of a pool-less init) and a
// block with the split on, in alternating order. A minute when the shared host runs slow, or
// moves the two vCPUs apart, then hits both sides of a round, and the median of the per-round
// ratios, with its quartiles, stands where two medians taken minutes apart (the main bench's
// first table) can land on different sides of the host's weather.
//   npm run build && node bench/threads-gemm-alternated.mjs [rounds=15] [shape filter, e.g. 256]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crossCore, crossCoreText } from "./cross-core.mjs";
import { SHAPES, VARIANTS, gemmOpCase, shapeName } from "./threads-gemm-cases.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const eg = await import(join(root, "dist", "slim", "api.js"));
const { parallelGemm } = await import(join(root, "dist", "slim", "backend", "parallel-gemm.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-mt-simd.wasm")));

const ROUNDS = Number(process.argv[2] ?? 15);
const FILTER = process.argv[3] ?? "";
if (!(Number.isInteger(ROUNDS) && ROUNDS > 0)) throw new Error(`rounds must be a positive integer, got ${process.argv[2]}`);

const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
const quantile = (xs, q) => [...xs].sort((p, r) => p - r)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** Median ms per call over a block of `calls` calls, each timed alone. */
function block(run, calls) {
  const times = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const info = await eg.init({ module, threads: 2 });
if (info.threads !== 2) throw new Error(`asked for 2 threads, got ${info.threads}: ${info.threadsReason}`);
const defaultMinMacs = parallelGemm.minMacs;
const side = (threaded) => { parallelGemm.minMacs = threaded ? defaultMinMacs : Infinity; };

console.log(`f32 GEMM op, tensors to a read result, 1 thread vs 2 in ${ROUNDS} alternating rounds per case; ` +
  `Node ${process.versions.node}; load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(", ")}`);
console.log(`at the start, ${crossCoreText(await crossCore())}`);
console.log(`${"shape".padEnd(22)} ${"variant".padEnd(7)} ${"1 thread ms".padStart(12)} ${"2 threads ms".padStart(13)} ` +
  `${"ratio (median of rounds)".padStart(25)} ${"quartiles".padStart(12)} ${"rounds ≥ 1.8".padStart(13)}`);
for (const [m, n, k] of SHAPES) {
  for (const [variant, ta, tb] of VARIANTS) {
    const name = shapeName(m, n, k);
    if (!name.includes(FILTER)) continue;
    const { run } = gemmOpCase(eg, m, n, k, ta, tb);
    // About 40 ms of calls per block, at least 3.
    side(false);
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) run();
    const calls = Math.max(3, Math.round(40 / ((performance.now() - t0) / 3)));
    side(true);
    for (let i = 0; i < 3; i++) run();
    const one = [], two = [], ratios = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      const ms = {};
      for (const threaded of order) {
        side(threaded);
        ms[threaded] = block(run, calls);
      }
      one.push(ms.false);
      two.push(ms.true);
      ratios.push(ms.false / ms.true);
    }
    const above = ratios.filter((x) => x >= 1.8).length;
    console.log(`${name.padEnd(22)} ${variant.padEnd(7)} ${median(one).toFixed(3).padStart(12)} ${median(two).toFixed(3).padStart(13)} ` +
      `${median(ratios).toFixed(2).padStart(25)} ${`${quantile(ratios, 0.25).toFixed(2)}–${quantile(ratios, 0.75).toFixed(2)}`.padStart(12)} ` +
      `${`${above} of ${ROUNDS}`.padStart(13)}`);
  }
}
side(true);
console.log(`at the end, ${crossCoreText(await crossCore())}`);
await eg.init({ module, threads: 1 });
