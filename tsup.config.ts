import { defineConfig } from "tsup";
import type { Plugin } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
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

// The namespaces of the API ("eg.nn", ...), each also published as "edgegrad/slim/<name>": a
// bundler drops the unused members of a namespace imported from its own module, but not of one
// re-exported through another (an application importing nn.Linear would ship nn.Conv2d).
const slimNamespaces = ["nn", "optim", "data", "metrics", "compress", "io", "select"];

const library = { format: ["esm", "cjs"] as ("esm" | "cjs")[], dts: true, clean: false, sourcemap: true, minify: true, keepNames: true, target: "es2022", splitting: false, treeshake: true };

// clean: false everywhere: dist/ also holds the .wasm files written by build:wasm.
export default defineConfig([
{ ...library, entry: { index: "src/index.ts", datasets: "src/datasets.ts" } },
// "edgegrad/slim" for require(): one bundle, like the default entry. Each namespace's subpath
// ("edgegrad/slim/nn", ...) is a one-line file that hands out that namespace of the bundle, so
// require() gets the same classes from both (a second bundle would have its own Tensor).
{ ...library, entry: { slim: "src/slim.ts" }, format: ["cjs"], dts: false, esbuildPlugins: [withoutEmbeddedAssets],
  onSuccess: async () => {
    for (const ns of slimNamespaces) {
      writeFileSync(new URL(`./dist/slim-${ns}.cjs`, import.meta.url), `"use strict";\nmodule.exports = require("./slim.cjs").${ns};\n`);
    }
  } },
// The types of "edgegrad/slim" and of each namespace subpath, for import and require, built
// together so that they share one declaration of Tensor, Module and the rest (shared chunks).
{ entry: { slim: "src/slim.ts", ...Object.fromEntries(slimNamespaces.map((ns) => [`slim-${ns}`, `src/${ns}/index.ts`])) },
  format: ["esm", "cjs"], dts: { only: true }, clean: false },
{
  // "edgegrad/slim" for import: one ES module per source file, unminified, so an application's
  // bundler drops what it does not use (with "sideEffects": false, whole files) and minifies the
  // rest itself. Tensors and matmul alone come to a fraction of the library.
  entry: ["src/**/*.ts", "!src/cli/**", "!src/index.ts", "!src/datasets.ts", "!src/**/*-none.ts",
          "!src/backend/wasm-bytes.generated.ts"],
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
