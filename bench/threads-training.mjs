// The Fashion-MNIST MLP epoch (784-256-128-10, ReLU, Adam lr 1e-3, batch 64, as
// bench/training.mjs) with 1 thread and with N threads in the same process, alternating, the
// better of each side's epochs kept; and the final weights of the two compared bit for bit (the
// same seed must give the same model at any thread count).
//   npm run build && node bench/threads-training.mjs [--epochs=2] [--threads=2]
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DIR = process.env.FASHION_MNIST_DIR ?? "/usr/share/datasets/fashion-mnist";
const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, "").split("="); return [k, v ?? true]; }));
const EPOCHS = Number(args.epochs ?? 2), THREADS = Number(args.threads ?? 2);

const eg = await import(join(fileURLToPath(new URL("..", import.meta.url)), "dist", "index.js"));
const { train } = await eg.data.loadFashionMnist(DIR);

/** One fresh model trained for one epoch on `threads` threads: seconds and the final weights. */
async function epoch(threads) {
  const info = await eg.init({ threads });
  if (info.threads !== threads) throw new Error(`asked for ${threads} threads, got ${info.threads}: ${info.threadsReason}`);
  const { nn, optim } = eg;
  const model = new nn.Sequential(new nn.Linear(784, 256, { seed: 1 }), new nn.ReLU(),
    new nn.Linear(256, 128, { seed: 2 }), new nn.ReLU(), new nn.Linear(128, 10, { seed: 3 }));
  const t0 = performance.now();
  const h = await nn.fit(model, train.x, train.y, {
    loss: "crossEntropy", optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }), epochs: 1, batchSize: 64, seed: 1,
  });
  return { seconds: (performance.now() - t0) / 1000, loss: h.history.loss[0], weights: model.parameters().map((p) => p.data) };
}

const one = [], many = [];
for (let e = 0; e < EPOCHS; e++) {
  one.push(await epoch(1));
  many.push(await epoch(THREADS));
  console.log(`round ${e + 1}: 1 thread ${one.at(-1).seconds.toFixed(2)} s, ${THREADS} threads ${many.at(-1).seconds.toFixed(2)} s`);
}
const same = one[0].weights.every((w, i) => w.every((v, j) => Object.is(v, many[0].weights[i][j])));
const best = (runs) => Math.min(...runs.map((r) => r.seconds));
console.log(`Fashion-MNIST MLP epoch, Node ${process.versions.node}, ${eg.backendInfo().backend}: ` +
  `1 thread ${best(one).toFixed(2)} s, ${THREADS} threads ${best(many).toFixed(2)} s, ` +
  `ratio ${(best(many) / best(one)).toFixed(2)} (target ≤ 0.6); loss ${one[0].loss.toFixed(4)} / ${many[0].loss.toFixed(4)}; ` +
  `final weights ${same ? "bit-identical" : "DIFFER"}`);
await eg.init();
