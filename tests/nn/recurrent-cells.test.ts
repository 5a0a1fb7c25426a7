// RNNCell (tanh, relu), LSTMCell and GRUCell: one step against a float64 reference written here
// from PyTorch's documented cell equations (plain loops), a cell stepped over a sequence against
// nn.RNN/LSTM/GRU with the same weights (outputs and every gradient), gradients by finite
// differences, PyTorch 1.13's values (tests/parity/cases/recurrent-cells.json, made by
// scripts/torch-parity/recurrent_cells.py), the parameters' contract and the typed errors.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, nn, noGrad, Rng, ShapeError, stack, Tensor, ValueError } from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { noMismatch } from "../support/grad-leaves.js";
import { gamma, U32 } from "../support/tolerance.js";
import { decode, expectClose, type EncodedTensor } from "../parity/run-case.js";

type Kind = "rnn_tanh" | "rnn_relu" | "lstm" | "gru";
type Cell = nn.RNNCell | nn.LSTMCell | nn.GRUCell;
type DType = "float32" | "float64";
const gatesOf = (k: Kind) => (k === "lstm" ? 4 : k === "gru" ? 3 : 1);
const sig = (v: number) => 1 / (1 + Math.exp(-v));

function makeCell(kind: Kind, I: number, H: number, o: { bias?: boolean; seed?: number; dtype?: DType } = {}): Cell {
  if (kind === "lstm") return new nn.LSTMCell(I, H, o);
  if (kind === "gru") return new nn.GRUCell(I, H, o);
  return new nn.RNNCell(I, H, { ...o, nonlinearity: kind === "rnn_relu" ? "relu" : "tanh" });
}

/** One step of any cell: [h', c'] (c' null but for the LSTM). */
function stepCell(cell: Cell, x: Tensor, h?: Tensor, c?: Tensor): [Tensor, Tensor | null] {
  if (cell instanceof nn.LSTMCell) return cell.forward(x, h && c ? [h, c] : undefined);
  return [(cell as nn.GRUCell).forward(x, h), null];
}

interface RefOut { h: number[][]; c: number[][]; bound: number[][] }
/**
 * PyTorch's cell equations in float64, one unit at a time. x [B][I], h and c [B][H]. `bound` is
 * each element's float32 error bound: the pre-activations are sums of I + H + 2 terms (two GEMMs
 * with their biases, then their sum), each error passes through gates of slope ≤ 1 and is scaled
 * by at most 2 + |h| + |c| + (the GRU's |W_hn h + b_hn|); the gate functions add a few ulps each.
 */
function refCell(kind: Kind, p: Record<string, ArrayLike<number>>, x: number[][], h: number[][], c: number[][]): RefOut {
  const I = x[0]?.length ?? 0, H = h[0]?.length ?? 0;
  const wih = p.weight_ih, whh = p.weight_hh, bih = p.bias_ih, bhh = p.bias_hh;
  const out: RefOut = { h: [], c: [], bound: [] };
  x.forEach((xb, b) => {
    const wx = (r: number) => { let v = bih ? bih[r] : 0; for (let i = 0; i < I; i++) v += wih[r * I + i] * xb[i]; return v; };
    const wh = (r: number) => { let v = bhh ? bhh[r] : 0; for (let i = 0; i < H; i++) v += whh[r * H + i] * h[b][i]; return v; };
    const abs = (r: number) => {
      let v = Math.abs(bih ? bih[r] : 0) + Math.abs(bhh ? bhh[r] : 0);
      for (let i = 0; i < I; i++) v += Math.abs(wih[r * I + i] * xb[i]);
      for (let i = 0; i < H; i++) v += Math.abs(whh[r * H + i] * h[b][i]);
      return v;
    };
    const hb: number[] = [], cb: number[] = [], eb: number[] = [];
    for (let j = 0; j < H; j++) {
      let a = 0, scale = 2 + Math.abs(h[b][j]) + Math.abs(c[b][j]);
      for (let g = 0; g < gatesOf(kind); g++) a = Math.max(a, abs(g * H + j));
      if (kind === "lstm") {
        const i = sig(wx(j) + wh(j)), f = sig(wx(H + j) + wh(H + j)), g = Math.tanh(wx(2 * H + j) + wh(2 * H + j));
        const o = sig(wx(3 * H + j) + wh(3 * H + j));
        cb.push(f * c[b][j] + i * g);
        hb.push(o * Math.tanh(cb[j]));
      } else if (kind === "gru") {
        const r = sig(wx(j) + wh(j)), z = sig(wx(H + j) + wh(H + j));
        const n = Math.tanh(wx(2 * H + j) + r * wh(2 * H + j));
        hb.push((1 - z) * n + z * h[b][j]);
        scale += a;
      } else {
        const v = wx(j) + wh(j);
        hb.push(kind === "rnn_tanh" ? Math.tanh(v) : Math.max(0, v));
      }
      eb.push(4 * (gamma(I + H + 2) * a + 16 * U32) * scale + 1e-30);
    }
    out.h.push(hb); out.c.push(cb); out.bound.push(eb);
  });
  return out;
}

