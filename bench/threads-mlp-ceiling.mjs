// The ceiling of the Fashion-MNIST MLP's 2-thread step (784-256-128-10, batch 64, Adam): the
// step's kernels alone, every operand already in wasm memory, so no copy between JS arrays and
// the kernel memory and no JS op around a kernel. One thread runs each call whole on the calling
// thread; N threads run the splits the library makes (splitGemm's tiles, the backward pair as one
// job of two products, Adam in one range a thread), with the products below the library's split
// threshold whole on the calling thread as in training. Alternated in blocks of 30 steps; medians.
// After each round, cross-core.mjs: on this shared host the ceiling itself moves with it.
//   npm run build && node bench/threads-mlp-ceiling.mjs [--rounds=3] [--threads=2]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { crossCore, crossCoreText } from "./cross-core.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? true]; }));
const ROUNDS = Number(args.rounds ?? 3), THREADS = Number(args.threads ?? 2);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || !Number.isInteger(THREADS) || THREADS < 2) {
  throw new Error(`--rounds must be an integer ≥ 1 and --threads one ≥ 2, got ${args.rounds} and ${args.threads}`);
}
const root = join(fileURLToPath(new URL("..", import.meta.url)), "dist");
const eg = await import(join(root, "slim", "api.js"));
const { activeThreadPool, activeKernelExports } = await import(join(root, "slim", "backend", "init.js"));
const { splitGemm, gemmArgs, parallelGemm } = await import(join(root, "slim", "backend", "parallel-gemm.js"));
const { ranges } = await import(join(root, "slim", "backend", "parallel-split.js"));
const { parallelAdam } = await import(join(root, "slim", "backend", "parallel-adam.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "edgegrad-mt-simd.wasm")));

const info = await eg.init({ module, threads: THREADS });
if (info.threads !== THREADS) throw new Error(`asked for ${THREADS} threads, got ${info.threads}: ${info.threadsReason}`);
const pool = activeThreadPool(), k = activeKernelExports();

// Operands past everything the library uses, filled with small values (the values do not change the time).
let next = k.memory.buffer.byteLength + 65536;
k.memory.grow(Math.ceil((24 << 20) / 65536));
const floats = (n) => {
  const ptr = next;
  next += Math.ceil((n * 4) / 64) * 64 + 64;
  new Float32Array(k.memory.buffer, ptr, n).fill(0.01);
  return ptr;
};
const B = 64, D0 = 784, D1 = 256, D2 = 128, D3 = 10;
const x = floats(B * D0), h1 = floats(B * D1), h2 = floats(B * D2), out = floats(B * D3), g3 = floats(B * D3);
const dh2 = floats(B * D2), dh1 = floats(B * D1);
const layers = [[D1, D0], [D2, D1], [D3, D2]].map(([o, i]) => ({
  o, i, w: floats(o * i), b: floats(o), dw: floats(o * i), db: floats(o),
  m: floats(o * i), v: floats(o * i), mb: floats(o), vb: floats(o),
}));
const [L1, L2, L3] = layers;

/** C[m×n] = A·B, A and B given by pointer and (row, column) strides of their m×k and k×n views. */
const gemm = (m, n, kk, a, ars, acs, b, brs, bcs, c, bias = 0, flags = 0) => ({
  batch: 1, m, n, k: kk, a, aBatchStride: 0, aRowStride: ars, aColStride: acs,
  b, bBatchStride: 0, bRowStride: brs, bColStride: bcs, c, cBatchStride: 0, cRowStride: n, bias, flags,
});
const RELU = 1;
const products = {
  fwd1: gemm(B, D1, D0, x, D0, 1, L1.w, 1, D0, h1, L1.b, RELU), // relu(x·W1ᵀ + b1)
  fwd2: gemm(B, D2, D1, h1, D1, 1, L2.w, 1, D1, h2, L2.b, RELU),
  fwd3: gemm(B, D3, D2, h2, D2, 1, L3.w, 1, D2, out, L3.b),
  dw3: gemm(D3, D2, B, g3, 1, D3, h2, D2, 1, L3.dw), // g3ᵀ·h2
  dh2: gemm(B, D2, D3, g3, D3, 1, L3.w, D2, 1, dh2), // g3·W3
  dw2: gemm(D2, D1, B, dh2, 1, D2, h1, D1, 1, L2.dw),
  dh1: gemm(B, D1, D2, dh2, D2, 1, L2.w, D1, 1, dh1),
  dw1: gemm(D1, D0, B, dh1, 1, D1, x, D0, 1, L1.dw),
};
const workBytes = Math.max(...Object.values(products).map((c) => k.f32_gemm_workspace(c.m, c.n, c.k)));
const work = Array.from({ length: THREADS }, () => floats(Math.ceil(workBytes / 4)));
const macs = (c) => c.m * c.n * c.k;

const whole = (c) => k.f32_gemm_batch(...gemmArgs(c, work[0]));
const product = (c, threads) => {
  if (threads === 1 || macs(c) < parallelGemm.minMacs) whole(c);
  else pool.run(k, "f32_gemm_batch", splitGemm(c, threads).map((p, t) => gemmArgs(p, work[t])));
};
const pairOf = (c1, c2, threads) => {
  if (threads === 1) { whole(c1); whole(c2); } else pool.run(k, "f32_gemm_batch", [gemmArgs(c1, work[0]), gemmArgs(c2, work[1])]);
};
// Adam's constants at some step t (they do not change the time): β1, 1−β1, β2, 1−β2, step size, 1/√(1−β2^t), ε, shrink, λ.
const ADAM = [0.9, 0.1, 0.999, 0.001, 1e-3, 1.2, 1e-8, 1, 0];
const adam = (n, p, g, m, v, threads) => {
  const args = (i0, i1) => [i1 - i0, p + 4 * i0, g + 4 * i0, m + 4 * i0, v + 4 * i0, 0, m + 4 * i0, v + 4 * i0, 0, ...ADAM];
  if (threads === 1 || n < parallelAdam.minElements) k.f32_adam(...args(0, n));
  else pool.run(k, "f32_adam", ranges(n, 4, threads).map(([i0, i1]) => args(i0, i1)));
};

function step(threads) {
  product(products.fwd1, threads);
  product(products.fwd2, threads);
  product(products.fwd3, threads);
  // Backward: the loss gradient g3 is taken as given; each ReLU masks its gradient by its output.
  product(products.dw3, threads);
  k.f32_column_sums(B, D3, g3, L3.db);
  product(products.dh2, threads);
  k.f32_relu_backward(B * D2, dh2, h2);
  pairOf(products.dw2, products.dh1, threads);
  k.f32_column_sums(B, D2, dh2, L2.db);
  k.f32_relu_backward(B * D1, dh1, h1);
  product(products.dw1, threads);
  k.f32_column_sums(B, D1, dh1, L1.db);
  for (const l of layers) {
    adam(l.o * l.i, l.w, l.dw, l.m, l.v, threads);
    adam(l.o, l.b, l.db, l.mb, l.vb, threads);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`the MLP step's kernels with resident operands, 1 thread against ${THREADS}, Node ${process.versions.node}, ` +
  `edgegrad-mt-simd.wasm; medians of 30-step blocks alternated`);
for (let i = 0; i < 200; i++) { step(1); step(THREADS); }
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  const one = [], many = [];
  for (let block = 0; block < 20; block++) {
    for (const [threads, into] of [[1, one], [THREADS, many]]) {
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        step(threads);
        into.push(performance.now() - t0);
      }
    }
  }
  const a = median(one), b = median(many);
  ratios.push(b / a);
  console.log(`round ${r + 1}: 1 thread ${(1000 * a).toFixed(0)} µs, ${THREADS} threads ${(1000 * b).toFixed(0)} µs, ` +
    `ratio ${(b / a).toFixed(3)}; ${crossCoreText(await crossCore())}`);
}
console.log(`ratio per round ${ratios.map((r) => r.toFixed(3)).join(", ")}`);
await eg.init({ module, threads: 1 });
