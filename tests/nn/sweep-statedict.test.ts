import { describe, expect, test } from "vitest";
import { compress, io, nn, Tensor, ShapeError, DTypeError, ValueError, zeros } from "../../src/index.js";

const scalarInt = (v: number) => new Tensor(new Int32Array([v]), "int32", []);

/** safetensors bytes written by hand: one F32 [2] tensor per name plus an I64 0-d counter, as PyTorch saves them. */
function bnSafetensors(prefix: string, counter: bigint): Uint8Array {
  const floats = [
    [`${prefix}weight`, [1.5, 2]], [`${prefix}bias`, [0.25, -1]],
    [`${prefix}running_mean`, [0.5, -0.5]], [`${prefix}running_var`, [2, 3]],
  ] as const;
  const header: Record<string, unknown> = {};
  let at = 0;
  for (const [n] of floats) { header[n] = { dtype: "F32", shape: [2], data_offsets: [at, at + 8] }; at += 8; }
  header[`${prefix}num_batches_tracked`] = { dtype: "I64", shape: [], data_offsets: [at, at + 8] };
  let json = JSON.stringify(header);
  while ((json.length + 8) % 8 !== 0) json += " ";
  const out = new Uint8Array(8 + json.length + at + 8);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let p = 8 + json.length;
  for (const [, vs] of floats) for (const v of vs) { view.setFloat32(p, v, true); p += 4; }
  view.setBigInt64(p, counter, true);
  return out;
}

describe("loading PyTorch state dicts as users have them", () => {
  test("a BatchNorm dict without num_batches_tracked loads, the counter reset to 0", () => {
    // PyTorch 1.13: BatchNorm1d(3).load_state_dict(plain dict without num_batches_tracked) with
    // strict=True returns <All keys matched successfully> and num_batches_tracked becomes tensor(0);
    // the same with strict=False.
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3, { momentum: null }));
    const bn = model.at(1) as nn.BatchNorm1d;
    const sd = model.stateDict();
    delete sd["1.num_batches_tracked"];
    sd["1.running_mean"] = new Tensor(new Float32Array([1, 2, 3]), "float32", [3]);
    bn.numBatchesTracked!.storage[0] = 7;
    expect(model.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(bn.numBatchesTracked!.item()).toBe(0);
    expect(Array.from(bn.runningMean!.data)).toEqual([1, 2, 3]);
    expect(sd["1.num_batches_tracked"]).toBeUndefined(); // the caller's dict is not changed
    bn.numBatchesTracked!.storage[0] = 7;
    expect(model.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(bn.numBatchesTracked!.item()).toBe(0);
  });

  test("the other BatchNorm keys are still required, and a bad dict still changes nothing", () => {
    const bn = new nn.BatchNorm2d(2);
    bn.numBatchesTracked!.storage[0] = 5;
    const sd = bn.stateDict();
    delete sd.num_batches_tracked;
    delete sd.running_var;
    expect(() => bn.loadStateDict(sd)).toThrow(/missing keys \[running_var\]/);
    expect(bn.numBatchesTracked!.item()).toBe(5);
    // PyTorch 1.13, strict=False: missing_keys=['running_var'], the counter reset to 0.
    expect(bn.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ["running_var"], unexpectedKeys: [] });
    expect(bn.numBatchesTracked!.item()).toBe(0);
    const bad = bn.stateDict();
    delete bad.num_batches_tracked;
    bad.running_mean = zeros([3]);
    bn.numBatchesTracked!.storage[0] = 5;
    expect(() => bn.loadStateDict(bad)).toThrow(ShapeError);
    expect(bn.numBatchesTracked!.item()).toBe(5);
  });

  test("a [1] tensor loads into a 0-d buffer; longer ones and the reverse are refused", () => {
    // PyTorch 1.13 loads a [1] tensor into a 0-d one (tensor([3]) → num_batches_tracked tensor(3)).
    const bn = new nn.BatchNorm1d(2);
    const sd = bn.stateDict();
    sd.num_batches_tracked = new Tensor(new Int32Array([3]), "int32", [1]);
    bn.loadStateDict(sd);
    expect(bn.numBatchesTracked!.shape).toEqual([]);
    expect(bn.numBatchesTracked!.item()).toBe(3);
    // PyTorch takes element 0 of any 1-d tensor here (tensor([3, 4]) → 3); refused on purpose.
    sd.num_batches_tracked = new Tensor(new Int32Array([8, 4]), "int32", [2]);
    expect(() => bn.loadStateDict(sd)).toThrow(ShapeError);
    expect(bn.numBatchesTracked!.item()).toBe(3);
    // A 0-d tensor for a [1] one is a size mismatch in PyTorch too.
    const lin = new nn.Linear(2, 1);
    const lsd = lin.stateDict();
    lsd.bias = scalarInt(1).astype("float32");
    expect(() => lin.loadStateDict(lsd)).toThrow(ShapeError);
    // Buffers keep their dtype check.
    sd.num_batches_tracked = new Tensor(new Float32Array([2]), "float32", []);
    expect(() => bn.loadStateDict(sd)).toThrow(DTypeError);
  });

  test("a PyTorch safetensors BatchNorm with an I64 counter loads, as does one without the counter", () => {
    const model = new nn.Sequential(new nn.BatchNorm1d(2));
    const sd = io.loadSafetensors(bnSafetensors("0.", 12n));
    model.loadStateDict(sd);
    const bn = model.at(0) as nn.BatchNorm1d;
    expect(bn.numBatchesTracked!.dtype).toBe("int32");
    expect(bn.numBatchesTracked!.item()).toBe(12);
    expect(Array.from(bn.runningVar!.data)).toEqual([2, 3]);
    delete sd["0.num_batches_tracked"];
    model.loadStateDict(sd);
    expect(bn.numBatchesTracked!.item()).toBe(0);
  });

  test("strict: false lists unexpected keys grouped by module, as PyTorch's _IncompatibleKeys", () => {
    // PyTorch 1.13: Sequential(Linear(2, 3), BatchNorm1d(3)).load_state_dict(
    //   {'1.foo', 'bar', '0.baz', '7.weight', …state_dict without '0.bias'}, strict=False)
    // → missing_keys=['0.bias'], unexpected_keys=['bar', '7.weight', '0.baz', '1.foo'].
    const model = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3));
    const z = zeros([1]);
    const sd: Record<string, Tensor> = { "1.foo": z, bar: z, "0.baz": z, "7.weight": z, ...model.stateDict() };
    delete sd["0.bias"];
    expect(model.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ["0.bias"], unexpectedKeys: ["bar", "7.weight", "0.baz", "1.foo"] });
    // Nested containers: PyTorch 1.13 gives unexpected_keys=['x', 'b.0.y', 'b.1.2.w', 'b.1.z'] for
    // ModuleDict(a=Linear, b=ModuleList([Linear, Sequential(ReLU, ReLU)])) and the dict order below.
    const nested = new nn.ModuleDict({ a: new nn.Linear(1, 1), b: new nn.ModuleList([new nn.Linear(1, 1), new nn.Sequential(new nn.ReLU(), new nn.ReLU())]) });
    const extra: Record<string, Tensor> = { "b.1.2.w": z, "b.1.z": z, "b.0.y": z, x: z };
    expect(nested.loadStateDict(extra, { strict: false })).toEqual({
      missingKeys: ["a.weight", "a.bias", "b.0.weight", "b.0.bias"],
      unexpectedKeys: ["x", "b.0.y", "b.1.2.w", "b.1.z"],
    });
    expect(() => nested.loadStateDict(extra)).toThrow(ValueError);
  });
});