const fill = (n: number, rng: Rng, scale = 1) => Array.from({ length: n }, () => (2 * rng.uniform() - 1) * scale);
const rows = (d: ArrayLike<number>, B: number, n: number) => Array.from({ length: B }, (_, b) => Array.from({ length: n }, (_, i) => d[b * n + i]));
const tensorOf = (d: ArrayLike<number>, shape: readonly number[], dtype: DType) =>
  new Tensor(dtype === "float32" ? Float32Array.from(d) : Float64Array.from(d), dtype, shape.slice());
const params = (m: nn.Module) => Object.fromEntries(m.namedParameters().map(([k, t]) => [k, Float64Array.from(t.data)]));

const caseArb = fc.record({
  kind: fc.constantFrom<Kind>("rnn_tanh", "rnn_relu", "lstm", "gru"),
  // H straddles the cells' 4-lane vectors (ragged tails); I and B the GEMM's edges.
  B: fc.integer({ min: 1, max: 5 }), I: fc.integer({ min: 1, max: 9 }), H: fc.integer({ min: 1, max: 9 }),
  bias: fc.boolean(), withState: fc.boolean(), unbatched: fc.boolean(), seed: fc.integer({ min: 1, max: 1e6 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer C> ? C : never;

/** A cell of the case and its input and state as float64 values (the state zeros when not given). */
function drawn(c: Case, dtype: DType) {
  const cell = makeCell(c.kind, c.I, c.H, { bias: c.bias, seed: c.seed, dtype });
  const rng = new Rng(c.seed + 7), B = c.unbatched ? 1 : c.B;
  const x = fill(B * c.I, rng, 1.5), h = c.withState ? fill(B * c.H, rng) : new Array<number>(B * c.H).fill(0);
  const cc = c.withState ? fill(B * c.H, rng) : new Array<number>(B * c.H).fill(0);
  const lead = c.unbatched ? [] : [B];
  return { cell, B, x, h, c: cc, xt: tensorOf(x, [...lead, c.I], dtype), ht: tensorOf(h, [...lead, c.H], dtype), ct: tensorOf(cc, [...lead, c.H], dtype) };
}

describe("RNNCell, LSTMCell, GRUCell: one step (float32) against the float64 reference", () => {
  it("h' (and c') for drawn sizes, bias, state given or not, batched or unbatched", () => {
    fc.assert(fc.property(caseArb, (c) => {
      const d = drawn(c, "float32");
      const [h1, c1] = noGrad(() => stepCell(d.cell, d.xt, c.withState ? d.ht : undefined, c.withState ? d.ct : undefined));
      const want = c.unbatched ? [c.H] : [d.B, c.H];
      expect(h1.shape).toEqual(want);
      if (c1) expect(c1.shape).toEqual(want);
      // The reference on the cell's own float32 values (the state as given, rounded to float32).
      const f32 = (a: number[]) => Array.from(Float32Array.from(a));
      const r = refCell(c.kind, params(d.cell), rows(f32(d.x), d.B, c.I), rows(f32(d.h), d.B, c.H), rows(f32(d.c), d.B, c.H));
      r.h.flat().forEach((v, i) => expect(Math.abs(h1.data[i] - v)).toBeLessThanOrEqual(r.bound.flat()[i]));
      if (c1) r.c.flat().forEach((v, i) => expect(Math.abs(c1.data[i] - v)).toBeLessThanOrEqual(r.bound.flat()[i]));
    }), { numRuns: 80 });
  });
});

/** The layer of a cell's kind with one layer, its weights copied from the cell (keys weight_ih → weight_ih_l0). */
function layerLike(cell: Cell, kind: Kind, dtype: DType): nn.RNN | nn.LSTM | nn.GRU {
  const o = { bias: cell.bias, dtype };
  const layer = kind === "lstm" ? new nn.LSTM(cell.inputSize, cell.hiddenSize, o) : kind === "gru" ? new nn.GRU(cell.inputSize, cell.hiddenSize, o)
    : new nn.RNN(cell.inputSize, cell.hiddenSize, { ...o, nonlinearity: kind === "rnn_relu" ? "relu" : "tanh" });
  layer.loadStateDict(Object.fromEntries(Object.entries(cell.stateDict()).map(([k, t]) => [`${k}_l0`, t])));
  return layer;
}

describe("a cell stepped over a sequence is the one-layer nn.RNN / LSTM / GRU", () => {
  const seqArb = fc.record({ c: caseArb, T: fc.integer({ min: 1, max: 5 }), dtype: fc.constantFrom<DType>("float32", "float64") });

  it("output for output, and the gradients of x, h0, c0 and every parameter", () => {
    fc.assert(fc.property(seqArb, ({ c, T, dtype }) => {
      const cell = makeCell(c.kind, c.I, c.H, { bias: c.bias, seed: c.seed, dtype }), layer = layerLike(cell, c.kind, dtype);
      const rng = new Rng(c.seed + 3), B = c.unbatched ? 1 : c.B, lead = c.unbatched ? [] : [B];
      const xs = fill(T * B * c.I, rng, 1.5), h0 = fill(B * c.H, rng), c0 = fill(B * c.H, rng);
      const wy = fill(T * B * c.H, rng), wc = fill(B * c.H, rng);
      const leaves = () => {
        const t = [tensorOf(xs, [T, ...lead, c.I], dtype), tensorOf(h0, [...lead, c.H], dtype), tensorOf(c0, [...lead, c.H], dtype)];
        for (const l of t) l.requiresGrad = true;
        return t;
      };
      // Σ wy·output + Σ wc·(last c): every output of both, one scalar.
      const loss = (y: Tensor, cN: Tensor | null) => {
        const s = y.mul(tensorOf(wy, y.shape, dtype)).sum();
        return cN ? s.add(cN.mul(tensorOf(wc, cN.shape, dtype)).sum()) : s;
      };
      const [xa, ha, ca] = leaves();
      const ys: Tensor[] = [];
      let h = ha, cc: Tensor | null = ca;
      for (let t = 0; t < T; t++) {
        [h, cc] = stepCell(cell, xa.slice(t), h, cc ?? undefined);
        ys.push(h);
      }
      const yCell = stack(ys, 0);
      loss(yCell, cc).backward();

      const [xb, hb, cb] = leaves();
      const s0 = (t: Tensor) => t.unsqueeze(0);
      let yLayer: Tensor, cLayer: Tensor | null = null;
      if (layer instanceof nn.LSTM) { const [y, [, cN]] = layer.forward(xb, [s0(hb), s0(cb)]); yLayer = y; cLayer = cN.squeeze(0); }
      else [yLayer] = (layer as nn.GRU).forward(xb, s0(hb));
      loss(yLayer, cLayer).backward();

      // The forward is the same kernels on the same numbers, so the same bits: a GEMM's order of
      // summation over k depends on k alone (its blocking too), not on how many rows (T·B or B)
      // it runs. The gradients add the steps' terms in another order (the layer: one GEMM over
      // all steps; the cells: the tape, step by step), so they agree within rounding.
      const u = dtype === "float32" ? U32 : 2 ** -53;
      const close = (a: Tensor, b: Tensor, what: string, terms: number) => {
        const scale = Math.max(1, ...Array.from(b.data, Math.abs));
        const tol = 2 * terms * u * scale;
        Array.from(a.data).forEach((v, i) => { if (!(Math.abs(v - b.data[i]) <= tol)) expect.fail(`${what}[${i}]: ${v} against ${b.data[i]} (tol ${tol})`); });
      };
      expect(yCell.shape).toEqual(yLayer.shape);
      expect(Array.from(yCell.data)).toEqual(Array.from(yLayer.data));
      if (cc) expect(Array.from(cc.data)).toEqual(Array.from(cLayer!.data));
      const terms = 8 * T * B * (c.I + c.H + 8);
      close(xa.grad!, xb.grad!, "dx", terms);
      close(ha.grad!, hb.grad!, "dh0", terms);
      if (c.kind === "lstm") close(ca.grad!, cb.grad!, "dc0", terms);
      const lp = new Map(layer.namedParameters());
      for (const [k, p] of cell.namedParameters()) close(p.grad!, lp.get(`${k}_l0`)!.grad!, `d${k}`, terms);
    }), { numRuns: 40 });
  });
});

describe("RNNCell, LSTMCell, GRUCell gradients by finite differences (float64)", () => {
  it("x, h, c and every parameter, over one or two steps", () => {
    fc.assert(fc.property(caseArb, fc.integer({ min: 1, max: 2 }), (c0, steps) => {
      const c = { ...c0, B: Math.min(c0.B, 3), withState: true };
      const d = drawn(c, "float64");
      const leaves = [d.xt, d.ht, ...(c.kind === "lstm" ? [d.ct] : []), ...d.cell.parameters()];
      for (const t of leaves) t.requiresGrad = true;
      const w = new Rng(c.seed + 11);
      const wOut = Float64Array.from({ length: 2 * d.B * c.H }, () => 0.5 + w.uniform());
      // Σ w·out² with fixed w > 0 over every output: positive terms, so the checker's rounding estimate holds.
      const term = (t: Tensor, at: number) => t.mul(t).mul(tensorOf(wOut.subarray(at, at + t.size), t.shape, "float64")).sum();
      const f = () => {
        let h = d.ht, cc: Tensor | null = d.ct;
        for (let s = 0; s < steps; s++) [h, cc] = stepCell(d.cell, d.xt, h, cc ?? undefined);
        return cc ? term(h, 0).add(term(cc, h.size)) : term(h, 0);
      };
      noMismatch(findGradMismatches(f, leaves));
    }), { numRuns: 25 });
  });
});

interface TorchCase {
  id: string; cell: "RNNCell" | "LSTMCell" | "GRUCell"; args: [number, number, Record<string, unknown>]; withState: boolean;
  state: Record<string, EncodedTensor>; input: EncodedTensor; h: EncodedTensor; c: EncodedTensor;
  outputs: EncodedTensor[]; inputGrad: EncodedTensor; hGrad?: EncodedTensor; cGrad?: EncodedTensor;
  paramGrads: Record<string, EncodedTensor>;
}

describe("PyTorch 1.13 values (tests/parity/cases/recurrent-cells.json)", () => {
  const { cases } = JSON.parse(readFileSync(new URL("../parity/cases/recurrent-cells.json", import.meta.url), "utf8")) as { cases: TorchCase[] };
  // PyTorch computed in float64 from float32 parameters and inputs, and kept 10 significant digits.
  const close64 = (got: Tensor, want: EncodedTensor, what: string) => {
    expect(got.shape, `${what} shape`).toEqual(want.shape);
    want.data.forEach((v, i) => { if (!(Math.abs(got.data[i] - v) <= 1e-9 * (Math.abs(v) + 1e-3))) expect.fail(`${what}[${i}]: ${got.data[i]}, PyTorch ${v}`); });
  };
  for (const dtype of ["float32", "float64"] as const) {
    for (const c of cases) {
      it(`${c.id} (${dtype})`, () => {
        const [I, H, o] = c.args;
        const cell = new (nn[c.cell] as new (i: number, h: number, o: object) => Cell)(I, H, { ...o, dtype });
        cell.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, decode(t).astype(dtype)])));
        const leaf = (t: EncodedTensor) => { const l = decode(t).astype(dtype).detach(); l.requiresGrad = true; return l; };
        const x = leaf(c.input), h = leaf(c.h), cc = leaf(c.c);
        const outs = cell instanceof nn.LSTMCell ? cell.forward(x, c.withState ? [h, cc] : undefined)
          : [(cell as nn.GRUCell).forward(x, c.withState ? h : undefined)];
        outs.map((t) => t.sum()).reduce((a, b) => a.add(b)).backward();
        const terms = 4 * (I + H + 8);
        const check = (got: Tensor, want: EncodedTensor, what: string, n: number) =>
          (dtype === "float64" ? close64(got, want, `${c.id} ${what}`) : expectClose(got, want, n, `${c.id} ${what}`));
        outs.forEach((t, i) => check(t, c.outputs[i], `output ${i}`, terms));
        check(x.grad!, c.inputGrad, "input gradient", 2 * terms);
        if (c.withState) {
          check(h.grad!, c.hGrad!, "h gradient", 2 * terms);
          if (c.cGrad) check(cc.grad!, c.cGrad, "c gradient", 2 * terms);
        }
        const ps = new Map(cell.namedParameters());
        expect([...ps.keys()]).toEqual(Object.keys(c.paramGrads));
        for (const [k, want] of Object.entries(c.paramGrads)) check(ps.get(k)!.grad!, want, `grad of ${k}`, 2 * terms);
      });
    }
  }
});

