import { defineConfig } from "vitest/config";

// Every test file runs once per backend. Relaxed SIMD needs a V8 flag on Node 20, which is not
// allowed in NODE_OPTIONS, so that project runs in forked workers started with the flag.
const relaxedFlag = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [];

const backend = (name: string, execArgv: string[] = []) => ({
  extends: true as const,
  test: {
    name,
    env: { EDGEGRAD_BACKEND: name },
    pool: "forks" as const,
    poolOptions: { forks: { execArgv } },
  },
});

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/support/setup-backend.ts"],
    testTimeout: 60_000,
    projects: [backend("wasm-relaxed-simd", relaxedFlag), backend("wasm-simd"), backend("js")],
  },
});
