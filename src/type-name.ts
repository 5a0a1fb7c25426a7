/**
 * The name of an object's class as messages and model summaries show it. Minifiers rename
 * classes: an application whose bundler minifies edgegrad/slim would otherwise see
 * `Model: "Go"` and `0 (pt)` where it built a Sequential of Linear layers. So the library's
 * layers and schedules carry their name as an own static `typeName`; any other class (an
 * application's own Module, or its subclass of a library layer) is named by its constructor,
 * unless it declares a static `typeName` of its own (which keeps it through its own minifier).
 */
export function typeName(x: unknown): string {
  const ctor: unknown = (x as { constructor?: unknown } | null | undefined)?.constructor;
  if (typeof ctor !== "function") return String(x);
  return Object.hasOwn(ctor, "typeName") ? String((ctor as { typeName?: unknown }).typeName) : ctor.name;
}
