// Magnitude pruning of a tensor or a model: keep-masks with an exact number of zeros (the
// smallest |w|, ties pruned in index order), per layer or global, unstructured or structured.
// The masks of a model are kept with the model (pruning-state.ts) so that fine-tuning can
// re-apply them after every optimizer step (pruningCallback).
import { DTypeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../ndarray/index.js";
import { Module } from "../nn/module.js";
import { typeName } from "../type-name.js";
import { applyMasks, setPruning, sparsityReport, type PrunedParam, type SparsityReport } from "./pruning-state.js";
import { roundHalfToEven } from "./round.js";
import { smallestMask } from "./select.js";
import {
  checkNorm, checkStructure, columnMask, nmMask, rowMask, type PruneStructure, type SliceNorm,
} from "./structured.js";

export interface PruneOptions {
  /**
   * Fraction of the weights set to zero, in [0, 1): exactly round(sparsity · count) of them,
   * a product ending in .5 rounded to even (2.5 → 2, 3.5 → 4), as torch.nn.utils.prune counts.
   * Required, except with N:M structure, whose sparsity n and m fix (m − n of every m weights):
   * there it may be omitted or must equal 1 − n/m.
   */
  sparsity?: number;
  /** "layer": each weight to the sparsity on its own (default); "global": one threshold over all. */
  scope?: "layer" | "global";
  /**
   * "unstructured" (default); whole "rows" (slices along dim 0: a Linear's output neurons, a
   * convolution's output filters); whole "columns" (along dim 1: a Linear's inputs, a
   * convolution's input channels); or N:M (2-D weights): in every group of m consecutive weights
   * of a row the n largest kept (a shorter last group keeps at most n).
   */
  structure?: PruneStructure;
  /** The norm ranking whole rows/columns: 1 or 2 (default), torch's ln_structured n. */
  norm?: SliceNorm;
  /**
   * Which parameters are pruned; default: every weight with ≥ 2 dimensions — Linear and convolution
   * weights alike (biases and normalization scales, 1-D, stay dense).
   */
  filter?: (name: string, p: Tensor) => boolean;
}

export function checkSparsity(s: unknown, where: string): number {
  if (typeof s !== "number" || !(s >= 0 && s < 1)) {
    throw new ValueError(`${where}: sparsity must be a number in [0, 1), got ${String(s)}`);
  }
  return s;
}

/**
 * The sparsity of N:M pruning is not a free choice: it keeps n of every m weights. A different
 * sparsity would be silently unused, so it is refused.
 */
function nmSparsity(s: unknown, nm: { n: number; m: number }, where: string): number {
  const fixed = 1 - nm.n / nm.m;
  if (s === undefined) return fixed;
  checkSparsity(s, where);
  // Compared in units of one weight of a group, so 2/3 and 1 − 1/3 (an ulp apart) both pass.
  if (Math.abs((s as number) * nm.m - (nm.m - nm.n)) > 1e-9) {
    throw new ValueError(`${where}: N:M structure { n: ${nm.n}, m: ${nm.m} } keeps ${nm.n} of every ${nm.m} weights, so its sparsity is fixed at 1 − n/m = ${fixed}; omit sparsity or give that value, got ${String(s)}`);
  }
  return fixed;
}

/**
 * |w| of a float parameter, checked: a NaN weight has no magnitude to rank. In the tensor's own
 * precision: float64 weights that differ only past float32's digits still rank apart (as torch's topk).
 */
function magnitudes(name: string, t: Tensor, where: string): Float32Array | Float64Array {
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`${where}: "${name}" is ${t.dtype}, not a float tensor`);
  const d = t.data;
  const out = t.dtype === "float64" ? new Float64Array(d.length) : new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = Math.abs(d[i]);
    if (v !== v) throw new ValueError(`${where}: "${name}" has a NaN at flat index ${i}`);
    out[i] = v;
  }
  return out;
}

/** The keep-mask of one weight on its own. */
function layerMask(name: string, t: Tensor, sparsity: number, structure: PruneStructure, norm: SliceNorm,
                   where: string): Uint8Array {
  if (structure === "unstructured") return smallestMask(magnitudes(name, t, where), roundHalfToEven(sparsity * t.size));
  magnitudes(name, t, where);
  const [rows, cols] = t.shape;
  if (typeof structure === "object") {
    if (t.ndim !== 2) throw new ValueError(`${where}: N:M pruning needs a 2-D weight, "${name}" is [${t.shape}]`);
    return nmMask(t.data, rows, cols, structure.n, structure.m);
  }
  if (t.ndim < 2) throw new ValueError(`${where}: structured pruning needs a weight with ≥ 2 dims, "${name}" is [${t.shape}]`);
  if (structure === "rows") return rowMask(t.data, rows, rows === 0 ? 0 : t.size / rows, sparsity, norm);
  return columnMask(t.data, rows, cols, sparsity, norm, rows * cols === 0 ? 0 : t.size / (rows * cols));
}

