import { ValueError } from "../errors.js";
import type { RemovableHandle } from "../ndarray/index.js";
import { shownValue } from "../ndarray/tensor-hooks.js";
import { typeName } from "../type-name.js";
import type { Module } from "./module.js";
import { withBackwardHooks, type FullBackwardHook } from "./module-backward-hooks.js";

/** PyTorch's forward pre-hook: sees the inputs; a non-undefined result replaces them. */
export type ForwardPreHook<M extends Module = Module> = (module: M, inputs: unknown[]) => unknown;
/** PyTorch's forward hook: sees the inputs and the output; a non-undefined result replaces the output. */
export type ForwardHook<M extends Module = Module> = (module: M, inputs: unknown[], output: unknown) => unknown;
export type { FullBackwardHook } from "./module-backward-hooks.js";

type Kind = "pre" | "post" | "backward";
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...a: any[]) => unknown;
type ForwardFn = (...inputs: unknown[]) => unknown;

/** One module's hooks in registration order, and the own `forward` its wrapper replaced, if any. */
interface ModuleHooks {
  pre: { fn: AnyFn }[];
  post: { fn: AnyFn }[];
  backward: { fn: AnyFn }[];
  replaced: PropertyDescriptor | undefined;
  wrapper: ForwardFn;
}

// Keyed weakly, and by the module itself: a structural copy of a module (SWA's averaged model)
// carries the wrapper but no hooks, and its wrapper then runs the plain forward.
const registry = new WeakMap<Module, ModuleHooks>();
// Each wrapper → the own forward it replaced: a copied module's wrapper is unwrapped, not wrapped again.
const wrapped = new WeakMap<ForwardFn, PropertyDescriptor | undefined>();

/**
 * The `forward` a hooked module gets as an own property: the class's forward (or the own one it
 * replaced) with the hooks around it, so that callers, containers included, reach the hooks by
 * calling `m.forward(...)`. Modules without hooks keep the class's method and pay nothing.
 */
function hookedForward(replaced: ForwardFn | undefined): ForwardFn {
  return function forward(this: Module, ...inputs: unknown[]): unknown {
    const inner = (replaced ?? (Object.getPrototypeOf(this) as { forward: ForwardFn }).forward) as ForwardFn;
    const hooks = registry.get(this);
    return hooks ? runHooked(this, hooks, inner, inputs) : inner.apply(this, inputs);
  };
}

/** As PyTorch's Module.__call__: pre-hooks, the backward hooks' input side, forward, forward hooks, the output side. */
function runHooked(m: Module, hooks: ModuleHooks, inner: ForwardFn, inputs: unknown[]): unknown {
  let args = inputs;
  for (const { fn } of hooks.pre.slice()) {
    const r = fn(m, args);
    // A non-array result is one input, as PyTorch wraps a result that is not a tuple.
    if (r !== undefined) args = Array.isArray(r) ? [...r] : [r];
  }
  const run = (xs: unknown[]): unknown => {
    let out = inner.apply(m, xs);
    for (const { fn } of hooks.post.slice()) {
      const r = fn(m, xs, out);
      if (r !== undefined) out = r;
    }
    return out;
  };
  const backward = hooks.backward.slice();
  return backward.length > 0 ? withBackwardHooks(m, backward.map((h) => h.fn as FullBackwardHook), args, run) : run(args);
}

function install(m: Module): ModuleHooks {
  const own = Object.getOwnPropertyDescriptor(m, "forward");
  const replaced = own && wrapped.has(own.value as ForwardFn) ? wrapped.get(own.value as ForwardFn) : own;
  if (replaced && typeof replaced.value !== "function") {
    throw new ValueError(`${typeName(m)}: hooks need forward to be a method or a function-valued property`);
  }
  const wrapper = hookedForward(replaced?.value as ForwardFn | undefined);
  wrapped.set(wrapper, replaced);
  // Not enumerable: code that lists a module's fields sees no hook machinery.
  Object.defineProperty(m, "forward", { value: wrapper, configurable: true, writable: true, enumerable: false });
  const hooks: ModuleHooks = { pre: [], post: [], backward: [], replaced, wrapper };
  registry.set(m, hooks);
  return hooks;
}

/** Gives `forward` back as it was once the last hook is removed (unless someone replaced the wrapper since). */
function uninstallIfEmpty(m: Module, hooks: ModuleHooks): void {
  if (hooks.pre.length + hooks.post.length + hooks.backward.length > 0 || registry.get(m) !== hooks) return;
  registry.delete(m);
  const now = Object.getOwnPropertyDescriptor(m, "forward");
  if (now?.value !== hooks.wrapper) return;
  if (hooks.replaced) Object.defineProperty(m, "forward", hooks.replaced);
  else delete (m as unknown as Record<string, unknown>).forward;
}

/** Registers a hook of `kind` on `m` (what Module's register…Hook methods call). */
export function addModuleHook(m: Module, kind: Kind, hook: unknown, where: string): RemovableHandle {
  if (typeof hook !== "function") throw new ValueError(`${where}: hook must be a function, got ${shownValue(hook)}`);
  const hooks = registry.get(m) ?? install(m);
  const slot = { fn: hook as AnyFn };
  hooks[kind].push(slot);
  return {
    remove() {
      const i = hooks[kind].indexOf(slot);
      if (i < 0) return;
      hooks[kind].splice(i, 1);
      uninstallIfEmpty(m, hooks);
    },
  };
}
