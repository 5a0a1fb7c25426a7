import { FormatError, ValueError } from "../errors.js";
import { Rng, Tensor, type RngState } from "../ndarray/index.js";
import { readSafetensors, saveSafetensors } from "../io/safetensors.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";
import { decodeTree, encodeTree } from "./state-tree.js";
import { trainingRandom } from "./training-random.js";

/**
 * A training checkpoint is one safetensors file. Tensors: the model's stateDict under "model.",
 * and the optimizer's, scheduler's and `extra`'s buffers under "optimizer.", "scheduler.",
 * "extra.". Everything else — epoch, options, step counts, and every random generator whose
 * state decides what comes next (the fit run's and those modules hold, e.g. a seeded Dropout) —
 * is JSON text in the file's "__metadata__" under "state". With all of it restored, a fit
 * resumed at `initialEpoch` continues bit-identically to one that never stopped.
 */

/** What a checkpoint needs from an optimizer or scheduler (both have PyTorch's two methods). */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(sd: never): void;
}
export interface SaveCheckpointOptions {
  model: Module;
  optimizer?: Stateful;
  scheduler?: Stateful;
  /** Epochs completed: the `initialEpoch` for the fit that resumes. */
  epoch: number;
  /** Anything JSON can hold, plus tensors and typed arrays (stored as tensors). */
  extra?: unknown;
}
export interface LoadCheckpointOptions {
  model: Module;
  optimizer?: Stateful;
  scheduler?: Stateful;
}

const FORMAT = "edgegrad.checkpoint";
const VERSION = "1";

interface SavedState {
  epoch: number;
  optimizer: unknown;
  scheduler: unknown;
  extra: unknown;
  random: { fit: { state: RngState; seed: number | null } | null; modules: Record<string, RngState> };
}

/** Every generator the model's modules hold in a field, by "module.path.field". */
function moduleGenerators(model: Module): Map<string, Rng> {
  const out = new Map<string, Rng>();
  for (const [path, m] of model.namedModules()) {
    for (const [field, v] of Object.entries(m)) if (v instanceof Rng) out.set(path ? `${path}.${field}` : field, v);
  }
  return out;
}

function checkStateful(where: string, key: string, s: unknown): void {
  if (s === undefined) return;
  const x = s as Partial<Stateful> | null;
  if (!x || typeof x.stateDict !== "function" || typeof x.loadStateDict !== "function") {
    throw new ValueError(`${where}: ${key} must have stateDict() and loadStateDict()`);
  }
}

/** Model, optimizer, scheduler, epoch, random state and `extra` as one safetensors file. */
export function saveCheckpoint(o: SaveCheckpointOptions): Uint8Array {
  checkOptions("saveCheckpoint", o, ["model", "optimizer", "scheduler", "epoch", "extra"]);
  if (!o || !(o.model instanceof Module)) throw new ValueError("saveCheckpoint: model must be a Module");
  if (!Number.isSafeInteger(o.epoch) || o.epoch < 0) throw new ValueError(`saveCheckpoint: epoch must be a non-negative integer, got ${String(o.epoch)}`);
  checkStateful("saveCheckpoint", "optimizer", o.optimizer);
  checkStateful("saveCheckpoint", "scheduler", o.scheduler);
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(o.model.stateDict())) tensors[`model.${k}`] = t.isContiguous && t.offset === 0 ? t : t.contiguous();
  const run = trainingRandom.get(o.model);
  const modules: Record<string, RngState> = {};
  for (const [k, g] of moduleGenerators(o.model)) modules[k] = g.getState();
  const state: SavedState = {
    epoch: o.epoch,
    optimizer: o.optimizer ? encodeTree(o.optimizer.stateDict(), "optimizer", tensors) : null,
    scheduler: o.scheduler ? encodeTree(o.scheduler.stateDict(), "scheduler", tensors) : null,
    extra: o.extra === undefined ? null : encodeTree(o.extra, "extra", tensors),
    random: { fit: run ? { state: run.rng.getState(), seed: run.seed } : null, modules },
  };
  return saveSafetensors(tensors, { metadata: { format: FORMAT, version: VERSION, state: JSON.stringify(state) } });
}

