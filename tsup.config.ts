import { defineConfig } from "tsup";
import type { Plugin } from "esbuild";
import { fileURLToPath } from "node:url";

// The slim entry is the same source with the embedded kernel bytes and data sets swapped for
// nothing: edge runtimes load a precompiled module and ship code only.
const withoutEmbeddedAssets: Plugin = {
  name: "without-embedded-assets",
  setup(build) {
    const stub = (file: string) => ({ path: fileURLToPath(new URL(file, import.meta.url)) });
    build.onResolve({ filter: /\/embedded\.js$/ }, () => stub("./src/backend/embedded-none.ts"));
    build.onResolve({ filter: /\/datasets\.generated\.js$/ }, () => stub("./src/data/datasets-none.ts"));
  },
};

const library = { format: ["esm", "cjs"] as ("esm" | "cjs")[], dts: true, clean: false, sourcemap: true, minify: true, keepNames: true, target: "es2022", splitting: false, treeshake: true };

// clean: false everywhere: dist/ also holds the .wasm files written by build:wasm.
export default defineConfig([
{ ...library, entry: { index: "src/index.ts", datasets: "src/datasets.ts" } },
{ ...library, entry: { slim: "src/slim.ts" }, esbuildPlugins: [withoutEmbeddedAssets] },
{
  // The command line: one ESM file with a shebang, the library bundled in.
  entry: { cli: "src/cli/main.ts" },
  format: ["esm"],
  dts: false,
  clean: false,
  target: "es2022",
  platform: "node",
}]);
