// ParameterList and ParameterDict: random sequences of operations (fast-check) against a plain
// array / Map model of what PyTorch registers (keys "0", "1", … and the dict's keys, in order),
// the parameters reaching optimizers and gradients, loadStateDict and a safetensors round trip,
// PyTorch 1.13's key order for a plain object (sorted) and for pairs (kept), and typed errors
// that leave the container as it was. PyTorch's own keys are in tests/parity/nn-more.test.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { io, nn, optim, Tensor, tensor, ValueError, zeros } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { sampleTensor as sample } from "../support/reference.js";

const list = (t: Tensor) => Array.from(t.data as ArrayLike<number>);
const keysOf = (m: nn.Module) => Object.keys(m.stateDict());

describe("ParameterList", () => {
  type Op = { kind: "append" | "extend" | "set"; shapes: number[][]; at: number };
  const opArb: fc.Arbitrary<Op> = fc.record({
    kind: fc.constantFrom<Op["kind"]>("append", "extend", "set"),
    shapes: fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), { minLength: 1, maxLength: 3 }), at: fc.integer({ min: -4, max: 4 }),
  });

  it(`registers "0", "1", … in order through append, extend and set, as a plain array would hold them`, () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 8 }), fc.nat(100), (ops, seed) => {
      const pl = new nn.ParameterList(), model: Tensor[] = [];
      let s = seed;
      for (const op of ops) {
        const ts = op.shapes.map((shape) => sample(shape, s++));
        if (op.kind === "append") { pl.append(ts[0]); model.push(ts[0]); }
        else if (op.kind === "extend") { pl.extend(ts); model.push(...ts); }
        else if (op.at >= -model.length && op.at < model.length) { pl.set(op.at, ts[0]); model[op.at < 0 ? op.at + model.length : op.at] = ts[0]; }
        else expect(() => pl.set(op.at, ts[0])).toThrow(/no parameter at index/);
      }
      expect(pl.length).toBe(model.length);
      expect([...pl]).toEqual(model);
      model.forEach((t, i) => { expect(pl.get(i)).toBe(t); expect(pl.get(i - model.length)).toBe(t); });
      expect(keysOf(pl)).toEqual(model.map((_, i) => String(i)));
      const sd = pl.stateDict();
      model.forEach((t, i) => expect(list(sd[String(i)])).toEqual(list(t)));
      expect(pl.parameters().every((p) => p.requiresGrad)).toBe(true);
    }), { numRuns: 150 });
  });

  it("under a holder: prefixed keys, gradients of a forward that uses them, an optimizer step, and loading", () => {
    class Mixture extends nn.Module {
      readonly ws: nn.ParameterList;
      constructor(ws: Tensor[]) { super(); this.ws = this.registerModule("ws", new nn.ParameterList(ws)); }
      forward(x: Tensor): Tensor { return [...this.ws].reduce((acc: Tensor, w, i) => acc.add(x.mul(w).mul(i + 1)), zeros(x.shape, { dtype: x.dtype })); }
    }
    const m = new Mixture([float64Input([3], 1), float64Input([3], 2)]);
    expect(keysOf(m)).toEqual(["ws.0", "ws.1"]);
    assertGradByDifferences((x) => m.forward(x), [float64Input([2, 3], 3), m.ws.get(0), m.ws.get(1)], "ParameterList holder");
    const before = list(m.ws.get(1));
    const opt = new optim.SGD(m.parameters(), { lr: 0.5 });
    m.zeroGrad();
    m.forward(float64Input([2, 3], 4)).sum().backward();
    const g = list(m.ws.get(1).grad!);
    opt.step();
    list(m.ws.get(1)).forEach((v, i) => expect(v).toBe(before[i] - 0.5 * g[i]));
    const other = new Mixture([zeros([3], { dtype: "float64" }), zeros([3], { dtype: "float64" })]);
    other.loadStateDict(io.loadSafetensors(io.saveSafetensors(m.stateDict())));
    expect(list(other.ws.get(1))).toEqual(list(m.ws.get(1)));
  });

  it("refuses what it cannot register, before registering any of it; has no forward", () => {
    const pl = new nn.ParameterList([zeros([2])]);
    expect(() => pl.extend([zeros([1]), "w" as never])).toThrow(/ParameterList.extend: element 2 must be a Tensor, got/);
    expect(() => pl.extend([zeros([1]), zeros([2, 2]).transpose(0, 1)])).toThrow(/element 2 .*contiguous tensor that owns its storage/);
    expect(pl.length).toBe(1);
    expect(() => pl.extend(5 as never)).toThrow(/expected an iterable/);
    expect(() => pl.append(zeros([4]).slice([1, 3]))).toThrow(ValueError);
    expect(() => pl.get(1)).toThrow(/no parameter at index 1 \(length 1\)/);
    expect(() => pl.get(0.5)).toThrow(ValueError);
    expect(() => pl.set(-2, zeros([1]))).toThrow(ValueError);
    expect(keysOf(pl)).toEqual(["0"]);
    expect(() => pl.forward()).toThrow(/ParameterList has no forward/);
  });
});

