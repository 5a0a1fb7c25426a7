// Linear regression by gradient descent: y = 2x + 1 + noise. One Linear(1, 1) trained with
// full-batch gradient descent (SGD over the whole set) on the mean squared error.
// Run: npm run build && node examples/linear-regression.mjs
import * as eg from "../dist/index.js";

const n = 200;
const rng = new eg.Rng(42);
const xs = new Float32Array(n), ys = new Float32Array(n);
for (let i = 0; i < n; i++) {
  xs[i] = 4 * rng.uniform() - 2;
  ys[i] = 2 * xs[i] + 1 + 0.1 * rng.normal();
}
const x = eg.fromTypedArray(xs, [n, 1]), y = eg.fromTypedArray(ys, [n, 1]);

const model = new eg.nn.Linear(1, 1, { seed: 1 });
const opt = new eg.optim.SGD(model.parameters(), { lr: 0.1 });
for (let step = 0; step <= 100; step++) {
  const loss = eg.nn.mseLoss(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  if (step % 20 === 0) console.log(`step ${String(step).padStart(3)}  mse ${loss.item().toFixed(5)}`);
}
const w = model.weight.item(), b = model.bias.item();
console.log(`learned w = ${w.toFixed(3)} (true 2), b = ${b.toFixed(3)} (true 1)`);
if (Math.abs(w - 2) > 0.05 || Math.abs(b - 1) > 0.05) process.exitCode = 1;
