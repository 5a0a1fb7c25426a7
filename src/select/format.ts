import { boolean, positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import type { SearchResult } from "./search.js";

/** toFixed's digits: an integer in [0, 20] (a fraction or NaN would be truncated or throw a RangeError). */
function checkDigits(where: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 20) throw new ValueError(`${where}: digits must be an integer in [0, 20], got ${String(v)}`);
  return v;
}

/**
 * The result of a search must hold its array `key` (results, trials, losses): anything else
 * would fail inside as a TypeError naming no argument.
 */
export function checkResult(where: string, r: unknown, key: string, what: string): void {
  if (r === null || typeof r !== "object" || !Array.isArray((r as Record<string, unknown>)[key])) {
    throw new ValueError(`${where}: expected ${what} (an object with a ${key} array), got ${r === null ? "null" : typeof r !== "object" ? typeof r : `an object without ${key}`}`);
  }
}

const show = (v: unknown): string =>
  typeof v === "number" ? (String(v).length <= 8 ? String(v) : v.toPrecision(3)) : Array.isArray(v) ? `[${v.map(show).join(",")}]` : typeof v === "function" ? v.name || "fn" : String(v);

/** The results of a search as a plain-text table, best first: rank, mean ± std, time, then the params. */
export function formatResults(r: SearchResult<Record<string, unknown> | object>, o: { digits?: number } = {}): string {
  checkOptions("formatResults", o, ["digits"]);
  const digits = checkDigits("formatResults", o.digits === undefined ? 4 : o.digits);
  checkResult("formatResults", r, "results", "the result of gridSearch or randomSearch");
  const keys = [...new Set(r.results.flatMap((row) => Object.keys(row.params)))];
  const header = ["rank", "mean", "± std", "time", ...keys];
  const rows = [...r.results]
    .sort((a, b) => a.rank - b.rank)
    .map((row) => [
      String(row.rank), row.mean.toFixed(digits), row.std.toFixed(digits), `${(row.timeMs / 1000).toFixed(1)}s`,
      ...keys.map((k) => show((row.params as Record<string, unknown>)[k])),
    ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (c < 4 ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/**
 * The trials of tpeSearch, successiveHalving or hyperband as a table, best first (the same
 * layout as formatResults): rank, score, budget or state, time, then the params.
 */
export function formatTrials(
  r: { trials: { trial: number; score: number; params: object; timeMs: number; resource?: number; state?: string }[] },
  o: { digits?: number; greaterIsBetter?: boolean; top?: number } = {},
): string {
  checkOptions("formatTrials", o, ["digits", "greaterIsBetter", "top"]);
  const digits = checkDigits("formatTrials", o.digits === undefined ? 4 : o.digits);
  const sign = (o.greaterIsBetter === undefined || boolean("formatTrials", "greaterIsBetter", o.greaterIsBetter)) ? 1 : -1;
  const top = o.top === undefined ? undefined : positiveInt("formatTrials", "top", o.top);
  checkResult("formatTrials", r, "trials", "the result of tpeSearch, successiveHalving or hyperband");
  const keys = [...new Set(r.trials.flatMap((t) => Object.keys(t.params)))];
  const ranked = [...r.trials].sort((a, b) => sign * (b.score - a.score) || a.trial - b.trial);
  const header = ["rank", "trial", "score", r.trials.some((t) => t.resource !== undefined) ? "budget" : "state", "time", ...keys];
  const rows = ranked.slice(0, top ?? ranked.length).map((t) => [
    String(1 + ranked.filter((q) => sign * q.score > sign * t.score).length), String(t.trial), t.score.toFixed(digits),
    t.resource !== undefined ? show(t.resource) : t.state ?? "", `${(t.timeMs / 1000).toFixed(1)}s`,
    ...keys.map((k) => show((t.params as Record<string, unknown>)[k])),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]) => cells.map((s, c) => (c < 5 ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
