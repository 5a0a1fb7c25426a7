import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValueError } from "../../src/errors.js";
import { fromTypedArray, manualSeed, randn, Rng } from "../../src/ndarray/index.js";
import { Dropout, Linear, ReLU, Sequential } from "../../src/nn/index.js";
import { Adam, SGD } from "../../src/optim/index.js";
import { lrFinder } from "../../src/select/index.js";

/** Least squares y ≈ X w + b with known curvature: columns scaled by scale · spread^(−j/(d−1)). */
function problem(seed: number, d: number, spread: number, scale: number, n = 200) {
  const rng = new Rng(seed);
  const X = new Float32Array(n * d), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0.5;
    for (let j = 0; j < d; j++) {
      X[i * d + j] = rng.normal() * scale * spread ** (-j / Math.max(1, d - 1));
      s += X[i * d + j] * (j + 1);
    }
    y[i] = s + 0.1 * rng.normal();
  }
  return { X, y, n, d };
}

/**
 * L: the largest eigenvalue of the Hessian (2/n)·AᵀA of the mean squared error, A = [X 1], by
 * power iteration in float64. Gradient descent's best fixed step on a quadratic is 1/L.
 */
function lipschitz({ X, n, d }: ReturnType<typeof problem>): number {
  const a = (i: number, j: number) => (j < d ? X[i * d + j] : 1);
  let v = new Float64Array(d + 1).fill(1), L = 0;
  for (let it = 0; it < 300; it++) {
    const av = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= d; j++) av[i] += a(i, j) * v[j];
    const w = new Float64Array(d + 1);
    for (let i = 0; i < n; i++) for (let j = 0; j <= d; j++) w[j] += (2 / n) * a(i, j) * av[i];
    L = Math.hypot(...w);
    v = w.map((x) => x / L);
  }
  return L;
}

