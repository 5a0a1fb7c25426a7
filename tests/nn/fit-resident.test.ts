// fit's batches with the model's arrays in kernel memory (src/nn/fit-resident.ts): on the threaded
// build the parameters, their weight gradients and the step's arrays are kernel memory while the
// batches run, and the weights come out bit for bit as with copies; after fit, and after a fit
// that fails, every parameter holds its own array again and no gradient views kernel memory.
import { afterAll, describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { nn, optim, Tensor } from "../../src/index.js";
import type { BackendName } from "../../src/backend/index.js";
import { digits } from "../../src/data/index.js";
import { ValueError } from "../../src/errors.js";
import { activeArena } from "../../src/backend/init.js";
import { pinBlock } from "../../src/backend/arena-pins.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
afterAll(() => eg.init({ backend }));

const isShared = (a: ArrayBufferView) => typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer;
const mlp = () => new nn.Sequential(new nn.Linear(64, 96, { seed: 1 }), new nn.ReLU(), new nn.Linear(96, 10, { seed: 2 }));
// Two convolutions (the second takes the first's pooled output, a step array, as its input) and a
// Linear head: the fused convolution-ReLU-pooling path, forward and backward, on resident arrays.
const cnn = () => new nn.Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1, seed: 3 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Conv2d(8, 16, 3, { padding: 1, seed: 4 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(64, 10, { seed: 5 }));

/** An Adam that records, at each step, whether the first weight and its gradient are kernel memory. */
class WatchingAdam extends optim.Adam {
  seen: { param: boolean; grad: boolean }[] = [];
  constructor(private readonly model: nn.Module) {
    super(model.parameters(), { lr: 0.01 });
  }
  override step(): void {
    const w = this.model.parameters()[0];
    this.seen.push({ param: isShared(w.storage), grad: w.grad !== null && isShared(w.grad.storage) });
    super.step();
  }
}

/**
 * Two epochs on digits with `threads`; a callback per batch (which keeps the arrays as JS arrays)
 * if `perBatch`; `setUp` runs on the backend just loaded, before fit.
 */
async function train(threads: number, perBatch: boolean | nn.Callback[], make: () => nn.Module = mlp, setUp = () => {}) {
  await eg.init({ backend, threads });
  setUp();
  const d = digits();
  const x = make === cnn ? d.x.reshape([-1, 1, 8, 8]) : d.x, y = d.y;
  const model = make(), own = model.parameters().map((p) => p.storage);
  const optimizer = new WatchingAdam(model);
  const callbacks = Array.isArray(perBatch) ? perBatch : perBatch ? [{ onBatchEnd() {} }] : [];
  const history = await nn.fit(model, x.div(16), y, { loss: "crossEntropy", optimizer, epochs: 2, batchSize: 64, seed: 5, callbacks });
  return { model, own, seen: optimizer.seen, loss: history.history.loss };
}

describe("fit with the model's arrays in kernel memory", () => {
  it("uses kernel memory on the threaded build only, and gives the weights of copies bit for bit", async () => {
    const resident = await train(2, false), copied = await train(2, true), oneThread = await train(1, false);
    const threaded = backend !== "js";
    expect(resident.seen.every((s) => s.param === threaded && s.grad === threaded)).toBe(true);
    expect(copied.seen.every((s) => !s.param && !s.grad)).toBe(true);
    expect(oneThread.seen.every((s) => !s.param)).toBe(true); // the unshared one-thread build
    expect(resident.loss).toEqual(copied.loss);
    expect(resident.loss).toEqual(oneThread.loss);
    resident.model.parameters().forEach((p, i) => {
      expect(p.data, `parameter ${i}`).toEqual(copied.model.parameters()[i].data);
      expect(p.data, `parameter ${i}`).toEqual(oneThread.model.parameters()[i].data);
    });
  });

  it("keeps them in kernel memory beside the library's progress bar and time budget, which read no arrays", async () => {
    const written: string[] = [];
    const stream = { write: (text: string) => written.push(text), isTTY: true };
    const { seen } = await train(2, [nn.callbacks.progressBar({ stream }), nn.callbacks.timeBudget({ seconds: 3600 })]);
    expect(seen.every((s) => s.param === (backend !== "js"))).toBe(true);
    expect(written.some((t) => t.includes("Epoch 2/2"))).toBe(true);
  });

  it("gives a CNN's weights bit for bit as with copies, its convolutions reading and writing kernel memory", async () => {
    const resident = await train(2, false, cnn), copied = await train(2, true, cnn), oneThread = await train(1, false, cnn);
    expect(resident.seen.every((s) => s.param === (backend !== "js"))).toBe(true); // the first convolution's weight
    expect(resident.loss).toEqual(copied.loss);
    expect(resident.loss).toEqual(oneThread.loss);
    expect(resident.loss[1]).toBeLessThan(resident.loss[0]);
    resident.model.parameters().forEach((p, i) => {
      expect(p.storage, `parameter ${i}`).toBe(resident.own[i]);
      expect(p.data, `parameter ${i}`).toEqual(copied.model.parameters()[i].data);
      expect(p.data, `parameter ${i}`).toEqual(oneThread.model.parameters()[i].data);
    });
  });

  it("hands every parameter its own array back, updated, and copies out gradients that viewed kernel memory", async () => {
    const { model, own } = await train(2, false);
    model.parameters().forEach((p, i) => {
      expect(p.storage).toBe(own[i]);
      expect(isShared(p.storage)).toBe(false);
      expect(p.grad === null || !isShared(p.grad.storage)).toBe(true);
    });
    // The gradient arrays are the model's own now: a backward outside fit does not write kernel memory.
    const before = model.parameters()[0].data.slice();
    model.parameters()[0].grad = null;
    const { x, y } = digits();
    nn.functional.crossEntropy(model.forward(x.slice([0, 8]).div(16)) as Tensor, y.slice([0, 8])).backward();
    expect(isShared(model.parameters()[0].grad!.storage)).toBe(false);
    expect(model.parameters()[0].data).toEqual(before);
  });

  it("copies as before when the pin budget has no room left, with the same weights", async () => {
    // Another owner's block takes all but 64 KB of the 32 MB the pins may hold: fit, which keeps
    // the pins held, gets no block of its own and may not drop that one.
    const filler = {}, bytes = (32 << 20) - (64 << 10);
    let kept = true;
    const full = await train(2, false, mlp, () => {
      const arena = activeArena();
      if (arena) expect(pinBlock(arena, filler, bytes)).not.toBe(null);
    });
    const arena = activeArena();
    if (arena) kept = pinBlock(arena, filler, bytes)?.fresh === false;
    const roomy = await train(2, false);
    expect(kept).toBe(true);
    expect(full.seen.every((s) => !s.param && !s.grad)).toBe(true);
    expect(roomy.seen.every((s) => s.param === (backend !== "js"))).toBe(true);
    expect(full.loss).toEqual(roomy.loss);
    full.model.parameters().forEach((p, i) => expect(p.data).toEqual(roomy.model.parameters()[i].data));
  });

  it("hands the parameters their own arrays back when a batch fails", async () => {
    await eg.init({ backend, threads: 2 });
    const { x, y } = digits();
    const model = mlp(), own = model.parameters().map((p) => p.storage);
    const bad = x.div(16).clone();
    (bad.data as Float32Array)[64 * 200] = NaN; // a NaN in the fourth batch: the loss is NaN there
    await expect(nn.fit(model, bad, y, { loss: "crossEntropy", optimizer: "adam", epochs: 1, batchSize: 64, shuffle: false }))
      .rejects.toThrow(ValueError);
    model.parameters().forEach((p, i) => expect(p.storage).toBe(own[i]));
    expect(model.parameters().every((p) => Number.isFinite((p.data as Float32Array)[0]))).toBe(true);
  });
});
