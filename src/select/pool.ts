import { ValueError } from "../errors.js";
import { runTrialJob, TrialError, TrialPruned, type TrialFn, type TrialJob, type TrialOutcome } from "./trial.js";

/**
 * Where a search's trials run. A JS closure cannot cross to a worker, so parallel trials need
 * the training function as a module: `{ workers: 2, trainModule: new URL("./train.mjs", import.meta.url) }`,
 * the module exporting `train` (or a default function) with the TrialFn signature. With one
 * worker (the default) trials run one at a time in this thread — the closure, or the module's
 * function imported here — and give the same results: every trial's seed and the search's
 * decisions do not depend on where or when a trial ran.
 */
export interface RunnerOptions {
  /** Trials at once, each in its own worker thread (Node worker_threads or Web Workers); default 1. */
  workers?: number;
  /** URL or file path of an ES module exporting the training function as `train` or default. */
  trainModule?: string | URL;
}

export const RUNNER_KEYS = ["workers", "trainModule"];

export interface TrialRunner {
  run(job: TrialJob): Promise<TrialOutcome>;
  close(): Promise<void>;
}

const makePruned = (m: string) => new TrialPruned(m);

function failure(job: TrialJob, e: unknown): TrialError {
  const message = e instanceof Error ? e.message : String(e);
  return new TrialError(`trial ${job.trial} with params ${JSON.stringify(job.params)} failed: ${message}`);
}

const isNode = () => typeof process !== "undefined" && typeof process.versions?.node === "string";

/**
 * A Node built-in, reached only when needed: through process.getBuiltinModule (Node ≥ 20.16),
 * with no import for a web bundler to see, else a dynamic import bundlers are told to leave alone.
 */
async function nodeBuiltin<T>(id: string): Promise<T> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const builtin = proc?.getBuiltinModule?.(id) as T | undefined;
  return builtin ?? ((await import(/* webpackIgnore: true */ /* @vite-ignore */ id)) as T);
}

async function moduleUrl(m: string | URL): Promise<string> {
  if (m instanceof URL) return m.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(m) && !/^[a-z]:[\\/]/i.test(m)) return m; // a URL, not a Windows path
  // A relative path: from the page in a browser, from the working directory in Node.
  const page = (globalThis as { location?: { href: string } }).location?.href;
  if (!isNode() && page) return new URL(m, page).href;
  const { pathToFileURL } = await nodeBuiltin<typeof import("node:url")>("node:url");
  return pathToFileURL(m).href;
}

async function importTrain(url: string, where: string): Promise<TrialFn> {
  let mod: { train?: unknown; default?: unknown };
  try {
    mod = await import(/* webpackIgnore: true */ /* @vite-ignore */ url);
  } catch (e) {
    throw new ValueError(`${where}: cannot load trainModule ${url}: ${(e as Error).message}`);
  }
  const fn = mod.train ?? mod.default;
  if (typeof fn !== "function") throw new ValueError(`${where}: ${url} exports no function \`train\` (nor a default one)`);
  return fn as TrialFn;
}

/** Runs trials one at a time, in the order they were submitted, in this thread. */
function inProcess(fn: TrialFn): TrialRunner {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    run(job) {
      const next = queue.then(() => runTrialJob(fn as (p: unknown, c: unknown) => unknown, job, makePruned).catch((e) => { throw failure(job, e); }));
      queue = next.catch(() => undefined);
      return next;
    },
    close: async () => undefined,
  };
}

const hasWebWorkers = () => typeof Worker === "function" && typeof Blob === "function" && typeof URL.createObjectURL === "function";

/**
 * The worker's program: the same runTrialJob as this thread's (its source text), fed by messages.
 * `__name` is the helper a bundler keeping function names may call inside the shipped function.
 */
