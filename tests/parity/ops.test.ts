import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runCallCase, type CallCase } from "./run-case.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/ops.json", import.meta.url), "utf8")) as { cases: CallCase[] };

describe("tensor ops agree with PyTorch (values and gradients)", () => {
  for (const c of cases) it(c.id, () => runCallCase(c));
});
