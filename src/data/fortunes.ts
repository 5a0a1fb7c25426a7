import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { readTextFiles } from "./text-files.js";

/**
 * The `fortune` program's databases (Debian package `fortunes`: about 2.5 MB of English in some
 * 60 files by topic) as a labelled text set: each fortune with the file it comes from.
 */

export const FORTUNES_DIR = "/usr/share/games/fortunes";

/**
 * The fortunes of one database file: the text split on lines that hold just "%" (CRLF or LF),
 * each fortune without its final line break; fortunes that are only whitespace are dropped.
 */
export function parseFortunes(text: string): string[] {
  if (typeof text !== "string") throw new ValueError(`parseFortunes: text must be a string, got ${typeof text}`);
  const out: string[] = [];
  const lines = text.split(/\r?\n/);
  let current: string[] = [];
  const flush = () => {
    const f = current.join("\n");
    if (f.trim().length > 0) out.push(f);
    current = [];
  };
  for (const line of lines) {
    if (line === "%") flush();
    else current.push(line);
  }
  // A file ending in "\n" leaves one empty last line, which is not part of the last fortune.
  if (current.length > 0 && current[current.length - 1] === "") current.pop();
  flush();
  return out;
}

export interface Fortunes {
  texts: string[];
  /** Index into labelNames of each text's file (int32). */
  labels: Tensor;
  /** The database files, in name order. */
  labelNames: string[];
}

export interface LoadFortunesOptions {
  /** Keep only these files (in this order of labels); default every database file. */
  files?: string[];
}

/**
 * The databases are the files without an extension: index files (`.dat`), the `.u8` links to the
 * same text and the offensive `off/` folder are left out.
 */
const notADatabase = (name: string) => name.includes(".") || name === "off";

/** Every fortune of the folder's database files with the file it came from. Node, Deno and Bun. */
export async function loadFortunes(dir: string = FORTUNES_DIR, o: LoadFortunesOptions = {}): Promise<Fortunes> {
  checkOptions("loadFortunes", o, ["files"]);
  if (o.files !== undefined && (!Array.isArray(o.files) || o.files.length === 0 || o.files.some((f) => typeof f !== "string"))) {
    throw new ValueError(`loadFortunes: files must be a non-empty array of file names, got ${JSON.stringify(o.files)}`);
  }
  const all = await readTextFiles(dir, "loadFortunes", notADatabase);
  const byName = new Map(all.map((f) => [f.name, f.text]));
  const names = o.files ?? all.map((f) => f.name);
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length > 0) throw new ValueError(`loadFortunes: ${dir} has no database file ${missing.map((m) => JSON.stringify(m)).join(", ")}`);
  const texts: string[] = [];
  const labels: number[] = [];
  const labelNames: string[] = [];
  for (const name of names) {
    const fortunes = parseFortunes(byName.get(name)!);
    if (fortunes.length === 0) continue;
    for (const f of fortunes) {
      texts.push(f);
      labels.push(labelNames.length);
    }
    labelNames.push(name);
  }
  if (texts.length === 0) throw new ValueError(`loadFortunes: no fortunes found in ${dir}`);
  return { texts, labels: new Tensor(Int32Array.from(labels), "int32", [labels.length]), labelNames };
}
