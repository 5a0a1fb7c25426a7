// Class names that survive minification: every layer and learning-rate schedule the library
// exports carries its export name as an own static typeName (an application's minifying bundler
// renames the classes themselves), and summaries and messages read it, falling back to the
// constructor's name for classes the application defines.
import { describe, expect, it } from "vitest";
import { compress, nn, optim } from "../../src/index.js";
import { typeName } from "../../src/type-name.js";

type Ctor = (abstract new (...args: never[]) => unknown) & { typeName?: unknown };

/** Exported classes of `ns` whose instances are `base` (by the prototype chain), with their export names. */
function classesOf(ns: object, base: Ctor): [string, Ctor][] {
  return Object.entries(ns).filter((e): e is [string, Ctor] =>
    typeof e[1] === "function" && e[1] !== base && e[1].prototype instanceof base);
}

describe("typeName", () => {
  const scheduleBase = Object.getPrototypeOf(optim.lr.StepLR) as Ctor; // LRScheduler, not exported
  const layers = [...classesOf(nn, nn.Module), ...classesOf(compress, nn.Module)];
  const schedules = [...classesOf(optim.lr, scheduleBase), ...classesOf(optim.swa, scheduleBase),
    ["ReduceLROnPlateau", optim.lr.ReduceLROnPlateau] as [string, Ctor]];

  it("every exported layer and schedule names itself with its export name", () => {
    expect(layers.length).toBeGreaterThan(50);
    expect(schedules.length).toBeGreaterThan(15);
    for (const [name, cls] of [...layers, ...schedules]) {
      expect(Object.hasOwn(cls, "typeName"), name).toBe(true);
      expect(cls.typeName, name).toBe(name);
    }
  });

  it("keeps a library class's name when the minifier has renamed the class", () => {
    const linear = new nn.Linear(2, 3);
    const before = Object.getOwnPropertyDescriptor(nn.Linear, "name")!;
    Object.defineProperty(nn.Linear, "name", { value: "e" });
    try {
      expect(nn.Linear.name).toBe("e");
      expect(typeName(linear)).toBe("Linear");
      const text = new nn.Sequential(linear, new nn.ReLU()).summary([1, 2], { print: false }) as string;
      expect(text).toContain("0 (Linear)");
      expect(text).not.toContain("(e)");
    } finally {
      Object.defineProperty(nn.Linear, "name", before);
    }
  });

  it("names an application's own classes, and its subclasses of library layers, by their constructors unless they name themselves", () => {
    class Net extends nn.Module {
      forward(x: unknown) { return x; }
    }
    class WideLinear extends nn.Linear {}
    class Named extends nn.Linear {
      static override readonly typeName: string = "ProjectionHead";
    }
    expect(typeName(new Net())).toBe("Net");
    expect(typeName(new WideLinear(2, 2))).toBe("WideLinear");
    expect(typeName(new Named(2, 2))).toBe("ProjectionHead");
    expect(typeName(new Float32Array(1))).toBe("Float32Array");
    expect(typeName(null)).toBe("null");
    expect(typeName(undefined)).toBe("undefined");
  });
});
