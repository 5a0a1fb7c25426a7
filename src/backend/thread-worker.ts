// The body of a pool worker, as source text: the pool starts it from a string (Node's
// `eval: true`) or a blob: URL (Web Workers), so it ships inside the library's own bundle, ESM
// or CJS, with no worker file to resolve next to it. It must be self-contained: no imports, no
// helpers a bundler might inject, which is why it is a string and not a function's toString().
//
// A worker instantiates the threaded kernel module on the shared memory, says "ready", then
// loops forever: wait on the control block's generation word, claim parts of the job and run
// them until none is left, counting each done. No message per op: an op costs one notify and, unless the worker is still polling
// after its last job, one wake-up per thread.

/** Int32 word indices and byte offsets in the control block (a SharedArrayBuffer). */
export const CONTROL = {
  /** Bumped by the caller for every job (and for stop); workers sleep on it. */
  GEN: 0,
  /** Parts of the current job done, the caller's own not counted. */
  DONE: 1,
  /** Workers whose call threw in the current job. */
  ERRORS: 2,
  /** Non-zero: leave the loop at the next generation. */
  STOP: 3,
  /** Bytes of the first error's message. */
  ERROR_LENGTH: 4,
  /** Microseconds a worker keeps polling GEN after a job before it sleeps in Atomics.wait. */
  SPIN_MICROS: 5,
  /** The job's generation (24 bits) and the next part to claim (8 bits): see claim() in thread-pool.ts. */
  CLAIM: 6,
  /** Parts of the current job, the caller's part 0 included. */
  PARTS: 7,
  /** Byte offset of the first error's message (UTF-8, at most ERROR_BYTES). */
  ERROR_TEXT: 512,
  ERROR_BYTES: 500,
  /** Byte offset of the argument slots: slot p − 1 holds part p, SLOT float64 words. */
  ARGS: 1024,
  /** Words per slot: argument count, export index, then the arguments. */
  SLOT: 32,
  /** Workers at most (the caller is one more thread). */
  MAX_WORKERS: 63,
} as const;

/** Bytes of the control block. */
export const CONTROL_BYTES = CONTROL.ARGS + (CONTROL.MAX_WORKERS + 1) * CONTROL.SLOT * 8;

const C = CONTROL;
const LOOP = `
function start(d) {
  let ex;
  try {
    ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  } catch (e) {
    post({ error: String((e && e.message) || e) });
    return;
  }
  const i32 = new Int32Array(d.control), f64 = new Float64Array(d.control), u8 = new Uint8Array(d.control);
  // Kernels by their index among the module's function exports (as ThreadPool.run numbers them).
  const fns = WebAssembly.Module.exports(d.module).filter((e) => e.kind === "function").map((e) => ex[e.name]);
  post({ ready: true });
  let seen = 0;
  for (;;) {
    // Poll for SPIN_MICROS before sleeping (0 by default, see ThreadPool.spinMicros): ops come in
    // bursts, and a wake-up from Atomics.wait costs 10-60 µs, a poll under one.
    let gen = Atomics.load(i32, ${C.GEN});
    if (gen === seen) {
      const until = performance.now() + Atomics.load(i32, ${C.SPIN_MICROS}) / 1000;
      for (let i = 1; (gen = Atomics.load(i32, ${C.GEN})) === seen; i++) {
        if ((i & 255) === 0 && performance.now() > until) break;
      }
      if (gen === seen) {
        Atomics.wait(i32, ${C.GEN}, seen);
        continue;
      }
    }
    seen = gen;
    if (Atomics.load(i32, ${C.STOP}) !== 0) return;
    // Claim parts until none is left: the caller may have taken some (a late wake-up), and a
    // worker may take several (a job of more parts than threads).
    for (;;) {
      const word = Atomics.load(i32, ${C.CLAIM});
      const part = word & 255;
      if (word >>> 8 !== (gen & 0xffffff) || part >= Atomics.load(i32, ${C.PARTS})) break;
      if (Atomics.compareExchange(i32, ${C.CLAIM}, word, word + 1) !== word) continue;
      const slot = ${C.ARGS / 8} + (part - 1) * ${C.SLOT};
      try {
        const args = [];
        for (let i = 0, count = f64[slot]; i < count; i++) args.push(f64[slot + 2 + i]);
        fns[f64[slot + 1]].apply(null, args);
      } catch (e) {
        if (Atomics.add(i32, ${C.ERRORS}, 1) === 0) {
          const text = new TextEncoder().encode("worker " + (d.index + 1) + ": " + String((e && e.message) || e));
          const n = Math.min(text.length, ${C.ERROR_BYTES});
          u8.set(text.subarray(0, n), ${C.ERROR_TEXT});
          Atomics.store(i32, ${C.ERROR_LENGTH}, n);
        }
      }
      Atomics.add(i32, ${C.DONE}, 1);
      Atomics.notify(i32, ${C.DONE});
    }
  }
}
`;

/** For node:worker_threads (Node, and Deno/Bun's Node compatibility): started with eval: true and workerData. */
// NOTE: an eval worker is an ES module when the program was started with --input-type=module,
// where there is no require; process.getBuiltinModule (Node 20.16+) works in both.
export const NODE_WORKER_SOURCE = `"use strict";
const { parentPort, workerData } = typeof require === "function" ? require("node:worker_threads")
  : process.getBuiltinModule("node:worker_threads");
const post = (m) => parentPort.postMessage(m);
${LOOP}
start(workerData);
`;

/** For Web Workers (browsers, Deno, Bun): a module worker from a blob: URL, started by one message. */
export const WEB_WORKER_SOURCE = `
const post = (m) => self.postMessage(m);
${LOOP}
self.onmessage = (e) => { self.onmessage = null; start(e.data); };
`;
