// model.summary(): one row per leaf layer with its output shape and parameter count, totals,
// and the float32 size; nested containers, several inputs, several outputs.
import { afterEach, describe, expect, it, vi } from "vitest";
import { nn, Tensor, DTypeError, ShapeError, ValueError } from "../../src/index.js";

/** Cells of the layer rows (between the rule under the header and the next rule), split on 2+ spaces. */
function rows(s: string): string[][] {
  const lines = s.split("\n");
  const rules = lines.flatMap((l, i) => (/^=+$/.test(l) ? [i] : []));
  expect(lines[rules[0] + 1].trim().split(/\s{2,}/)).toEqual(["Layer (type)", "Output Shape", "Param #"]);
  return lines.slice(rules[1] + 1, rules[2]).map((l) => l.trim().split(/\s{2,}/));
}
const linearParams = (i: number, o: number) => i * o + o;

class Pair extends nn.Module {
  forward(x: Tensor): [Tensor, [Tensor, Tensor]] {
    return [x.mul(2), [x, x.add(1)]];
  }
}
class AddInputs extends nn.Module {
  readonly a = this.registerModule("a", new nn.Linear(3, 5, { seed: 1 }));
  readonly b = this.registerModule("b", new nn.Linear(2, 5, { seed: 2 }));
  forward(x: Tensor, y: Tensor): Tensor {
    return this.a.forward(x).add(this.b.forward(y));
  }
}

/** Token ids and float features, summed: an input of each dtype. */
class IdsAndFeatures extends nn.Module {
  readonly emb = this.registerModule("emb", new nn.Embedding(5, 3, { seed: 1 }));
  readonly lin = this.registerModule("lin", new nn.Linear(2, 3, { seed: 2 }));
  forward(ids: Tensor, f: Tensor): Tensor {
    return this.emb.forward(ids).add(this.lin.forward(f));
  }
}

afterEach(() => vi.restoreAllMocks());

