/** Plain-text tables and an SVG of learning curves for the CLI's results. */

import { niceTicks, tickDecimals } from "../select/ticks.js";
import { UsageError } from "./args.js";

export function table(rows: (string | number)[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const fmt = (r: (string | number)[]) => r.map((v, c) => (typeof v === "number" ? String(v).padStart(widths[c]) : String(v).padEnd(widths[c]))).join("  ");
  const lines = all.map((r) => fmt(r).trimEnd());
  if (header) lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines.join("\n");
}

export interface Series { name: string; values: number[]; color: string; dashed?: boolean }

/** The y range of a panel: round ticks covering every finite value (0…1 when there is none). */
function yTicks(series: Series[]): number[] {
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  return all.length === 0 ? niceTicks(0, 1, 7) : niceTicks(Math.min(...all), Math.max(...all), 7);
}

/** Epoch ticks: round whole numbers within 1…n (every epoch when there are few). */
function xTicks(n: number): number[] {
  return n <= 1 ? [1] : niceTicks(1, n, 8, 1).filter((t) => t >= 1 && t <= n);
}

function panel(x0: number, title: string, yLabel: string, series: Series[], w: number, h: number, legendLow: boolean): string {
  const pad = { l: 50, r: 10, t: 28, b: 40 };
  const ys = yTicks(series);
  const lo = ys[0], span = ys[ys.length - 1] - ys[0];
  const n = Math.max(...series.map((s) => s.values.length));
  // Epoch i + 1 at x(i); the axis runs from the first epoch to the last.
  const px = (i: number) => x0 + pad.l + (n > 1 ? (i / (n - 1)) * (w - pad.l - pad.r) : 0);
  const py = (v: number) => pad.t + (1 - (v - lo) / span) * (h - pad.t - pad.b);
  const decimals = tickDecimals(ys);
  const bottom = h - pad.b;
  const parts = [
    `<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`,
    ...ys.map((t) => `<line x1="${x0 + pad.l}" y1="${py(t).toFixed(1)}" x2="${x0 + w - pad.r}" y2="${py(t).toFixed(1)}" stroke="#ddd"/>`
      + `<text x="${x0 + pad.l - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="10">${t.toFixed(decimals)}</text>`),
    ...xTicks(n).map((e) => `<line x1="${px(e - 1).toFixed(1)}" y1="${bottom}" x2="${px(e - 1).toFixed(1)}" y2="${bottom + 4}" stroke="#333"/>`
      + `<text x="${px(e - 1).toFixed(1)}" y="${bottom + 15}" text-anchor="middle" font-size="10">${e}</text>`),
    `<line x1="${x0 + pad.l}" y1="${bottom}" x2="${x0 + w - pad.r}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${x0 + pad.l}" y1="${pad.t}" x2="${x0 + pad.l}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${x0 + w / 2}" y="${h - 6}" text-anchor="middle" font-size="11">epoch</text>`,
    `<text x="${x0 + 12}" y="${h / 2}" font-size="11" transform="rotate(-90 ${x0 + 12} ${h / 2})" text-anchor="middle">${yLabel}</text>`,
  ];
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${px(i).toFixed(1)},${py(v).toFixed(1)}` : "")).filter(Boolean).join(" ");
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${pts}"/>`);
    const ly = legendLow ? bottom - 10 - 14 * (series.length - 1 - k) : pad.t + 14 + 14 * k;
    parts.push(`<text x="${x0 + w - pad.r - 4}" y="${ly}" text-anchor="end" font-size="11" fill="${s.color}">${s.name}</text>`);
  });
  return parts.join("\n");
}

/** Two panels side by side — loss and accuracy per epoch, train against validation. */
export function learningCurvesSvg(loss: Series[], accuracy: Series[], title: string,
                                  labels: { lossLabel?: string; accuracyLabel?: string } = {}): string {
  const w = 420, h = 300;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${h + 24}" viewBox="0 0 ${2 * w} ${h + 24}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g transform="translate(0 24)">`,
    panel(0, "Loss", labels.lossLabel ?? "cross-entropy", loss, w, h, false),
    panel(w, "Accuracy", labels.accuracyLabel ?? "accuracy", accuracy, w, h, true), // curves rise: legend below them
    `</g>`,
    `<text x="${w}" y="16" text-anchor="middle" font-size="13">${title.replace(/[<&>]/g, "")}</text>`,
    `</svg>`,
  ].join("\n");
}

/**
 * Creates the --out directory before any training: a path that names a file (or a directory that
 * cannot be made) is a usage error now, not a stack trace after minutes of training.
 */
export async function makeOutDir(outDir: string): Promise<void> {
  const { mkdir } = await import("node:fs/promises");
  try {
    await mkdir(outDir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create the --out directory ${outDir}: ${(e as Error).message}`);
  }
}

/** Writes the curves as learning-curves.svg in outDir (created if missing) and prints its path. */
export async function saveLearningCurves(svg: string, outDir: string, write: (s: string) => void): Promise<void> {
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { join, resolve } = await import("node:path");
  await mkdir(outDir, { recursive: true });
  const file = resolve(join(outDir, "learning-curves.svg"));
  await writeFile(file, svg);
  write("");
  write(`learning curves: ${file}`);
}
