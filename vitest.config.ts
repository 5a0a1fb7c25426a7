import { configDefaults, defineConfig } from "vitest/config";

// Every test file runs once per backend (a project each; the setup file loads that backend and
// fails if it cannot). Relaxed SIMD needs a V8 flag on Node 20, which is not allowed in
// NODE_OPTIONS, so tests run in forked workers started with it. vitest keeps one forks pool for
// all projects, so every worker gets the flag; the simd and js projects still load exactly
// their own backend through init({ backend }).
const relaxedFlag = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [];

// Files that test no backend of this process but run child processes, as users run them: once,
// in their own project. (A project's include and exclude are added to the root's, so the root
// names no files.)
const once = ["tests/examples.test.ts"];

const backend = (name: string) => ({
  extends: true as const,
  test: {
    name, env: { EDGEGRAD_BACKEND: name }, include: ["tests/**/*.test.ts"], exclude: [...configDefaults.exclude, ...once],
    setupFiles: ["tests/support/setup-backend.ts"],
  },
});

export default defineConfig({
  test: {
    testTimeout: 120_000,
    pool: "forks",
    poolOptions: { forks: { execArgv: relaxedFlag } },
    projects: [backend("wasm-relaxed-simd"), backend("wasm-simd"), backend("js"), { extends: true, test: { name: "once", include: once } }],
  },
});
