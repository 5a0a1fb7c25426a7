// The successive-halving search of examples/tune-digits.mjs alone, in a fresh process, with the
// number of workers given: the wall time a program's first search takes, and the time inside
// its trials summed over threads. Running two copies at once (`node bench/halving-workers.mjs 1 &
// node bench/halving-workers.mjs 1`) shows how much the two cores slow each other down on this
// work, with no pool involved (bench/RESULTS-tuning.md).
//   npm run build && node bench/halving-workers.mjs [workers, default 2]
import * as eg from "../dist/index.js";

const space = {
  lr: eg.select.logUniform(3e-4, 3e-2), weightDecay: eg.select.logUniform(1e-5, 1e-1),
  hidden: [32, 64, 128, 256], dropout: eg.select.uniform(0, 0.4),
};
const trainModule = new URL("../examples/tune-digits-trial.mjs", import.meta.url);
const workers = Number(process.argv[2] ?? 2);
const start = performance.now();
const r = await eg.select.successiveHalving(space, undefined, { nConfigs: 18, minResource: 1, maxResource: 9, eta: 3, seed: 0, trainModule, workers });
const inTrials = r.trials.reduce((a, t) => a + t.timeMs, 0) / 1000;
console.log(`${workers} worker${workers > 1 ? "s" : ""}: ${((performance.now() - start) / 1000).toFixed(2)} s, ` +
  `${inTrials.toFixed(2)} s inside trials; best ${r.bestScore.toFixed(4)} ${JSON.stringify(r.bestParams)}`);
