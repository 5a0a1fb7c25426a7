// The one-shot int8 matmul as a user calls it: eg.compress.matmulInteger on int8 tensors (B
// packed on every call, nothing kept between calls) next to eg.matmul on float32 tensors of the
// same shape, both from tensors to the read result, medians with tinybench, in one run.
// GOPS = 2·M·N·K / median time.
//
//   npm run build && node --experimental-wasm-relaxed-simd bench/matmul-integer-oneshot.mjs
//
// (Node 22+ needs no flag; without relaxed SIMD that backend is skipped.) Both wasm backends,
// one after the other in the same run: the int8 kernel is the same in both, the relaxed build's
// f32 GEMM fuses multiply-adds and is faster, so its ratio is the harder one.
// Targets: ≥ 1.6× the float32 matmul on every shape, ≥ 75 GOPS at 512³.
import { medianMs as timeMedian } from "./median.mjs";
import { eachWasmBackend } from "./backends.mjs";
import { cpus, loadavg } from "node:os";
import { importFromSource } from "./from-source.mjs";

const SHAPES = [["256³", 256, 256, 256], ["512³", 512, 512, 512], ["[64×784]·[784×256]", 64, 256, 784]];
const TARGET_RATIO = 1.6, TARGET_GOPS_512 = 75;
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const eg = await importFromSource(`export * from "./src/index.ts";`, "oneshot-bench.ts");

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

const medianMs = (fn) => timeMedian(fn, { time: 400, iterations: 20, warmupTime: 100, warmupIterations: 5 });

console.log(`node ${process.version}, ${cpus()[0].model}, load ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
const rows = [];
for await (const backend of eachWasmBackend(eg)) {
  const rounds = SHAPES.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, [, m, n, k]] of SHAPES.entries()) rounds[i].push(await measure(m, n, k));
  }
  for (const [i, [name]] of SHAPES.entries()) {
    const ratios = rounds[i].map((x) => x.q / x.f).sort((x, y) => x - y);
    rows.push({ backend, name, q: Math.max(...rounds[i].map((x) => x.q)), f: Math.max(...rounds[i].map((x) => x.f)),
                medianRatio: ratios[ratios.length >> 1] });
  }
}

async function measure(m, n, k) {
  const next = rng(m * 31 + n * 7 + k);
  const a8 = Int8Array.from({ length: m * k }, () => next() - 128);
  const b8 = Int8Array.from({ length: k * n }, () => next() - 128);
  const a = eg.fromTypedArray(a8, [m, k]), b = eg.fromTypedArray(b8, [k, n]);
  const af = eg.fromTypedArray(Float32Array.from(a8, (v) => v / 64), [m, k]);
  const bf = eg.fromTypedArray(Float32Array.from(b8, (v) => v / 64), [k, n]);
  let sink = 0;
  const q8 = () => { sink += eg.compress.matmulInteger(a, b, 0, 0).data[0]; };
  const f32 = () => { sink += eg.matmul(af, bf).data[0]; };
  const ops = 2 * m * n * k;
  const q = ops / (await medianMs(q8)) / 1e6;
  const f = ops / (await medianMs(f32)) / 1e6;
  return { q, f, sink };
}

console.log(`\n${"backend".padEnd(19)}${"shape".padEnd(20)}${"int8 one-shot GOPS".padStart(20)}${"f32 matmul GFLOP/s".padStart(20)}${"ratio".padStart(8)}${"ratio, median round".padStart(21)}   target`);
for (const r of rows) {
  const ok = r.q / r.f >= TARGET_RATIO && (r.name !== "512³" || r.q >= TARGET_GOPS_512);
  console.log(`${r.backend.padEnd(19)}${r.name.padEnd(20)}${r.q.toFixed(1).padStart(20)}${r.f.toFixed(1).padStart(20)}` +
              `${(r.q / r.f).toFixed(2).padStart(8)}${r.medianRatio.toFixed(2).padStart(21)}   ${ok ? "holds" : "MISSES"}`);
}
console.log(`(one thread; best of ${ROUNDS} rounds of tinybench medians; target ≥ ${TARGET_RATIO}× the f32 matmul, ≥ ${TARGET_GOPS_512} GOPS at 512³; load after ${loadavg().map((x) => x.toFixed(2)).join(" ")})`);
