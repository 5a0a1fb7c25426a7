// The median time of one benchmarked function, in ms (tinybench's p50), for the benches that
// time cases one by one. Each bench passes its own tinybench settings (time, iterations,
// warm-up); a task that did not complete is an error, never a silent number.
import { Bench } from "tinybench";

export async function medianMs(fn, settings) {
  const bench = new Bench(settings);
  bench.add("x", fn);
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== "completed") throw new Error(`benchmark task ${r.state}: ${r.error?.message ?? ""}`);
  return r.latency.p50;
}
