import { ValueError } from "../errors.js";

/**
 * Reading text files and folders in Node (and Deno/Bun, which provide node:fs). A folder is read
 * one level deep, in name order, so the same folder always gives the same text.
 */

interface Dirent {
  name: string;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}
interface Stats {
  isFile(): boolean;
  isDirectory(): boolean;
}
export interface TextFs {
  readFile(path: string): Promise<Uint8Array>;
  readdir(path: string, o: { withFileTypes: true }): Promise<Dirent[]>;
  stat(path: string): Promise<Stats>;
  realpath(path: string): Promise<string>;
}

/**
 * node:fs/promises, reached only when a file is read. Node ≥ 20.16 hands it out through
 * process.getBuiltinModule, with no import for a bundler to see; otherwise a dynamic import whose
 * specifier bundlers are told to leave alone.
 */
export async function textFs(where: string): Promise<TextFs> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const builtin = proc?.getBuiltinModule?.("node:fs/promises") as TextFs | undefined;
  if (builtin) return builtin;
  const specifier = "node:fs/promises";
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as TextFs;
  } catch {
    throw new ValueError(`${where}: this runtime cannot read files; read the text yourself and pass the string`);
  }
}

/** The file's text if it is UTF-8 without NUL bytes (a binary index file is neither), else null. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    // Made per call, not at import: a sandbox without TextDecoder can still load the library.
    const s = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
  } catch {
    return null;
  }
}

export interface TextFile {
  /** The file's name inside the folder (or the path given, for a single file). */
  name: string;
  text: string;
}

/**
 * The text files of a folder (or the one file `path` names). Files are visited in name order;
 * a link to a file already read (Debian's fortunes have `art.u8 → art`) is read once; files for
 * which `skip(name)` is true, binary files and subfolders are left out.
 */
export async function readTextFiles(path: string, where: string, skip: (name: string) => boolean = () => false): Promise<TextFile[]> {
  if (typeof path !== "string" || path.length === 0) throw new ValueError(`${where}: expected a file or folder path, got ${JSON.stringify(path)}`);
  const fs = await textFs(where);
  let stats: Stats;
  try {
    stats = await fs.stat(path);
  } catch (e) {
    throw new ValueError(`${where}: cannot read ${path}: ${(e as Error).message}`);
  }
  if (stats.isFile()) {
    const text = decodeText(await fs.readFile(path));
    if (text === null) throw new ValueError(`${where}: ${path} is not UTF-8 text`);
    return [{ name: path, text }];
  }
  const root = path.replace(/\/?$/, "/");
  const entries = (await fs.readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const seen = new Set<string>();
  const files: TextFile[] = [];
  for (const e of entries) {
    if (skip(e.name) || !(e.isFile() || e.isSymbolicLink())) continue;
    const full = root + e.name;
    const real = await fs.realpath(full).catch(() => null);
    if (real === null || seen.has(real) || !(await fs.stat(real)).isFile()) continue;
    seen.add(real);
    const text = decodeText(await fs.readFile(full));
    if (text !== null) files.push({ name: e.name, text });
  }
  return files;
}

/**
 * A text file's contents, or the text files of a folder joined by newlines (name order; binary
 * files, subfolders and duplicate links left out). Node, Deno and Bun.
 */
export async function loadText(path: string): Promise<string> {
  const files = await readTextFiles(path, "loadText");
  if (files.length === 0) throw new ValueError(`loadText: ${path} holds no text file`);
  return files.map((f) => f.text).join("\n");
}