describe("RNNCell, LSTMCell, GRUCell: parameters", () => {
  it("PyTorch's state-dict keys, order and shapes; no biases with bias: false", () => {
    const shapes = (m: nn.Module) => m.namedParameters().map(([k, t]) => [k, t.shape]);
    expect(shapes(new nn.LSTMCell(3, 5))).toEqual([["weight_ih", [20, 3]], ["weight_hh", [20, 5]], ["bias_ih", [20]], ["bias_hh", [20]]]);
    expect(shapes(new nn.GRUCell(3, 5))).toEqual([["weight_ih", [15, 3]], ["weight_hh", [15, 5]], ["bias_ih", [15]], ["bias_hh", [15]]]);
    expect(shapes(new nn.RNNCell(3, 5, { bias: false }))).toEqual([["weight_ih", [5, 3]], ["weight_hh", [5, 5]]]);
    const g = new nn.GRUCell(2, 4, { dtype: "float64" });
    // The fields are the registered parameters themselves: loadStateDict writes into them.
    const fields = [g.weightIh, g.weightHh, g.biasIh, g.biasHh];
    expect(g.parameters().every((p, i) => p === fields[i])).toBe(true);
    g.loadStateDict(new nn.GRUCell(2, 4, { dtype: "float64", seed: 9 }).stateDict());
    expect(Array.from(g.weightHh.data)).toEqual(Array.from(new nn.GRUCell(2, 4, { dtype: "float64", seed: 9 }).weightHh.data));
    expect(g.weightIh.dtype).toBe("float64");
  });

  it("U(±1/√hidden) from the seed, the same numbers as the one-layer layer of that seed", () => {
    for (const kind of ["rnn_tanh", "lstm", "gru"] as const) {
      const cell = makeCell(kind, 3, 16, { seed: 4 });
      const seeded = kind === "lstm" ? new nn.LSTM(3, 16, { seed: 4 }) : kind === "gru" ? new nn.GRU(3, 16, { seed: 4 }) : new nn.RNN(3, 16, { seed: 4 });
      const all = cell.parameters().flatMap((t) => Array.from(t.data));
      expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.24);
      expect(cell.parameters().map((t) => Array.from(t.data))).toEqual(seeded.parameters().map((t) => Array.from(t.data)));
      expect(Array.from(makeCell(kind, 3, 16, { seed: 5 }).parameters()[0].data)).not.toEqual(Array.from(cell.parameters()[0].data));
    }
  });

  it("an empty batch gives empty outputs, as PyTorch", () => {
    const [h, c] = new nn.LSTMCell(3, 4).forward(new Tensor(new Float32Array(0), "float32", [0, 3]));
    expect([h.shape, c.shape]).toEqual([[0, 4], [0, 4]]);
  });
});

