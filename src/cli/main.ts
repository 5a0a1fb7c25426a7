#!/usr/bin/env node
// The edgegrad command line: `edgegrad train`, `edgegrad bench`, `--help` for each.
import { EdgegradError } from "../errors.js";
import { UsageError } from "./args.js";
import { bench, benchUsage } from "./bench.js";
import { charlmUsage, isCharLm, trainCharLm } from "./charlm.js";
import { lrFind, lrFindUsage } from "./lr-find.js";
import { train, trainUsage } from "./train.js";

const HELP = `Usage: edgegrad <command> [options]

Commands:
  train   train an MLP (or --model cnn) on the embedded digits (or Fashion-MNIST with --data DIR), or --model charlm on text
  bench   measure matmul GFLOP/s on each backend of this machine
  lr-find run the learning-rate range test on the MLP of train and suggest an lr

Run "edgegrad <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const write = (s: string) => process.stdout.write(s + "\n");
  const [command, ...rest] = argv;
  const commands: Record<string, [typeof train, () => string]> = { train: [train, trainUsage], bench: [bench, benchUsage], "lr-find": [lrFind, lrFindUsage] };
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    write(HELP);
    return 0;
  }
  // The language model has options of its own; `train --model charlm` goes straight to it.
  // Own keys only: "constructor" or "toString" would find Object's and fail with a TypeError.
  const entry = command === "train" && isCharLm(rest) ? [trainCharLm, charlmUsage] as const : Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (!entry) throw new UsageError(`unknown command "${command}" (expected train, bench or lr-find)`);
  if (rest.includes("--help") || rest.includes("-h")) {
    write(entry[1]());
    return 0;
  }
  await entry[0](rest, write);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // Bad arguments and unreadable data end with one line and a non-zero code, not a stack trace.
    if (e instanceof UsageError || e instanceof EdgegradError) {
      process.stderr.write(`edgegrad: ${(e as Error).message}\n`);
      process.exit(2);
    }
    throw e;
  },
);