describe("lrFinder", () => {
  it("suggests a step within a factor of 3 of 1/L for full-batch SGD on least squares", async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 8 }), fc.constantFrom(1, 10, 100), fc.double({ min: 1, max: 15, noNaN: true }), async (seed, d, spread, scale) => {
      const p = problem(seed, d, spread, scale);
      const L = lipschitz(p);
      const model = new Linear(d, 1, { seed });
      const optimizer = new SGD(model.parameters(), { lr: 0.1 });
      const r = await lrFinder(model, fromTypedArray(p.X, [p.n, d]), fromTypedArray(p.y, [p.n, 1]), { optimizer, loss: "mse", batchSize: p.n, startLr: 1e-6, endLr: 100 });
      expect(r.stopReason).toBe("diverged");
      expect(r.suggestion).toBe(r.minimumOverTen);
      expect(r.suggestion * L).toBeGreaterThan(1 / 3);
      expect(r.suggestion * L).toBeLessThan(3);
    }), { numRuns: 20 });
  });

  it("grows the lr exponentially, smooths with bias correction and stops at divergeFactor × best", async () => {
    const p = problem(1, 3, 1, 2);
    const model = new Linear(3, 1, { seed: 1 });
    const o = { optimizer: new SGD(model.parameters(), { lr: 0.1 }), loss: "mse", batchSize: 50, startLr: 1e-4, endLr: 1e2, numIter: 60, smoothing: 0.1, divergeFactor: 3 };
    const r = await lrFinder(model, fromTypedArray(p.X, [p.n, 3]), fromTypedArray(p.y, [p.n, 1]), o);
    r.lrs.forEach((lr, i) => expect(lr).toBeCloseTo(1e-4 * 1e6 ** (i / 59), 12 - Math.ceil(Math.log10(lr + 1))));
    let avg = 0, best = Infinity;
    r.rawLosses.forEach((l, i) => {
      avg = 0.9 * avg + 0.1 * l;
      const s = avg / (1 - 0.9 ** (i + 1));
      expect(r.losses[i]).toBeCloseTo(s, 10);
      if (i < r.rawLosses.length - 1) expect(s).toBeLessThanOrEqual(3 * Math.min(best, s));
      best = Math.min(best, s);
    });
    expect(r.stopReason).toBe("diverged");
    expect(r.losses[r.losses.length - 1]).toBeGreaterThan(3 * Math.min(...r.losses));
    const iMin = r.losses.indexOf(Math.min(...r.losses));
    expect(r.minimumOverTen).toBe(r.lrs[iMin] / 10);
  });

  it("restores weights, gradients, modes, layer generators and the optimizer state bit for bit", async () => {
    const p = problem(2, 6, 10, 1);
    const model = new Sequential(new Linear(6, 16, { seed: 1 }), new ReLU(), new Dropout(0.3, { seed: 4 }), new Linear(16, 16, { seed: 2 }), new Dropout(0.2), new Linear(16, 1, { seed: 3 }));
    const optimizer = new Adam(model.parameters(), { lr: 3e-3, weightDecay: 1e-4 });
    const x = fromTypedArray(p.X, [p.n, 6]), y = fromTypedArray(p.y, [p.n, 1]);
    // A few real steps first, so that Adam has moments and step counts to lose.
    for (let i = 0; i < 3; i++) {
      const l = model.forward(x).sub(y).square().mean();
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
    }
    model.modules()[3].eval();
    const weights = model.parameters().map((t) => Array.from(t.data));
    const grads = model.parameters().map((t) => t.grad);
    const modes = model.modules().map((m) => m.training);
    const sd = JSON.stringify(optimizer.stateDict());
    const drop = model.modules().find((m) => m instanceof Dropout && (m as unknown as { rng: Rng | null }).rng) as unknown as { rng: Rng };
    const rngState = drop.rng.getState();
    manualSeed(11);
    const r = await lrFinder(model, x, y, { optimizer, loss: "mse", batchSize: 16, numIter: 40, seed: 3 });
    const globalAfter = Array.from(randn([4]).data);
    manualSeed(11);
    expect(Array.from(randn([4]).data)).toEqual(globalAfter);
    expect(r.lrs.length).toBeGreaterThan(5);
    expect(model.parameters().map((t) => Array.from(t.data))).toEqual(weights);
    model.parameters().forEach((t, i) => expect(t.grad).toBe(grads[i]));
    expect(model.modules().map((m) => m.training)).toEqual(modes);
    expect(JSON.stringify(optimizer.stateDict())).toBe(sd);
    expect(optimizer.lr).toBe(3e-3);
    expect(drop.rng.getState()).toEqual(rngState);
  });

  it("is reproducible for a seed", async () => {
    const p = problem(3, 4, 1, 1);
    const run = async () => {
      const model = new Sequential(new Linear(4, 8, { seed: 1 }), new ReLU(), new Dropout(0.5), new Linear(8, 1, { seed: 2 }));
      return lrFinder(model, fromTypedArray(p.X, [p.n, 4]), fromTypedArray(p.y, [p.n, 1]), { optimizer: new SGD(model.parameters(), { lr: 1 }), loss: "mse", numIter: 30, seed: 5 });
    };
    expect((await run()).rawLosses).toEqual((await run()).rawLosses);
  });

  it("refuses bad options before touching the model", async () => {
    const model = new Linear(2, 1, { seed: 1 });
    const before = Array.from(model.parameters()[0].data);
    const x = randn([8, 2], { seed: 1 }), y = randn([8, 1], { seed: 2 });
    const optimizer = new SGD(model.parameters(), { lr: 0.1 });
    await expect(lrFinder(model, x, y, { optimizer, loss: "mse", startLr: 1, endLr: 0.1 })).rejects.toThrow(ValueError);
    await expect(lrFinder(model, x, y, { optimizer, loss: "mse", smoothing: 0 })).rejects.toThrow(ValueError);
    await expect(lrFinder(model, x, y, { optimizer, loss: "mse", divergeFactor: 1 })).rejects.toThrow(ValueError);
    await expect(lrFinder(model, x, y, { optimizer, loss: "mse", numIters: 10 } as never)).rejects.toThrow(/unknown option "numIters"/);
    await expect(lrFinder(model, x, y, { optimizer: {} as never, loss: "mse" })).rejects.toThrow(/optimizer/);
    expect(Array.from(model.parameters()[0].data)).toEqual(before);
  });
});
