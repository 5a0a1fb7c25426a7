// Cold start, as a serverless function or a page pays it: a fresh Node process imports the
// library, initializes it and runs its first 128×128 matmul. Timed inside the child from just
// before the import to the result in hand (process boot itself is the same for every library and
// reported apart). The input matrices are made before the clock starts: they stand for data the
// application already has, and filling them in a cold interpreter takes ≈ 2 ms, which is no
// library's work. Runs are interleaved across libraries so machine noise hits all alike.
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

const ENGINES = {
  async edgegrad({ a, b }) {
    const eg = await import("edgegrad");
    await eg.init();
    return eg.matmul(eg.fromTypedArray(a, [N, N]), eg.fromTypedArray(b, [N, N])).data;
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
  console.log(JSON.stringify({ ms, bootMs, checksum: sum }));
  process.exit(0); // onnxruntime-web keeps handles open; the measurement is done
}

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

function parent(runs) {
  const names = Object.keys(ENGINES);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const boots = [];
  const checksums = {};
  for (let r = 0; r < runs; r++) {
    for (const name of names) {
      const out = execFileSync(process.execPath, [here, "--child", name], { encoding: "utf8", cwd: dirname(dirname(here)) });
      const res = JSON.parse(out.trim().split("\n").pop());
      samples[name].push(res.ms);
      boots.push(res.bootMs);
      checksums[name] = res.checksum;
    }
  }
  console.log(`cold start, fresh Node ${process.version} process: import → init → first ${N}×${N} matmul, median of ${runs} runs`);
  console.log(`(Node's own boot before the import, the same for all: median ${median(boots).toFixed(1)} ms)`);
  const rows = names.map((n) => [n, median(samples[n]).toFixed(1), Math.min(...samples[n]).toFixed(1),
    Math.max(...samples[n]).toFixed(1), checksums[n].toFixed(4)]);
  const head = ["library", "median ms", "min ms", "max ms", "checksum"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c) => "| " + c.map((s, i) => (i ? s.padStart(w[i]) : s.padEnd(w[i]))).join(" | ") + " |";
  console.log([line(head), line(w.map((x) => "-".repeat(x))), ...rows.map(line)].join("\n"));
  const ours = median(samples.edgegrad);
  console.log(`edgegrad: ${ours.toFixed(1)} ms ${ours <= 15 ? "≤" : ">"} 15 ms target`);
}

if (process.argv[2] === "--child") await child(process.argv[3]);
else parent(Number(process.argv[2] ?? 15));
