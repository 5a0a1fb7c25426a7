// Runs the Worker (worker.mjs) in Cloudflare's workerd, on 127.0.0.1 only, and fetches its
// result once. The Worker is bundled with esbuild and uploaded with the package's .wasm file as
// a second module, the way wrangler deploys one: the bundle holds what the Worker uses of the
// slim entry's ES modules, and the wasm arrives precompiled, never compiled from bytes at run time.
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./static-server.mjs";

const config = (port) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .checks) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const checks :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.bundle.mjs"),
    (name = "edgegrad/edgegrad-simd.wasm", wasm = embed "node_modules/edgegrad/dist/edgegrad-simd.wasm"),
  ],
  compatibilityDate = "2024-09-23",
);
`;

/** Resolves to the Worker's JSON result; rejects with workerd's output on failure or timeout. */
export async function runWorkerd(bin, dir, timeoutMs = 60_000) {
  await build({
    entryPoints: [join(dir, "worker.mjs")], outfile: join(dir, "worker.bundle.mjs"), absWorkingDir: dir,
    bundle: true, format: "esm", platform: "neutral", external: ["*.wasm"], logLevel: "error",
  });
  const port = await freePort();
  writeFileSync(join(dir, "config.capnp"), config(port));
  const child = spawn(bin, ["serve", "config.capnp", "--experimental"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise((r) => child.once("exit", (code) => r(code)));
  const deadline = Date.now() + timeoutMs;
  try {
    // workerd prints nothing when it is ready: poll until the socket answers.
    for (;;) {
      if (child.exitCode !== null) throw new Error(`workerd exited (${child.exitCode}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`workerd timed out:\n${log}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
        const body = await res.json();
        if (!res.ok) throw new Error(`the Worker failed: ${body.error ?? res.status}\n${log}`);
        return body;
      } catch (e) {
        if (!/ECONNREFUSED|fetch failed/.test(String(e?.cause?.code ?? e?.message))) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
  }
}
