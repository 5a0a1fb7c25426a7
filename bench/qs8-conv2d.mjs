// int8 convolution benchmark: the CNN's two conv layers (Conv2d(1,32,3,padding=1) on 28×28 and
// Conv2d(32,64,3,padding=1) on 14×14) at batch 64, int8 against float32, in one run.
//
//   npm run build && node --experimental-wasm-relaxed-simd bench/qs8-conv2d.mjs
//
// Columns (GOPS = 2·N·Cout·outH·outW·Cin·kH·kW / median time, one thread):
//   int8 layer   qconvKernels().qs8Conv2dLayerF32: float32 in → range, quantize, implicit-GEMM
//                int8 convolution, bias/scale/ReLU → float32 out. What an int8 conv layer pays.
//   int8 kernel  qs8Conv2dF32 on an input already in uint8 (no range pass, no quantization).
//   int8 GEMM    compressKernels().qs8GemmF32 of the same shape on a uint8 im2col built beforehand
//                (rows = pixels): what the implicit GEMM's packing and NCHW epilogue cost over it.
//   f32 GEMM     the float32 comparison. There is no float32 convolution kernel yet, so this is
//                kernels().f32GemmBatch of the same shape on an im2col matrix BUILT BEFOREHAND
//                (im2col not timed): y_n[Cout × P] = W[Cout × K] · cols_n[K × P], bias and ReLU
//                in the epilogue. A float32 convolution can at best match it, so the ratios
//                below are lower bounds for int8 vs a float32 convolution.
// The weights are packed outside the timed region (a quantized model packs once).
//
// Last, the whole CNN's layers with weights (conv1, conv2, Linear(3136,128)+ReLU, Linear(128,10))
// at batch 64: int8 layers (qs8Conv2dLayerF32, qs8LinearF32) against the float32 GEMMs above and
// kernels().f32Gemm, summed. The two max-pools are left out of both sums: they run the same
// float32 code in both models.
import { medianMs as timeMedian } from "./median.mjs";
import { eachWasmBackend } from "./backends.mjs";
import { importFromSource } from "./from-source.mjs";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BATCH = 64;
const LAYERS = [
  ["conv1 1→32 28×28", 1, 32, 28],
  ["conv2 32→64 14×14", 32, 64, 14],
];   // name, Cin, Cout, H = W (3×3, padding 1, stride 1: output H×W)

const eg = await importFromSource(
  `export { init, kernels, compressKernels, qconvKernels, qs8ConvPackWeights } from "./src/backend/index.ts";`, "qs8-conv-bench.ts");

const medianMs = (fn) => timeMedian(fn, { time: 600, iterations: 10, warmupTime: 50, warmupIterations: 3 });

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** cols[n][k = (ci,kh,kw)][p] for a 3×3, padding-1 convolution (zeros outside the image). */
function im2col(x, cin, h) {
  const k = cin * 9, p = h * h;
  const cols = new Float32Array(BATCH * k * p);
  for (let n = 0; n < BATCH; n++) {
    for (let ci = 0; ci < cin; ci++) {
      for (let kh = 0; kh < 3; kh++) {
        for (let kw = 0; kw < 3; kw++) {
          const row = ((n * k) + (ci * 9 + kh * 3 + kw)) * p;
          for (let oh = 0; oh < h; oh++) {
            const ih = oh - 1 + kh;
            if (ih < 0 || ih >= h) continue;
            for (let ow = 0; ow < h; ow++) {
              const iw = ow - 1 + kw;
              if (iw >= 0 && iw < h) cols[row + oh * h + ow] = x[((n * cin + ci) * h + ih) * h + iw];
            }
          }
        }
      }
    }
  }
  return cols;
}

/** Median ms of the int8 layer (qs8LinearF32, dynamic uint8 input) and the f32 GEMM of a Linear. */
async function linearMs(K, C, m, k, n, relu) {
  const next = rng(k * 7 + n);
  const x = Float32Array.from({ length: m * k }, () => next());
  const wf = Float32Array.from({ length: n * k }, () => next() - 0.5);
  const wq = Int8Array.from(wf, (v) => Math.round(v * 254));
  const packed = C.qs8PackB(k, n, { data: wq, offset: 0, rowStride: 1, colStride: k, zeroPoint: 0 });
  const y = new Float32Array(m * n);
  const int8 = () => C.qs8LinearF32(m, x, 0, packed, y, 0, {
    signed: false, needsRange: true, scaleB: 1 / 254, relu, params: () => ({ scaleA: 1 / 255, zeroPointA: 0, bias: null }),
  });
  const f32 = () => K.f32Gemm(m, n, k, { data: x, offset: 0, rowStride: k, colStride: 1 },
    { data: wf, offset: 0, rowStride: 1, colStride: k }, y, 0, { bias: null, relu });
  const out = {};
  for (const [key, fn] of [["int8", int8], ["f32", f32]]) {
    for (let i = 0; i < 3; i++) fn();
    out[key] = await medianMs(fn);
  }
  return out;
}

