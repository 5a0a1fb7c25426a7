import { defineConfig } from "tsup";
import type { Plugin } from "esbuild";
import { fileURLToPath } from "node:url";

// The slim entry is the same source with the embedded kernel bytes swapped for nothing.
const withoutEmbeddedWasm: Plugin = {
  name: "without-embedded-wasm",
  setup(build) {
    build.onResolve({ filter: /\/embedded\.js$/ }, () => ({
      path: fileURLToPath(new URL("./src/backend/embedded-none.ts", import.meta.url)),
    }));
  },
};

const library = { format: ["esm", "cjs"] as ("esm" | "cjs")[], dts: true, clean: false, sourcemap: false, target: "es2022", splitting: false, treeshake: true };

// clean: false everywhere: dist/ also holds the .wasm files written by build:wasm.
export default defineConfig([
{ ...library, entry: { index: "src/index.ts" } },
{ ...library, entry: { slim: "src/slim.ts" }, esbuildPlugins: [withoutEmbeddedWasm] },
{
  // The command line: one ESM file with a shebang, the library bundled in.
  entry: { cli: "src/cli/main.ts" },
  format: ["esm"],
  dts: false,
  clean: false,
  target: "es2022",
  platform: "node",
}]);
