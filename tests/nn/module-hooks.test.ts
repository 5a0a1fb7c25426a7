import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, nn, noGrad, ShapeError, Tensor, ValueError } from "../../src/index.js";
import { deepCopy } from "../../src/optim/deep-copy.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { noMismatch } from "../support/grad-leaves.js";
import { expectWithin, gammaOf, sampleTensor } from "../support/reference.js";
import { ETA32 } from "../support/tolerance.js";

/** y = x·w + 1 elementwise, w a parameter: a user module whose forward is a prototype method. */
class Scale extends nn.Module {
  readonly w: Tensor;
  constructor(w: Tensor) {
    super();
    this.w = this.registerParameter("w", w);
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.w).add(1);
  }
}

/** A parent that calls its child as containers do, through child.forward. */
class Outer extends nn.Module {
  readonly inner: Scale;
  constructor(inner: Scale) {
    super();
    this.inner = this.registerModule("inner", inner);
  }
  forward(x: Tensor): Tensor {
    return this.inner.forward(x).exp();
  }
}

/** out = (a·b + a)·scale: two tensor arguments around a number. */
class TwoInputs extends nn.Module {
  forward(a: Tensor, scale: number, b: Tensor): Tensor {
    return a.mul(b).add(a).mul(scale);
  }
}

const values = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const f64 = (shape: number[], seed: number) => {
  const t = sampleTensor(shape, seed, "float64");
  t.requiresGrad = true;
  return t;
};

