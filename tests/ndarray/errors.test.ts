import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";

/** Runs `fn`, expects a typed error of `type` whose message mentions `mention`, and that `inputs` are unchanged. */
function rejects(fn: () => unknown, type: new (...a: never[]) => Error, inputs: eg.Tensor[] = [], mention?: RegExp): void {
  const before = inputs.map((t) => ({ data: Array.from(t.storage as ArrayLike<number>), shape: t.shape.slice(), grad: t.grad }));
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(type);
  expect(thrown).toBeInstanceOf(eg.EdgegradError);
  if (mention) expect((thrown as Error).message).toMatch(mention);
  inputs.forEach((t, i) => {
    expect(Array.from(t.storage as ArrayLike<number>)).toEqual(before[i].data);
    expect(t.shape).toEqual(before[i].shape);
    expect(t.grad).toBe(before[i].grad);
  });
}

const badSize = fc.oneof(fc.constant(NaN), fc.constant(-1), fc.constant(2.5), fc.constant(Infinity), fc.integer({ min: -100, max: -1 }));

describe("bad input throws a typed error naming the problem, and changes nothing", () => {
  it("shapes that cannot broadcast, in every binary op", () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 }), fc.constantFrom("add", "sub", "mul", "div", "pow", "maximum", "lt"),
      (n, m, op) => {
        fc.pre(n !== m);
        const a = eg.ones([3, n]);
        const b = eg.ones([m]);
        rejects(() => (a as unknown as Record<string, (o: eg.Tensor) => eg.Tensor>)[op](b), eg.ShapeError, [a, b], new RegExp(`\\[3, ${n}\\].*\\[${m}\\]`));
      }));
  });

  it("NaN, negative, fractional and infinite sizes in creation and reshape", () => {
    fc.assert(fc.property(badSize, fc.integer({ min: 0, max: 2 }), (bad, pos) => {
      const shape = [2, 3, 4];
      shape[pos] = bad;
      rejects(() => eg.zeros(shape), eg.ShapeError, [], /invalid size/);
      rejects(() => eg.randn(shape, { seed: 1 }), eg.ShapeError);
      const t = eg.arange(24);
      if (bad !== -1) rejects(() => t.reshape(shape), eg.ShapeError, [t]); // -1 alone is "infer this size"
    }));
  });

  it("reshape to a different element count", () => {
    const t = eg.arange(6);
    rejects(() => t.reshape([4, 2]), eg.ShapeError, [t], /\[6\].*\[4,2\]/);
    rejects(() => t.reshape([-1, -1]), eg.ShapeError, [t]);
  });

  it("out-of-range axes in every axis-taking op", () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: 3, max: 50 }), fc.integer({ min: -50, max: -4 }), fc.constant(1.5)), (axis) => {
      const t = eg.ones([2, 3, 4]);
      for (const f of [() => t.sum(axis), () => t.max(axis), () => t.argmax(axis), () => eg.softmax(t, axis), () => t.transpose(axis, 0),
        () => t.unsqueeze(axis + (axis > 0 ? 1 : -1)), () => eg.concat([t, t], axis), () => eg.logsumexp(t, axis), () => t.squeeze(axis)]) {
        rejects(f, eg.ValueError, [t], /axis/);
      }
    }));
  });

  it("ragged nested arrays and non-numbers", () => {
    rejects(() => eg.tensor([[1, 2], [3]]), eg.ShapeError, [], /ragged.*index \[1\]/);
    rejects(() => eg.tensor([[1, 2], 3]), eg.ShapeError, [], /ragged/);
    rejects(() => eg.tensor([1, [2]]), eg.ShapeError, [], /ragged/);
    rejects(() => eg.tensor([1, "2"]), eg.DTypeError, [], /element 1/);
    fc.assert(fc.property(fc.array(fc.array(fc.integer(), { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }), (rows) => {
      fc.pre(new Set(rows.map((r) => r.length)).size > 1);
      rejects(() => eg.tensor(rows), eg.ShapeError);
    }));
  });

  it("wrong dtypes", () => {
    const i = eg.ones([2, 2], { dtype: "int32" });
    rejects(() => { i.requiresGrad = true; }, eg.DTypeError, [i], /int32/);
    rejects(() => eg.zeros([2], { dtype: "float16" as eg.DType }), eg.DTypeError, [], /float16/);
    rejects(() => eg.randn([2], { dtype: "int32" }), eg.DTypeError);
    rejects(() => eg.matmul(i, i), eg.DTypeError, [i]);
  });

  it("slices, indices and other argument errors", () => {
    const t = eg.ones([2, 3]);
    rejects(() => t.slice(5), eg.ValueError, [t], /index 5/);
    rejects(() => t.slice(null, [0, 3, -1]), eg.ValueError, [t], /step/);
    rejects(() => t.slice(0, 0, 0), eg.ShapeError, [t]);
    rejects(() => t.item(), eg.ShapeError, [t]);
    rejects(() => eg.clip(t, 1, 0), eg.ValueError, [t]);
    rejects(() => t.permute([0, 0]), eg.ValueError, [t]);
    rejects(() => t.broadcastTo([3, 3]), eg.ShapeError, [t]);
    rejects(() => eg.fromTypedArray(new Float32Array(5), [2, 3]), eg.ShapeError, [], /6 elements.*5/);
  });

  it("init with an unknown backend rejects and keeps the backend that was active", async () => {
    const before = eg.backendInfo().backend;
    await expect(eg.init({ backend: "gpu" as "js" })).rejects.toThrow(eg.BackendError);
    await expect(eg.init({ module: new Uint8Array(8) as unknown as WebAssembly.Module })).rejects.toThrow(/not a WebAssembly.Module/);
    expect(eg.backendInfo().backend).toBe(before);
  });

  it("backward without a scalar output or without anything to differentiate", () => {
    const w = eg.ones([2, 2], { requiresGrad: true });
    const y = w.mul(2);
    rejects(() => y.backward(), eg.ShapeError, [w], /one-element/);
    rejects(() => eg.ones([1]).backward(), eg.ValueError);
    expect(w.grad).toBe(null);
  });
});
