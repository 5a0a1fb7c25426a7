// LSTM language-model training throughput: one-hot characters (vocab 96) → LSTM(256) → Linear
// (vocab), softmax cross-entropy on the next character, Adam 1e-3; batch 32 × 64 steps = 2048
// tokens a training step. edgegrad against tfjs-layers' LSTM (returnSequences, then a dense
// softmax) on tfjs-backend-wasm and tfjs-backend-cpu, same model, batch and optimizer, in the
// same run; each library in its own child process. Reports tokens/s from the median step time
// (tinybench p50 for edgegrad; tfjs steps are seconds long, so the median of a few timed steps),
// and from the process's CPU time a step (user + system, the mean over timed steps): on a
// machine shared with other work, CPU time is the steadier of the two (both peers run one thread).
// Also edgegrad's achieved GFLOP/s on the step's GEMM work (forward 2·T·B·4H·(V + H) + head,
// backward twice that) and the f32 GEMM's GFLOP/s on the same machine for comparison.
//
//   npm run build && node bench/lstm.mjs [--hidden=256] [--seq=64] [--batch=32] [--tfjs-steps=3] [--skip-tfjs-cpu] [--skip-tfjs-wasm]
//     [--threads=N]   (edgegrad on N threads: its GEMMs split over the pool; CPU time then counts every thread)
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { medianMs } from "./median.mjs";

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const median = (xs) => { const a = [...xs].sort((p, q) => p - q), m = a.length >> 1; return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2; };

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? true]; }));
const int = (k, d) => (args[k] === undefined ? d : Number(args[k]));
const V = 96, H = int("hidden", 256), T = int("seq", 64), B = int("batch", 32), LR = 1e-3;
const TOKENS = B * T;
// Multiply-adds ×2 of the GEMMs: input projection (T·B × V × 4H), recurrent (T × B × H × 4H), head (T·B × H × V);
// the backward does two GEMMs of each size (input and weight gradients).
const STEP_FLOP = 3 * 2 * (T * B * 4 * H * (V + H) + T * B * H * V);

/** A deterministic batch: token ids in [0, V) from a small LCG, one-hot inputs, next-token targets. */
function batchData(seed) {
  let s = seed >>> 0;
  const ids = new Int32Array(B * (T + 1));
  for (let i = 0; i < ids.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; ids[i] = s % V; }
  const x = new Float32Array(B * T * V), y = new Int32Array(B * T), yOneHot = new Float32Array(B * T * V);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
    x[(b * T + t) * V + ids[b * (T + 1) + t]] = 1;
    y[b * T + t] = ids[b * (T + 1) + t + 1];
    yOneHot[(b * T + t) * V + y[b * T + t]] = 1;
  }
  return { x, y, yOneHot };
}

async function childEdgegrad() {
  const eg = await import("../dist/index.js");
  await eg.init(args.threads ? { threads: Number(args.threads) } : {});
  const { nn, optim } = eg;
  const lstm = new nn.LSTM(V, H, { batchFirst: true, seed: 1 }), head = new nn.Linear(H, V, { seed: 2 });
  const opt = new optim.Adam([...lstm.parameters(), ...head.parameters()], { lr: LR });
  const d = batchData(1);
  const x = eg.fromTypedArray(d.x, [B, T, V]), y = eg.fromTypedArray(d.y, [B * T]);
  let loss = 0;
  const step = () => {
    const [out] = lstm.forward(x);
    const l = nn.functional.crossEntropy(head.forward(out.reshape([B * T, H])), y);
    opt.zeroGrad();
    l.backward();
    opt.step();
    loss = l.item();
  };
  for (let i = 0; i < 3; i++) step();
  const ms = await medianMs(step, { time: 4000, iterations: 10, warmupIterations: 0 });
  const c0 = cpuMs();
  for (let i = 0; i < 5; i++) step();
  const cpu = (cpuMs() - c0) / 5;
  // The f32 GEMM on this machine, now, for the achieved fraction: the recurrent step's shape.
  const a = eg.randn([B, H], { seed: 3 }), w = eg.randn([H, 4 * H], { seed: 4 });
  const gemmMs = await medianMs(() => eg.matmul(a, w), { time: 1000, iterations: 50 });
  const big = eg.randn([T * B, V + H], { seed: 5 }), wb = eg.randn([V + H, 4 * H], { seed: 6 });
  const bigMs = await medianMs(() => eg.matmul(big, wb), { time: 1000, iterations: 10 });
  return {
    library: `edgegrad (${eg.backendInfo().backend}${eg.backendInfo().threads > 1 ? `, ${eg.backendInfo().threads} threads` : ""})`, ms, cpu, loss,
    gemm: { stepShape: `${B}×${H}×${4 * H}`, stepGflops: (2 * B * H * 4 * H) / gemmMs / 1e6,
            bigShape: `${T * B}×${V + H}×${4 * H}`, bigGflops: (2 * T * B * (V + H) * 4 * H) / bigMs / 1e6 },
  };
}

