// Training with 1 thread against N threads in the same process, alternating, the better of each
// side's runs kept, and the final weights of the two compared bit for bit (the same seed must
// give the same model at any thread count):
//   - the Fashion-MNIST MLP epoch (784-256-128-10, ReLU, Adam lr 1e-3, batch 64, as bench/training.mjs),
//     timed after --mlp-warm-epochs (2) epochs of the same fit, the first epoch's ratio printed too:
//     V8 compiles the library's JS on background threads over a fit's first epochs, and on two
//     cores with both threads busy that compiling runs on the pool's cores (RESULTS-threads.md);
//   - the CNN of bench/cnn-epoch.mjs (two 3×3 convolutions, 32 and 64 filters, max pooling,
//     Linear 3136-128-10, Adam 1e-3, batch 64) for --cnn-batches batches (938: a whole epoch).
// With N threads it also times what runs inside the pool's jobs: the rest runs on the calling
// thread alone, and bounds the speedup (Amdahl): best N-thread time = rest + split work / N.
// First, the CPU time of one convolution whole, in parts and on N threads (convCpu).
// After each N-thread run it also measures what the host gives N threads at that moment: the
// 512³ GEMM kernel split over the pool against the whole call on the calling thread, operands
// already in wasm memory (this shared machine gives a second core in bursts; a round's ratio is
// read next to it), and what moving data between two threads costs then (cross-core.mjs). Each
// round also prints the median and 90th-percentile step of both runs next to the epoch per batch.
// Both sides load the threaded build (edgegrad-mt-simd.wasm, plain SIMD) through the slim build's modules.
// --spin=µs sets how long the workers poll for the next job before they sleep (ThreadPool.spinMicros).
//   npm run build && node bench/threads-training.mjs [--rounds=2] [--threads=2] [--mlp-warm-epochs=2] [--cnn-batches=150]
//     [--skip-mlp] [--skip-cnn] [--spin=250] [--per-kernel]
// (node --single-threaded-gc bench/threads-training.mjs …: V8's garbage collector without its
// background threads, which otherwise compete with the pool's workers for the cores; RESULTS-threads.md)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { fashionCnn } from "./cnn-model.mjs";
import { gemmsInMemory } from "./gemm-in-memory.mjs";
import { crossCore, crossCoreText } from "./cross-core.mjs";

const DIR = process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";
const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? true]; }));
const ROUNDS = Number(args.rounds ?? args.epochs ?? 2), THREADS = Number(args.threads ?? 2);
const CNN_BATCHES = Number(args["cnn-batches"] ?? 150);
const MLP_WARM = Number(args["mlp-warm-epochs"] ?? 2);
if (!(Number.isInteger(MLP_WARM) && MLP_WARM >= 0)) throw new Error(`--mlp-warm-epochs must be an integer ≥ 0, got ${args["mlp-warm-epochs"]}`);
const SPIN = args.spin === undefined ? null : Number(args.spin);
if (SPIN !== null && !(SPIN >= 0)) throw new Error(`--spin must be a number of µs ≥ 0, got ${args.spin}`);

