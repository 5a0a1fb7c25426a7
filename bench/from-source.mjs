// The kernel tables are internal (src/backend) and dist exports only the public API, so the
// benches that call kernels directly bundle them from source with esbuild (tsup's bundler) —
// the same code dist contains — and import the bundle as a data: URL module.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** `contents` is a TS module whose imports are relative to the repository root. */
export async function importFromSource(contents, sourcefile) {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: "ts", sourcefile },
    bundle: true, format: "esm", platform: "neutral", target: "es2022", write: false, logLevel: "error",
  });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
}
