// importOnnx on sequence models: exported RNN (tanh, relu), LSTM and GRU (drawn layers, directions,
// layouts, biases, sizes) give the layer's output, h_n and c_n within the bound of the float64
// reference of tests/support/recurrent-reference.ts, as onnxruntime-web does on the same bytes; a
// hand-built GRU with linear_before_reset = 0, initial states and the reverse direction (which
// the exporter never writes) against ONNX's equations written here; and the exported transformer
// token classifier within the bound of tests/support/sequence-reference.ts.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { refRecurrent, type Kind } from "../support/recurrent-reference.js";
import { reference as sequenceReference } from "../support/sequence-reference.js";
import { valuesFrom } from "../support/reference.js";
import { attrInt, attrString, FLOAT, graphModel, node, ortRun } from "../support/onnx-graph.js";
import { gamma, U32 } from "../support/tolerance.js";

const nn = eg.nn;
type Layer = eg.nn.RNN | eg.nn.LSTM | eg.nn.GRU;

const caseArb = fc.record({
  kind: fc.constantFrom<Kind>("rnn_tanh", "rnn_relu", "lstm", "gru"),
  layers: fc.integer({ min: 1, max: 2 }), bidirectional: fc.boolean(), batchFirst: fc.boolean(), bias: fc.boolean(),
  T: fc.integer({ min: 1, max: 5 }), B: fc.integer({ min: 1, max: 3 }), I: fc.integer({ min: 1, max: 5 }), H: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer C> ? C : never;

function makeLayer(c: Case): Layer {
  const o = { numLayers: c.layers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, bias: c.bias, seed: c.seed };
  if (c.kind === "lstm") return new nn.LSTM(c.I, c.H, o);
  if (c.kind === "gru") return new nn.GRU(c.I, c.H, o);
  return new nn.RNN(c.I, c.H, { ...o, nonlinearity: c.kind === "rnn_relu" ? "relu" : "tanh" });
}

/**
 * float32 bound, as tests/io/onnx-recurrent.test.ts derives it: each step sums I + D·H + 2 terms of
 * |x| ≤ 1.5 (or a state) times |w| ≤ 1/√H plus a few gate roundings; T steps and L layers carry
 * the errors forward.
 */
function tolerance(c: Case, ref: number[]): number {
  const D = c.bidirectional ? 2 : 1, scale = Math.max(1, ...ref.map(Math.abs));
  return gamma(8 * (c.I + D * c.H + 8) * c.T * c.layers) * (4 + 2 * (c.I + D * c.H)) * scale;
}

function expectNear(who: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= tol)) throw new Error(`${who} ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol})`);
}

function recurrentReference(m: Layer, c: Case, x: Float32Array) {
  const D = c.bidirectional ? 2 : 1;
  const p = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Float64Array.from(t.data)]));
  const at = (t: number, b: number, i: number) => x[(c.batchFirst ? b * c.T + t : t * c.B + b) * c.I + i];
  const xt = Array.from({ length: c.T }, (_, t) => Array.from({ length: c.B }, (_, b) => Array.from({ length: c.I }, (_, i) => at(t, b, i))));
  const zero = () => Array.from({ length: c.layers * D }, () => Array.from({ length: c.B }, () => new Array<number>(c.H).fill(0)));
  const r = refRecurrent({ kind: c.kind, layers: c.layers, dirs: D, hidden: c.H, bias: c.bias }, p, xt, zero(), c.kind === "lstm" ? zero() : null);
  const y: number[] = [];
  if (c.batchFirst) for (let b = 0; b < c.B; b++) for (let t = 0; t < c.T; t++) y.push(...r.y[t][b]);
  else for (let t = 0; t < c.T; t++) for (let b = 0; b < c.B; b++) y.push(...r.y[t][b]);
  return { output: y, h_n: r.hN.flat(2), c_n: r.cN ? r.cN.flat(2) : null };
}

describe("importOnnx of exported recurrent layers", () => {
  it("gives the output sequence, h_n and c_n within the reference's bound, as onnxruntime-web does, for drawn modes, layers, directions, layouts and sizes", async () => {
    await fc.assert(fc.asyncProperty(caseArb, async (c) => {
      const m = makeLayer(c), bytes = eg.io.exportOnnx(m);
      const v = valuesFrom(c.seed, -1.5, 1.5), shape = c.batchFirst ? [c.B, c.T, c.I] : [c.T, c.B, c.I];
      const x = eg.fromTypedArray(Float32Array.from({ length: c.T * c.B * c.I }, (_, i) => v(i)), shape);
      const imported = eg.io.importOnnx(bytes);
      expect(imported.outputNames).toEqual(c.kind === "lstm" ? ["output", "h_n", "c_n"] : ["output", "h_n"]);
      const mine = eg.noGrad(() => imported.run({ input: x }));
      const theirs = await ortRun(bytes, { input: x });
      const ref = recurrentReference(m, c, x.data as Float32Array);
      for (const name of imported.outputNames) {
        const want = ref[name as keyof typeof ref] as number[], tol = tolerance(c, want);
        expect(mine[name].shape).toEqual(theirs[name].dims);
        expectNear(`imported ${name}`, mine[name].data, want, tol);
        expectNear(`onnxruntime ${name}`, theirs[name].data, want, tol);
      }
    }), { numRuns: 30 });
  });
});

