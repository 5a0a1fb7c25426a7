import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runCallCase, type CallCase } from "./run-case.js";
import { runModuleCase, type ModuleCase } from "./run-stateful.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/nn.json", import.meta.url), "utf8")) as { cases: (CallCase | ModuleCase)[] };

describe("activations, losses and modules agree with PyTorch (values and gradients)", () => {
  for (const c of cases) it(c.id, () => (c.kind === "call" ? runCallCase(c) : runModuleCase(c)));
});
