// The declarations for require() (index.d.cts, slim-all.d.cts) are the ones tsup bundled for import:
// both forms of an entry export the same names, so the text is the same, and bundling it twice
// would build a TypeScript program of the whole library twice more.
import { copyFileSync } from "node:fs";

const dist = new URL("../dist/", import.meta.url);
for (const entry of ["index", "slim-all"]) copyFileSync(new URL(`${entry}.d.ts`, dist), new URL(`${entry}.d.cts`, dist));
