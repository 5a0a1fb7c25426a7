// CNN training bench: Conv2d(1,32,3,p=1)+ReLU → MaxPool2d(2) → Conv2d(32,64,3,p=1)+ReLU →
// MaxPool2d(2) → Flatten → Linear(3136,128)+ReLU → Linear(128,10), Adam 1e-3, batch 64,
// Fashion-MNIST (938 batches an epoch, ≈ 1.53 TFLOP). edgegrad trains whole epochs with nn.fit
// (or a fixed number of batches with --batches) and reports wall time, test accuracy and peak RSS
// per epoch. The peers train a fixed number of batches after a warm-up, and their epoch time is
// extrapolated (938 × the median batch), labelled as such:
//   - jax-js (wasm, one thread in Node 20, which has no global Worker): the same CNN in NHWC,
//     each convolution written as im2col (nine shifted slices of the padded input) + matmul,
//     gradients by valueAndGrad, Adam written with its array ops (its optimizers are a separate
//     package). Two forms: the whole train step under one jit, and im2col, each matmul and
//     Adam jitted apart (so that the patches are materialized before the matmul reads them);
//   - tfjs-layers on tfjs-backend-cpu (tf.sequential, trainOnBatch);
//   - tfjs-layers on tfjs-backend-wasm, which cannot train a conv net: the error is recorded, not
//     a figure.
// Each library runs in its own child process, so its memory and its warm-up are its own.
//
//   npm run build && node bench/cnn-epoch.mjs [--epochs N] [--batches N] [--peers-only]
//     [--jax-batches N] [--tfjs-batches N] [--skip-jax] [--skip-tfjs-cpu] [--skip-tfjs-wasm]
// --epochs: edgegrad epochs (default 1); --batches: edgegrad trains only N batches instead;
// --jax-batches (default 15) and --tfjs-batches (default 2, ≈ 30 s each) are timed after
// --warmup (default 2 for jax-js, 1 for tfjs) batches. FASHION_MNIST_DIR overrides the data dir.
// A child alone: --child=edgegrad|jax|jax-pieces|tfjs-cpu|tfjs-wasm (prints a RESULT line).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fashionCnn } from "./cnn-model.mjs";

const DIR = process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";
const BATCH = 64, LR = 1e-3, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
const EPOCH_BATCHES = Math.ceil(60000 / BATCH);
// Multiply-adds ×2 of one sample's forward pass; training is ≈ 3× (forward, dX, dW).
const FORWARD_FLOP = 2 * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 288 + 3136 * 128 + 128 * 10);
const TRAIN_FLOP_PER_BATCH = 3 * FORWARD_FLOP * BATCH;

