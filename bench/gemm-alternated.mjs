// The plain-SIMD f32 GEMM against tfjs-backend-wasm with its operands resident (one thread
// each), A·B at n³, in 30 rounds that alternate the two: each round times a few calls of one then
// of the other, so a minute when the shared host runs slow hits both, and the median of the
// per-round speed ratios stands where a run's medians of each side (bench/run.mjs) can land
// minutes apart. A check of the main bench's ratio on a noisy hour.
//   npm run build && node bench/gemm-alternated.mjs [n=512]
import { edgegradKernels, tfjs } from "./engines.mjs";

const n = Number(process.argv[2] ?? 512);
if (!(Number.isInteger(n) && n > 0)) throw new Error(`gemm-alternated: n must be a positive integer, got ${process.argv[2]}`);
let s = 7;
const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const p = { m: n, n, k: n, transA: false, transB: false,
            a: Float32Array.from({ length: n * n }, next), b: Float32Array.from({ length: n * n }, next) };
const eg = (await edgegradKernels("wasm-simd")).prepare(p);
const tf = await tfjs("wasm");
await tf.activate();
const tfCase = tf.prepare(p);

const msPerCall = (f, calls) => {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) f();
  return (performance.now() - t0) / calls;
};
for (let i = 0; i < 3; i++) { eg.f32(); tfCase.resident(); } // both past their warm-up
const calls = n >= 1024 ? 2 : 8, ratios = [], egRates = [], tfRates = [];
const gflops = (ms) => (2 * n ** 3) / ms / 1e6;
for (let round = 0; round < 30; round++) {
  const a = msPerCall(eg.f32, calls), b = msPerCall(tfCase.resident, calls);
  ratios.push(b / a);
  egRates.push(gflops(a));
  tfRates.push(gflops(b));
}
const at = (xs, f) => [...xs].sort((x, y) => x - y)[Math.floor(f * (xs.length - 1))];
console.log(`${n}³ A·B, 30 alternated rounds: edgegrad plain SIMD / tfjs-backend-wasm resident, speed ratio median ` +
  `${at(ratios, 0.5).toFixed(2)} (quartiles ${at(ratios, 0.25).toFixed(2)}–${at(ratios, 0.75).toFixed(2)}); ` +
  `GFLOP/s medians ${at(egRates, 0.5).toFixed(1)} / ${at(tfRates, 0.5).toFixed(1)}`);
