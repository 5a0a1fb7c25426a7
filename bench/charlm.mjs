// The character-level transformer of `edgegrad train --model charlm`: training throughput in
// tokens/s and achieved GFLOP/s against the f32 GEMM measured in the same process on the model's
// own GEMM shapes, then generation time per token with the key/value cache against without it.
// Plain wasm SIMD, one thread, tinybench medians (bench/median.mjs). The GEMMs and the training
// steps are measured in alternating rounds and timed by this process's CPU time as well as wall
// time, so that load from other processes, which comes and goes, hits both alike.
//
//   npm run build && node bench/charlm.mjs [--rounds=5] [--batch=16] [--layers=4] [--d-model=128] [--heads=4]
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

/** CPU milliseconds of this process (user + system): less sensitive than wall time to other load on the machine. */
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Wall median (tinybench) and CPU time per call of fn, over about `ms` of wall time. */
async function timed(fn, ms, iterations = 1) {
  const c0 = cpuMs();
  let calls = 0;
  const wall = await medianMs(() => { fn(); calls++; }, { time: ms, warmupTime: 0, warmup: false, iterations });
  return { wall, cpu: (cpuMs() - c0) / calls };
}

/** The forward GEMM shapes of one training step (batch·context rows). */
function gemmShapes() {
  const M = cfg.batch * cfg.context, d = cfg.dModel;
  return [[M, d, 3 * d], [M, d, d], [M, d, ff], [M, ff, d], [M, d, cfg.vocab]].map(([m, k, n]) => ({
    m, k, n, a: eg.randn([m, k], { seed: 1 }), b: eg.randn([k, n], { seed: 2 }),
  }));
}

/** One round: every model GEMM shape, then training steps, so both see the same load. FLOP-weighted GEMM times. */
async function round(shapes, step) {
  let flops = 0, wall = 0, cpu = 0;
  const perShape = [];
  for (const s of shapes) {
    const t = await timed(() => eg.matmul(s.a, s.b), 300, 5);
    flops += 2 * s.m * s.k * s.n; wall += t.wall; cpu += t.cpu;
    perShape.push(2 * s.m * s.k * s.n / t.cpu / 1e6);
  }
  const t = await timed(step, 0, 2);
  return { gemmWall: flops / wall / 1e6, gemmCpu: flops / cpu / 1e6, stepWall: t.wall, stepCpu: t.cpu, perShape };
}

async function squareGemm(n) {
  const a = eg.randn([n, n], { seed: 3 }), b = eg.randn([n, n], { seed: 4 });
  const t = await timed(() => eg.matmul(a, b), 400, 5);
  return 2 * n ** 3 / t.cpu / 1e6;
}

function trainingStep() {
  const model = lm(cfg.context);
  const opt = new eg.optim.AdamW(model.parameters(), { lr: 1e-3 });
  const ids = new Int32Array(200_000);
  const rng = new eg.Rng(5);
  for (let i = 0; i < ids.length; i++) ids[i] = rng.int(cfg.vocab);
  const batches = () => eg.data.languageModelBatches(ids, { contextLength: cfg.context, batchSize: cfg.batch, rng, dropLast: true });
  let it = batches();
  const step = () => {
    let b = it.next();
    if (b.done) { it = batches(); b = it.next(); }
    const { x, y } = b.value;
    const logits = model.forward(x);
    const loss = eg.nn.crossEntropy(logits.reshape([cfg.batch * cfg.context, cfg.vocab]), y.reshape([cfg.batch * cfg.context]));
    opt.zeroGrad();
    loss.backward();
    eg.optim.clipGradNorm(model.parameters(), 1);
    opt.step();
  };
  return { step, params: model.parameters().reduce((s, p) => s + p.size, 0) };
}

/** CPU ms per generated token, the prompt one token, over genTokens new tokens (a model whose context holds them all). */
async function generation(useCache) {
  const model = lm(cfg.genTokens + 1);
  const t = await timed(() => eg.nn.generate(model, [1], { maxNewTokens: cfg.genTokens, temperature: 1, seed: 7, useCache }), 0, useCache ? 5 : 2);
  return t.cpu / cfg.genTokens;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const ROUNDS = num("rounds", 5);
const shapes = gemmShapes();
const train = trainingStep();
train.step(); // first step: lazy kernel families, optimizer state
const rounds = [];
for (let r = 0; r < ROUNDS; r++) rounds.push(await round(shapes, train.step));
const square = await squareGemm(256);
const f = flopsPerToken();
const tokensPerStep = cfg.batch * cfg.context;
const stepWall = median(rounds.map((r) => r.stepWall)), stepCpu = median(rounds.map((r) => r.stepCpu));
const achievedCpu = tokensPerStep / (stepCpu / 1000) * f.total / 1e9;
const gemmCpu = median(rounds.map((r) => r.gemmCpu));
const ratios = rounds.map((r) => (tokensPerStep / (r.stepCpu / 1000) * f.total / 1e9) / r.gemmCpu);
const cached = await generation(true);
const uncached = await generation(false);

console.log(`edgegrad ${info.backend}, threads ${info.threads ?? 1}; model ${cfg.layers}×${cfg.dModel}, ${cfg.heads} heads, ff ${ff}, context ${cfg.context}, vocab ${cfg.vocab}, ${cfg.activation}: ${train.params} parameters (${f.matmulWeights} in matmuls)`);
console.log(`${ROUNDS} rounds, each: the model's GEMM shapes, then training steps; medians over rounds; CPU time of this process (wall time in brackets)`);
console.log("");
console.log("| GEMM shape (forward) | GFLOP/s (CPU time) |\n|---|---|");
shapes.forEach((s, i) => console.log(`| [${s.m}×${s.k}]·[${s.k}×${s.n}] | ${median(rounds.map((r) => r.perShape[i])).toFixed(1)} |`));
console.log("");
console.log("| measure | value |\n|---|---|");
console.log(`| training step, batch ${cfg.batch}×${cfg.context} | ${stepCpu.toFixed(0)} ms CPU (${stepWall.toFixed(0)} ms wall) |`);
console.log(`| training throughput | ${Math.round(tokensPerStep / (stepCpu / 1000))} tokens/s per CPU second (${Math.round(tokensPerStep / (stepWall / 1000))} wall) |`);
console.log(`| FLOPs per trained token (6·P + attention) | ${(f.total / 1e6).toFixed(2)} M |`);
console.log(`| achieved | ${achievedCpu.toFixed(2)} GFLOP/s |`);
console.log(`| f32 GEMM at the model's shapes (FLOP-weighted) | ${gemmCpu.toFixed(2)} GFLOP/s (${median(rounds.map((r) => r.gemmWall)).toFixed(2)} wall) |`);
console.log(`| f32 GEMM 256×256×256 | ${square.toFixed(2)} GFLOP/s |`);
console.log(`| achieved / GEMM at the model's shapes | ${(100 * median(ratios)).toFixed(0)}% (rounds: ${ratios.map((x) => (100 * x).toFixed(0)).join(", ")}; target ≥ 60%) |`);
console.log(`| generation, ${cfg.genTokens} tokens, with the cache | ${cached.toFixed(2)} ms/token |`);
console.log(`| generation, ${cfg.genTokens} tokens, without | ${uncached.toFixed(2)} ms/token |`);
console.log(`| cache speed-up | ${(uncached / cached).toFixed(1)}× (target ≥ 10×) |`);
