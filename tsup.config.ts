import { defineConfig } from "tsup";
import type { Plugin } from "esbuild";
import { readFileSync } from "node:fs";
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

// The slim ES module tree is compiled file by file, so the same swap happens when a file is
// loaded rather than resolved: embedded.js and datasets.generated.js get the empty variants.
const emptyEmbeddedAssets: Plugin = {
  name: "empty-embedded-assets",
  setup(build) {
    const source = (file: string) => ({ contents: readFileSync(new URL(file, import.meta.url), "utf8"), loader: "ts" as const });
    build.onLoad({ filter: /[\\/]backend[\\/]embedded\.ts$/ }, () => source("./src/backend/embedded-none.ts"));
    build.onLoad({ filter: /[\\/]data[\\/]datasets\.generated\.ts$/ }, () => source("./src/data/datasets-none.ts"));
  },
};

// Whitespace and syntax minified, identifiers kept: a user's stack trace and console.log read
// `ShapeError: …`, `at Linear.forward`, `Sequential {…}`, not the minifier's one-letter names, for
// no measurable cost at a cold start (runtime/RESULTS.md); an application's bundler renames them
// when it minifies, and the library's classes carry their names for that case (src/type-name.ts).
// esbuild's own tree shaking, not tsup's second pass through Rollup: that pass writes CommonJS
// exports as `exports.ShapeError = class extends …`, a class without a name.
const library = { format: ["esm", "cjs"] as ("esm" | "cjs")[], dts: true, clean: false, sourcemap: true, minifyWhitespace: true, minifySyntax: true,
                  target: "es2022", splitting: false, treeshake: false };

// clean: false everywhere: dist/ also holds the .wasm files written by build:wasm.
export default defineConfig([
// The default entry as an ES module is split into chunks: with one file, the bundler wraps every
// module that a dynamic import (the thread pool, the bfloat16 scope) also reaches in a lazy
// initializer, and V8 then parses that code twice at import (once to skip the function, once to
// run it). Measured by CPU time of the import: about a third less with the chunks.
// The declarations are bundled once per entry, for import (index.d.ts, slim.d.ts): the same text
// serves require() and scripts/types-for-require.mjs copies it: each bundling builds a TypeScript
// program of the whole library, and two fewer took tsup from 43 to 26 s on two cores.
{ ...library, entry: { index: "src/index.ts" }, format: ["esm"], splitting: true },
{ ...library, entry: { index: "src/index.ts" }, format: ["cjs"], dts: false },
// "edgegrad/datasets" stays one file of its own: sharing the default entry's chunks would bring
// it code its users (of the slim entry) already have.
{ ...library, entry: { datasets: "src/datasets.ts" } },
// "edgegrad/slim" for require(), and the types of the slim entry for both: one bundle of the whole
// API (src/slim-all.ts), like the default entry, and its declarations. scripts/slim-subpaths.mjs
// cuts the entry (the top-level names) and each namespace subpath ("edgegrad/slim/nn", ...) from
// these, so that all of them share one Tensor class and one declaration of it.
{ ...library, entry: { "slim-all": "src/slim-all.ts" }, format: ["cjs"], dts: false, esbuildPlugins: [withoutEmbeddedAssets] },
{ entry: { "slim-all": "src/slim-all.ts" }, format: ["esm"], dts: { only: true }, clean: false },
{
  // "edgegrad/slim" for import: one ES module per source file, unminified, so an application's
  // bundler drops what it does not use (with "sideEffects": false, whole files) and minifies the
  // rest itself. Tensors and matmul alone come to a fraction of the library.
  entry: ["src/**/*.ts", "!src/cli/**", "!src/index.ts", "!src/datasets.ts", "!src/**/*-none.ts", "!src/**/*-node.ts",
          "!src/backend/wasm-bytes.generated.ts", "!src/slim-all.ts"],
  outDir: "dist/slim",
  format: ["esm"],
  bundle: false,
  dts: false,
  clean: false,
  sourcemap: false,
  target: "es2022",
  esbuildPlugins: [emptyEmbeddedAssets],
},
{
  // The command line: one ESM file with a shebang, the library bundled in.
  entry: { cli: "src/cli/main.ts" },
  format: ["esm"],
  dts: false,
  clean: false,
  target: "es2022",
  platform: "node",
}]);
