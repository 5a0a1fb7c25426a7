// `node bench/ceiling.mjs` (also part of `npm run bench`): the rate of a 4x8 micro-kernel's
// inner loop with its data in L1 (bench/ceiling/loops.ts, compiled here with asc) — plain SIMD
// mul + add, relaxed FMA, and the int8 kernel's dot_i16x8_s + add, the last also with its
// operands in registers (the instructions' own rate). No GEMM built from the same
// instructions can beat these on this machine, ours or XNNPACK's inside tfjs-backend-wasm, so
// they are the yardstick for the GEMM targets.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const STEPS = 1_000_000;
export const CEILING_BUF = 1024;

/**
 * bench/ceiling/loops.ts compiled and instantiated, its operands at CEILING_BUF (small values,
 * so the float sums stay finite; the integer sums wrap, which changes no timing).
 */
export function ceilingLoops() {
  const out = join(mkdtempSync(join(tmpdir(), "edgegrad-ceiling-")), "loops.wasm");
  execFileSync(join(root, "node_modules", ".bin", "asc"), ["bench/ceiling/loops.ts", "--enable", "simd,relaxed-simd",
    "-O3", "--runtime", "stub", "--initialMemory", "1", "--outFile", out], { cwd: root, stdio: "inherit" });
  const wasm = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out))).exports;
  new Float32Array(wasm.memory.buffer, CEILING_BUF, 1040).fill(1e-3);
  return wasm;
}

/** [{ name, unit, rate }] for the loops; the engine must have relaxed SIMD. */
export async function measureCeiling() {
  const wasm = ceilingLoops();
  const loops = [
    ["f32x4.mul + f32x4.add (plain SIMD)", wasm.f32_mul_add, 64, "GFLOP/s"],
    ["f32x4.relaxed_madd (FMA)", wasm.f32_madd, 64, "GFLOP/s"],
    ["i32x4.dot_i16x8_s + i32x4.add (int8)", wasm.i16_dot_add, 128, "GOPS"],
    ["the same, operands in registers (no loads)", wasm.i16_dot_add_registers, 128, "GOPS"],
  ];
  const bench = new Bench({ time: 500, warmupTime: 100 });
  for (const [name, fn] of loops) bench.add(name, () => fn(STEPS, CEILING_BUF));
  await bench.run();
  return loops.map(([name, , ops, unit], i) => ({ name, unit, rate: (ops * STEPS) / bench.tasks[i].result.latency.p50 / 1e6 }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
  if (Number(process.versions.node.split(".")[0]) < 22 && !process.execArgv.includes(RELAXED_FLAG)) {
    const r = spawnSync(process.execPath, [RELAXED_FLAG, fileURLToPath(import.meta.url)], { stdio: "inherit" });
    process.exit(r.status ?? 1);
  }
  console.log(`4x8 micro-kernel inner loop, data in L1, ${STEPS.toLocaleString("en")} steps a call, tinybench median, Node ${process.version}`);
  for (const { name, unit, rate } of await measureCeiling()) console.log(`${name.padEnd(44)} ${rate.toFixed(1).padStart(6)} ${unit}`);
}