describe("ParameterDict", () => {
  const keyArb = fc.constantFrom("a", "b", "w", "bias", "z0", "Q");
  type Op = { kind: "set" | "delete" | "update"; key: string; pairs: string[] };
  const opArb: fc.Arbitrary<Op> = fc.record({ kind: fc.constantFrom<Op["kind"]>("set", "delete", "update"), key: keyArb, pairs: fc.array(keyArb, { maxLength: 3 }) });

  it("keys in insertion order, a replaced key keeping its place, as a Map would (fast-check)", () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 10 }), fc.nat(100), (ops, seed) => {
      const pd = new nn.ParameterDict(), model = new Map<string, Tensor>();
      let s = seed;
      for (const op of ops) {
        if (op.kind === "set") { const t = sample([2], s++); pd.set(op.key, t); model.set(op.key, t); }
        else if (op.kind === "delete") expect(pd.delete(op.key)).toBe(model.delete(op.key));
        else {
          const pairs = op.pairs.map((k) => [k, sample([1, 2], s++)] as [string, Tensor]);
          pd.update(pairs);
          for (const [k, t] of pairs) model.set(k, t);
        }
      }
      expect(pd.keys()).toEqual([...model.keys()]);
      expect(keysOf(pd)).toEqual([...model.keys()]);
      expect(pd.size).toBe(model.size);
      expect(pd.values()).toEqual([...model.values()]);
      expect(pd.entries()).toEqual([...model]);
      expect([...pd]).toEqual([...model]);
      for (const k of ["a", "b", "w", "bias", "z0", "Q"]) { expect(pd.has(k)).toBe(model.has(k)); expect(pd.get(k)).toBe(model.get(k)); }
      expect(pd.namedParameters().map(([k, t]) => [k, t])).toEqual([...model]);
    }), { numRuns: 150 });
  });

  it("a plain object's keys are sorted (PyTorch 1.13's update of a dict), pairs and Maps keep their order", () => {
    const t = () => tensor([1, 2]);
    expect(new nn.ParameterDict({ w: t(), b: t(), a: t() }).keys()).toEqual(["a", "b", "w"]);
    expect(new nn.ParameterDict([["w", t()], ["b", t()], ["a", t()]]).keys()).toEqual(["w", "b", "a"]);
    expect(new nn.ParameterDict(new Map([["w", t()], ["a", t()]])).keys()).toEqual(["w", "a"]);
    const pd = new nn.ParameterDict([["w", t()], ["b", t()]]);
    expect(new nn.ParameterDict(pd).keys()).toEqual(["w", "b"]);
    const holder = new nn.ModuleDict({ table: pd });
    expect(keysOf(holder)).toEqual(["table.w", "table.b"]);
    pd.delete("w");
    expect(keysOf(holder)).toEqual(["table.b"]);
    expect(holder.parameters()).toEqual([pd.get("b")]);
  });

  it("round-trips through safetensors and loadStateDict into the same tensors", () => {
    const a = new nn.ParameterDict([["w", sample([2, 3], 1)], ["b", sample([3], 2)]]);
    const b = new nn.ParameterDict([["w", zeros([2, 3])], ["b", zeros([3])]]);
    const held = b.values();
    b.loadStateDict(io.loadSafetensors(io.saveSafetensors(a.stateDict())));
    expect(b.values()).toEqual(held);
    for (const k of a.keys()) expect(list(b.get(k)!)).toEqual(list(a.get(k)!));
  });

  it("refuses keys PyTorch refuses (dots, empty, existing members) and non-parameters, changing nothing", () => {
    const pd = new nn.ParameterDict({ a: zeros([1]) });
    expect(() => pd.set("x.y", zeros([1]))).toThrow(/a key must be a non-empty string without "\."/);
    expect(() => pd.set("", zeros([1]))).toThrow(ValueError);
    expect(() => pd.set(3 as never, zeros([1]))).toThrow(ValueError);
    for (const member of ["training", "get", "forward", "items", "constructor"]) expect(() => pd.set(member, zeros([1])), member).toThrow(/already a member/);
    expect(() => pd.set("b", [1] as never)).toThrow(/"b" must be a Tensor/);
    expect(() => pd.update([["c", zeros([1])], ["d.e", zeros([1])]])).toThrow(ValueError);
    expect(() => pd.update({ c: zeros([1]), d: zeros([2, 2]).transpose(0, 1) })).toThrow(/contiguous/);
    expect(() => pd.update([["c"]] as never)).toThrow(/pairs/);
    expect(() => pd.update(null as never)).toThrow(ValueError);
    expect(pd.keys()).toEqual(["a"]);
    expect(pd.training).toBe(true);
    expect(pd.delete("zz")).toBe(false);
    expect(() => pd.forward()).toThrow(/ParameterDict has no forward/);
  });
});
