// Inference by batches on 1 thread and on N, in the same run: nn.predict of the Fashion-MNIST MLP
// (784-256-128-10, ReLU) over the 10 000 test images at three batch sizes, tinybench medians,
// rounds alternating 1 and N threads and each side keeping its better median. Beside it, in the
// same process:
//   - a loop of model.predict over row slices, concatenated: what predict did until it ran its
//     batches as fit's (src/nn/inference-batches.ts), each batch copying the weights and the rows
//     into the kernels' memory and allocating every layer's output afresh;
//   - onnxruntime-web on N threads, on the model as edgegrad exports it (io.exportOnnx), batch by
//     batch from Float32Array views of the rows to its outputs;
//   - tfjs-layers on tfjs-backend-wasm (one thread: tfjs turns threads off in Node), the same
//     weights, model.predict(x, { batchSize }) to a read result.
// Every peer's outputs are checked against edgegrad's, so a fast wrong answer cannot pass as a speed.
// Then the CNN of the training bench (bench/cnn-model.mjs) over the first --cnn-rows (2000) test
// images, edgegrad's predict and the slice loop only. Both edgegrad sides load the threaded
// build (edgegrad-mt-simd.wasm, plain SIMD).
//   npm run build && node bench/threads-predict.mjs [--rounds=2] [--threads=2] [--skip-peers] [--cnn-rows=2000]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";
import { medianMs } from "./median.mjs";
import { crossCore, crossCoreText } from "./cross-core.mjs";
import { fashionCnn } from "./cnn-model.mjs";

const DIR = process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";
const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? true]; }));
const ROUNDS = Number(args.rounds ?? 2), THREADS = Number(args.threads ?? 2), CNN_ROWS = Number(args["cnn-rows"] ?? 2000);
const BATCHES = [64, 256, 1024];
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const eg = await import(join(root, "dist", "slim", "api.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-mt-simd.wasm")));
const { nn, io } = eg;

await eg.init({ module, threads: 1 });
const { test } = await eg.data.loadFashionMnist(DIR);
const x = test.x, rows = x.shape[0];
const model = new nn.Sequential(new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(),
  new nn.Linear(256, 128, { seed: 2 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 3 }));
const settings = { time: 1500, iterations: 5, warmupTime: 200, warmupIterations: 2 };

/** The loop predict ran before: each batch's rows as a slice, the model's predict, one concat. */
function sliceLoop(net, data, batchSize) {
  const parts = [];
  for (let s = 0; s < data.shape[0]; s += batchSize) parts.push(net.predict(data.slice([s, Math.min(data.shape[0], s + batchSize)])));
  return eg.concat(parts, 0);
}

const reference = nn.predict(model, x, { batchSize: 256 }).data;
/** Largest |difference| from edgegrad's outputs, relative to the largest output. */
function check(name, out) {
  if (out.length !== reference.length) throw new Error(`${name}: ${out.length} outputs, edgegrad gives ${reference.length}`);
  let worst = 0, scale = 0;
  for (let i = 0; i < out.length; i++) { worst = Math.max(worst, Math.abs(out[i] - reference[i])); scale = Math.max(scale, Math.abs(reference[i])); }
  if (!(worst <= 1e-4 * scale)) throw new Error(`${name}: outputs differ from edgegrad's by ${worst} (largest output ${scale})`);
}

console.log(`predict, Fashion-MNIST test set (${rows} rows), MLP 784-256-128-10, edgegrad-mt-simd.wasm, Node ${process.versions.node}; ` +
  `medians (tinybench), best of ${ROUNDS} rounds; load average at start ${loadavg().map((l) => l.toFixed(2)).join(", ")}`);
console.log(`at the start, ${crossCoreText(await crossCore())}`);

const best = {};
const keep = (key, ms) => { best[key] = Math.min(best[key] ?? Infinity, ms); };
for (let round = 0; round < ROUNDS; round++) {
  for (const threads of [1, THREADS]) {
    const info = await eg.init({ module, threads });
    if (info.threads !== threads) throw new Error(`asked for ${threads} threads, got ${info.threads}: ${info.threadsReason}`);
    for (const bs of BATCHES) {
      check(`predict on ${threads}`, nn.predict(model, x, { batchSize: bs }).data);
      check(`slice loop on ${threads}`, sliceLoop(model, x, bs).data);
      keep(`predict ${threads} ${bs}`, await medianMs(() => nn.predict(model, x, { batchSize: bs }).data, settings));
      keep(`loop ${threads} ${bs}`, await medianMs(() => sliceLoop(model, x, bs).data, settings));
    }
  }
}

