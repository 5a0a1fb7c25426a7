// npm leaves the per-platform binary packages it could not fetch (deno/workerd builds for other
// OSes are not on the registry mirror here) out of package-lock.json, and `npm ci` then rejects
// the lock as out of sync. This adds each missing optional entry with the os/cpu its name encodes,
// so npm skips it on other platforms. Run after `npm install` in this folder.
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("./package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const OS = { darwin: "darwin", linux: "linux", win32: "win32", windows: "win32", freebsd: "freebsd" };
const CPU = { x64: "x64", "64": "x64", arm64: "arm64", aarch64: "arm64" };

function platformOf(name) {
  const tokens = name.split("/").pop().split("-");
  const os = tokens.find((t) => t in OS);
  const cpu = tokens.find((t) => t in CPU);
  if (!os || !cpu) throw new Error(`complete-lock: cannot tell the platform of ${name}`);
  const entry = { os: [OS[os]], cpu: [CPU[cpu]] };
  if (tokens.includes("musl")) entry.libc = ["musl"];
  else if (os === "linux") entry.libc = ["glibc"];
  return entry;
}

let added = 0;
for (const pkg of Object.values(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key]) continue;
    lock.packages[key] = { version, ...platformOf(dep), dev: true, optional: true };
    added++;
  }
}
const sorted = Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1));
lock.packages = Object.fromEntries(sorted);
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`complete-lock: added ${added} optional platform entries`);
