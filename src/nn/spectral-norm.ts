// torch.nn.utils.spectral_norm / remove_spectral_norm in PyTorch 1.13's form: the parameter
// `name` is replaced by `name_orig` (a parameter) and the buffers `name_u`, `name_v` (the power
// iteration's left and right singular-vector estimates), and the module's `name` becomes
// W_orig / σ with σ = uᵀ·W·v, W being W_orig with `dim` moved first and the rest flattened.
// As PyTorch, a forward pre-hook (module-hooks.ts) runs the power iteration on u and v, in
// place and without gradient, before each forward in training mode only. As weightNorm
// (weight-norm.ts), the field's getter computes the weight on each read from the current u and
// v, so σ carries a gradient to W_orig and every path that reads the weight sees the same value.
import { ShapeError, ValueError } from "../errors.js";
import { noGrad, norm, randn, rngFrom, Tensor, type RandomOptions, type RemovableHandle } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { typeName } from "../type-name.js";
import { Module } from "./module.js";

export interface SpectralNormOptions extends RandomOptions {
  /** The parameter to normalize (default "weight"). */
  name?: string;
  /** Power-iteration steps per training forward (default 1; PyTorch's n_power_iterations). */
  nPowerIterations?: number;
  /** Floor of the norms u and v are divided by (default 1e-12). */
  eps?: number;
  /** The dim of the outputs, moved first before flattening (default 0; 1 for ConvTranspose1d/2d/3d). */
  dim?: number;
}

interface Settings { nPowerIterations: number; eps: number; dim: number }
interface Normed extends Settings { hook: RemovableHandle }
type Internals = { ownParams: Map<string, Tensor>; ownBuffers: Map<string, Tensor | null> };
const internals = (m: Module) => m as unknown as Internals;
/** Module.registerParameter, protected there: these functions act for the module, as PyTorch's hooks do. */
const register = (m: Module, key: string, t: Tensor) => (m as unknown as { registerParameter(k: string, t: Tensor): Tensor }).registerParameter(key, t);
/** Modules under spectral norm: parameter name → settings. Made on first use: no work at import. */
let normedMap: WeakMap<Module, Map<string, Normed>> | undefined;
const normedOf = (m: Module) => (normedMap ??= new WeakMap()).get(m);

/** W with `dim` moved first, as a [W.shape[dim], rest] matrix (PyTorch's reshape_weight_to_matrix). */
function weightMatrix(w: Tensor, dim: number): Tensor {
  const moved = dim === 0 ? w : w.permute([dim, ...w.shape.map((_, i) => i).filter((i) => i !== dim)]);
  return moved.reshape([w.shape[dim], w.shape[dim] === 0 ? 0 : w.size / w.shape[dim]]);
}

/** x / max(‖x‖₂, eps), as F.normalize of a vector. */
const normalized = (x: Tensor, eps: number): Tensor => x.div(Math.max(norm(x).item(), eps));

/** The module's u, v and W_orig for `name`. */
function stateOf(m: Module, name: string): { w: Tensor; u: Tensor; v: Tensor } {
  const { ownParams, ownBuffers } = internals(m);
  return { w: ownParams.get(`${name}_orig`)!, u: ownBuffers.get(`${name}_u`)!, v: ownBuffers.get(`${name}_v`)! };
}

/** nPowerIterations steps v ← normalize(Wᵀu), u ← normalize(Wv), written into the buffers' storage. */
function powerIterate(m: Module, name: string, s: Settings): void {
  const { w, u, v } = stateOf(m, name);
  noGrad(() => {
    const wm = weightMatrix(w, s.dim);
    for (let i = 0; i < s.nPowerIterations; i++) {
      v.storage.set(normalized(wm.transpose(0, 1).matmul(u), s.eps).data);
      u.storage.set(normalized(wm.matmul(v), s.eps).data);
    }
  });
}

/** W_orig / (uᵀ·W·v), with a gradient to W_orig through both. */
function normalizedWeight(m: Module, name: string, dim: number): Tensor {
  const { w, u, v } = stateOf(m, name);
  return w.div(u.matmul(weightMatrix(w, dim).matmul(v)));
}

/** The default dim: 1 for a ConvTranspose (its weight is [in, out, …]) or a subclass of one, else 0. */
function defaultDim(module: Module): number {
  for (let c: unknown = module.constructor; typeof c === "function"; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, "typeName") && /^ConvTranspose[123]d$/.test(String((c as unknown as { typeName: unknown }).typeName))) return 1;
  }
  return 0;
}

