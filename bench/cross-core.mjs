// What sharing data between two threads costs on this machine right now, measured with two
// threads of this process over one SharedArrayBuffer (no wasm, no library code):
//   - the round trip of one cache line: the caller flips a word, the other thread flips it back;
//   - copying 1 MB from a JS array into shared memory that the other thread read last, against
//     the same copy into lines the caller wrote last (in its cache) and into lines the caller
//     wrote before streaming 64 MB of other memory (cold, and touched by no other thread).
// A threaded op makes the first kind of copy: the calling thread writes its operands into kernel
// memory that a worker read during the op before. On a virtual machine the hypervisor may place
// the two vCPUs close together or far apart, and move them while a benchmark runs:
// bench/RESULTS-threads.md measured round trips from about 115 ns to 750 ns on the same host
// minutes apart, and the copy into the other thread's lines at about 115 µs near and 455 µs far,
// while the cold copy nobody else touched stayed at 70–105 µs: the far state's cost is the
// coherence traffic between the two vCPUs, not the memory. The threads benches print this next
// to their ratios. bench/threads-handoff.mjs times the same kinds of copies, and the reads, through
// the pool's jobs at four sizes; this probe needs none of the library, so any bench can print it.
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
 * Round trip (ns, median of 5 runs of 20 000) and the 1 MB copies (µs): into lines the other
 * thread just read and into lines the caller wrote last (medians of 40), and into cold lines only
 * the caller touched (median of 9).
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
    const afterOther = [], afterOwn = [], coldOwn = [];
    for (let i = 0; i < 40; i++) {
      handOver(true);
      let t0 = performance.now();
      target.set(src);
      afterOther.push((performance.now() - t0) * 1000);
      t0 = performance.now();
      target.set(src);
      afterOwn.push((performance.now() - t0) * 1000);
    }
    const stream = new Float64Array((64 * MB) / 8);
    for (let i = 0; i < 9; i++) {
      target.set(src);
      stream.fill(i); // 64 MB written: the megabyte is out of the caller's caches
      const t0 = performance.now();
      target.set(src);
      coldOwn.push((performance.now() - t0) * 1000);
    }
    return { roundTripNs: median(trips), copyAfterOtherUs: median(afterOther), copyAfterOwnUs: median(afterOwn),
             copyColdUs: median(coldOwn) };
  } finally {
    Atomics.store(flag, 0, -1);
    await worker.terminate();
  }
}

/** One line for a bench's log. */
export const crossCoreText = (c) =>
  `cross-core: round trip ${c.roundTripNs.toFixed(0)} ns, 1 MB copied into lines the other thread read ` +
  `${c.copyAfterOtherUs.toFixed(0)} µs (into the caller's own ${c.copyAfterOwnUs.toFixed(0)} µs, into cold lines no other thread ` +
  `touched ${c.copyColdUs.toFixed(0)} µs)`;
