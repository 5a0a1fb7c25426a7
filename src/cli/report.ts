/** Plain-text tables and an SVG of learning curves for the CLI's results. */

export function table(rows: (string | number)[][], header?: string[]): string {
  const all = header ? [header, ...rows] : rows;
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => String(r[c]).length)));
  const fmt = (r: (string | number)[]) => r.map((v, c) => (typeof v === "number" ? String(v).padStart(widths[c]) : String(v).padEnd(widths[c]))).join("  ");
  const lines = all.map((r) => fmt(r).trimEnd());
  if (header) lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines.join("\n");
}

export interface Series { name: string; values: number[]; color: string; dashed?: boolean }

function panel(x0: number, title: string, yLabel: string, series: Series[], w: number, h: number, legendLow: boolean): string {
  const pad = { l: 50, r: 10, t: 28, b: 36 };
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const lo = Math.min(...all), hi = Math.max(...all);
  const span = hi - lo || 1;
  const n = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => x0 + pad.l + (n > 1 ? (i / (n - 1)) * (w - pad.l - pad.r) : 0);
  const py = (v: number) => pad.t + (1 - (v - lo) / span) * (h - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * span);
  const parts = [
    `<text x="${x0 + w / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`,
    `<line x1="${x0 + pad.l}" y1="${h - pad.b}" x2="${x0 + w - pad.r}" y2="${h - pad.b}" stroke="#333"/>`,
    `<line x1="${x0 + pad.l}" y1="${pad.t}" x2="${x0 + pad.l}" y2="${h - pad.b}" stroke="#333"/>`,
    ...ticks.map((t) => `<text x="${x0 + pad.l - 4}" y="${py(t) + 4}" text-anchor="end" font-size="10">${t.toPrecision(3)}</text>`
      + `<line x1="${x0 + pad.l}" y1="${py(t)}" x2="${x0 + w - pad.r}" y2="${py(t)}" stroke="#ddd"/>`),
    `<text x="${x0 + w / 2}" y="${h - 6}" text-anchor="middle" font-size="11">epoch (1…${n})</text>`,
    `<text x="${x0 + 12}" y="${h / 2}" font-size="11" transform="rotate(-90 ${x0 + 12} ${h / 2})" text-anchor="middle">${yLabel}</text>`,
  ];
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${pts}"/>`);
    const ly = legendLow ? h - pad.b - 10 - 14 * (series.length - 1 - k) : pad.t + 14 + 14 * k;
    parts.push(`<text x="${x0 + w - pad.r - 4}" y="${ly}" text-anchor="end" font-size="11" fill="${s.color}">${s.name}</text>`);
  });
  return parts.join("\n");
}

/** Two panels side by side — loss and accuracy per epoch, train against validation. */
export function learningCurvesSvg(loss: Series[], accuracy: Series[], title: string): string {
  const w = 420, h = 300;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * w}" height="${h + 24}" viewBox="0 0 ${2 * w} ${h + 24}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g transform="translate(0 24)">`,
    panel(0, "Loss", "cross-entropy", loss, w, h, false),
    panel(w, "Accuracy", "accuracy", accuracy, w, h, true), // curves rise: legend below them
    `</g>`,
    `<text x="${w}" y="16" text-anchor="middle" font-size="13">${title.replace(/[<&>]/g, "")}</text>`,
    `</svg>`,
  ].join("\n");
}
