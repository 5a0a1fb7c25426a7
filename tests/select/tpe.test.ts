import { describe, expect, it } from "vitest";
import { ValueError } from "../../src/errors.js";
import { Rng } from "../../src/ndarray/index.js";
import { choice, intUniform, logUniform, tpeSearch, TrialPruned, uniform } from "../../src/select/index.js";
import type { TrialContext } from "../../src/select/index.js";

const OPT = { x: 1.3, y: -2.1 };
const quadratic = (p: { x: number; y: number }) => (p.x - OPT.x) ** 2 + 3 * (p.y - OPT.y) ** 2;

/** Random search written here: nTrials uniform draws, the best value found. */
function randomBest(nTrials: number, seed: number): number {
  const rng = new Rng(seed + 1000);
  let best = Infinity;
  for (let i = 0; i < nTrials; i++) best = Math.min(best, quadratic({ x: -5 + 10 * rng.uniform(), y: -5 + 10 * rng.uniform() }));
  return best;
}

describe("tpeSearch", () => {
  it("beats random search with the same budget on a 2-D quadratic in ≥ 8 of 10 seeds", async () => {
    let wins = 0;
    for (let seed = 0; seed < 10; seed++) {
      const r = await tpeSearch({ x: uniform(-5, 5), y: uniform(-5, 5) }, quadratic, { nTrials: 50, nStartup: 10, seed, greaterIsBetter: false });
      expect(r.bestScore).toBe(quadratic(r.bestParams as { x: number; y: number }));
      if (r.bestScore < randomBest(50, seed)) wins++;
    }
    expect(wins).toBeGreaterThanOrEqual(8);
  });

  it("concentrates on the good region of log-scale, integer and categorical parameters", async () => {
    // The best: lr near 1e-3 (log scale), width 7, activation "b".
    const f = (p: { lr: number; width: number; act: string }) => Math.log10(p.lr / 1e-3) ** 2 + 0.1 * (p.width - 7) ** 2 + (p.act === "b" ? 0 : 1);
    const r = await tpeSearch({ lr: logUniform(1e-6, 1), width: intUniform(1, 16), act: choice(["a", "b", "c"]) }, f, { nTrials: 60, nStartup: 12, seed: 3, greaterIsBetter: false });
    const later = r.trials.slice(30);
    expect(later.filter((t) => t.params.act === "b").length).toBeGreaterThan(later.length / 2);
    expect(later.every((t) => Number.isInteger(t.params.width) && (t.params.width as number) >= 1 && (t.params.width as number) <= 16)).toBe(true);
    expect(later.every((t) => (t.params.lr as number) >= 1e-6 && (t.params.lr as number) < 1)).toBe(true);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    expect(median(later.map((t) => Math.abs(Math.log10(t.params.lr as number) + 3)))).toBeLessThan(1);
    expect(r.bestScore).toBeLessThan(0.5);
  });

  it("is deterministic for a seed, and the round size does not change which trials are random", async () => {
    const a = await tpeSearch({ x: uniform(-5, 5), y: uniform(-5, 5) }, quadratic, { nTrials: 20, seed: 9, greaterIsBetter: false });
    const b = await tpeSearch({ x: uniform(-5, 5), y: uniform(-5, 5) }, quadratic, { nTrials: 20, seed: 9, greaterIsBetter: false });
    expect(b.trials.map((t) => t.params)).toEqual(a.trials.map((t) => t.params));
  });

  it("prunes trials whose report is worse than the median of completed trials at that step", async () => {
    const steps = 10;
    const curve = async (p: { q: number }, ctx: TrialContext) => {
      let v = 0;
      for (let s = 0; s < steps; s++) { v = p.q * (s + 1); ctx.report(s, v); }
      return v;
    };
    const r = await tpeSearch({ q: uniform(0, 1) }, curve, { nTrials: 30, nStartup: 30, seed: 4, pruner: { kind: "median", nStartupTrials: 3, nWarmupSteps: 2 }, roundSize: 1 });
    expect(r.nPruned).toBeGreaterThan(5);
    for (const t of r.trials) {
      // The reference: the completed trials before this one (rounds of one trial).
      const before = r.trials.filter((u) => u.trial < t.trial && u.state === "complete");
      if (t.state === "pruned") {
        expect(before.length).toBeGreaterThanOrEqual(3);
        expect(t.reports.length).toBeLessThan(steps);
        const [step, value] = t.reports[t.reports.length - 1];
        expect(step).toBeGreaterThanOrEqual(2);
        const at = before.map((u) => u.reports.find(([s]) => s === step)![1]).sort((a, b) => a - b);
        const h = at.length >> 1;
        const med = at.length % 2 ? at[h] : (at[h - 1] + at[h]) / 2;
        expect(value).toBeLessThan(med);
        expect(t.score).toBe(value);
      } else {
        expect(t.reports.length).toBe(steps);
      }
    }
    expect(r.trials.find((t) => t.trial === r.bestTrial)!.state).toBe("complete");
  });

  it("lets a trial catch nothing: report throws TrialPruned", async () => {
    let caught: unknown = null;
    await tpeSearch({ q: uniform(0, 1) }, (p: { q: number }, ctx) => {
      try { ctx.report(0, p.q); ctx.report(1, p.q); } catch (e) { caught = e; throw e; }
      return p.q;
    }, { nTrials: 12, nStartup: 12, seed: 1, pruner: "median", roundSize: 1 });
    expect(caught).toBeInstanceOf(TrialPruned);
  });

  it("refuses bad options before any trial", async () => {
    let calls = 0;
    const f = () => { calls++; return 0; };
    await expect(tpeSearch({ x: uniform(0, 1) }, f, { gamma: 1 })).rejects.toThrow(ValueError);
    await expect(tpeSearch({ x: uniform(0, 1) }, f, { nTrials: 0 })).rejects.toThrow(ValueError);
    await expect(tpeSearch({ x: uniform(0, 1) }, f, { pruner: "mean" as never })).rejects.toThrow(/pruner/);
    await expect(tpeSearch({ x: uniform(0, 1) }, f, { nTrial: 3 } as never)).rejects.toThrow(/unknown option "nTrial"/);
    expect(calls).toBe(0);
  });
});
