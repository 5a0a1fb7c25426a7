import * as eg from "../index.js";

/**
 * Data-parallel training for `train --model charlm --replicas N`: N − 1 worker threads each hold
 * a copy of the model; every step, each thread (the calling one included) runs forward and
 * backward on its rows of the batch, and the gradients are averaged (weighted by rows) into the
 * calling thread's model, which then clips and steps as usual. For a model this small the kernel
 * pool leaves a core half idle (the JS between kernels runs on the calling thread alone); whole
 * forward/backward passes in parallel keep both busy.
 *
 * The gradient is the batch's, up to the order of its sum: the rows' mean losses averaged with
 * the rows' weights are the batch's mean loss. The result depends on N (the split of that sum)
 * but not on timing: same seed, same N, same bits.
 *
 * Shared memory: the parameters (published by the calling thread before each step), one
 * gradient slot per worker, the batch's ids, the losses, and a control block. Workers wait in
 * Atomics.wait for the next generation; the calling thread waits for them with
 * Atomics.waitAsync, so that a worker's death (an event) can end the wait.
 */

/**
 * The control block's words: generation, workers done, stop flag, error flag, error text length,
 * then [r0, r1) rows per thread; and the bytes of an error's text. Sent to the workers with their
 * data, as the shipped program can use nothing from this module.
 */
const LAYOUT = { GEN: 0, DONE: 1, STOP: 2, ERROR: 3, ERROR_LENGTH: 4, ROWS: 8, ERROR_BYTES: 1024 } as const;
const { GEN, DONE, STOP, ERROR, ERROR_LENGTH, ROWS, ERROR_BYTES } = LAYOUT;
/** A step a worker has not finished after this long means it is stuck. */
const STEP_TIMEOUT_MS = 120_000;

interface ReplicaData {
  control: SharedArrayBuffer; params: SharedArrayBuffer; grads: SharedArrayBuffer; ids: SharedArrayBuffer;
  losses: SharedArrayBuffer; errorText: SharedArrayBuffer;
  layout: typeof LAYOUT; index: number; paramCount: number; batch: number; context: number;
  vocabSize: number; modelOptions: eg.nn.TransformerLMOptions; backend: string;
}

/**
 * Forward and backward of windows r0..r1 of the batch in `ids` (B windows of inputs, then B of
 * targets, T ids each): the parameters' .grad then hold the gradient of those windows' mean loss,
 * which is returned. Every thread's share, the calling thread's included; shipped to the workers
 * as source text beside their program, so it uses only its arguments.
 */
function rowsBackward(lib: typeof eg, model: eg.nn.TransformerLM, ids: Int32Array, B: number, T: number, r0: number, r1: number): number {
  const n = (r1 - r0) * T;
  const x = lib.fromTypedArray(ids.slice(r0 * T, r1 * T), [r1 - r0, T]);
  const y = lib.fromTypedArray(ids.slice((B + r0) * T, (B + r1) * T), [n]);
  const loss = lib.nn.crossEntropy(model.forward(x).reshape([n, model.vocabSize]), y);
  for (const p of model.parameters()) p.grad = null;
  loss.backward();
  return loss.item();
}

/**
 * A worker's program, shipped as source text: self-contained, it uses only its arguments (the
 * library's namespace, its data, a way to say it is ready, and rowsBackward).
 */
