// The character-level transformer of `edgegrad train --model charlm`: training throughput in
// tokens/s and achieved GFLOP/s against the f32 GEMM measured in the same process on the model's
// own GEMM shapes, then generation time per token with the key/value cache against without it.
// Plain wasm SIMD, one thread, tinybench medians (bench/median.mjs).
//
//   npm run build && node bench/charlm.mjs [--batch=16] [--layers=4] [--d-model=128] [--heads=4]
//                                          [--context=128] [--vocab=96] [--gen-tokens=256] [--activation=gelu|relu]
//                                          [--backend=wasm-simd]
//
// FLOPs per trained token (what the model must compute, counted as 2 per multiply-add):
//   forward  2·P + L·4·d·(T+1)/2     P = matmul weights (per block 4·d² + 2·d·ff, the head d·V)
//   backward twice the forward       attention: Q·Kᵀ and P·V over the (T+1)/2 keys a causal
//   total    6·P + L·12·d·(T+1)/2    position sees on average
// Embedding lookups, norms, softmax and the loss are not counted (they are not matmuls).
import { medianMs } from "./median.mjs";

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? true]; }));
const num = (k, d) => (args[k] === undefined ? d : Number(args[k]));
const cfg = {
  batch: num("batch", 16), layers: num("layers", 4), dModel: num("d-model", 128), heads: num("heads", 4),
  context: num("context", 128), vocab: num("vocab", 96), genTokens: num("gen-tokens", 256), activation: args.activation ?? "gelu",
};
const ff = 4 * cfg.dModel;

const eg = await import("../dist/index.js");
await eg.init({ backend: args.backend ?? "wasm-simd" });
const info = eg.backendInfo();

function lm(context) {
  return new eg.nn.TransformerLM(cfg.vocab, { dModel: cfg.dModel, numLayers: cfg.layers, numHeads: cfg.heads, contextLength: context, dimFeedforward: ff, activation: cfg.activation, seed: 1 });
}

function flopsPerToken() {
  const d = cfg.dModel, T = cfg.context;
  const matmulWeights = cfg.layers * (4 * d * d + 2 * d * ff) + d * cfg.vocab;
  return { matmulWeights, total: 6 * matmulWeights + cfg.layers * 12 * d * ((T + 1) / 2) };
}

/** GFLOP/s of eg.matmul at the model's forward GEMM shapes, FLOP-weighted (what a step's GEMMs would run at alone). */
async function gemmAtModelShapes() {
  const M = cfg.batch * cfg.context, d = cfg.dModel;
  const shapes = [[M, d, 3 * d], [M, d, d], [M, d, ff], [M, ff, d], [M, d, cfg.vocab]];
  let flops = 0, ms = 0;
  const rows = [];
  for (const [m, k, n] of shapes) {
    const a = eg.randn([m, k], { seed: 1 }), b = eg.randn([k, n], { seed: 2 });
    const t = await medianMs(() => eg.matmul(a, b), { time: 400, warmupTime: 100 });
    rows.push([`[${m}×${k}]·[${k}×${n}]`, (2 * m * k * n / t / 1e6).toFixed(1)]);
    flops += 2 * m * k * n; ms += t;
  }
  return { gflops: flops / ms / 1e6, rows };
}

async function squareGemm(n) {
  const a = eg.randn([n, n], { seed: 3 }), b = eg.randn([n, n], { seed: 4 });
  return 2 * n ** 3 / (await medianMs(() => eg.matmul(a, b), { time: 400, warmupTime: 100 })) / 1e6;
}

async function trainingStep() {
  const model = lm(cfg.context);
  const opt = new eg.optim.AdamW(model.parameters(), { lr: 1e-3 });
  const ids = new Int32Array(200_000);
  const rng = new eg.Rng(5);
  for (let i = 0; i < ids.length; i++) ids[i] = rng.int(cfg.vocab);
  let it = eg.data.languageModelBatches(ids, { contextLength: cfg.context, batchSize: cfg.batch, seed: 1, dropLast: true });
  const step = () => {
    let b = it.next();
    if (b.done) { it = eg.data.languageModelBatches(ids, { contextLength: cfg.context, batchSize: cfg.batch, seed: 2, dropLast: true }); b = it.next(); }
    const { x, y } = b.value;
    const logits = model.forward(x);
    const loss = eg.nn.crossEntropy(logits.reshape([cfg.batch * cfg.context, cfg.vocab]), y.reshape([cfg.batch * cfg.context]));
    opt.zeroGrad();
    loss.backward();
    eg.optim.clipGradNorm(model.parameters(), 1);
    opt.step();
  };
  const ms = await medianMs(step, { time: 4000, warmupTime: 500, iterations: 5 });
  return { ms, params: model.parameters().reduce((s, p) => s + p.size, 0) };
}

/** ms per generated token, the prompt one token, over genTokens new tokens (a model whose context holds them all). */
async function generation(useCache) {
  const model = lm(cfg.genTokens + 1);
  const ms = await medianMs(() => eg.nn.generate(model, [1], { maxNewTokens: cfg.genTokens, temperature: 1, seed: 7, useCache }),
    { time: useCache ? 2000 : 4000, warmupTime: 0, iterations: useCache ? 3 : 1, warmup: false });
  return ms / cfg.genTokens;
}

const gemm = await gemmAtModelShapes();
const square = await squareGemm(256);
const train = await trainingStep();
const f = flopsPerToken();
const tokensPerStep = cfg.batch * cfg.context;
const tokensPerSecond = tokensPerStep / (train.ms / 1000);
const achieved = tokensPerSecond * f.total / 1e9;
const cached = await generation(true);
const uncached = await generation(false);

console.log(`edgegrad ${info.backend}, threads ${info.threads ?? 1}; model ${cfg.layers}×${cfg.dModel}, ${cfg.heads} heads, ff ${ff}, context ${cfg.context}, vocab ${cfg.vocab}, ${cfg.activation}: ${train.params} parameters (${f.matmulWeights} in matmuls)`);
console.log("");
console.log("| GEMM shape (forward) | GFLOP/s |\n|---|---|");
for (const [s, g] of gemm.rows) console.log(`| ${s} | ${g} |`);
console.log("");
console.log("| measure | value |\n|---|---|");
console.log(`| training step, batch ${cfg.batch}×${cfg.context} (median) | ${train.ms.toFixed(1)} ms |`);
console.log(`| training throughput | ${Math.round(tokensPerSecond)} tokens/s |`);
console.log(`| FLOPs per trained token (6·P + attention) | ${(f.total / 1e6).toFixed(2)} M |`);
console.log(`| achieved | ${achieved.toFixed(2)} GFLOP/s |`);
console.log(`| f32 GEMM at the model's shapes (FLOP-weighted) | ${gemm.gflops.toFixed(2)} GFLOP/s |`);
console.log(`| f32 GEMM 256×256×256 | ${square.toFixed(2)} GFLOP/s |`);
console.log(`| achieved / GEMM at the model's shapes | ${(100 * achieved / gemm.gflops).toFixed(0)}% (target ≥ 60%) |`);
console.log(`| generation, ${cfg.genTokens} tokens, with the cache | ${cached.toFixed(2)} ms/token |`);
console.log(`| generation, ${cfg.genTokens} tokens, without | ${uncached.toFixed(2)} ms/token |`);
console.log(`| cache speed-up | ${(uncached / cached).toFixed(1)}× (target ≥ 10×) |`);
