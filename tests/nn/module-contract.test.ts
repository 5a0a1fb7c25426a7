// The Module contract: buffers in stateDict (PyTorch's key order, safetensors round trip, safe
// loading), forward with several inputs and nested outputs, ModuleList/ModuleDict/Identity,
// namedModules/apply, and freezing with requiresGrad_.
import { describe, expect, it } from "vitest";
import { io, nn, optim, randn, Rng, Tensor, tensor, zeros, DTypeError, ShapeError, ValueError } from "../../src/index.js";

/** A BatchNorm-shaped module: two float parameters, two float buffers and an int32 counter. */
class NormLike extends nn.Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(n: number, seed: number) {
    super();
    this.weight = this.registerParameter("weight", randn([n], { seed }));
    this.bias = this.registerParameter("bias", randn([n], { seed: seed + 1 }));
    this.registerBuffer("running_mean", randn([n], { seed: seed + 2 }));
    this.registerBuffer("running_var", randn([n], { seed: seed + 3 }).abs().contiguous());
    this.registerBuffer("num_batches_tracked", new Tensor(Int32Array.of(seed * 7), "int32", []));
    this.registerBuffer("scratch", zeros([n]), { persistent: false });
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.weight).add(this.bias);
  }
}
const bits = (t: Tensor) => Array.from(t.data);

describe("buffers", () => {
  it("stateDict lists per module: parameters, persistent buffers, then children (PyTorch's order)", () => {
    const m = new nn.Sequential(new nn.Linear(3, 4, { seed: 1 }), new NormLike(4, 2));
    expect(Object.keys(m.stateDict())).toEqual([
      "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
    ]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["1.running_mean", "1.running_var", "1.num_batches_tracked", "1.scratch"]);
    expect(m.buffers().length).toBe(4);
    // Buffers are state, not trainable: optimizers never see them.
    expect(m.parameters().length).toBe(4);
  });

  it("a float and an int32 buffer round-trip through safetensors bit for bit, also from an I64 file", () => {
    const a = new nn.Sequential(new nn.Linear(3, 4, { seed: 1 }), new NormLike(4, 2));
    const b = new nn.Sequential(new nn.Linear(3, 4, { seed: 5 }), new NormLike(4, 9));
    const held = b.buffers();
    for (const dtype of [undefined, { "1.num_batches_tracked": "I64" as const }]) {
      b.loadStateDict(io.loadSafetensors(io.saveSafetensors(a.stateDict(), dtype ? { dtype } : {})));
      for (const [k, t] of Object.entries(a.stateDict())) {
        const u = b.stateDict()[k];
        expect(u.dtype).toBe(t.dtype);
        expect(bits(u)).toEqual(bits(t));
      }
      expect(b.buffers()).toEqual(held); // copied into the same tensors
      expect(b.stateDict()["1.num_batches_tracked"].dtype).toBe("int32");
    }
  });

  it("loadStateDict refuses a non-Tensor, a wrong shape or a wrong buffer dtype, naming the key, and writes nothing", () => {
    const m = new NormLike(4, 2);
    const before = Object.values(m.stateDict()).map(bits);
    const sd = new NormLike(4, 3).stateDict();
    const cases: [Record<string, unknown>, unknown, RegExp][] = [
      [{ ...sd, running_var: [1, 2, 3, 4] }, ValueError, /"running_var" is not a Tensor/],
      [{ ...sd, num_batches_tracked: null }, ValueError, /"num_batches_tracked" is not a Tensor/],
      [{ ...sd, running_mean: zeros([5]) }, ShapeError, /"running_mean" has shape \[5\]/],
      [{ ...sd, num_batches_tracked: zeros([]) }, DTypeError, /"num_batches_tracked" is float32, the model expects int32/],
    ];
    for (const [bad, E, msg] of cases) {
      expect(() => m.loadStateDict(bad as Record<string, Tensor>)).toThrow(E as typeof ValueError);
      expect(() => m.loadStateDict(bad as Record<string, Tensor>)).toThrow(msg);
      expect(Object.values(m.stateDict()).map(bits)).toEqual(before);
    }
    expect(() => m.loadStateDict(sd, { strict: true, extra: 1 } as never)).toThrow(/unknown option "extra"/);
  });

  it("registerBuffer checks its arguments; a null buffer reserves the name and is not saved", () => {
    const m = new NormLike(2, 1);
    expect(() => m.registerBuffer("weight", zeros([2]))).toThrow(ValueError);
    expect(() => m.registerBuffer("a.b", zeros([2]))).toThrow(/without "."/);
    expect(() => m.registerBuffer("x", [1, 2] as never)).toThrow(/must be a Tensor or null/);
    expect(() => m.registerBuffer("x", zeros([4]).slice([0, 4, 2]))).toThrow(/contiguous/);
    expect(() => m.registerBuffer("x", zeros([2]), { persist: false } as never)).toThrow(/unknown option "persist"/);
    m.registerBuffer("reserved", null);
    expect("reserved" in m.stateDict()).toBe(false);
    expect(m.namedBuffers().map(([n]) => n)).not.toContain("reserved");
  });
});

/** A recurrent cell with PyTorch's LSTM calling convention: (x, [h, c]?) → [out, [h, c]]. */
class TinyRecurrent extends nn.Module {
  readonly inp = this.registerModule("inp", new nn.Linear(3, 2, { seed: 1 }));
  forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    const [h0, c0] = state ?? [zeros([x.shape[0], 2]), zeros([x.shape[0], 2])];
    const c = c0.add(this.inp.forward(x));
    const h = h0.add(c.tanh());
    return [h.mul(2), [h, c]];
  }
}

