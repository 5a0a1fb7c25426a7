// erf between the points of its Taylor table (src/nn/erf.ts), where the polynomial is evaluated
// farthest from its centre, against values computed with 40-digit arithmetic (mpmath); and its
// symmetry, and the absence of steps where one grid cell hands over to the next.
import { describe, expect, it } from "vitest";
import { nn } from "../../src/index.js";

const U64 = 2 ** -53;

describe("erf (Taylor table)", () => {
  it("matches 40-digit values off the grid and half-way between its points to a few ulps", () => {
    const ref: [number, number][] = [
      [0.031234375, 0.03523276014353329], [0.3, 0.3286267594591274], [0.7734375, 0.725959841133224],
      [1.2890625, 0.9316980737181556], [1.7658893860415221, 0.987487274701896], [2.0940163972701806, 0.9969374254042319],
      [2.984375, 0.9999756286086948], [4.4921875, 0.9999999997887241], [5.9, 0.9999999999999999],
    ];
    for (const [x, v] of ref) {
      expect(Math.abs(nn.erf(x) - v), `erf(${x})`).toBeLessThanOrEqual(8 * U64 * v);
      expect(nn.erf(-x)).toBe(-nn.erf(x));
    }
    // Tiny arguments keep their relative accuracy: erf(x) ≈ 2x/√π.
    for (const x of [1e-300, 1e-12, 3e-6]) expect(Math.abs(nn.erf(x) / ((2 / Math.sqrt(Math.PI)) * x) - 1)).toBeLessThanOrEqual(4 * U64 + (x * x) / 3);
  });

  it("has no step at the table's cell boundaries: non-decreasing up to rounding (4 ulps)", () => {
    let prev = -1;
    for (let i = -6 * 64 * 4; i <= 6 * 64 * 4; i++) {
      const x = i / 256;
      const v = nn.erf(x);
      expect(v, `erf(${x})`).toBeGreaterThanOrEqual(prev - 4 * U64 * Math.abs(prev));
      prev = v;
    }
  });
});