/** The options checked; dim null when not given (the module's kind decides it). */
function checkSettings(fn: string, w: Tensor, name: string, o: SpectralNormOptions): { nPowerIterations: number; eps: number; dim: number | null } {
  const nPowerIterations = o.nPowerIterations ?? 1, eps = o.eps ?? 1e-12;
  if (!Number.isInteger(nPowerIterations) || nPowerIterations < 1) {
    throw new ValueError(`${fn}: nPowerIterations must be a positive integer, got ${String(nPowerIterations)}`);
  }
  if (typeof eps !== "number" || !Number.isFinite(eps) || eps < 0) throw new ValueError(`${fn}: eps must be a finite number ≥ 0, got ${String(eps)}`);
  if (w.ndim === 0) throw new ShapeError(`${fn}: "${name}" is 0-d; spectral norm needs a tensor of at least 1 dim`);
  if (w.dtype !== "float32" && w.dtype !== "float64") throw new ValueError(`${fn}: "${name}" must be float32 or float64, got ${w.dtype}`);
  const dim = o.dim ?? null;
  if (dim !== null && (!Number.isInteger(dim) || dim < 0 || dim >= w.ndim)) {
    throw new ValueError(`${fn}: dim must be an integer in [0, ${w.ndim}) for "${name}" of shape [${w.shape}], got ${String(dim)}`);
  }
  return { nPowerIterations, eps, dim };
}

/**
 * Normalizes `module[name]` by its largest singular value, estimated by power iteration
 * (PyTorch 1.13's spectral_norm): registers `name_orig` (at the end of the module's parameters)
 * and the buffers `name_u`, `name_v` (drawn from N(0, 1) and normalized: `seed`/`rng`, or the
 * global generator), and removes `name`; returns the module.
 */
export function spectralNorm<M extends Module>(module: M, o: SpectralNormOptions = {}): M {
  const fn = "spectralNorm";
  if (!(module instanceof Module)) throw new ValueError(`${fn}: module must be a Module, got ${Object.prototype.toString.call(module)}`);
  checkOptions(fn, o, ["name", "nPowerIterations", "eps", "dim", "seed", "rng"]);
  const name = o.name ?? "weight";
  if (typeof name !== "string") throw new ValueError(`${fn}: name must be a string, got ${typeof name}`);
  if (normedOf(module)?.has(name)) throw new ValueError(`${fn}: "${name}" is already under spectral norm (PyTorch: cannot register two spectral_norm hooks on the same parameter)`);
  const { ownParams, ownBuffers } = internals(module), w = ownParams.get(name);
  if (!w) throw new ValueError(`${fn}: the module has no parameter "${name}"`);
  if (!Object.getOwnPropertyDescriptor(module, name)?.get) {
    throw new ValueError(`${fn}: the module does not read parameter "${name}" from a field of that name, so a normalized value would not reach its forward`);
  }
  for (const key of [`${name}_orig`, `${name}_u`, `${name}_v`]) {
    if (ownParams.has(key) || ownBuffers.has(key) || key in module) throw new ValueError(`${fn}: the module already has a member "${key}"`);
  }
  const settings = checkSettings(fn, w, name, o);
  const dim = settings.dim ?? defaultDim(module);
  if (dim >= w.ndim) throw new ValueError(`${fn}: the default dim ${dim} of a ${typeName(module)} does not exist in "${name}" of shape [${w.shape}]`);
  const rng = rngFrom(o);
  const [u, v] = noGrad(() => {
    const wm = weightMatrix(w, dim);
    return [wm.shape[0], wm.shape[1]].map((n) => normalized(randn([n], { rng, dtype: w.dtype }), settings.eps).contiguous());
  });
  ownParams.delete(name);
  register(module, `${name}_orig`, w);
  module.registerBuffer(`${name}_u`, new Tensor(u.data.slice(), u.dtype, u.shape.slice()));
  module.registerBuffer(`${name}_v`, new Tensor(v.data.slice(), v.dtype, v.shape.slice()));
  const iteration: Settings = { nPowerIterations: settings.nPowerIterations, eps: settings.eps, dim };
  const hook = module.registerForwardPreHook((m) => { if (m.training) powerIterate(m, name, iteration); });
  if (!normedOf(module)) normedMap!.set(module, new Map());
  normedOf(module)!.set(name, { ...iteration, hook });
  Object.defineProperty(module, name, {
    configurable: true, enumerable: true,
    get(this: Module) { return normalizedWeight(this, name, dim); },
    set() {
      throw new ValueError(`spectralNorm: "${name}" is computed from "${name}_orig", "${name}_u" and "${name}_v"; call removeSpectralNorm before assigning it`);
    },
  });
  return module;
}

/** Undoes spectralNorm: `name` becomes a parameter again holding W_orig/σ (no power step), and the rest goes. */
export function removeSpectralNorm<M extends Module>(module: M, name = "weight"): M {
  const fn = "removeSpectralNorm";
  if (!(module instanceof Module)) throw new ValueError(`${fn}: module must be a Module, got ${Object.prototype.toString.call(module)}`);
  const spec = normedOf(module)?.get(name);
  if (!spec) throw new ValueError(`${fn}: "${String(name)}" of the module is not under spectral norm`);
  const w = noGrad(() => normalizedWeight(module, name, spec.dim).contiguous());
  const { ownParams, ownBuffers } = internals(module);
  ownParams.delete(`${name}_orig`);
  ownBuffers.delete(`${name}_u`);
  ownBuffers.delete(`${name}_v`);
  spec.hook.remove();
  normedOf(module)!.delete(name);
  // A plain field again, which registerParameter turns back into its getter/setter pair.
  Object.defineProperty(module, name, { configurable: true, enumerable: true, writable: true, value: undefined });
  register(module, name, new Tensor(w.data.slice(), w.dtype, w.shape.slice()));
  return module;
}