/** Reads and checks the file's state text; nothing is applied here. */
function readState(bytes: Uint8Array): { state: SavedState; tensors: Record<string, Tensor> } {
  const { tensors, metadata } = readSafetensors(bytes);
  if (metadata.format !== FORMAT) throw new FormatError(`loadCheckpoint: not a checkpoint (metadata format ${JSON.stringify(metadata.format)}, expected "${FORMAT}")`);
  if (metadata.version !== VERSION) throw new FormatError(`loadCheckpoint: checkpoint version ${JSON.stringify(metadata.version)} is not supported (expected ${VERSION})`);
  let state: SavedState;
  try {
    state = JSON.parse(metadata.state) as SavedState;
  } catch (e) {
    throw new FormatError(`loadCheckpoint: the state text is not JSON (${(e as Error).message})`);
  }
  if (!state || typeof state !== "object" || !Number.isSafeInteger(state.epoch) || state.epoch < 0 || !state.random || typeof state.random.modules !== "object") {
    throw new FormatError("loadCheckpoint: the state text lacks epoch or random state");
  }
  const fitSeed = state.random.fit?.seed;
  if (fitSeed !== undefined && fitSeed !== null && typeof fitSeed !== "number") throw new FormatError(`loadCheckpoint: bad run seed ${JSON.stringify(fitSeed)}`);
  const scratch = new Rng(0);
  try {
    if (state.random.fit) scratch.setState(state.random.fit.state);
    for (const s of Object.values(state.random.modules)) scratch.setState(s);
  } catch (e) {
    throw new FormatError(`loadCheckpoint: bad random state (${(e as Error).message})`);
  }
  return { state, tensors };
}

/** The model's part of the file: "model.<key>" → <key>. */
function modelTensors(tensors: Record<string, Tensor>): Record<string, Tensor> {
  const sd: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) if (k.startsWith("model.")) sd[k.slice(6)] = t;
  return sd;
}

function snapshot(model: Module): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(model.stateDict())) out[k] = new Tensor(t.data.slice(), t.dtype, t.shape);
  return out;
}

/**
 * Restores a checkpoint into the given model (and optimizer/scheduler, which must be built
 * like the saved ones); returns the saved epoch and `extra`. Everything is checked before it is
 * applied, and a part refused while applying rolls the earlier parts back: on any error the
 * model, optimizer, scheduler and generators are as they were.
 */
export function loadCheckpoint(bytes: Uint8Array, o: LoadCheckpointOptions): { epoch: number; extra: unknown } {
  checkOptions("loadCheckpoint", o, ["model", "optimizer", "scheduler"]);
  if (!o || !(o.model instanceof Module)) throw new ValueError("loadCheckpoint: model must be a Module");
  checkStateful("loadCheckpoint", "optimizer", o.optimizer);
  checkStateful("loadCheckpoint", "scheduler", o.scheduler);
  const { model, optimizer, scheduler } = o;
  const { state, tensors } = readState(bytes);
  if (optimizer && state.optimizer === null) throw new ValueError("loadCheckpoint: an optimizer was given but the checkpoint holds no optimizer state");
  if (scheduler && state.scheduler === null) throw new ValueError("loadCheckpoint: a scheduler was given but the checkpoint holds no scheduler state");
  const optState = optimizer ? decodeTree(state.optimizer, tensors) : null;
  const schedState = scheduler ? decodeTree(state.scheduler, tensors) : null;
  const extra = decodeTree(state.extra, tensors);
  const generators = moduleGenerators(model);
  const saved = Object.keys(state.random.modules);
  if (saved.length !== generators.size || saved.some((k) => !generators.has(k))) {
    throw new ValueError(`loadCheckpoint: the checkpoint has generators [${saved.join(", ")}], the model [${[...generators.keys()].join(", ")}]`);
  }

  const before = { model: snapshot(model), optimizer: optimizer?.stateDict(), scheduler: scheduler?.stateDict() };
  try {
    model.loadStateDict(modelTensors(tensors));
    optimizer?.loadStateDict(optState as never);
    scheduler?.loadStateDict(schedState as never);
  } catch (e) {
    model.loadStateDict(before.model);
    optimizer?.loadStateDict(before.optimizer as never);
    scheduler?.loadStateDict(before.scheduler as never);
    throw e;
  }
  for (const [k, g] of generators) g.setState(state.random.modules[k]);
  const fitRun = state.random.fit;
  if (fitRun) {
    const rng = new Rng(0);
    rng.setState(fitRun.state);
    trainingRandom.set(model, { rng, seed: fitRun.seed });
  } else trainingRandom.delete(model);
  return { epoch: state.epoch, extra };
}
