// The hand-offs between the calling thread and a worker that every split op makes, through the
// shared memory: the calling thread copies the operands in (fromTypedArray → matmul copies A and
// B in there), a worker reads them, and the next op's operands are copied into the same scratch
// memory. One job of two parts, the workers polling, stealing off so that each part runs where it
// was sent; the part that reads is f32_bias_backward over a buffer (channel sums: every byte read
// once, a few floats written).
// Reads, GB/s of the reading job (its dispatch included):
//   - the calling thread writes the buffer, then reads it itself;
//   - the calling thread writes the buffer, then the worker reads it (the hand-off);
//   - the worker reads it again, nothing written in between (its own cache or the shared one).
// Writes, the calling thread's copy of a JS array into the buffer (TypedArray.set), µs:
//   - after the calling thread itself read it last;
//   - after the worker read it last (its cache then holds the lines the write must take back);
//   - into a region nobody has touched for the last 16 MB of such writes.
// Medians of 400 rounds, the cases alternated.
//   npm run build && node bench/threads-handoff.mjs
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const eg = await import(join(root, "dist", "slim", "api.js"));
const { activeThreadPool, activeKernelExports } = await import(join(root, "dist", "slim", "backend", "init.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-mt-simd.wasm")));

const info = await eg.init({ module, threads: 2 });
if (info.threads !== 2) throw new Error(`asked for 2 threads, got ${info.threads}: ${info.threadsReason}`);
const pool = activeThreadPool(), wasm = activeKernelExports();
pool.stealing = false;

const SIZES_KB = [64, 256, 1024, 4096];
const maxBytes = Math.max(...SIZES_KB) * 1024, COLD_REGIONS = 20; // regions of maxBytes past the buffer, for cold writes
const base = wasm.memory.buffer.byteLength;
wasm.memory.grow(Math.ceil(((COLD_REGIONS + 1) * maxBytes + 4096) / 65536));
const sums = base + (COLD_REGIONS + 1) * maxBytes; // 256 channels' sums at most
const source = Float32Array.from({ length: maxBytes / 4 }, (_, i) => (i % 97) / 97);

// f32_bias_backward(batch, channels, plane, batchStride, dy, db): 256 channels of bytes/1024 floats.
const readPart = (bytes, at = base) => [1, 256, bytes / 4 / 256, 0, at, sums];
const empty = [0, 0, 0, 0, base, sums];
const write = (bytes) => new Float32Array(wasm.memory.buffer, base, bytes / 4).set(source.subarray(0, bytes / 4));

const CASES = {
  "written by the caller, read by the caller": (bytes) => { write(bytes); return [readPart(bytes), empty]; },
  "written by the caller, read by the worker": (bytes) => { write(bytes); return [empty, readPart(bytes)]; },
  "read again by the worker (nothing written)": (bytes) => [empty, readPart(bytes)],
};

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
console.log(`hand-offs between the calling thread and a worker, Node ${process.versions.node}, load average ${loadavg()[0].toFixed(2)}`);
console.log(`\nreads: ${Object.keys(CASES).join(" | ")}`);
for (const kb of SIZES_KB) {
  const bytes = kb * 1024;
  const times = Object.fromEntries(Object.keys(CASES).map((c) => [c, []]));
  for (let i = 0; i < 400; i++) {
    for (const [name, prepare] of Object.entries(CASES)) {
      const parts = prepare(bytes);
      const t0 = performance.now();
      pool.run(wasm, "f32_bias_backward", parts);
      times[name].push(performance.now() - t0);
    }
  }
  const cell = (name) => { const ms = median(times[name]); return `${us(ms)}, ${(bytes / ms / 1e6).toFixed(1)} GB/s`; };
  console.log(`${`${kb} KB`.padEnd(8)} ${Object.keys(CASES).map(cell).join(" | ")}`);
}

console.log("\nwrites by the calling thread: after its own read | after the worker's read | into a region untouched for 16 MB of writes");
for (const kb of SIZES_KB) {
  const bytes = kb * 1024, source0 = source.subarray(0, bytes / 4);
  const view = (at) => new Float32Array(wasm.memory.buffer, at, bytes / 4);
  const own = [], afterWorker = [], cold = [];
  for (let i = 0; i < 400; i++) {
    pool.run(wasm, "f32_bias_backward", [readPart(bytes), empty]);
    let t0 = performance.now(); view(base).set(source0); own.push(performance.now() - t0);
    pool.run(wasm, "f32_bias_backward", [empty, readPart(bytes)]);
    t0 = performance.now(); view(base).set(source0); afterWorker.push(performance.now() - t0);
    // regions in turn, each 16 MB of writes (or more) after its last
    const region = base + (1 + (i % COLD_REGIONS)) * maxBytes;
    t0 = performance.now(); view(region).set(source0); cold.push(performance.now() - t0);
  }
  console.log(`${`${kb} KB`.padEnd(8)} ${us(median(own))} | ${us(median(afterWorker))} | ${us(median(cold))}`);
}
pool.stealing = true;
process.exit(0);
