import { boolean } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { zeroGrads } from "../ndarray/zero-grads.js";
import type { FloatArray, Tensor } from "../ndarray/index.js";
import { touchedRows } from "../ndarray/row-lists.js";
import { checkOptions } from "../options.js";
import { checkStateDict, type OptimizerStateDict } from "./state-dict.js";

export type { OptimizerStateDict } from "./state-dict.js";

/** Options every optimizer has; each optimizer's own options extend this. */
export interface BaseOptions {
  lr: number;
}
/**
 * Options the Optimizer class implements for every algorithm, outside the step functions.
 * maximize: ascend the objective. As in PyTorch, the gradient is negated before anything else
 * (weight decay included) sees it, so the step functions need no flag of their own.
 */
export interface CommonOptions {
  maximize: boolean;
}
export const COMMON_DEFAULTS: CommonOptions = { maximize: false };

/** A group of parameters sharing options (PyTorch's param_groups); `lr` is written by schedulers. */
export type ParamGroup<O extends BaseOptions> = O & CommonOptions & { params: Tensor[]; initialLr?: number };
export type ParamsArg<O extends BaseOptions> = Iterable<Tensor> | Iterable<Partial<O & CommonOptions> & { params: Tensor | Iterable<Tensor>; initialLr?: number }>;
/** What an optimizer's constructor accepts: its own options and the common ones, all optional. */
export type OptionsArg<O extends BaseOptions> = Partial<O & CommonOptions>;

/** Per-parameter state: a step count and named float buffers of the parameter's size. */
export interface ParamState {
  step: number;
  buffers: Record<string, FloatArray>;
  /** Scalars some algorithms carry (Nadam's μ product). */
  scalars: Record<string, number>;
}

/**
 * The thin stateful shell around a pure step function: it holds parameter groups and lazily
 * created per-parameter state, checks every gradient before touching anything, and calls
 * `update` for each parameter that requires grad and has one. A frozen parameter is skipped
 * even if it still holds a gradient from before it was frozen (in PyTorch it would not get one
 * in the first place; one assigned by hand would be applied).
 */
/** Refuses a group that lists one tensor twice (PyTorch only warns; it would be updated twice a step). */
function checkListedOnce(name: string, group: number, params: readonly Tensor[]): void {
  const first = new Map<Tensor, number>();
  params.forEach((p, j) => {
    const k = first.get(p);
    if (k !== undefined) throw new ValueError(`${name}: param group ${group} lists parameter ${j} (shape [${p.shape}]) twice (also parameter ${k})`);
    first.set(p, j);
  });
}

export abstract class Optimizer<O extends BaseOptions> {
  readonly paramGroups: ParamGroup<O>[];
  readonly defaults: O & CommonOptions;
  protected readonly state = new Map<Tensor, ParamState>();
  /** Keys a param group may carry: the defaults' and the scheduler's initialLr. */
  private readonly groupKeys: string[];
  private scratch: Float64Array | Float32Array | null = null;

