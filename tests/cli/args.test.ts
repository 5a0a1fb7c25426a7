// The CLI's option ranges: each numeric option takes the values its help documents (0 where 0
// means something: a seed, no weight decay, no samples), and refuses the rest with a UsageError.
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError, type OptionSpec } from "../../src/cli/args.js";
import { benchOptions } from "../../src/cli/bench.js";
import { charlmOptions } from "../../src/cli/charlm.js";
import { lrFindOptions } from "../../src/cli/lr-find.js";
import { trainOptions } from "../../src/cli/train.js";

const tables: [string, Record<string, OptionSpec>][] = [["train", trainOptions], ["train --model charlm", charlmOptions], ["lr-find", lrFindOptions], ["bench", benchOptions]];

describe("CLI option ranges", () => {
  it("0 is accepted where it is meaningful: --seed, --weight-decay, --samples, --dropout", () => {
    expect(parseArgs(["--weight-decay", "0", "--seed", "0"], trainOptions)).toMatchObject({ "weight-decay": 0, seed: 0 });
    expect(parseArgs(["--weight-decay=0", "--seed=0", "--dropout", "0"], lrFindOptions)).toMatchObject({ "weight-decay": 0, seed: 0, dropout: 0 });
    expect(parseArgs(["--seed", "0", "--samples", "0", "--weight-decay", "0"], charlmOptions)).toMatchObject({ seed: 0, samples: 0, "weight-decay": 0 });
  });

  it("a documented default of 0 is a value the option accepts when given", () => {
    for (const [command, spec] of tables) {
      for (const [name, s] of Object.entries(spec)) {
        if (s.default !== 0 && !/\(0[,)]/.test(s.help)) continue;
        expect(() => parseArgs([`--${name}`, "0"], spec), `${command} --${name} 0`).not.toThrow();
      }
    }
  });

  it("refuses negative seeds and weight decays, and 0 where it means nothing", () => {
    const refused: [string[], Record<string, OptionSpec>, RegExp][] = [
      [["--seed", "-1"], trainOptions, /--seed must be a non-negative integer, got "-1"/],
      [["--seed", "1.5"], charlmOptions, /--seed must be a non-negative integer, got "1.5"/],
      [["--weight-decay", "-0.1"], trainOptions, /--weight-decay must be a non-negative number, got "-0.1"/],
      [["--dropout", "1"], lrFindOptions, /--dropout must be a number in \[0, 1\), got "1"/],
      [["--lr", "0"], trainOptions, /--lr must be a positive number, got "0"/],
      [["--epochs", "0"], trainOptions, /--epochs must be a positive integer, got "0"/],
      [["--batch-size", "0"], charlmOptions, /--batch-size must be a positive integer, got "0"/],
      [["--seconds", "0"], benchOptions, /--seconds must be a positive number, got "0"/],
      [["--seed", ""], trainOptions, /--seed must be a non-negative integer, got ""/],
    ];
    for (const [argv, spec, message] of refused) {
      expect(() => parseArgs(argv, spec), argv.join(" ")).toThrow(UsageError);
      expect(() => parseArgs(argv, spec), argv.join(" ")).toThrow(message);
    }
  });
});
