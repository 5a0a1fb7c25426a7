// conv2d forward, input gradient and weight gradient against the f32 GEMM of the same shape, in
// one process (tinybench medians, best of ROUNDS), for the two convolutions of the CNN:
// layer 1 (N=64, Cin=1, 28×28, Cout=32, 3×3, pad 1) and layer 2 (N=64, Cin=32, 14×14, Cout=64).
// Each pass is an implicit GEMM per image; its reference is the strided-batch GEMM of the
// im2col shape per image (the shared operand broadcast), and the one GEMM of the whole batch.
// Every case returns a fresh output array, as the ops do (matmul and conv2d both allocate their
// result): for layer 1 the 6.4 MB output alone costs about as much as its arithmetic.
// `node bench/conv2d.mjs` (re-runs itself with the relaxed-SIMD flag on Node 20).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { medianMs as timeMedian } from "./median.mjs";
import { importFromSource } from "./from-source.mjs";

const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
if (Number(process.versions.node.split(".")[0]) < 22 && !process.execArgv.includes(RELAXED_FLAG)) {
  const r = spawnSync(process.execPath, [RELAXED_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const ROUNDS = 3;
const BACKENDS = ["wasm-simd", "wasm-relaxed-simd"];
const medianMs = (fn) => timeMedian(fn, { time: 500, warmupTime: 100 });
const random = (seed) => () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const fill = (n, next) => Float32Array.from({ length: n }, () => 2 * next() - 1);
const next = random(11);

const eg = await importFromSource(`export { init, kernels, convKernels } from "./src/backend/index.ts";`, "conv-bench.ts");

const LAYERS = [
  { name: "layer 2 (Cin=32, 14×14, Cout=64)", batch: 64, cin: 32, side: 14, cout: 64 },
  { name: "layer 1 (Cin=1, 28×28, Cout=32)", batch: 64, cin: 1, side: 28, cout: 32 },
];

/** Operands and the geometry of one layer: 3×3, stride 1, padding 1 (output = input size). */
function setUp(l) {
  const hw = l.side * l.side, k = l.cin * 9;
  const g = {
    batch: l.batch, inChannels: l.cin, inH: l.side, inW: l.side, outChannels: l.cout, outH: l.side, outW: l.side,
    kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1, groups: 1,
  };
  return {
    g, hw, k, flops: 2 * l.batch * l.cout * k * hw,
    x: fill(l.batch * l.cin * hw, next), w: fill(l.cout * k, next), bias: fill(l.cout, next), dy: fill(l.batch * l.cout * hw, next),
    patches: fill(l.batch * k * hw, next),
  };
}

const strided = (data, rowStride, colStride, batchStride) => ({ data, offset: 0, rowStride, colStride, batchStride });

/** name → () => fn, for one layer and one backend's tables. */
function cases(l, s, t, conv) {
  const { batch, cout } = l, { g, hw, k } = s;
  const out = (n) => new Float32Array(n);
  return [
    // The im2col GEMMs of the three passes, per image with the shared operand broadcast.
    ["GEMM forward shape [Cout×K]·[K×HW] per image", () => t.f32GemmBatch(batch, cout, hw, k, strided(s.w, k, 1, 0), strided(s.patches, hw, 1, k * hw), out(batch * cout * hw), 0)],
    ["GEMM forward shape, whole batch [Cout×K]·[K×N·HW]", () => t.f32Gemm(cout, batch * hw, k, strided(s.w, k, 1, 0), strided(s.patches, batch * hw, 1, 0), out(batch * cout * hw), 0)],
    ["GEMM input-gradient shape [K×Cout]·[Cout×HW] per image", () => t.f32GemmBatch(batch, k, hw, cout, strided(s.w, 1, k, 0), strided(s.dy, hw, 1, cout * hw), out(batch * k * hw), 0)],
    ["GEMM weight-gradient shape [Cout×HW]·[HW×K] per image", () => t.f32GemmBatch(batch, cout, k, hw, strided(s.dy, hw, 1, cout * hw), strided(s.patches, 1, hw, k * hw), out(batch * cout * k), 0)],
    ["conv2d forward (+bias, relu)", () => conv.conv2d(s.x, s.w, s.bias, g, { relu: true })],
    ["conv2d input gradient", () => conv.conv2dBackwardInput(s.dy, s.w, g)],
    ["conv2d weight gradient", () => conv.conv2dBackwardWeight(s.x, s.dy, g)],
  ];
}

const tables = {};
for (const backend of BACKENDS) {
  await eg.init({ backend });
  tables[backend] = { t: eg.kernels(), conv: eg.convKernels() };
}

const best = new Map();
const layers = LAYERS.map((l) => ({ l, s: setUp(l) }));
for (let round = 1; round <= ROUNDS; round++) {
  for (const backend of BACKENDS) {
    for (const { l, s } of layers) {
      for (const [name, fn] of cases(l, s, tables[backend].t, tables[backend].conv)) {
        const ms = await medianMs(fn);
        const key = `${backend}|${l.name}|${name}`;
        best.set(key, Math.min(ms, best.get(key) ?? Infinity));
        process.stderr.write(`round ${round} ${backend} ${l.name} ${name}: ${ms.toFixed(2)} ms ${(s.flops / ms / 1e6).toFixed(1)} GFLOP/s\n`);
      }
    }
  }
}

// GFLOP/s counts the direct convolution's flops for every pass; the second layer's passes run as
// Winograd F(2×2, 3×3), which does 2.25× fewer multiply-adds, so their rate can exceed the GEMM's.
console.log(`\nconv2d vs the f32 GEMM, GFLOP/s counted as the direct convolution's (best of ${ROUNDS} tinybench medians; batch 64, 3×3, pad 1)\n`);
for (const backend of BACKENDS) {
  for (const { l, s } of layers) {
    const gf = (name) => s.flops / (best.get(`${backend}|${l.name}|${name}`) * 1e6);
    const ref = gf("GEMM forward shape [Cout×K]·[K×HW] per image");
    console.log(`${backend}, ${l.name}: ${(s.flops / 1e9).toFixed(3)} GFLOP per pass`);
    console.log("| pass | ms | GFLOP/s | × GEMM (forward shape) | × GEMM (own shape) |\n|:--|--:|--:|--:|--:|");
    const own = {
      "conv2d forward (+bias, relu)": "GEMM forward shape [Cout×K]·[K×HW] per image",
      "conv2d input gradient": "GEMM input-gradient shape [K×Cout]·[Cout×HW] per image",
      "conv2d weight gradient": "GEMM weight-gradient shape [Cout×HW]·[HW×K] per image",
    };
    for (const [name] of cases(l, s, tables[backend].t, tables[backend].conv)) {
      const v = gf(name), ms = best.get(`${backend}|${l.name}|${name}`);
      const mine = own[name] ? (v / gf(own[name])).toFixed(2) : "";
      console.log(`| ${name} | ${ms.toFixed(2)} | ${v.toFixed(1)} | ${(v / ref).toFixed(2)} | ${mine} |`);
    }
    console.log("");
  }
}