  /**
   * `algorithmDefaults` lists every option of the algorithm (with PyTorch's defaults); any other
   * key, in `options` or in a param group, is refused.
   */
  constructor(params: ParamsArg<O>, algorithmDefaults: O, options: OptionsArg<O> | undefined, protected readonly name: string) {
    const all = { ...algorithmDefaults, ...COMMON_DEFAULTS };
    checkOptions(name, options, Object.keys(all));
    this.defaults = { ...all, ...options };
    this.groupKeys = [...Object.keys(all), "initialLr"];
    if (isTensor(params)) throw new ValueError(`${name}: params must be a list of tensors or of param groups, got a single tensor (wrap it in an array)`);
    const given = listOf(name, "params", params);
    if (given.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    const tensors = given.filter(isTensor).length;
    if (tensors !== 0 && tensors !== given.length) throw new ValueError(`${name}: params mixes tensors and param groups; give a list of one kind`);
    const groups = (tensors !== 0 ? [{ params: given }] : given) as (OptionsArg<O> & { params: unknown })[];
    this.paramGroups = groups.map((g, i) => {
      if (typeof g !== "object" || g === null) throw new ValueError(`${name}: param group ${i} must be an object { params, ...options }, got ${g === null ? "null" : typeof g}`);
      checkOptions(`${name} param group ${i}`, g, [...this.groupKeys, "params"]);
      // A group's params may be one tensor, as in PyTorch's param groups.
      const own = isTensor(g.params) ? [g.params] : g.params === undefined ? undefined : listOf(name, `param group ${i}'s params`, g.params);
      if (own === undefined || !isTensorList(own)) throw new ValueError(`${name}: param group ${i} needs params: an array of tensors`);
      const group = { ...this.defaults, ...g, params: own } as ParamGroup<O>;
      this.checkGroup(group);
      for (const p of group.params) {
        if (!p.isContiguous || p.offset !== 0 || p.storage.length !== p.size || (p.dtype !== "float32" && p.dtype !== "float64")) {
          throw new ValueError(`${name}: parameters must be contiguous float tensors owning their storage (got shape [${p.shape}], ${p.dtype})`);
        }
      }
      checkListedOnce(name, i, group.params);
      return group;
    });
    const list = this.paramGroups.flatMap((g) => g.params);
    if (new Set(list).size !== list.length) throw new ValueError(`${name}: a parameter appears in more than one group`);
  }

  /** Checks a group's options; throws a ValueError naming the bad value. */
  protected abstract validate(group: ParamGroup<O>): void;
  /** Names of the state buffers every parameter has from its first step on (stateOf creates them). */
  protected abstract bufferNames(group: ParamGroup<O>): string[];
  /**
   * Buffers that exist only while an option needs them (SGD's momentum, Adam's vMax): `update`
   * creates one when its option is on and it is missing, at the first step or any later one,
   * since options are plain fields a user may change between steps. Turning the option off
   * keeps the buffer, and turning it on again takes it up where it stopped, as PyTorch does
   * with its state; a state dict may therefore have such a buffer or not, whatever its options.
   */
  protected readonly optionalBuffers: readonly string[] = [];
  /** Applies one update to one parameter in place; state.step is already incremented. */
  protected abstract update(param: FloatArray, grad: FloatArray, state: ParamState, group: ParamGroup<O>): void;
  /**
   * Row-sparse gradients (an Embedding with `sparse: true`; src/ndarray/sparse-rows.ts). An
   * optimizer that defines this updates only the rows the gradient names, leaving every other row
   * and its state untouched (lazy updates); one that does not reads the gradient as the dense
   * tensor it also is, which is exact. `sign` is −1 with maximize. state.step is incremented.
   */
  protected updateRows?(param: FloatArray, grad: FloatArray, rows: Int32Array, width: number, state: ParamState, group: ParamGroup<O>, sign: 1 | -1): void;
  /** Why `group`'s options have no row-wise form (the step then throws), or null. */
  protected rowwiseRefusal(_group: ParamGroup<O>): string | null {
    return null;
  }
  /** True for an optimizer that only takes row-sparse gradients (SparseAdam). */
  protected readonly rowSparseOnly: boolean = false;

  /** Initial value of a buffer (Adagrad's accumulator starts at initialAccumulatorValue). */
  protected initialValue(_buffer: string, _group: ParamGroup<O>): number {
    return 0;
  }

  private checkGroup(g: ParamGroup<O>): void {
    if (typeof g.maximize !== "boolean") throw new ValueError(`${this.name}: maximize must be true or false, got ${String(g.maximize)}`);
    this.validate(g);
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

  /**
   * The parameters this step updates, after checking every one of their gradients: a gradient
   * of the wrong shape or dtype throws before any parameter or state is touched.
   */
  protected toUpdate(): [Tensor, ParamGroup<O>][] {
    const out: [Tensor, ParamGroup<O>][] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (p.requiresGrad && g) {
          if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
            throw new ShapeError(`${this.name}.step: parameter ${index} has shape [${p.shape}] but its gradient has shape [${g.shape}]`);
          }
          if (g.dtype !== "float32" && g.dtype !== "float64") throw new DTypeError(`${this.name}.step: the gradient of parameter ${index} is ${g.dtype}, not a float`);
          this.checkRowSparse(g, group, index);
          out.push([p, group]);
        }
        index++;
      }
    }
    return out;
  }

  step(): void {
    for (const [p, group] of this.toUpdate()) {
      const s = this.stateOf(p, group);
      s.step++;
      const grad = p.grad!.data as FloatArray;
      const rows = this.updateRows ? touchedRows(p.grad!) : null;
      try {
        if (rows) this.updateRows!(p.storage as FloatArray, grad, rows, p.shape[0] === 0 ? 0 : p.size / p.shape[0], s, group, group.maximize ? -1 : 1);
        else this.update(p.storage as FloatArray, group.maximize ? this.negated(grad) : grad, s, group);
      } catch (e) {
        // An update that throws (a thread pool's worker lost mid-step) leaves its parameter and
        // state as they were where the kernels allow (Adam's do), the count included.
        s.step--;
        throw e;
      }
    }
  }

  private checkRowSparse(g: Tensor, group: ParamGroup<O>, index: number): void {
    const rowSparse = touchedRows(g) !== null;
    if (this.rowSparseOnly && !rowSparse) {
      throw new ValueError(`${this.name}.step: parameter ${index} has a dense gradient; ${this.name} takes only row-sparse ones (an Embedding with sparse: true)`);
    }
    const refusal = rowSparse && this.updateRows ? this.rowwiseRefusal(group) : null;
    if (refusal !== null) throw new ValueError(`${this.name}.step: parameter ${index} has a row-sparse gradient, and ${refusal}`);
  }

  /** −grad in a reused scratch array (the caller's gradient is left as it is). */
  private negated(grad: FloatArray): FloatArray {
    const F = grad instanceof Float64Array ? Float64Array : Float32Array;
    if (!(this.scratch instanceof F) || this.scratch.length < grad.length) this.scratch = new F(grad.length);
    const out = this.scratch.subarray(0, grad.length);
    for (let i = 0; i < grad.length; i++) out[i] = -grad[i];
    return out;
  }

  /** Forgets gradients, or with setToNone false sets each existing one to zeros (src/ndarray/zero-grads.ts). */
  zeroGrad(setToNone = true): void {
    zeroGrads(`${this.name}.zeroGrad`, this.paramGroups.flatMap((g) => g.params), setToNone);
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

  /**
   * Restores a stateDict from an optimizer over parameters of the same shapes, in the same order.
   * Everything is checked first (layout, option keys and values, buffers): a bad dict throws and
   * leaves this optimizer as it was.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const merged = checkStateDict<ParamGroup<O>>({
      name: this.name, groups: this.paramGroups, groupKeys: this.groupKeys,
      validate: (g) => this.checkGroup(g), bufferNames: (g) => this.bufferNames(g), optionalBuffers: this.optionalBuffers,
    }, sd);
    merged.forEach((g, i) => Object.assign(this.paramGroups[i], g, { params: this.paramGroups[i].params }));
    const params = this.paramGroups.flatMap((g) => g.params);
    this.state.clear();
    for (const [k, s] of Object.entries(sd.state)) {
      const p = params[Number(k)];
      const F = p.dtype === "float64" ? Float64Array : Float32Array;
      const buffers: Record<string, FloatArray> = {};
      for (const [b, v] of Object.entries(s.buffers)) buffers[b] = F.from(v);
      this.state.set(p, { step: s.step, buffers, scalars: { ...s.scalars } });
    }
  }
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && "storage" in x && "shape" in x;
}
function isTensorList(x: unknown[]): x is Tensor[] {
  return x.every(isTensor);
}

/**
 * An array of `what` from an array or any other iterable (a Set, a generator), as PyTorch takes
 * any iterable; the array is a copy, so later changes to the caller's list do not reach the groups.
 */
function listOf(name: string, what: string, x: unknown): unknown[] {
  if (typeof x === "object" && x !== null && typeof (x as Iterable<unknown>)[Symbol.iterator] === "function") return Array.from(x as Iterable<unknown>);
  throw new ValueError(`${name}: ${what} must be an array (or another iterable) of tensors, got ${x === null ? "null" : typeof x}`);
}

/** Throws unless lo ≤ v (< hi or ≤ hi). */
export function checkRange(name: string, key: string, v: unknown, lo: number, hi = Infinity, openHi = false): void {
  if (typeof v !== "number" || !(v >= lo) || (openHi ? !(v < hi) : !(v <= hi))) {
    throw new ValueError(`${name}: ${key} must be in [${lo}, ${hi}${openHi ? ")" : "]"}, got ${String(v)}`);
  }
}

/**
 * checkRange for each option named in `ranges` ([lo] or [lo, hi], closed), in the table's order,
 * so the first bad option is the one reported.
 */
export function checkRanges<O extends object>(name: string, g: O, ranges: { [K in keyof O]?: readonly [number, number?] }): void {
  for (const key of Object.keys(ranges) as (keyof O & string)[]) {
    const [lo, hi] = ranges[key]!;
    checkRange(name, key, g[key], lo, hi);
  }
}

/** Throws unless v is a boolean (an option such as amsgrad or nesterov). */
export const checkFlag = boolean;
