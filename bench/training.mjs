// Training bench: MLP 784-256-128-10 (ReLU), Adam lr 1e-3, batch 64 on Fashion-MNIST —
// edgegrad vs @tensorflow/tfjs-layers on tfjs-backend-wasm, same model, batch and optimizer.
// Each library trains in its own child process so peak RSS is its own. Reports seconds per
// epoch, test accuracy, peak RSS and heap / wasm memory after every epoch (flat after epoch 1 is
// the goal; reported, not asserted).
//
//   npm run build && node bench/training.mjs [--epochs=10] [--tfjs-epochs=2] [--relaxed] [--skip-tfjs] [--threads=2]
// --threads=N adds a run of edgegrad on N threads (init({ threads: N })), compared with tfjs too.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIR = process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";
const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? true]; }));
const BATCH = 64, LR = 1e-3;

const mb = (bytes) => bytes / 2 ** 20;
/** CPU seconds of this process (user + system): less sensitive than wall time to other load on the machine. */
const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const snapshot = (extra = {}) => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { heapMB: mb(m.heapUsed), externalMB: mb(m.external + m.arrayBuffers), rssMB: mb(m.rss), ...extra };
};

async function childEdgegrad(epochs) {
  const eg = await import("../dist/index.js");
  const threads = Number(args.threads ?? 1);
  const info = await eg.init(threads > 1 ? { threads } : {});
  if (info.threads !== threads) throw new Error(`asked for ${threads} threads, got ${info.threads}: ${info.threadsReason}`);
  const { train, test } = await eg.data.loadFashionMnist(DIR);
  const { nn, optim } = eg;
  const model = new nn.Sequential(new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(),
    new nn.Linear(256, 128, { seed: 2 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 3 }));
  const opt = new optim.Adam(model.parameters(), { lr: LR });
  const per = [];
  let t0 = 0, c0 = 0;
  await nn.fit(model, train.x, train.y, {
    loss: "crossEntropy", optimizer: opt, epochs, batchSize: BATCH, shuffle: true, seed: 1, metrics: ["accuracy"],
    callbacks: [{
      onEpochBegin() { t0 = performance.now(); c0 = cpuSeconds(); },
      onEpochEnd(epoch, logs) {
        const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
        const acc = nn.evaluate(model, test.x, test.y).accuracy;
        const s = snapshot({ epoch: epoch + 1, seconds, cpu, loss: logs.loss, testAccuracy: acc, wasmMB: mb(eg.backendInfo().wasmMemoryBytes) });
        per.push(s);
        console.error(`  edgegrad epoch ${s.epoch}: ${seconds.toFixed(2)} s (cpu ${cpu.toFixed(2)} s), loss ${logs.loss.toFixed(4)}, test acc ${acc.toFixed(4)}, heap ${s.heapMB.toFixed(1)} MB, wasm ${s.wasmMB.toFixed(1)} MB`);
      },
    }],
  });
  return { library: "edgegrad", backend: eg.backendInfo().backend, per };
}

async function childTfjs(epochs) {
  const eg = await import("../dist/index.js");
  const { train, test } = await eg.data.loadFashionMnist(DIR);
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-wasm");
  const tfl = await import("@tensorflow/tfjs-layers");
  await tf.setBackend("wasm");
  await tf.ready();
  const toTf = (t) => (t.dtype === "int32" ? tf.tensor1d(t.data, "int32").cast("float32") : tf.tensor2d(t.data, t.shape));
  const xTrain = toTf(train.x), yTrain = toTf(train.y), xTest = toTf(test.x), yTest = toTf(test.y);
  const model = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [784], units: 256, activation: "relu" }),
    tfl.layers.dense({ units: 128, activation: "relu" }),
    tfl.layers.dense({ units: 10, activation: "softmax" }),
  ] });
  model.compile({ optimizer: tf.train.adam(LR), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const per = [];
  let t0 = 0, c0 = 0;
  await model.fit(xTrain, yTrain, { epochs, batchSize: BATCH, shuffle: true, verbose: 0, callbacks: {
    onEpochBegin: async () => { t0 = performance.now(); c0 = cpuSeconds(); },
    onEpochEnd: async (epoch, logs) => {
      const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
      const [, accT] = model.evaluate(xTest, yTest, { batchSize: 256 });
      const acc = (await accT.data())[0];
      const s = snapshot({ epoch: epoch + 1, seconds, cpu, loss: logs.loss, testAccuracy: acc, wasmMB: mb(tf.memory().numBytes) });
      per.push(s);
      console.error(`  tfjs epoch ${s.epoch}: ${seconds.toFixed(2)} s (cpu ${cpu.toFixed(2)} s), loss ${logs.loss.toFixed(4)}, test acc ${acc.toFixed(4)}, heap ${s.heapMB.toFixed(1)} MB, tf bytes ${s.wasmMB.toFixed(1)} MB`);
    },
  } });
  return { library: "tfjs-layers 4.22.0 (tfjs-backend-wasm)", backend: tf.getBackend() + (tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "-simd" : ""), per };
}

function runChild(kind, epochs, flags = [], threads = 1) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...flags, "--expose-gc", fileURLToPath(import.meta.url), `--child=${kind}`, `--epochs=${epochs}`, `--threads=${threads}`],
      { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (code !== 0 || !line) reject(new Error(`${kind} child exited with ${code}`));
      else resolve(JSON.parse(line.slice(7)));
    });
  });
}

