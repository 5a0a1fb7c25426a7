// The command line as a user types it: an option given twice, an --out that cannot be made, a
// --prompt the text cannot encode, lr-find's ranges. Each is a UsageError (exit code 2, one line)
// raised before any training, not a stack trace or an API-named error after it. The commands run
// in this process from src/, so the tests check the code as it is, not the last build in dist/.
import { beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { parseArgs, UsageError, type OptionSpec } from "../../src/cli/args.js";
import { charlmOptions, charlmUsage, trainCharLm } from "../../src/cli/charlm.js";
import { lrFind, lrFindOptions, lrFindUsage } from "../../src/cli/lr-find.js";
import { train, trainOptions, trainUsage } from "../../src/cli/train.js";
import { benchOptions, benchUsage } from "../../src/cli/bench.js";

const backend = ["--backend", process.env.EDGEGRAD_BACKEND ?? "auto"];

/** Runs a command in this process; returns what it wrote and what it threw. */
async function run(command: (argv: string[], write: (s: string) => void) => Promise<void>, argv: string[]) {
  const lines: string[] = [];
  let error: unknown;
  try {
    await command([...argv, ...backend], (s) => lines.push(s));
  } catch (e) {
    error = e;
  }
  return { lines, error };
}

async function expectUsageError(command: Parameters<typeof run>[0], argv: string[], message: RegExp) {
  const r = await run(command, argv);
  expect(r.error, argv.join(" ")).toBeInstanceOf(UsageError);
  expect((r.error as Error).message).toMatch(message);
  // Refused before the first line of output: nothing trained.
  expect(r.lines).toEqual([]);
}

/** A small text for --model charlm: 12 kB of seven words, so a few steps of a tiny model run in a second. */
function smallText(): string {
  const words = ["the", "cat", "sat", "on", "a", "mat", "dog"];
  let s = "";
  for (let i = 0; i < 2000; i++) s += words[(i * 7 + (i >> 3)) % words.length] + (i % 8 === 7 ? "\n" : " ");
  const file = join(mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-")), "text.txt");
  writeFileSync(file, s);
  return file;
}
const tinyLm = ["--model", "charlm", "--steps", "1", "--layers", "1", "--d-model", "16", "--heads", "2", "--context", "8",
  "--eval-tokens", "64", "--samples", "1", "--sample-length", "4"];

describe("CLI sweep: options given twice", () => {
  it("an option given twice is refused, in both --opt value and --opt=value forms, instead of the last one winning", () => {
    expect(() => parseArgs(["--epochs", "1", "--epochs", "2"], trainOptions)).toThrow(/^--epochs is given twice$/);
    expect(() => parseArgs(["--lr=0.1", "--lr", "0.2"], trainOptions)).toThrow(/^--lr is given twice$/);
    expect(() => parseArgs(["--seconds", "1", "--seconds=1"], benchOptions)).toThrow(UsageError);
    expect(() => parseArgs(["--num-iter", "5", "--seed", "2", "--num-iter", "6"], lrFindOptions)).toThrow(/--num-iter is given twice/);
    // Each option once, in either form, still parses.
    expect(parseArgs(["--epochs=3", "--lr", "0.01"], trainOptions)).toMatchObject({ epochs: 3, lr: 0.01 });
  });

  it("`train --model charlm --model cnn` names the repeated option (it used to say '--model must be  or charlm')", async () => {
    await expectUsageError(trainCharLm, ["--model", "charlm", "--model", "cnn"], /^--model is given twice$/);
    await expectUsageError(train, ["--model", "cnn", "--model=mlp"], /^--model is given twice$/);
  });
});

describe("CLI sweep: numbers", () => {
  it("only decimal numbers are numbers: hex, binary and padded values are refused (Number() read 0x10 as 16)", () => {
    const refused: [string[], Record<string, OptionSpec>, RegExp][] = [
      [["--epochs", "0x10"], trainOptions, /^--epochs must be a positive integer, got "0x10"$/],
      [["--seed", "0b11"], trainOptions, /^--seed must be a non-negative integer, got "0b11"$/],
      [["--lr", " 0.1"], trainOptions, /^--lr must be a positive number, got " 0.1"$/],
      [["--dropout", "0x0"], trainOptions, /^--dropout must be a number in \[0, 1\), got "0x0"$/],
      [["--hidden", "0x8,4"], trainOptions, /^--hidden must be positive integers separated by commas, got "0x8,4"$/],
      [["--hidden", "8, 4"], trainOptions, /^--hidden must be positive integers separated by commas, got "8, 4"$/],
      [["--seconds", "Infinity"], benchOptions, /^--seconds must be a positive number, got "Infinity"$/],
    ];
    for (const [argv, spec, message] of refused) expect(() => parseArgs(argv, spec), argv.join(" ")).toThrow(message);
  });

  it("an integer option past 2^53 is refused by name (it was the seed's own message, or a silently rounded value)", () => {
    expect(() => parseArgs(["--seed", "1e300"], trainOptions)).toThrow(/^--seed must be at most 2\^53 - 1, got "1e300"$/);
    expect(() => parseArgs(["--seed", "9007199254740993"], charlmOptions)).toThrow(/^--seed must be at most 2\^53 - 1, got "9007199254740993"$/);
    expect(() => parseArgs(["--num-iter", "1e16"], lrFindOptions)).toThrow(/^--num-iter must be at most 2\^53 - 1/);
    expect(parseArgs(["--seed", "9007199254740991"], trainOptions)).toMatchObject({ seed: 9007199254740991 });
    expect(() => parseArgs(["--seed", "-1e300"], trainOptions)).toThrow(/^--seed must be a non-negative integer, got "-1e300"$/);
  });

  it("--threads reads decimal counts only, like the other numbers", async () => {
    await expectUsageError(train, ["--threads", "0x2"], /^--threads must be a positive integer or auto, got "0x2"$/);
    await expectUsageError(lrFind, ["--threads", " 2"], /^--threads must be a positive integer or auto, got " 2"$/);
    // Exponents, leading or trailing points and a plus sign are decimal notation.
    expect(parseArgs(["--lr", "1e-3", "--dropout=.5", "--epochs", "1E1", "--batch-size", "+16", "--weight-decay", "5."], trainOptions))
      .toMatchObject({ lr: 1e-3, dropout: 0.5, epochs: 10, "batch-size": 16, "weight-decay": 5 });
  });
});

describe("CLI sweep: one option, one range", () => {
  it("--weight-decay takes any value ≥ 0 in every command, as AdamW does (charlm refused 1 as not in [0, 1))", () => {
    for (const spec of [trainOptions, lrFindOptions, charlmOptions]) {
      expect(parseArgs(["--weight-decay", "1"], spec)).toMatchObject({ "weight-decay": 1 });
      expect(() => parseArgs(["--weight-decay", "-0.1"], spec)).toThrow(/^--weight-decay must be a non-negative number, got "-0.1"$/);
    }
  });
});

describe("CLI sweep: a missing value", () => {
  it("an option followed by another option has no value (`--data --epochs 3` said: unexpected argument \"3\")", () => {
    expect(() => parseArgs(["--data", "--epochs", "3"], trainOptions)).toThrow(/^--data needs a value$/);
    expect(() => parseArgs(["--lr", "--epochs", "3"], trainOptions)).toThrow(/^--lr needs a value$/);
    expect(() => parseArgs(["--out"], lrFindOptions)).toThrow(/^--out needs a value$/);
    // A value that starts with "--" is given with "="; a negative number is still a value (and refused as one).
    expect(parseArgs(["--prompt=--", "--seed", "2"], charlmOptions)).toMatchObject({ prompt: "--", seed: 2 });
    expect(() => parseArgs(["--epochs", "-1"], trainOptions)).toThrow(/^--epochs must be a positive integer, got "-1"$/);
  });
});

describe("CLI sweep: help text", () => {
  it("each help lists every option the command accepts, once, one option per line", () => {
    const cases: [string, Record<string, unknown>][] = [[trainUsage(), trainOptions], [charlmUsage(), charlmOptions], [lrFindUsage(), lrFindOptions], [benchUsage(), benchOptions]];
    for (const [help, spec] of cases) {
      const rows = help.split("\n\nOptions:\n")[1].split("\n");
      // --prompt's default, a newline, used to be printed raw: its row broke in two and the next began with ")".
      expect(rows.every((r) => r.startsWith("  --")), rows.filter((r) => !r.startsWith("  --")).join(" | ")).toBe(true);
      const listed = rows.map((r) => r.trim().split(/\s/)[0].slice(2));
      expect(listed).toEqual([...Object.keys(spec), "help"]);
    }
  });

  it("a help text that states its own default is not followed by a second (default …)", () => {
    const prompt = charlmUsage().split("\n").find((r) => r.startsWith("  --prompt"));
    expect(prompt).toMatch(/\(default a newline, or the text's first character if it has none\)$/);
    expect(prompt?.match(/\(default/g)).toHaveLength(1);
  });
});

describe("CLI sweep: --out is checked before training", () => {
  it("train: an --out that is a file is a UsageError before the first epoch (it was an EEXIST stack trace after training)", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-")), "taken");
    writeFileSync(file, "");
    await expectUsageError(train, ["--epochs", "1", "--out", file], /^cannot create the --out directory .*taken: EEXIST/);
    await expectUsageError(train, ["--epochs", "1", "--out", join(file, "sub")], /^cannot create the --out directory .*sub: ENOTDIR/);
  });

  it("lr-find and train --model charlm: the same", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-")), "taken");
    writeFileSync(file, "");
    await expectUsageError(lrFind, ["--num-iter", "5", "--out", file], /^cannot create the --out directory .*taken: EEXIST/);
    await expectUsageError(trainCharLm, [...tinyLm, "--data", smallText(), "--out", file], /^cannot create the --out directory .*taken: EEXIST/);
  });

  it("a missing --out directory is created, parents too, and the curves land in it", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-")), "a", "b");
    const r = await run(train, ["--epochs", "1", "--hidden", "8", "--out", out]);
    expect(r.error).toBeUndefined();
    expect(existsSync(join(out, "learning-curves.svg"))).toBe(true);
    expect(r.lines.at(-1)).toBe(`learning curves: ${join(out, "learning-curves.svg")}`);
  });
});

describe("CLI sweep: --prompt of the language model", () => {
  it("a prompt with a character the text lacks is refused before training (it was CharTokenizer.encode's ValueError after it)", async () => {
    const out = mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-"));
    await expectUsageError(trainCharLm, [...tinyLm, "--data", smallText(), "--out", out, "--prompt", "thX"],
      /^--prompt has "X", which the text never contains/);
  });

  it("an empty prompt is refused before training (it was generate's ValueError after it)", async () => {
    const out = mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-"));
    await expectUsageError(trainCharLm, [...tinyLm, "--data", smallText(), "--out", out, "--prompt="], /^--prompt must have at least one character$/);
  });

  it("a prompt from the text's characters trains and samples", async () => {
    const out = mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-"));
    const r = await run(trainCharLm, [...tinyLm, "--data", smallText(), "--out", out, "--prompt", "the "]);
    expect(r.error).toBeUndefined();
    const i = r.lines.indexOf("sample 1 (temperature 0.8):");
    expect(i).toBeGreaterThan(0);
    expect(r.lines[i + 1]).toMatch(/^the .{4}$/s);
  });
});

describe("CLI sweep: lr-find's ranges in the command line's names", () => {
  it("--end-lr not above --start-lr, and --num-iter under 5, are UsageErrors naming the options (they were lrFinder's startLr/numIter)", async () => {
    await expectUsageError(lrFind, ["--start-lr", "1", "--end-lr", "0.1"], /^--end-lr \(0\.1\) must be above --start-lr \(1\)$/);
    await expectUsageError(lrFind, ["--start-lr", "0.1", "--end-lr=0.1"], /^--end-lr \(0\.1\) must be above --start-lr \(0\.1\)$/);
    await expectUsageError(lrFind, ["--num-iter", "4"], /^--num-iter must be at least 5, got 4$/);
    expect(lrFindUsage()).toMatch(/--num-iter INT +mini-batches over which the lr grows \(at least 5\)/);
  });
});

describe("CLI sweep: the command as typed (src/cli/main.ts bundled by esbuild, as tsup bundles dist/cli.js)", () => {
  let cli: (args: string[]) => ReturnType<typeof spawnSync>;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-")), "cli.mjs");
    const main = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "cli", "main.ts");
    await build({ entryPoints: [main], bundle: true, platform: "node", format: "esm", outfile: file, logLevel: "error" });
    cli = (args) => spawnSync(process.execPath, [...process.execArgv.filter((a) => a.includes("wasm")), file, ...args], { encoding: "utf8" });
  });

  it("a command named like an Object method is an unknown command (it was a TypeError stack trace, exit code 1)", () => {
    for (const command of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
      const r = cli([command]);
      expect(r.status, command).toBe(2);
      expect(r.stderr).toBe(`edgegrad: unknown command "${command}" (expected train, bench or lr-find)\n`);
    }
  });

  it("an --out that is a file ends with one line and exit code 2 before training (it was exit code 1 and a stack trace after it)", () => {
    const file = join(mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-")), "taken");
    writeFileSync(file, "");
    const r = cli(["train", "--epochs", "1", "--out", file, ...backend]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^edgegrad: cannot create the --out directory .*taken: EEXIST[^\n]*\n$/);
  });

  it("help and a short run exit with 0", () => {
    expect(cli(["lr-find", "--help"]).status).toBe(0);
    const out = join(mkdtempSync(join(tmpdir(), "edgegrad-sweep-cli-")), "new", "dir");
    const r = cli(["lr-find", "--num-iter", "5", "--out", out, ...backend]);
    expect(r.status, String(r.stderr)).toBe(0);
    expect(existsSync(join(out, "lr-find.svg"))).toBe(true);
  });
});
