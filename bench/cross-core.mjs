// What sharing data between two threads costs on this machine right now, measured with two
// threads of this process over one SharedArrayBuffer (no wasm, no library code):
//   - the round trip of one cache line: the caller flips a word, the other thread flips it back;
//   - copying 1 MB from a JS array into shared memory that the other thread read last (so none
//     of it is in the caller's cache), against the same copy into lines the caller wrote last.
// A threaded op makes the second kind of copy: the calling thread writes its operands into
// kernel memory that a worker read during the op before. On a virtual machine the hypervisor may
// place the two vCPUs close (a shared cache, local memory) or far apart, and move them while a
// benchmark runs: bench/RESULTS-threads.md measured round trips of about 115 ns and 350 ns on the
// same host minutes apart, with the cold copy at about 113 and 462 µs (36 µs into cached lines).
// The cold copy cost the same when the other thread had read 64 MB more since: it measures the
// caller's path to memory, which in the far placement is remote, not the other core's caches.
// The threads benches print this next to their ratios.
import { Worker } from "node:worker_threads";

const MB = 1 << 20;

const OTHER_THREAD = `
const { workerData } = require("node:worker_threads");
const flag = new Int32Array(workerData, 0, 16);
const lines = new Float64Array(workerData, 256, ${MB / 8});
for (;;) {
  const v = Atomics.load(flag, 0);
  if (v < 0) break;
  if (v & 1) {
    // Asked to read the megabyte first: one load per 64-byte line brings every line into this core's cache.
    if (Atomics.load(flag, 1) === 1) { let s = 0; for (let i = 0; i < lines.length; i += 8) s += lines[i]; flag[3] = s; }
    Atomics.store(flag, 0, v + 1);
  }
}`;

/**
 * Round trip (ns, median of 5 runs of 20 000) and the 1 MB copies (µs, medians of 40): into
 * lines the other thread just read, and into lines the caller wrote last.
 */
export async function crossCore() {
  const sab = new SharedArrayBuffer(MB + 256);
  const flag = new Int32Array(sab, 0, 16), target = new Float32Array(sab, 256, MB / 4);
  const worker = new Worker(OTHER_THREAD, { eval: true, workerData: sab });
  await new Promise((resolve, reject) => { worker.once("online", resolve); worker.once("error", reject); });
  const handOver = (read) => {
    Atomics.store(flag, 1, read ? 1 : 0);
    const v = Atomics.add(flag, 0, 1) + 1;
    while (Atomics.load(flag, 0) === v);
  };
  const src = new Float32Array(MB / 4).fill(1);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  try {
    for (let i = 0; i < 5000; i++) handOver(false);
    const trips = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 20000; i++) handOver(false);
      trips.push(((performance.now() - t0) / 20000) * 1e6);
    }
    const afterOther = [], afterOwn = [];
    for (let i = 0; i < 40; i++) {
      handOver(true);
      let t0 = performance.now();
      target.set(src);
      afterOther.push((performance.now() - t0) * 1000);
      t0 = performance.now();
      target.set(src);
      afterOwn.push((performance.now() - t0) * 1000);
    }
    return { roundTripNs: median(trips), copyAfterOtherUs: median(afterOther), copyAfterOwnUs: median(afterOwn) };
  } finally {
    Atomics.store(flag, 0, -1);
    await worker.terminate();
  }
}

/** One line for a bench's log. */
export const crossCoreText = (c) =>
  `cross-core: round trip ${c.roundTripNs.toFixed(0)} ns, 1 MB copied into lines the other thread read ` +
  `${c.copyAfterOtherUs.toFixed(0)} µs (into the caller's own ${c.copyAfterOwnUs.toFixed(0)} µs)`;
