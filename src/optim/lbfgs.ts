import { positiveInt } from "../checks.js";
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { zeroGrads } from "../ndarray/zero-grads.js";
import { checkRange } from "./optimizer.js";
import { strongWolfe } from "./strong-wolfe.js";
import { lbfgsDirection, lbfgsRemember, type LBFGSHistory } from "./lbfgs-direction.js";

export interface LBFGSOptions {
  lr: number;
  /** Iterations per step() call. */
  maxIter: number;
  /** Function evaluations per step() call (default maxIter·5/4). */
  maxEval: number;
  /** Stop when max |gradient| ≤ this. */
  toleranceGrad: number;
  /** Stop when the step or the change of the loss is below this. */
  toleranceChange: number;
  /** Number of (s, y) pairs kept. */
  historySize: number;
  /** null: fixed step lr (lr·min(1, 1/‖g‖₁) on the first iteration); "strong_wolfe": line search. */
  lineSearchFn: null | "strong_wolfe";
}
export const LBFGS_DEFAULTS: Omit<LBFGSOptions, "maxEval"> = {
  lr: 1, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null,
};

export interface LBFGSStateDict {
  state: {
    funcEvals: number; nIter: number; d: number[] | null; t: number; prevFlatGrad: number[] | null; prevLoss: number;
    dirs: number[][]; steps: number[][]; ro: number[]; hDiag: number;
  };
  paramGroups: (Partial<LBFGSOptions> & { params: number[] })[];
}

/** The closure step() calls: clear the grads, compute the loss, backward(), return the loss. */
export type LossClosure = () => Tensor | number;

interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d: Float64Array | null;
  t: number;
  history: LBFGSHistory;
  prevFlatGrad: Float64Array | null;
  prevLoss: number;
}

function lossValue(r: unknown): number {
  if (typeof r === "number") return r;
  if (r instanceof Tensor) return r.item();
  throw new ValueError(`LBFGS.step: the closure must return the loss (a Tensor or number), got ${typeof r}`);
}

const maxAbs = (a: Float64Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * b[i], 0);

/**
 * L-BFGS (Liu & Nocedal 1989) over all parameters as one flat vector, PyTorch's algorithm: each
 * step(closure) runs up to maxIter iterations of the two-loop recursion, with a fixed step or a
 * strong-Wolfe line search, and returns the closure's first loss. The history is kept in float64.
 * One parameter group only, as in PyTorch; no maximize (PyTorch's LBFGS has none).
 */
export class LBFGS {
  readonly paramGroups: [LBFGSOptions & { params: Tensor[]; initialLr?: number }];
  private readonly params: Tensor[];
  private readonly numel: number;
  private state: LBFGSState = { funcEvals: 0, nIter: 0, d: null, t: 0, history: { dirs: [], steps: [], ro: [], hDiag: 1 }, prevFlatGrad: null, prevLoss: 0 };

  constructor(given: Iterable<Tensor>, o: Partial<LBFGSOptions> = {}) {
    checkOptions("LBFGS", o, [...Object.keys(LBFGS_DEFAULTS), "maxEval"]);
    if (given instanceof Tensor) throw new ValueError("LBFGS: params must be a list of tensors, got a single tensor (wrap it in an array)");
    // Any iterable (a Set, a generator), as PyTorch takes.
    const params = typeof given === "object" && given !== null && typeof given[Symbol.iterator] === "function" ? Array.from(given) : null;
    if (params === null || params.length === 0 || !params.every((p) => p instanceof Tensor)) {
      throw new ValueError("LBFGS: expected a non-empty array of parameter tensors (one group: LBFGS has no per-group options)");
    }
    for (const p of params) {
      if (!p.isContiguous || p.offset !== 0 || p.storage.length !== p.size || (p.dtype !== "float32" && p.dtype !== "float64")) {
        throw new ValueError(`LBFGS: parameters must be contiguous float tensors owning their storage (got shape [${p.shape}], ${p.dtype})`);
      }
    }
    if (new Set(params).size !== params.length) throw new ValueError("LBFGS: a parameter appears twice");
    const maxIter = o.maxIter ?? LBFGS_DEFAULTS.maxIter;
    const group = { ...LBFGS_DEFAULTS, maxEval: Math.floor((maxIter * 5) / 4), ...o, params: [...params] };
    checkRange("LBFGS", "lr", group.lr, 0);
    for (const k of ["maxIter", "maxEval", "historySize"] as const) {
      positiveInt("LBFGS", k, group[k]);
    }
    checkRange("LBFGS", "toleranceGrad", group.toleranceGrad, 0);
    checkRange("LBFGS", "toleranceChange", group.toleranceChange, 0);
    if (group.lineSearchFn !== null && group.lineSearchFn !== "strong_wolfe") {
      throw new ValueError(`LBFGS: lineSearchFn must be null or "strong_wolfe", got ${JSON.stringify(group.lineSearchFn)}`);
    }
    this.paramGroups = [group];
    this.params = group.params;
    this.numel = params.reduce((n, p) => n + p.size, 0);
  }