describe("summary", () => {
  it("lists each layer of a (fused) Sequential with its output shape and params, and the totals", () => {
    const m = new nn.Sequential(new nn.Linear(4, 8, { seed: 1 }), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(8, 3, { seed: 2 }));
    m.train();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const s = m.summary([2, 4]);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log).toHaveBeenCalledWith(s);
    expect(rows(s)).toEqual([
      ["0 (Linear)", "[2, 8]", String(linearParams(4, 8))],
      ["1 (ReLU)", "[2, 8]", "0"],
      ["2 (Dropout)", "[2, 8]", "0"],
      ["3 (Linear)", "[2, 3]", String(linearParams(8, 3))],
    ]);
    const total = linearParams(4, 8) + linearParams(8, 3);
    expect(s).toContain(`Total params: ${total} (${((total * 4) / 1024).toFixed(2)} KiB)`);
    expect(s).toContain(`Trainable params: ${total}`);
    expect(s).toContain("Non-trainable params: 0");
    // A float64 model's parameters take 8 bytes each.
    const f64 = new nn.Sequential(new nn.Linear(4, 8, { seed: 1, dtype: "float64" })).summary([2, 4], { print: false, dtype: "float64" });
    expect(f64).toContain(`Total params: ${linearParams(4, 8)} (${((linearParams(4, 8) * 8) / 1024).toFixed(2)} KiB)`);
    // The model is left as it was: training mode, no shadowing forward()/forwardRelu on instances.
    expect(m.training).toBe(true);
    for (const mod of m.modules()) {
      expect(Object.prototype.hasOwnProperty.call(mod, "forward")).toBe(false);
      expect(Object.prototype.hasOwnProperty.call(mod, "forwardRelu")).toBe(false);
    }
  });

  it("handles nested containers, frozen parameters, MiB sizes, several inputs and nested outputs", () => {
    const big = new nn.Linear(512, 1024, { seed: 1 });
    const m = new nn.Sequential(new nn.Sequential(big, new nn.Tanh()), new Pair());
    big.requiresGrad_(false);
    const s = m.summary([3, 512], { print: false });
    expect(rows(s)).toEqual([
      ["0.0 (Linear)", "[3, 1024]", String(linearParams(512, 1024))],
      ["0.1 (Tanh)", "[3, 1024]", "0"],
      ["1 (Pair)", "([3, 1024], ([3, 1024], [3, 1024]))", "0"],
    ]);
    const total = linearParams(512, 1024);
    expect(s).toContain(`Total params: ${total} (${((total * 4) / 1024 / 1024).toFixed(2)} MiB)`);
    expect(s).toContain("Trainable params: 0");
    expect(s).toContain(`Non-trainable params: ${total}`);

    const two = new AddInputs().summary([[4, 3], [4, 2]], { print: false });
    expect(rows(two)).toEqual([["a (Linear)", "[4, 5]", "20"], ["b (Linear)", "[4, 5]", "15"]]);
  });

  it("refuses a bad shape or option before running anything", () => {
    const m = new nn.Linear(2, 2, { seed: 1 });
    expect(() => m.summary([2, -1], { print: false })).toThrow(ShapeError);
    expect(() => m.summary([] as never, { print: false })).toThrow(ShapeError);
    expect(() => m.summary([1, 2], { print: false, width: 3 } as never)).toThrow(/unknown option "width"/);
    expect(() => m.summary([1, 3], { print: false })).toThrow(ShapeError);
    const solo = m.summary([5, 2], { print: false });
    expect(rows(solo)).toEqual([["Linear", "[5, 2]", "6"]]);
  });

  it("lists every place of a layer used twice, counting its parameters once", () => {
    const l = new nn.Linear(3, 3, { seed: 1 }), r = new nn.ReLU();
    const m = new nn.Sequential(l, r, new nn.Linear(3, 2, { seed: 2 }).requiresGrad_(false), new nn.Linear(2, 3, { seed: 3 }), r, l, r);
    const s = m.summary([4, 3], { print: false });
    expect(rows(s)).toEqual([
      ["0 (Linear)", "[4, 3]", "12"],
      ["1 (ReLU)", "[4, 3]", "0"],
      ["2 (Linear)", "[4, 2]", "8"],
      ["3 (Linear)", "[4, 3]", "9"],
      ["4 (ReLU)", "[4, 3]", "(shared)"],
      ["5 (Linear)", "[4, 3]", "(shared)"],
      ["6 (ReLU)", "[4, 3]", "(shared)"],
    ]);
    expect(s).toContain("Total params: 29 ");
    expect(s).toContain("Trainable params: 21");
    expect(s).toContain("Non-trainable params: 8");
    for (const mod of m.modules()) expect(Object.prototype.hasOwnProperty.call(mod, "forwardRelu")).toBe(false);
  });

  it("feeds zeros of the dtype asked for: int32 token ids for a TransformerLM", () => {
    const lm = new nn.TransformerLM(11, { dModel: 8, numHeads: 2, numLayers: 1, contextLength: 6, seed: 1 });
    expect(() => lm.summary([2, 5], { print: false })).toThrow(/int32/);
    // A model whose first layer refuses float input: the message says how to feed it indices.
    const emb = new nn.Sequential(new nn.Embedding(7, 4, { seed: 1 }), new nn.Linear(4, 2, { seed: 2 }));
    expect(() => emb.summary([3], { print: false })).toThrow(DTypeError);
    expect(() => emb.summary([3], { print: false })).toThrow(/summary: embedding: .*pass \{ dtype \}.*"int32" for token ids/);
    expect(rows(emb.summary([3], { print: false, dtype: "int32" }))).toEqual([["0 (Embedding)", "[3, 4]", "28"], ["1 (Linear)", "[3, 2]", "10"]]);
    const s = lm.summary([2, 5], { print: false, dtype: "int32" });
    expect(rows(s)[0]).toEqual(["embedding (Embedding)", "[2, 5, 8]", String(11 * 8)]);
    expect(rows(s).at(-1)).toEqual(["head (Linear)", "[2, 5, 11]", String(8 * 11)]);
    const total = lm.parameters().reduce((a, p) => a + p.size, 0);
    expect(s).toContain(`Total params: ${total} `);
    // One dtype per input; a bad or ill-sized dtype is refused before the model runs.
    const two = new IdsAndFeatures().summary([[4], [4, 2]], { print: false, dtype: ["int32", "float32"] });
    expect(rows(two)).toEqual([["emb (Embedding)", "[4, 3]", "15"], ["lin (Linear)", "[4, 3]", "9"]]);
    expect(() => lm.summary([2, 5], { print: false, dtype: "int" as never })).toThrow(/summary: dtype: unknown dtype "int"/);
    expect(() => new AddInputs().summary([[4, 3], [4, 2]], { print: false, dtype: ["float32"] })).toThrow(/lists 1 dtypes for 2 input shapes/);
  });
});
