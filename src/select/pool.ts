import { ValueError } from "../errors.js";
import { runTrialJob, TrialPruned, type TrialFn, type TrialJob, type TrialOutcome } from "./trial.js";
import { failure, nodeSlot, webSlot, workerSource, type Batch, type Slot } from "./worker-thread.js";

/**
 * Where a search's trials run. A JS closure cannot cross to a worker, so parallel trials need
 * the training function as a module: `{ workers: 2, trainModule: new URL("./train.mjs", import.meta.url) }`,
 * the module exporting `train` (or a default function) with the TrialFn signature. With one
 * worker (the default) trials run one at a time in this thread — the closure, or the module's
 * function imported here. With more, this thread runs trials too, beside workers − 1 worker
 * threads (where threads can share memory; else `workers` worker threads). Every trial's seed
 * and the search's decisions do not depend on where or when a trial ran, so the results are
 * the same with any number of workers.
 */
export interface RunnerOptions {
  /**
   * Trials at once (default 1): this thread and workers − 1 worker threads (Node worker_threads
   * or Web Workers); in a page that is not cross-origin isolated, `workers` Web Workers.
   */
  workers?: number;
  /** URL or file path of an ES module exporting the training function as `train` or default. */
  trainModule?: string | URL;
}

export const RUNNER_KEYS = ["workers", "trainModule"];

export interface TrialRunner {
  /**
   * Runs a batch of trials (a rung, a TPE round) and returns their outcomes in the jobs' order.
   * `costs`, the jobs' expected run times in any unit, only decide which are taken first.
   */
  runBatch(jobs: TrialJob[], costs?: number[]): Promise<TrialOutcome[]>;
  close(): Promise<void>;
}

const makePruned = (m: string) => new TrialPruned(m);

/**
 * Throws a ValueError naming the parameter unless its value can be posted to a worker thread
 * (structuredClone: a function, a class instance's methods or a symbol cannot cross).
 */
export function checkCloneable(where: string, key: string, value: unknown): void {
  try {
    structuredClone(value);
  } catch (e) {
    const what = typeof value === "function" ? `the function ${(value as { name?: string }).name || "(anonymous)"}` : `a value of type ${typeof value}`;
    throw new ValueError(`${where}: parameter ${JSON.stringify(key)} has ${what}, which cannot be sent to a worker thread (${(e as Error).message}); with workers > 1 give plain data (numbers, strings, arrays, objects), e.g. a name that trainModule maps to the function`);
  }
}

/**
 * With worker threads (workers > 1 and a trainModule), checks before any trial trains that each
 * value a space lists (plainly or through choice()) can be posted to a worker. Values drawn by
 * other samplers are checked when their batch is sent, before any of its trials starts.
 */
