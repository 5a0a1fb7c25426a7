// `npm run bench`: f32 GEMM of edgegrad against its peers, in one process so ratios compare
// like with like. Prints progress, then the acceptance checks, then the tables last; writes
// bench/results/latest.json (for comparing runs) and bench/RESULTS.md (the latest report).
import { spawnSync, execSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, platform, arch } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";

// Node 20 validates relaxed SIMD only behind a V8 flag, which NODE_OPTIONS refuses: re-run this
// script with the flag. The peers' wasm builds use no relaxed opcodes, so the flag changes nothing
// for them; edgegrad's plain-SIMD build is measured in the same process.
if (Number(process.versions.node.split(".")[0]) < 22 && !process.execArgv.includes(RELAXED_FLAG)) {
  const r = spawnSync(process.execPath, [RELAXED_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const { measureGemm } = await import("./gemm.mjs");
const { measureCeiling } = await import("./ceiling.mjs");

const version = (pkg) => JSON.parse(readFileSync(join(root, "node_modules", pkg, "package.json"), "utf8")).version;
const git = (cmd) => { try { return execSync(`git ${cmd}`, { cwd: root, encoding: "utf8" }).trim(); } catch { return "?"; } };

// `node bench/run.mjs 64³` runs only the matching problems and writes no report files.
const filter = process.argv[2];
const started = Date.now();
process.stderr.write("ceiling: the micro-kernel's inner loop with data in L1\n");
const ceiling = await measureCeiling();
const plainCeiling = ceiling[0].rate;
const { records, egMatmulBackend } = await measureGemm((line) => process.stderr.write(`${line}\n`), filter);

const COLUMNS = [
  ["eg-simd", "f32"], ["eg-relaxed", "f32"], ["eg-matmul", "f32"],
  ["tfjs-wasm", "resident"], ["tfjs-wasm", "f32"], ["ort-wasm", "f32"],
  ["tfjs-cpu", "resident"], ["tfjs-cpu", "f32"], ["plain-js", "f32"],
];
const RATIOS = [
  ["eg-simd", "tfjs-wasm", "resident"], ["eg-relaxed", "tfjs-wasm", "resident"],
  ["eg-simd", "tfjs-wasm", "f32"], ["eg-relaxed", "tfjs-wasm", "f32"],
  ["eg-simd", "ort-wasm", "f32"], ["eg-relaxed", "ort-wasm", "f32"],
];

const get = (shape, variant, engine, mode) =>
  records.find((r) => r.shape === shape && r.variant === variant && r.engine === engine && r.mode === mode);
const rows = [...new Map(records.map((r) => [`${r.shape} ${r.variant}`, r])).values()];

function table(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [line(header), `|${widths.map((w, i) => (i < 2 ? ":" : "") + "-".repeat(w + 1) + (i < 2 ? "" : ":")).join("|")}|`, ...body.map(line)].join("\n");
}

const gflopsTable = table(
  ["problem", "op", ...COLUMNS.map(([e, m]) => (m === "f32" ? e : `${e} res`))],
  rows.map((r) => [r.shape, r.variant, ...COLUMNS.map(([e, m]) => get(r.shape, r.variant, e, m)?.gflops.toFixed(1) ?? "–")]));
const ratioTable = table(
  ["problem", "op", ...RATIOS.map(([e, p, m]) => `${e.slice(3)}/${p.replace("-wasm", "")}${m === "resident" ? " res" : ""}`),
   "simd vs A·B", "relaxed vs A·B"],
  rows.map((r) => {
    const ratio = (x, y) => (x && y ? (x.gflops / y.gflops).toFixed(2) : "–");
    return [r.shape, r.variant,
      ...RATIOS.map(([e, p, m]) => ratio(get(r.shape, r.variant, e, "f32"), get(r.shape, r.variant, p, m))),
      ratio(get(r.shape, r.variant, "eg-simd", "f32"), get(r.shape, "A·B", "eg-simd", "f32")),
      ratio(get(r.shape, r.variant, "eg-relaxed", "f32"), get(r.shape, "A·B", "eg-relaxed", "f32"))];
  }));

// The speed targets, all from Float32Array to Float32Array.
const g = (shape, variant, engine, mode = "f32") => get(shape, variant, engine, mode)?.gflops ?? NaN;
const BIG = ["256³", "512³", "1024³", "[64×784]·[784×256]"];
const checks = [
  ...BIG.map((s) => [`simd ≥ 40 GFLOP/s at ${s}`, g(s, "A·B", "eg-simd") >= 40, `${g(s, "A·B", "eg-simd").toFixed(1)}`]),
  ...BIG.map((s) => [`relaxed ≥ 46 GFLOP/s at ${s}`, g(s, "A·B", "eg-relaxed") >= 46, `${g(s, "A·B", "eg-relaxed").toFixed(1)}`]),
  ...BIG.map((s) => {
    const tfjs = g(s, "A·B", "tfjs-wasm", "resident");
    const x = g(s, "A·B", "eg-simd") / tfjs;
    const need = 1.3 * tfjs;
    return [`simd ≥ 1.3× tfjs-wasm resident at ${s}`, x >= 1.3,
      `${x.toFixed(2)}× (1.3× needs ${need.toFixed(1)} GFLOP/s = ${(100 * need / plainCeiling).toFixed(0)}% of the plain-SIMD loop's ${plainCeiling.toFixed(1)})`];
  }),
  (() => {
    const x = g("64³", "A·B", "eg-simd") / g("64³", "A·B", "tfjs-wasm", "resident");
    return ["simd ≥ 1.0× tfjs-wasm resident at 64³", x >= 1.0, `${x.toFixed(2)}×`];
  })(),
  ...["eg-simd", "eg-relaxed"].map((e) => {
    let worst = Infinity, where = "";
    for (const r of rows) {
      if (r.variant === "A·B") continue;
      const x = g(r.shape, r.variant, e) / g(r.shape, "A·B", e);
      if (x < worst) { worst = x; where = `${r.shape} ${r.variant}`; }
    }
    return [`${e.slice(3)}: transposed variants within 10% of A·B`, worst >= 0.9, `worst ${worst.toFixed(2)} (${where})`];
  }),
];
const acceptance = checks.map(([what, ok, value]) => `${ok ? "PASS" : "FAIL"}  ${what}: ${value}`).join("\n");

const machine = {
  cpu: cpus()[0]?.model ?? "?", cores: cpus().length, platform: `${platform()} ${arch()}`,
  node: process.version, v8: process.versions.v8, flags: process.execArgv.join(" "),
};
const versions = Object.fromEntries(["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-backend-cpu",
  "onnxruntime-web", "tinybench", "assemblyscript"].map((p) => [p, version(p)]));
const commit = `${git("rev-parse --short HEAD")}${git("status --porcelain assembly src") ? " (+ uncommitted changes)" : ""}`;
const seconds = Math.round((Date.now() - started) / 1000);

mkdirSync(join(here, "results"), { recursive: true });
if (!filter) writeFileSync(join(here, "results", "latest.json"), `${JSON.stringify(
  { date: new Date().toISOString(), commit, machine, versions, egMatmulBackend, seconds, ceiling, acceptance: checks, records }, null, 1)}\n`);

const ceilingTable = table(["loop (bench/ceiling/loops.ts)", "unit", "rate"],
  ceiling.map((c) => [c.name, c.unit, c.rate.toFixed(1)]));

const legend = `GFLOP/s = 2·M·N·K / median time (tinybench). Columns: eg-simd / eg-relaxed = edgegrad's kernel
table f32Gemm (plain SIMD / relaxed-SIMD FMA build), eg-matmul = edgegrad Tensor matmul from dist
(${egMatmulBackend}); "res" = resident: operands already tensors, product left in the library;
all other columns go from Float32Array operands to a Float32Array product. tfjs-wasm = tfjs-backend-wasm
(XNNPACK, SIMD, setThreadsCount(1)); ort-wasm = onnxruntime-web wasm, numThreads 1 (MatMul; Gemm
with transA/transB for the transposed ops); tfjs-cpu and plain-js (i-k-j loop) only up to 40 MFLOP.`;
const report = `# Benchmark results

\`npm run bench\` (${new Date().toISOString().slice(0, 10)}, commit ${commit}, ${seconds} s)

Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, Node ${machine.node} (V8 ${machine.v8}) ${machine.flags}
Peers: ${Object.entries(versions).map(([p, v]) => `${p} ${v}`).join(", ")}

The machine is shared and noisy: compare ratios within one run, not absolute numbers across runs.

## Targets

\`\`\`
${acceptance}
\`\`\`

## Ceiling

The inner loop of a 4x8 micro-kernel with its data in L1 (two B vectors and four broadcast A
values loaded, eight products accumulated per step): no GEMM made of the same instructions runs
faster on this machine, ours or XNNPACK's inside tfjs-backend-wasm (\`node bench/ceiling.mjs\`).

${ceilingTable}

## f32 GEMM, GFLOP/s

${legend}

${gflopsTable}

## Ratios (edgegrad f32 GFLOP/s ÷ peer GFLOP/s)

${ratioTable}

Training, compression and int8 results: \`bench/RESULTS-training.md\`, \`bench/RESULTS-compression.md\`;
runtimes, size and cold start: \`runtime/RESULTS.md\`.
`;
if (!filter) writeFileSync(join(here, "RESULTS.md"), report);

console.log(`\nMachine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${seconds} s; commit ${commit}`);
console.log(`${filter ? "Filtered run: no report files written" : "Wrote bench/results/latest.json and bench/RESULTS.md"}\n\nTargets:\n${acceptance}\n`);
console.log(`Ceiling (micro-kernel inner loop, data in L1)\n${ceilingTable}\n`);
console.log(`f32 GEMM, GFLOP/s\n${legend}\n\n${gflopsTable}\n\nRatios (edgegrad f32 ÷ peer)\n${ratioTable}`);
