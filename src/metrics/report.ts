// scikit-learn's classification_report: per-class precision, recall, F1 and support with the
// accuracy and macro/weighted averages, as the same fixed-width text (or a plain object).
import { boolean, nonNegativeInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkLengths, distinct, labelsOf, type Values } from "./inputs.js";
import { perClassPrf, precisionRecallF1, zeroDivisionOf } from "./prf.js";
import { sampleWeights } from "./weights.js";

export interface ReportOptions {
  /** Classes to report, in row order (default: the sorted labels of yTrue and yPred). */
  labels?: readonly number[];
  /** Row names, one per label (default: each label as a string). */
  targetNames?: readonly string[];
  /** Decimals of the scores in the text (default 2); the object keeps full precision. */
  digits?: number;
  /** Return { [name]: { precision, recall, "f1-score", support }, accuracy | "micro avg", "macro avg", "weighted avg" } instead of text. */
  outputDict?: boolean;
  /** Score of a 0/0 ratio, as precisionRecallF1 (default 0). */
  zeroDivision?: number;
  /** One weight ≥ 0 per sample (scikit-learn's sample_weight): supports become sums of weights, printed as Python floats. */
  sampleWeight?: Values;
}

export interface ReportRow {
  precision: number;
  recall: number;
  "f1-score": number;
  support: number;
}

/** Rows keyed by target name, then "accuracy" (a number) or "micro avg", "macro avg" and "weighted avg". */
export type ReportDict = Record<string, ReportRow | number>;

/**
 * The classification report. "accuracy" replaces the micro average when every label of the data
 * is reported (micro precision, recall and F1 then all equal accuracy), as scikit-learn 1.2.
 */
export function classificationReport(yTrue: Values, yPred: Values, o: ReportOptions & { outputDict: true }): ReportDict;
export function classificationReport(yTrue: Values, yPred: Values, o?: ReportOptions & { outputDict?: false }): string;
export function classificationReport(yTrue: Values, yPred: Values, o?: ReportOptions): string | ReportDict;
export function classificationReport(yTrue: Values, yPred: Values, o: ReportOptions = {}): string | ReportDict {
  const where = "classificationReport";
  checkOptions(where, o, ["labels", "targetNames", "digits", "outputDict", "zeroDivision", "sampleWeight"]);
  const digits = o.digits === undefined ? 2 : nonNegativeInt(where, "digits", o.digits);
  if (digits > 20) throw new ValueError(`${where}: digits must be at most 20, got ${digits}`);
  const outputDict = o.outputDict === undefined ? false : boolean(where, "outputDict", o.outputDict);
  const zd = zeroDivisionOf(where, o.zeroDivision);
  const t = labelsOf(yTrue, where);
  const p = labelsOf(yPred, where);
  const w = sampleWeights(where, o.sampleWeight, checkLengths(t, p, where));
  const present = distinct(t, p);
  if (o.labels !== undefined) {
    if (!Array.isArray(o.labels) || o.labels.length === 0 || o.labels.some((l) => typeof l !== "number" || Number.isNaN(l))) {
      throw new ValueError(`${where}: labels must be a non-empty array of numbers`);
    }
    if (new Set(o.labels).size !== o.labels.length) throw new ValueError(`${where}: labels has duplicates`);
  }
  const labels = o.labels ?? present;
  const microIsAccuracy = o.labels === undefined || (new Set(labels).size === present.length && present.every((l) => labels.includes(l)));
  if (o.targetNames !== undefined) {
    if (!Array.isArray(o.targetNames) || o.targetNames.some((n) => typeof n !== "string")) throw new ValueError(`${where}: targetNames must be an array of strings`);
    // scikit-learn only warns when labels are given (and drops rows past the shorter list).
    if (o.targetNames.length !== labels.length) {
      throw new ValueError(`${where}: ${labels.length} classes but ${o.targetNames.length} targetNames${o.labels === undefined ? "; pass labels to name the classes" : ""}`);
    }
  }
  const names = o.targetNames ?? labels.map((l) => String(l));
  const perClass = perClassPrf(t, p, labels, zd, w);
  const support = numpySum(perClass.map((c) => c.support));
  const averages = (["micro", "macro", "weighted"] as const).map((average) => {
    const r = precisionRecallF1(t, p, { average, labels, zeroDivision: zd, ...(w === null ? {} : { sampleWeight: w }) });
    return { heading: average === "micro" && microIsAccuracy ? "accuracy" : `${average} avg`, row: { precision: r.precision, recall: r.recall, "f1-score": r.f1, support } };
  });

  if (outputDict) {
    const out: ReportDict = {};
    perClass.forEach((c, i) => (out[names[i]] = { precision: c.precision, recall: c.recall, "f1-score": c.f1, support: c.support }));
    for (const { heading, row } of averages) out[heading] = heading === "accuracy" ? row.precision : row;
    return out;
  }
  // scikit-learn 1.2 counts in floats with sample weights, and also when no sample at all is
  // predicted right (its bincount path is skipped): its text then prints a support as "1.0".
  let anyHit = false;
  for (let i = 0; i < t.length && !anyHit; i++) anyHit = t[i] === p[i];
  const count = (x: number) => (anyHit && w === null ? String(x) : pythonFloat(x));
  const width = Math.max(...names.map(length), "weighted avg".length, digits);
  const line = (name: string, cells: string[]) => `${pad(name, width)} ${cells.map((c) => ` ${pad(c, 9)}`).join("")}\n`;
  let text = line("", ["precision", "recall", "f1-score", "support"]).slice(0, -1) + "\n\n";
  perClass.forEach((c, i) => (text += line(names[i], [fixed(c.precision, digits), fixed(c.recall, digits), fixed(c.f1, digits), count(c.support)])));
  text += "\n";
  for (const { heading, row } of averages) {
    const scores = heading === "accuracy" ? ["", "", fixed(row["f1-score"], digits)] : [fixed(row.precision, digits), fixed(row.recall, digits), fixed(row["f1-score"], digits)];
    text += line(heading, [...scores, count(row.support)]);
  }
  return text;
}

