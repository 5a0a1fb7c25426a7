// F.interpolate's modes, the Upsampling layers, ConvTranspose1d, the 1-D adaptive pools and LP pools against
// PyTorch 1.13 (tests/parity/cases/resize-1d.json, scripts/torch-parity/resize_1d.py): call cases
// and module cases, both run as data.
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runCallCase, type CallCase } from "./run-case.js";
import { runModuleCase, type ModuleCase } from "./run-stateful.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/resize-1d.json", import.meta.url), "utf8")) as { cases: (CallCase | ModuleCase)[] };

describe("interpolation modes, ConvTranspose1d, 1-D adaptive pools and LP pools agree with PyTorch (values and gradients)", () => {
  for (const c of cases) it(c.id, () => (c.kind === "call" ? runCallCase(c) : runModuleCase(c)));
});