const root = join(fileURLToPath(new URL("..", import.meta.url)), "dist");
const eg = await import(join(root, "slim", "api.js"));
const { ThreadPool } = await import(join(root, "slim", "backend", "thread-pool.js"));
const { activeThreadPool, activeKernelExports } = await import(join(root, "slim", "backend", "init.js"));
const { splitGemm, gemmArgs } = await import(join(root, "slim", "backend", "parallel-gemm.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "edgegrad-mt-simd.wasm")));

// Time inside the pool's jobs (the caller's share, then its wait for the workers). With
// --per-kernel, also per kernel of the N-thread runs: each job's time, the parts the calling
// thread ran itself (its own and any it took from the workers) and their time, and the wait.
let pooledMs = 0;
const perKernel = new Map();
const run = ThreadPool.prototype.run;
ThreadPool.prototype.run = function timedRun(exports, name, parts, ...rest) {
  const t0 = performance.now();
  let ownMs = 0, ownParts = 0, callable = exports;
  if (args["per-kernel"]) {
    const kernel = exports[name];
    const timed = (...a) => { const s = performance.now(); try { return kernel(...a); } finally { ownMs += performance.now() - s; ownParts++; } };
    callable = Object.create(exports, { [name]: { value: timed } });
  }
  try { return run.call(this, callable, name, parts, ...rest); } finally {
    const ms = performance.now() - t0;
    pooledMs += ms;
    if (args["per-kernel"]) {
      const k = perKernel.get(name) ?? { jobs: 0, parts: 0, ms: 0, ownMs: 0, ownParts: 0 };
      perKernel.set(name, { jobs: k.jobs + 1, parts: k.parts + parts.length, ms: k.ms + ms, ownMs: k.ownMs + ownMs, ownParts: k.ownParts + ownParts });
    }
  }
};

const { nn, optim } = eg;
const mlp = () => new nn.Sequential(new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(),
  new nn.Linear(256, 128, { seed: 2 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 3 }));
const cnn = () => fashionCnn(nn);

/**
 * One fresh model trained on `threads` threads for 1 + `warmEpochs` epochs (of `batches` batches
 * each when finite), the last one timed: seconds, time in jobs, the first epoch's seconds, final weights.
 */
async function train(threads, makeModel, data, batches, warmEpochs = 0) {
  const info = await eg.init({ module, threads });
  if (info.threads !== threads) throw new Error(`asked for ${threads} threads, got ${info.threads}: ${info.threadsReason}`);
  if (threads > 1 && SPIN !== null) activeThreadPool().spinMicros = SPIN;
  const model = makeModel();
  let last = 0;
  const steps = [];
  // Every step's wall time: the median step against the epoch says how much a few slow steps
  // (a worker that took its part late, a collection) cost, apart from the split itself. Noted by
  // the optimizer at the end of each update, not by a callback per batch, which would keep fit's
  // arrays out of kernel memory (src/nn/fit-resident.ts); a run of `batches` batches trains on
  // that many batches' rows.
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const update = optimizer.step.bind(optimizer);
  optimizer.step = () => {
    update();
    const now = performance.now();
    steps.push(now - last);
    last = now;
  };
  const rows = Number.isFinite(batches) ? Math.min(batches * 64, data.x.shape[0]) : data.x.shape[0];
  const x = rows < data.x.shape[0] ? data.x.slice([0, rows]) : data.x, y = rows < data.y.shape[0] ? data.y.slice([0, rows]) : data.y;
  const start = performance.now();
  let t0 = last = start, firstEpoch = 0;
  // The timed epoch is the fit's last (the only one without warm epochs): its steps, its jobs and
  // its wall time from the epoch's start to fit's return. Epoch callbacks keep fit's arrays in
  // kernel memory.
  const timing = {
    onEpochBegin(epoch) {
      if (epoch < warmEpochs) return;
      t0 = last = performance.now();
      pooledMs = 0;
      perKernel.clear();
      steps.length = 0;
    },
    onEpochEnd(epoch) { if (epoch === 0) firstEpoch = (performance.now() - start) / 1000; },
  };
  const h = await nn.fit(model, x, y, { loss: "crossEntropy", optimizer, epochs: 1 + warmEpochs, batchSize: 64, seed: 1, callbacks: [timing] });
  const seconds = (performance.now() - t0) / 1000, pooled = pooledMs / 1000;
  const kernelsTimed = new Map(perKernel);
  const host = threads > 1 ? hostSplit() : null;
  const sharing = threads > 1 ? await crossCore() : null;
  const batchesRun = steps.length;
  return { seconds, firstEpoch, pooled, host, sharing, loss: h.history.loss.at(-1), weights: model.parameters().map((p) => p.data), perKernel: kernelsTimed,
           batches: batchesRun, medianStep: median(steps), p90Step: quantile(steps, 0.9) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];

/**
 * What the host gives the pool's threads now: the 512³ f32 GEMM kernel split over the active pool
 * (splitGemm's tiles, as the op would run it) against the whole call on the calling thread, on
 * operands already in wasm memory (fresh pages past the arena's), five alternated pairs of four
 * calls each, the ratio of the medians. No copies and no op around the kernel: this is the
 * ceiling a training run's split jobs could reach at that moment.
 */
function hostSplit() {
  const pool = activeThreadPool(), k = activeKernelExports();
  const { calls: [call], work } = gemmsInMemory(k, 512, 1, pool.threads);
  const whole = gemmArgs(call, work[0]), parts = splitGemm(call, pool.threads).map((p, t) => gemmArgs(p, work[t]));
  const time = (f) => { const t0 = performance.now(); for (let i = 0; i < 4; i++) f(); return performance.now() - t0; };
  const one = [], many = [];
  for (let r = 0; r < 5; r++) {
    one.push(time(() => k.f32_gemm_batch(...whole)));
    many.push(time(() => pool.run(k, "f32_gemm_batch", parts)));
  }
  return median(one) / median(many);
}

async function compare(name, makeModel, data, batches, warmEpochs = 0) {
  const one = [], many = [];
  for (let r = 0; r < ROUNDS; r++) {
    one.push(await train(1, makeModel, data, batches, warmEpochs));
    many.push(await train(THREADS, makeModel, data, batches, warmEpochs));
    console.log(`${name} round ${r + 1}: 1 thread ${one.at(-1).seconds.toFixed(2)} s, ${THREADS} threads ` +
      `${many.at(-1).seconds.toFixed(2)} s, ratio ${(many.at(-1).seconds / one.at(-1).seconds).toFixed(2)}; ` +
      `the host's ${THREADS}-thread GEMM kernel just after: ${many.at(-1).host.toFixed(2)}× (load ${loadavg()[0].toFixed(2)})`);
    const o = one.at(-1), n = many.at(-1);
    console.log(`  steps: median ${o.medianStep.toFixed(3)} / ${n.medianStep.toFixed(3)} ms (ratio ${(n.medianStep / o.medianStep).toFixed(2)}), ` +
      `90th percentile ${o.p90Step.toFixed(3)} / ${n.p90Step.toFixed(3)} ms, the epoch per batch ${(1000 * o.seconds / o.batches).toFixed(3)} / ` +
      `${(1000 * n.seconds / n.batches).toFixed(3)} ms; ${crossCoreText(n.sharing)}`);
    if (warmEpochs > 0) {
      console.log(`  timed: epoch ${warmEpochs + 1} of the fit; its first epoch took ${o.firstEpoch.toFixed(2)} / ` +
        `${n.firstEpoch.toFixed(2)} s (ratio ${(n.firstEpoch / o.firstEpoch).toFixed(2)})`);
    }
  }
  const same = one[0].weights.every((w, i) => w.every((v, j) => Object.is(v, many[0].weights[i][j])));
  const best = (runs) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const b1 = best(one), bn = best(many);
  // Each round's pair ran minutes apart on the same machine: their ratios, and the median of
  // them, say more on a noisy machine than the best of each side taken from different rounds.
  const pairs = one.map((o, r) => many[r].seconds / o.seconds);
  const sorted = [...pairs].sort((a, b) => a - b), mid = sorted.length >> 1;
  const medianRatio = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  console.log(`${name}: ratio per round ${pairs.map((x) => x.toFixed(2)).join(", ")}; median ${medianRatio.toFixed(3)}; ` +
    `the host's GEMM kernel on ${THREADS} threads after each: ${many.map((m) => m.host.toFixed(2) + "×").join(", ")}`);
  // The N-thread run's time outside jobs ran on one thread; inside jobs, the split work.
  const serial = bn.seconds - bn.pooled, bound = (serial + (b1.seconds - serial) / THREADS) / b1.seconds;
  console.log(`${name}, Node ${process.versions.node}, ${eg.backendInfo().backend}: 1 thread ${b1.seconds.toFixed(2)} s, ` +
    `${THREADS} threads ${bn.seconds.toFixed(2)} s, ratio ${(bn.seconds / b1.seconds).toFixed(2)} (target ≤ 0.6); ` +
    `loss ${one[0].loss.toFixed(4)} / ${many[0].loss.toFixed(4)}; final weights ${same ? "bit-identical" : "DIFFER"}`);
  console.log(`  ${THREADS} threads: ${bn.pooled.toFixed(2)} s inside split jobs, ${serial.toFixed(2)} s on the calling thread alone ` +
    `(${(100 * serial / b1.seconds).toFixed(0)}% of the 1-thread time): best ratio with this split ${bound.toFixed(2)}`);
  if (args["per-kernel"]) {
    console.log(`  per kernel, that ${THREADS}-thread run, ms per batch: the jobs, the parts the calling thread ran and their time, its wait for the workers`);
    for (const [name, k] of [...bn.perKernel].sort((x, y) => y[1].ms - x[1].ms)) {
      const per = (v) => (v / bn.batches).toFixed(3);
      console.log(`    ${name.padEnd(32)} ${(k.jobs / bn.batches).toFixed(1)} jobs of ${(k.parts / k.jobs).toFixed(1)} parts: ${per(k.ms)} ms; ` +
        `the caller ran ${(k.ownParts / k.jobs).toFixed(1)} parts a job in ${per(k.ownMs)} ms, waited ${per(k.ms - k.ownMs)} ms`);
    }
  }
}

/**
 * The CNN's second convolution forward (batch 64, 32→64 channels, 14×14, 3×3): process CPU time
 * per call on one thread whole and as 4 parts of 16 images, and summed over both threads of a
 * 2-thread call — whether the split adds work, whatever the wall clock says on a busy machine.
 */
async function convCpu() {
  const { convKernels } = await import(join(root, "slim", "backend", "index.js"));
  const geo = (batch) => ({ batch, inChannels: 32, inH: 14, inW: 14, outChannels: 64, outH: 14, outW: 14, kernelH: 3, kernelW: 3,
    strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1, groups: 1 });
  const x = Float32Array.from({ length: 64 * 32 * 196 }, Math.random), w = Float32Array.from({ length: 64 * 288 }, Math.random);
  const per = (f, n = 20) => {
    for (let i = 0; i < 3; i++) f();
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    const c = process.cpuUsage(c0);
    return { cpu: (c.user + c.system) / n / 1000, wall: (performance.now() - t0) / n };
  };
  await eg.init({ module, threads: 1 });
  const whole = per(() => convKernels().conv2d(x, w, null, geo(64)));
  const parts = per(() => { for (let p = 0; p < 4; p++) convKernels().conv2d(x.subarray(p * 16 * 32 * 196), w, null, geo(16)); });
  await eg.init({ module, threads: THREADS });
  const many = per(() => convKernels().conv2d(x, w, null, geo(64)));
  console.log(`conv 32→64 14×14 batch 64, ms per call: 1 thread CPU ${whole.cpu.toFixed(2)} (wall ${whole.wall.toFixed(2)}), ` +
    `as 4 parts ${parts.cpu.toFixed(2)}; ${THREADS} threads CPU of all threads ${many.cpu.toFixed(2)} (wall ${many.wall.toFixed(2)}) ` +
    `(load ${loadavg()[0].toFixed(2)})`);
}

console.log(`load average at start ${loadavg().map((l) => l.toFixed(2)).join(", ")}; Node flags: ${process.execArgv.join(" ") || "none"}`);
await convCpu();
if (!args["skip-mlp"]) {
  const { train: data } = await eg.data.loadFashionMnist(DIR);
  await compare(MLP_WARM > 0 ? `Fashion-MNIST MLP epoch (after ${MLP_WARM} in the same fit)` : "Fashion-MNIST MLP epoch", mlp, data, Infinity, MLP_WARM);
}
if (!args["skip-cnn"] && CNN_BATCHES > 0) {
  const { train: data } = await eg.data.loadFashionMnist(DIR, { layout: "nchw" });
  await compare(`Fashion-MNIST CNN, ${CNN_BATCHES} batches`, cnn, data, CNN_BATCHES);
}
await eg.init({ module, threads: 1 });
