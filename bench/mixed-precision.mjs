// Mixed-precision (bfloat16) training against float32, on the Fashion-MNIST MLP (784-256-128-10)
// and the CNN of bench/cnn-epoch.mjs, Adam 1e-3, batch 64, wasm SIMD, one thread:
//   1. memory held for the backward pass, measured: one batch's forward and loss are run, the
//      batch tensor is let go, and the heap (V8 heap + ArrayBuffers, after a full gc) is compared
//      with the heap once the loss and output are let go too — the difference is everything the
//      autograd graph keeps alive for backward() (saved activations, bf16 copies, graph objects).
//      Each configuration runs in its own process, which also reports its wasm memory (the scratch
//      arena's high-water: nothing in it lives from the forward to the backward);
//   2. step time in lockstep: a float32 and a bfloat16 copy of the model train on the same batches,
//      one step of each in turn (order alternating), so both see the same machine load; the
//      median of the per-pair time ratios (--lockstep N steps, default 600 MLP / 120 CNN);
//   3. training: fit() from the same initial weights and seed, float32 and bfloat16 runs
//      interleaved (ABBA order over rounds) in one process, wall time per epoch, the median batch
//      time, and test accuracy after the same epochs.
//
//   npm run build && node bench/mixed-precision.mjs [--mlp-epochs 3] [--rounds 2]
//     [--cnn-epochs 1] [--cnn-batches N] [--cnn-rounds 1] [--skip-mlp] [--skip-cnn] [--skip-train]
// --cnn-batches N trains the CNN on its first N batches per run instead of whole epochs (test
// accuracy is then of that subset's model). FASHION_MNIST_DIR overrides the data directory.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { fashionCnn } from "./cnn-model.mjs";

const DIR = process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";
const BATCH = 64;
const args = Object.fromEntries(process.argv.slice(2).filter((a) => a.startsWith("--")).map((a) => {
  const [k, v] = a.slice(2).split("=");
  return [k, v ?? true];
}));
const num = (k, d) => (args[k] === undefined ? d : Number(args[k]));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };

async function setUp(kind) {
  const eg = await import("../dist/index.js");
  await eg.init({ backend: "wasm-simd" });
  const data = await eg.data.loadFashionMnist(DIR, kind === "cnn" ? { layout: "nchw" } : {});
  const { nn } = eg;
  const model = () => (kind === "mlp"
    ? new nn.Sequential(new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(), new nn.Linear(256, 128, { seed: 2 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 3 }))
    : fashionCnn(nn));
  return { eg, data, model };
}

const heap = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

/** Child: bytes the graph of one batch keeps for backward, median of 7; `precision` fp32 | bf16. */
async function childMemory(kind, precision) {
  const { eg, data, model: make } = await setUp(kind);
  const model = make(), opt = new eg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const rowSize = data.train.x.size / data.train.x.shape[0];
  const batchOf = (b) => {
    const x = data.train.x.data.slice(b * BATCH * rowSize, (b + 1) * BATCH * rowSize);
    return { x: eg.fromTypedArray(x, [BATCH, ...data.train.x.shape.slice(1)]), y: eg.fromTypedArray(data.train.y.data.slice(b * BATCH, (b + 1) * BATCH), [BATCH]) };
  };
  const forward = (x, y) => {
    const f = () => { const out = model.forward(x); return { out, loss: eg.nn.crossEntropy(out, y) }; };
    return precision === "fp32" ? f() : eg.nn.autocast("bf16", f);
  };
  const held = [];
  // Every reference lives in `state`, so that no local variable keeps a tensor past its drop.
  const state = { batch: null, graph: null };
  for (let b = 0; b < 10; b++) {
    state.batch = batchOf(b);
    state.graph = forward(state.batch.x, state.batch.y);
    state.batch = null; // the graph alone decides whether the float32 batch stays
    const withGraph = heap();
    opt.zeroGrad();
    state.graph.loss.backward();
    opt.step();
    state.graph = null;
    const without = heap();
    if (b >= 3) held.push(withGraph - without);
  }
  return { kind, precision, heldBytes: median(held), all: held, wasmMemoryBytes: eg.backendInfo().wasmMemoryBytes };
}

