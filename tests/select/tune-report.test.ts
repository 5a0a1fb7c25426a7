import { describe, expect, it } from "vitest";
import { formatTrials, hyperband, lrFinderSvg, tpeSearch, trialsSvg, uniform } from "../../src/select/index.js";
import type { LrFinderResult } from "../../src/select/index.js";

describe("tuning reports", () => {
  it("formatTrials ranks trials best first, with the budget column for Hyperband and the state for TPE", async () => {
    const hb = await hyperband({ x: uniform(0, 1) }, (p: { x: number }, c) => p.x * c.resource!, { maxResource: 9, seed: 1 });
    const lines = formatTrials(hb, { top: 5 }).split("\n");
    expect(lines[0]).toMatch(/^rank\s+trial\s+score\s+budget\s+time\s+x$/);
    expect(lines).toHaveLength(2 + 5);
    const scores = lines.slice(2).map((l) => Number(l.trim().split(/\s+/)[2]));
    const expected = hb.trials.map((t) => t.score).sort((a, b) => b - a).slice(0, 5).map((v) => Number(v.toFixed(4)));
    expect(scores).toEqual(expected);
    const tpe = await tpeSearch({ x: uniform(0, 1) }, (p: { x: number }) => p.x, { nTrials: 6, seed: 1, greaterIsBetter: false });
    const t = formatTrials(tpe, { greaterIsBetter: false }).split("\n");
    expect(t[0]).toMatch(/state/);
    expect(Number(t[2].trim().split(/\s+/)[2])).toBe(Number(Math.min(...tpe.trials.map((q) => q.score)).toFixed(4)));
  });

  it("trialsSvg draws one point per trial, pruned ones hollow, and the best so far", async () => {
    const r = await tpeSearch({ q: uniform(0, 1) }, (p: { q: number }, c) => { c.report(0, p.q); c.report(1, p.q); return p.q; },
      { nTrials: 14, nStartup: 14, seed: 2, pruner: { kind: "median", nStartupTrials: 3 }, roundSize: 1 });
    const svg = trialsSvg(r);
    expect(svg.match(/<circle /g)).toHaveLength(14);
    expect(svg.match(/fill="white" stroke=/g)?.length ?? 0).toBe(r.nPruned);
    expect(svg.match(/<polyline [^>]*points="([^"]*)"/)![1].trim().split(" ")).toHaveLength(14);
  });

  it("lrFinderSvg puts the lr on a log axis with a tick per decade and marks the suggestion", () => {
    const lrs = Array.from({ length: 50 }, (_, i) => 1e-6 * 10 ** (i / 7));
    const losses = lrs.map((lr, i) => 2 - Math.tanh(Math.log10(lr) + 3) + (i > 45 ? 5 : 0));
    const r: LrFinderResult = { lrs, losses, rawLosses: losses, suggestion: 1e-4, steepest: 1e-3, minimumOverTen: 1e-4, stopReason: "diverged" };
    const svg = lrFinderSvg(r);
    const labels = [...svg.matchAll(/>1e(-?\d+)</g)].map((m) => Number(m[1]));
    expect(labels).toEqual([-6, -5, -4, -3, -2, -1, 0, 1]); // 1e-6 … 1e-6 · 10^(49/7) = 10
    expect(svg).toMatch(/suggestion \(minimum \/ 10\) 0.00010/);
  });
});
