// nn.autocast("bf16", …) and fit's precision option: Linear and Conv inside a scope compute with
// their float32 weights and save bfloat16 activations, so outputs and gradients are compared with
// float64 references written here from the same bfloat16-rounded activations;
// the graph keeps no float32 intermediate; unsupported precisions are refused before anything changes.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as eg from "../../src/index.js";
import { gemmTol } from "../support/tolerance.js";
import { bf16Reference, bf16Value, convReference } from "../support/bf16-reference.js";

const rounded = (x: ArrayLike<number>) => Array.from(x, (v) => bf16Value(bf16Reference(v)));

function expectWithin(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: (i: number) => number): void {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol(i))) throw new Error(`${name}[${i}] = ${got[i]}, want ${want[i]} ± ${tol(i)}`);
  }
}

describe("autocast: Linear (fused relu) in bfloat16", () => {
  it("forward and gradients equal float64 sums over W and bf16(x), masked by bf16(y) > 0", () => {
    const arb = fc.record({ m: fc.integer({ min: 1, max: 9 }), inF: fc.integer({ min: 1, max: 19 }), outF: fc.integer({ min: 1, max: 17 }), relu: fc.boolean(), seed: fc.nat() });
    fc.assert(fc.property(arb, ({ m, inF, outF, relu, seed }) => {
      const x = eg.randn([m, inF], { seed, requiresGrad: true });
      const w = eg.randn([outF, inF], { seed: seed + 1, requiresGrad: true });
      const b = eg.randn([outF], { seed: seed + 2, requiresGrad: true });
      const r = eg.randn([m, outF], { seed: seed + 3 });
      const y = eg.nn.autocast("bf16", () => eg.linear(x, w, b, { relu }));
      y.mul(r).sum().backward();
      const xv = x.data, wv = Array.from(w.data), xr = rounded(x.data), bv = b.data, rv = r.data, yv = y.data;
      const want = new Float64Array(m * outF), abs = new Float64Array(m * outF);
      for (let i = 0; i < m; i++) {
        for (let o = 0; o < outF; o++) {
          let s = bv[o], a = Math.abs(bv[o]);
          for (let p = 0; p < inF; p++) { s += xv[i * inF + p] * wv[o * inF + p]; a += Math.abs(xv[i * inF + p] * wv[o * inF + p]); }
          want[i * outF + o] = relu ? Math.max(s, 0) : s;
          abs[i * outF + o] = a;
        }
      }
      expectWithin("y", yv, want, (i) => gemmTol(abs[i], want[i], inF + 1));
      // The gradient at y passes where the saved bfloat16 output is positive.
      const g = Array.from(rv, (v, i) => (!relu || bf16Value(bf16Reference(yv[i])) > 0 ? v : 0));
      const dx = new Float64Array(m * inF), dxAbs = new Float64Array(m * inF), dw = new Float64Array(outF * inF), dwAbs = new Float64Array(outF * inF);
      const db = new Float64Array(outF), dbAbs = new Float64Array(outF);
      for (let i = 0; i < m; i++) {
        for (let o = 0; o < outF; o++) {
          db[o] += g[i * outF + o];
          dbAbs[o] += Math.abs(g[i * outF + o]);
          for (let p = 0; p < inF; p++) {
            dx[i * inF + p] += g[i * outF + o] * wv[o * inF + p]; dxAbs[i * inF + p] += Math.abs(g[i * outF + o] * wv[o * inF + p]);
            dw[o * inF + p] += g[i * outF + o] * xr[i * inF + p]; dwAbs[o * inF + p] += Math.abs(g[i * outF + o] * xr[i * inF + p]);
          }
        }
      }
      expectWithin("dx", x.grad!.data, dx, (i) => gemmTol(dxAbs[i], dx[i], outF));
      expectWithin("dW", w.grad!.data, dw, (i) => gemmTol(dwAbs[i], dw[i], m));
      expectWithin("db", b.grad!.data, db, (i) => gemmTol(dbAbs[i], db[i], m));
    }), { numRuns: 40 });
  });

  it("keeps no float32 intermediate in the graph: computed inputs become data-free stand-ins", () => {
    const model = new eg.nn.Sequential(new eg.nn.Linear(6, 5, { seed: 1 }), new eg.nn.ReLU(), new eg.nn.Linear(5, 3, { seed: 2 }));
    const out = eg.nn.autocast("bf16", () => model.forward(eg.randn([4, 6], { seed: 3 })));
    const kept = out.gradFn!.inputs;
    const computed = kept.filter((t) => t.gradFn !== null);
    expect(computed.length).toBeGreaterThan(0);
    for (const t of computed) expect(t.storage.length).toBe(0);
    // The first layer's node keeps the weight (a parameter) and a data-free stand-in for the batch.
    let first = out.gradFn!;
    while (first.inputs.some((t) => t.gradFn !== null)) first = first.inputs.find((t) => t.gradFn !== null)!.gradFn!;
    expect(first.inputs.map((t) => t.storage.length)).toEqual([0, 30, 5]);
    // Outside a scope the same model keeps its float32 activations, as before.
    const plain = model.forward(eg.randn([4, 6], { seed: 3 }));
    expect(plain.gradFn!.inputs.filter((t) => t.gradFn !== null).every((t) => t.storage.length === t.size)).toBe(true);
  });

  it("sums the gradients of an activation read by two bfloat16 layers", () => {
    const x = eg.randn([3, 4], { seed: 5, requiresGrad: true });
    const w1 = eg.randn([4, 4], { seed: 6, requiresGrad: true }), w2 = eg.randn([2, 4], { seed: 7 }), w3 = eg.randn([2, 4], { seed: 8 });
    eg.nn.autocast("bf16", () => {
      const h = eg.linear(x, w1, null, { relu: true });
      return eg.linear(h, w2).sum().add(eg.linear(h, w3).mul(2).sum());
    }).backward();
    const xr = rounded(x.data), w1v = w1.data, w2v = w2.data, w3v = w3.data;
    // d/dh of Σ h·W2ᵀ + 2 Σ h·W3ᵀ is Σo (W2 + 2 W3)[o, :] per row; through the relu mask to W1.
    const h = new Float64Array(12), col = new Float64Array(4);
    for (let i = 0; i < 3; i++) for (let o = 0; o < 4; o++) { let s = 0; for (let p = 0; p < 4; p++) s += x.data[i * 4 + p] * w1v[o * 4 + p]; h[i * 4 + o] = s; }
    for (let p = 0; p < 4; p++) col[p] = w2v[p] + w2v[4 + p] + 2 * (w3v[p] + w3v[4 + p]);
    const dw1 = new Float64Array(16), abs = new Float64Array(16);
    for (let i = 0; i < 3; i++) for (let o = 0; o < 4; o++) {
      if (!(bf16Value(bf16Reference(Math.fround(h[i * 4 + o]))) > 0)) continue;
      for (let p = 0; p < 4; p++) { dw1[o * 4 + p] += col[o] * xr[i * 4 + p]; abs[o * 4 + p] += Math.abs(col[o] * xr[i * 4 + p]); }
    }
    // Each gradient at h is a sum of 4 float32 terms, then 3 rows: bound by 8 roundings of the magnitudes.
    expectWithin("dW1", w1.grad!.data, dw1, (i) => gemmTol(abs[i], dw1[i], 8));
  });

  it("refuses fp16 and unknown precisions, in autocast and fit, before any change", async () => {
    expect(() => eg.nn.autocast("fp16" as "bf16", () => 1)).toThrow(eg.ValueError);
    expect(() => eg.nn.autocast("bf16", 3 as unknown as () => number)).toThrow(/function/);
    const model = new eg.nn.Sequential(new eg.nn.Linear(4, 2, { seed: 1 }));
    const before = Float32Array.from(model.stateDict()["0.weight"].data as Float32Array);
    const x = eg.randn([8, 4], { seed: 2 }), y = eg.tensor([0, 1, 0, 1, 0, 1, 0, 1], { dtype: "int32" });
    for (const precision of ["fp16", "int8", 16]) {
      await expect(eg.nn.fit(model, x, y, { loss: "crossEntropy", optimizer: "adam", precision: precision as "bf16" })).rejects.toThrow(eg.ValueError);
    }
    expect(model.stateDict()["0.weight"].data).toEqual(before);
  });

  it("nests (one scope) and restores float32 ops when the scope ends, even by a throw", () => {
    const w = eg.randn([3, 4], { seed: 1, requiresGrad: true }), x = eg.randn([2, 4], { seed: 2 });
    const nested = eg.nn.autocast("bf16", () => eg.nn.autocast("bf16", () => eg.linear(eg.linear(x, w, null, { relu: true }), eg.randn([2, 3], { seed: 3 }))));
    // The second layer's node (under the reshape linear ends with) and what it keeps of its input.
    const keptInput = (t: eg.Tensor) => {
      let node = t.gradFn!;
      while (node.name === "reshape") node = node.inputs[0].gradFn!;
      expect(node.name).toBe("linear");
      return node.inputs[0];
    };
    // Both layers ran in the one scope: the second keeps a stand-in for the first's output.
    expect(keptInput(nested).storage.length).toBe(0);
    expect(() => eg.nn.autocast("bf16", () => { throw new Error("boom"); })).toThrow("boom");
    const after = eg.linear(eg.linear(x, w, null, { relu: true }), eg.randn([2, 3], { seed: 3 }));
    expect(keptInput(after).storage.length).toBe(6);
  });

  it("refuses a function that returns a Promise, once the scope has closed", async () => {
    const w = eg.randn([3, 4], { seed: 1, requiresGrad: true }), x = eg.randn([2, 4], { seed: 2 });
    let ranInside = false;
    const message = /autocast: the function returned a Promise; it must be synchronous/;
    expect(() => eg.nn.autocast("bf16", async () => { ranInside = true; })).toThrow(eg.ValueError);
    expect(ranInside).toBe(true);
    expect(() => eg.nn.autocast("bf16", () => eg.nn.autocast("bf16", async () => 1))).toThrow(message);
    // A rejected promise is not left unhandled (vitest would fail the run on one).
    expect(() => eg.nn.autocast("bf16", async () => { throw new Error("late"); })).toThrow(message);
    await new Promise((r) => setTimeout(r, 0));
    // The scope is closed: a layer keeps its float32 input again.
    const y = eg.linear(eg.linear(x, w, null, { relu: true }), eg.randn([2, 3], { seed: 3 }));
    let node = y.gradFn!;
    while (node.name === "reshape") node = node.inputs[0].gradFn!;
    expect(node.inputs[0].storage.length).toBe(6);
  });
});

