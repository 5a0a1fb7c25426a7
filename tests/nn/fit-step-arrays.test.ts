// fit hands a step's internal arrays (layer outputs, the gradients passed back between layers) out
// again in the next step (src/backend/step-arrays.ts), but only for a model of registered library
// layers, without hooks, and a loss given by name (src/nn/step-safe.ts). The weights are those of
// fresh arrays bit for bit; a model that lets outside code see a step's tensors gets fresh arrays,
// so a tensor that code kept is never written over.
import { describe, expect, it } from "vitest";
import { stepArrayCounts } from "../../src/backend/step-arrays.js";
import { nn, optim, Rng, Tensor } from "../../src/index.js";

const N = 40, BATCH = 8;

function images(seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  return {
    x: new Tensor(Float32Array.from({ length: N * 64 }, () => rng.normal()), "float32", [N, 1, 8, 8]),
    y: new Tensor(Int32Array.from({ length: N }, (_, i) => (i * 5) % 3), "int32", [N]),
  };
}
const cnn = () => new nn.Sequential(
  new nn.Conv2d(1, 4, 3, { padding: 1, seed: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(64, 16, { seed: 2 }), new nn.ReLU(), new nn.Dropout(0.25), new nn.Linear(16, 3, { seed: 3 }));
const mlp = () => new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 24, { seed: 4 }), new nn.ReLU(),
  new nn.Linear(24, 12, { seed: 5 }), new nn.ReLU(), new nn.Linear(12, 3, { seed: 6 }));

const bits = (m: nn.Module) => m.parameters().map((p) => Array.from(new Uint32Array((p.data as Float32Array).slice().buffer)));

/** fit for two epochs; the step arrays reused meanwhile. */
async function fitted(model: nn.Module, loss: string | ((o: Tensor, y: Tensor) => Tensor) = "crossEntropy") {
  const { x, y } = images(7);
  const before = stepArrayCounts.reused;
  const history = await nn.fit(model, x, y, { loss, optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }), epochs: 2, batchSize: BATCH, seed: 3 });
  return { history, reused: stepArrayCounts.reused - before };
}

describe("fit's step arrays", () => {
  for (const [name, make] of [["a CNN", cnn], ["an MLP", mlp]] as const) {
    it(`are reused for ${name} of library layers, with the weights of fresh arrays`, async () => {
      const reusing = make(), fresh = make();
      // A hook that does nothing still shows fit that outside code sees the step's tensors.
      fresh.registerForwardHook(() => undefined);
      const a = await fitted(reusing), b = await fitted(fresh);
      expect(a.reused).toBeGreaterThan(0);
      expect(b.reused).toBe(0);
      expect(bits(reusing)).toEqual(bits(fresh));
      expect(a.history.history.loss).toEqual(b.history.history.loss);
    });
  }

  it("are not used when outside code can keep a step's tensors", async () => {
    class Kept extends nn.Module {
      lin = new nn.Linear(64, 3, { seed: 8 });
      last: Tensor | null = null;
      constructor() { super(); this.registerModule("lin", this.lin); }
      forward(x: Tensor): Tensor { return (this.last = this.lin.forward(x.reshape([x.shape[0], 64]))); }
    }
    class MyLinear extends nn.Linear {}
    const models: [string, nn.Module, string | ((o: Tensor, y: Tensor) => Tensor)][] = [
      ["a model of its own class", new Kept(), "crossEntropy"],
      ["a subclass of a library layer", new nn.Sequential(new nn.Flatten(), new MyLinear(64, 3, { seed: 9 })), "crossEntropy"],
      ["a loss given as a function", mlp(), (o: Tensor, y: Tensor) => nn.crossEntropy(o, y)],
    ];
    for (const [what, model, loss] of models) {
      const { reused } = await fitted(model, loss);
      expect(reused, what).toBe(0);
    }
  });

  it("leave a tensor that a hook kept as it was", async () => {
    const model = mlp();
    const kept: [Tensor, Float32Array][] = [];
    (model.modules()[2] as nn.Module).registerForwardHook((_m, _in, out) => {
      kept.push([out as Tensor, (out as Tensor).data.slice() as Float32Array]);
    });
    await fitted(model);
    expect(kept.length).toBeGreaterThanOrEqual(2 * N / BATCH);
    for (const [t, copy] of kept) expect(t.data).toEqual(copy);
  });

  it("are fresh outside fit", () => {
    const model = mlp();
    const { x } = images(1);
    const a = model.forward(x) as Tensor, b = model.forward(x) as Tensor;
    expect(a.storage).not.toBe(b.storage);
    expect(a.data).toEqual(b.data);
  });
});
