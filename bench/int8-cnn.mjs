// The CNN at inference, float32 against int8 (quantizeModel), batch 64, in one run:
//   Conv2d(1,32,3,padding=1)+ReLU → MaxPool2d(2) → Conv2d(32,64,3,padding=1)+ReLU → MaxPool2d(2)
//   → Flatten → Linear(3136,128)+ReLU → Linear(128,10), on 28×28 inputs.
// Timed: model.predict(x) on one batch (median), the float model with its own convolution
// kernels, the int8 model with static (calibrated) and dynamic activations. The three are timed
// in turn, round after round (ROUNDS, default 7; the order rotates), and the target is judged on
// the median of the rounds' ratios: this machine's speed moves by up to 2× between minutes, which
// a ratio of two medians taken seconds apart would carry.
//
//   npm run build && node --experimental-wasm-relaxed-simd bench/int8-cnn.mjs
import { medianMs as timeMedian } from "./median.mjs";
import { eachWasmBackend } from "./backends.mjs";
import { importFromSource } from "./from-source.mjs";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fashionCnn } from "./cnn-model.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BATCH = 64, TARGET = 1.5;
const eg = await importFromSource(`export * from "./src/index.ts";`, "int8-cnn-bench.ts");
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const medianMs = (fn) => timeMedian(fn, { time: 300, iterations: 10, warmupTime: 50, warmupIterations: 2 });
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];

const { nn } = eg;
const model = fashionCnn(nn);
model.eval();
let s = 12345;
const x = eg.fromTypedArray(Float32Array.from({ length: BATCH * 784 }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32), [BATCH, 1, 28, 28]);

const rows = [];
for await (const backend of eachWasmBackend(eg)) {
  const dynamic = eg.compress.quantizeModel(model);
  const calibrated = eg.compress.quantizeModel(model, { calibration: x });
  const models = [["f32", model], ["int8 static", calibrated], ["int8 dynamic", dynamic]];
  const times = Object.fromEntries(models.map(([key]) => [key, []]));
  for (const [, m] of models) for (let i = 0; i < 3; i++) m.predict(x);
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < models.length; j++) {
      const [key, m] = models[(r + j) % models.length];
      times[key].push(await medianMs(() => m.predict(x)));
    }
  }
  const row = { backend, rounds: times };
  for (const [key] of models) row[key] = median(times[key]);
  row.staticRatio = median(times.f32.map((f, r) => f / times["int8 static"][r]));
  row.dynamicRatio = median(times.f32.map((f, r) => f / times["int8 dynamic"][r]));
  const f = model.predict(x).data, q = calibrated.predict(x).data;
  let agree = 0;
  for (let n = 0; n < BATCH; n++) {
    const arg = (d) => { let b = 0; for (let j = 1; j < 10; j++) if (d[n * 10 + j] > d[n * 10 + b]) b = j; return b; };
    agree += arg(f) === arg(q) ? 1 : 0;
  }
  row.argmaxAgreement = agree / BATCH;
  rows.push(row);
}

console.log(`\n${"backend".padEnd(19)}${"f32 ms".padStart(9)}${"int8 static".padStart(13)}${"int8 dyn".padStart(10)}   f32/int8(static)  f32/int8(dyn)  argmax agree   target`);
for (const r of rows) {
  const a = r.staticRatio, b = r.dynamicRatio;
  console.log(`${r.backend.padEnd(19)}${r.f32.toFixed(2).padStart(9)}${r["int8 static"].toFixed(2).padStart(13)}${r["int8 dynamic"].toFixed(2).padStart(10)}` +
    `   ${a.toFixed(2).padStart(16)}  ${b.toFixed(2).padStart(13)}  ${(100 * r.argmaxAgreement).toFixed(0).padStart(11)}%   ${a >= TARGET ? "holds" : "MISSES"} (≥ ${TARGET}×)`);
}
console.log(`(ms: median over ${ROUNDS} rounds of each round's median predict time on one batch of ${BATCH}, one thread; ` +
  `ratios: the median of the rounds' ratios; untrained weights, so argmax agreement is only a sanity check)`);
for (const r of rows) {
  console.log(`${r.backend} rounds' f32/int8(static): ${r.rounds.f32.map((f, i) => (f / r.rounds["int8 static"][i]).toFixed(2)).join(" ")}`);
}
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "int8-cnn.json"),
  JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2));
