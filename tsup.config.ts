import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", slim: "src/slim.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: false, // dist/ also holds the .wasm files written by build:wasm
  sourcemap: false,
  target: "es2022",
  splitting: false,
  treeshake: true,
});
