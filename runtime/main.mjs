// Entry for the runtimes that run a file (Node, Deno, Bun): import the package by name, load
// the kernels the default way, run the shared workload, print one marked JSON line.
import * as eg from "edgegrad";
import { MARK, runChecks, runThreadChecks } from "./check.mjs";

const version = globalThis.Deno ? `deno ${globalThis.Deno.version.deno}`
  : globalThis.Bun ? `bun ${globalThis.Bun.version}` : `node ${process.version.slice(1)}`;
await eg.init();
const checks = runChecks(eg);
console.log(MARK + JSON.stringify({ version, ...checks, ...(await runThreadChecks(eg)) }));
