import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runModuleCase, type ModuleCase } from "./run-stateful.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/conv.json", import.meta.url), "utf8")) as { cases: ModuleCase[] };

describe("Conv1d, Conv2d, ConvTranspose2d and a small CNN agree with PyTorch (values and gradients)", () => {
  for (const c of cases) it(c.id, () => runModuleCase(c));
});
