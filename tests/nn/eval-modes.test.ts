// The helpers that run a model in eval mode for a moment — summary, predict, evaluate, fit's
// data check, quantizeModel, the ONNX export's fusion — give every module back its own mode:
// a BatchNorm frozen in eval mode inside a training model stays frozen, and the next training
// step leaves its running statistics alone.
import { describe, expect, it } from "vitest";
import { compress, io, nn, optim, randn, randint } from "../../src/index.js";

/** Linear → BatchNorm1d (frozen: eval mode) → ReLU → Linear, the model itself in training. */
function frozenNorm() {
  const m = new nn.Sequential(new nn.Linear(4, 6, { seed: 1 }), new nn.BatchNorm1d(6), new nn.ReLU(), new nn.Linear(6, 3, { seed: 2 }));
  m.train();
  m.at(1).eval();
  return m;
}
const modes = (m: nn.Module) => m.modules().map((x) => x.training);
const FROZEN = [true, true, false, true, true];

describe("each module's own mode is restored", () => {
  const x = randn([8, 4], { seed: 3 });
  const y = randint(0, 3, [8], { seed: 4 });
  const cases: [string, (m: nn.Sequential) => unknown][] = [
    ["summary", (m) => m.summary([2, 4], { print: false })],
    ["predict", (m) => nn.predict(m, x)],
    ["evaluate", (m) => nn.evaluate(m, x, y, { loss: "crossEntropy" })],
    ["quantizeModel", (m) => compress.quantizeModel(m)],
    ["exportOnnx", (m) => io.exportOnnx(m)],
  ];
  for (const [name, run] of cases) {
    it(`by ${name}`, () => {
      const m = frozenNorm();
      expect(modes(m)).toEqual(FROZEN);
      run(m);
      expect(modes(m)).toEqual(FROZEN);
    });
  }

  it("so that fit after evaluate leaves the frozen BatchNorm's running statistics alone", async () => {
    const m = frozenNorm();
    const bn = m.at(1) as nn.BatchNorm1d;
    const before = [Array.from(bn.runningMean!.data), Array.from(bn.runningVar!.data)];
    nn.evaluate(m, x, y, { loss: "crossEntropy" });
    // fit itself calls model.train(): train the layers that train, as a user's loop would.
    const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
    opt.zeroGrad();
    nn.crossEntropy(m.forward(x), y).backward();
    opt.step();
    expect([Array.from(bn.runningMean!.data), Array.from(bn.runningVar!.data)]).toEqual(before);
  });
});