  get lr(): number {
    return this.paramGroups[0].lr;
  }
  set lr(v: number) {
    checkRange("LBFGS", "lr", v, 0);
    this.paramGroups[0].lr = v;
  }

  /** As Optimizer.zeroGrad. */
  zeroGrad(setToNone = true): void {
    zeroGrads("LBFGS.zeroGrad", this.params, setToNone);
  }

  /** Options and the iteration state (history as plain arrays), in PyTorch's layout. */
  stateDict(): LBFGSStateDict {
    const { params, ...opts } = this.paramGroups[0];
    const st = this.state, arr = (a: Float64Array | null) => (a ? Array.from(a) : null);
    return {
      state: { funcEvals: st.funcEvals, nIter: st.nIter, d: arr(st.d), t: st.t, prevFlatGrad: arr(st.prevFlatGrad), prevLoss: st.prevLoss,
        dirs: st.history.dirs.map((y) => Array.from(y)), steps: st.history.steps.map((x) => Array.from(x)), ro: st.history.ro.slice(), hDiag: st.history.hDiag },
      paramGroups: [{ ...opts, params: params.map((_, i) => i) }],
    };
  }

  /** Restores stateDict(); everything is checked first, so a bad dict changes nothing. */
  loadStateDict(sd: LBFGSStateDict): void {
    const where = "LBFGS.loadStateDict";
    const g = sd?.paramGroups?.[0], s = sd?.state;
    if (!g || !s || sd.paramGroups.length !== 1 || !Array.isArray(g.params) || g.params.length !== this.params.length) {
      throw new ValueError(`${where}: expected one parameter group of ${this.params.length} parameters, as stateDict() returns`);
    }
    // initialLr is a scheduler's record, not an LBFGS option: carried over as it is.
    const { params: _ids, initialLr, ...opts } = g as typeof g & { initialLr?: number };
    if (initialLr !== undefined && typeof initialLr !== "number") throw new ValueError(`${where}: initialLr must be a number`);
    const check = new LBFGS(this.params, opts as Partial<LBFGSOptions>);
    const vec = (name: string, v: unknown, nullable: boolean): Float64Array | null => {
      if (v === null && nullable) return null;
      if (!Array.isArray(v) || v.length !== this.numel || v.some((x) => typeof x !== "number")) {
        throw new ShapeError(`${where}: ${name} must hold ${this.numel} numbers`);
      }
      return Float64Array.from(v);
    };
    const n = Array.isArray(s.dirs) ? s.dirs.length : -1;
    if (n < 0 || !Array.isArray(s.steps) || s.steps.length !== n || !Array.isArray(s.ro) || s.ro.length !== n || n > check.paramGroups[0].historySize) {
      throw new ValueError(`${where}: dirs, steps and ro must be arrays of one length ≤ historySize`);
    }
    for (const k of ["funcEvals", "nIter", "t", "prevLoss", "hDiag"] as const) {
      if (typeof s[k] !== "number") throw new ValueError(`${where}: ${k} must be a number, got ${String(s[k])}`);
    }
    const history = { dirs: s.dirs.map((y, i) => vec(`dirs[${i}]`, y, false)!), steps: s.steps.map((x, i) => vec(`steps[${i}]`, x, false)!), ro: s.ro.slice(), hDiag: s.hDiag };
    const d = vec("d", s.d, true), prevFlatGrad = vec("prevFlatGrad", s.prevFlatGrad, true);
    Object.assign(this.paramGroups[0], check.paramGroups[0], { params: this.params }, initialLr === undefined ? {} : { initialLr });
    this.state = { funcEvals: s.funcEvals, nIter: s.nIter, d, t: s.t, history, prevFlatGrad, prevLoss: s.prevLoss };
  }

