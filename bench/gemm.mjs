// Measures every engine on every GEMM problem, problem by problem (all engines of one problem
// back to back, so a noisy neighbour hurts them alike and ratios stay comparable), with
// tinybench medians. Returns plain records; bench/run.mjs turns them into the report.
import { Bench } from "tinybench";
import { edgegradKernels, edgegradTensor, onnxruntime, plainJs, tfjs } from "./engines.mjs";

const CUBES = [64, 128, 256, 512, 1024];
/** MLP layers of the models we train: [batch×in]·[in×out]. */
const MLP = [[64, 256, 784], [64, 128, 256], [256, 256, 784]];   // m, n, k
const VARIANTS = [["A·B", false, false], ["Aᵀ·B", true, false], ["A·Bᵀ", false, true]];
/** Slow peers (tfjs-cpu, plain JS) only run problems up to this many flops. */
const SMALL_FLOPS = 40e6;

function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Every problem, or those whose shape contains `filter` (e.g. "64³" for a quick look). */
export function problems(filter) {
  const shapes = [...CUBES.map((s) => [`${s}³`, s, s, s]),
                  ...MLP.map(([m, n, k]) => [`[${m}×${k}]·[${k}×${n}]`, m, n, k])];
  const out = [];
  for (const [shape, m, n, k] of shapes) {
    for (const [variant, transA, transB] of VARIANTS) out.push({ shape, variant, m, n, k, transA, transB });
  }
  return filter ? out.filter((p) => p.shape.includes(filter)) : out;
}

function withData(p) {
  const next = random(p.m * 7919 + p.n * 104729 + p.k);
  const a = new Float32Array(p.m * p.k).map(() => 2 * next() - 1);
  const b = new Float32Array(p.k * p.n).map(() => 2 * next() - 1);
  return { ...p, a, b };
}

/** Spot-checks a peer's product against float64 dot products, so a wrong layout cannot hide. */
function spotCheck(p, c, engine) {
  const at = (x, rows, cols, trans, i, j) => (trans ? x[j * rows + i] : x[i * cols + j]);
  for (const [i, j] of [[0, 0], [p.m - 1, p.n - 1], [p.m >> 1, p.n >> 2], [p.m - 1, 0]]) {
    let sum = 0, abs = 0;
    for (let q = 0; q < p.k; q++) {
      const t = at(p.a, p.m, p.k, p.transA, i, q) * at(p.b, p.k, p.n, p.transB, q, j);
      sum += t;
      abs += Math.abs(t);
    }
    const got = c[i * p.n + j];
    if (!(Math.abs(got - sum) <= 1e-4 * abs + 1e-6)) {
      throw new Error(`${engine}: C[${i},${j}] = ${got}, expected ${sum} (${p.shape} ${p.variant})`);
    }
  }
}

async function median(fn, msPerCall) {
  // Slow calls (a peer's 1 s fallback path at 1024³) get 3 timed calls, fast ones ~200 ms worth.
  const bench = new Bench({ time: 200, iterations: msPerCall > 100 ? 3 : 5, warmupTime: 30, warmupIterations: msPerCall > 100 ? 1 : 2 });
  bench.add("x", fn);
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== "completed") throw new Error(`benchmark task ${r.state}: ${r.error?.message ?? ""}`);
  return { medianMs: r.latency.p50, samples: r.latency.samplesCount };
}

/**
 * Two rounds over all problems; each (problem, engine, mode) keeps the better of its two
 * medians. Other processes share these 2 cores in bursts, and a burst during one measurement
 * would otherwise show up as a fake 25% slowdown; round 2 also sees every peer's wasm tiered up.
 */
const ROUNDS = 2;

export async function measureGemm(log = () => {}, filter = undefined) {
  const engines = [
    await edgegradKernels("wasm-simd"),
    await edgegradKernels("wasm-relaxed-simd"),
    await edgegradTensor(),
    await tfjs("wasm"),
    await tfjs("cpu"),
    await onnxruntime(),
    plainJs(),
  ];
  const best = new Map();
  for (let round = 1; round <= ROUNDS; round++) {
    for (const shape of problems(filter)) {
      const p = withData(shape);
      const flops = 2 * p.m * p.n * p.k;
      for (const e of engines) {
        if ((e.name === "tfjs-cpu" || e.name === "plain-js") && flops > SMALL_FLOPS) continue;
        await e.activate?.();
        const run = e.prepareAsync ? await e.prepareAsync(p) : e.prepare(p);
        for (const mode of ["resident", "f32"]) {
          if (!run[mode]) continue;
          const t0 = performance.now();
          await run[mode]();
          const firstMs = performance.now() - t0;
          if (round === 1) spotCheck(p, run.result(), e.name);
          const { medianMs, samples } = await median(run[mode], firstMs);
          const key = `${p.shape} ${p.variant} ${e.name} ${mode}`;
          const prev = best.get(key);
          const rec = { shape: p.shape, variant: p.variant, m: p.m, n: p.n, k: p.k, engine: e.name, mode,
                        medianMs: Math.min(medianMs, prev?.medianMs ?? Infinity), roundMediansMs: [...(prev?.roundMediansMs ?? []), medianMs],
                        samples: (prev?.samples ?? 0) + samples };
          rec.gflops = flops / (rec.medianMs * 1e6);
          best.set(key, rec);
          log(`round ${round}  ${p.shape.padEnd(20)} ${p.variant.padEnd(5)} ${`${e.name} ${mode}`.padEnd(22)} ${medianMs.toFixed(3).padStart(9)} ms ${(flops / (medianMs * 1e6)).toFixed(1).padStart(6)} GFLOP/s`);
        }
      }
    }
  }
  return { records: [...best.values()], egMatmulBackend: engines[2].backend };
}