describe("autocast: Conv2d (fused relu) in bfloat16", () => {
  it("forward and weight gradient equal float64 sums over W and bf16(x)", () => {
    const arb = fc.record({ n: fc.integer({ min: 1, max: 2 }), cin: fc.integer({ min: 1, max: 3 }), cout: fc.integer({ min: 1, max: 9 }), size: fc.integer({ min: 3, max: 7 }),
      relu: fc.boolean(), seed: fc.nat() });
    fc.assert(fc.property(arb, ({ n, cin, cout, size, relu, seed }) => {
      const x = eg.randn([n, cin, size, size], { seed });
      const w = eg.randn([cout, cin, 3, 3], { seed: seed + 1, requiresGrad: true });
      const y = eg.nn.autocast("bf16", () => eg.nn.functional.conv2d(x, w, null, { padding: 1, relu }));
      const g = { batch: n, inChannels: cin, inH: size, inW: size, outChannels: cout, outH: size, outW: size, kernelH: 3, kernelW: 3,
        strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1, dilationW: 1, groups: 1 };
      const ref = convReference(x.data, w.data, g);
      const want = Array.from(ref.y, (v) => (relu ? Math.max(v, 0) : v));
      expectWithin("y", y.data, want, (i) => gemmTol(ref.abs[i], want[i], cin * 9));
      y.sum().backward();
      // dW[co, c, kh, kw] = Σ over taps of mask·bf16(x): the convolution of bf16(x) with a one-hot weight.
      const xr = rounded(x.data), yv = y.data, plane = size * size;
      const dw = new Float64Array(cout * cin * 9), dwAbs = new Float64Array(cout * cin * 9);
      for (let b = 0; b < n; b++) for (let co = 0; co < cout; co++) for (let oy = 0; oy < size; oy++) for (let ox = 0; ox < size; ox++) {
        const o = ((b * cout + co) * size + oy) * size + ox;
        if (relu && !(bf16Value(bf16Reference(yv[o])) > 0)) continue;
        for (let c = 0; c < cin; c++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
          const iy = oy - 1 + kh, ix = ox - 1 + kw;
          if (iy < 0 || iy >= size || ix < 0 || ix >= size) continue;
          const at = ((co * cin + c) * 3 + kh) * 3 + kw, v = xr[(b * cin + c) * plane + iy * size + ix];
          dw[at] += v;
          dwAbs[at] += Math.abs(v);
        }
      }
      // The bound grows with the sum of the terms' magnitudes, not with the (cancelling) sum itself.
      expectWithin("dW", w.grad!.data, dw, (i) => gemmTol(dwAbs[i], dw[i], n * plane));
    }), { numRuns: 25 });
  });
});

describe("fit({ precision: \"bf16\" })", () => {
  it("trains a classifier to the accuracy float32 reaches, from the same start", async () => {
    const { x, y } = eg.data.digits();
    const xs = eg.data.standardize(x).transform(x);
    const run = async (precision: "fp32" | "bf16") => {
      const model = new eg.nn.Sequential(new eg.nn.Linear(64, 32, { seed: 1 }), new eg.nn.ReLU(), new eg.nn.Linear(32, 10, { seed: 2 }));
      await eg.nn.fit(model, xs, y, { loss: "crossEntropy", optimizer: new eg.optim.Adam(model.parameters(), { lr: 1e-2 }), epochs: 5, batchSize: 64, seed: 3, precision });
      return eg.nn.evaluate(model, xs, y).accuracy as number;
    };
    const [f32, bf16] = [await run("fp32"), await run("bf16")];
    expect(f32).toBeGreaterThan(0.95);
    expect(Math.abs(bf16 - f32)).toBeLessThan(0.02);
  });
});