  /** The gradients as one float64 vector (zeros for a frozen parameter or a missing grad). */
  private flatGrad(): Float64Array {
    const out = new Float64Array(this.numel);
    let off = 0;
    this.params.forEach((p, i) => {
      const g = p.grad;
      if (p.requiresGrad && g) {
        if (g.shape.length !== p.shape.length || g.shape.some((d, k) => d !== p.shape[k])) {
          throw new ShapeError(`LBFGS.step: parameter ${i} has shape [${p.shape}] but its gradient has shape [${g.shape}]`);
        }
        out.set(g.data, off);
      }
      off += p.size;
    });
    return out;
  }

  /** θ ← θ + t·d over the flat vector (frozen parameters are left alone). */
  private addDirection(t: number, d: Float64Array): void {
    let off = 0;
    for (const p of this.params) {
      const s = p.storage;
      if (p.requiresGrad) for (let i = 0; i < p.size; i++) s[i] += t * d[off + i];
      off += p.size;
    }
  }

  private evaluate(closure: LossClosure): number {
    return lossValue(closure());
  }

  /** Runs up to maxIter iterations; returns what the closure returned on its first call. */
  step(closure: LossClosure): Tensor | number {
    if (typeof closure !== "function") throw new ValueError("LBFGS.step: needs a closure that re-evaluates the loss and its gradients");
    const o = this.paramGroups[0], st = this.state;
    const origLoss = closure();
    let loss = lossValue(origLoss);
    let flatGrad = this.flatGrad();
    let currentEvals = 1;
    st.funcEvals++;
    if (maxAbs(flatGrad) <= o.toleranceGrad) return origLoss;
    for (let nIter = 1; nIter <= o.maxIter; nIter++) {
      st.nIter++;
      if (st.nIter === 1) {
        st.d = flatGrad.map((x) => -x);
        st.history = { dirs: [], steps: [], ro: [], hDiag: 1 };
      } else {
        lbfgsRemember(st.history, flatGrad, st.prevFlatGrad!, st.d!, st.t, o.historySize);
        st.d = lbfgsDirection(flatGrad, st.history);
      }
      st.prevFlatGrad = flatGrad.slice();
      st.prevLoss = loss;
      const d = st.d;
      st.t = st.nIter === 1 ? Math.min(1, 1 / flatGrad.reduce((s, x) => s + Math.abs(x), 0)) * o.lr : o.lr;
      const gtd = dot(flatGrad, d);
      if (gtd > -o.toleranceChange) break;
      let lsEvals = 0, optimal = false;
      if (o.lineSearchFn === "strong_wolfe") {
        const x0 = this.params.map((p) => p.storage.slice());
        const obj = (t: number) => {
          this.addDirection(t, d);
          const f = this.evaluate(closure), g = this.flatGrad();
          this.params.forEach((p, i) => p.storage.set(x0[i]));
          return { f, g };
        };
        const r = strongWolfe(obj, st.t, d, loss, flatGrad, gtd, { c1: 1e-4, c2: 0.9, toleranceChange: o.toleranceChange, maxLs: 25 });
        ({ f: loss, g: flatGrad, t: st.t, evals: lsEvals } = r);
        this.addDirection(st.t, d);
        optimal = maxAbs(flatGrad) <= o.toleranceGrad;
      } else {
        this.addDirection(st.t, d);
        if (nIter !== o.maxIter) {
          loss = this.evaluate(closure);
          flatGrad = this.flatGrad();
          optimal = maxAbs(flatGrad) <= o.toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.funcEvals += lsEvals;
      if (nIter === o.maxIter || currentEvals >= o.maxEval || optimal) break;
      if (maxAbs(d) * Math.abs(st.t) <= o.toleranceChange || Math.abs(loss - st.prevLoss) < o.toleranceChange) break;
    }
    return origLoss;
  }
}