/** Child: fit from the same start, fp32 and bf16 interleaved; epochs wall, median batch, test accuracy. */
async function childTrain(kind) {
  const { eg, data, model: make } = await setUp(kind);
  const epochs = kind === "mlp" ? num("mlp-epochs", 3) : num("cnn-epochs", 1);
  const rounds = kind === "mlp" ? num("rounds", 2) : num("cnn-rounds", 1);
  const limit = kind === "cnn" && args["cnn-batches"] !== undefined ? num("cnn-batches", 0) : Infinity;
  const runOnce = async (precision) => {
    const model = make(), optimizer = new eg.optim.Adam(model.parameters(), { lr: 1e-3 });
    const batchMs = [];
    let t = 0, n = 0;
    const t0 = performance.now();
    await eg.nn.fit(model, data.train.x, data.train.y, {
      loss: "crossEntropy", optimizer, epochs, batchSize: BATCH, seed: 1, precision,
      callbacks: [{ onEpochBegin() { t = performance.now(); }, onBatchEnd(b, logs, ctx) {
        const now = performance.now(); batchMs.push(now - t); t = now;
        if (++n >= limit) ctx.stopTraining = true;
      } }],
    });
    const seconds = (performance.now() - t0) / 1000;
    const accuracy = eg.nn.evaluate(model, data.test.x, data.test.y).accuracy;
    console.error(`  ${kind} ${precision}: ${n} batches in ${seconds.toFixed(1)} s, median batch ${median(batchMs.slice(1)).toFixed(2)} ms, test accuracy ${accuracy.toFixed(4)}`);
    return { precision, seconds, batches: n, medianBatchMs: median(batchMs.slice(1)), accuracy };
  };
  // Both paths compiled and tiered up before anything is timed.
  const warm = async (precision) => {
    const model = make();
    await eg.nn.fit(model, data.train.x, data.train.y, { loss: "crossEntropy", optimizer: "adam", epochs: 1, batchSize: BATCH, seed: 1, precision,
      callbacks: [{ onBatchEnd(b, l, ctx) { if (b >= 20) ctx.stopTraining = true; } }] });
  };
  await warm("fp32"); await warm("bf16");
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    for (const p of r % 2 === 0 ? ["fp32", "bf16"] : ["bf16", "fp32"]) runs.push(await runOnce(p));
  }
  return { kind, epochs, limit: Number.isFinite(limit) ? limit : null, runs };
}

/**
 * Child: float32 and bfloat16 training steps in lockstep (one model each, same start), the order
 * within each pair alternating, so that both see the same machine load; per-step times paired.
 */
async function childLockstep(kind) {
  const { eg, data, model: make } = await setUp(kind);
  const steps = num("lockstep", kind === "mlp" ? 600 : 120);
  const rowSize = data.train.x.size / data.train.x.shape[0], n = data.train.x.shape[0];
  const batchOf = (b) => {
    const s = (b * BATCH) % (n - BATCH);
    return { x: eg.fromTypedArray(data.train.x.data.slice(s * rowSize, (s + BATCH) * rowSize), [BATCH, ...data.train.x.shape.slice(1)]),
      y: eg.fromTypedArray(data.train.y.data.slice(s, s + BATCH), [BATCH]) };
  };
  const trainers = ["fp32", "bf16"].map((precision) => {
    const model = make(), opt = new eg.optim.Adam(model.parameters(), { lr: 1e-3 });
    const f = (x, y) => () => eg.nn.crossEntropy(model.forward(x), y);
    return (x, y) => {
      const t0 = performance.now();
      const loss = precision === "fp32" ? f(x, y)() : eg.nn.autocast("bf16", f(x, y));
      opt.zeroGrad(); loss.backward(); opt.step();
      return performance.now() - t0;
    };
  });
  const ms = [[], []];
  for (let b = 0; b < steps + 10; b++) {
    const { x, y } = batchOf(b);
    for (const i of b % 2 === 0 ? [0, 1] : [1, 0]) { const t = trainers[i](x, y); if (b >= 10) ms[i].push(t); }
  }
  const ratios = ms[0].map((t, i) => ms[1][i] / t);
  return { kind, steps, fp32: median(ms[0]), bf16: median(ms[1]), pairedRatio: median(ratios) };
}

