import { DTypeError, FormatError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../ndarray/index.js";

export interface CsvOptions {
  /** First line holds column names: true, false, or "auto" (default: a header if any field of the first line is not a number). */
  header?: boolean | "auto";
  /** Field separator: one character (default ","), or "whitespace" for runs of spaces/tabs. */
  delimiter?: string;
  /** dtype of the result (default float32). */
  dtype?: "float32" | "float64";
  /** Column (name or index) to split off as the target: the result then also has x, y and featureNames. */
  target?: string | number;
}

export interface CsvResult {
  /** All columns, [rows, columns]. Empty fields and NaN/NA read as NaN. */
  data: Tensor;
  /** Column names from the header, or null without one. */
  columns: string[] | null;
  x?: Tensor;
  y?: Tensor;
  featureNames?: string[];
}

// Decimal numbers only: Number() would also take "0x1f", "1_000"-free oddities and " " as 0.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING = new Set(["", "NA", "N/A", "null"]);
// NaN and ∞ as Python's float() and NumPy read them: signed or not, in any case ("Inf", "NAN", "-infinity").
const SPECIAL = /^([+-]?)(?:(nan)|inf(?:inity)?)$/i;

function parseNumber(field: string): number | undefined {
  const f = field.trim();
  if (NUMBER.test(f)) return Number(f);
  if (MISSING.has(f)) return NaN;
  const special = SPECIAL.exec(f);
  return special === null ? undefined : special[2] !== undefined ? NaN : special[1] === "-" ? -Infinity : Infinity;
}

/**
 * Reads numeric CSV text (RFC 4180 quoting, LF or CRLF line ends, blank lines skipped) into a
 * [rows, columns] tensor. Every row must have as many fields as the first; a field that is not a
 * number (or empty/NaN/NA, read as NaN) is a FormatError naming its line and column.
 */
export function readCsv(text: string, o: CsvOptions = {}): CsvResult {
  if (typeof text !== "string") throw new ValueError(`readCsv: expected text, got ${typeof text}`);
  const { dtype, header } = checkCsvOptions(o);
  const delimiter = o.delimiter ?? ",";
  if (typeof delimiter !== "string" || delimiter !== "whitespace" && (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r")) {
    throw new ValueError(`readCsv: delimiter must be one character other than a quote or line end, or "whitespace"; got ${JSON.stringify(delimiter)}`);
  }
  const rows = splitRows(text, delimiter);
  let columns: string[] | null = null;
  let first = 0;
  if (rows.length > 0 && (header === true || (header === "auto" && rows[0].fields.some((f) => parseNumber(f) === undefined)))) {
    columns = rows[0].fields.map((f) => f.trim());
    first = 1;
  }
  const width = columns?.length ?? rows[first]?.fields.length ?? 0;
  const values = dtype === "float64" ? new Float64Array((rows.length - first) * width) : new Float32Array((rows.length - first) * width);
  for (let r = first; r < rows.length; r++) {
    const { fields, line } = rows[r];
    if (fields.length !== width) throw new FormatError(`readCsv: line ${line}: ${fields.length} fields, expected ${width}`);
    for (let c = 0; c < width; c++) {
      const v = parseNumber(fields[c]);
      if (v === undefined) {
        throw new FormatError(`readCsv: line ${line}, column ${c + 1}${columns ? ` (${columns[c]})` : ""}: not a number: ${JSON.stringify(fields[c].slice(0, 40))}`);
      }
      values[(r - first) * width + c] = v;
    }
  }
  const data = new Tensor(values, dtype, [rows.length - first, width]);
  return o.target === undefined ? { data, columns } : { data, columns, ...splitTarget(data, columns, o.target) };
}

/** Every option's type and value, checked before the text is read. */
function checkCsvOptions(o: CsvOptions): { dtype: "float32" | "float64"; header: boolean | "auto" } {
  checkOptions("readCsv", o, ["header", "delimiter", "dtype", "target"]);
  const dtype = o.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(`readCsv: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  }
  const header = o.header ?? "auto";
  if (header !== true && header !== false && header !== "auto") {
    throw new ValueError(`readCsv: header must be true, false or "auto", got ${JSON.stringify(header)}`);
  }
  if (o.target !== undefined && typeof o.target !== "string" && !Number.isInteger(o.target)) {
    throw new ValueError(`readCsv: target must be a column name or an integer index, got ${JSON.stringify(o.target)}`);
  }
  return { dtype, header };
}

function splitTarget(data: Tensor, columns: string[] | null, target: string | number) {
  const width = data.shape[1];
  const t = typeof target === "number" ? (target < 0 ? width + target : target) : (columns ?? []).indexOf(target);
  if (!Number.isInteger(t) || t < 0 || t >= width) {
    throw new ValueError(`readCsv: target ${JSON.stringify(target)} is not a column (${columns ? columns.join(", ") : `${width} unnamed columns`})`);
  }
  const n = data.shape[0];
  const src = data.data;
  const Ctor = src.constructor as Float32ArrayConstructor;
  const x = new Ctor(n * (width - 1));
  const y = new Ctor(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0, k = 0; c < width; c++) {
      if (c === t) y[r] = src[r * width + c];
      else x[r * (width - 1) + k++] = src[r * width + c];
    }
  }
  const names = columns ?? Array.from({ length: width }, (_, i) => `column_${i}`);
  return {
    x: new Tensor(x, data.dtype, [n, width - 1]),
    y: new Tensor(y, data.dtype, [n]),
    featureNames: names.filter((_, c) => c !== t),
  };
}

interface Row {
  fields: string[];
  line: number;
}

/** One pass over the text: fields split on the delimiter outside quotes, rows on line ends. */
function splitRows(text: string, delimiter: string): Row[] {
  const ws = delimiter === "whitespace";
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let rowLine = 1;
  let quoted = false; // inside a quoted field
  let started = false; // the current row has content
  let sawDelim = false; // whitespace mode: a separator run is pending
  const endField = () => { fields.push(field); field = ""; };
  const endRow = () => {
    if (started) { endField(); rows.push({ fields, line: rowLine }); }
    fields = []; field = ""; started = false; sawDelim = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === "\n" || ch === "\r") {
      endRow();
      if (ch === "\r" && text[i + 1] === "\n") i++;
      line++;
      rowLine = line;
      continue;
    }
    if (ws ? ch === " " || ch === "\t" : ch === delimiter) {
      if (ws) { if (started) sawDelim = true; continue; }
      started = true;
      endField();
      continue;
    }
    if (ws && sawDelim) { endField(); sawDelim = false; }
    if (ch === '"' && field.trim() === "") { quoted = true; field = ""; started = true; continue; }
    if (!started && ch.trim() === "" ) continue; // leading spaces or a line of blanks
    started = true;
    field += ch;
  }
  if (quoted) throw new FormatError(`readCsv: line ${rowLine}: quoted field never closed`);
  endRow();
  return rows;
}
