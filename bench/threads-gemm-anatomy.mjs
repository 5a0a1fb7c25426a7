// Where the time of one 2-thread f32 GEMM op goes (tensors to a read result, as in
// bench/threads-gemm.mjs), phase by phase, against the same op on the calling thread alone. The
// pool's run and the op's entry are wrapped with timestamps, and the caller's own kernel call is
// timed through the export table the pool is handed; each phase is a median over a block of ops
// (µs from the op's start), in rounds that alternate with blocks of one-thread ops, so a slow
// minute of the shared host shows as a slow round rather than as a phase. The phases:
//   before     tensors, the result's allocation, up to the pooled op's entry
//   copies     the operands copied into kernel memory before the workers start
//   own copy   waking the workers, and the caller's own window of an operand, copied once they run
//   own        the caller's share of the kernel
//   wait       the caller waiting for the workers after its share
//   out        C copied from kernel memory into the result
//   one thread the whole op without the pool's split
//   npm run build && node bench/threads-gemm-anatomy.mjs [256x256x256 (m×n×k)] [ab | at | bt] [rounds=3]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crossCore, crossCoreText } from "./cross-core.mjs";
import { gemmOpCase } from "./threads-gemm-cases.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
const eg = await import(join(root, "slim", "api.js"));
const { activeThreadPool, activeThreading, activeKernelExports } = await import(join(root, "slim", "backend", "init.js"));
const { parallelGemm } = await import(join(root, "slim", "backend", "parallel-gemm.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "edgegrad-mt-simd.wasm")));

const [m, n, k] = (process.argv[2] ?? "256x256x256").split("x").map(Number);
const variant = process.argv[3] ?? "ab";
const ROUNDS = Number(process.argv[4] ?? 3);
if (![m, n, k].every((d) => Number.isInteger(d) && d > 0)) throw new Error(`shape must be m×n×k, got ${process.argv[2]}`);
if (!["ab", "at", "bt"].includes(variant)) throw new Error(`variant must be ab, at (Aᵀ·B) or bt (A·Bᵀ), got ${variant}`);

const { run } = gemmOpCase(eg, m, n, k, variant === "at", variant === "bt");
const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

const info = await eg.init({ module, threads: 2 });
if (info.threads !== 2) throw new Error(`asked for 2 threads, got ${info.threads}: ${info.threadsReason}`);
const pool = activeThreadPool(), threading = activeThreading(), kernel = activeKernelExports().f32_gemm_batch;
let marks = {};
const now = () => performance.now();
const ownCall = { f32_gemm_batch: (...args) => { marks.own0 = now(); kernel(...args); marks.own1 = now(); } };
const run0 = pool.run.bind(pool), op0 = threading.gemmOp;
pool.run = (_exports, name, parts) => { marks.run0 = now(); run0(ownCall, name, parts); marks.run1 = now(); };
threading.gemmOp = (...args) => { marks.op0 = now(); const split = op0(...args); marks.op1 = now(); return split; };

const calls = Math.max(5, Math.round(60 / (2 * m * n * k / 40e6)));
const defaultMinMacs = parallelGemm.minMacs;
console.log(`${m}×${n}×${k} ${variant}, 2 threads: phases in µs (medians of ${calls} ops a round); ` +
  `at the start, ${crossCoreText(await crossCore())}`);
console.log(["round", "before", "copies", "own copy", "own", "wait", "out", "2 threads", "one thread", "ratio"]
  .map((h, i) => h.padStart(i === 0 ? 5 : 10)).join(" "));
for (let r = 0; r < ROUNDS; r++) {
  parallelGemm.minMacs = Infinity;
  const one = [];
  for (let i = 0; i < calls; i++) { const t0 = now(); run(); one.push(now() - t0); }
  parallelGemm.minMacs = defaultMinMacs;
  const rows = [];
  for (let i = 0; i < calls; i++) {
    marks = {};
    const t0 = now();
    run();
    const t = now() - t0, at = (key) => marks[key] - t0;
    if (marks.own1 === undefined) throw new Error("the op was not split: nothing to take apart");
    rows.push([at("op0"), at("run0") - at("op0"), at("own0") - at("run0"), at("own1") - at("own0"),
               at("run1") - at("own1"), at("op1") - at("run1"), t]);
  }
  const phases = rows[0].map((_, j) => median(rows.map((row) => row[j])));
  const oneMs = median(one);
  console.log([String(r).padStart(5), ...[...phases, oneMs].map((ms) => (1000 * ms).toFixed(0).padStart(10)),
               (oneMs / phases[6]).toFixed(2).padStart(10)].join(" "));
}
console.log(`at the end, ${crossCoreText(await crossCore())}`);
await eg.init({ module, threads: 1 });
