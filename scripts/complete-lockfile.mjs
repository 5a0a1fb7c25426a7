// npm leaves out of package-lock.json the optional per-platform packages it could not fetch
// (a registry mirror that holds only some platforms' binaries), and `npm ci` then rejects that
// lock as out of sync. This adds each missing entry with the os/cpu/libc its name encodes, so
// npm skips it on other platforms and fetches it by name on its own. Run after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages;

function platformOf(name) {
  const parts = name.split("/").pop().split("-").slice(1); // rollup-linux-x64-gnu → linux x64 gnu
  const [os, cpu, abi] = parts;
  const entry = { os: [os], cpu: [cpu === "arm" ? "arm" : cpu] };
  if (abi && /musl/.test(abi)) entry.libc = ["musl"];
  else if (abi && /gnu/.test(abi) && os === "linux") entry.libc = ["glibc"];
  return entry;
}

let added = 0;
for (const [path, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (!dep.startsWith("@rollup/rollup-")) continue;
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    packages[key] = { version, ...platformOf(dep), dev: pkg.dev, optional: true };
    added++;
  }
  void path;
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lockfile: added ${added} optional platform entries`);