describe("forward with several inputs and outputs", () => {
  it("passes every input through predict() and returns the nested output, without autograd", () => {
    const m = new TinyRecurrent();
    const x = randn([4, 3], { seed: 2 });
    const [out, [h, c]] = m.predict(x);
    const [out2, [h2, c2]] = m.predict(x, [h, c]);
    expect(out.requiresGrad || out2.requiresGrad).toBe(false);
    // Independent reference in float64.
    const w = m.inp.weight.data, b = m.inp.bias!.data, xd = x.data;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 2; j++) {
        let z = b[j];
        for (let k = 0; k < 3; k++) z += xd[i * 3 + k] * w[j * 3 + k];
        const c1 = z, h1 = Math.tanh(c1), cc = c1 + z, hh = h1 + Math.tanh(cc);
        expect(out.data[i * 2 + j]).toBeCloseTo(2 * h1, 5);
        expect(c2.data[i * 2 + j]).toBeCloseTo(cc, 5);
        expect(h2.data[i * 2 + j]).toBeCloseTo(hh, 5);
        expect(out2.data[i * 2 + j]).toBeCloseTo(2 * hh, 5);
      }
    }
    expect(h.data).not.toBe(h2.data);
  });
});

describe("containers", () => {
  it("ModuleList registers as 0, 1, … and supports append, extend, at, length and iteration", () => {
    const a = new nn.Linear(2, 2, { seed: 1 }), b = new nn.ReLU(), c = new nn.Linear(2, 1, { seed: 2 });
    const l = new nn.ModuleList([a]).append(b).extend([c]);
    expect(l.length).toBe(3);
    expect([...l]).toEqual([a, b, c]);
    expect(l.at(-1)).toBe(c);
    expect(() => l.at(3)).toThrow(ValueError);
    expect(Object.keys(l.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    expect(() => l.extend([new nn.ReLU(), 5 as never])).toThrow(/element 4 is not a Module/);
    expect(l.length).toBe(3);
    expect(() => l.forward()).toThrow(ValueError);
  });

  it("ModuleDict keeps insertion order, uses its keys as names and replaces in place", () => {
    const enc = new nn.Linear(2, 3, { seed: 1 }), dec = new nn.Linear(3, 2, { seed: 2 });
    const d = new nn.ModuleDict({ enc, dec });
    expect(d.keys()).toEqual(["enc", "dec"]);
    expect(d.get("dec")).toBe(dec);
    expect(d.has("enc") && !d.has("nope")).toBe(true);
    const enc2 = new nn.Linear(2, 3, { seed: 3 });
    d.set("enc", enc2);
    expect(d.entries()).toEqual([["enc", enc2], ["dec", dec]]);
    expect(Object.keys(d.stateDict())).toEqual(["enc.weight", "enc.bias", "dec.weight", "dec.bias"]);
    expect(() => d.set("a.b", enc)).toThrow(/without "."/);
    expect(() => d.set("x", {} as never)).toThrow(ValueError);
  });

  it("Identity returns its input; namedModules and apply walk the tree like PyTorch", () => {
    const x = randn([2, 2], { seed: 1 });
    expect(new nn.Identity().forward(x)).toBe(x);
    const inner = new nn.Sequential(new nn.Linear(2, 2, { seed: 1 }), new nn.Identity());
    const m = new nn.ModuleDict({ body: inner, head: new nn.Linear(2, 1, { seed: 2 }) });
    expect(m.namedModules().map(([n, mod]) => [n, mod.constructor.name])).toEqual([
      ["", "ModuleDict"], ["body", "Sequential"], ["body.0", "Linear"], ["body.1", "Identity"], ["head", "Linear"],
    ]);
    expect(m.namedModules("net")[1][0]).toBe("net.body");
    const order: string[] = [];
    const names = new Map(m.namedModules().map(([n, mod]) => [mod, n]));
    expect(m.apply((mod) => order.push(names.get(mod)!))).toBe(m);
    expect(order).toEqual(["body.0", "body.1", "body", "head", ""]);
    // A module shared twice is listed once, as in PyTorch.
    const shared = new nn.Linear(1, 1, { seed: 3 });
    expect(new nn.Sequential(shared, shared).namedModules().length).toBe(2);
  });
});

describe("freezing", () => {
  it("requiresGrad_(false) leaves frozen grads null after backward; fit trains the head only", async () => {
    const body = new nn.Sequential(new nn.Linear(4, 8, { seed: 1 }), new nn.ReLU());
    const head = new nn.Linear(8, 3, { seed: 2 });
    const model = new nn.Sequential(body, head);
    expect(body.requiresGrad_(false)).toBe(body);
    expect(body.parameters().every((p) => !p.requiresGrad)).toBe(true);
    const x = randn([16, 4], { seed: 3 });
    model.forward(x).sum().backward();
    expect(body.parameters().map((p) => p.grad)).toEqual([null, null]);
    expect(head.parameters().every((p) => p.grad !== null)).toBe(true);

    const rng = new Rng(4);
    const y = tensor(Array.from({ length: 16 }, () => rng.int(3)), { dtype: "int32" });
    const bodyBefore = body.parameters().map(bits), headBefore = head.parameters().map(bits);
    await nn.fit(model, x, y, { loss: "crossEntropy", optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), epochs: 3, batchSize: 4, seed: 1 });
    expect(body.parameters().map(bits)).toEqual(bodyBefore);
    expect(head.parameters().map(bits)).not.toEqual(headBefore);
    body.requiresGrad_();
    expect(body.parameters().every((p) => p.requiresGrad)).toBe(true);
  });
});
