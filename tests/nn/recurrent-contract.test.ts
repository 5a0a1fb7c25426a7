// The recurrent layers' contract: PyTorch's state-dict names and order, its initialization
// bounds, seeded reproducibility, a safetensors round trip, dropout between layers (training
// only, seeded), truncated backpropagation through time with detached states, and typed errors
// naming the shapes for bad inputs and options.
import { describe, expect, it } from "vitest";
import { DTypeError, io, nn, noGrad, randn, ShapeError, Tensor, ValueError, zeros } from "../../src/index.js";

const close = (a: Tensor, b: Tensor) => Array.from(a.data).every((v, i) => Math.abs(v - b.data[i]) <= 1e-6 * (1 + Math.abs(v)));

describe("recurrent layers: parameters", () => {
  it("names every parameter as PyTorch does, in its order, with its shapes", () => {
    const m = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true });
    const want: [string, number[]][] = [];
    for (const l of [0, 1]) for (const s of ["", "_reverse"]) {
      const inSize = l === 0 ? 3 : 10;
      want.push([`weight_ih_l${l}${s}`, [20, inSize]], [`weight_hh_l${l}${s}`, [20, 5]], [`bias_ih_l${l}${s}`, [20]], [`bias_hh_l${l}${s}`, [20]]);
    }
    expect(m.namedParameters().map(([k, t]) => [k, t.shape])).toEqual(want);
    expect(Object.keys(new nn.GRU(2, 4, { bias: false }).stateDict())).toEqual(["weight_ih_l0", "weight_hh_l0"]);
    expect(new nn.GRU(2, 4).stateDict().weight_ih_l0.shape).toEqual([12, 2]);
    expect(new nn.RNN(2, 4).stateDict().weight_hh_l0.shape).toEqual([4, 4]);
  });

  it("draws every parameter from U(±1/√hidden), the same for the same seed", () => {
    const a = new nn.GRU(3, 16, { numLayers: 2, seed: 4 }), b = new nn.GRU(3, 16, { numLayers: 2, seed: 4 }), c = new nn.GRU(3, 16, { numLayers: 2, seed: 5 });
    const all = a.parameters().flatMap((t) => Array.from(t.data));
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.24);
    expect(a.parameters().map((t) => Array.from(t.data))).toEqual(b.parameters().map((t) => Array.from(t.data)));
    expect(Array.from(a.parameters()[0].data)).not.toEqual(Array.from(c.parameters()[0].data));
  });

  it("round-trips through safetensors: the loaded layer gives the same outputs", () => {
    const a = new nn.LSTM(3, 6, { numLayers: 2, seed: 1 }), b = new nn.LSTM(3, 6, { numLayers: 2, seed: 2 });
    b.loadStateDict(io.loadSafetensors(io.saveSafetensors(a.stateDict())));
    const x = randn([4, 2, 3], { seed: 3 });
    expect(Array.from(b.predict(x)[0].data)).toEqual(Array.from(a.predict(x)[0].data));
  });
});

describe("recurrent layers: dropout between layers", () => {
  const x = randn([5, 3, 4], { seed: 9 });
  it("drops in training mode only, reproducibly when seeded, and never after the last layer", () => {
    const m = new nn.GRU(4, 8, { numLayers: 2, dropout: 0.5, seed: 1 }), ref = new nn.GRU(4, 8, { numLayers: 2, seed: 1 });
    const [yTrain] = noGrad(() => m.forward(x));
    expect(close(yTrain, ref.predict(x)[0])).toBe(false);
    m.eval();
    expect(Array.from(m.predict(x)[0].data)).toEqual(Array.from(ref.predict(x)[0].data));
    const again = new nn.GRU(4, 8, { numLayers: 2, dropout: 0.5, seed: 1 });
    expect(Array.from(noGrad(() => again.forward(x))[0].data)).toEqual(Array.from(yTrain.data));
    const single = new nn.GRU(4, 8, { dropout: 0.5, seed: 1 }), plain = new nn.GRU(4, 8, { seed: 1 });
    expect(Array.from(noGrad(() => single.forward(x))[0].data)).toEqual(Array.from(plain.predict(x)[0].data));
  });
});