async function replicaProgram(lib: typeof eg, d: ReplicaData, ready: (m: string | null) => void,
                              backward: typeof rowsBackward): Promise<void> {
  const { GEN, DONE, STOP, ERROR, ERROR_LENGTH, ROWS, ERROR_BYTES } = d.layout;
  const i32 = new Int32Array(d.control), params = new Float32Array(d.params), losses = new Float64Array(d.losses);
  const ids = new Int32Array(d.ids);
  const grads = new Float32Array(d.grads, d.index * d.paramCount * 4, d.paramCount);
  let model: eg.nn.TransformerLM;
  try {
    await lib.init({ backend: d.backend as eg.BackendName, threads: 1 });
    model = new lib.nn.TransformerLM(d.vocabSize, d.modelOptions);
  } catch (e) {
    ready(e instanceof Error ? e.message : String(e));
    return;
  }
  ready(null);
  const ps = model.parameters();
  for (let gen = 0; ;) {
    Atomics.wait(i32, GEN, gen);
    gen = Atomics.load(i32, GEN);
    if (Atomics.load(i32, STOP) !== 0) return;
    try {
      let o = 0;
      for (const p of ps) { (p.storage as Float32Array).set(params.subarray(o, o + p.size)); o += p.size; }
      const row = ROWS + 2 * (d.index + 1);
      const loss = backward(lib, model, ids, d.batch, d.context, i32[row], i32[row + 1]);
      o = 0;
      for (const p of ps) {
        if (p.grad) grads.set(p.grad.data as Float32Array, o);
        else grads.fill(0, o, o + p.size);
        o += p.size;
      }
      losses[d.index + 1] = loss;
    } catch (e) {
      const text = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).slice(0, ERROR_BYTES);
      new Uint8Array(d.errorText).set(text);
      Atomics.store(i32, ERROR_LENGTH, text.length);
      Atomics.store(i32, ERROR, 1);
    }
    Atomics.add(i32, DONE, 1);
    Atomics.notify(i32, DONE);
  }
}

type NodeWorker = import("node:worker_threads").Worker;

/** [r0, r1) rows of a batch of B for each of n threads, as even as whole rows allow (none empty: the command requires B ≥ n). */
const rowRanges = (B: number, n: number): [number, number][] =>
  Array.from({ length: n }, (_, t) => [Math.floor((t * B) / n), Math.floor(((t + 1) * B) / n)]);

/** Atomics.waitAsync (ES2024, in Node ≥ 16), typed here as the ES2022 library does not know it. */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

export class Replicas {
  private readonly i32: Int32Array;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly ids: Int32Array;
  private readonly losses: Float64Array;
  private failure: string | null = null;
  private gen = 0;

  private constructor(private readonly model: eg.nn.TransformerLM, private readonly workers: NodeWorker[],
                      private readonly data: Omit<ReplicaData, "index">) {
    this.i32 = new Int32Array(data.control);
    this.params = new Float32Array(data.params);
    this.grads = new Float32Array(data.grads);
    this.ids = new Int32Array(data.ids);
    this.losses = new Float64Array(data.losses);
    for (const w of workers) {
      w.on("error", (e) => this.fail(`a replica failed: ${(e as Error).message}`));
      w.on("exit", (code) => this.fail(`a replica exited with code ${code}`));
    }
  }

  /** Threads in all, the calling one included. */
  get count(): number {
    return this.workers.length + 1;
  }

  /**
   * Starts n − 1 workers, each building the model from `modelOptions` (its own dropout seed) on
   * the backend in use, with one kernel thread; resolves once all are ready.
   */
  static async start(model: eg.nn.TransformerLM, n: number, modelOptions: eg.nn.TransformerLMOptions,
                     batch: number, context: number): Promise<Replicas> {
    const { Worker } = await import("node:worker_threads");
    const paramCount = model.parameters().reduce((s, p) => s + p.size, 0);
    const shared = (bytes: number) => new SharedArrayBuffer(bytes);
    const data: Omit<ReplicaData, "index"> = {
      control: shared(4 * (ROWS + 2 * n)), params: shared(4 * paramCount), grads: shared(4 * paramCount * (n - 1)),
      ids: shared(4 * 2 * batch * context), losses: shared(8 * n), errorText: shared(ERROR_BYTES),
      layout: LAYOUT, paramCount, batch, context, vocabSize: model.vocabSize, modelOptions, backend: eg.backendInfo().backend,
    };
    const library = new URL("./index.js", import.meta.url).href;
    // `__name` is the helper a bundler keeping function names may call inside the shipped function.
    const source = "var __name = (f) => f;\n" +
      `import("node:worker_threads").then((wt) => import(${JSON.stringify(library)}).then((lib) =>` +
      ` (${replicaProgram.toString()})(lib, wt.workerData, (m) => wt.parentPort.postMessage(m), ${rowsBackward.toString()})))` +
      `.catch((e) => require("node:worker_threads").parentPort.postMessage(String(e && e.message || e)));`;
    const workers: NodeWorker[] = [];
    try {
      const answers = await Promise.all(Array.from({ length: n - 1 }, (_, i) => new Promise<string | null>((resolve, reject) => {
        const w = new Worker(source, {
          eval: true,
          workerData: { ...data, index: i, modelOptions: { ...modelOptions, seed: (modelOptions.seed ?? 0) + 1000 * (i + 1) } },
        });
        workers.push(w);
        w.once("message", resolve);
        w.once("error", reject);
        w.once("exit", (code) => reject(new Error(`exited with code ${code}`)));
      })));
      const failed = answers.find((a) => a !== null);
      if (failed) throw new Error(failed);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw new eg.BackendError(`--replicas: a replica did not start (${(e as Error).message})`);
    }
    // The workers stay referenced while training: the calling thread's waitAsync alone would not
    // keep the process alive. close() ends them.
    for (const w of workers) w.removeAllListeners();
    return new Replicas(model, workers, data);
  }

