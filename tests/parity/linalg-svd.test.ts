// PyTorch 1.13's svd, svdvals, pinv, lstsq, matrixRank, vectorNorm, matrixNorm, cond, eigvalsh,
// multiDot and householderProduct on the cases of scripts/torch-parity/linalg_svd.py (tests/parity/cases/linalg-svd.json):
// values and gradients, singular vectors sign-normalized on both sides as that script says.
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runCallCase, type CallCase } from "./run-case.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/linalg-svd.json", import.meta.url), "utf8")) as { cases: CallCase[] };

describe("PyTorch 1.13 (scripts/torch-parity/linalg_svd.py)", () => {
  for (const c of cases) it(c.id, () => runCallCase(c));
});
