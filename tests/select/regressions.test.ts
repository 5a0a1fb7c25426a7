// Regressions in select/: divergence of negative losses, plot caps, schedules, option checks.
import { describe, expect, it } from "vitest";
import { nn, optim, select, tensor, ValueError } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

/** y = 2x + 1 on 64 points; a Linear(1, 1) fitted by SGD. */
function line() {
  const xs = Array.from({ length: 64 }, (_, i) => [(i - 32) / 16]);
  return { x: tensor(xs), y: tensor(xs.map(([v]) => [2 * v + 1])) };
}

describe("lrFinder with losses below zero", () => {
  const shifted = (c: number) => (out: Tensor, y: Tensor) => out.sub(y).square().mean().sub(c);

  it("does not stop as diverged when the loss falls steadily through 0", async () => {
    const { x, y } = line();
    const run = (loss: (o: Tensor, t: Tensor) => Tensor) => {
      const model = new nn.Linear(1, 1, { seed: 0 });
      return select.lrFinder(model, x, y, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss, batchSize: 64, startLr: 1e-3, endLr: 0.3, numIter: 40 });
    };
    const plain = await run(shifted(0));
    expect(plain.stopReason).toBe("endLr");
    // Shift the loss so that it starts above 0 and ends well below.
    const c = (plain.losses[0] + plain.losses[plain.losses.length - 1]) / 2;
    const r = await run(shifted(c));
    expect(r.losses[0]).toBeGreaterThan(0);
    expect(Math.min(...r.losses)).toBeLessThan(0);
    expect(r.stopReason).toBe("endLr");
    expect(r.lrs.length).toBe(40);
    // Constant shift: the same steps were taken.
    r.rawLosses.forEach((l, i) => expect(l).toBeCloseTo(plain.rawLosses[i] - c, 3));
  });

  it("still stops as diverged when a negative loss blows up", async () => {
    const { x, y } = line();
    const model = new nn.Linear(1, 1, { seed: 0 });
    const r = await select.lrFinder(model, x, y, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), loss: shifted(5), batchSize: 64, startLr: 1e-3, endLr: 100, numIter: 60 });
    expect(Math.min(...r.losses)).toBeLessThan(0);
    expect(r.stopReason).toBe("diverged");
    expect(r.lrs.length).toBeLessThan(60);
    const best = Math.min(...r.losses), last = r.losses[r.losses.length - 1];
    expect(!Number.isFinite(last) || last - best > 3 * Math.abs(best)).toBe(true);
  });
});

/** The polyline's points of an SVG, as [x, y] pairs. */
const points = (svg: string) => svg.match(/<polyline [^>]*points="([^"]*)"/)![1].trim().split(" ").map((p) => p.split(",").map(Number));

