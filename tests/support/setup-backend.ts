// Loads the backend this vitest project is for; fails loudly rather than testing another one.
import { beforeAll } from "vitest";
import { init, backendInfo } from "../../src/index.js";

const wanted = process.env.EDGEGRAD_BACKEND as "wasm-relaxed-simd" | "wasm-simd" | "js";

beforeAll(async () => {
  await init({ backend: wanted });
  const got = backendInfo().backend;
  if (got !== wanted) throw new Error(`test setup: asked for backend ${wanted}, got ${got}`);
});
