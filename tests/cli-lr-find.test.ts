// `edgegrad lr-find`: the range test on the MLP of `edgegrad train`.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = (args: string[]) => spawnSync(process.execPath, [...process.execArgv.filter((a) => a.includes("wasm")), join(root, "dist", "cli.js"), ...args], { encoding: "utf8" });

describe("edgegrad lr-find", () => {
  it("prints the suggestion and writes the loss against a log-scale lr", () => {
    const out = mkdtempSync(join(tmpdir(), "edgegrad-lr-"));
    const r = cli(["lr-find", "--num-iter", "60", "--start-lr", "1e-6", "--end-lr", "1", "--out", out, "--backend", process.env.EDGEGRAD_BACKEND ?? "auto"]);
    expect(r.status, r.stderr).toBe(0);
    const lr = Number(/suggested lr: ([\d.e+-]+)/.exec(r.stdout)?.[1]);
    expect(lr).toBeGreaterThan(1e-7); // the minimum / 10 of a range starting at 1e-6
    expect(lr).toBeLessThan(0.1);
    const svg = readFileSync(join(out, "lr-find.svg"), "utf8");
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const decades = [...svg.matchAll(/>1e(-?\d+)</g)].map((m) => Number(m[1]));
    expect(decades[0]).toBe(-6);
    decades.forEach((d, i) => expect(d).toBe(-6 + i));
  });

  it("bad arguments end with one line on stderr and exit code 2", () => {
    for (const args of [["lr-find", "--start-lr", "0"], ["lr-find", "--start-lr", "1", "--end-lr", "0.1"], ["lr-find", "--epochs", "3"]]) {
      const r = cli(args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^edgegrad: /);
    }
    expect(cli(["lr-find", "--help"]).stdout).toMatch(/--start-lr/);
  });
});
