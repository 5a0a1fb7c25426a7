// PyTorch 1.13 cases of scripts/torch-parity/functional_more.py (tests/parity/cases/functional-more.json):
// gridSample in every mode × padding × alignCorners (4-d, and 5-d for bilinear and nearest) and
// affineGrid with their gradients, rrelu in eval mode, tripletMarginWithDistanceLoss with the
// default and two named distances in each reduction, maxUnpool3d fed by our own maxPool3d, and
// the fractional max pools with given samples, whose indices must be PyTorch's exactly (one case
// chosen where float64 window starts would differ from the float32 ones).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nn, type Tensor } from "../../src/index.js";
import { decode, resolveArgs, runCallCase, type CallCase } from "./run-case.js";

const F = nn.functional;
type Case = CallCase & { pool?: CallCase["call"] };
const { cases } = JSON.parse(readFileSync(new URL("./cases/functional-more.json", import.meta.url), "utf8")) as { cases: Case[] };
const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);

/** The distances the generator names by { $distance }, as PyTorch's lambdas there. */
const DISTANCES: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  cosine: (a, b) => F.cosineSimilarity(a, b).neg().add(1),
  l1: (a, b) => F.pairwiseDistance(a, b, { p: 1 }),
};
function withDistances(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withDistances);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$distance === "string") return DISTANCES[o.$distance];
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, withDistances(x)]));
  }
  return v;
}

describe("PyTorch 1.13 cases (scripts/torch-parity/functional_more.py)", () => {
  it("has the cases of every op, each grid mode, padding and alignment", () => {
    const ids = cases.map((c) => c.id);
    for (const mode of ["bilinear", "nearest", "bicubic"]) {
      for (const padding of ["zeros", "border", "reflection"]) {
        for (const align of ["align", "noalign"]) expect(ids, `${mode} ${padding} ${align}`).toContain(`gridSample/2d-${mode}-${padding}-${align}`);
      }
    }
    for (const p of ["gridSample/3d-bilinear", "gridSample/3d-nearest", "affineGrid/2d", "affineGrid/3d", "rrelu/eval", "maxUnpool3d/",
      "tripletMarginWithDistanceLoss/", "fractionalMaxPool2d/", "fractionalMaxPool3d/", "fractionalMaxPool2d/float32-sequence"]) {
      expect(ids.some((id) => id.startsWith(p)), p).toBe(true);
    }
  });
  for (const c of cases) {
    it(c.id, () => {
      if (c.pool) {
        // Our maxPool3d gives PyTorch's flat per-volume indices and values: the unpool is fed our own.
        const [y, idx] = (F.maxPool3d as (...a: unknown[]) => [Tensor, Tensor])(...(resolveArgs(c.pool.args, { src: decode(c.inputs.src) }) as unknown[]));
        expect(list(idx)).toEqual(c.inputs.idx.data);
        expect(list(y)).toEqual(list(decode(c.inputs.y)));
      }
      runCallCase({ ...c, call: { ...c.call, args: withDistances(c.call.args) as unknown[] } });
    });
  }
});
