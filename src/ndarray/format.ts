import { isFloat } from "./dtype.js";
import { contiguousStrides } from "./shape.js";
import type { Tensor } from "./tensor.js";

/**
 * Prints like NumPy's repr: one precision for the whole array (at most 8 decimals, trailing zeros
 * dropped and padded with spaces so the points line up), scientific notation when the magnitudes
 * span too wide a range, "..." past 1000 elements (3 at each edge), dtype shown unless float32.
 */
const THRESHOLD = 1000;
const EDGE = 3;

/**
 * The shortest decimal that reads back as the same value of the tensor's precision: a float32
 * 0.1 prints as 0.1, not as the float64 0.10000000149011612.
 */
function shortest(v: number, single: boolean): number {
  if (!single) return v;
  for (let p = 1; p < 9; p++) {
    const r = Number(v.toPrecision(p));
    if (Math.fround(r) === v) return r;
  }
  return Number(v.toPrecision(9));
}

function formatFloats(raw: number[], single: boolean): (v: number) => string {
  const values = raw.map((v) => shortest(v, single));
  // Over the finite values (NaN and ±∞ print as words), in one loop — not Math.max(...values):
  // a print can show 6⁷ values, too many arguments for a call. The digits a scientific print
  // needs and the decimals a fixed one needs are both counted; the magnitudes choose.
  let maxAbs = 0, minAbs = Infinity, digits = 0, decimals = 0; // minAbs stays Infinity when none is > 0
  for (const v of values) {
    const a = Math.abs(v);
    if (!(a < Infinity)) continue;
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
    digits = Math.max(digits, (Number(v.toExponential(8)).toExponential().split("e")[0].split(".")[1] ?? "").length);
    decimals = Math.max(decimals, (String(Number(v.toFixed(8))).split(".")[1] ?? "").length);
  }
  if (maxAbs >= 1e8 || minAbs < 1e-4 || maxAbs / minAbs > 1e3 && maxAbs >= 1e3) {
    return (v) => {
      if (!Number.isFinite(v)) return nonFinite(v);
      const [mant, exp] = shortest(v, single).toExponential(digits).split("e");
      const e = Number(exp);
      return `${digits === 0 ? mant + "." : mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    };
  }
  return (v) => {
    if (!Number.isFinite(v)) return nonFinite(v);
    const s = String(Number(shortest(v, single).toFixed(decimals)));
    const [int, frac = ""] = (Object.is(v, -0) ? "-0" : s).split(".");
    return `${int}.${frac.padEnd(decimals, " ")}`;
  };
}

const nonFinite = (v: number) => (v !== v ? "nan" : v > 0 ? "inf" : "-inf");

export function formatTensor(t: Tensor): string {
  const flat = Array.from(t.data as ArrayLike<number>);
  const summarize = flat.length > THRESHOLD;
  const shown = summarize ? collectShown(t, flat) : flat;
  const fmt = t.dtype === "bool" ? (v: number) => (v ? "True" : "False")
    : isFloat(t.dtype) ? formatFloats(shown, t.dtype === "float32") : (v: number) => String(v);
  const width = shown.reduce((w, v) => Math.max(w, fmt(v).length), 0);
  const cell = (v: number) => fmt(v).padStart(width);
  const prefix = "tensor(";
  const suffix = t.dtype === "float32" ? ")" : `, dtype=${t.dtype})`;
  if (t.ndim === 0) return `${prefix}${fmt(flat[0])}${suffix}`;
  // An empty tensor shows its shape, as PyTorch's: [0, 3] and [3, 0] would both print as [].
  if (!flat.length) return `${prefix}[]${t.ndim > 1 ? `, size=(${t.shape.join(", ")})` : ""}${suffix}`;
  const strides = contiguousStrides(t.shape);
  const render = (dim: number, start: number, indent: string): string => {
    const idx = shownIndices(t.shape[dim], summarize);
    if (dim === t.ndim - 1) {
      return "[" + idx.map((i) => (i < 0 ? "..." : cell(flat[start + i]))).join(", ") + "]";
    }
    const sep = "," + "\n".repeat(t.ndim - dim - 1) + indent + " ";
    return "[" + idx.map((i) => (i < 0 ? "..." : render(dim + 1, start + i * strides[dim], indent + " "))).join(sep) + "]";
  };
  return prefix + render(0, 0, " ".repeat(prefix.length)) + suffix;
}

/** The indices printed along a dimension of size n: all, or EDGE at each end around a -1 ("..."). */
function shownIndices(n: number, summarize: boolean): number[] {
  return summarize && n > 2 * EDGE
    ? [...Array.from({ length: EDGE }, (_, i) => i), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)]
    : Array.from({ length: n }, (_, i) => i);
}

/** The values that a summarized print shows, so the precision is chosen from those alone. */
function collectShown(t: Tensor, flat: number[]): number[] {
  const out: number[] = [];
  const strides = contiguousStrides(t.shape);
  const walk = (dim: number, start: number): void => {
    for (const i of shownIndices(t.shape[dim], true)) {
      if (i < 0) continue;
      if (dim === t.ndim - 1) out.push(flat[start + i]);
      else walk(dim + 1, start + i * strides[dim]);
    }
  };
  walk(0, 0);
  return out;
}
