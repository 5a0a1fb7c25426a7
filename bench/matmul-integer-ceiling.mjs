// How close the int8 matmul at 512³ runs to the rate of its own two instructions, measured in one
// process so that the host's speed of the moment cancels: rounds alternate (1) a loop of nothing
// but i32x4.dot_i16x8_s + i32x4.add with every operand in a register (bench/ceiling/loops.ts),
// (2) the same step with its loads from L1 (the ceiling loop of bench/ceiling.mjs), (3) the
// micro-kernel's GEMM alone on B packed once (qs8_gemm), (4) the one-shot call a user makes,
// eg.compress.matmulInteger on int8 tensors. Each is timed on the same number of operations;
// per round the ratio of (3) and (4) to (1) is taken, and the median of those ratios reported.
//   npm run build && node --experimental-wasm-relaxed-simd bench/matmul-integer-ceiling.mjs [rounds=61]
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CEILING_BUF, ceilingLoops } from "./ceiling.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const M = 512, N = 512, K = 512, OPS = 2 * M * N * K, ROUNDS = Number(process.argv[2] ?? 61);
const loops = ceilingLoops();

// The kernel build on its own instance: A and B in its memory, B packed once.
const k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-simd.wasm"))), {}).exports;
const line = (v) => (v + 63) & ~63;
const a = line(k.heap_base() + 64), b = line(a + M * K), packed = line(b + K * N), zp = line(packed + N * K * 2);
const bias = line(zp + 64), c = line(bias + N * 4), work = line(c + M * N * 4);
k.memory.grow(Math.ceil((work + k.qs8_gemm_workspace(M, N, K) - k.memory.buffer.byteLength) / 65536) + 1);
let seed = 12345;
const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 24) - 128;
const a8 = Int8Array.from({ length: M * K }, next), b8 = Int8Array.from({ length: K * N }, next);
new Int8Array(k.memory.buffer, a, M * K).set(a8);
new Int8Array(k.memory.buffer, b, K * N).set(b8);
k.qs8_packw_gemm(K, N, b, N, 1, 1, zp, 0, packed);

const eg = await import(join(root, "dist", "index.js"));
await eg.init({ backend: "wasm-simd" });
const ta = eg.fromTypedArray(a8, [M, K]), tb = eg.fromTypedArray(b8, [K, N]);

const steps = Math.round(OPS / 128);
const cases = [
  ["dot + add, operands in registers", () => loops.i16_dot_add_registers(steps, CEILING_BUF)],
  ["dot + add with its loads (ceiling loop)", () => loops.i16_dot_add(steps, CEILING_BUF)],
  ["qs8_gemm alone, B packed once", () => k.qs8_gemm(M, N, K, a, K, 1, 0, packed, c, N, bias, 0, 0, work)],
  ["compress.matmulInteger, one shot", () => eg.compress.matmulInteger(ta, tb, 0, 0)],
];
for (let i = 0; i < 5; i++) for (const [, f] of cases) f();
const times = cases.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  cases.forEach(([, f], i) => { const t0 = performance.now(); f(); f(); times[i].push((performance.now() - t0) / 2); });
}
const median = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
const gops = (ms) => (OPS / ms / 1e6).toFixed(1);
console.log(`512³, ${ROUNDS} alternated rounds, Node ${process.version}; GOPS = 2·M·N·K / time`);
console.log(`${"".padEnd(42)}${"median GOPS".padStart(12)}${"best GOPS".padStart(11)}${"÷ registers (median of rounds)".padStart(32)}`);
cases.forEach(([name], i) => {
  const ratio = median(times[i].map((t, r) => times[0][r] / t));
  console.log(`${name.padEnd(42)}${gops(median(times[i])).padStart(12)}${gops(Math.min(...times[i])).padStart(11)}${ratio.toFixed(3).padStart(32)}`);
});