const peers = {};
if (!args["skip-peers"]) {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = THREADS;
  const session = await ort.InferenceSession.create(io.exportOnnx(model, { inputName: "x", outputName: "y" }), { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  const data = x.data;
  const ortRun = async (bs) => {
    const out = new Float32Array(rows * 10);
    for (let s = 0; s < rows; s += bs) {
      const e = Math.min(rows, s + bs);
      const r = await session.run({ x: new ort.Tensor("float32", data.subarray(s * 784, e * 784), [e - s, 784]) });
      out.set(r.y.data, s * 10);
    }
    return out;
  };
  for (const bs of BATCHES) {
    check(`onnxruntime-web, batch ${bs}`, await ortRun(bs));
    peers[`ort ${bs}`] = await medianMs(() => ortRun(bs), settings);
  }

  const tf = await import("@tensorflow/tfjs-core");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"))}/`);
  wasm.setThreadsCount(1);
  const tfl = await import("@tensorflow/tfjs-layers");
  await tf.setBackend("wasm");
  await tf.ready();
  const linears = model.parameters();
  const tfModel = tfl.sequential({ layers: [
    tfl.layers.dense({ inputShape: [784], units: 256, activation: "relu" }),
    tfl.layers.dense({ units: 128, activation: "relu" }), tfl.layers.dense({ units: 10 })] });
  // tfjs's kernel is [in, out]: edgegrad's weight [out, in] transposed.
  tfModel.layers.forEach((layer, i) => {
    const w = linears[2 * i], b = linears[2 * i + 1];
    layer.setWeights([tf.tensor2d(w.transpose().contiguous().data, [w.shape[1], w.shape[0]]), tf.tensor1d(b.data)]);
  });
  const tx = tf.tensor2d(x.data, [rows, 784]);
  const tfRun = (bs) => { const y = tfModel.predict(tx, { batchSize: bs }); const d = y.dataSync(); y.dispose(); return d; };
  for (const bs of BATCHES) {
    check(`tfjs-layers, batch ${bs}`, tfRun(bs));
    peers[`tfjs ${bs}`] = await medianMs(() => tfRun(bs), settings);
  }
}

console.log(`\n${"batch".padEnd(6)} ${"predict 1 thread".padStart(17)} ${`${THREADS} threads`.padStart(10)} ${"ratio".padStart(6)}   ` +
  `${"slice loop 1".padStart(13)} ${`${THREADS} threads`.padStart(10)} ${"ratio".padStart(6)}   ` +
  `${`ort ${THREADS} thr`.padStart(10)} ${"× ort".padStart(6)} ${"tfjs-wasm".padStart(10)} ${"× tfjs".padStart(7)}   (ms)`);
for (const bs of BATCHES) {
  const p1 = best[`predict 1 ${bs}`], pn = best[`predict ${THREADS} ${bs}`], l1 = best[`loop 1 ${bs}`], ln = best[`loop ${THREADS} ${bs}`];
  const o = peers[`ort ${bs}`], t = peers[`tfjs ${bs}`];
  const f = (v) => (v === undefined ? "–" : v.toFixed(1));
  const r = (a, b) => (a === undefined || b === undefined ? "–" : (a / b).toFixed(2));
  console.log(`${String(bs).padEnd(6)} ${f(p1).padStart(17)} ${f(pn).padStart(10)} ${r(pn, p1).padStart(6)}   ${f(l1).padStart(13)} ${f(ln).padStart(10)} ${r(ln, l1).padStart(6)}   ` +
    `${f(o).padStart(10)} ${r(o, pn).padStart(6)} ${f(t).padStart(10)} ${r(t, pn).padStart(7)}`);
}
console.log(`(ratio: N threads ÷ 1 thread; × ort and × tfjs: the peer's time ÷ edgegrad's predict on ${THREADS} threads)`);

const cnn = fashionCnn(nn), images = x.slice([0, Math.min(rows, CNN_ROWS)]).reshape([-1, 1, 28, 28]);
const cnnBest = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const threads of [1, THREADS]) {
    await eg.init({ module, threads });
    for (const bs of [64, 256]) {
      const want = cnn.predict(images).data, got = nn.predict(cnn, images, { batchSize: bs }).data;
      if (got.some((v, i) => !Object.is(v, want[i]))) throw new Error(`CNN predict on ${threads} threads, batch ${bs}: not the bits of one forward`);
      const slow = { ...settings, time: 3000, iterations: 3 };
      for (const [key, fn] of [[`predict ${threads} ${bs}`, () => nn.predict(cnn, images, { batchSize: bs }).data],
                               [`loop ${threads} ${bs}`, () => sliceLoop(cnn, images, bs).data]]) {
        cnnBest[key] = Math.min(cnnBest[key] ?? Infinity, await medianMs(fn, slow));
      }
    }
  }
}
console.log(`\nCNN (bench/cnn-model.mjs), ${images.shape[0]} test images, ms:`);
for (const bs of [64, 256]) {
  const p1 = cnnBest[`predict 1 ${bs}`], pn = cnnBest[`predict ${THREADS} ${bs}`], l1 = cnnBest[`loop 1 ${bs}`], ln = cnnBest[`loop ${THREADS} ${bs}`];
  console.log(`batch ${String(bs).padEnd(5)} predict ${p1.toFixed(1)} → ${pn.toFixed(1)} on ${THREADS} threads (${(pn / p1).toFixed(2)}), ` +
    `slice loop ${l1.toFixed(1)} → ${ln.toFixed(1)} (${(ln / l1).toFixed(2)})`);
}
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(", ")}; ${crossCoreText(await crossCore())}`);
process.exit(0);
