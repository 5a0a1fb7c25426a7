// Axis ticks of the learning-curve plot: round values (1, 2 or 5 times a power of ten) that cover
// the data, as plotting libraries choose them.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { niceTicks, tickDecimals } from "../../src/select/ticks.js";
import { learningCurvesSvg } from "../../src/cli/report.js";

/** The step as mantissa × 10^exponent, recovered from the printed decimal (independent of the code's arithmetic). */
function decompose(step: number): { mantissa: number; exponent: number } {
  const [m, e] = step.toExponential(12).split("e");
  return { mantissa: Number(m), exponent: Number(e) };
}

/** k·step, for integer k, exactly in decimal: the tick printed by the shortest round-trip form must equal it. */
function isMultipleOfStep(tick: number, step: number): boolean {
  const k = Math.round(tick / step);
  const { mantissa, exponent } = decompose(step);
  const exact = exponent >= 0 ? k * mantissa * 10 ** exponent : (k * mantissa) / 10 ** -exponent;
  return tick === exact;
}

describe("niceTicks", () => {
  it("reproduces the familiar choices", () => {
    expect(niceTicks(0, 1, 6)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.0011, 0.385, 6)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(niceTicks(0.912, 0.987, 6)).toEqual([0.9, 0.92, 0.94, 0.96, 0.98, 1]);
    expect(niceTicks(1, 30, 8, 1)).toEqual([0, 5, 10, 15, 20, 25, 30]);
    expect(niceTicks(1, 3, 8, 1)).toEqual([1, 2, 3]);
    expect(niceTicks(-3.2, 7.9, 5)).toEqual([-5, 0, 5, 10]);
    // An empty range is widened around its value.
    expect(niceTicks(2, 2, 5)).toEqual([1.8, 1.9, 2, 2.1, 2.2]);
    expect(niceTicks(0, 0, 5)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(tickDecimals([0.9, 0.92])).toBe(2);
    expect(tickDecimals([0, 5])).toBe(0);
  });

  it("ticks are round, evenly spaced, cover the range, and number at most count (fuzzed)", () => {
    const value = fc.double({ min: -1e9, max: 1e9, noNaN: true });
    fc.assert(fc.property(value, value, fc.integer({ min: 3, max: 12 }), (a, b, count) => {
      const [min, max] = a <= b ? [a, b] : [b, a];
      const ticks = niceTicks(min, max, count);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(count);
      expect(ticks[0]).toBeLessThanOrEqual(min);
      expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(max);
      const step = ticks[1] - ticks[0];
      const { mantissa } = decompose(Number(step.toPrecision(12)));
      expect([1, 2, 5]).toContain(mantissa);
      const round = Number(step.toPrecision(12));
      for (let i = 0; i < ticks.length; i++) {
        expect(isMultipleOfStep(ticks[i], round), `tick ${ticks[i]} of step ${round}`).toBe(true);
        if (i > 0) expect(Math.abs(ticks[i] - ticks[i - 1] - round)).toBeLessThanOrEqual(Math.abs(round) * 1e-9);
      }
      // Not too few either: the next smaller round step would have needed more than count ticks,
      // so this one (at most 2.5 times larger) spans the range in more than (count − 3)/2.5 steps.
      if (max - min > Math.max(Math.abs(min), Math.abs(max)) * 1e-12 && max - min >= 1e-280) {
        expect(ticks.length - 1).toBeGreaterThan((count - 3) / 2.5 - 1e-9);
      }
    }), { numRuns: 1000 });
  });

  it("with minStep 1 (epochs), ticks are whole numbers", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 5000 }), fc.integer({ min: 3, max: 10 }), (n, count) => {
      const ticks = niceTicks(1, n, count, 1);
      expect(ticks.every(Number.isInteger)).toBe(true);
      expect(ticks.length).toBeLessThanOrEqual(count);
    }));
  });

  it("bad arguments are ValueErrors", () => {
    expect(() => niceTicks(0, NaN, 5)).toThrow(ValueError);
    expect(() => niceTicks(2, 1, 5)).toThrow(/not a finite range/);
    expect(() => niceTicks(0, 1, 2)).toThrow(/count must be an integer ≥ 3/);
    expect(() => niceTicks(0, 1, 5, -1)).toThrow(/minStep/);
    expect(() => niceTicks(-1e300, 1e300, 5)).toThrow(/too small or too large/);
  });
});

describe("learning-curve SVG axes", () => {
  const svg = learningCurvesSvg(
    [{ name: "train", values: [0.385, 0.21, 0.11, 0.06, 0.0011], color: "#000" }, { name: "val", values: [0.4, 0.25, NaN, 0.2, 0.19], color: "#888", dashed: true }],
    [{ name: "train", values: [0.88, 0.93, 0.96, 0.98, 0.99], color: "#000" }],
    "t",
  );
  const labels = [...svg.matchAll(/font-size="10">([^<]*)</g)].map((m) => m[1]);

  it("labels the y axes with round values and the x axes with whole epochs", () => {
    // Loss panel: 0.0011…0.4 → 0.0, 0.1, …, 0.4; accuracy 0.88…0.99 → 0.88, 0.90, … 1.00; epochs 1…5.
    expect(labels).toEqual([
      "0.0", "0.1", "0.2", "0.3", "0.4", "1", "2", "3", "4", "5",
      "0.88", "0.90", "0.92", "0.94", "0.96", "0.98", "1.00", "1", "2", "3", "4", "5",
    ]);
    expect(svg).not.toMatch(/NaN/);
  });
});
