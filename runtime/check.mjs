// The workload every runtime of the matrix runs on the built package. Plain ES2022 with no
// host APIs (no node:*, no Deno.*, no DOM), so the same file runs in Node, Deno, Bun, Chromium
// and a Cloudflare Worker. Everything random is seeded, so every runtime must produce the same
// numbers as Node's run, up to float rounding (backends differ: relaxed SIMD uses FMA).

/** @param {typeof import("../dist/index.js")} eg */
export function runChecks(eg) {
  const started = Date.now();
  const info = eg.backendInfo();

  // A tiny classifier: 3 classes from a fixed random "teacher", an MLP trained with Adam.
  const features = 8, classes = 3, n = 96;
  const x = eg.randn([n, features], { seed: 11 });
  const teacher = eg.randn([features, classes], { seed: 12 });
  const y = x.matmul(teacher).argmax(1);
  const model = new eg.nn.Sequential(
    new eg.nn.Linear(features, 16, { seed: 13 }), new eg.nn.ReLU(), new eg.nn.Linear(16, classes, { seed: 14 }));
  const opt = new eg.optim.Adam(model.parameters(), { lr: 0.05 });
  const losses = [];
  for (let step = 0; step < 25; step++) {
    opt.zeroGrad();
    const loss = eg.nn.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  const trained = eg.noGrad(() => model.forward(x));
  const accuracy = mean(eg.noGrad(() => trained.argmax(1)).toArray().map((c, i) => (c === y.data[i] ? 1 : 0)));

  // f32 inference of a freshly seeded model, plus one GEMM big enough to cross the kernel's
  // tile and cache-block edges (odd sizes on purpose).
  const infer = new eg.nn.Sequential(
    new eg.nn.Linear(features, 32, { seed: 21 }), new eg.nn.ReLU(), new eg.nn.Linear(32, classes, { seed: 22 }));
  const xi = eg.randn([16, features], { seed: 23 });
  const f32 = eg.noGrad(() => infer.forward(xi)).toArray().flat();
  const gemm = eg.randn([67, 129], { seed: 24 }).matmul(eg.randn([129, 35], { seed: 25 })).toArray().flat();

  // int8 path with ONNX semantics: quantize activations and weights, integer GEMM. Exact
  // integers, so every runtime must match Node bit for bit.
  let int8 = null;
  if (eg.compress?.quantizeLinear && eg.compress?.matmulInteger) {
    const qa = eg.compress.quantizeLinear(eg.randn([33, 70], { seed: 31 }), 0.02, 0, { dtype: "int8" });
    const qb = eg.compress.quantizeLinear(eg.randn([70, 19], { seed: 32 }), 0.03, 0, { dtype: "int8" });
    int8 = Array.from(eg.compress.matmulInteger(qa, qb).data);
  }

  // The same float model compiled to int8 (per-channel weights, static calibration): what a
  // user deploys after eg.compress.quantizeModel. Floats around integer GEMMs, so compared
  // within a tolerance, not exactly.
  let int8Model = null;
  if (eg.compress?.quantizeModel) {
    const q = eg.compress.quantizeModel(infer, { calibration: xi });
    int8Model = q.forward(xi).toArray().flat();
  }

  return {
    backend: info.backend, simd: info.simd, relaxedSimd: info.relaxedSimd,
    lossBefore: losses[0], lossAfter: losses[losses.length - 1], accuracy,
    f32, gemm, int8, int8Model, ms: Date.now() - started,
  };
}

/**
 * init({ threads: 2 }) where the runtime allows it: what it got (and why not, if one thread), and
 * whether a GEMM past the split threshold gives the same bits on the pool as on one thread.
 * Leaves the backend on one thread. `options`: what else init needs here (a module on workerd).
 */
export async function runThreadChecks(eg, options = {}) {
  const a = eg.randn([150, 170], { seed: 41 }), b = eg.randn([140, 170], { seed: 42 });
  const product = () => Array.from(a.matmul(b.transpose()).data);
  const info = await eg.init({ ...options, threads: 2 });
  const pooled = product();
  await eg.init({ ...options, threads: 1 });
  const single = product();
  return {
    threads: info.threads, threadsReason: info.threadsReason,
    threadsSameBits: pooled.every((v, i) => Object.is(v, single[i])),
  };
}

function mean(a) {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

/** What a runtime prints for the driver: one line, easy to find among other output. */
export const MARK = "EDGEGRAD-RESULT ";
