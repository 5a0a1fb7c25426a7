// The 3-d convolution family against PyTorch (scripts/torch-parity/conv3d.py): conv3d,
// convTranspose3d and the 3-d pools as call cases, and the modules (Conv3d, ConvTranspose3d, the
// pools, BatchNorm3d, InstanceNorm3d, a small volume CNN) with PyTorch's weights and running
// statistics loaded, compared on output, input and parameter gradients and the state after the forward.
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runCallCase, type CallCase } from "./run-case.js";
import { runModuleCase, type ModuleCase } from "./run-stateful.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/conv3d.json", import.meta.url), "utf8")) as { cases: (CallCase | ModuleCase)[] };

describe("the 3-d convolution, pooling and normalization family agrees with PyTorch (values, gradients, running statistics)", () => {
  for (const c of cases) it(c.id, () => (c.kind === "call" ? runCallCase(c) : runModuleCase(c)));
});