/**
 * x as Python's str(float): "3.0" for an integer value, scientific notation below 1e-4 and from
 * 1e16 up, with an exponent of at least two digits ("1e-05", "1e+16").
 */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mantissa, exponent] = x.toExponential().split("e");
    const sign = exponent[0] === "-" ? "-" : "+";
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`;
  }
  return Number.isInteger(x) ? `${x.toFixed(0)}.0` : String(x);
}

/**
 * Σ values in NumPy's pairwise order (eight running sums per block of up to 128, blocks split in
 * halves), so that a weighted report's total support prints as scikit-learn's np.sum does.
 */
export function numpySum(a: readonly number[], lo = 0, n = a.length): number {
  if (n < 8) {
    let s = 0;
    for (let i = lo; i < lo + n; i++) s += a[i];
    return s;
  }
  if (n <= 128) {
    const r = a.slice(lo, lo + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let s = (r[0] + r[1] + (r[2] + r[3])) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) s += a[lo + i];
    return s;
  }
  let half = n >> 1;
  half -= half % 8;
  return numpySum(a, lo, half) + numpySum(a, lo + half, n - half);
}

/** Length in code points, as Python's str formatting counts. */
const length = (s: string) => [...s].length;
const pad = (s: string, width: number) => " ".repeat(Math.max(0, width - length(s))) + s;

/**
 * x with `digits` decimals as Python's format(x, ".Nf"): correctly rounded, an exact tie to the
 * even digit (toFixed rounds ties up: 0.125 → "0.13" where Python writes "0.12"); NaN as "nan".
 */
export function fixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const rounded = x.toFixed(digits);
  // toFixed(100) is the exact decimal expansion of any double this report prints (|x| ≥ 2⁻⁵⁰ or 0).
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf(".");
  const rest = exact.slice(point + 1 + digits);
  if (rest[0] !== "5" || !/^50*$/.test(rest)) return rounded;
  const truncated = exact.slice(0, digits === 0 ? point : point + 1 + digits);
  if (Number(truncated[truncated.length - 1]) % 2 === 1) return rounded;
  return (x < 0 ? "-" : "") + truncated;
}
