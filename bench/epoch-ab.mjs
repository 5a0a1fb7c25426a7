// One build against another on the same machine state: three Fashion-MNIST epochs of the plain
// MLP (784-256-128-10, Adam 1e-3, batch 64, wasm-simd) per process, wall and CPU seconds each.
// Run it alternately for the two builds (e.g. the previous release built in a second checkout):
//
//   node bench/epoch-ab.mjs /path/to/other/dist/index.js; node bench/epoch-ab.mjs ./dist/index.js
//
// Needs /usr/share/datasets/fashion-mnist (apt-get install -y dataset-fashion-mnist).
const build = process.argv[2] ?? new URL("../dist/index.js", import.meta.url).href;
const eg = await import(build);
await eg.init({ backend: "wasm-simd" });
const f = await eg.data.loadFashionMnist(process.argv[3] ?? "/usr/share/datasets/fashion-mnist");
const model = new eg.nn.Sequential(
  new eg.nn.Linear(784, 256, { seed: 1 }), new eg.nn.ReLU(),
  new eg.nn.Linear(256, 128, { seed: 2 }), new eg.nn.ReLU(),
  new eg.nn.Linear(128, 10, { seed: 3 }));
const optimizer = new eg.optim.Adam(model.parameters(), { lr: 1e-3 });
const epochs = [];
for (let e = 0; e < 3; e++) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  await eg.nn.fit(model, f.train.x, f.train.y, { loss: "crossEntropy", optimizer, epochs: 1, batchSize: 64, seed: 1 + e });
  const c = process.cpuUsage(c0);
  epochs.push(`${((performance.now() - t0) / 1000).toFixed(2)}/${((c.user + c.system) / 1e6).toFixed(2)}`);
}
console.log(`${build}: wall/CPU s per epoch ${epochs.join(", ")}`);
