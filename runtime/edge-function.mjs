// The Vercel Edge Function: the edge runtime forbids compiling wasm from bytes in production, so
// the kernels arrive as a WebAssembly.Module (on Vercel, `import wasm from "…/edgegrad-simd.wasm?module"`)
// and go to init({ module }) of the slim entry. The runner (runtime/vercel-edge.mjs) hands the
// module over as the global EDGEGRAD_WASM, compiled outside the function's sandbox: a module of
// another realm, which init must accept (no `instanceof WebAssembly.Module`).
import * as core from "edgegrad/slim";
import * as nn from "edgegrad/slim/nn";
import * as optim from "edgegrad/slim/optim";
import * as compress from "edgegrad/slim/compress";
import { runChecks, runThreadChecks } from "./check.mjs";

// The checks take the API as one object, as the default entry's users see it.
const eg = { ...core, nn, optim, compress };

async function handle() {
  try {
    const module = globalThis.EDGEGRAD_WASM;
    await eg.init({ module });
    const checks = runChecks(eg);
    return Response.json({ ...checks, ...(await runThreadChecks(eg, { module })) });
  } catch (e) {
    return Response.json({ error: String(e?.stack ?? e) }, { status: 500 });
  }
}

addEventListener("fetch", (event) => event.respondWith(handle()));
