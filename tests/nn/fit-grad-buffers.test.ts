// fit writes each Linear weight's gradient into the array of the batch before (no fresh array a
// step: src/ndarray/grad-buffers.ts) and gets the weights of a plain loop with fresh gradients
// bit for bit; an optimizer whose zeroGrad keeps .grad (zeroed in place) still gets right
// gradients; a weight used twice in a step gets the sum of both.
import { describe, expect, it } from "vitest";
import { nn, optim, Rng, Tensor } from "../../src/index.js";

const N = 48, BATCH = 8, IN = 12;

function data(seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: N * IN }, () => rng.normal());
  const y = Int32Array.from({ length: N }, (_, i) => (i * 7) % 3);
  return { x: new Tensor(x, "float32", [N, IN]), y: new Tensor(y, "int32", [N]) };
}
const net = () => new nn.Sequential(new nn.Linear(IN, 16, { seed: 1 }), new nn.ReLU(), new nn.Linear(16, 3, { seed: 2 }));
const rows = (t: Tensor, s: number, e: number, width: number) =>
  new Tensor((t.data as Float32Array | Int32Array).slice(s * width, e * width) as Float32Array, t.dtype, width === 1 ? [e - s] : [e - s, width]);

/** The same steps as fit without shuffling, written out: zeroGrad (to null), backward, step. */
function plainLoop(model: nn.Module, opt: { zeroGrad(): void; step(): void }, x: Tensor, y: Tensor): void {
  model.train();
  for (let s = 0; s < N; s += BATCH) {
    const loss = nn.crossEntropy(model.forward(rows(x, s, s + BATCH, IN)) as Tensor, rows(y, s, s + BATCH, 1));
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
}

const bits = (m: nn.Module) => m.parameters().map((p) => Array.from(new Uint32Array((p.data as Float32Array).slice().buffer)));

describe("fit's weight gradients", () => {
  it("are written into the arrays of the batch before, with the bits of fresh ones", async () => {
    const { x, y } = data(1);
    const fitted = net();
    const weights = [fitted.parameters()[0], fitted.parameters()[2]];
    const seen: unknown[][] = [];
    await nn.fit(fitted, x, y, {
      loss: "crossEntropy", optimizer: new optim.Adam(fitted.parameters(), { lr: 0.01 }), epochs: 2, batchSize: BATCH, shuffle: false,
      callbacks: [{ onBatchEnd: () => { seen.push(weights.map((w) => w.grad!.storage)); } }],
    });
    expect(seen.length).toBe(2 * N / BATCH);
    // every batch after the first wrote into the first batch's arrays
    for (const s of seen.slice(1)) s.forEach((storage, i) => expect(storage).toBe(seen[0][i]));
  });

  it("give fit the weights of a plain loop bit for bit", async () => {
    const { x, y } = data(2);
    const fitted = net(), plain = net();
    await nn.fit(fitted, x, y, { loss: "crossEntropy", optimizer: new optim.SGD(fitted.parameters(), { lr: 0.1, momentum: 0.9 }),
                                 epochs: 1, batchSize: BATCH, shuffle: false });
    plainLoop(plain, new optim.SGD(plain.parameters(), { lr: 0.1, momentum: 0.9 }), x, y);
    expect(bits(fitted)).toEqual(bits(plain));
  });

  it("are right with an optimizer whose zeroGrad keeps .grad, zeroed in place", async () => {
    const { x, y } = data(3);
    const fitted = net(), plain = net();
    const sgd = new optim.SGD(fitted.parameters(), { lr: 0.1 });
    const keeping = {
      step: () => sgd.step(),
      zeroGrad: () => { for (const p of fitted.parameters()) (p.grad?.storage as Float32Array | undefined)?.fill(0); },
      paramGroups: sgd.paramGroups,
    };
    await nn.fit(fitted, x, y, { loss: "crossEntropy", optimizer: keeping as unknown as optim.SGD, epochs: 1, batchSize: BATCH, shuffle: false });
    plainLoop(plain, new optim.SGD(plain.parameters(), { lr: 0.1 }), x, y);
    const close = (a: nn.Module, b: nn.Module) => a.parameters().map((p, i) => Array.from(p.data as Float32Array).map((v, j) => v - (b.parameters()[i].data as Float32Array)[j]));
    for (const diffs of close(fitted, plain)) for (const d of diffs) expect(Math.abs(d)).toBeLessThan(1e-6);
  });

  it("sum both uses of a weight used twice in a step", async () => {
    const { x, y } = data(4);
    const shared = new nn.Linear(IN, IN, { seed: 5 });
    const tied = () => new nn.Sequential(shared, new nn.ReLU(), shared, new nn.ReLU(), new nn.Linear(IN, 3, { seed: 6 }));
    const start = shared.parameters().map((p) => (p.data as Float32Array).slice());
    const fitted = tied();
    await nn.fit(fitted, x, y, { loss: "crossEntropy", optimizer: new optim.SGD(fitted.parameters(), { lr: 0.05 }), epochs: 1, batchSize: BATCH, shuffle: false });
    const after = shared.parameters().map((p) => (p.data as Float32Array).slice());
    shared.parameters().forEach((p, i) => (p.data as Float32Array).set(start[i]));
    const last = new nn.Linear(IN, 3, { seed: 6 });
    const plain = new nn.Sequential(shared, new nn.ReLU(), shared, new nn.ReLU(), last);
    plainLoop(plain, new optim.SGD(plain.parameters(), { lr: 0.05 }), x, y);
    shared.parameters().forEach((p, i) => expect(Array.from(p.data as Float32Array)).toEqual(Array.from(after[i])));
  });
});
