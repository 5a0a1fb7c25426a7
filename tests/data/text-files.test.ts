import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValueError } from "../../src/errors.js";
import { FORTUNES_DIR, loadFortunes, loadText, parseFortunes } from "../../src/data/index.js";

// Fortune bodies: any text whose lines are never exactly "%" (a separator) and that is not all
// whitespace (dropped, as an empty fortune), without a trailing line break.
const body = fc.array(fc.string({ unit: "grapheme", maxLength: 12 }).filter((l) => l !== "%" && !/[\r\n]/.test(l)), { minLength: 1, maxLength: 4 })
  .map((lines) => lines.join("\n"))
  .filter((f) => f.trim().length > 0);

describe("parseFortunes", () => {
  it("recovers the fortunes of a file written with LF or CRLF, with or without a final separator", () => {
    fc.assert(fc.property(fc.array(body, { maxLength: 6 }), fc.boolean(), fc.boolean(), (fortunes, crlf, finalSep) => {
      const eol = crlf ? "\r\n" : "\n";
      let file = fortunes.map((f) => f.split("\n").join(eol) + eol).join("%" + eol);
      if (finalSep && fortunes.length > 0) file += "%" + eol;
      expect(parseFortunes(file)).toEqual(fortunes);
    }));
  });

  it("drops empty and whitespace-only fortunes; keeps a line that merely starts with %", () => {
    expect(parseFortunes("%\n%\n  \n%\na\n%%\nb\n%\n\n")).toEqual(["a\n%%\nb"]);
    expect(parseFortunes("")).toEqual([]);
    expect(parseFortunes("one\r\n%\r\ntwo")).toEqual(["one", "two"]);
  });
});

describe("loadText and loadFortunes on a folder", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "edgegrad-text-"));
    await writeFile(join(dir, "b"), "B1\n%\nB2\n%\nB3\n");
    await writeFile(join(dir, "a"), "A1\r\n%\r\nA2\r\n");
    await writeFile(join(dir, "a.dat"), new Uint8Array([0, 0, 0, 2, 0, 1]));
    await symlink(join(dir, "a"), join(dir, "a.u8"));
    await mkdir(join(dir, "off"));
    await writeFile(join(dir, "off", "c"), "C1\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loadText reads a file, or a folder's text files in name order, each once", async () => {
    expect(await loadText(join(dir, "b"))).toBe("B1\n%\nB2\n%\nB3\n");
    // a.u8 links to a (read once), a.dat is binary, off/ is a folder.
    expect(await loadText(dir)).toBe("A1\r\n%\r\nA2\r\n\nB1\n%\nB2\n%\nB3\n");
    await expect(loadText(join(dir, "a.dat"))).rejects.toThrow(/not UTF-8 text/);
    await expect(loadText(join(dir, "missing"))).rejects.toThrow(ValueError);
    await expect(loadText(join(dir, "off", "missing"))).rejects.toThrow(/cannot read/);
  });

  it("loadFortunes labels each fortune with its file, skipping .dat, .u8 and off/", async () => {
    const f = await loadFortunes(dir);
    expect(f.labelNames).toEqual(["a", "b"]);
    expect(f.texts).toEqual(["A1", "A2", "B1", "B2", "B3"]);
    expect(Array.from(f.labels.data)).toEqual([0, 0, 1, 1, 1]);
    expect(f.labels.dtype).toBe("int32");
    const only = await loadFortunes(dir, { files: ["b"] });
    expect([only.labelNames, only.texts]).toEqual([["b"], ["B1", "B2", "B3"]]);
    await expect(loadFortunes(dir, { files: ["zzz"] })).rejects.toThrow(/no database file "zzz"/);
    await expect(loadFortunes(dir, { file: ["b"] } as never)).rejects.toThrow(/unknown option "file"/);
  });
});

const haveFortunes = existsSync(`${FORTUNES_DIR}/fortunes`);

describe("the fortunes corpus (Debian package fortunes)", () => {
  it.skipIf(!haveFortunes)(
    `loads thousands of fortunes from dozens of files${haveFortunes ? "" : ` — SKIPPED: ${FORTUNES_DIR} absent (apt-get install -y fortunes)`}`,
    async () => {
      const f = await loadFortunes();
      expect(f.labelNames.length).toBeGreaterThan(30);
      expect(f.labelNames).not.toContain("off");
      expect(f.labelNames.some((n) => n.includes("."))).toBe(false);
      expect(f.texts.length).toBe(f.labels.size);
      expect(f.texts.length).toBeGreaterThan(10000);
      expect(f.texts.every((t) => t.trim().length > 0 && !t.split("\n").includes("%"))).toBe(true);
      const text = await loadText(FORTUNES_DIR);
      expect(text.length).toBeGreaterThan(2_000_000);
    },
  );
});
