// Cold start, as a serverless function or a page pays it: a fresh Node process imports the
// library, initializes it and runs its first 128×128 matmul. Two clocks:
// - spawn to exit, taken by this (parent) process around each child, against a bare Node process
//   running the same script without any library (it makes the inputs and exits): the
//   difference is everything a program pays for importing and using the library, including
//   compiling its code;
// - inside the child, from just before the import to the result in hand. The input matrices are
//   made before this clock starts: they stand for data the application already has.
// Runs are interleaved across libraries so machine noise hits all alike; medians of ≥ 9 runs.
//   npm run build && node bench/cold-start.mjs [runs=15]
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const N = 128;
const here = fileURLToPath(import.meta.url);

function inputs() {
  // Deterministic, library-independent data: the same bits for every library.
  const a = new Float32Array(N * N), b = new Float32Array(N * N);
  for (let i = 0; i < a.length; i++) {
    a[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    b[i] = ((i * 104729) % 1000) / 1000 - 0.5;
  }
  return { a, b };
}

async function edgegradMatmul(eg, a, b) {
  await eg.init();
  return eg.matmul(eg.fromTypedArray(a, [N, N]), eg.fromTypedArray(b, [N, N])).data;
}

const ENGINES = {
  // No library: the same script, the same inputs, a checksum of one input instead of a product.
  async "bare node"({ a }) {
    return a;
  },
  // "edgegrad" by name: under Node, the default entry's lazily loaded files (dist/node/).
  async edgegrad({ a, b }) {
    return edgegradMatmul(await import("edgegrad"), a, b);
  },
  // The same API as one file (dist/index.js): what bundlers and browsers get.
  async "edgegrad, one-file bundle"({ a, b }) {
    return edgegradMatmul(await import("../dist/index.js"), a, b);
  },
  async "tfjs-backend-wasm"({ a, b }) {
    const tf = await import("@tensorflow/tfjs-core");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"))}/`);
    wasm.setThreadsCount(1);
    await tf.setBackend("wasm");
    await tf.ready();
    return tf.matMul(tf.tensor2d(a, [N, N]), tf.tensor2d(b, [N, N])).dataSync();
  },
  async "onnxruntime-web"({ a, b }) {
    const ort = await import("onnxruntime-web");
    const { matmulModel } = await import("./onnx-model.mjs");
    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(matmulModel(N, N, N), { executionProviders: ["wasm"] });
    const out = await session.run({ A: new ort.Tensor("float32", a, [N, N]), B: new ort.Tensor("float32", b, [N, N]) });
    return out.C.data;
  },
};

/** One measurement in this (fresh) process; prints JSON. */
async function child(name) {
  const bootMs = performance.now();
  const data = inputs();
  const t0 = performance.now();
  const c = await ENGINES[name](data);
  const ms = performance.now() - t0;
  // A checksum proves the work happened and lets the parent compare libraries' results.
  let sum = 0;
  for (let i = 0; i < c.length; i += 97) sum += c[i];
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  console.log(JSON.stringify({ ms, bootMs, cpuMs, checksum: sum }));
  process.exit(0); // onnxruntime-web keeps handles open; the measurement is done
}

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

function table(head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c) => "| " + c.map((s, i) => (i ? s.padStart(w[i]) : s.padEnd(w[i]))).join(" | ") + " |";
  return [line(head), line(w.map((x) => "-".repeat(x))), ...rows.map(line)].join("\n");
}

function parent(runs) {
  if (!(runs >= 9)) throw new Error(`cold-start: ${runs} runs; medians need at least 9`);
  const names = Object.keys(ENGINES);
  const inside = Object.fromEntries(names.map((n) => [n, []]));
  const spawn = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  const boots = [];
  const checksums = {};
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      const t0 = performance.now();
      const out = execFileSync(process.execPath, [here, "--child", name], { encoding: "utf8", cwd: dirname(dirname(here)) });
      spawn[name].push(performance.now() - t0);
      const res = JSON.parse(out.trim().split("\n").pop());
      inside[name].push(res.ms);
      cpu[name].push(res.cpuMs);
      boots.push(res.bootMs);
      checksums[name] = res.checksum;
    }
  }
  const f = (x) => x.toFixed(1);
  const bare = median(spawn["bare node"]);
  console.log(`cold start, fresh Node ${process.version} process per run, median of ${runs} runs, interleaved`);
  console.log("\nspawn to exit (parent's clock), against a bare Node process running the same script without a library:");
  console.log(table(["process", "median ms", "min ms", "max ms", "− bare node", "CPU ms (child)"], names.map((n) => [
    n === "edgegrad" ? "edgegrad (default entry)" : n, f(median(spawn[n])), f(Math.min(...spawn[n])), f(Math.max(...spawn[n])),
    n === "bare node" ? "" : `+${f(median(spawn[n]) - bare)}`, f(median(cpu[n])),
  ])));
  console.log(`\nimport → init → first ${N}×${N} matmul (child's clock; Node's own boot before the import: median ${f(median(boots))} ms):`);
  const libraries = names.filter((n) => n !== "bare node");
  console.log(table(["library", "median ms", "min ms", "max ms", "checksum"], libraries.map((n) => [
    n, f(median(inside[n])), f(Math.min(...inside[n])), f(Math.max(...inside[n])), checksums[n].toFixed(4),
  ])));
  // The two medians above come from different runs, and on a shared host bare node's own runs
  // spread over tens of ms; each round's difference (edgegrad's run against the bare run just
  // before it) cancels what the host did in that moment, so its median is the figure to judge by.
  const paired = spawn.edgegrad.map((t, r) => t - spawn["bare node"][r]).sort((x, y) => x - y);
  const quartile = (q) => paired[Math.round(q * (paired.length - 1))];
  const extra = median(paired);
  console.log(`\nedgegrad default entry: spawn to exit ${f(median(spawn.edgegrad))} ms, bare node + ${f(median(spawn.edgegrad) - bare)} ms by the ` +
    `medians; per round, edgegrad − the bare run before it: median + ${f(extra)} ms (quartiles + ${f(quartile(0.25))}, + ${f(quartile(0.75))}) ` +
    `${extra <= 10 ? "≤" : ">"} bare node + 10 ms target`);
}

if (process.argv[2] === "--child") await child(process.argv[3]);
else parent(Number(process.argv[2] ?? 15));
