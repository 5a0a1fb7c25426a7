import { checkOptions } from "../options.js";
import type { SearchResult } from "./search.js";

const show = (v: unknown): string =>
  typeof v === "number" ? (String(v).length <= 8 ? String(v) : v.toPrecision(3)) : Array.isArray(v) ? `[${v.map(show).join(",")}]` : typeof v === "function" ? v.name || "fn" : String(v);

/** The results of a search as a plain-text table, best first: rank, mean ± std, time, then the params. */
export function formatResults(r: SearchResult<Record<string, unknown> | object>, o: { digits?: number } = {}): string {
  checkOptions("formatResults", o, ["digits"]);
  const digits = o.digits ?? 4;
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