describe("forward pre-hooks and forward hooks", () => {
  it("run in registration order around forward; results replace the inputs (a non-array wrapped) and the output", () => {
    const m = new Scale(sampleTensor([3], 1, "float64"));
    const x = sampleTensor([3], 2, "float64");
    const log: string[] = [];
    m.registerForwardPreHook((_m, inputs) => { log.push(`pre1 ${inputs.length}`); return (inputs[0] as Tensor).mul(2); });
    m.registerForwardPreHook((mod, inputs) => { log.push(`pre2 ${mod === m}`); return [(inputs[0] as Tensor).add(3)]; });
    m.registerForwardHook((_m, inputs, out) => { log.push(`post1 ${inputs.length}`); return (out as Tensor).mul(10); });
    m.registerForwardHook(() => { log.push("post2"); });
    const y = m.forward(x);
    expect(log).toEqual(["pre1 1", "pre2 true", "post1 1", "post2"]);
    const w = values(m.w), xs = values(x);
    expectWithin(values(y), xs.map((v, i) => ((2 * v + 3) * w[i] + 1) * 10), (i) => 64 * 2 ** -53 * (Math.abs(2 * xs[i] + 3) * Math.abs(w[i]) + 1) * 10, "hooked output");
  });

  it("remove() is idempotent, and the last removal gives the module its class's forward back", () => {
    const m = new Scale(sampleTensor([2], 3, "float64"));
    const x = sampleTensor([2], 4, "float64");
    const plain = values(m.forward(x));
    const a = m.registerForwardHook((_m, _i, out) => (out as Tensor).mul(0));
    const b = m.registerForwardPreHook(() => undefined);
    expect(Object.hasOwn(m, "forward")).toBe(true);
    a.remove();
    a.remove();
    expect(values(m.forward(x))).toEqual(plain);
    b.remove();
    expect(Object.hasOwn(m, "forward")).toBe(false);
    expect(Object.keys(m)).not.toContain("forward");
  });

  it("fire on the children of Sequential (a hooked Linear is not fused with its ReLU) and of a user module", () => {
    const seq = new nn.Sequential(new nn.Linear(3, 4, { seed: 1 }), new nn.ReLU(), new nn.Linear(4, 2, { seed: 2 }));
    const [first, relu] = seq.children() as [nn.Linear, nn.ReLU];
    const x = sampleTensor([2, 3], 5);
    let preRelu: Tensor | null = null;
    first.registerForwardHook((_m, _i, out) => { preRelu = out as Tensor; });
    const doubled = relu.registerForwardHook((_m, _i, out) => (out as Tensor).mul(2));
    const y = seq.forward(x);
    const W = values(first.weight), bias = values(first.bias!), xs = values(x);
    const ref = [0, 1].flatMap((n) => [0, 1, 2, 3].map((o) => bias[o] + [0, 1, 2].reduce((s, k) => s + xs[n * 3 + k] * W[o * 3 + k], 0)));
    const absRef = [0, 1].flatMap((n) => [0, 1, 2, 3].map((o) => Math.abs(bias[o]) + [0, 1, 2].reduce((s, k) => s + Math.abs(xs[n * 3 + k] * W[o * 3 + k]), 0)));
    expectWithin(values(preRelu!), ref, (i) => gammaOf("float32", 5) * absRef[i] + ETA32, "the first Linear's own output, negative values kept");
    const l2 = seq.children()[2] as nn.Linear;
    const h = ref.map((v) => 2 * Math.max(v, 0));
    const W2 = values(l2.weight), b2 = values(l2.bias!);
    const yRef = [0, 1].flatMap((n) => [0, 1].map((o) => b2[o] + [0, 1, 2, 3].reduce((s, k) => s + h[n * 4 + k] * W2[o * 4 + k], 0)));
    const yAbs = [0, 1].flatMap((n) => [0, 1].map((o) => Math.abs(b2[o]) + [0, 1, 2, 3].reduce((s, k) => s + Math.abs(h[n * 4 + k] * W2[o * 4 + k]), 0)));
    expectWithin(values(y), yRef, (i) => 4 * gammaOf("float32", 10) * yAbs[i] + ETA32, "Sequential output with the ReLU's output doubled");
    doubled.remove();
    // Without the doubling: b2 + (yRef − b2)/2.
    expectWithin(values(seq.forward(x)), yRef.map((v, i) => (v + b2[i % 2]) / 2), (i) => 4 * gammaOf("float32", 10) * yAbs[i] + ETA32, "the output after removal");

    const inner = new Scale(sampleTensor([3], 6, "float64"));
    const outer = new Outer(inner);
    const seen: unknown[] = [];
    inner.registerForwardPreHook((_m, inputs) => { seen.push(inputs[0]); });
    const z = sampleTensor([3], 7, "float64");
    outer.forward(z);
    outer.predict(z);
    expect(seen).toEqual([z, z]);
  });

  it("wrap a forward given as an own property, and give it back on removal", () => {
    const m = new Scale(sampleTensor([2], 8, "float64"));
    const own = (x: Tensor) => x.neg();
    Object.defineProperty(m, "forward", { value: own, configurable: true, writable: true });
    const x = sampleTensor([2], 9, "float64");
    const h = m.registerForwardHook((_m, _i, out) => (out as Tensor).mul(3));
    expect(values(m.forward(x))).toEqual(values(x).map((v) => -v * 3));
    h.remove();
    expect(m.forward).toBe(own);
  });

  it("a structural copy of a hooked module runs without the hooks, and takes hooks of its own once", () => {
    const m = new Scale(sampleTensor([2], 10, "float64"));
    let calls = 0;
    m.registerForwardHook(() => { calls++; });
    const copy = deepCopy(m);
    const x = sampleTensor([2], 11, "float64");
    copy.forward(x);
    expect(calls).toBe(0);
    copy.registerForwardHook(() => { calls += 10; });
    copy.forward(x);
    expect(calls).toBe(10);
  });

  it("leave stateDict, summary and predict as they were", () => {
    const seq = new nn.Sequential(new nn.Linear(3, 2, { seed: 3 }), new nn.ReLU());
    const keys = Object.keys(seq.stateDict());
    let fired = 0;
    seq.children()[0].registerForwardHook(() => { fired++; });
    expect(Object.keys(seq.stateDict())).toEqual(keys);
    expect(seq.summary([1, 3], { print: false })).toContain("Linear");
    const out = seq.predict(sampleTensor([1, 3], 12));
    expect(out.requiresGrad).toBe(false);
    expect(fired).toBe(2);
  });

  it("refuse a hook that is not a function", () => {
    const m = new Scale(sampleTensor([2], 13, "float64"));
    expect(() => m.registerForwardPreHook(1 as never)).toThrow(ValueError);
    expect(() => m.registerForwardHook("f" as never)).toThrow(/registerForwardHook: hook must be a function, got "f"/);
    expect(() => m.registerFullBackwardHook(undefined as never)).toThrow(ValueError);
    expect(Object.hasOwn(m, "forward")).toBe(false);
  });
});

