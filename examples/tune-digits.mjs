// Tuning the digits MLP (learning rate, weight decay, hidden width, dropout) against the
// 8-candidate grid of examples/grid-search-digits.mjs (15 epochs each), on the same stratified
// 3-fold cross-validation. Epochs are counted exactly: one per fold model per epoch trained.
//
// 1. Trials in parallel: successive halving (18 configurations for 1 epoch, the best 6 for 3,
//    the best 2 for 9) with 1 worker (this thread, warm from the grid search), then with 2 new
//    workers (this thread and a new worker thread: the process's first 2-worker search), then
//    with 2 warm workers (the worker thread kept from that search).
// 2. The budget: full Hyperband and TPE with median pruning against the grid, for several seeds,
//    every one reported.
// Run: npm run build && node examples/tune-digits.mjs [number of seeds, default 5]
import { writeFileSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import * as eg from "../dist/index.js";

const { x, y } = eg.data.digits();
const s = eg.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true, seed: 1 });
const load = () => `load average ${loadavg().map((v) => v.toFixed(2)).join(", ")}`;

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
const gridEpochs = grid.results.length * 3 * GRID_EPOCHS;
console.log(`grid search: best CV accuracy ${grid.bestScore.toFixed(4)} ${JSON.stringify(grid.bestParams)}, ${gridEpochs} epochs, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const space = {
  lr: eg.select.logUniform(3e-4, 3e-2),
  weightDecay: eg.select.logUniform(1e-5, 1e-1),
  hidden: [32, 64, 128, 256],
  dropout: eg.select.uniform(0, 0.4),
};
const trainModule = new URL("./tune-digits-trial.mjs", import.meta.url);

// ---- 1. The same search with 1 worker, 2 new workers and 2 warm ones.
const halving = { nConfigs: 18, minResource: 1, maxResource: 9, eta: 3, seed: 0, trainModule };
async function timed(workers) {
  const start = performance.now();
  const cpu = process.cpuUsage(); // all of the process's threads: the work done, which the load does not change
  const r = await eg.select.successiveHalving(space, undefined, { ...halving, workers });
  const used = process.cpuUsage(cpu);
  return { r, seconds: (performance.now() - start) / 1000, cpuSeconds: (used.user + used.system) / 1e6, load: loadavg()[0] };
}
const one = await timed(1);
const twoNew = await timed(2); // the first 2-worker search: its worker thread starts cold
const twoWarm = await timed(2); // the worker thread kept from the search before
const { r } = one;
const epochs = r.totalResource * 3; // each trial trains one model per fold for `resource` epochs

console.log("\n" + eg.select.formatTrials(r, { top: 10 }));
console.log(`\nsuccessive halving (η = ${halving.eta}): ${r.brackets[0].rungs.map((g) => `${g.nConfigs} × ${g.resource} epochs`).join(", then ")}`);
console.log(`best CV accuracy ${r.bestScore.toFixed(4)} after ${r.bestResource} epochs: ${JSON.stringify(r.bestParams)}`);
console.log(`epochs: ${epochs} = ${(100 * epochs / gridEpochs).toFixed(0)}% of the grid's ${gridEpochs}; ` +
  `at least as good as the grid: ${r.bestScore >= grid.bestScore ? "yes" : "no"} (${r.bestScore.toFixed(4)} vs ${grid.bestScore.toFixed(4)})`);
const sameAs = (q) => JSON.stringify(q.r.bestParams) === JSON.stringify(r.bestParams) && JSON.stringify(q.r.trials.map((t) => t.score)) === JSON.stringify(r.trials.map((t) => t.score));
const busy = (q) => q.r.trials.reduce((a, t) => a + t.timeMs, 0) / 1000;
console.log(`wall time: 1 worker ${one.seconds.toFixed(2)} s; 2 new workers ${twoNew.seconds.toFixed(2)} s, ratio ${(twoNew.seconds / one.seconds).toFixed(2)}; ` +
  `2 warm workers ${twoWarm.seconds.toFixed(2)} s, ratio ${(twoWarm.seconds / one.seconds).toFixed(2)}; ` +
  `same best configuration and scores: ${sameAs(twoNew) && sameAs(twoWarm) ? "yes" : "no"}`);