describe("lrFinderSvg with negative losses", () => {
  const lrs = Array.from({ length: 30 }, (_, i) => 1e-5 * 10 ** (i / 6));
  const result = (losses: number[]): select.LrFinderResult => ({ lrs, losses, rawLosses: losses, suggestion: 1e-4, steepest: 1e-3, minimumOverTen: 1e-4, stopReason: "diverged" });

  it("caps the y axis above the first loss, so the curve is not flattened onto the cap", () => {
    for (const shift of [0, -10, -100]) {
      // A falling loss whose last points blow up.
      const losses = lrs.map((_, i) => shift + 2 - i / 20 + (i > 26 ? 50 : 0));
      const ys = points(select.lrFinderSvg(result(losses))).map(([, y]) => y);
      expect(new Set(ys).size, `shift ${shift}`).toBeGreaterThan(20);
      // Falling part: strictly increasing SVG y (lower loss is drawn lower).
      for (let i = 1; i <= 26; i++) expect(ys[i]).toBeGreaterThan(ys[i - 1]);
      // The blown-up tail is capped above the first loss, not drawn far off the frame.
      expect(ys[29]).toBeLessThan(ys[0]);
      expect(ys[29]).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("minResource (a lower bound on the first rung's budget, as documented)", () => {
  it("successiveHalving counts rungs down from maxResource: 10, 81, η 3 gives [27, 81]", async () => {
    const r = await select.successiveHalving({ a: [1, 2, 3] }, (p: { a: number }) => p.a, { minResource: 10, maxResource: 81, eta: 3, seed: 0 });
    expect(r.brackets[0].rungs.map((g) => g.resource)).toEqual([27, 81]);
    expect(r.brackets[0].rungs[0].resource).toBeGreaterThanOrEqual(10);
  });

  it("keeps the paper's brackets when maxResource = minResource · η^s", () => {
    expect(select.hyperbandSchedule(81, 3, 1).map((b) => [b.s, b.n, b.r])).toEqual([[4, 81, 1], [3, 34, 3], [2, 15, 9], [1, 8, 27], [0, 5, 81]]);
    expect(select.hyperbandSchedule(162, 3, 2).map((b) => b.r)).toEqual([2, 6, 18, 54, 162]);
  });
});

describe("hyperbandSchedule checks its arguments like hyperband", () => {
  it("refuses eta < 2, minResource ≤ 0, minResource > maxResource and NaN instead of hanging or giving NaN", () => {
    expect(() => select.hyperbandSchedule(81, 1)).toThrow(/hyperbandSchedule: eta must be a number ≥ 2, got 1/);
    expect(() => select.hyperbandSchedule(81, 0.5)).toThrow(/hyperbandSchedule: eta must be a number ≥ 2, got 0.5/);
    expect(() => select.hyperbandSchedule(81, 3, -1)).toThrow(/hyperbandSchedule: minResource must be a positive number, got -1/);
    expect(() => select.hyperbandSchedule(81, 3, 0)).toThrow(/hyperbandSchedule: minResource must be a positive number, got 0/);
    expect(() => select.hyperbandSchedule(81, 3, 100)).toThrow(/hyperbandSchedule: minResource 100 is above maxResource 81/);
    expect(() => select.hyperbandSchedule(NaN, 3)).toThrow(/hyperbandSchedule: maxResource must be a positive number, got NaN/);
    expect(() => select.hyperbandSchedule(81, NaN)).toThrow(/hyperbandSchedule: eta must be a number ≥ 2, got NaN/);
    expect(() => select.hyperbandSchedule(81, 3, NaN)).toThrow(/hyperbandSchedule: minResource must be a positive number, got NaN/);
    expect(() => select.hyperbandSchedule(81, undefined as never)).toThrow(ValueError);
    expect(() => select.hyperbandSchedule(81, 3, 0)).toThrow(ValueError);
  });
});

/** A training function that counts its calls, so a refusal can be shown to come before any training. */
function counted() {
  let n = 0;
  return { calls: () => n, fn: (p: Record<string, unknown>) => (n++, typeof p.a === "number" ? p.a : 0) };
}

describe("onTrial that is not a function", () => {
  it("is refused before any trial trains, in hyperband, successiveHalving and tpeSearch", async () => {
    for (const bad of [1, "log", null, {}]) {
      const c = counted();
      await expect(select.hyperband({ a: [1, 2] }, c.fn, { maxResource: 9, onTrial: bad as never })).rejects.toThrow(/hyperband: onTrial must be a function/);
      await expect(select.successiveHalving({ a: [1, 2] }, c.fn, { maxResource: 9, onTrial: bad as never })).rejects.toThrow(/successiveHalving: onTrial must be a function/);
      await expect(select.tpeSearch({ a: [1, 2] }, c.fn, { nTrials: 3, onTrial: bad as never })).rejects.toThrow(/tpeSearch: onTrial must be a function/);
      await expect(select.tpeSearch({ a: [1, 2] }, c.fn, { nTrials: 3, onTrial: bad as never })).rejects.toThrow(ValueError);
      expect(c.calls()).toBe(0);
    }
    // A function is still called once per trial.
    const seen: number[] = [];
    await select.successiveHalving({ a: [1, 2] }, counted().fn, { maxResource: 3, eta: 3, onTrial: (t) => seen.push(t.trial) });
    expect(seen.length).toBeGreaterThan(0);
  });
});

describe("randomSearch with a space that is not an object", () => {
  const x = tensor(Array.from({ length: 12 }, (_, i) => [i]));
  const y = tensor(Array.from({ length: 12 }, (_, i) => i % 2), { dtype: "int32" });
  it("refuses null and arrays with a ValueError naming the space, before training", async () => {
    const c = counted();
    await expect(select.randomSearch(c.fn as never, x, y, null as never, { k: 3 })).rejects.toThrow(/randomSearch: the space must be an object of lists or samplers, got null/);
    await expect(select.randomSearch(c.fn as never, x, y, [[1, 2]] as never, { k: 3 })).rejects.toThrow(/randomSearch: the space must be an object of lists or samplers, got an array/);
    await expect(select.randomSearch(c.fn as never, x, y, 5 as never, { k: 3 })).rejects.toThrow(ValueError);
    expect(c.calls()).toBe(0);
  });
});

describe("uniform with a width that overflows", () => {
  it("refuses bounds whose high − low is not finite", () => {
    expect(() => select.uniform(-1e308, 1e308)).toThrow(/uniform: the width high − low of \[-1e\+308, 1e\+308\) overflows/);
    expect(() => select.uniform(-Number.MAX_VALUE, Number.MAX_VALUE)).toThrow(ValueError);
    // A wide but finite width still draws finite numbers.
    const s = select.uniform(-1e307, 1e307);
    const rng = new (class { uniform() { return 0.999; } })() as never;
    expect(Number.isFinite(s(rng))).toBe(true);
  });
});

describe("workers > 1 with a parameter value that cannot be cloned", () => {
  const trainModule = new URL("./fixtures/noisy-trial.mjs", import.meta.url);
  const relu = function relu() { return 0; };

  it("is a ValueError naming the parameter, before any trial trains, not a raw DataCloneError", async () => {
    for (const search of ["hyperband", "successiveHalving", "tpeSearch"] as const) {
      const space = { x: select.uniform(0, 1), act: [relu, "tanh"] };
      const o = search === "tpeSearch" ? { nTrials: 4, trainModule, workers: 2 } : { maxResource: 3, trainModule, workers: 2 };
      const run = () => (select[search] as (s: unknown, f: undefined, o: unknown) => Promise<unknown>)(space, undefined, o);
      await expect(run(), search).rejects.toThrow(new RegExp(`${search}: parameter "act" has the function \\w+, which cannot be sent to a worker thread`));
      await expect(run(), search).rejects.toThrow(ValueError);
    }
    // Through choice() too.
    await expect(select.tpeSearch({ x: select.uniform(0, 1), act: select.choice([relu]) }, undefined, { nTrials: 2, trainModule, workers: 2 })).rejects.toThrow(/tpeSearch: parameter "act" has the function \w+/);
  });

  it("is a ValueError when a hand-written sampler draws it, before its batch starts", async () => {
    const sampler = () => () => 1;
    let onTrial = 0;
    await expect(select.tpeSearch({ x: select.uniform(0, 1), f: sampler }, undefined, { nTrials: 2, trainModule, workers: 2, onTrial: () => onTrial++ })).rejects.toThrow(/tpeSearch: parameter "f" has the function/);
    expect(onTrial).toBe(0);
  });

  it("still runs with plain values", async () => {
    const r = await select.tpeSearch({ x: select.uniform(0, 1), act: ["relu", "tanh"] }, undefined, { nTrials: 2, trainModule, workers: 2 });
    expect(r.trials).toHaveLength(2);
  });
});

describe("formatResults, formatTrials, trialsSvg and lrFinderSvg check their options", () => {
  const trials = { trials: [0.5, 0.9, 0.1].map((score, trial) => ({ trial, score, params: { a: trial }, timeMs: 10, state: "complete" })) };
  const search = { bestParams: { a: 1 }, bestScore: 1, bestIndex: 0, results: [{ params: { a: 1 }, scores: [1], mean: 1, std: 0, rank: 1, metrics: {}, timeMs: 5 }] } as never;
  const lr: select.LrFinderResult = { lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2], rawLosses: [1, 0.5, 2], suggestion: 1e-3, steepest: 1e-2, minimumOverTen: 1e-3, stopReason: "endLr" };

  it("digits: an integer in [0, 20]", () => {
    for (const bad of [-1, 21, 1.5, NaN, "3", null]) {
      expect(() => select.formatTrials(trials, { digits: bad as never })).toThrow(new RegExp(`formatTrials: digits must be an integer in \\[0, 20\\], got ${String(bad)}`));
      expect(() => select.formatResults(search, { digits: bad as never })).toThrow(new RegExp(`formatResults: digits must be an integer in \\[0, 20\\], got ${String(bad)}`));
      expect(() => select.formatResults(search, { digits: bad as never })).toThrow(ValueError);
    }
    expect(select.formatTrials(trials, { digits: 0 })).toMatch(/ 1 /);
    expect(select.formatResults(search, { digits: 2 })).toMatch(/1\.00/);
  });

  it("top: a positive integer; greaterIsBetter: a boolean", () => {
    for (const bad of [0, -2, 1.5, NaN, "2"]) expect(() => select.formatTrials(trials, { top: bad as never })).toThrow(new RegExp(`formatTrials: top must be a positive integer, got ${String(bad)}`));
    for (const bad of ["no", 0, null]) expect(() => select.formatTrials(trials, { greaterIsBetter: bad as never })).toThrow(new RegExp(`formatTrials: greaterIsBetter must be true or false, got ${String(bad)}`));
    expect(select.formatTrials(trials, { top: 1 }).split("\n")).toHaveLength(3);
    // Lower is better: trial 2 (score 0.1) ranks first.
    expect(select.formatTrials(trials, { greaterIsBetter: false }).split("\n")[2]).toMatch(/^\s*1\s+2\s/);
  });

  it("title: a string", () => {
    for (const bad of [42, null, {}]) {
      expect(() => select.trialsSvg(trials as never, { title: bad as never })).toThrow(/trialsSvg: title must be a string/);
      expect(() => select.trialsSvg(trials as never, { greaterIsBetter: null as never })).toThrow(/trialsSvg: greaterIsBetter must be true or false, got null/);
      expect(() => select.lrFinderSvg(lr, { title: bad as never })).toThrow(/lrFinderSvg: title must be a string/);
      expect(() => select.lrFinderSvg(lr, { title: bad as never })).toThrow(ValueError);
    }
    expect(select.lrFinderSvg(lr, { title: "My test" })).toMatch(/>My test</);
    expect(select.trialsSvg(trials as never, { title: "Scores" })).toMatch(/>Scores</);
  });
});

describe("trialsSvg with infinite scores", () => {
  it("leaves non-finite scores out of the circles, as the polyline does", () => {
    const scores = [0.5, -Infinity, 0.9, Infinity, NaN, 0.1];
    const r = { trials: scores.map((score, trial) => ({ trial, score, params: {}, timeMs: 1, state: "complete" })) };
    const svg = select.trialsSvg(r as never, { greaterIsBetter: false });
    const circles = [...svg.matchAll(/<circle cx="([^"]*)" cy="([^"]*)"/g)];
    expect(circles).toHaveLength(3);
    for (const [, cx, cy] of circles) {
      expect(Number.isFinite(Number(cx))).toBe(true);
      expect(Number.isFinite(Number(cy))).toBe(true);
    }
    expect(svg).not.toMatch(/Infinity|NaN/);
  });
});
