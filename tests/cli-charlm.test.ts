// `edgegrad train --model charlm` on a tiny text with a tiny model: progress lines with tokens/s,
// validation in bits per character per epoch, the results table, samples, the SVG; its errors.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = (args: string[]) => spawnSync(process.execPath,
  [...process.execArgv.filter((a) => a.includes("wasm")), join(root, "dist", "cli.js"), ...args], { encoding: "utf8" });

const LINES = ["the cat sat on the mat.", "a dog ran to the log.", "the fox hid in a box."];
/** 3 short sentences repeated: 20 distinct characters, so a uniform guess costs log2(20) = 4.32 bits. */
function tinyText(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgegrad-charlm-"));
  const file = join(dir, "tiny.txt");
  writeFileSync(file, Array.from({ length: 120 }, (_, i) => LINES[i % 3]).join("\n") + "\n");
  return file;
}
const TINY = ["--layers", "1", "--d-model", "16", "--heads", "2", "--context", "16", "--batch-size", "8", "--lr", "1e-2", "--eval-tokens", "256"];

describe("edgegrad train --model charlm", () => {
  it("samples from a text with no newline, whose vocabulary lacks the default prompt: from its first character", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgegrad-charlm-"));
    const file = join(dir, "one-line.txt");
    writeFileSync(file, LINES.join(" ").repeat(60));
    const out = mkdtempSync(join(tmpdir(), "edgegrad-charlm-out-"));
    const r = cli(["train", "--model", "charlm", "--data", file, ...TINY, "--steps", "4", "--steps-per-epoch", "4",
      "--samples", "1", "--sample-length", "10", "--out", out, "--backend", process.env.EDGEGRAD_BACKEND ?? "auto"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^sample 1 \(temperature 0.8\):\n[a-z .]{11}\n/m);
  });

  it("trains on a text file: a line per step with tokens/s, bits per character per epoch, samples, the SVG", () => {
    const out = mkdtempSync(join(tmpdir(), "edgegrad-charlm-out-"));
    const r = cli(["train", "--model", "charlm", "--data", tinyText(), ...TINY, "--steps", "60", "--steps-per-epoch", "20",
      "--samples", "2", "--sample-length", "40", "--out", out, "--backend", process.env.EDGEGRAD_BACKEND ?? "auto"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/vocabulary 20\n/);
    expect(r.stdout.match(/^step \d+ epoch \d .* \d+ tokens\/s/gm)).toHaveLength(60);
    const epochs = [...r.stdout.matchAll(/^Epoch (\d): train loss ([\d.]+) bits\/char, validation ([\d.]+) bits\/char/gm)];
    expect(epochs.map((m) => m[1])).toEqual(["1", "2", "3"]);
    // Better than a uniform guess over 20 characters by a wide margin: the text repeats itself.
    const final = Number(/validation loss\s+[\d.]+ nats\/char \(([\d.]+) bits\/char\)/.exec(r.stdout)?.[1]);
    expect(final).toBeLessThan(Math.log2(20) - 1.5);
    const samples = [...r.stdout.matchAll(/^sample \d \(temperature 0.8\):\n([\s\S]*?)(?=\n\nsample|\n\nlearning curves)/gm)];
    expect(samples).toHaveLength(2);
    // Each sample is the prompt ("\n") and 40 characters of the text's vocabulary.
    for (const s of samples) expect([...s[1]].every((ch) => /[a-z .\n]/.test(ch))).toBe(true);
    const svg = readFileSync(join(out, "learning-curves.svg"), "utf8");
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toMatch(/bits per character/);
  });

  it("--minutes bounds the training time; the schedule still ends", () => {
    const r = cli(["train", "--model=charlm", "--data", tinyText(), ...TINY, "--minutes", "0.02", "--samples", "1", "--log-every", "1000"]);
    expect(r.status, r.stderr).toBe(0);
    const seconds = Number(/training\s+\d+ steps, \d+ characters, ([\d.]+) s/.exec(r.stdout)?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(1.2 + 5); // 1.2 s budget plus at most one step
    const cpu = Number(/CPU time in training\s+([\d.]+) s \(\d+ tokens per CPU second\)/.exec(r.stdout)?.[1]);
    expect(cpu).toBeGreaterThan(0);
  });

  it("bad options and unreadable data end with one line and exit code 2; --help lists the options", () => {
    const cases: [string[], RegExp][] = [
      [["--data", "/does/not/exist"], /cannot read \/does\/not\/exist/],
      [["--data", tinyText(), "--heads", "3"], /--heads \(3\) must divide --d-model \(128\)/],
      [["--data", tinyText(), "--schedule", "linear"], /--schedule must be onecycle, cosine or none, got "linear"/],
      [["--data", tinyText(), "--context", "4000"], /too short: its last 10% \(\d+ characters\) must be longer than --context 4000/],
      [["--hidden", "64"], /unknown option --hidden/],
      [["--data", tinyText(), "--replicas", "9"], /--replicas \(9\) must not exceed --batch-size \(8\)/],
    ];
    for (const [args, message] of cases) {
      const r = cli(["train", "--model", "charlm", ...args]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const help = cli(["train", "--model", "charlm", "--help"]).stdout;
    expect(help).toMatch(/--d-model INT +width of the token vectors \(default 128\)/);
    expect(help).toMatch(/--minutes NUMBER/);
    expect(cli(["train", "--help"]).stdout).toMatch(/charlm/);
  });

  it("--replicas 2 computes each step's gradient in two threads: the same losses as one, up to the order of the sums", () => {
    const text = tinyText();
    const losses = (replicas: string) => {
      const r = cli(["train", "--model", "charlm", "--data", text, ...TINY, "--steps", "12", "--samples", "1", "--sample-length", "4",
        "--replicas", replicas, "--backend", process.env.EDGEGRAD_BACKEND ?? "auto"]);
      expect(r.status, r.stderr).toBe(0);
      return { out: r.stdout, steps: [...r.stdout.matchAll(/^step \d+ epoch \d +loss ([\d.]+)/gm)].map((m) => Number(m[1])) };
    };
    const one = losses("1"), two = losses("2");
    expect(two.out).toMatch(/data parallel: 2 replicas, each on 8\/2 of every batch's windows/);
    expect(two.steps).toHaveLength(12);
    // The batch's gradient summed in two halves differs from one sum in the last bits only: the
    // printed losses (4 decimals) of the first steps agree to a few units of their last place.
    two.steps.forEach((l, i) => expect(Math.abs(l - one.steps[i]), `step ${i + 1}`).toBeLessThanOrEqual(2e-4 * (i + 1)));
  });
});
