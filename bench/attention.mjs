// Attention against the f32 GEMM in one process (tinybench medians, best of ROUNDS), at the
// issue's size: dModel 128, 4 heads (head dim 32), feed-forward 512, sequence 128, batch 16.
// Rows, each a forward + backward pass (the training step's work):
// - the GEMM of the feed-forward shape [N·L × 128]·[128 × 512] (forward only: it is the yardstick);
// - the fused attention kernel alone (64 (batch, head) blocks of 128×128), full and causal;
// - MultiheadAttention (projections + attention + output projection), full and causal;
// - TransformerEncoderLayer (post-norm, relu, dropout 0), causal, and its feed-forward half alone.
// FLOPs counted are the multiply-adds done (2 per), causal attention counting the half it computes.
// `node bench/attention.mjs` (re-runs itself with the relaxed-SIMD flag on Node 20); CASES=0 runs the
// decoding comparison alone, DECODE=0 leaves it out.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { medianMs as timeMedian } from "./median.mjs";
import { importFromSource } from "./from-source.mjs";

const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
if (Number(process.versions.node.split(".")[0]) < 22 && !process.execArgv.includes(RELAXED_FLAG)) {
  const r = spawnSync(process.execPath, [RELAXED_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const ROUNDS = Number(process.env.ROUNDS ?? 2);
const BACKENDS = (process.env.BACKENDS ?? "wasm-simd,wasm-relaxed-simd").split(",");
const medianMs = (fn) => timeMedian(fn, { time: 400, warmupTime: 100, iterations: 3 });

const eg = await importFromSource(`
  export { init, kernels, attentionKernels } from "./src/backend/index.ts";
  export { nn, randn, Rng, Tensor } from "./src/index.ts";`, "attention-bench.ts");

const D = 128, H = 4, HD = D / H, FF = 512, L = 128, N = 16, BLOCKS = N * H;
const rng = new eg.Rng(1);
const fill = (n) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
const causalPairs = (L * (L + 1)) / 2;

// FLOPs of one forward + backward.
const attnFlops = (pairs) => BLOCKS * pairs * HD * 2 * 6; // fwd: QKᵀ, PV; bwd: dP, dV, dQ, dK
const projFlops = 3 * (2 * N * L * D * 3 * D + 2 * N * L * D * D); // qkv + out, forward and two backward GEMMs each
const ffFlops = 3 * 2 * (2 * N * L * D * FF);
const gemmFlops = 2 * N * L * D * FF;

function fwdBwd(module, x, o) {
  const run = () => {
    for (const p of module.parameters()) p.grad = null;
    x.grad = null;
    const y = module instanceof eg.nn.MultiheadAttention ? module.forward(x, x, x, { ...o, needWeights: false })[0] : module.forward(x, o);
    y.sum().backward();
  };
  return run;
}

function cases() {
  const t = eg.kernels(), ak = eg.attentionKernels();
  const a = fill(N * L * D), b = fill(D * FF);
  const q = fill(BLOCKS * L * HD), k = fill(BLOCKS * L * HD), v = fill(BLOCKS * L * HD), dO = fill(BLOCKS * L * HD);
  const geo = (causal) => ({ blocks: BLOCKS, l: L, s: L, e: HD, ev: HD, scale: 1 / Math.sqrt(HD), causal, maskStride: 0 });
  const kernel = (causal) => () => {
    const { probs } = ak.attentionForward(geo(causal), q, k, v, null, null);
    ak.attentionBackward(geo(causal), q, k, v, null, probs, dO);
  };
  const x = eg.randn([N, L, D], { seed: 2 });
  x.requiresGrad = true;
  const mha = new eg.nn.MultiheadAttention(D, H, { batchFirst: true, seed: 3 });
  const layer = new eg.nn.TransformerEncoderLayer(D, H, { dimFeedforward: FF, dropout: 0, batchFirst: true, seed: 4 });
  const ff = new eg.nn.Sequential(new eg.nn.Linear(D, FF), new eg.nn.ReLU(), new eg.nn.Linear(FF, D));
  return [
    ["GEMM [2048×128]·[128×512] (forward)", gemmFlops, () => t.f32Gemm(N * L, FF, D, { data: a, offset: 0, rowStride: D, colStride: 1 }, { data: b, offset: 0, rowStride: FF, colStride: 1 }, new Float32Array(N * L * FF), 0)],
    ["attention kernel, full", attnFlops(L * L), kernel(false)],
    ["attention kernel, causal", attnFlops(causalPairs), kernel(true)],
    ["MultiheadAttention, full", projFlops + attnFlops(L * L), fwdBwd(mha, x, {})],
    ["MultiheadAttention, causal", projFlops + attnFlops(causalPairs), fwdBwd(mha, x, { isCausal: true })],
    ["feed-forward Linear→ReLU→Linear", ffFlops, fwdBwd(ff, x, undefined)],
    ["TransformerEncoderLayer, causal", projFlops + attnFlops(causalPairs) + ffFlops, fwdBwd(layer, x, { isCausal: true })],
  ];
}

const best = new Map();
for (let round = 1; round <= (process.env.CASES === "0" ? 0 : ROUNDS); round++) {
  for (const backend of BACKENDS) {
    await eg.init({ backend });
    for (const [name, flops, fn] of cases()) {
      const ms = await medianMs(fn);
      const key = `${backend}|${name}`;
      best.set(key, Math.min(ms, best.get(key) ?? Infinity));
      process.stderr.write(`round ${round} ${backend} ${name}: ${ms.toFixed(2)} ms ${(flops / ms / 1e6).toFixed(1)} GFLOP/s\n`);
    }
  }
}

if (process.env.CASES !== "0") console.log(`\nAttention, forward + backward, vs the f32 GEMM (best of ${ROUNDS} tinybench medians; N=${N}, L=${L}, dModel=${D}, ${H} heads, ff ${FF})\n`);
for (const backend of process.env.CASES === "0" ? [] : BACKENDS) {
  const names = cases().map(([name, flops]) => [name, flops]);
  const gemm = gemmFlops / (best.get(`${backend}|${names[0][0]}`) * 1e6);
  console.log(`${backend}\n\n| case | GFLOP | ms | GFLOP/s | × GEMM |\n|:--|--:|--:|--:|--:|`);
  for (const [name, flops] of names) {
    const ms = best.get(`${backend}|${name}`), gf = flops / (ms * 1e6);
    console.log(`| ${name} | ${(flops / 1e9).toFixed(3)} | ${ms.toFixed(2)} | ${gf.toFixed(1)} | ${(gf / gemm).toFixed(2)} |`);
  }
  console.log("");
}

// Decoding with a KV cache: a 4-layer encoder (dModel 128, 4 heads, ff 512), batch 1, eval mode.
// Cached: 256 positions one at a time from an empty cache (the mean per token). Uncached: what
// generating token 256 costs without a cache, one causal forward over all 256 positions.
if (process.env.DECODE !== "0") {
  await eg.init({ backend: BACKENDS[0] });
  const layer = new eg.nn.TransformerEncoderLayer(D, H, { dimFeedforward: FF, dropout: 0, batchFirst: true, seed: 5 });
  const enc = new eg.nn.TransformerEncoder(layer, 4).eval();
  const T = 256, x = eg.randn([1, T, D], { seed: 6 });
  let cachedMs = Infinity, fullMs = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const cache = enc.createCache();
    const t0 = performance.now();
    for (let t = 0; t < T; t++) enc.predict(x.slice(null, [t, t + 1]), { isCausal: true, cache });
    cachedMs = Math.min(cachedMs, (performance.now() - t0) / T);
    fullMs = Math.min(fullMs, await medianMs(() => enc.predict(x, { isCausal: true })));
  }
  console.log(`${BACKENDS[0]}, decoding ${T} tokens (4 layers, batch 1): with the KV cache ${cachedMs.toFixed(2)} ms per token (mean); ` +
    `without, token ${T} costs a ${T}-position forward, ${fullMs.toFixed(2)} ms: ${(fullMs / cachedMs).toFixed(1)}×\n`);
}
