import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { hyperband, tpeSearch, TrialError, uniform } from "../../src/select/index.js";
import type { BandTrial, TpeTrial } from "../../src/select/index.js";

const trainModule = new URL("./fixtures/noisy-trial.mjs", import.meta.url);
const withoutTimes = <T extends { timeMs: number }>(ts: T[]) => ts.map(({ timeMs: _, ...rest }) => rest);

describe("trials in workers", () => {
  it("tpeSearch with median pruning gives the same trials with 1 and 2 workers", async () => {
    const o = { nTrials: 16, nStartup: 6, seed: 7, pruner: "median" as const, trainModule };
    const one = await tpeSearch({ x: uniform(-1, 1) }, undefined, { ...o, workers: 1 });
    const two = await tpeSearch({ x: uniform(-1, 1) }, undefined, { ...o, workers: 2 });
    expect(withoutTimes<TpeTrial>(two.trials)).toEqual(withoutTimes<TpeTrial>(one.trials));
    expect(two.bestParams).toEqual(one.bestParams);
    expect(one.nPruned).toBeGreaterThan(0);
  });

  it("hyperband gives the same brackets and trials with 1 and 3 workers (a file path works as the module)", async () => {
    const o = { maxResource: 9, eta: 3, seed: 2 };
    const one = await hyperband({ x: uniform(-1, 1) }, undefined, { ...o, trainModule: fileURLToPath(trainModule) });
    const three = await hyperband({ x: uniform(-1, 1) }, undefined, { ...o, trainModule, workers: 3 });
    expect(three.brackets).toEqual(one.brackets);
    expect(withoutTimes<BandTrial>(three.trials)).toEqual(withoutTimes<BandTrial>(one.trials));
  });

  it("runs the module in this thread the same as the function itself", async () => {
    const { train } = await import("./fixtures/noisy-trial.mjs");
    const o = { nTrials: 8, nStartup: 4, seed: 1 };
    const viaFn = await tpeSearch({ x: uniform(-1, 1) }, train, o);
    const viaModule = await tpeSearch({ x: uniform(-1, 1) }, undefined, { ...o, trainModule });
    expect(withoutTimes<TpeTrial>(viaModule.trials)).toEqual(withoutTimes<TpeTrial>(viaFn.trials));
  });

  it("keeps a finished search's workers for the next search on the same module", async () => {
    const counting = new URL("./fixtures/counting-trial.mjs", import.meta.url);
    const o = { nTrials: 4, nStartup: 4, roundSize: 4, seed: 1, trainModule: counting, workers: 2 };
    const first = await tpeSearch({ x: uniform(-1, 1) }, undefined, o);
    const second = await tpeSearch({ x: uniform(-1, 1) }, undefined, o);
    // Fresh workers start counting at 1; both workers ran trials of the first search.
    expect(Math.min(...first.trials.map((t) => t.score))).toBe(1);
    expect(first.trials.map((t) => t.score).reduce((a, b) => a + b)).toBeLessThan(1 + 2 + 3 + 4);
    expect(Math.min(...second.trials.map((t) => t.score))).toBeGreaterThanOrEqual(2);
  });

  it("turns an error inside a worker into a TrialError naming the trial", async () => {
    const err = await tpeSearch({ x: uniform(-1, 1), fail: [true] }, undefined, { nTrials: 4, trainModule, workers: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(TrialError);
    expect(String(err.message)).toMatch(/trial \d failed on purpose/);
  });

  it("lets the process exit once the search is over, after success and after a failing trial (the built package)", () => {
    const lib = new URL("../../dist/index.js", import.meta.url).href;
    for (const fail of [false, true]) {
      const program = `import * as eg from ${JSON.stringify(lib)};
        const r = await eg.select.tpeSearch({ x: eg.select.uniform(-1, 1), fail: [${fail}] }, undefined,
          { nTrials: 6, seed: 1, workers: 2, trainModule: ${JSON.stringify(trainModule.href)} }).catch((e) => e);
        console.log(r instanceof eg.select.TrialError ? "TrialError" : r.trials.length);`;
      const p = spawnSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8", timeout: 60_000 });
      expect(p.error).toBeUndefined(); // no timeout: nothing kept the process alive
      expect(p.status, p.stderr).toBe(0);
      expect(p.stdout.trim()).toBe(fail ? "TrialError" : "6");
    }
  });
});

describe("trials in workers: failures", () => {
  it("a module that cannot be loaded, or a trial that ends its worker, is a TrialError, not a hang", async () => {
    const missing = new URL("./fixtures/does-not-exist.mjs", import.meta.url);
    const err = await tpeSearch({ x: uniform(-1, 1) }, undefined, { nTrials: 4, trainModule: missing, workers: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(TrialError);
    await expect(tpeSearch({ x: uniform(-1, 1) }, undefined, { nTrials: 4, trainModule: missing })).rejects.toThrow(/cannot load trainModule/);
    const exiting = new URL("./fixtures/exiting-trial.mjs", import.meta.url);
    const err2 = await tpeSearch({ x: uniform(-1, 1) }, undefined, { nTrials: 6, trainModule: exiting, workers: 2 }).catch((e) => e);
    expect(err2).toBeInstanceOf(TrialError);
    expect(String(err2.message)).toMatch(/exited with code 3/);
  });
});