describe("a hand-built GRU: linear_before_reset 0, initial state, reverse", () => {
  it("follows ONNX's equations (float64, written here) and agrees with onnxruntime-web", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }),
      fc.boolean(), fc.integer({ min: 1, max: 1e6 }), async (T, N, I, H, reverse, seed) => {
        const draw = (shape: number[], k: number) => {
          const v = valuesFrom(seed + k, -0.8, 0.8);
          return eg.fromTypedArray(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => v(i)), shape);
        };
        const X = draw([T, N, I], 1), W = draw([1, 3 * H, I], 2), R = draw([1, 3 * H, H], 3), B = draw([1, 6 * H], 4), h0 = draw([1, N, H], 5);
        const bytes = graphModel({
          nodes: [node("GRU", ["X", "W", "R", "B", "", "h0"], ["Y", "Yh"], "gru", [attrInt("hidden_size", H), attrString("direction", reverse ? "reverse" : "forward")])],
          inputs: ["X", "W", "R", "B", "h0"].map((name) => ({ name, type: FLOAT })), outputs: [{ name: "Y", type: FLOAT }, { name: "Yh", type: FLOAT }],
        });
        const feeds = { X, W, R, B, h0 };
        const mine = eg.io.importOnnx(bytes).run(feeds), theirs = await ortRun(bytes, feeds);
        // ONNX GRU, z r h order, linear_before_reset = 0: h̃ = tanh(Wh·x + Rh·(r ⊙ h) + Rbh + Wbh).
        const [x, w, r, b] = [X, W, R, B].map((t) => t.data);
        let h = Array.from({ length: N }, (_, n) => Array.from({ length: H }, (_, j) => h0.data[n * H + j]));
        const y = new Float64Array(T * N * H), sig = (v: number) => 1 / (1 + Math.exp(-v));
        for (let step = 0; step < T; step++) {
          const t = reverse ? T - 1 - step : step;
          h = h.map((hn, n) => {
            const wx = (row: number) => { let s = b[row]; for (let i = 0; i < I; i++) s += w[row * I + i] * x[(t * N + n) * I + i]; return s; };
            const rh = (row: number, v: number[]) => { let s = b[3 * H + row]; for (let k = 0; k < H; k++) s += r[row * H + k] * v[k]; return s; };
            const z = hn.map((_, j) => sig(wx(j) + rh(j, hn))), rr = hn.map((_, j) => sig(wx(H + j) + rh(H + j, hn)));
            const reset = hn.map((v, k) => rr[k] * v);
            return hn.map((v, j) => { const c = Math.tanh(wx(2 * H + j) + rh(2 * H + j, reset)); return (1 - z[j]) * c + z[j] * v; });
          });
          h.forEach((hn, n) => hn.forEach((v, j) => { y[(t * N + n) * H + j] = v; }));
        }
        const tol = gamma(8 * (I + H + 8) * T) * (4 + 2 * (I + H));
        expect(mine.Y.shape).toEqual([T, 1, N, H]);
        expectNear("imported Y", mine.Y.data, y, tol);
        expectNear("onnxruntime Y", theirs.Y.data, y, tol);
        expectNear("imported Y_h", mine.Yh.data, reverse ? y.slice(0, N * H) : y.slice((T - 1) * N * H), tol);
      }), { numRuns: 20 });
  });
});

describe("importOnnx of the exported transformer token classifier", () => {
  it("Embedding → TransformerEncoder (post- and pre-norm, relu and gelu) → Linear is within the reference's bound, as onnxruntime-web (int64 ids) and the model", async () => {
    await fc.assert(fc.asyncProperty(fc.boolean(), fc.constantFrom<"relu" | "gelu">("relu", "gelu"), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 1e6 }),
      async (normFirst, activation, N, S, seed) => {
        const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 12, batchFirst: true, normFirst, activation, seed });
        const model = new nn.Sequential(new nn.Embedding(11, 8, { seed: seed + 1 }), new nn.TransformerEncoder(layer, 2, { norm: new nn.LayerNorm(8) }), new nn.Linear(8, 3, { seed: seed + 2 })).eval();
        for (const [k, p] of Object.entries(model.stateDict())) if (/bias|norm/.test(k)) p.storage.forEach((_, i, a) => { a[i] += 0.1 * Math.sin(7 * i + k.length); });
        const ids = eg.fromTypedArray(Int32Array.from({ length: N * S }, (_, i) => (i * 7 + seed) % 11), [N, S]);
        const bytes = eg.io.exportOnnx(model, { inputShape: [S] });
        const ref = sequenceReference(eg.io.describeSequential(model), [N, S], ids.data);
        const imported = eg.io.importOnnx(bytes);
        // Every parameter of the model is one of the imported model's, by name (the scalar constants are buffers).
        expect(imported.namedParameters().map(([k]) => k).sort()).toEqual(model.namedParameters().map(([k]) => k).sort());
        const got = { imported: eg.noGrad(() => imported.forward(ids) as eg.Tensor).data, edgegrad: eg.noGrad(() => model.forward(ids)).data, onnxruntime: (await ortRun(bytes, { input: ids })).output.data };
        for (const [who, v] of Object.entries(got)) {
          ref.y.forEach((want, i) => {
            const bound = ref.err[i] + U32 * Math.abs(want);
            if (!(Math.abs(v[i] - want) <= bound)) throw new Error(`${who} output ${i}: ${v[i]} vs float64 ${want} (bound ${bound})`);
          });
        }
      }), { numRuns: 8 });
  });
});
