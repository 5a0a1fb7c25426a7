// torch.nn.utils.weight_norm / remove_weight_norm in PyTorch 1.13's form: the parameter `name`
// is replaced by `name_g` (its norm over every dim but `dim`) and `name_v` (its direction), and
// the module's `name` becomes w = v · g/‖v‖. PyTorch recomputes w in a forward pre-hook; edgegrad
// modules have no hooks, so the field's getter computes it on each read instead — every path that
// reads the weight (forward, the fused Linear→ReLU, summary, export) sees the same w.
import { ValueError } from "../errors.js";
import { noGrad, norm, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";

export interface WeightNormOptions {
  /** The parameter to reparametrize (default "weight"). */
  name?: string;
  /**
   * The dim g keeps (default 0: one norm per output row); null — or −1, as PyTorch 1.13 reads
   * it — takes one norm over the whole tensor (g is 0-d).
   */
  dim?: number | null;
}

type Internals = { ownParams: Map<string, Tensor> };
const paramsOf = (m: Module) => (m as unknown as Internals).ownParams;
/** Module.registerParameter, protected there: these functions act for the module, as PyTorch's hooks do. */
const register = (m: Module, key: string, t: Tensor) => (m as unknown as { registerParameter(k: string, t: Tensor): Tensor }).registerParameter(key, t);
/** Modules under weight norm: parameter name → dim (null for the whole tensor). Made on first use: no work at import. */
let normedMap: WeakMap<Module, Map<string, number | null>> | undefined;
const normedOf = (m: Module) => (normedMap ??= new WeakMap()).get(m);

/** ‖v‖₂ over every dim but `dim`, kept as size-1 dims (0-d for dim null), as torch.norm_except_dim. */
function normExceptDim(v: Tensor, dim: number | null): Tensor {
  if (dim === null) return norm(v);
  return norm(v, 2, v.shape.map((_, i) => i).filter((i) => i !== dim), { keepdim: true });
}

/**
 * Reparametrizes `module[name]` as g·v/‖v‖ (PyTorch 1.13's weight_norm): registers `name_g` and
 * `name_v` (at the end of the module's parameters, so stateDict keys follow PyTorch's order) and
 * removes `name`; returns the module. Gradients reach g and v through every read of the weight.
 */
export function weightNorm<M extends Module>(module: M, o: WeightNormOptions = {}): M {
  const fn = "weightNorm";
  if (!(module instanceof Module)) throw new ValueError(`${fn}: module must be a Module, got ${Object.prototype.toString.call(module)}`);
  checkOptions(fn, o, ["name", "dim"]);
  const name = o.name ?? "weight";
  if (typeof name !== "string") throw new ValueError(`${fn}: name must be a string, got ${typeof name}`);
  const params = paramsOf(module), w = params.get(name);
  if (normedOf(module)?.has(name)) throw new ValueError(`${fn}: "${name}" is already under weight norm (PyTorch: cannot register two weight_norm hooks on the same parameter)`);
  if (!w) throw new ValueError(`${fn}: the module has no parameter "${name}"`);
  const desc = Object.getOwnPropertyDescriptor(module, name);
  if (!desc?.get) throw new ValueError(`${fn}: the module does not read parameter "${name}" from a field of that name, so a reparametrized value would not reach its forward`);
  for (const key of [`${name}_g`, `${name}_v`]) {
    if (params.has(key) || module.namedBuffers().some(([k]) => k === key) || Object.hasOwn(module, key)) {
      throw new ValueError(`${fn}: the module already has a member "${key}"`);
    }
  }
  let dim = o.dim === undefined ? 0 : o.dim;
  if (dim !== null && (!Number.isInteger(dim) || dim < -w.ndim || dim >= w.ndim)) {
    throw new ValueError(`${fn}: dim must be null or an integer in [${-w.ndim}, ${w.ndim}) for "${name}" of shape [${w.shape}], got ${String(dim)}`);
  }
  // PyTorch 1.13 maps dim None to −1 and −1 to "every dim": other negative dims count from the end.
  if (dim === -1) dim = null;
  else if (dim !== null && dim < 0) dim += w.ndim;
  const d = dim;
  const g = noGrad(() => normExceptDim(w, d));
  params.delete(name);
  register(module, `${name}_g`, new Tensor(g.data.slice(), g.dtype, g.shape.slice()));
  register(module, `${name}_v`, new Tensor(w.data.slice(), w.dtype, w.shape.slice()));
  if (!normedOf(module)) normedMap!.set(module, new Map());
  normedOf(module)!.set(name, d);
  Object.defineProperty(module, name, {
    configurable: true, enumerable: true,
    get(this: Module) {
      const p = paramsOf(this), vv = p.get(`${name}_v`)!, gg = p.get(`${name}_g`)!;
      return vv.mul(gg.div(normExceptDim(vv, d)));
    },
    set() {
      throw new ValueError(`weightNorm: "${name}" is computed from "${name}_g" and "${name}_v"; call removeWeightNorm before assigning it`);
    },
  });
  return module;
}

/** Undoes weightNorm: `name` becomes a parameter again holding g·v/‖v‖, and name_g, name_v go. */
export function removeWeightNorm<M extends Module>(module: M, name = "weight"): M {
  const fn = "removeWeightNorm";
  if (!(module instanceof Module)) throw new ValueError(`${fn}: module must be a Module, got ${Object.prototype.toString.call(module)}`);
  if (!normedOf(module)?.has(name)) throw new ValueError(`${fn}: "${String(name)}" of the module is not under weight norm`);
  const w = noGrad(() => (module as unknown as Record<string, Tensor>)[name]);
  const params = paramsOf(module);
  params.delete(`${name}_g`);
  params.delete(`${name}_v`);
  normedOf(module)!.delete(name);
  // A plain field again, which registerParameter turns back into its getter/setter pair.
  Object.defineProperty(module, name, { configurable: true, enumerable: true, writable: true, value: undefined });
  register(module, name, new Tensor(w.data.slice(), w.dtype, w.shape.slice()));
  return module;
}
