import { runTrialJob, TrialError, type TrialJob, type TrialOutcome } from "./trial.js";

/**
 * A batch of trials as posted to a worker thread. With `next` (a shared counter) every thread
 * given the batch, the calling thread included, takes the next untaken job by incrementing it,
 * without a message round trip: a thread busy warming up simply takes fewer. Without it (no
 * shared memory) the worker runs every job of the batch in order; the pool then posts one job
 * per batch.
 */
export interface Batch {
  id: number;
  jobs: TrialJob[];
  next?: Int32Array;
}

/** A worker thread's answers: a job taken, a job done or failed, the batch done, or no module. */
type Answer = { id: number; taken?: number; i?: number; ok?: TrialOutcome; error?: string; done?: true };

export function failure(job: TrialJob | undefined, e: unknown): TrialError {
  const message = e instanceof Error ? e.message : String(e);
  return new TrialError(job ? `trial ${job.trial} with params ${JSON.stringify(job.params)} failed: ${message}` : `a worker failed: ${message}`);
}

/**
 * The worker's program, shipped as its source text like runTrialJob, so self-contained: it uses
 * nothing but its arguments. Batches run one after another; with a shared counter the worker
 * takes jobs until none is left, else it runs all of the batch's jobs.
 */
function workerProgram(runJob: typeof runTrialJob, load: () => Promise<{ train?: unknown; default?: unknown }>,
                       post: (m: Answer) => void, listen: (onBatch: (b: Batch) => void) => void): void {
  // Imported as soon as the worker starts, while the calling thread is already running trials.
  const loaded = load().then((m) => m.train ?? m.default);
  loaded.catch(() => undefined); // reported with the first batch, not as an unhandled rejection
  // Methods, not arrow functions held in constants: a bundler keeping function names wraps those
  // in a helper of its own, which the worker has not got.
  const w = {
    text(e: unknown) { return e instanceof Error ? e.message : String(e); },
    pruned(m: string) { return Object.assign(new Error(m), { name: "TrialPruned" }); },
    async run({ id, jobs, next }: Batch) {
      let train: unknown; // not a function (a module differing in a worker): the first trial fails, named
      try {
        train = await loaded;
      } catch (e) {
        return post({ id, error: `cannot load trainModule: ${w.text(e)}` });
      }
      for (let k = 0; ; k++) {
        const i = next ? Atomics.add(next, 0, 1) : k;
        if (i >= jobs.length) return post({ id, done: true });
        post({ id, taken: i });
        try {
          post({ id, i, ok: await runJob(train as (p: unknown, c: unknown) => unknown, jobs[i], w.pruned) });
        } catch (e) {
          return post({ id, i, error: w.text(e) });
        }
      }
    },
  };
  let chain = Promise.resolve();
  listen((b) => { chain = chain.then(() => w.run(b)); });
}

/** The worker's source: its program applied to the port of Node's worker_threads or a Web Worker's self. */
export function workerSource(node: boolean, url: string): string {
  // `__name` is the helper a bundler keeping function names may call inside the shipped functions.
  const args = `${runTrialJob}, () => import(${JSON.stringify(url)})`;
  return "var __name = (f) => f;\n" + (node
    ? `import("node:worker_threads").then(({ parentPort: p }) => (${workerProgram})(${args}, (m) => p.postMessage(m), (f) => p.on("message", f)));`
    : `(${workerProgram})(${args}, (m) => self.postMessage(m), (f) => { self.onmessage = (ev) => f(ev.data); });`);
}

export interface Slot {
  /**
   * Posts a batch; onOutcome gets each job this worker finished; resolves when it takes no more.
   * A worker runs its batches in order, so a batch can be posted before the last one's end.
   */
  run(batch: Batch, onOutcome: (i: number, o: TrialOutcome) => void): Promise<void>;
  terminate(): Promise<void>;
  /** Whether this worker can take a later search's jobs: alive and no job of it failed. */
  reusable(): boolean;
  /** Whether the worker keeps the program alive (while a search uses it) or not (while parked). */
  hold(on: boolean): void;
}

interface Pending {
  batch: Batch;
  onOutcome: (i: number, o: TrialOutcome) => void;
  resolve: () => void;
  reject: (e: unknown) => void;
  /** The job the worker is on, for naming it if the worker dies. */
  taken?: number;
}

/**
 * The batches posted to one worker and not yet done. A worker that died (a crash, process.exit
 * in the trial) fails them and every later one; after terminate() a late answer goes nowhere.
 */
function slot(send: (b: Batch) => void, stop: () => Promise<void>, hold: (on: boolean) => void) {
  const pending = new Map<number, Pending>();
  let dead: Error | null = null;
  let failed: TrialError | null = null;
  const take = (id: number) => { const p = pending.get(id); pending.delete(id); return p; };
  const failAll = (e: (p: Pending) => TrialError) => {
    for (const id of [...pending.keys()]) { const p = take(id)!; failed ??= e(p); p.reject(e(p)); }
  };
  return {
    answer: (m: Answer) => {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.taken !== undefined) p.taken = m.taken;
      else if (m.ok && m.i !== undefined) p.onOutcome(m.i, m.ok);
      else if (m.done) take(m.id)!.resolve();
      else failAll(() => failure(m.i === undefined ? undefined : p.batch.jobs[m.i], m.error));
    },
    die: (e: Error) => {
      dead ??= e;
      failAll((p) => failure(p.taken === undefined ? undefined : p.batch.jobs[p.taken], e));
    },
    slot: {
      run: (batch, onOutcome) => new Promise<void>((resolve, reject) => {
        if (dead || failed) return reject(failed ?? failure(undefined, dead));
        pending.set(batch.id, { batch, onOutcome, resolve, reject });
        send(batch);
      }),
      terminate: async () => { pending.clear(); dead ??= new Error("ended"); await stop(); },
      reusable: () => dead === null && failed === null,
      hold,
    } satisfies Slot,
  };
}

export async function nodeSlot(source: string, nodeBuiltin: <T>(id: string) => Promise<T>): Promise<Slot> {
  const { Worker: NodeWorker } = await nodeBuiltin<typeof import("node:worker_threads")>("node:worker_threads");
  const w = new NodeWorker(source, { eval: true });
  const s = slot((b) => w.postMessage(b), async () => { await w.terminate(); }, (on) => (on ? w.ref?.() : w.unref?.()) /* optional: compatibility layers may lack them */);
  w.on("message", s.answer);
  w.on("error", s.die);
  w.on("exit", (code) => s.die(new Error(`the worker exited with code ${code}`)));
  return s.slot;
}

export function webSlot(source: string): Slot {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const w = new Worker(url, { type: "module" });
  // A page's workers never keep anything alive, so holding is a no-op.
  const s = slot((b) => w.postMessage(b), async () => { w.terminate(); URL.revokeObjectURL(url); }, () => undefined);
  w.onmessage = (ev: MessageEvent) => s.answer(ev.data);
  w.onerror = (ev: ErrorEvent) => s.die(new Error(ev.message || "the worker failed"));
  return s.slot;
}