describe("recurrent layers: truncated backpropagation through time", () => {
  it("chunks with the state passed on give the whole sequence's outputs; a detached state stops the gradient", () => {
    const m = new nn.LSTM(3, 4, { seed: 2 }), x = randn([6, 2, 3], { seed: 4 });
    const [whole] = m.predict(x);
    const [y1, s1] = m.forward(x.slice([0, 3]));
    const [y2] = m.forward(x.slice([3, 6]), [s1[0].detach(), s1[1].detach()]);
    expect(close(y1, whole.slice([0, 3])) && close(y2, whole.slice([3, 6]))).toBe(true);
    const h0 = zeros([1, 2, 4]);
    h0.requiresGrad = true;
    const [a, [ha, ca]] = m.forward(x.slice([0, 3]), [h0, zeros([1, 2, 4])]);
    const [b] = m.forward(x.slice([3, 6]), [ha.detach(), ca.detach()]);
    b.sum().backward();
    expect(h0.grad).toBeNull();
    a.sum().backward();
    expect(h0.grad).not.toBeNull();
  });
});

describe("recurrent layers: errors", () => {
  it("refuses bad inputs and states with typed errors naming the shapes", () => {
    const m = new nn.GRU(4, 8, { numLayers: 2 });
    expect(() => m.forward(zeros([5, 2, 3]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([5, 2, 3]))).toThrow(/\[5,2,3\].*inputSize 4/);
    expect(() => m.forward(zeros([5, 2, 4]), zeros([1, 2, 8]))).toThrow(/h0 has shape \[1,2,8\], expected \[2,2,8\]/);
    expect(() => m.forward(zeros([5, 4]), zeros([2, 2, 8]))).toThrow(/expected \[2,8\]/);
    expect(() => m.forward(zeros([1, 5, 2, 4]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([0, 2, 4]))).toThrow(ShapeError);
    expect(() => m.forward(zeros([5, 2, 4], { dtype: "float64" }))).toThrow(DTypeError);
    const l = new nn.LSTM(4, 8);
    expect(() => l.forward(zeros([5, 2, 4]), [zeros([1, 2, 8]), zeros([1, 3, 8])])).toThrow(/c0 has shape \[1,3,8\]/);
    expect(() => l.forward(zeros([5, 2, 4]), zeros([1, 2, 8]) as unknown as [Tensor, Tensor])).toThrow(ValueError);
  });

  it("refuses bad options, and projSize as not implemented", () => {
    expect(() => new nn.LSTM(4, 8, { projSize: 2 })).toThrow(/projSize 2 is not implemented/);
    expect(() => new nn.LSTM(4, 8, { projSize: 0 })).not.toThrow();
    expect(() => new nn.GRU(4, 8, { projSize: 2 } as never)).toThrow(ValueError);
    expect(() => new nn.RNN(4, 8, { nonlinearity: "sigmoid" as never })).toThrow(/nonlinearity/);
    expect(() => new nn.RNN(4, 8, { dropout: 1 })).toThrow(/dropout/);
    expect(() => new nn.RNN(4, 0)).toThrow(/hiddenSize/);
    expect(() => new nn.RNN(4, 8, { numLayers: 1.5 })).toThrow(/numLayers/);
    // A layer count no memory can hold is refused before anything is allocated (it used to
    // allocate layer after layer until the process ran out of memory); 2^32 parameters is the
    // limit, met exactly by 2^26 layers of 64 parameters each.
    expect(() => new nn.LSTM(4, 8, { numLayers: 1e300 })).toThrow(/numLayers 1e\+300, inputSize 4 and hiddenSize 8 make .* parameters, more than 4294967296/);
    expect(() => new nn.GRU(2, 2, { numLayers: 1e9, bidirectional: true })).toThrow(ValueError);
    expect(() => new nn.GRU(4, 8, { batchfirst: true } as never)).toThrow(ValueError);
  });
});