async function childTfjs(backend) {
  const tf = await import("@tensorflow/tfjs-core");
  await import(backend === "wasm" ? "@tensorflow/tfjs-backend-wasm" : "@tensorflow/tfjs-backend-cpu");
  const tfl = await import("@tensorflow/tfjs-layers");
  await tf.setBackend(backend);
  await tf.ready();
  const library = `tfjs-layers 4.22.0 LSTM (tfjs-backend-${backend})`;
  const model = tfl.sequential({ layers: [
    // recurrentInitializer: the default "orthogonal" fails in Node with tfjs-core 4.22 alone
    // ("rMat.flatten is not a function"); the initializer does not change the step's cost.
    tfl.layers.lstm({ units: H, returnSequences: true, inputShape: [T, V], recurrentInitializer: "glorotUniform" }),
    tfl.layers.dense({ units: V, activation: "softmax" }),
  ] });
  model.compile({ optimizer: tf.train.adam(LR), loss: "categoricalCrossentropy" });
  const d = batchData(1);
  const xs = tf.tensor3d(d.x, [B, T, V]), ys = tf.tensor3d(d.yOneHot, [B, T, V]);
  const step = async () => { const l = await model.trainOnBatch(xs, ys); return Array.isArray(l) ? l[0] : l; };
  let loss;
  try {
    loss = await step();
  } catch (e) {
    return { library, failed: e.message };
  }
  const times = [], cpus = [];
  for (let i = 0; i < int("tfjs-steps", 3); i++) {
    const t0 = performance.now(), c0 = cpuMs();
    loss = await step();
    times.push(performance.now() - t0);
    cpus.push(cpuMs() - c0);
    console.error(`  ${library}: step ${i + 1} ${(times.at(-1) / 1000).toFixed(2)} s (cpu ${(cpus.at(-1) / 1000).toFixed(2)} s)`);
  }
  return { library, ms: median(times), cpu: cpus.reduce((a, b) => a + b) / cpus.length, loss, steps: times.length };
}

function runChild(kind) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2), `--child=${kind}`], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (c) => (out += c));
    p.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      resolve(line ? JSON.parse(line.slice(7)) : { library: kind, failed: `child exited with code ${code}` });
    });
  });
}

if (args.child) {
  const children = { edgegrad: childEdgegrad, "tfjs-wasm": () => childTfjs("wasm"), "tfjs-cpu": () => childTfjs("cpu") };
  console.log("RESULT " + JSON.stringify(await children[args.child]()));
  process.exit(0);
}

console.error(`LSTM LM step: vocab ${V} one-hot, hidden ${H}, seq ${T}, batch ${B} (${TOKENS} tokens), Adam ${LR}; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const runs = [await runChild("edgegrad")];
if (!args["skip-tfjs-wasm"]) runs.push(await runChild("tfjs-wasm"));
if (!args["skip-tfjs-cpu"]) runs.push(await runChild("tfjs-cpu"));
const eg = runs[0];
const peers = runs.slice(1).filter((r) => !r.failed);
const fastest = (k) => (peers.length ? Math.min(...peers.map((r) => r[k])) : null);
const [fastWall, fastCpu] = [fastest("ms"), fastest("cpu")];
console.log("\n| library | ms/step (wall, median) | tokens/s (wall) | CPU ms/step | tokens/s (CPU) | GFLOP/s (CPU) | edgegrad's speed-up (wall / CPU) | loss |");
console.log("|---|---|---|---|---|---|---|---|");
const fmt = (v) => Math.round(v).toLocaleString("en");
for (const r of runs) {
  if (r.failed) { console.log(`| ${r.library} | failed: ${r.failed} | | | | | | |`); continue; }
  const up = r === eg ? (fastWall ? `${(fastWall / r.ms).toFixed(1)}× / ${(fastCpu / r.cpu).toFixed(1)}× the faster peer` : "")
    : `${(r.ms / eg.ms).toFixed(1)}× / ${(r.cpu / eg.cpu).toFixed(1)}×`;
  console.log(`| ${r.library} | ${r.ms.toFixed(1)} | ${fmt(TOKENS / (r.ms / 1000))} | ${r.cpu.toFixed(1)} | ${fmt(TOKENS / (r.cpu / 1000))} | ` +
              `${(STEP_FLOP / r.cpu / 1e6).toFixed(1)} | ${up} | ${r.loss.toFixed(3)} |`);
}
if (eg.gemm) {
  console.log(`\nf32 GEMM in the same run (edgegrad matmul): ${eg.gemm.stepShape} (one recurrent step) ${eg.gemm.stepGflops.toFixed(1)} GFLOP/s; ` +
              `${eg.gemm.bigShape} ${eg.gemm.bigGflops.toFixed(1)} GFLOP/s.`);
}