const rows = [];
const cnn = [];
for await (const backend of eachWasmBackend(eg)) {
  const K = eg.kernels(), Q = eg.qconvKernels();
  for (const [name, cin, cout, h] of LAYERS) {
    const next = rng(cin * 131 + cout);
    const k = cin * 9, p = h * h;
    const ops = 2 * BATCH * cout * p * k;
    const g = {
      batch: BATCH, inChannels: cin, inH: h, inW: h, outChannels: cout, outH: h, outW: h, kernelH: 3, kernelW: 3,
      strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1, groups: 1,
    };
    const x = Float32Array.from({ length: BATCH * cin * h * h }, () => next() * 2 - 0.5);
    const wf = Float32Array.from({ length: cout * k }, () => next() - 0.5);
    const bias = Float32Array.from({ length: cout }, () => next() * 0.1);
    const wq = Int8Array.from(wf, (v) => Math.round(v * 254));
    const packed = eg.qs8ConvPackWeights(cout, k, { data: wq, offset: 0, zeroPoint: 0 });
    const scaleB = 1 / 254, scaleA = 2.5 / 255, zx = 51;
    const y = new Float32Array(BATCH * cout * p);

    const layer = () => Q.qs8Conv2dLayerF32(g, x, 0, packed, y, 0, {
      signed: false, needsRange: true, scaleB, relu: true,
      params: () => ({ scaleA, zeroPointA: zx, bias: null }),
    });
    const xq = Uint8Array.from(x, (v) => Math.max(0, Math.min(255, Math.round(v / scaleA) + zx)));
    const kernel = () => Q.qs8Conv2dF32(g, { data: xq, offset: 0, zeroPoint: zx }, packed, y, 0,
      { scaleA, scaleB, bias: null, relu: true });
    const cols = im2col(x, cin, h);
    const gemm = () => K.f32GemmBatch(BATCH, cout, p, k,
      { data: wf, offset: 0, rowStride: k, colStride: 1, batchStride: 0 },
      { data: cols, offset: 0, rowStride: p, colStride: 1, batchStride: k * p }, y, 0, { bias: null, relu: true });
    // im2col rows per pixel [N·P × K] in uint8, weights as B = Wᵀ [K × Cout].
    const colsQ = new Uint8Array(BATCH * p * k);
    for (let n = 0; n < BATCH; n++) for (let kk = 0; kk < k; kk++) for (let q = 0; q < p; q++) {
      colsQ[(n * p + q) * k + kk] = Math.max(0, Math.min(255, Math.round(cols[(n * k + kk) * p + q] / scaleA) + zx));
    }
    const C = eg.compressKernels();
    const packedB = C.qs8PackB(k, cout, { data: wq, offset: 0, rowStride: 1, colStride: k, zeroPoint: 0 });
    const int8Gemm = () => C.qs8GemmF32(BATCH * p, cout, k, { data: colsQ, offset: 0, rowStride: k, zeroPoint: zx }, packedB, y, 0,
      { scaleA, scaleB, bias: null, relu: true });
    const row = { backend: K.name, layer: name };
    for (const [key, fn] of [["int8 layer", layer], ["int8 kernel", kernel], ["int8 GEMM", int8Gemm], ["f32 GEMM", gemm]]) {
      for (let i = 0; i < 3; i++) fn();   // tier-up
      const ms = await medianMs(fn);
      row[key] = ops / ms / 1e6;
      row[`${key} ms`] = ms;
    }
    rows.push(row);
    console.log(K.name, name, ["int8 layer", "int8 kernel", "int8 GEMM", "f32 GEMM"].map((c) => `${c} ${row[c].toFixed(1)}`).join("  "));
  }
  const convs = rows.filter((r) => r.backend === K.name);
  const fc1 = await linearMs(K, eg.compressKernels(), BATCH, 3136, 128, true);
  const fc2 = await linearMs(K, eg.compressKernels(), BATCH, 128, 10, false);
  const int8 = convs.reduce((s, r) => s + r["int8 layer ms"], 0) + fc1.int8 + fc2.int8;
  const f32 = convs.reduce((s, r) => s + r["f32 GEMM ms"], 0) + fc1.f32 + fc2.f32;
  cnn.push({ backend: K.name, fc1, fc2, int8Ms: int8, f32Ms: f32 });
}

const cols = ["int8 layer", "int8 kernel", "int8 GEMM", "f32 GEMM"];
console.log(`\n${"backend".padEnd(19)}${"layer".padEnd(20)}${cols.map((c) => c.padStart(13)).join("")}   layer/f32  kernel/f32  kernel/int8 GEMM`);
for (const r of rows) {
  console.log(`${r.backend.padEnd(19)}${r.layer.padEnd(20)}${cols.map((c) => r[c].toFixed(1).padStart(13)).join("")}` +
    `   ${(r["int8 layer"] / r["f32 GEMM"]).toFixed(2).padStart(9)}  ${(r["int8 kernel"] / r["f32 GEMM"]).toFixed(2).padStart(10)}` +
    `  ${(r["int8 kernel"] / r["int8 GEMM"]).toFixed(2).padStart(16)}`);
}
console.log(`(GOPS, medians, batch ${BATCH}, one thread; f32 GEMM = f32GemmBatch on a prebuilt im2col, im2col not timed)`);
console.log(`\nThe CNN's weighted layers at batch ${BATCH} (ms; pools excluded from both):`);
for (const c of cnn) {
  console.log(`${c.backend.padEnd(19)} int8 ${c.int8Ms.toFixed(2)} ms   f32 ${c.f32Ms.toFixed(2)} ms   f32/int8 ${(c.f32Ms / c.int8Ms).toFixed(2)}` +
    `   (fc1 int8 ${c.fc1.int8.toFixed(2)} / f32 ${c.fc1.f32.toFixed(2)}, fc2 ${c.fc2.int8.toFixed(3)} / ${c.fc2.f32.toFixed(3)})   target ≥ 1.5`);
}
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "qs8-conv2d.json"),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, rows, cnn }, null, 2));
