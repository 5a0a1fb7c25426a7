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
    rejects(() => y.backward(), eg.ShapeError, [w], /needs one element/);
    rejects(() => eg.ones([1]).backward(), eg.ValueError);
    expect(w.grad).toBe(null);
  });
});

describe("arguments of the wrong kind are refused by name, not used or ignored", () => {
  it(".grad takes null or a tensor of the tensor's shape and dtype", () => {
    const x = eg.zeros([3], { requiresGrad: true });
    rejects(() => { x.grad = eg.zeros([2, 3]); }, eg.ShapeError, [x], /\[2,3\].*\[3\]/);
    rejects(() => { x.grad = 5 as unknown as eg.Tensor; }, eg.DTypeError, [x], /Tensor or null, got number/);
    rejects(() => { x.grad = eg.zeros([3], { dtype: "float64" }); }, eg.DTypeError, [x], /float64.*float32/);
    const g = eg.ones([3]);
    x.grad = g;
    expect(x.grad).toBe(g);
    x.mul(2).sum().backward(); // adds into the assigned gradient
    expect(Array.from(x.grad!.data)).toEqual([3, 3, 3]);
    x.grad = null;
    expect(x.grad).toBe(null);
  });

  it("requiresGrad and keepdim(s) take booleans only", () => {
    const x = eg.ones([2, 3]);
    rejects(() => { x.requiresGrad = "yes" as unknown as boolean; }, eg.ValueError, [x], /requiresGrad.*yes/);
    expect(x.requiresGrad).toBe(false);
    rejects(() => eg.ones([2], { requiresGrad: 1 as unknown as boolean }), eg.ValueError, [], /requiresGrad/);
    for (const key of ["keepdim", "keepdims"]) {
      rejects(() => x.sum(0, { [key]: "yes" }), eg.ValueError, [x], new RegExp(`${key} must be true or false, got yes`));
      rejects(() => eg.norm(x, 2, 0, { [key]: 1 }), eg.ValueError, [x], new RegExp(key));
    }
    rejects(() => eg.topk(x, 1, { largest: "no" as unknown as boolean }), eg.ValueError, [x], /largest/);
  });

  it("axes: transpose checks them below 2-D too; a string axis is named as a string", () => {
    const v = eg.arange(3);
    rejects(() => v.transpose(5, 7), eg.ValueError, [v], /axis 5/);
    expect(v.transpose(0, -1)).toBe(v); // in range: a 1-D transpose is the tensor itself, as PyTorch
    expect(v.transpose()).toBe(v);
    const x = eg.ones([2, 3]);
    rejects(() => x.sum("0" as unknown as number), eg.ValueError, [x], /axis "0" is not an integer or an array/);
    rejects(() => x.sum(["0"] as unknown as number[]), eg.ValueError, [x], /axis "0" is out of range/);
    rejects(() => x.sum({} as unknown as number), eg.ValueError, [x], /axis \[object Object\] is not an integer or an array/);
    rejects(() => eg.cumsum(eg.tensor(1), 3), eg.ValueError, [], /axis 3 .*0 dimension/);
  });

  it("values: full's fill value and clip's bounds must be numbers", () => {
    rejects(() => eg.full([2], "a" as unknown as number), eg.DTypeError, [], /fill value must be a number, got "a"/);
    const x = eg.tensor([0, 1, 5]);
    rejects(() => x.clip("a" as unknown as number, 2), eg.DTypeError, [x], /clip: bounds must be numbers or null, got "a"/);
    rejects(() => x.clip(0, "b" as unknown as number), eg.DTypeError, [x], /clip: bounds must be numbers or null, got "b"/);
  });

  it("concat and stack name an element that is not a Tensor, and concat refuses 0-d tensors", () => {
    const a = eg.zeros([2]);
    rejects(() => eg.concat([a, [1, 2] as unknown as eg.Tensor]), eg.DTypeError, [a], /element 1 is not a Tensor \(got an array\)/);
    rejects(() => eg.stack([a, null as unknown as eg.Tensor]), eg.DTypeError, [a], /element 1 is not a Tensor \(got null\)/);
    const s = eg.tensor(1), t = eg.tensor(2);
    rejects(() => eg.concat([s, t]), eg.ShapeError, [s, t], /element 0 is zero-dimensional/);
    expect(eg.stack([s, t]).toArray()).toEqual([1, 2]); // stack makes the new axis they need
  });

  it("where needs a bool condition (PyTorch: torch.where requires a bool tensor)", () => {
    const x = eg.tensor([1, 2]), y = eg.tensor([3, 4]), c = eg.tensor([NaN, 1]);
    rejects(() => eg.where(c, x, y), eg.DTypeError, [c, x, y], /condition must be bool, got float32/);
    expect(eg.where(c.ne(c), x, y).toArray()).toEqual([1, 4]); // NaN ≠ NaN: an explicit test of the NaN
  });
});