  private fail(why: string): void {
    this.failure ??= why;
  }

  /**
   * Forward and backward of the batch over all replicas: leaves the batch's mean gradient in the
   * model's parameters' .grad (replacing what was there) and returns the batch's mean loss.
   */
  async step(x: eg.Tensor, y: eg.Tensor): Promise<number> {
    if (this.failure !== null) throw new eg.BackendError(`--replicas: ${this.failure}`);
    const { i32 } = this, B = this.data.batch, T = this.data.context;
    if (x.shape[0] !== B || x.shape[1] !== T) throw new eg.ShapeError(`--replicas: batch [${x.shape}] is not [${B}, ${T}]`);
    const ps = this.model.parameters();
    let o = 0;
    for (const p of ps) { this.params.set(p.storage as Float32Array, o); o += p.size; }
    this.ids.set(x.data as Int32Array, 0);
    this.ids.set(y.data as Int32Array, B * T);
    const rows = rowRanges(B, this.count);
    rows.forEach(([r0, r1], t) => { i32[ROWS + 2 * t] = r0; i32[ROWS + 2 * t + 1] = r1; });
    Atomics.store(i32, DONE, 0);
    Atomics.store(i32, GEN, ++this.gen);
    Atomics.notify(i32, GEN);

    this.losses[0] = rowsBackward(eg, this.model, this.ids, B, T, rows[0][0], rows[0][1]);

    await this.waitForWorkers();
    // The batch's mean over its rows: each thread's mean weighted by its share of the rows, summed in thread order.
    const weights = rows.map(([a, b]) => (b - a) / B);
    o = 0;
    for (const p of ps) {
      const size = p.size, g = new Float32Array(size), w0 = weights[0];
      const own = p.grad ? (p.grad.data as Float32Array) : null;
      if (own) for (let i = 0; i < size; i++) g[i] = own[i] * w0;
      for (let t = 1; t < rows.length; t++) {
        const at = (t - 1) * this.data.paramCount + o, slot = this.grads, w = weights[t];
        for (let i = 0; i < size; i++) g[i] += slot[at + i] * w;
      }
      p.grad = new eg.Tensor(g, "float32", p.shape.slice());
      o += size;
    }
    return rows.reduce((s, _, t) => s + this.losses[t] * weights[t], 0);
  }

  private async waitForWorkers(): Promise<void> {
    const started = performance.now();
    for (;;) {
      const done = Atomics.load(this.i32, DONE);
      if (done >= this.workers.length) break;
      if (this.failure !== null) throw new eg.BackendError(`--replicas: ${this.failure}`);
      if (performance.now() - started > STEP_TIMEOUT_MS) throw new eg.BackendError(`--replicas: a replica did not finish its step within ${STEP_TIMEOUT_MS / 1000} s`);
      // Waiting asynchronously lets a worker's exit or error event arrive and end the wait.
      const w = waitAsync(this.i32, DONE, done, 100);
      if (w.async) await w.value;
    }
    if (Atomics.load(this.i32, ERROR) !== 0) {
      const text = new TextDecoder().decode(new Uint8Array(this.data.errorText, 0, Atomics.load(this.i32, ERROR_LENGTH)).slice());
      throw new eg.BackendError(`--replicas: a replica failed: ${text}`);
    }
  }

  /** Ends the workers. */
  async close(): Promise<void> {
    Atomics.store(this.i32, STOP, 1);
    Atomics.store(this.i32, GEN, ++this.gen);
    Atomics.notify(this.i32, GEN);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