/** `--key value`, `--key=value` or a bare `--flag`. */
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith("--")) continue;
    const [k, v] = argv[i].slice(2).split("=");
    if (v !== undefined) out[k] = v;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out[k] = argv[++i];
    else out[k] = true;
  }
  return out;
}
const args = parseArgs(process.argv.slice(2));
const int = (key, fallback) => {
  const v = args[key] === undefined ? fallback : Number(args[key]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${key} must be a non-negative integer, got ${args[key]}`);
  return v;
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
const mb = (bytes) => bytes / 2 ** 20;

/** The training set as flat float32 [n, 784] in [0, 1], and the batches every peer trains on. */
async function peerData() {
  const eg = await import("../dist/index.js");
  const { train } = await eg.data.loadFashionMnist(DIR);
  const order = Int32Array.from({ length: train.y.shape[0] }, (_, i) => i);
  new eg.Rng(1).shuffle(order);
  const batch = (b) => {
    const x = new Float32Array(BATCH * 784), y = new Int32Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const r = order[(b * BATCH + i) % order.length];
      x.set(train.x.data.subarray(r * 784, (r + 1) * 784), i * 784);
      y[i] = train.y.data[r];
    }
    return { x, y };
  };
  return { batch };
}

/** Uniform(−1/√fanIn, 1/√fanIn), PyTorch's default for both layer kinds, from a seeded stream. */
function uniformInit(n, fanIn, seed) {
  let s = seed >>> 0;
  const bound = 1 / Math.sqrt(fanIn);
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (2 * (s / 2 ** 32) - 1) * bound;
  });
}

/** Times `step(b)` for warmup + n batches; seconds of each timed batch. */
async function timeBatches(step, warmup, n, label) {
  const secs = [];
  for (let b = 0; b < warmup + n; b++) {
    const t0 = performance.now();
    const loss = await step(b);
    const s = (performance.now() - t0) / 1000;
    if (b >= warmup) secs.push(s);
    console.error(`  ${label} batch ${b + 1}${b < warmup ? " (warm-up)" : ""}: ${s.toFixed(3)} s, loss ${loss.toFixed(4)}`);
  }
  return secs;
}

async function childJax(variant) {
  const { batch } = await peerData();
  const jax = await import("@jax-js/jax");
  const { numpy: np, nn: jnn, jit, valueAndGrad } = jax;
  await jax.init("wasm");
  jax.defaultDevice("wasm");

  // NHWC: x [B, H, W, C] → patches [B·H·W, 9·C] in (dy, dx, c) order, matching w [9·C, O].
  const im2col = (x) => {
    const [B, H, W, C] = x.shape;
    const xp = np.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const shifted = [];
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) shifted.push(xp.ref.slice([], [dy, dy + H], [dx, dx + W], []));
    xp.dispose();
    return np.concatenate(shifted, 3).reshape([B * H * W, 9 * C]);
  };
  const affine = (a, w, b) => np.matmul(a, w).add(b);
  const pieces = variant === "pieces";
  const im2colStep = pieces ? jit(im2col) : im2col, affineStep = pieces ? jit(affine) : affine;
  const conv3x3 = (x, w, b) => {
    const [B, H, W] = x.shape, O = w.shape[1];
    return affineStep(im2colStep(x), w, b).reshape([B, H, W, O]);
  };
  const pool2 = (x) => {
    const [B, H, W, C] = x.shape;
    return x.reshape([B, H / 2, 2, W / 2, 2, C]).max([2, 4]);
  };
  const forward = (p, x) => {
    let h = pool2(jnn.relu(conv3x3(x, p.c1w, p.c1b)));
    h = pool2(jnn.relu(conv3x3(h, p.c2w, p.c2b)));
    h = jnn.relu(affineStep(h.reshape([h.shape[0], 3136]), p.f1w, p.f1b));
    return affineStep(h, p.f2w, p.f2b);
  };
  const lossFn = (p, x, yOneHot) => jnn.logSoftmax(forward(p, x), -1).mul(yOneHot).sum().mul(-1 / BATCH);

  const names = ["c1w", "c1b", "c2w", "c2b", "f1w", "f1b", "f2w", "f2b"];
  const shapes = { c1w: [9, 32], c1b: [32], c2w: [288, 64], c2b: [64], f1w: [3136, 128], f1b: [128], f2w: [128, 10], f2b: [10] };
  const fanIn = { c1w: 9, c1b: 9, c2w: 288, c2b: 288, f1w: 3136, f1b: 3136, f2w: 128, f2b: 128 };
  const tree = (make) => Object.fromEntries(names.map((k, i) => [k, make(k, i)]));
  let params = tree((k, i) => np.array(uniformInit(shapes[k].reduce((a, b) => a * b, 1), fanIn[k], i + 1)).reshape(shapes[k]));
  let m = tree((k) => np.zeros(shapes[k]));
  let v = tree((k) => np.zeros(shapes[k]));

  // One jitted step: loss and gradients, then Adam (PyTorch's form; the bias corrections come in
  // as `scale` = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) and `epsHat` = ε·√(1−β₂ᵗ), so the step shape never changes).
  const adam = (p, mState, vState, g, scale, epsHat) => {
    const np2 = {}, nm = {}, nv = {};
    for (const k of names) {
      nm[k] = mState[k].mul(BETA1).add(g[k].ref.mul(1 - BETA1));
      nv[k] = vState[k].mul(BETA2).add(g[k].ref.mul(g[k]).mul(1 - BETA2));
      np2[k] = p[k].sub(nm[k].ref.mul(scale.ref).div(np.sqrt(nv[k].ref).add(epsHat.ref)));
    }
    scale.dispose();
    epsHat.dispose();
    return [np2, nm, nv];
  };
  // "whole": one jit over loss, gradients and Adam. "pieces": im2col and each matmul jitted on
  // their own (jit fuses the patch gather into the matmul's loads otherwise, which is slower
  // than a matmul on materialized patches), the rest eager, Adam one jit.
  const wholeStep = jit((p, mState, vState, x, y, scale, epsHat) => {
    // valueAndGrad takes ownership of its arguments: it gets its own references to the weights.
    const [loss, g] = valueAndGrad(lossFn)(tree((k) => p[k].ref), x, y);
    return [...adam(p, mState, vState, g, scale, epsHat), loss];
  });
  const adamJit = jit(adam);
  const step = variant === "whole" ? wholeStep : (p, mState, vState, x, y, scale, epsHat) => {
    const [loss, g] = valueAndGrad(lossFn)(tree((k) => p[k].ref), x, y);
    return [...adamJit(p, mState, vState, g, scale, epsHat), loss];
  };

  const secs = await timeBatches(async (b) => {
    const { x, y } = batch(b);
    const oneHot = new Float32Array(BATCH * 10);
    for (let i = 0; i < BATCH; i++) oneHot[i * 10 + y[i]] = 1;
    const t = b + 1, c2 = Math.sqrt(1 - BETA2 ** t);
    const out = step(params, m, v, np.array(x).reshape([BATCH, 28, 28, 1]), np.array(oneHot).reshape([BATCH, 10]),
      np.array(new Float32Array([(LR * c2) / (1 - BETA1 ** t)])), np.array(new Float32Array([EPS * c2])));
    [params, m, v] = out;
    // jax-js runs lazily: wait for the updated weights too, not only the loss.
    await jax.blockUntilReady([params, m, v]);
    return (await out[3].data())[0];
  }, int("warmup", 2), int("jax-batches", 15), "jax-js");
  const how = variant === "whole" ? "the whole step under one jit" : "im2col, matmuls and Adam jitted apart";
  return { library: `jax-js 0.1.25 (wasm; im2col + matmul; ${how})`, secs };
}

/** The CNN in tfjs-layers (NHWC, the channels-last default), compiled with Adam. */
function tfjsModel(tf, tfl) {
  const model = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: "same", activation: "relu" }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" }),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: 128, activation: "relu" }),
    tfl.layers.dense({ units: 10, activation: "softmax" }),
  ] });
  model.compile({ optimizer: tf.train.adam(LR), loss: "sparseCategoricalCrossentropy" });
  return model;
}

async function childTfjs(backend) {
  const { batch } = await peerData();
  const tf = await import("@tensorflow/tfjs-core");
  await import(backend === "wasm" ? "@tensorflow/tfjs-backend-wasm" : "@tensorflow/tfjs-backend-cpu");
  const tfl = await import("@tensorflow/tfjs-layers");
  await tf.setBackend(backend);
  await tf.ready();
  const model = tfjsModel(tf, tfl);
  const library = `tfjs-layers 4.22.0 (tfjs-backend-${backend})`;
  const trainOn = async (b) => {
    const { x, y } = batch(b);
    const xs = tf.tensor4d(x, [BATCH, 28, 28, 1]), ys = tf.tensor1d(Float32Array.from(y));
    try {
      const loss = await model.trainOnBatch(xs, ys);
      return Array.isArray(loss) ? loss[0] : loss;
    } finally {
      xs.dispose();
      ys.dispose();
    }
  };
  if (backend === "wasm") {
    try {
      await trainOn(0);
    } catch (e) {
      return { library, failed: e.message };
    }
  }
  const secs = await timeBatches(trainOn, int("warmup", 1), int("tfjs-batches", 2), library);
  return { library, secs };
}

async function childEdgegrad() {
  const eg = await import("../dist/index.js");
  await eg.init();
  const { nn, optim } = eg;
  const { train, test } = await eg.data.loadFashionMnist(DIR, { layout: "nchw" });
  const model = fashionCnn(nn);
  const optimizer = new optim.Adam(model.parameters(), { lr: LR });
  const limit = args.batches === undefined ? Infinity : int("batches", 0);
  const epochs = limit === Infinity ? int("epochs", 1) : 1;
  const per = [], batchSecs = [];
  let t0 = 0, tBatch = 0, peakRss = 0, batches = 0;
  await nn.fit(model, train.x, train.y, {
    loss: "crossEntropy", optimizer, epochs, batchSize: BATCH, shuffle: true, seed: 1,
    callbacks: [{
      onEpochBegin() { t0 = tBatch = performance.now(); peakRss = 0; },
      onBatchEnd(b, logs, ctx) {
        const now = performance.now();
        batchSecs.push({ epoch: per.length, batch: b, s: (now - tBatch) / 1000 });
        tBatch = now;
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (++batches >= limit) ctx.stopTraining = true;
        if (b % 100 === 0) console.error(`  edgegrad epoch ${per.length + 1} batch ${b + 1}: loss ${logs.loss.toFixed(4)}`);
      },
      onEpochEnd(epoch, logs) {
        const seconds = (performance.now() - t0) / 1000;
        const testAccuracy = nn.evaluate(model, test.x, test.y).accuracy;
        const ran = batchSecs.filter((r) => r.epoch === epoch).length;
        per.push({ epoch: epoch + 1, batches: ran, seconds, loss: logs.loss, testAccuracy, peakRssMB: mb(peakRss) });
        console.error(`  edgegrad epoch ${epoch + 1}: ${ran} batches in ${seconds.toFixed(2)} s, loss ${logs.loss.toFixed(4)}, test acc ${testAccuracy.toFixed(4)}, peak RSS ${mb(peakRss).toFixed(0)} MB`);
      },
    }],
  });
  // The first batch of the run carries the kernels' first compile and tier-up: not in the median.
  const secs = batchSecs.slice(1).map((r) => r.s);
  return { library: `edgegrad (${eg.backendInfo().backend})`, secs, per, edgegrad: true };
}

function runChild(kind) {
  return new Promise((resolve) => {
    const passed = process.argv.slice(2).filter((a) => a !== "--peers-only");
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), ...passed, `--child=${kind}`], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      resolve(line ? JSON.parse(line.slice(7)) : { library: kind, failed: `child exited with code ${code}` });
    });
  });
}

if (args.child) {
  const children = { edgegrad: childEdgegrad, jax: () => childJax("whole"), "jax-pieces": () => childJax("pieces"), "tfjs-cpu": () => childTfjs("cpu"), "tfjs-wasm": () => childTfjs("wasm") };
  const r = await children[args.child]();
  r.peakRssMB = process.resourceUsage().maxRSS / 1024;
  console.log("RESULT " + JSON.stringify(r));
  process.exit(0);
}

console.error(`Fashion-MNIST CNN, Adam ${LR}, batch ${BATCH}, ${EPOCH_BATCHES} batches an epoch, ${(TRAIN_FLOP_PER_BATCH / 1e9).toFixed(2)} GFLOP a batch (Node ${process.version})`);
const runs = [];
if (!args["peers-only"]) runs.push(await runChild("edgegrad"));
if (!args["skip-jax"]) runs.push(await runChild("jax"), await runChild("jax-pieces"));
if (!args["skip-tfjs-cpu"]) runs.push(await runChild("tfjs-cpu"));
if (!args["skip-tfjs-wasm"]) runs.push(await runChild("tfjs-wasm"));

/** Seconds an epoch: measured when whole epochs ran, otherwise 938 × the median batch. */
function epochFigure(r) {
  const whole = r.per?.filter((e) => e.batches === EPOCH_BATCHES) ?? [];
  if (whole.length > 0) return { s: median(whole.map((e) => e.seconds)), how: `measured, median of ${whole.length} epoch${whole.length > 1 ? "s" : ""}` };
  return { s: EPOCH_BATCHES * median(r.secs), how: `extrapolated: ${EPOCH_BATCHES} × median batch` };
}
const eg = runs.find((r) => r.edgegrad && !r.failed);
const egEpoch = eg ? epochFigure(eg).s : null;
// GFLOP/s counts the direct convolution's flops (1.63 GFLOP a batch) for every library: edgegrad's
// 3×3 convolutions with enough channels run as Winograd F(2×2, 3×3), which does fewer.
console.log("\n| library | batches timed | s/batch (median) | GFLOP/s (direct-convolution count) | s/epoch | × edgegrad's epoch time | peak RSS (MB) |");
console.log("|---|---|---|---|---|---|---|");
for (const r of runs) {
  if (r.failed) {
    console.log(`| ${r.library} | — | training fails: \`${r.failed}\` | — | — | — | — |`);
    continue;
  }
  const perBatch = median(r.secs), epoch = epochFigure(r);
  const ratio = egEpoch === null ? "—" : `${(epoch.s / egEpoch).toFixed(1)}×`;
  console.log(`| ${r.library} | ${r.secs.length} | ${perBatch.toPrecision(3)} | ${(TRAIN_FLOP_PER_BATCH / perBatch / 1e9).toPrecision(3)} | ${epoch.s.toFixed(1)} (${epoch.how}) | ${ratio} | ${r.peakRssMB.toFixed(0)} |`);
}
if (eg?.per?.length) {
  console.log("\n| edgegrad epoch | batches | wall (s) | train loss | test accuracy | peak RSS (MB) |");
  console.log("|---|---|---|---|---|---|");
  for (const e of eg.per) console.log(`| ${e.epoch} | ${e.batches} | ${e.seconds.toFixed(2)} | ${e.loss.toFixed(4)} | ${e.testAccuracy.toFixed(4)} | ${e.peakRssMB.toFixed(0)} |`);
}