function zeroMasked(t: Tensor, mask: Uint8Array): void {
  const d = t.storage;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) d[t.offset + i] = 0;
}

/** The masks for a model's prunable parameters (does not change the weights). */
export function computeMasks(params: [string, Tensor][], o: Omit<PruneOptions, "filter">, where = "computeMasks"): Uint8Array[] {
  checkOptions(where, o, ["sparsity", "scope", "structure", "norm"]);
  const structure = checkStructure(o?.structure ?? "unstructured", where);
  const sparsity = typeof structure === "object" ? nmSparsity(o.sparsity, structure, where) : checkSparsity(o?.sparsity, where);
  const scope = o.scope ?? "layer";
  if (scope !== "layer" && scope !== "global") throw new ValueError(`${where}: scope must be "layer" or "global", got ${JSON.stringify(scope)}`);
  const norm = checkNorm(o.norm ?? 2, where);
  if (o.norm !== undefined && structure !== "rows" && structure !== "columns") {
    throw new ValueError(`${where}: norm ranks whole rows or columns; it does not apply to structure ${JSON.stringify(structure)}`);
  }
  if (scope === "layer") return params.map(([n, t]) => layerMask(n, t, sparsity, structure, norm, where));
  if (structure !== "unstructured") throw new ValueError(`${where}: scope "global" supports only unstructured pruning`);
  // One ranking over every weight of every layer (as torch.nn.utils.prune.global_unstructured).
  const mags = params.map(([n, t]) => magnitudes(n, t, where));
  const total = mags.reduce((s, m) => s + m.length, 0);
  const all = mags.some((m) => m instanceof Float64Array) ? new Float64Array(total) : new Float32Array(total);
  let at = 0;
  for (const m of mags) { all.set(m, at); at += m.length; }
  const mask = smallestMask(all, roundHalfToEven(sparsity * total));
  const out: Uint8Array[] = [];
  at = 0;
  for (const m of mags) { out.push(mask.slice(at, at + m.length)); at += m.length; }
  return out;
}

export function prunableParameters(model: Module, filter?: PruneOptions["filter"]): [string, Tensor][] {
  const f = filter ?? ((_n: string, p: Tensor) => p.ndim >= 2);
  return model.namedParameters().filter(([n, p]) => f(n, p));
}

export interface TensorPruneResult {
  /** 1 = kept, 0 = pruned, row-major like the tensor. */
  mask: Uint8Array;
  pruned: number;
}

/**
 * Prunes the smallest-magnitude weights to exactly round(sparsity · count) zeros, in place.
 * A Tensor: returns its mask. A model: prunes its weights (per layer or global), keeps the masks
 * on the model (re-applied by pruningCallback during fine-tuning, dropped by stripPruning) and
 * returns the per-layer sparsity report.
 */
export function magnitudePrune(target: Tensor, o: PruneOptions): TensorPruneResult;
export function magnitudePrune(target: Module, o: PruneOptions): SparsityReport;
export function magnitudePrune(target: Tensor | Module, o: PruneOptions): TensorPruneResult | SparsityReport {
  checkOptions("magnitudePrune", o, ["sparsity", "scope", "structure", "norm", "filter"]);
  const { filter, ...maskOptions } = o ?? ({} as PruneOptions);
  if (target instanceof Tensor) {
    // A filter picks a model's parameters; a tensor is pruned whole, so it would be unused.
    if (filter !== undefined) throw new ValueError("magnitudePrune: filter selects a model's parameters; a tensor is pruned whole");
    if (!target.isContiguous) throw new ValueError(`magnitudePrune: the tensor [${target.shape}] must be contiguous (it is pruned in place)`);
    const [mask] = computeMasks([["tensor", target]], maskOptions, "magnitudePrune");
    zeroMasked(target, mask);
    let pruned = 0;
    for (let i = 0; i < mask.length; i++) pruned += 1 - mask[i];
    return { mask, pruned };
  }
  if (!(target instanceof Module)) throw new ValueError(`magnitudePrune: target must be a Tensor or a Module, got ${typeName(target)}`);
  if (filter !== undefined && typeof filter !== "function") throw new ValueError(`magnitudePrune: filter must be a function (name, param) => boolean, got ${typeof filter}`);
  const params = prunableParameters(target, filter);
  if (params.length === 0) throw new ValueError("magnitudePrune: the model has no parameters to prune (no weight with ≥ 2 dims)");
  const masks = computeMasks(params, maskOptions, "magnitudePrune");
  const entries: PrunedParam[] = params.map(([name, param], i) => ({ name, param, mask: masks[i] }));
  setPruning(target, { params: entries, options: { ...o } });
  applyMasks(target);
  return sparsityReport(target);
}