describe("module bookkeeping against PyTorch's", () => {
  test("apply visits a child registered twice under one parent once", () => {
    // PyTorch 1.13: l = Linear(1, 1); Sequential(l, ReLU(), l).apply(f) calls f on
    // Linear, ReLU, Sequential (children() lists a shared child once).
    const l = new nn.Linear(1, 1);
    const s = new nn.Sequential(l, new nn.ReLU(), l);
    const seen: string[] = [];
    s.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(["Linear", "ReLU", "Sequential"]);
    expect(() => s.apply(3 as never)).toThrow(ValueError);
  });

  test("children and namedChildren list a child registered twice once, under its first name", () => {
    // PyTorch 1.13: l = Linear(1, 1); list(Sequential(l, ReLU(), l).named_children()) is
    // [("0", Linear), ("1", ReLU)]; summary still gives each place of l its row.
    const l = new nn.Linear(1, 1);
    const relu = new nn.ReLU();
    const s = new nn.Sequential(l, relu, l);
    expect(s.namedChildren()).toEqual([["0", l], ["1", relu]]);
    expect(s.children()).toEqual([l, relu]);
    const table = s.summary([4, 1], { print: false });
    expect(table).toMatch(/^0 \(Linear\)/m);
    expect(table).toMatch(/^2 \(Linear\)/m);
  });

  test("train refuses a mode that is not a boolean and leaves the flags as they were", () => {
    // PyTorch 1.13: Module.train("false") raises ValueError("training mode is expected to be boolean").
    const s = new nn.Sequential(new nn.Linear(1, 1), new nn.Dropout(0.5));
    for (const bad of ["false", 0, null]) expect(() => s.train(bad as never)).toThrow(ValueError);
    expect(s.modules().map((m) => m.training)).toEqual([true, true, true]);
    s.train(false);
    expect(s.modules().map((m) => m.training)).toEqual([false, false, false]);
  });
});

test("namedParameters and namedBuffers join a prefix with a dot, as namedModules does", () => {
  // PyTorch 1.13: Sequential(Linear(1, 1), BatchNorm1d(1)).named_parameters(prefix="m") gives
  // m.0.weight, m.0.bias, m.1.weight, m.1.bias; named_buffers m.1.running_mean, …; a Linear's m.weight, m.bias.
  const s = new nn.Sequential(new nn.Linear(1, 1), new nn.BatchNorm1d(1));
  expect(s.namedParameters("m").map(([n]) => n)).toEqual(["m.0.weight", "m.0.bias", "m.1.weight", "m.1.bias"]);
  expect(s.namedBuffers("m").map(([n]) => n)).toEqual(["m.1.running_mean", "m.1.running_var", "m.1.num_batches_tracked"]);
  expect(s.namedModules("m").map(([n]) => n)).toEqual(["m", "m.0", "m.1"]);
  expect(s.at(0).namedParameters("m").map(([n]) => n)).toEqual(["m.weight", "m.bias"]);
  expect(s.namedParameters().map(([n]) => n)).toEqual(["0.weight", "0.bias", "1.weight", "1.bias"]);
});

test("a Map is refused with a ValueError saying so, not read as an empty dict", () => {
  const lin = new nn.Linear(1, 1);
  const before = Array.from(lin.weight.data);
  const map = new Map(Object.entries(lin.stateDict()));
  expect(() => lin.loadStateDict(map as never)).toThrow(/got a Map/);
  expect(() => lin.loadStateDict(map as never, { strict: false })).toThrow(/got a Map/);
  expect(Array.from(lin.weight.data)).toEqual(before);
});

test("InferenceSequential.train refuses a mode that is not a boolean too", () => {
  const model = new compress.InferenceSequential([new nn.ReLU()]);
  expect(() => model.train("yes" as never)).toThrow(ValueError);
  expect(model.training).toBe(false);
  model.train(true);
  expect(model.training).toBe(true);
});
