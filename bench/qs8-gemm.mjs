// int8 GEMM (ONNX MatMulInteger semantics) benchmark: edgegrad's qs8 kernel with weights packed
// once, next to edgegrad's f32 GEMM on the same shapes and onnxruntime-web's MatMulInteger (one
// thread, B a constant initializer so it may prepack too), all in one run. GOPS = 2·M·N·K / t.
//
//   npm run build && node --experimental-wasm-relaxed-simd bench/qs8-gemm.mjs [filter]
//
// (Node 22+ needs no flag; without relaxed SIMD the relaxed column is skipped.) Timed: the whole
// op a quantized layer pays for — A and the packed B copied into wasm scratch, the kernel, C out.
// Packing B is outside the timed region: a quantized model packs once.
import { medianMs as timeMedian } from "./median.mjs";
import { importFromSource } from "./from-source.mjs";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { matMulIntegerModel } from "./qs8-onnx-model.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SHAPES = [["256³", 256, 256, 256], ["512³", 512, 512, 512], ["1024³", 1024, 1024, 1024],
                ["[64×784]·[784×256]", 64, 256, 784]];   // name, m, n, k
const TARGET_GOPS = 75, TARGET_RATIO = 1.8;

const loadKernels = () => importFromSource(
  `export { init, kernels, compressKernels } from "./src/backend/index.ts";`, "qs8-bench-backend.ts");

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

const medianMs = (fn, ops) => timeMedian(fn, { time: ops > 1e9 ? 600 : 300, iterations: 10, warmupTime: 50, warmupIterations: 3 });

const eg = await loadKernels();
const tables = [];
for (const backend of ["wasm-simd", "wasm-relaxed-simd"]) {
  try {
    await eg.init({ backend });
    tables.push({ ...eg.kernels(), ...eg.compressKernels() });
  } catch (e) {
    console.log(`(skipping ${backend}: ${e.message})`);
  }
}
const ort = await import("onnxruntime-web");
ort.env.wasm.numThreads = 1;

const filter = process.argv[2];
const rows = [];
for (const [name, m, n, k] of SHAPES.filter(([s]) => !filter || s.includes(filter))) {
  const ops = 2 * m * n * k;
  const next = rng(m * 31 + n * 7 + k);
  // uint8 activations × int8 weights: the usual layout (onnxruntime's u8s8 path).
  const a = Uint8Array.from({ length: m * k }, next);
  const b = Int8Array.from({ length: k * n }, () => next() - 128);
  const za = 128, zb = 0;
  const af = Float32Array.from(a, (v) => (v - za) / 64), bf = Float32Array.from(b, (v) => v / 64);
  const row = { shape: name, m, n, k };

  let want = null;
  for (const K of tables) {
    const tag = K.name === "wasm-simd" ? "simd" : "relaxed";
    const w = K.qs8PackB(k, n, { data: b, offset: 0, rowStride: n, colStride: 1, zeroPoint: zb });
    const c = new Int32Array(m * n);
    const q8 = () => K.qs8Gemm(m, n, k, { data: a, offset: 0, rowStride: k, zeroPoint: za }, w, c, 0);
    for (let i = 0; i < 3; i++) q8();   // tier-up: V8 optimizes a wasm function for later calls
    if (want && !c.every((v, i) => v === want[i])) throw new Error(`qs8 ${tag} differs from the other backend`);
    want = c.slice();
    row[`qs8-${tag}`] = ops / (await medianMs(q8, ops)) / 1e6;
    const cf = new Float32Array(m * n);
    const f32 = () => K.f32Gemm(m, n, k, { data: af, offset: 0, rowStride: k, colStride: 1 },
                                { data: bf, offset: 0, rowStride: n, colStride: 1 }, cf, 0);
    for (let i = 0; i < 3; i++) f32();
    row[`f32-${tag}`] = ops / (await medianMs(f32, ops)) / 1e6;
  }

  const session = await ort.InferenceSession.create(matMulIntegerModel(m, k, n, "uint8", b, "int8", za, zb),
    { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  let got = null;
  const run = async () => { got = (await session.run({ A: new ort.Tensor("uint8", a, [m, k]) })).Y.data; };
  await run();
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`ort MatMulInteger differs at ${i}: ${got[i]} vs ours ${want[i]} (${name})`);
  }
  row["ort-MatMulInteger"] = ops / (await medianMs(run, ops)) / 1e6;
  rows.push(row);
  console.log(name, Object.entries(row).filter(([, v]) => typeof v === "number" && v > 5 && v < 1e4 && !Number.isInteger(v))
    .map(([key, v]) => `${key} ${v.toFixed(1)}`).join("  "));
}

// The table: GOPS per engine, then the ratios the targets are about (best qs8 vs best f32).
const cols = ["qs8-simd", "qs8-relaxed", "f32-simd", "f32-relaxed", "ort-MatMulInteger"];
const fmt = (v) => (v === undefined ? "—" : v.toFixed(1)).padStart(11);
console.log(`\n${"shape".padEnd(20)}${cols.map((c) => c.padStart(18)).join("")}   qs8/f32(best)  qs8/ort   target`);
for (const r of rows) {
  const q = Math.max(r["qs8-simd"] ?? 0, r["qs8-relaxed"] ?? 0);
  const f = Math.max(r["f32-simd"] ?? 0, r["f32-relaxed"] ?? 0);
  const ok = q >= TARGET_GOPS && q / f >= TARGET_RATIO;
  console.log(`${r.shape.padEnd(20)}${cols.map((c) => fmt(r[c]).padStart(18)).join("")}   ${(q / f).toFixed(2).padStart(13)}  ${(q / r["ort-MatMulInteger"]).toFixed(2).padStart(7)}   ${ok ? "holds" : "MISSES"}`);
}
console.log(`(GOPS = 2·M·N·K / median time, one thread; target: ≥ ${TARGET_GOPS} GOPS and ≥ ${TARGET_RATIO}× our f32 GEMM)`);
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "qs8-gemm.json"),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2));