describe("RNNCell, LSTMCell, GRUCell: typed errors, nothing changed", () => {
  const z = (shape: number[], dtype: DType = "float32") => tensorOf(new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(0.5), shape, dtype);

  it("refuses a bad input or state naming the shapes, and leaves the cell and the state as they were", () => {
    const rnn = new nn.RNNCell(4, 3, { seed: 1 }), lstm = new nn.LSTMCell(4, 3, { seed: 2 }), gru = new nn.GRUCell(4, 3, { seed: 3 });
    const before = [rnn, lstm, gru].map((m) => Object.values(m.stateDict()).map((t) => Array.from(t.data)));
    const h = z([2, 3]), hBefore = Array.from(h.data);
    const bad: [() => unknown, typeof ValueError, RegExp][] = [
      [() => rnn.forward(z([2, 5])), ShapeError, /RNNCell: input of shape \[2,5\] has 5 features, expected inputSize 4/],
      [() => gru.forward(z([2, 4]), z([3, 3])), ShapeError, /GRUCell: hx of shape \[3,3\] has batch 3, the input of shape \[2,4\] has batch 2/],
      [() => rnn.forward(z([2, 4]), z([2, 5])), ShapeError, /hx of shape \[2,5\] has 5 features, expected hiddenSize 3/],
      [() => rnn.forward(z([4]), h), ShapeError, /RNNCell: hx has shape \[2,3\], expected \[hiddenSize\] for a 1-D input: \[3\]/],
      [() => rnn.forward(z([2, 4]), z([3])), ShapeError, /hx has shape \[3\], expected \[batch, hiddenSize\]: \[2,3\]/],
      [() => rnn.forward(z([1, 2, 4])), ShapeError, /input must be 2-D \[batch, inputSize\] or 1-D \[inputSize\] \(unbatched\), got shape \[1,2,4\]/],
      [() => lstm.forward(z([2, 4]), [h, z([1, 3])]), ShapeError, /LSTMCell: c of shape \[1,3\] has batch 1, the input of shape \[2,4\] has batch 2/],
      [() => lstm.forward(z([2, 4]), h as never), ValueError, /LSTMCell: the state must be \[h, c\], two Tensors/],
      [() => lstm.forward(z([2, 4]), [h] as never), ValueError, /\[h, c\]/],
      [() => gru.forward(z([2, 4]), [h, h] as never), ValueError, /GRUCell: hx must be a Tensor of shape \[2,3\], got an array/],
      [() => gru.forward([1, 2, 3, 4] as never), ValueError, /GRUCell: input must be a Tensor/],
      [() => gru.forward(z([2, 4], "float64")), DTypeError, /input is float64, the cell's weights are float32/],
      [() => rnn.forward(z([2, 4]), z([2, 3], "float64")), DTypeError, /hx is float64/],
    ];
    for (const [f, E, msg] of bad) {
      expect(f).toThrow(E);
      expect(f).toThrow(msg);
    }
    expect([rnn, lstm, gru].map((m) => Object.values(m.stateDict()).map((t) => Array.from(t.data)))).toEqual(before);
    expect([rnn, lstm, gru].every((m) => m.parameters().every((p) => p.grad === null))).toBe(true);
    expect(Array.from(h.data)).toEqual(hBefore);
  });

  it("refuses bad sizes and options", () => {
    for (const C of [nn.RNNCell, nn.LSTMCell, nn.GRUCell]) {
      const name = C.typeName;
      expect(() => new C(0, 3)).toThrow(new RegExp(`${name}: inputSize must be a positive integer, got 0`));
      expect(() => new C(4, -1)).toThrow(/hiddenSize must be a positive integer, got -1/);
      expect(() => new C(4, 2.5)).toThrow(ValueError);
      expect(() => new C(4, 3, { bais: false } as never)).toThrow(new RegExp(`${name}: unknown option "bais"`));
      expect(() => new C(4, 3, { bias: "no" } as never)).toThrow(/bias must be true or false/);
      expect(() => new C(4, 3, { dtype: "int32" } as never)).toThrow(DTypeError);
      expect(() => new C(4, 3, { seed: 1, rng: new Rng(1) })).toThrow(ValueError);
    }
    expect(() => new nn.RNNCell(4, 3, { nonlinearity: "sigmoid" as never })).toThrow(/RNNCell: nonlinearity must be "tanh" or "relu", got "sigmoid"/);
    expect(() => new nn.LSTMCell(4, 3, { nonlinearity: "relu" } as never)).toThrow(/LSTMCell: unknown option "nonlinearity"/);
    expect(() => new nn.GRUCell(4, 3, { numLayers: 2 } as never)).toThrow(/unknown option "numLayers"/);
  });
});