if (args.child) {
  const epochs = Number(args.epochs);
  const r = args.child === "edgegrad" ? await childEdgegrad(epochs) : await childTfjs(epochs);
  r.peakRssMB = process.resourceUsage().maxRSS / 1024;
  console.log("RESULT " + JSON.stringify(r));
  process.exit(0);
}

const epochs = Number(args.epochs ?? 10), tfjsEpochs = Number(args["tfjs-epochs"] ?? 2);
const threads = Number(args.threads ?? 1);
if (!Number.isInteger(threads) || threads < 1) throw new Error(`--threads must be an integer ≥ 1, got ${args.threads}`);
const runs = [];
console.error(`Fashion-MNIST MLP 784-256-128-10, Adam ${LR}, batch ${BATCH} (Node ${process.version})`);
runs.push(await runChild("edgegrad", epochs));
if (args.relaxed) runs.push({ ...(await runChild("edgegrad", Math.min(epochs, 3), ["--experimental-wasm-relaxed-simd"])), note: "relaxed SIMD flag" });
if (threads > 1) runs.push({ ...(await runChild("edgegrad", epochs, [], threads)), note: `${threads} threads` });
if (!args["skip-tfjs"]) runs.push(await runChild("tfjs", tfjsEpochs));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
/** Steady state: epochs after the first (JIT and wasm tier-up happen in epoch 1), or epoch 1 alone. */
const steady = (xs) => (xs.length > 1 ? xs.slice(1) : xs);
const rows = runs.map((r) => {
  const secs = r.per.map((e) => e.seconds), cpus = r.per.map((e) => e.cpu);
  const first = r.per[0], last = r.per[r.per.length - 1];
  return {
    library: r.library, note: r.note, backend: r.backend, epochs: r.per.length,
    epoch1s: secs[0], medianEpochS: median(steady(secs)), medianCpuS: median(steady(cpus)), finalTestAcc: last.testAccuracy,
    bestTestAcc: Math.max(...r.per.map((e) => e.testAccuracy)),
    peakRssMB: r.peakRssMB, heapMB: `${first.heapMB.toFixed(1)} → ${last.heapMB.toFixed(1)}`,
    wasmMB: `${first.wasmMB.toFixed(1)} → ${last.wasmMB.toFixed(1)}`,
  };
});
const tfRow = rows.find((r) => r.library.startsWith("tfjs"));
console.log("\n| library | backend | epochs | epoch 1 wall (s) | median epoch 2+ wall (s) | median epoch 2+ cpu (s) | test acc last / best | peak RSS (MB) | heap after e1 → last (MB) | wasm / tensor MB e1 → last |");
console.log("|---|---|---|---|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.library}${r.note ? ` (${r.note})` : ""} | ${r.backend} | ${r.epochs} | ${r.epoch1s.toFixed(2)} | ${r.medianEpochS.toFixed(2)} | ${r.medianCpuS.toFixed(2)} | ${r.finalTestAcc.toFixed(4)} / ${r.bestTestAcc.toFixed(4)} | ${r.peakRssMB.toFixed(0)} | ${r.heapMB} | ${r.wasmMB} |`);
if (tfRow) {
  const x = (a, b) => `${(a / b).toFixed(2)}x`;
  for (const r of rows.filter((r) => r.library === "edgegrad")) {
    console.log(`\nedgegrad${r.note ? ` (${r.note})` : ""} vs tfjs per epoch: steady wall ${x(tfRow.medianEpochS, r.medianEpochS)}, steady cpu ${x(tfRow.medianCpuS, r.medianCpuS)},` +
      ` epoch 1 wall ${x(tfRow.epoch1s, r.epoch1s)}; peak RSS ${r.peakRssMB.toFixed(0)} MB vs ${tfRow.peakRssMB.toFixed(0)} MB`);
  }
}
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/training.json", import.meta.url), JSON.stringify({ date: new Date().toISOString(), node: process.version, runs, rows }, null, 2));
