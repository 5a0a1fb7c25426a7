// Builds a throwaway consumer project holding the package exactly as npm would publish it:
// `npm pack` (so the "files" field and exports map are what gets tested), unpacked into
// node_modules/edgegrad, next to the shared workload. Every runtime then imports "edgegrad"
// by name, the way a user's code does.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export function makeConsumer() {
  const dir = mkdtempSync(join(tmpdir(), "edgegrad-consumer-"));
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8" });
  const tarball = join(dir, out.trim().split("\n").pop());
  const pkgDir = join(dir, "node_modules", "edgegrad");
  mkdirSync(pkgDir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", pkgDir, "--strip-components=1"]);
  // A package.json makes Deno resolve bare specifiers from node_modules (as Node and Bun do).
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  for (const f of ["check.mjs", "main.mjs", "worker.mjs", "edge-function.mjs"]) copyFileSync(join(ROOT, "runtime", f), join(dir, f));
  return { dir, tarball, files: readdirSync(join(pkgDir, "dist")) };
}
