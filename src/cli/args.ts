/**
 * A small argv parser: `--name value`, `--name=value`, and bare `--flag`. Unknown options, options
 * given twice and malformed values are reported as a one-line UsageError, which the CLI turns into
 * exit code 2.
 */
export class UsageError extends Error {}

export interface OptionSpec {
  /** "number" (> 0), "fraction" (in [0, 1)), "int" (≥ 1), "string", "list" (comma-separated ints ≥ 1) or "flag". */
  type: "number" | "fraction" | "int" | "string" | "list" | "flag";
  help: string;
  default?: unknown;
  /** A "number" or "int" for which 0 means something (a seed, no weight decay): ≥ 0 instead of > 0. */
  allowZero?: boolean;
}

export type Parsed = Record<string, number | string | number[] | boolean>;

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>): Parsed {
  const out: Parsed = {};
  const given = new Set<string>();
  for (const [name, s] of Object.entries(spec)) if (s.default !== undefined) out[name] = s.default as Parsed[string];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option --${name}`);
    // The last of two values would win silently: `--epochs 5 … --epochs 50` is a typo, not a choice.
    if (given.has(name)) throw new UsageError(`--${name} is given twice`);
    given.add(name);
    if (s.type === "flag") {
      out[name] = true;
      continue;
    }
    // `--data --epochs 3` has forgotten the directory: the next option is not its value (as in
    // argparse; a value that starts with "--" can still be given as --name=value).
    const raw = eq >= 0 ? arg.slice(eq + 1) : argv[i + 1]?.startsWith("--") ? undefined : argv[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value`);
    out[name] = convert(name, raw, s);
  }
  return out;
}

function convert(name: string, raw: string, s: OptionSpec): number | string | number[] {
  const type = s.type;
  if (type === "string") return raw;
  if (type === "list") {
    const parts = raw.split(",").map(Number);
    if (!/^\d+(,\d+)*$/.test(raw) || parts.some((v) => !Number.isInteger(v) || v <= 0)) {
      throw new UsageError(`--${name} must be positive integers separated by commas, got "${raw}"`);
    }
    return parts;
  }
  // Decimal notation only: Number() would also read "0x10" as 16, "0b11" as 3 and " 5 " as 5.
  const v = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : NaN;
  if (type === "fraction") {
    // Rates that 0 switches off (dropout, label smoothing).
    if (!(v >= 0 && v < 1)) throw new UsageError(`--${name} must be a number in [0, 1), got "${raw}"`);
    return v;
  }
  const inRange = s.allowZero ? v >= 0 : v > 0;
  if (!Number.isFinite(v) || !inRange || (type === "int" && !Number.isInteger(v))) {
    const what = `${s.allowZero ? "non-negative" : "positive"} ${type === "int" ? "integer" : "number"}`;
    throw new UsageError(`--${name} must be a ${what}, got "${raw}"`);
  }
  // Past 2^53 an integer is not one number: 9007199254740993 reads as …992, and seeds refuse it.
  if (type === "int" && !Number.isSafeInteger(v)) throw new UsageError(`--${name} must be at most 2^53 - 1, got "${raw}"`);
  return v;
}

export function usage(command: string, summary: string, spec: Record<string, OptionSpec>): string {
  const heads = Object.entries(spec).map(([name, s]) =>
    `  --${name}${s.type === "flag" ? "" : s.type === "list" ? " A,B,…" : ` ${s.type.toUpperCase()}`}`);
  // The help column starts two spaces past the longest option, however long a new one is.
  const width = Math.max(26, ...heads.map((h) => h.length + 2));
  const rows = Object.values(spec).map((s, i) => {
    // A help text that already says its default ("(default a newline, …)") is not followed by a second one.
    const def = s.default !== undefined && s.type !== "flag" && !s.help.includes("(default") ? ` (default ${Array.isArray(s.default) ? s.default.join(",") : s.default})` : "";
    return heads[i].padEnd(width) + s.help + def;
  });
  return [`Usage: edgegrad ${command} [options]`, "", summary, "", "Options:", ...rows, "  --help".padEnd(width) + "show this help"].join("\n");
}
