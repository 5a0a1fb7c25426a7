// The masks of a pruned model live next to it (a WeakMap keyed by the model: no field added to
// Module, and they go away with the model). Fine-tuning re-applies them after each optimizer
// step; stripPruning forgets them, leaving plain weights that happen to contain zeros.
import type { Tensor } from "../ndarray/index.js";
import type { Module } from "../nn/module.js";
import type { PruneOptions } from "./prune.js";

export interface PrunedParam {
  name: string;
  param: Tensor;
  /** 1 = kept, 0 = pruned (held at zero). */
  mask: Uint8Array;
}

export interface PruningState {
  params: PrunedParam[];
  options: PruneOptions;
}

const states = new WeakMap<Module, PruningState>();

export function setPruning(model: Module, s: PruningState): void {
  states.set(model, s);
}

/** The masks kept on `model`, or null if it is not (or no longer) pruned. */
export function getPruning(model: Module): PruningState | null {
  return states.get(model) ?? null;
}

/** Sets every masked weight back to zero (after an optimizer step moved it). */
export function applyMasks(model: Module): void {
  const s = states.get(model);
  if (!s) return;
  for (const { param, mask } of s.params) {
    const d = param.storage;
    const o = param.offset;
    for (let i = 0; i < mask.length; i++) if (mask[i] === 0) d[o + i] = 0;
  }
}

/** Makes pruning permanent: zeros stay, masks are dropped (training may then revive weights). */
export function stripPruning<M extends Module>(model: M): M {
  applyMasks(model);
  states.delete(model);
  return model;
}

export interface SparsityRow {
  name: string;
  shape: number[];
  params: number;
  nonZeros: number;
  sparsity: number;
  /** Whether a pruning mask holds this parameter. */
  masked: boolean;
}
export interface SparsityReport {
  layers: SparsityRow[];
  total: { params: number; nonZeros: number; sparsity: number };
}

/** Zeros per parameter and in total (every parameter, biases too). */
export function sparsityReport(model: Module): SparsityReport {
  const masked = new Set(states.get(model)?.params.map((p) => p.param) ?? []);
  const layers: SparsityRow[] = [];
  let params = 0, nonZeros = 0;
  for (const [name, t] of model.namedParameters()) {
    const d = t.data;
    let nz = 0;
    for (let i = 0; i < d.length; i++) if (d[i] !== 0) nz++;
    layers.push({ name, shape: [...t.shape], params: t.size, nonZeros: nz, sparsity: t.size ? 1 - nz / t.size : 0, masked: masked.has(t) });
    params += t.size;
    nonZeros += nz;
  }
  return { layers, total: { params, nonZeros, sparsity: params ? 1 - nonZeros / params : 0 } };
}
