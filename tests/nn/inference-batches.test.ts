// predict's and evaluate's batches run as fit's (src/nn/inference-batches.ts): the step's arrays
// reused from batch to batch and, on the threaded build, the weights and the batch of input rows
// in kernel memory. The outputs are those of one forward over all rows, bit for bit; afterwards
// every parameter holds its own array, unchanged, and nothing returned views kernel memory.
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import * as eg from "../../src/index.js";
import { nn, Tensor } from "../../src/index.js";
import type { BackendName } from "../../src/backend/index.js";
import { activeArena } from "../../src/backend/init.js";
import { digits } from "../../src/data/index.js";
import { ShapeError } from "../../src/errors.js";

const backend = process.env.EDGEGRAD_BACKEND as BackendName;
afterAll(() => eg.init({ backend }));
afterEach(() => vi.restoreAllMocks());

const isShared = (a: ArrayBufferView) => typeof SharedArrayBuffer !== "undefined" && a.buffer instanceof SharedArrayBuffer;
const mlp = () => new nn.Sequential(new nn.Linear(64, 96, { seed: 1 }), new nn.ReLU(), new nn.Linear(96, 10, { seed: 2 }));
const cnn = () => new nn.Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1, seed: 3 }), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(128, 10, { seed: 5 }));

/** Whether each Linear call's weight and input were kernel memory, recorded in call order. */
function watchLinears(): { weight: boolean; input: boolean }[] {
  const seen: { weight: boolean; input: boolean }[] = [];
  for (const name of ["forward", "forwardRelu"] as const) {
    const original = nn.Linear.prototype[name];
    vi.spyOn(nn.Linear.prototype, name).mockImplementation(function (this: nn.Linear, x: Tensor) {
      seen.push({ weight: isShared(this.weight.storage), input: isShared(x.storage) });
      return original.call(this, x);
    });
  }
  return seen;
}

describe("predict and evaluate by batches", () => {
  it("give the bits of one forward over all rows, with the weights in kernel memory on the threaded build only", async () => {
    const { x: raw, y } = digits();
    for (const threads of [1, 2]) {
      const info = await eg.init({ backend, threads });
      const threaded = info.threads > 1;
      for (const make of [mlp, cnn]) {
        const model = make(), x = make === cnn ? raw.reshape([-1, 1, 8, 8]).div(16) : raw.div(16);
        const whole = model.predict(x) as Tensor; // one batch, outside any pass
        for (const batchSize of [64, 500]) {
          const seen = watchLinears();
          const out = nn.predict(model, x, { batchSize });
          vi.restoreAllMocks();
          expect(out.shape).toEqual(whole.shape);
          expect(out.data, `${make.name}, ${threads} threads, batch ${batchSize}`).toEqual(whole.data);
          expect(isShared(out.storage)).toBe(false);
          expect(seen.length).toBeGreaterThan(0);
          expect(seen.every((s) => s.weight === threaded), `${make.name}, ${threads} threads`).toBe(true);
          // The MLP's first layer reads the gathered rows themselves: kernel memory too.
          if (make === mlp) expect(seen.filter((_, i) => i % 2 === 0).every((s) => s.input === threaded)).toBe(true);
        }
        const logits = whole;
        const want = nn.functional.crossEntropy(logits, y).item();
        const got = nn.evaluate(model, x, y, { loss: "crossEntropy", metrics: ["accuracy"], batchSize: 100 });
        expect(got.loss).toBeCloseTo(want, 5);
        const correct = (logits.argmax(1).data as Int32Array).reduce((n, c, i) => n + (c === (y.data as Int32Array)[i] ? 1 : 0), 0);
        expect(got.accuracy).toBe(correct / y.shape[0]);
      }
    }
  });

  it("hand every parameter its own array back, unchanged, and return arrays of their own", async () => {
    await eg.init({ backend, threads: 2 });
    const model = mlp(), own = model.parameters().map((p) => p.storage), values = model.parameters().map((p) => p.data.slice());
    const x = digits().x.div(16);
    const first = nn.predict(model, x, { batchSize: 64 }), kept = first.data.slice();
    const second = nn.predict(model, x.mul(-1), { batchSize: 64 });
    expect(first.data).toEqual(kept); // the second pass reused no array the first one returned
    expect(second.data).not.toEqual(kept);
    model.parameters().forEach((p, i) => {
      expect(p.storage).toBe(own[i]);
      expect(p.data).toEqual(values[i]);
    });
  });

  it("hand the parameters their own arrays back when a batch fails", async () => {
    await eg.init({ backend, threads: 2 });
    const model = mlp(), own = model.parameters().map((p) => p.storage);
    expect(() => nn.predict(model, eg.zeros([100, 63]), { batchSize: 64 })).toThrow(ShapeError);
    model.parameters().forEach((p, i) => expect(p.storage).toBe(own[i]));
  });

  it("copy the output of a model of views only, which returns its input rows", async () => {
    await eg.init({ backend, threads: 2 });
    const x = digits().x.div(16);
    const out = nn.predict(new nn.Sequential(new nn.Flatten(), new nn.Dropout(0.5)), x, { batchSize: 64 });
    expect(out.data).toEqual(x.data);
  });

  it("give a layer of the program's own a fresh batch each time, as before", async () => {
    await eg.init({ backend, threads: 2 });
    class Keeper extends nn.Module {
      inputs: Tensor[] = [];
      override forward(x: Tensor): Tensor {
        this.inputs.push(x);
        return x.mul(2);
      }
    }
    const keeper = new Keeper(), linear = new nn.Linear(64, 64, { seed: 7 }), x = digits().x.div(16);
    const out = nn.predict(new nn.Sequential(linear, keeper), x, { batchSize: 500 });
    // Each kept input still holds its own batch's rows: none was an array the next batch reused.
    expect(keeper.inputs.length).toBe(4);
    expect(eg.concat(keeper.inputs, 0).data).toEqual((linear.predict(x) as Tensor).data);
    expect(out.data).toEqual(eg.concat(keeper.inputs, 0).mul(2).data);
  });

  it("show a custom loss each batch's output, kept intact", async () => {
    await eg.init({ backend, threads: 2 });
    const model = mlp(), { x: raw, y } = digits(), x = raw.div(16);
    const outputs: Tensor[] = [];
    const keeping = (out: Tensor, target: Tensor) => {
      outputs.push(out);
      return nn.functional.crossEntropy(out, target);
    };
    nn.evaluate(model, x, y, { loss: keeping, batchSize: 500 });
    expect(eg.concat(outputs, 0).data).toEqual((model.predict(x) as Tensor).data);
  });

  it("reuse their kernel memory from pass to pass", async () => {
    await eg.init({ backend, threads: 2 });
    const model = mlp(), x = digits().x.div(16);
    for (let i = 0; i < 3; i++) nn.predict(model, x, { batchSize: 64 });
    const arena = activeArena();
    expect(arena === null).toBe(backend === "js"); // kernel memory on every wasm backend
    const high = arena?.highWater;
    for (let i = 0; i < 20; i++) nn.predict(model, x, { batchSize: 64 });
    expect(activeArena()?.highWater).toBe(high);
  });
});
