import * as eg from "../index.js";
import { parseArgs, usage, type OptionSpec } from "./args.js";
import { table } from "./report.js";

/**
 * `edgegrad bench`: GEMM throughput of this machine's backends on the shapes MLP training uses,
 * from Float32Array to Float32Array (what a user pays). The comparison with peer libraries in
 * the same run lives in the repository's bench/ (`npm run bench`), whose peers are not shipped.
 */
export const benchOptions: Record<string, OptionSpec> = {
  seconds: { type: "number", help: "time budget per measurement", default: 0.3 },
};
export const benchUsage = () => usage("bench", "Measure matmul GFLOP/s on each available backend (medians).", benchOptions);

const SHAPES: [number, number, number][] = [[64, 64, 64], [128, 128, 128], [256, 256, 256], [512, 512, 512], [64, 784, 256], [256, 784, 256]];

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function measure(fn: () => void, seconds: number): number {
  fn();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || times.length < 5) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times) / 1000;
}

export async function bench(argv: string[], write: (s: string) => void): Promise<void> {
  const a = parseArgs(argv, benchOptions);
  const f = eg.backendInfo();
  const backends: eg.BackendName[] = [...(f.relaxedSimd ? ["wasm-relaxed-simd" as const] : []), ...(f.simd ? ["wasm-simd" as const] : []), "js"];
  const rows: (string | number)[][] = [];
  for (const [m, k, n] of SHAPES) {
    const x = eg.randn([m, k], { seed: 1 });
    const w = eg.randn([k, n], { seed: 2 });
    const row: (string | number)[] = [`[${m}×${k}]·[${k}×${n}]`];
    for (const b of backends) {
      await eg.init({ backend: b });
      const s = measure(() => eg.matmul(x, w), a.seconds as number);
      row.push(((2 * m * n * k) / s / 1e9).toFixed(1));
    }
    rows.push(row);
  }
  write(table(rows, ["shape", ...backends.map((b) => `${b} GFLOP/s`)]));
  write("\nmedians of repeated runs, one thread; peers (tfjs, onnxruntime-web) are compared by `npm run bench` in the repository");
}
