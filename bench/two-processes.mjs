// What a second core gives on this machine, with no thread pool involved: a one-thread workload
// in one process alone, then in two processes at once, in the same run. If each of the two runs
// as fast as the one alone, two threads can reach 2×; if they slow each other down (two virtual
// CPUs sharing one physical core, a clock that drops when both cores are busy, shared caches and
// memory bandwidth), that ratio caps what any thread pool can reach on this machine.
// Workloads: the plain-SIMD f32 GEMM kernel at n³ (edgegrad-simd.wasm), or `cnn`: training
// steps of the CNN of bench/cnn-epoch.mjs (batch 64, Adam, random 28×28 images), whose
// convolutions read and write far more memory per operation than a GEMM.
//   npm run build && node bench/two-processes.mjs [n=512 | cnn] [seconds=4]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fashionCnn } from "./cnn-model.mjs";

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), "..");

/** In a child: GEMMs back to back for `seconds`; prints GFLOP/s by wall and by CPU time. */
async function child(n, seconds) {
  const eg = await import(join(root, "dist", "slim", "api.js"));
  const { kernels } = await import(join(root, "dist", "slim", "backend", "index.js"));
  await eg.init({ module: new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-simd.wasm"))) });
  const gemm = kernels().f32Gemm;
  const a = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: n * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const c = new Float32Array(n * n);
  const A = { data: a, offset: 0, rowStride: n, colStride: 1 }, B = { data: b, offset: 0, rowStride: n, colStride: 1 };
  for (let w = 0; w < 3; w++) gemm(n, n, n, A, B, c, 0);
  const t0 = performance.now(), c0 = process.cpuUsage();
  let calls = 0;
  while (performance.now() - t0 < seconds * 1000) { gemm(n, n, n, A, B, c, 0); calls++; }
  const wallMs = performance.now() - t0, cpu = process.cpuUsage(c0), cpuMs = (cpu.user + cpu.system) / 1000;
  const flop = 2 * n ** 3 * calls;
  console.log(JSON.stringify({ wall: flop / wallMs / 1e6, cpu: flop / cpuMs / 1e6 }));
}

/** In a child: CNN training steps (one thread) for `seconds`; prints batches/s by wall and by CPU time. */
async function cnnChild(seconds) {
  const eg = await import(join(root, "dist", "slim", "api.js"));
  await eg.init({ module: new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-simd.wasm"))) });
  const { nn, optim } = eg;
  const model = fashionCnn(nn);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = eg.rand([64, 1, 28, 28], { seed: 5 }), y = eg.fromTypedArray(Int32Array.from({ length: 64 }, (_, i) => i % 10), [64]);
  const step = () => {
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  for (let w = 0; w < 3; w++) step();
  const t0 = performance.now(), c0 = process.cpuUsage();
  let steps = 0;
  while (performance.now() - t0 < seconds * 1000) { step(); steps++; }
  const wallMs = performance.now() - t0, cpu = process.cpuUsage(c0), cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(JSON.stringify({ wall: steps / wallMs * 1000, cpu: steps / cpuMs * 1000 }));
}

function runChildren(count, n, seconds) {
  return Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [here, "--child", String(n), String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`child exited with ${code}`))));
  })));
}

if (process.argv[2] === "--child") {
  if (process.argv[3] === "cnn") await cnnChild(Number(process.argv[4]));
  else await child(Number(process.argv[3]), Number(process.argv[4]));
} else {
  const seconds = Number(process.argv[3] ?? 4);
  const size = process.argv[2] === "cnn" ? "cnn" : Number(process.argv[2] ?? 512);
  const f = (x) => x.toFixed(1);
  const rounds = [];
  for (let r = 0; r < 3; r++) rounds.push({ alone: (await runChildren(1, size, seconds))[0], pair: await runChildren(2, size, seconds) });
  console.log(size === "cnn"
    ? `CNN training steps (batch 64, Adam), plain SIMD, one thread per process, ${seconds} s per measurement; steps/s by wall time (by CPU time)`
    : `f32 GEMM ${size}³, plain SIMD, one thread per process, ${seconds} s per measurement; GFLOP/s by wall time (by CPU time)`);
  console.log("| round | one process alone | two processes at once, each | sum of the two | sum / alone |");
  console.log("|---|---:|---:|---:|---:|");
  rounds.forEach(({ alone, pair }, i) => {
    const sum = pair[0].wall + pair[1].wall;
    console.log(`| ${i + 1} | ${f(alone.wall)} (${f(alone.cpu)}) | ${f(pair[0].wall)} (${f(pair[0].cpu)}), ${f(pair[1].wall)} (${f(pair[1].cpu)}) | ${f(sum)} | ${(sum / alone.wall).toFixed(2)}× |`);
  });
}
