// Tuning the digits MLP (learning rate, weight decay, hidden width, dropout) by successive
// halving, the building block of Hyperband: 18 configurations for 1 epoch, the best 6 for 3,
// the best 2 for 9 — on the stratified 3-fold cross-validation of
// examples/grid-search-digits.mjs, against that example's 8-candidate grid (15 epochs each).
// Epochs are counted exactly (one per fold model trained for one epoch), and the search runs
// with one worker, then with two new workers, then with the same two again (warm). (Full Hyperband with R = 9, η = 3 adds the brackets that start 5
// configurations at 3 epochs and 3 at 9: 78 configuration-epochs instead of 54.)
// Run: npm run build && node examples/tune-digits.mjs
import { writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import * as eg from "../dist/index.js";

const { x, y } = eg.data.digits();
const s = eg.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed: 1 });

// The grid of grid-search-digits.mjs: 8 candidates × 3 folds × 15 epochs.
const GRID_EPOCHS = 15;
async function gridTrial(params, xTr, yTr, xVal, yVal) {
  const scaler = eg.data.standardize(xTr);
  const model = new eg.nn.Sequential(
    new eg.nn.Linear(64, params.hidden, { init: "he_uniform", seed: 1, kernelRegularizer: params.l2 ? eg.nn.regularizers.l2(params.l2) : undefined }),
    new eg.nn.ReLU(), new eg.nn.Linear(params.hidden, 10, { seed: 2 }));
  await eg.nn.fit(model, scaler.transform(xTr), yTr, {
    loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: params.lr }), epochs: GRID_EPOCHS, batchSize: 32, seed: 2,
  });
  return eg.metrics.accuracy(yVal, eg.nn.predict(model, scaler.transform(xVal)).argmax(1));
}
let t0 = performance.now();
const grid = await eg.select.gridSearch(gridTrial, s.xTrain, s.yTrain, { lr: [1e-3, 1e-2], hidden: [32, 128], l2: [0, 1e-3] }, { k: 3, stratify: true, seed: 3 });
const gridSeconds = (performance.now() - t0) / 1000;
const gridEpochs = grid.results.length * 3 * GRID_EPOCHS;
console.log(`grid search: best CV accuracy ${grid.bestScore.toFixed(4)} ${JSON.stringify(grid.bestParams)}, ${gridEpochs} epochs, ${gridSeconds.toFixed(1)} s`);

const space = {
  lr: eg.select.logUniform(3e-4, 3e-2),
  weightDecay: eg.select.logUniform(1e-5, 1e-1),
  hidden: [32, 64, 128, 256],
  dropout: eg.select.uniform(0, 0.4),
};
const trainModule = new URL("./tune-digits-trial.mjs", import.meta.url);
const options = { nConfigs: 18, minResource: 1, maxResource: 9, eta: 3, seed: 0, trainModule };

async function run(workers) {
  const start = performance.now();
  const cpu = process.cpuUsage(); // all of the process's threads: a measure of work the load does not change
  const r = await eg.select.successiveHalving(space, undefined, { ...options, workers });
  const used = process.cpuUsage(cpu);
  return { r, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}
const one = await run(1);
// The first 2-worker search starts its workers (library, kernels, data, optimizing compiler all
// cold); they are kept for the next search on the same module, which therefore runs warm, as the
// 1-worker search does in this thread after the grid search.
const twoCold = await run(2);
const two = await run(2);
const { r } = one;
const epochs = r.totalResource * 3; // each trial trains one model per fold for `resource` epochs

console.log("\n" + eg.select.formatTrials(r, { top: 10 }));
console.log(`\nsuccessive halving (η = ${options.eta}): ${r.brackets[0].rungs.map((g) => `${g.nConfigs} × ${g.resource} epochs`).join(", then ")}`);
console.log(`best CV accuracy ${r.bestScore.toFixed(4)} after ${r.bestResource} epochs: ${JSON.stringify(r.bestParams)}`);
console.log(`epochs: ${epochs} = ${(100 * epochs / gridEpochs).toFixed(0)}% of the grid's ${gridEpochs}; ` +
  `at least as good as the grid: ${r.bestScore >= grid.bestScore ? "yes" : "no"} (${r.bestScore.toFixed(4)} vs ${grid.bestScore.toFixed(4)})`);
const sameAs = (x) => JSON.stringify(x.r.bestParams) === JSON.stringify(r.bestParams) && JSON.stringify(x.r.trials.map((t) => t.score)) === JSON.stringify(r.trials.map((t) => t.score));
const busy = (x) => x.r.trials.reduce((a, t) => a + t.timeMs, 0) / 1000;
console.log(`wall time: 1 worker ${one.seconds.toFixed(2)} s; 2 workers ${two.seconds.toFixed(2)} s (warm), ratio ${(two.seconds / one.seconds).toFixed(2)}; ` +
  `2 new workers ${twoCold.seconds.toFixed(2)} s, ratio ${(twoCold.seconds / one.seconds).toFixed(2)} ` +
  `(time inside trials: ${busy(one).toFixed(2)} s, ${busy(two).toFixed(2)} s, ${busy(twoCold).toFixed(2)} s); ` +
  `same best configuration and scores: ${sameAs(two) && sameAs(twoCold) ? "yes" : "no"}`);
console.log(`CPU time of the process: 1 worker ${one.cpuSeconds.toFixed(2)} s, 2 workers ${two.cpuSeconds.toFixed(2)} s (warm), ` +
  `2 new workers ${twoCold.cpuSeconds.toFixed(2)} s`);

// On a busy machine two workers do not get two cores. What two idle cores would give: the
// 1-worker trial times dealt to 2 workers first come, first served, rung by rung.
let predicted = 0;
for (const rung of r.brackets[0].rungs) {
  const free = [0, 0];
  for (const t of r.trials.filter((q) => rung.configs.includes(q.config) && q.resource === rung.resource)) {
    const w = free[0] <= free[1] ? 0 : 1;
    free[w] += t.timeMs / 1000;
  }
  predicted += Math.max(...free);
}
console.log(`load average (1, 5, 15 min): ${loadavg().map((v) => v.toFixed(2)).join(", ")}: wall times need two idle cores to mean anything`);
console.log(`2 workers on two idle cores, from the 1-worker trial times: ≈ ${predicted.toFixed(2)} s + worker start-up, ratio ≈ ${(predicted / one.seconds).toFixed(2)}`);

mkdirSync("edgegrad-output", { recursive: true });
writeFileSync("edgegrad-output/tune-digits.svg", eg.select.trialsSvg(r, { title: "Successive halving on digits: CV accuracy per trial" }));
console.log("score per trial: edgegrad-output/tune-digits.svg");