function workerSource(node: boolean, url: string): string {
  const port = node ? "port" : "self";
  return [
    "var __name = (f) => f;",
    `const runTrialJob = ${runTrialJob.toString()};`,
    "const makePruned = (m) => Object.assign(new Error(m), { name: 'TrialPruned' });",
    `const loaded = import(${JSON.stringify(url)}).then((m) => m.train ?? m.default);`,
    "loaded.catch(() => undefined); // reported with the first job, not as an unhandled rejection",
    node ? "import('node:worker_threads').then(({ parentPort: port }) => {" : "{",
    `  const onJob = async (job) => {`,
    "    try { const train = await loaded; if (typeof train !== 'function') throw new Error('the module exports no function train');",
    `      ${port}.postMessage({ ok: await runTrialJob(train, job, makePruned) }); }`,
    `    catch (e) { ${port}.postMessage({ error: e instanceof Error ? e.message : String(e) }); }`,
    "  };",
    node ? "  port.on('message', onJob);" : "  self.onmessage = (ev) => onJob(ev.data);",
    node ? "});" : "}",
  ].join("\n");
}

interface Slot {
  post(job: TrialJob): Promise<TrialOutcome>;
  terminate(): Promise<void>;
  /** Whether this worker can take a later search's jobs: alive, idle, and no job of it failed. */
  reusable(): boolean;
  /** Whether the worker keeps the program alive (while a search uses it) or not (while parked). */
  hold(on: boolean): void;
}

/**
 * One job at a time on one worker. A worker that died (a crash, process.exit in the trial)
 * fails its job and every later one; after terminate() a late answer goes nowhere.
 */
function slot(send: (job: TrialJob) => void, stop: () => Promise<void>, hold: (on: boolean) => void) {
  let pending: { resolve: (o: TrialOutcome) => void; reject: (e: unknown) => void } | null = null;
  let dead: Error | null = null;
  let failed = false;
  const take = () => { const p = pending; pending = null; return p; };
  return {
    answer: (m: { ok?: TrialOutcome; error?: string }) => {
      const p = take();
      if (p && m.ok) p.resolve(m.ok);
      else { failed = true; p?.reject(new Error(m.error)); }
    },
    die: (e: Error) => { dead ??= e; take()?.reject(e); },
    slot: {
      post: (job) => new Promise<TrialOutcome>((resolve, reject) => {
        if (dead) return reject(dead);
        pending = { resolve, reject };
        send(job);
      }),
      terminate: async () => { take(); dead ??= new Error("the worker was terminated"); await stop(); },
      reusable: () => dead === null && pending === null && !failed,
      hold,
    } satisfies Slot,
  };
}

async function nodeSlot(source: string): Promise<Slot> {
  const { Worker: NodeWorker } = await nodeBuiltin<typeof import("node:worker_threads")>("node:worker_threads");
  const w = new NodeWorker(source, { eval: true });
  const s = slot((job) => w.postMessage(job), async () => { await w.terminate(); }, (on) => (on ? w.ref?.() : w.unref?.()) /* optional: compatibility layers may lack them */);
  w.on("message", s.answer);
  w.on("error", s.die);
  w.on("exit", (code) => s.die(new Error(`the worker exited with code ${code}`)));
  return s.slot;
}

function webSlot(source: string): Slot {
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const w = new Worker(url, { type: "module" });
  // A page's workers never keep anything alive, so holding is a no-op.
  const s = slot((job) => w.postMessage(job), async () => { w.terminate(); URL.revokeObjectURL(url); }, () => undefined);
  w.onmessage = (ev: MessageEvent) => s.answer(ev.data);
  w.onerror = (ev: ErrorEvent) => s.die(new Error(ev.message || "the worker failed"));
  return s.slot;
}

/**
 * n workers taking jobs first come, first served; results come back to the job's own promise.
 * Closing parks the idle workers for the next search on the same module (see parkedWorkers).
 */
