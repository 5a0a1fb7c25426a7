// The command a newcomer runs first: `edgegrad train` on the embedded digits, and its errors.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = (args: string[]) => spawnSync(process.execPath, [...process.execArgv.filter((a) => a.includes("wasm")), join(root, "dist", "cli.js"), ...args], { encoding: "utf8" });

describe("edgegrad CLI", () => {
  it("train prints a line per epoch, a results table with the confusion matrix, and writes the SVG", () => {
    const out = mkdtempSync(join(tmpdir(), "edgegrad-cli-"));
    const r = cli(["train", "--epochs", "3", "--out", out, "--backend", process.env.EDGEGRAD_BACKEND ?? "auto"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.match(/^Epoch \d\/3 .*val_accuracy/gm)).toHaveLength(3);
    const acc = Number(/test accuracy\s+([\d.]+)/.exec(r.stdout)?.[1]);
    expect(acc).toBeGreaterThan(0.8); // 3 epochs; the full default run is reported in the README
    expect(r.stdout).toMatch(/macro F1/);
    expect(r.stdout).toMatch(/confusion matrix/);
    const svg = readFileSync(join(out, "learning-curves.svg"), "utf8");
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    // Round tick labels on both axes: short decimals on y, the epochs 1, 2, 3 on x of each panel.
    const ticks = [...svg.matchAll(/font-size="10">([^<]*)</g)].map((m) => m[1]);
    expect(ticks.every((t) => /^-?\d+(\.\d{1,3})?$/.test(t)), ticks.join(" ")).toBe(true);
    expect(ticks.filter((t) => /^[123]$/.test(t)).length).toBeGreaterThanOrEqual(6);
  });

  it("--threads 2 trains on two threads, says so, and gives the one-thread run's numbers bit for bit", () => {
    const backend = process.env.EDGEGRAD_BACKEND ?? "auto";
    const run = (threads: string) => {
      const r = cli(["train", "--epochs", "2", "--threads", threads, "--out", mkdtempSync(join(tmpdir(), "edgegrad-cli-threads-")), "--backend", backend]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const one = run("1"), two = run("2");
    // The js backend has no kernels to split; the header says why it runs on one thread.
    expect(two).toMatch(backend === "js" ? /^edgegrad js, 1 thread \(the js backend\) — /m : /^edgegrad wasm-[a-z-]+, 2 threads — /m);
    expect(one.split("\n")[0]).not.toMatch(/threads/);
    // Everything after the header but the times and the backend row (whose width sets the
    // table's rule): losses, accuracies, F1, the confusion matrix.
    const numbers = (out: string) => out.split("\n").slice(1)
      .filter((l) => !/^(training time|backend|learning curves|-+ +-+$)/.test(l)).map((l) => l.replace(/ - [\d.]+s - /, " - ")).join("\n");
    expect(numbers(two)).toBe(numbers(one));
  });

  it("bad arguments and unreadable data end with one line on stderr and exit code 2", () => {
    for (const args of [["train", "--threads", "0"], ["train", "--threads", "two"], ["train", "--epochs", "-1"], ["train", "--lr"], ["train", "--nope"], ["train", "--data", "/does/not/exist"], ["fly"]]) {
      const r = cli(args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^edgegrad: /);
    }
  });

  it("--help documents each command", () => {
    expect(cli(["--help"]).stdout).toMatch(/train.*\n.*bench/);
    expect(cli(["train", "--help"]).stdout).toMatch(/--data/);
    expect(cli(["bench", "--help"]).stdout).toMatch(/--seconds/);
    expect(existsSync(join(root, "dist", "cli.js"))).toBe(true);
  });
});
