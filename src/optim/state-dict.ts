import { ShapeError, ValueError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";

/** One parameter's saved state: its step count, buffers as plain arrays, and scalars. */
export interface SavedParamState {
  step: number;
  buffers: Record<string, number[]>;
  scalars: Record<string, number>;
}

export interface OptimizerStateDict {
  state: Record<number, SavedParamState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** What checkStateDict needs to know about the optimizer it is loading into. */
export interface LoadTarget<G> {
  name: string;
  groups: (G & { params: Tensor[] })[];
  /** Option keys a group may carry besides `params`. */
  groupKeys: readonly string[];
  /** Throws a ValueError naming a bad option value. */
  validate(group: G): void;
  /** Buffers each saved parameter state must have, for the options being loaded. */
  bufferNames(group: G): string[];
  /** Buffers it may have or not whatever the options (see Optimizer.optionalBuffers). */
  optionalBuffers: readonly string[];
}

/**
 * Checks a state dict completely against the optimizer it is loaded into (group layout, option
 * keys and values, buffer names and lengths, step counts) and returns the merged groups, so that
 * the caller can commit everything at once: a bad dict changes nothing.
 */
export function checkStateDict<G>(t: LoadTarget<G>, sd: unknown): G[] {
  const where = `${t.name}.loadStateDict`;
  if (!isObject(sd) || !isObject(sd.state) || !Array.isArray(sd.paramGroups)) {
    throw new ValueError(`${where}: expected { state, paramGroups } as returned by stateDict(), got ${JSON.stringify(sd)?.slice(0, 80)}`);
  }
  if (sd.paramGroups.length !== t.groups.length) {
    throw new ValueError(`${where}: the dict has ${sd.paramGroups.length} parameter groups, this optimizer ${t.groups.length}`);
  }
  const merged = sd.paramGroups.map((g: unknown, i) => {
    if (!isObject(g) || !Array.isArray(g.params)) throw new ValueError(`${where}: parameter group ${i} has no params list`);
    if (g.params.length !== t.groups[i].params.length) {
      throw new ValueError(`${where}: parameter group ${i} has ${g.params.length} parameters in the dict, ${t.groups[i].params.length} here`);
    }
    for (const k of Object.keys(g)) {
      if (k !== "params" && !t.groupKeys.includes(k)) throw new ValueError(`${where}: parameter group ${i} has unknown option "${k}" (accepted: ${t.groupKeys.join(", ")})`);
    }
    const { params: _ids, ...opts } = g;
    const group = { ...t.groups[i], ...structuredClone(opts) } as G;
    t.validate(group);
    return group;
  });
  const owner = t.groups.flatMap((g, gi) => g.params.map((p) => [p, gi] as const));
  for (const [k, s] of Object.entries(sd.state)) {
    const entry = /^\d+$/.test(k) ? owner[Number(k)] : undefined;
    if (!entry) throw new ValueError(`${where}: state for parameter ${k}, which does not exist (there are ${owner.length})`);
    checkParamState(where, k, s, entry[0], t.bufferNames(merged[entry[1]]), t.optionalBuffers);
  }
  return merged;
}

/**
 * Checks one parameter's saved state: every buffer in `names`, any of `optional` (which the
 * saving optimizer's options may have created or kept), none other, each of the parameter's size.
 */
function checkParamState(where: string, k: string, s: unknown, p: Tensor, names: string[], optional: readonly string[]): void {
  if (!isObject(s) || !isObject(s.buffers)) throw new ValueError(`${where}: state of parameter ${k} is not { step, buffers, scalars }`);
  if (typeof s.step !== "number" || !Number.isInteger(s.step) || s.step < 0) {
    throw new ValueError(`${where}: step of parameter ${k} must be an integer ≥ 0, got ${String(s.step)}`);
  }
  const got = Object.keys(s.buffers);
  const missing = names.filter((b) => !got.includes(b)), unknown = got.filter((b) => !names.includes(b) && !optional.includes(b));
  if (missing.length > 0 || unknown.length > 0) {
    const alsoAccepted = optional.length > 0 ? ` (and optionally [${optional}])` : "";
    throw new ValueError(`${where}: parameter ${k} has buffers [${got}], expected [${names}]${alsoAccepted}`);
  }
  for (const b of got) {
    const v = s.buffers[b];
    if (!Array.isArray(v) || v.length !== p.size) {
      throw new ShapeError(`${where}: buffer ${b} of parameter ${k} has ${Array.isArray(v) ? v.length : "no"} values, the parameter of shape [${p.shape}] has ${p.size}`);
    }
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== "number") throw new ValueError(`${where}: buffer ${b} of parameter ${k} holds a ${typeof v[i]} at ${i}`);
    }
  }
  if (s.scalars !== undefined && (!isObject(s.scalars) || Object.values(s.scalars).some((x) => typeof x !== "number"))) {
    throw new ValueError(`${where}: scalars of parameter ${k} must be numbers`);
  }
}