function workerPool(slots: Slot[], park: (s: Slot) => void): TrialRunner {
  const idle = [...slots];
  const waiting: [TrialJob, (o: TrialOutcome) => void, (e: unknown) => void][] = [];
  const pump = () => {
    while (idle.length > 0 && waiting.length > 0) {
      const slot = idle.shift()!;
      const [job, resolve, reject] = waiting.shift()!;
      slot.post(job).then(resolve, (e) => reject(failure(job, e))).finally(() => { idle.push(slot); pump(); });
    }
  };
  return {
    run: (job) => new Promise((resolve, reject) => { waiting.push([job, resolve, reject]); pump(); }),
    close: async () => {
      waiting.length = 0;
      await Promise.all(slots.map(async (s) => (s.reusable() ? park(s) : await s.terminate())));
    },
  };
}

/** How long a parked worker waits for the next search before it is ended. */
const PARKED_MS = 30_000;

/**
 * Workers of finished searches, by the module they loaded, kept for the next search on the same
 * module: they have the library imported, its kernels compiled, the module's data built and its
 * code optimized by the engine, which a new worker spends most of a short search redoing. A
 * parked worker does not keep the program alive and is ended after PARKED_MS unused. A trial
 * gets the same seed and parameters wherever it runs, so reuse cannot change a result, as long
 * as the training function keeps no state of its own between calls.
 */
const parkedWorkers = new Map<string, { slot: Slot; timer: ReturnType<typeof setTimeout> }[]>();

function parkWorker(key: string, s: Slot): void {
  s.hold(false);
  const list = parkedWorkers.get(key) ?? [];
  const entry = {
    slot: s,
    timer: setTimeout(() => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      void s.terminate();
    }, PARKED_MS),
  };
  (entry.timer as { unref?: () => void }).unref?.();
  list.push(entry);
  parkedWorkers.set(key, list);
}

/** Up to n parked workers for `key`, held again; the rest of the search's workers are new. */
function unparkWorkers(key: string, n: number): Slot[] {
  const list = parkedWorkers.get(key) ?? [];
  const taken: Slot[] = [];
  while (taken.length < n && list.length > 0) {
    const { slot: s, timer } = list.shift()!;
    clearTimeout(timer);
    if (!s.reusable()) { void s.terminate(); continue; } // died while parked
    s.hold(true);
    taken.push(s);
  }
  return taken;
}

/**
 * The runner for a search: workers when asked for and the runtime has them, else this thread.
 * The caller must close() it (in a finally) so that no worker keeps the process alive.
 */
export async function makeRunner(trainFn: TrialFn | undefined, o: RunnerOptions, where: string): Promise<TrialRunner> {
  const workers = o.workers ?? 1;
  if (typeof workers !== "number" || !Number.isInteger(workers) || workers < 1) throw new ValueError(`${where}: workers must be a positive integer, got ${String(workers)}`);
  if (trainFn !== undefined && typeof trainFn !== "function") throw new ValueError(`${where}: the training function must be a function (params, { seed, resource, report }) => score`);
  if (trainFn !== undefined && o.trainModule !== undefined) throw new ValueError(`${where}: pass the training function or trainModule, not both`);
  if (o.trainModule === undefined) {
    if (trainFn === undefined) throw new ValueError(`${where}: needs a training function, or trainModule`);
    if (workers > 1) throw new ValueError(`${where}: ${workers} workers need the training function as a module (trainModule): a closure cannot cross to a worker`);
    return inProcess(trainFn);
  }
  if (typeof o.trainModule !== "string" && !(o.trainModule instanceof URL)) throw new ValueError(`${where}: trainModule must be a URL or a file path`);
  const url = await moduleUrl(o.trainModule);
  const node = isNode();
  if (workers === 1 || (!node && !hasWebWorkers())) return inProcess(await importTrain(url, where));
  const source = workerSource(node, url);
  const key = `${node ? "node" : "web"} ${url}`;
  const slots = unparkWorkers(key, workers);
  const fresh = workers - slots.length;
  slots.push(...(node ? await Promise.all(Array.from({ length: fresh }, () => nodeSlot(source))) : Array.from({ length: fresh }, () => webSlot(source))));
  return workerPool(slots, (s) => parkWorker(key, s));
}
