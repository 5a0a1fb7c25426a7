// What it costs a worker to read data the calling thread has just written — the hand-off every
// split op makes when its operands were copied into the shared memory by the calling thread
// (fromTypedArray → matmul copies A and B in there on the caller). One job of two parts, the
// workers polling, stealing off so that each part runs where it was sent; the part that reads is
// f32_bias_backward over a buffer (channel sums: every byte read once, a few floats written).
//   - the calling thread writes the buffer, then reads it itself;
//   - the calling thread writes the buffer, then the worker reads it (the hand-off);
//   - the worker reads it again, nothing written in between (its own cache or the shared one).
// Medians of 400 jobs each, alternated; GB/s of the read part, the dispatch included.
//   npm run build && node bench/threads-handoff.mjs
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadavg } from "node:os";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const eg = await import(join(root, "dist", "slim", "slim.js"));
const { activeThreadPool, activeKernelExports } = await import(join(root, "dist", "slim", "backend", "init.js"));
const module = new WebAssembly.Module(readFileSync(join(root, "dist", "edgegrad-mt-simd.wasm")));

const info = await eg.init({ module, threads: 2 });
if (info.threads !== 2) throw new Error(`asked for 2 threads, got ${info.threads}: ${info.threadsReason}`);
const pool = activeThreadPool(), wasm = activeKernelExports();
pool.stealing = false;

const SIZES_KB = [64, 256, 1024, 4096];
const maxBytes = Math.max(...SIZES_KB) * 1024;
const base = wasm.memory.buffer.byteLength;
wasm.memory.grow(Math.ceil((maxBytes + 4096) / 65536));
const sums = base + maxBytes; // 256 channels' sums at most
const source = Float32Array.from({ length: maxBytes / 4 }, (_, i) => (i % 97) / 97);

// f32_bias_backward(batch, channels, plane, batchStride, dy, db): 256 channels of bytes/1024 floats.
const readPart = (bytes) => [1, 256, bytes / 4 / 256, 0, base, sums];
const empty = [0, 0, 0, 0, base, sums];
const write = (bytes) => new Float32Array(wasm.memory.buffer, base, bytes / 4).set(source.subarray(0, bytes / 4));

const CASES = {
  "written by the caller, read by the caller": (bytes) => { write(bytes); return [readPart(bytes), empty]; },
  "written by the caller, read by the worker": (bytes) => { write(bytes); return [empty, readPart(bytes)]; },
  "read again by the worker (nothing written)": (bytes) => [empty, readPart(bytes)],
};

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`hand-off from the calling thread to a worker, Node ${process.versions.node}, load average ${loadavg()[0].toFixed(2)}`);
console.log(`${"buffer".padEnd(8)} ${Object.keys(CASES).map((c) => c.padStart(44)).join(" ")}`);
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
  const cell = (name) => { const ms = median(times[name]); return `${(ms * 1000).toFixed(1)} µs, ${(bytes / ms / 1e6).toFixed(1)} GB/s`; };
  console.log(`${`${kb} KB`.padEnd(8)} ${Object.keys(CASES).map((c) => cell(c).padStart(44)).join(" ")}`);
}
pool.stealing = true;
process.exit(0);