describe("full backward hooks", () => {
  const dimArb = fc.record({ batch: fc.integer({ min: 1, max: 4 }), nIn: fc.integer({ min: 1, max: 6 }), nOut: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 1, max: 1e6 }), dtype: fc.constantFrom("float32" as const, "float64" as const) });

  it("see dL/dx and dL/dy of a Linear (float64 reference), and a returned gradInput (×2) is what reaches x", () => {
    fc.assert(fc.property(dimArb, ({ batch, nIn, nOut, seed, dtype }) => {
      const lin = new nn.Linear(nIn, nOut, { seed, dtype });
      const x = sampleTensor([batch, nIn], seed + 1, dtype);
      x.requiresGrad = true;
      const r = sampleTensor([batch, nOut], seed + 2, dtype);
      const seen: { gi: (Tensor | null)[]; go: (Tensor | null)[] }[] = [];
      lin.registerFullBackwardHook((_m, gi, go) => { seen.push({ gi, go }); return [gi[0]!.mul(2)]; });
      lin.forward(x).mul(r).sum().backward();
      expect(seen.length).toBe(1);
      expect(values(seen[0].go[0]!)).toEqual(values(r));
      const W = values(lin.weight), rs = values(r), xs = values(x);
      const dx: number[] = [], dxAbs: number[] = [];
      for (let n = 0; n < batch; n++) for (let k = 0; k < nIn; k++) {
        let s = 0, a = 0;
        for (let o = 0; o < nOut; o++) { s += rs[n * nOut + o] * W[o * nIn + k]; a += Math.abs(rs[n * nOut + o] * W[o * nIn + k]); }
        dx.push(s); dxAbs.push(a);
      }
      const tol = (i: number) => 2 * gammaOf(dtype, nOut + 1) * dxAbs[i] + ETA32;
      expectWithin(values(seen[0].gi[0]!), dx, tol, "gradInput");
      expectWithin(values(x.grad!), dx.map((v) => 2 * v), (i) => 2 * tol(i), "x.grad after the hook doubled gradInput");
      const dW: number[] = [], dWAbs: number[] = [];
      for (let o = 0; o < nOut; o++) for (let k = 0; k < nIn; k++) {
        let s = 0, a = 0;
        for (let n = 0; n < batch; n++) { s += rs[n * nOut + o] * xs[n * nIn + k]; a += Math.abs(rs[n * nOut + o] * xs[n * nIn + k]); }
        dW.push(s); dWAbs.push(a);
      }
      expectWithin(values(lin.weight.grad!), dW, (i) => 2 * gammaOf(dtype, batch + 1) * dWAbs[i] + ETA32, "weight.grad (untouched by the hook)");
    }), { numRuns: 25 });
  });

  it("give one entry per argument (null for a number), and an observing hook leaves every gradient right (central differences)", () => {
    const m = new TwoInputs();
    const a = f64([2, 3], 20), b = f64([2, 3], 21), r = sampleTensor([2, 3], 22, "float64");
    const seen: (Tensor | null)[][] = [];
    m.registerFullBackwardHook((_m, gi) => { seen.push(gi); });
    noMismatch(findGradMismatches(() => m.forward(a, 0.5, b).mul(r).sum(), [a, b]));
    expect(seen[0].length).toBe(3);
    expect(seen[0][1]).toBeNull();
    const as = values(a), bs = values(b), rs = values(r);
    expectWithin(values(seen[0][0]!), rs.map((v, i) => v * 0.5 * (bs[i] + 1)), (i) => 8 * 2 ** -53 * Math.abs(rs[i]) * (Math.abs(bs[i]) + 1), "gradInput[0]");
    expectWithin(values(seen[0][2]!), rs.map((v, i) => v * 0.5 * as[i]), (i) => 8 * 2 ** -53 * Math.abs(rs[i] * as[i]), "gradInput[2]");
  });

  it("get null for an input that needs no gradient, and may not invent one", () => {
    const lin = new nn.Linear(3, 2, { seed: 4 });
    const x = sampleTensor([2, 3], 23);
    let gi: (Tensor | null)[] = [];
    const h = lin.registerFullBackwardHook((_m, g) => { gi = g; return [null]; });
    lin.forward(x).sum().backward();
    expect(gi).toEqual([null]);
    expect(lin.weight.grad).not.toBeNull();
    h.remove();
    lin.registerFullBackwardHook(() => [x]);
    expect(() => lin.forward(x).sum().backward()).toThrow(/argument 0, which does not require grad/);
  });

  it("refuse a result of the wrong length, shape or dtype with a typed error", () => {
    const run = (result: (x: Tensor) => unknown) => {
      const lin = new nn.Linear(3, 2, { seed: 5 });
      const x = sampleTensor([2, 3], 24);
      x.requiresGrad = true;
      lin.registerFullBackwardHook(() => result(x) as never);
      return () => lin.forward(x).sum().backward();
    };
    expect(run((x) => [x, x])).toThrow(/returned 2 gradients, expected an array of 1/);
    expect(run((x) => x)).toThrow(ValueError);
    expect(run((x) => [x.reshape([3, 2])])).toThrow(ShapeError);
    expect(run((x) => [x.astype("float64")])).toThrow(DTypeError);
  });

  it("work on a module that returns its input (Identity): gradOutput is dL/dy and the replacement reaches x", () => {
    const id = new nn.Identity();
    const x = f64([2, 2], 30), r = sampleTensor([2, 2], 31, "float64");
    let seenOut: Tensor | null = null;
    id.registerFullBackwardHook((_m, gi, go) => { seenOut = go[0]; return [gi[0]!.mul(5)]; });
    id.forward(x).mul(r).sum().backward();
    expect(values(seenOut!)).toEqual(values(r));
    expect(values(x.grad!)).toEqual(values(r).map((v) => v * 5));
  });

  it("are not set up when autograd is off", () => {
    const lin = new nn.Linear(3, 2, { seed: 6 });
    const x = sampleTensor([1, 3], 25);
    x.requiresGrad = true;
    let calls = 0;
    lin.registerFullBackwardHook(() => { calls++; });
    const y = noGrad(() => lin.forward(x));
    expect(y.requiresGrad).toBe(false);
    lin.forward(x).sum().backward();
    expect(calls).toBe(1);
  });
});
