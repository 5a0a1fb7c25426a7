import { niceTicks, tickDecimals } from "./ticks.js";
import { checkOptions } from "../options.js";
import { boolean } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkResult } from "./format.js";
import type { BandResult } from "./hyperband.js";
import type { LrFinderResult } from "./lr-finder.js";
import type { TpeResult } from "./tpe.js";

/** SVGs of a learning-rate range test and of a search's scores, in the style of the CLI's learning curves. */

const W = 560, H = 340, PAD = { l: 60, r: 16, t: 34, b: 44 };
const escape = (s: string) => s.replace(/[<&>]/g, "");

/** A title must be a string: a number or object would be drawn as "42" or "[object Object]". */
function title(where: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== "string") throw new ValueError(`${where}: title must be a string, got ${v === null ? "null" : typeof v}`);
  return v;
}

interface Axes { px: (x: number) => number; py: (y: number) => number; parts: string[] }

/** Frame, grid and labels; x is drawn on a log scale when xLog, with a tick per decade. */
function axes(xs: number[], ys: number[], o: { xLog: boolean; xLabel: string; yLabel: string; title: string }): Axes {
  const finite = ys.filter(Number.isFinite);
  const yt = finite.length ? niceTicks(Math.min(...finite), Math.max(...finite), 7) : niceTicks(0, 1, 7);
  const tx = (x: number) => (o.xLog ? Math.log10(x) : x);
  const lo = Math.min(...xs.map(tx)), hi = Math.max(...xs.map(tx));
  const xt = o.xLog
    ? Array.from({ length: Math.floor(hi) - Math.ceil(lo) + 1 }, (_, i) => Math.ceil(lo) + i)
    : niceTicks(lo, hi, 8, 1).filter((t) => t >= lo && t <= hi);
  const span = hi > lo ? hi - lo : 1;
  const px = (x: number) => PAD.l + ((tx(x) - lo) / span) * (W - PAD.l - PAD.r);
  const pxRaw = (u: number) => PAD.l + ((u - lo) / span) * (W - PAD.l - PAD.r);
  const py = (y: number) => PAD.t + (1 - (y - yt[0]) / (yt[yt.length - 1] - yt[0])) * (H - PAD.t - PAD.b);
  const bottom = H - PAD.b, d = tickDecimals(yt);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(o.title)}</text>`,
    ...yt.map((t) => `<line x1="${PAD.l}" y1="${py(t).toFixed(1)}" x2="${W - PAD.r}" y2="${py(t).toFixed(1)}" stroke="#ddd"/>`
      + `<text x="${PAD.l - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" font-size="10">${t.toFixed(d)}</text>`),
    ...xt.map((t) => `<line x1="${pxRaw(t).toFixed(1)}" y1="${bottom}" x2="${pxRaw(t).toFixed(1)}" y2="${bottom + 4}" stroke="#333"/>`
      + `<text x="${pxRaw(t).toFixed(1)}" y="${bottom + 15}" text-anchor="middle" font-size="10">${o.xLog ? `1e${t}` : t}</text>`),
    `<line x1="${PAD.l}" y1="${bottom}" x2="${W - PAD.r}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="11">${o.xLabel}</text>`,
    `<text x="14" y="${H / 2}" font-size="11" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">${o.yLabel}</text>`,
  ];
  return { px, py, parts };
}

const polyline = (pts: [number, number][], a: Axes, color: string, dashed = false) =>
  `<polyline fill="none" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 4"' : ""} points="${pts.filter(([, y]) => Number.isFinite(y)).map(([x, y]) => `${a.px(x).toFixed(1)},${a.py(y).toFixed(1)}`).join(" ")}"/>`;

/** The smoothed loss against the lr (log scale), with the suggestion and the steepest point marked. */
export function lrFinderSvg(r: LrFinderResult, o: { title?: string } = {}): string {
  checkOptions("lrFinderSvg", o, ["title"]);
  const heading = title("lrFinderSvg", o.title, "Learning-rate range test");
  checkResult("lrFinderSvg", r, "losses", "the result of lrFinder");
  // The diverging tail would flatten the curve: the y axis stops half the first loss's size (or
  // half the drop from it to the lowest loss, if larger) above the first loss: 1.5× the first
  // loss for positive losses, and still above the data when the losses are negative.
  const finiteLosses = r.losses.filter(Number.isFinite);
  const first = finiteLosses[0];
  const cap = first === undefined ? Infinity : first + 0.5 * Math.max(Math.abs(first), first - Math.min(...finiteLosses));
  const ys = r.losses.map((v) => (v > cap ? cap : v));
  const a = axes(r.lrs, ys, { xLog: true, xLabel: "learning rate (log scale)", yLabel: "smoothed loss", title: heading });
  a.parts.push(polyline(r.lrs.map((lr, i) => [lr, ys[i]]), a, "#1f77b4"));
  const mark = (lr: number, color: string, label: string, row: number) => {
    const x = a.px(lr).toFixed(1);
    a.parts.push(`<line x1="${x}" y1="${PAD.t}" x2="${x}" y2="${H - PAD.b}" stroke="${color}" stroke-dasharray="4 3"/>`,
      `<text x="${W - PAD.r - 4}" y="${PAD.t + 14 + 14 * row}" text-anchor="end" font-size="11" fill="${color}">${label} ${lr.toPrecision(2)}</text>`);
  };
  mark(r.suggestion, "#d62728", "suggestion (minimum / 10)", 0);
  mark(r.steepest, "#2ca02c", "steepest", 1);
  a.parts.push("</svg>");
  return a.parts.join("\n");
}

/** Each trial's score (pruned trials hollow) and the best so far, against the trial number. */
export function trialsSvg(r: TpeResult | BandResult, o: { title?: string; greaterIsBetter?: boolean } = {}): string {
  checkOptions("trialsSvg", o, ["title", "greaterIsBetter"]);
  const sign = (o.greaterIsBetter === undefined || boolean("trialsSvg", "greaterIsBetter", o.greaterIsBetter)) ? 1 : -1;
  const heading = title("trialsSvg", o.title, "Score per trial");
  checkResult("trialsSvg", r, "trials", "the result of tpeSearch, successiveHalving or hyperband");
  const trials = [...r.trials].sort((p, q) => p.trial - q.trial);
  const xs = trials.map((t) => t.trial + 1), ys = trials.map((t) => t.score);
  const a = axes(xs.length > 1 ? xs : [1, 2], ys, { xLog: false, xLabel: "trial", yLabel: "score", title: heading });
  let best = -Infinity * sign;
  const running: [number, number][] = trials.map((t, i) => [xs[i], (best = sign * t.score > sign * best ? t.score : best)]);
  a.parts.push(polyline(running, a, "#ff7f0e"));
  for (const [i, t] of trials.entries()) {
    // An infinite (or NaN) score has no place on the axis: left out, as the polyline leaves it out.
    if (!Number.isFinite(ys[i])) continue;
    const hollow = "state" in t && t.state === "pruned";
    a.parts.push(`<circle cx="${a.px(xs[i]).toFixed(1)}" cy="${a.py(ys[i]).toFixed(1)}" r="3" fill="${hollow ? "white" : "#1f77b4"}" stroke="#1f77b4"/>`);
  }
  a.parts.push(`<text x="${W - PAD.r - 4}" y="${H - PAD.b - 10}" text-anchor="end" font-size="11" fill="#ff7f0e">best so far</text>`, "</svg>");
  return a.parts.join("\n");
}
