import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { runOptimizerCase, runSchedulerCase, type OptimizerCase, type SchedulerCase } from "./run-stateful.js";

const { cases } = JSON.parse(readFileSync(new URL("./cases/optim.json", import.meta.url), "utf8")) as { cases: (OptimizerCase | SchedulerCase)[] };

describe("optimizers and LR schedules agree with PyTorch", () => {
  for (const c of cases) it(c.id, () => (c.kind === "optimizer" ? runOptimizerCase(c) : runSchedulerCase(c)));
});
