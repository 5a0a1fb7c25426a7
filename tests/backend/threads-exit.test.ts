// The pool never keeps a program alive: a Node program that starts threads, multiplies on them
// and ends exits by itself within a second of its last line, loading the built package by name as
// an ES module and as CommonJS (the worker body ships inside each bundle). A pool that held the
// process would keep it alive indefinitely (or for an idle timer's 30 s); the bound leaves room
// for the workers' teardown on a loaded machine (seen at 116–128 ms while other suites ran).
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const work = `
  const info = await eg.init({ threads: 2 });
  const a = eg.randn([400, 300], { seed: 1 });
  const product = a.matmul(a.transpose(0, 1)).sum().item();
  console.log(JSON.stringify({ threads: info.threads, finite: Number.isFinite(product), lastLine: Date.now() }));
`;
const programs = {
  esm: ["--input-type=module", "-e", `import * as eg from "edgegrad";${work}`],
  cjs: ["-e", `const eg = require("edgegrad"); (async () => {${work}})();`],
};

/** Runs a program; resolves with its output and how long after its last line it exited. */
function exitDelay(args: string[]): Promise<{ out: { threads: number; finite: boolean; lastLine: number }; delay: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => { text += d.toString(); });
    child.on("error", reject);
    child.on("exit", (code) => {
      const exited = Date.now();
      if (code !== 0) return reject(new Error(`exit code ${code}: ${text}`));
      const out = JSON.parse(text.trim()) as { threads: number; finite: boolean; lastLine: number };
      resolve({ out, delay: exited - out.lastLine });
    });
  });
}

describe("a program using threads", () => {
  it.each(Object.entries(programs))("exits by itself within a second of its last line (%s)", async (_, args) => {
    const { out, delay } = await exitDelay(args);
    expect(out).toMatchObject({ threads: 2, finite: true });
    expect(delay).toBeLessThanOrEqual(1000);
  });
});
