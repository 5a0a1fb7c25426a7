import { afterEach, describe, expect, it, vi } from "vitest";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import { spawnSync } from "node:child_process";
import { ValueError } from "../../src/errors.js";
import { hyperband, successiveHalving, tpeSearch, TrialError, uniform } from "../../src/select/index.js";
import type { BandTrial, TpeTrial } from "../../src/select/index.js";

const trainModule = new URL("./fixtures/noisy-trial.mjs", import.meta.url);
const threadModule = new URL("./fixtures/thread-trial.mjs", import.meta.url);
const withoutTimes = <T extends { timeMs: number }>(ts: T[]) => ts.map(({ timeMs: _, ...rest }) => rest);
// The calling thread's trials wait this long first, so that worker threads take part in every batch.
const slowHere = { here: [threadId], hereMs: [30] };
/** Which thread ran each trial of thread-trial.mjs, and how many trials that thread's copy had run. */
const where = (ts: { score: number }[]) => ts.map((t) => ({ thread: Math.floor(t.score / 1000), count: t.score % 1000 }));

afterEach(() => { vi.unstubAllGlobals(); });

describe("trials in workers", () => {
  it("tpeSearch with median pruning gives the same trials with 1 worker, 2 new, the same 2 again, and 3", async () => {
    const o = { nTrials: 16, nStartup: 6, seed: 7, pruner: "median" as const, trainModule };
    const space = { x: uniform(-1, 1), ...slowHere };
    const one = await tpeSearch(space, undefined, { ...o, workers: 1 });
    expect(one.nPruned).toBeGreaterThan(0);
    for (const workers of [2, 2, 3]) {
      const many = await tpeSearch(space, undefined, { ...o, workers });
      expect(withoutTimes<TpeTrial>(many.trials)).toEqual(withoutTimes<TpeTrial>(one.trials));
      expect(many.bestParams).toEqual(one.bestParams);
    }
  });

  it("hyperband gives the same brackets and trials with 1 and 3 workers (a file path works as the module)", async () => {
    const o = { maxResource: 9, eta: 3, seed: 2 };
    const space = { x: uniform(-1, 1), ...slowHere };
    const one = await hyperband(space, undefined, { ...o, trainModule: fileURLToPath(trainModule) });
    const three = await hyperband(space, undefined, { ...o, trainModule, workers: 3 });
    expect(three.brackets).toEqual(one.brackets);
    expect(withoutTimes<BandTrial>(three.trials)).toEqual(withoutTimes<BandTrial>(one.trials));
  });

  it("without shared memory, the worker threads alone run the trials, with the same results", async () => {
    const o = { nConfigs: 9, maxResource: 9, eta: 3, seed: 4 };
    const one = await successiveHalving({ x: uniform(-1, 1), ...slowHere }, undefined, { ...o, trainModule });
    vi.stubGlobal("SharedArrayBuffer", undefined);
    const two = await successiveHalving({ x: uniform(-1, 1), ...slowHere }, undefined, { ...o, trainModule, workers: 2 });
    expect(withoutTimes<BandTrial>(two.trials)).toEqual(withoutTimes<BandTrial>(one.trials));
    const placed = await tpeSearch({ x: uniform(-1, 1), here: [threadId], hereMs: [0] }, undefined, { nTrials: 8, seed: 1, trainModule: threadModule, workers: 2 });
    const threads = new Set(where(placed.trials).map((t) => t.thread));
    expect(threads.has(threadId)).toBe(false);
    expect(threads.size).toBeLessThanOrEqual(2);
  });

  it("runs the module in this thread the same as the function itself", async () => {
    const { train } = await import("./fixtures/noisy-trial.mjs");
    const o = { nTrials: 8, nStartup: 4, seed: 1 };
    const viaFn = await tpeSearch({ x: uniform(-1, 1) }, train, o);
    const viaModule = await tpeSearch({ x: uniform(-1, 1) }, undefined, { ...o, trainModule });
    expect(withoutTimes<TpeTrial>(viaModule.trials)).toEqual(withoutTimes<TpeTrial>(viaFn.trials));
  });

  it("runs trials in the calling thread and workers − 1 worker threads, and keeps the worker threads for the next search", async () => {
    // A module URL of its own (the query): no worker parked by another test is reused here.
    const o = { nTrials: 8, nStartup: 8, roundSize: 8, seed: 1, trainModule: new URL("?reuse", threadModule), workers: 2 };
    const space = { x: uniform(-1, 1), here: [threadId], hereMs: [400] };
    const first = where((await tpeSearch(space, undefined, o)).trials);
    const second = where((await tpeSearch(space, undefined, o)).trials);
    // The calling thread takes the batch's first job before a worker can; one worker thread runs the rest.
    expect(first[0].thread).toBe(threadId);
    const workerThreads = new Set([...first, ...second].map((t) => t.thread).filter((t) => t !== threadId));
    expect(workerThreads.size).toBe(1);
    // The worker thread is new in the first search (it counts from 1) and the same one, counting on, in the second.
    const counts = (ts: typeof first) => ts.filter((t) => t.thread !== threadId).map((t) => t.count).sort((a, b) => a - b);
    const [a, b] = [counts(first), counts(second)];
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(a.map((_, i) => i + 1));
    expect(b).toEqual(b.map((_, i) => a.length + i + 1));
    const three = where((await tpeSearch(space, undefined, { ...o, workers: 3 })).trials);
    expect(new Set(three.map((t) => t.thread).filter((t) => t !== threadId)).size).toBeLessThanOrEqual(2);
  });

  it("hands the costliest job of a batch to the calling thread first", async () => {
    // Hyperband R = 9, η = 3 runs the first rungs of its three brackets as one batch: 9 jobs of
    // 1 epoch, 5 of 3 and 3 of 9. A module URL of its own, so that this thread's count starts here.
    const space = { x: uniform(-1, 1), here: [threadId], hereMs: [20] };
    const r = await hyperband(space, undefined, { maxResource: 9, eta: 3, seed: 1, trainModule: new URL("?order", threadModule), workers: 2 });
    const first = r.trials.find((t) => Math.floor(t.score / 1000) === threadId && t.score % 1000 === 1);
    expect(first?.rung).toBe(0);
    expect(first?.resource).toBe(9);
  });

  it("turns an error inside a worker thread, or in the calling thread, into a TrialError naming the trial", async () => {
    const space = { x: uniform(-1, 1), here: [threadId], hereMs: [400], inWorker: ["throw"] };
    const err = await tpeSearch(space, undefined, { nTrials: 6, roundSize: 6, trainModule: threadModule, workers: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(TrialError);
    expect(String(err.message)).toMatch(/trial [1-5] with params .* failed: trial [1-5] failed on purpose in a worker/);
    const here = await tpeSearch({ x: uniform(-1, 1), fail: [true] }, undefined, { nTrials: 4, trainModule, workers: 2 }).catch((e) => e);
    expect(here).toBeInstanceOf(TrialError);
    expect(String(here.message)).toMatch(/trial \d failed on purpose/);
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

  it("runs trials in a worker thread with the built package (its bundled code, shipped to the worker, works there)", () => {
    const lib = new URL("../../dist/index.js", import.meta.url).href;
    // The calling thread (thread id 0 in a new process) waits 300 ms per trial: the worker takes the others.
    const program = `import * as eg from ${JSON.stringify(lib)};
      const r = await eg.select.tpeSearch({ x: eg.select.uniform(-1, 1), here: [0], hereMs: [300] }, undefined,
        { nTrials: 6, nStartup: 6, roundSize: 6, seed: 1, workers: 2, trainModule: ${JSON.stringify(threadModule.href)} });
      console.log(r.trials.filter((t) => t.score >= 1000).length);`;
    const p = spawnSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8", timeout: 60_000 });
    expect(p.status, p.stderr).toBe(0);
    expect(Number(p.stdout.trim())).toBeGreaterThan(0);
  });
});

describe("trials in workers: failures", () => {
  it("a module that cannot be loaded is a ValueError with any number of workers; a trial that ends its worker is a TrialError, not a hang", async () => {
    const missing = new URL("./fixtures/does-not-exist.mjs", import.meta.url);
    for (const workers of [1, 2]) {
      const err = await tpeSearch({ x: uniform(-1, 1) }, undefined, { nTrials: 4, trainModule: missing, workers }).catch((e) => e);
      expect(err).toBeInstanceOf(ValueError);
      expect(String(err.message)).toMatch(/cannot load trainModule .*does-not-exist\.mjs/);
    }
    const space = { x: uniform(-1, 1), here: [threadId], hereMs: [400], inWorker: ["exit"] };
    const err = await tpeSearch(space, undefined, { nTrials: 6, roundSize: 6, trainModule: threadModule, workers: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(TrialError);
    expect(String(err.message)).toMatch(/trial [1-5] with params .* failed: the worker exited with code 3/);
  });
});
