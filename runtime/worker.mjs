// The Cloudflare Worker: workerd forbids compiling wasm from bytes, so the kernels come in as a
// module binding (the .wasm file listed as a wasm module) and go to init({ module }) of the slim
// entry, exactly as a Worker built by wrangler would.
import wasm from "edgegrad/edgegrad-simd.wasm";
import * as core from "edgegrad/slim";
import * as nn from "edgegrad/slim/nn";
import * as optim from "edgegrad/slim/optim";
import * as compress from "edgegrad/slim/compress";
import { runChecks, runThreadChecks } from "./check.mjs";

// The checks take the API as one object, as the default entry's users see it.
const eg = { ...core, nn, optim, compress };

/** Proof that the platform rule the slim entry exists for is in force here. */
async function compileFromBytesFails() {
  try {
    await WebAssembly.compile(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    return false;
  } catch {
    return true;
  }
}

export default {
  async fetch() {
    try {
      await eg.init({ module: wasm });
      const checks = runChecks(eg);
      return Response.json({ bytesCompileForbidden: await compileFromBytesFails(), ...checks,
                             ...(await runThreadChecks(eg, { module: wasm })) });
    } catch (e) {
      return Response.json({ error: String(e?.stack ?? e) }, { status: 500 });
    }
  },
};
