// Runs the Edge Function (edge-function.mjs) in Vercel's Edge Runtime as its `edge-runtime`
// package provides it for local development: a separate V8 context with the Web APIs of the Edge
// platform and without Node's (no `process`, no `require`, no Worker, no code generation from
// strings). The function is bundled with esbuild into one script, as Vercel's build does, and
// answers one fetch event.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/** Resolves to the function's JSON result; throws with its error on failure. */
export async function runVercelEdge(dir) {
  const { EdgeRuntime } = await import("edge-runtime");
  const version = createRequire(import.meta.url)("edge-runtime/package.json").version;
  const bundle = await build({
    entryPoints: [join(dir, "edge-function.mjs")], absWorkingDir: dir, bundle: true, write: false,
    format: "iife", platform: "browser", conditions: ["edge-light", "worker", "browser"], logLevel: "error",
  });
  const module = new WebAssembly.Module(readFileSync(join(dir, "node_modules", "edgegrad", "dist", "edgegrad-simd.wasm")));
  const runtime = new EdgeRuntime({
    initialCode: bundle.outputFiles[0].text,
    extend: (context) => Object.assign(context, { EDGEGRAD_WASM: module }),
  });
  const response = await runtime.dispatchFetch("http://localhost/");
  await response.waitUntil();
  const body = await response.json();
  if (!response.ok) throw new Error(`the Edge Function failed: ${body.error ?? response.status}`);
  return { version: `edge-runtime ${version}`, ...body };
}