console.log(`time inside trials (summed over threads): ${busy(one).toFixed(2)} s, ${busy(twoNew).toFixed(2)} s, ${busy(twoWarm).toFixed(2)} s; ` +
  `CPU time of the process: ${one.cpuSeconds.toFixed(2)} s, ${twoNew.cpuSeconds.toFixed(2)} s, ${twoWarm.cpuSeconds.toFixed(2)} s`);
console.log(`1-minute load average after each search: ${[one, twoNew, twoWarm].map((q) => q.load.toFixed(2)).join(", ")} ` +
  `(${load()}): the ratios need two idle cores to mean anything`);

// What two idle cores would give two warm threads: each rung's 1-worker trial times taken longest
// first by whichever of the two is free (the ideal, as the search only estimates the times).
let predicted = 0;
for (const rung of r.brackets[0].rungs) {
  const free = [0, 0];
  const times = r.trials.filter((q) => rung.configs.includes(q.config) && q.resource === rung.resource).map((q) => q.timeMs / 1000).sort((a, b) => b - a);
  for (const t of times) free[free[0] <= free[1] ? 0 : 1] += t;
  predicted += Math.max(...free);
}
console.log(`2 warm workers on two idle cores, from the 1-worker trial times: ≈ ${predicted.toFixed(2)} s, ratio ≈ ${(predicted / one.seconds).toFixed(2)}`);
mkdirSync("edgegrad-output", { recursive: true });
writeFileSync("edgegrad-output/tune-digits.svg", eg.select.trialsSvg(r, { title: "Successive halving on digits: CV accuracy per trial" }));
console.log("score per trial: edgegrad-output/tune-digits.svg");

// ---- 2. Full Hyperband and TPE against the grid, seed after seed (2 workers: same results, sooner).
const nSeeds = Number(process.argv[2] ?? 5);
const searches = [
  {
    name: "Hyperband R = 15, η = 5 (5 × 3 → 1 × 15 epochs, then 2 × 15)",
    async run(seed) {
      const h = await eg.select.hyperband(space, undefined, { maxResource: 15, eta: 5, seed, trainModule, workers: 2 });
      return { best: h.bestScore, epochs: h.totalResource * 3 };
    },
  },
  {
    name: "TPE, 14 trials × up to 8 epochs, median pruning (rounds of 2)",
    async run(seed) {
      const t = await eg.select.tpeSearch({ ...space, epochs: [8] }, undefined, {
        nTrials: 14, nStartup: 4, roundSize: 2, pruner: { kind: "median", nStartupTrials: 2 }, seed, trainModule, workers: 2,
      });
      // One report per epoch of the three fold models; a pruned trial stops at the report that pruned it.
      return { best: t.bestScore, epochs: t.trials.reduce((a, q) => a + q.reports.length, 0) * 3 };
    },
  },
];
for (const search of searches) {
  console.log(`\n${search.name}, against the grid's ${grid.bestScore.toFixed(4)} with ${gridEpochs} epochs:`);
  let met = 0;
  for (let seed = 0; seed < nSeeds; seed++) {
    const { best, epochs: e } = await search.run(seed);
    const ok = best >= grid.bestScore && e <= gridEpochs / 2;
    met += ok ? 1 : 0;
    console.log(`  seed ${seed}: best CV accuracy ${best.toFixed(4)}, ${e} epochs (${(100 * e / gridEpochs).toFixed(0)}%): ${ok ? "at least as good with ≤ 50%" : "misses"}`);
  }
  console.log(`  met for ${met} of ${nSeeds} seeds`);
}
