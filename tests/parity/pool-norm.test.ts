// Pooling, normalization and resizing against PyTorch (scripts/torch-parity/pool_norm.py): the
// functional cases as every call case, and modules with their weights and buffers loaded, in
// train or eval mode, compared on output, gradients and the state after the forward
// (BatchNorm's running statistics and batch count after a training step).
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runCallCase, type CallCase } from "./run-case.js";
import { runModuleCase, type ModuleCase } from "./run-stateful.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/pool-norm.json", import.meta.url), "utf8")) as { cases: (CallCase | ModuleCase)[] };

describe("pooling, normalization and resizing agree with PyTorch (values, gradients, running statistics)", () => {
  for (const c of cases) it(c.id, () => (c.kind === "call" ? runCallCase(c) : runModuleCase(c)));
});
