/**
 * A structural deep copy of an object graph (Python's copy.deepcopy for a module): every object
 * reached is copied once, with its prototype, so a copied Module is a Module of the same class
 * whose parameters are new tensors with new storage; objects reached twice (a parameter held in a
 * field and in the module's parameter map) stay one object in the copy. Functions and WebAssembly
 * objects are shared, not copied. Typed arrays are copied one by one: two views of one
 * ArrayBuffer become two independent arrays.
 */
export function deepCopy<T>(x: T, memo: Map<unknown, unknown> = new Map()): T {
  if (x === null || typeof x !== "object") return x;
  if (memo.has(x)) return memo.get(x) as T;
  let out: unknown;
  if (ArrayBuffer.isView(x)) {
    out = x instanceof DataView ? new DataView(x.buffer.slice(0)) : (x as unknown as Float32Array).slice();
  } else if (x instanceof ArrayBuffer) {
    out = x.slice(0);
  } else if (isShared(x)) {
    out = x;
  } else if (x instanceof Map) {
    const m = new Map();
    memo.set(x, m);
    for (const [k, v] of x) m.set(deepCopy(k, memo), deepCopy(v, memo));
    return m as T;
  } else if (x instanceof Set) {
    const s = new Set();
    memo.set(x, s);
    for (const v of x) s.add(deepCopy(v, memo));
    return s as T;
  } else if (x instanceof Date) {
    out = new Date(x.getTime());
  } else {
    const o = Array.isArray(x) ? [] : Object.create(Object.getPrototypeOf(x));
    memo.set(x, o);
    for (const key of Reflect.ownKeys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, key)!;
      if ("value" in d) d.value = deepCopy(d.value, memo);
      Object.defineProperty(o, key, d);
    }
    return o as T;
  }
  memo.set(x, out);
  return out as T;
}

/** Objects that cannot or must not be duplicated: compiled wasm, memories, promises. */
function isShared(x: object): boolean {
  const wa = (globalThis as { WebAssembly?: Record<string, unknown> }).WebAssembly;
  const kinds = wa ? [wa.Module, wa.Instance, wa.Memory, wa.Table, wa.Global] : [];
  return x instanceof Promise || kinds.some((k) => typeof k === "function" && x instanceof (k as new () => object));
}
