import { ValueError } from "../errors.js";
import type { FloatArray, Tensor } from "../ndarray/index.js";

/** Options every optimizer has; each optimizer's own options extend this. */
export interface BaseOptions {
  lr: number;
}
/** A group of parameters sharing options (PyTorch's param_groups); `lr` is written by schedulers. */
export type ParamGroup<O extends BaseOptions> = O & { params: Tensor[]; initialLr?: number };
export type ParamsArg<O extends BaseOptions> = Tensor[] | (Partial<O> & { params: Tensor[] })[];

/** Per-parameter state: a step count and named float buffers of the parameter's size. */
export interface ParamState {
  step: number;
  buffers: Record<string, FloatArray>;
  /** Scalars some algorithms carry (Nadam's μ product). */
  scalars: Record<string, number>;
}

export interface OptimizerStateDict {
  state: Record<number, { step: number; buffers: Record<string, number[]>; scalars: Record<string, number> }>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * The thin stateful shell around a pure step function (STYLE.md §1): it holds parameter groups
 * and lazily created per-parameter state, and calls `update` for each parameter with a grad.
 */
export abstract class Optimizer<O extends BaseOptions> {
  readonly paramGroups: ParamGroup<O>[];
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(params: ParamsArg<O>, readonly defaults: O, protected readonly name: string) {
    if (!Array.isArray(params) || params.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    const groups = (isTensorList(params) ? [{ params }] : params) as (Partial<O> & { params: Tensor[] })[];
    this.paramGroups = groups.map((g) => {
      const group = { ...defaults, ...g, params: [...g.params] } as ParamGroup<O>;
      this.validate(group);
      for (const p of group.params) {
        if (!p.isContiguous || p.offset !== 0 || p.storage.length !== p.size || (p.dtype !== "float32" && p.dtype !== "float64")) {
          throw new ValueError(`${name}: parameters must be contiguous float tensors owning their storage (got shape [${p.shape}], ${p.dtype})`);
        }
      }
      return group;
    });
    const all = this.paramGroups.flatMap((g) => g.params);
    if (new Set(all).size !== all.length) throw new ValueError(`${name}: a parameter appears in more than one group`);
  }

  /** Checks a group's options; throws a ValueError naming the bad value. */
  protected abstract validate(group: ParamGroup<O>): void;
  /** Names of the state buffers this optimizer keeps per parameter (given the group's options). */
  protected abstract bufferNames(group: ParamGroup<O>): string[];
  /** Applies one update to one parameter in place; state.step is already incremented. */
  protected abstract update(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<O>): void;
  /** Initial value of a buffer (Adagrad's accumulator starts at initialAccumulatorValue). */
  protected initialValue(_buffer: string, _group: ParamGroup<O>): number {
    return 0;
  }

  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(v: number) {
    if (!(v >= 0)) throw new ValueError(`${this.name}: lr must be ≥ 0, got ${v}`);
    for (const g of this.paramGroups) g.lr = v;
  }

  stateOf(p: Tensor, group: ParamGroup<O>): ParamState {
    let s = this.state.get(p);
    if (!s) {
      const F = p.dtype === "float64" ? Float64Array : Float32Array;
      const buffers: Record<string, FloatArray> = {};
      for (const b of this.bufferNames(group)) buffers[b] = new F(p.size).fill(this.initialValue(b, group));
      s = { step: 0, buffers, scalars: {} };
      this.state.set(p, s);
    }
    return s;
  }

  step(): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        const s = this.stateOf(p, group);
        s.step++;
        this.update(p.storage as FloatArray, p.grad.data as FloatArray, s, group);
      }
    }
  }

  /** Forgets gradients (PyTorch's default set_to_none=True). */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /** State and options with parameters named by their index across groups, as in PyTorch. */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict["state"] = {};
    let idx = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      const ids = params.map((p) => {
        const s = this.state.get(p);
        if (s) {
          const buffers: Record<string, number[]> = {};
          for (const [k, v] of Object.entries(s.buffers)) buffers[k] = Array.from(v);
          state[idx] = { step: s.step, buffers, scalars: { ...s.scalars } };
        }
        return idx++;
      });
      return { ...structuredClone(opts), params: ids };
    });
    return { state, paramGroups };
  }

  /** Restores a stateDict from an optimizer over parameters of the same shapes, in the same order. */
  loadStateDict(sd: OptimizerStateDict): void {
    if (sd.paramGroups.length !== this.paramGroups.length
        || sd.paramGroups.some((g, i) => g.params.length !== this.paramGroups[i].params.length)) {
      throw new ValueError(`${this.name}.loadStateDict: parameter groups do not match this optimizer's`);
    }
    const params = this.paramGroups.flatMap((g) => g.params.map((p) => [p, g] as const));
    for (const [k, s] of Object.entries(sd.state)) {
      const entry = params[Number(k)];
      if (!entry) throw new ValueError(`${this.name}.loadStateDict: state for parameter ${k}, which does not exist`);
      for (const [b, v] of Object.entries(s.buffers)) {
        if (v.length !== entry[0].size) throw new ValueError(`${this.name}.loadStateDict: buffer ${b} of parameter ${k} has ${v.length} values, expected ${entry[0].size}`);
      }
    }
    sd.paramGroups.forEach((g, i) => {
      const { params: _ids, ...opts } = g;
      Object.assign(this.paramGroups[i], opts);
    });
    this.state.clear();
    for (const [k, s] of Object.entries(sd.state)) {
      const [p] = params[Number(k)];
      const F = p.dtype === "float64" ? Float64Array : Float32Array;
      const buffers: Record<string, FloatArray> = {};
      for (const [b, v] of Object.entries(s.buffers)) buffers[b] = F.from(v);
      this.state.set(p, { step: s.step, buffers, scalars: { ...s.scalars } });
    }
  }
}

function isTensorList(x: unknown[]): x is Tensor[] {
  return x.every((p) => typeof p === "object" && p !== null && "storage" in p && "shape" in p);
}

/** Throws unless lo ≤ v (< hi or ≤ hi). */
export function checkRange(name: string, key: string, v: unknown, lo: number, hi = Infinity, openHi = false): void {
  if (typeof v !== "number" || !(v >= lo) || (openHi ? !(v < hi) : !(v <= hi))) {
    throw new ValueError(`${name}: ${key} must be in [${lo}, ${hi}${openHi ? ")" : "]"}, got ${String(v)}`);
  }
}