function child(argsList) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), ...argsList], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      resolve(line ? JSON.parse(line.slice(7)) : { failed: `child ${argsList.join(" ")} exited with ${code}` });
    });
  });
}

if (args.child) {
  const r = args.child === "memory" ? await childMemory(args.kind, args.precision)
    : args.child === "lockstep" ? await childLockstep(args.kind) : await childTrain(args.kind);
  console.log("RESULT " + JSON.stringify(r));
  process.exit(0);
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(", ");
console.log(`Node ${process.version}, load average at start: ${load()}`);
const kinds = ["mlp", "cnn"].filter((k) => !args[`skip-${k}`]);
const kb = (b) => (b / 1024).toFixed(1);
for (const kind of kinds) {
  const mem = {};
  for (const precision of ["fp32", "bf16", "fp32", "bf16"]) {
    const r = await child(["--child=memory", `--kind=${kind}`, `--precision=${precision}`]);
    if (r.failed) throw new Error(r.failed);
    (mem[precision] ??= []).push(r);
  }
  console.log(`\n### ${kind.toUpperCase()}: memory held for the backward pass (one batch of ${BATCH}; median of 7 batches per process)\n`);
  console.log("| precision | held for backward (KB), per process | × float32 | wasm memory (MB) |");
  console.log("|---|---|---|---|");
  const f32 = median(mem.fp32.map((r) => r.heldBytes));
  const label = { fp32: "float32", bf16: "bf16" };
  for (const p of ["fp32", "bf16"]) {
    const held = median(mem[p].map((r) => r.heldBytes));
    console.log(`| ${label[p]} | ${mem[p].map((r) => kb(r.heldBytes)).join(", ")} | ${(held / f32).toFixed(3)} | ${(mem[p][0].wasmMemoryBytes / 2 ** 20).toFixed(1)} |`);
  }
  const l = await child(["--child=lockstep", `--kind=${kind}`, ...(args.lockstep ? [`--lockstep=${args.lockstep}`] : [])]);
  if (l.failed) throw new Error(l.failed);
  console.log(`\n### ${kind.toUpperCase()}: ${l.steps} training steps of each precision in lockstep (load average now: ${load()})\n`);
  console.log(`median step: float32 ${l.fp32.toFixed(2)} ms, bf16 ${l.bf16.toFixed(2)} ms; median of the per-pair ratios bf16/fp32: ${l.pairedRatio.toFixed(3)}×`);
  if (args["skip-train"]) continue;
  const t = await child(["--child=train", `--kind=${kind}`, ...process.argv.slice(2).filter((a) => a.startsWith("--") && !a.startsWith("--child"))]);
  if (t.failed) throw new Error(t.failed);
  const of = (p) => t.runs.filter((r) => r.precision === p);
  const med = (p, key) => median(of(p).map((r) => r[key]));
  console.log(`\n### ${kind.toUpperCase()}: training, ${t.limit ? `${t.limit} batches` : `${t.epochs} epoch(s)`} per run, fp32/bf16 interleaved (load average now: ${load()})\n`);
  console.log("| precision | runs | wall s per run | median batch (ms) | test accuracy |");
  console.log("|---|---|---|---|---|");
  for (const p of ["fp32", "bf16"]) {
    console.log(`| ${p} | ${of(p).length} | ${of(p).map((r) => r.seconds.toFixed(1)).join(", ")} | ${of(p).map((r) => r.medianBatchMs.toFixed(2)).join(", ")} | ${of(p).map((r) => r.accuracy.toFixed(4)).join(", ")} |`);
  }
  console.log(`\nbf16 / fp32: wall ${(med("bf16", "seconds") / med("fp32", "seconds")).toFixed(3)}×, median batch ${(med("bf16", "medianBatchMs") / med("fp32", "medianBatchMs")).toFixed(3)}×, ` +
    `test accuracy ${((med("bf16", "accuracy") - med("fp32", "accuracy")) * 100).toFixed(2)} points`);
}
console.log(`\nload average at end: ${load()}`);