export function checkSpaceCloneable(entries: [string, unknown][], o: RunnerOptions, where: string): void {
  if (!(typeof o.workers === "number" && o.workers > 1 && o.trainModule !== undefined)) return;
  for (const [key, v] of entries) {
    const dist = typeof v === "function" ? (v as { distribution?: { kind: string; values?: readonly unknown[] } }).distribution : undefined;
    const values = Array.isArray(v) ? v : dist?.kind === "choice" ? dist.values ?? [] : [];
    for (const value of values) checkCloneable(where, key, value);
  }
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

const hasWebWorkers = () => typeof Worker === "function" && typeof Blob === "function" && typeof URL.createObjectURL === "function";

/** Whether a SharedArrayBuffer can be posted to a worker: always in Node; in a page, only when cross-origin isolated. */
function canShareMemory(node: boolean): boolean {
  return typeof SharedArrayBuffer === "function" && (node || !!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
}

const runHere = (fn: TrialFn, job: TrialJob) =>
  runTrialJob(fn as (p: unknown, c: unknown) => unknown, job, makePruned).catch((e) => { throw failure(job, e); });

/**
 * The order the jobs of a batch are taken in: the costliest first (longest processing time
 * first), so that no long trial starts last while the other threads idle at the batch's end,
 * and the longest goes to this thread, which takes the first job and is the warmest. Outcomes go
 * back to the jobs' own places, so the order changes no result.
 */
function takingOrder(jobs: TrialJob[], costs?: number[]): number[] {
  const cost = (k: number) => costs?.[k] ?? 0;
  return jobs.map((_, k) => k).sort((a, b) => cost(b) - cost(a) || a - b);
}

/** Batch numbers, unique over all runners: a parked worker may still owe a done to an earlier runner's batch. */
let batchIds = 0;

/**
 * A batch's jobs, taken first come, first served through a counter by this thread (given `fn`)
 * and the worker threads `slots`. With shared memory each worker takes its next job itself the
 * moment it is free, without waiting for this thread, busy with a trial of its own, to answer a
 * message. This thread is warm already (library, kernels and code optimized by earlier work)
 * while a new worker spends its first trials running unoptimized code: taking jobs as each is
 * free, the new worker just takes fewer of them. Without shared memory (a page that is not
 * cross-origin isolated) this thread runs no trial and posts the workers one job at a time. The
 * batch is over when every outcome is in, even if a worker still starting has not looked at it.
 */
function queue(fn: TrialFn | undefined, slots: Slot[], shared: boolean, park: (s: Slot) => void, where = ""): TrialRunner {
  let clean = true;
  return {
    runBatch: (jobs, costs) => new Promise((resolve, reject) => {
      // A value postMessage cannot clone would fail as a raw DataCloneError: refused before the batch starts.
      if (slots.length > 0) {
        try {
          for (const j of jobs) for (const [key, v] of Object.entries(j.params)) checkCloneable(where, key, v);
        } catch (e) {
          return reject(e);
        }
      }
      const order = takingOrder(jobs, costs);
      const list = order.map((k) => jobs[k]);
      const outcomes: TrialOutcome[] = new Array(jobs.length);
      let left = list.length;
      const next = shared ? new Int32Array(new SharedArrayBuffer(4)) : new Int32Array(1);
      const take = () => Atomics.add(next, 0, 1);
      const got = (i: number, o: TrialOutcome) => { outcomes[order[i]] = o; if (--left === 0) resolve(outcomes); };
      const fail = (e: unknown) => { clean = false; Atomics.store(next, 0, list.length); reject(e); }; // nobody takes another job
      if (left === 0) return resolve(outcomes);
      // This thread's first job is taken before any worker sees the batch: the costliest, to the warmest thread.
      const first = fn ? take() : list.length;
      if (shared) {
        const batch: Batch = { id: ++batchIds, jobs: list, next };
        for (const s of slots) s.run(batch, got).catch(fail);
      } else {
        for (const s of slots) {
          void (async () => {
            for (let i = take(); i < list.length; i = take()) await s.run({ id: ++batchIds, jobs: [list[i]] }, (_, o) => got(i, o));
          })().catch(fail);
        }
      }
      void (async () => {
        for (let i = first; i < list.length; i = take()) {
          try { got(i, await runHere(fn!, list[i])); } catch (e) { return fail(e); }
        }
      })();
    }),
    close: () => closeSlots(slots, clean, park),
  };
}

/** This thread alone, running the jobs in turn. */
const alone = (fn: TrialFn) => queue(fn, [], false, () => undefined);

/**
 * Parks the workers for the next search on the same module (see parkedWorkers), unless a trial
 * failed: then some may still be inside a trial of the abandoned batch, and all are ended.
 */
async function closeSlots(slots: Slot[], clean: boolean, park: (s: Slot) => void): Promise<void> {
  await Promise.all(slots.map(async (s) => (clean && s.reusable() ? park(s) : await s.terminate())));
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
    const { slot: s, timer } = list.pop()!; // the last parked is the most recently used
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
    return alone(trainFn);
  }
  if (typeof o.trainModule !== "string" && !(o.trainModule instanceof URL)) throw new ValueError(`${where}: trainModule must be a URL or a file path`);
  const url = await moduleUrl(o.trainModule);
  const node = isNode();
  if (workers === 1 || (!node && !hasWebWorkers())) return alone(await importTrain(url, where));
  const shared = canShareMemory(node);
  const threads = shared ? workers - 1 : workers;
  const source = workerSource(node, url);
  const key = `${node ? "node" : "web"} ${url}`;
  // The worker threads start first, so that their start-up overlaps this thread's import and first trials.
  const slots = unparkWorkers(key, threads);
  const fresh = threads - slots.length;
  slots.push(...(node ? await Promise.all(Array.from({ length: fresh }, () => nodeSlot(source, nodeBuiltin))) : Array.from({ length: fresh }, () => webSlot(source))));
  const park = (s: Slot) => parkWorker(key, s);
  if (!shared) return queue(undefined, slots, false, park, where);
  let fn: TrialFn;
  try {
    fn = await importTrain(url, where);
  } catch (e) {
    await closeSlots(slots, true, park);
    throw e;
  }
  return queue(fn, slots, true, park, where);
}
