// The fused attention op (one autograd node over all (batch, head) blocks) against a float64
// reference written here: forward and the three gradients over sizes drawn by fast-check that
// straddle the kernel's 16- and 4-wide column blocks, with shared and per-block additive masks,
// causal skipping and dropout; then finite differences in float64, and the errors.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { backendInfo, BackendError, fromTypedArray, init, nn, Rng, ShapeError, DTypeError, ValueError, Tensor } from "../../src/index.js";
import { assertGradByDifferences, float64Input } from "../support/gradcheck-ops.js";
import { valuesFrom } from "../support/reference.js";
import { ETA32, gamma, U32 } from "../support/tolerance.js";

interface Case {
  blocks: number; l: number; s: number; e: number; ev: number; causal: boolean;
  mask: "none" | "shared" | "perBlock"; dropout: number; seed: number;
}

function sample(shape: number[], seed: number, lo = -2, hi = 2): Tensor {
  const n = shape.reduce((a, b) => a * b, 1), v = valuesFrom(seed, lo, hi), d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = v(i);
  return fromTypedArray(d, shape, { requiresGrad: true });
}

/** An additive mask with some −∞ (never a whole row, so no row is NaN) and finite values. */
function makeMask(c: Case): Float32Array | null {
  if (c.mask === "none") return null;
  const n = (c.mask === "shared" ? 1 : c.blocks) * c.l * c.s, m = new Float32Array(n), v = valuesFrom(c.seed + 7, -1, 1);
  for (let i = 0; i < n; i++) m[i] = i % c.s !== 0 && v(i) > 0.6 ? -Infinity : Math.fround(v(i));
  return m;
}

/** Dropout multipliers drawn as the op documents: one uniform per element, block-major, kept if ≥ p. */
function makeDrop(c: Case): Float64Array | null {
  if (c.dropout === 0) return null;
  const rng = new Rng(c.seed), d = new Float64Array(c.blocks * c.l * c.s);
  for (let i = 0; i < d.length; i++) d[i] = rng.uniform() >= c.dropout ? 1 / (1 - c.dropout) : 0;
  return d;
}

interface Ref { out: Float64Array; dq: Float64Array; dk: Float64Array; dv: Float64Array; outAbs: Float64Array; dqAbs: Float64Array; dkAbs: Float64Array; dvAbs: Float64Array; scoreErr: number }

/**
 * float64 attention and its gradients; the *Abs arrays repeat every sum with absolute values (and
 * the softmax-gradient difference as a sum), the magnitudes the float32 error scales with.
 */
function reference(c: Case, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, dO: ArrayLike<number>,
                   mask: Float32Array | null, drop: Float64Array | null): Ref {
  const { blocks: B, l: L, s: S, e: E, ev: Ev } = c, scale = 1 / Math.sqrt(E);
  const z = (n: number) => new Float64Array(n);
  const r: Ref = { out: z(B * L * Ev), dq: z(B * L * E), dk: z(B * S * E), dv: z(B * S * Ev), outAbs: z(B * L * Ev), dqAbs: z(B * L * E), dkAbs: z(B * S * E), dvAbs: z(B * S * Ev), scoreErr: 0 };
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < L; i++) {
      const lim = c.causal ? i + 1 + S - L : S, sc: number[] = [];
      for (let j = 0; j < lim; j++) {
        let dot = 0, abs = 0;
        for (let x = 0; x < E; x++) { dot += q[(b * L + i) * E + x] * k[(b * S + j) * E + x]; abs += Math.abs(q[(b * L + i) * E + x] * k[(b * S + j) * E + x]); }
        const m = mask ? mask[(c.mask === "shared" ? 0 : b * L * S) + i * S + j] : 0;
        sc.push(dot * scale + m);
        if (Number.isFinite(m)) r.scoreErr = Math.max(r.scoreErr, gamma(E + 3) * abs * scale + U32 * Math.abs(m));
      }
      const mx = Math.max(...sc), ex = sc.map((s) => Math.exp(s - mx)), sum = ex.reduce((a, b) => a + b, 0);
      const p = ex.map((x) => x / sum), pd = p.map((x, j) => x * (drop ? drop[(b * L + i) * S + j] : 1));
      const dp: number[] = [], dpAbs: number[] = [];
      for (let j = 0; j < lim; j++) {
        let s = 0, sa = 0;
        for (let x = 0; x < Ev; x++) {
          const o = (b * L + i) * Ev + x, vj = (b * S + j) * Ev + x;
          r.out[o] += pd[j] * v[vj];
          r.outAbs[o] += pd[j] * Math.abs(v[vj]);
          s += dO[o] * v[vj];
          sa += Math.abs(dO[o] * v[vj]);
          r.dv[vj] += pd[j] * dO[o];
          r.dvAbs[vj] += pd[j] * Math.abs(dO[o]);
        }
        const m = drop ? drop[(b * L + i) * S + j] : 1;
        dp.push(s * m);
        dpAbs.push(sa * m);
      }
      const D = p.reduce((a, x, j) => a + x * dp[j], 0), Dabs = p.reduce((a, x, j) => a + x * dpAbs[j], 0);
      for (let j = 0; j < lim; j++) {
        const ds = p[j] * (dp[j] - D) * scale, dsAbs = p[j] * (dpAbs[j] + Dabs) * scale;
        for (let x = 0; x < E; x++) {
          const qi = (b * L + i) * E + x, kj = (b * S + j) * E + x;
          r.dq[qi] += ds * k[kj];
          r.dqAbs[qi] += dsAbs * Math.abs(k[kj]);
          r.dk[kj] += ds * q[qi];
          r.dkAbs[kj] += dsAbs * Math.abs(q[qi]);
        }
      }
    }
  }
  return r;
}

/**
 * Each element within (4δ + γ(n))·|terms| + η: δ the float32 error of a score (it moves each
 * probability by at most a factor e^{±2δ}), n the longest chain of sums and products behind it.
 */
function expectWithin(got: ArrayLike<number>, want: Float64Array, abs: Float64Array, scoreErr: number, n: number, what: string): void {
  const bad: string[] = [];
  want.forEach((w, i) => {
    const tol = (4 * scoreErr + gamma(n)) * abs[i] + U32 * Math.abs(w) + n * ETA32;
    if (!(Math.abs(got[i] - w) <= tol)) bad.push(`${what}[${i}] = ${got[i]}, reference ${w} (tolerance ${tol.toExponential(2)})`);
  });
  expect(bad.slice(0, 3)).toEqual([]);
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  blocks: fc.integer({ min: 1, max: 3 }), l: fc.integer({ min: 1, max: 9 }), extra: fc.integer({ min: 0, max: 20 }),
  e: fc.integer({ min: 1, max: 20 }), ev: fc.integer({ min: 1, max: 20 }), causal: fc.boolean(),
  mask: fc.constantFrom("none", "shared", "perBlock") as fc.Arbitrary<Case["mask"]>,
  dropout: fc.constantFrom(0, 0, 0.3), seed: fc.integer({ min: 1, max: 1e6 }),
}).map(({ extra, ...c }) => ({ ...c, s: c.l + extra }));

function checkCase(c: Case): void {
  const q = sample([c.blocks, c.l, c.e], c.seed), k = sample([c.blocks, c.s, c.e], c.seed + 1), v = sample([c.blocks, c.s, c.ev], c.seed + 2);
  const dO = sample([c.blocks, c.l, c.ev], c.seed + 3).detach();
  const mask = makeMask(c), drop = makeDrop(c);
  const { out, weights } = nn.attentionCore(q, k, v, {
    mask, maskStride: c.mask === "perBlock" ? c.l * c.s : 0, causal: c.causal,
    dropoutP: c.dropout, rng: c.dropout > 0 ? new Rng(c.seed) : null,
  });
  out.mul(dO).sum().backward();
  const r = reference(c, q.data, k.data, v.data, dO.data, mask, drop);
  const n = c.e + c.s + c.ev + c.l + 16;
  expectWithin(out.data, r.out, r.outAbs, r.scoreErr, n, "out");
  expectWithin(q.grad!.data, r.dq, r.dqAbs, r.scoreErr, n, "dq");
  expectWithin(k.grad!.data, r.dk, r.dkAbs, r.scoreErr, n, "dk");
  expectWithin(v.grad!.data, r.dv, r.dvAbs, r.scoreErr, n, "dv");
  // Causal: exactly 0 weight past each row's limit (skipped, not masked); rows sum to 1 without dropout.
  for (let b = 0; b < c.blocks; b++) {
    for (let i = 0; i < c.l; i++) {
      const row = Array.from(weights.subarray((b * c.l + i) * c.s, (b * c.l + i + 1) * c.s));
      if (c.causal) expect(row.slice(i + 1 + c.s - c.l).every((w) => w === 0)).toBe(true);
      if (c.dropout === 0) expect(Math.abs(row.reduce((a, w) => a + w, 0) - 1)).toBeLessThanOrEqual(gamma(2 * c.s + 8));
    }
  }
}

describe("attention (the fused op) against a float64 reference", () => {
  it("forward and the gradients of q, k and v, over sizes, masks, causal skipping and dropout", () => {
    fc.assert(fc.property(caseArb, checkCase), { numRuns: 60 });
  });

  it("larger blocks: many 8-wide column tiles and 4-row groups, with their leftovers", () => {
    for (const causal of [false, true]) checkCase({ blocks: 2, l: 37, s: 70, e: 33, ev: 40, causal, mask: "perBlock", dropout: 0.2, seed: 11 });
    checkCase({ blocks: 3, l: 64, s: 64, e: 32, ev: 32, causal: true, mask: "none", dropout: 0, seed: 12 });
  });

  it("gradients match central differences in float64 (causal, shared mask)", () => {
    const q = float64Input([2, 3, 4], 1), k = float64Input([2, 5, 4], 2), v = float64Input([2, 5, 3], 3);
    const mask = Float64Array.from({ length: 15 }, (_, i) => (i % 5) * 0.25 - 0.5);
    assertGradByDifferences((a, b, c) => nn.attentionCore(a, b, c, { mask, causal: true }).out, [q, k, v], "attention causal");
    assertGradByDifferences((a, b, c) => nn.attentionCore(a, b, c, { scale: 0.7 }).out, [q, k, v], "attention scale 0.7");
  });

  it("refuses bad shapes, dtypes and options with typed errors naming them", () => {
    const t = (shape: number[]) => sample(shape, 1);
    expect(() => nn.attentionCore(t([2, 3]), t([2, 3, 4]), t([2, 3, 4]))).toThrow(ShapeError);
    expect(() => nn.attentionCore(t([2, 3, 4]), t([2, 5, 3]), t([2, 5, 4]))).toThrow(/\[2, 3, 4\].*\[2, 5, 3\]/);
    expect(() => nn.attentionCore(t([2, 6, 4]), t([2, 5, 4]), t([2, 5, 4]), { causal: true })).toThrow(ShapeError);
    expect(() => nn.attentionCore(t([1, 2, 2]), t([1, 2, 2]).astype("float64"), t([1, 2, 2]))).toThrow(DTypeError);
    expect(() => nn.attentionCore(t([1, 2, 2]), t([1, 2, 2]), t([1, 2, 2]), { dropoutP: 1 })).toThrow(ValueError);
    expect(() => nn.attentionCore(t([1, 2, 2]), t([1, 2, 2]), t([1, 2, 2]), { dropoutP: "0.5" as never, rng: new Rng(1) }))
      .toThrow('attention: dropoutP must be a number in [0, 1), got "0.5"');
  });
});

describe("attention on the core kernel build", () => {
  it("refuses with a BackendError naming the attention kernels, before a KV cache changes", async () => {
    const restore = backendInfo().backend;
    try {
      await init({ module: new WebAssembly.Module(readFileSync(new URL("../../build/edgegrad-core-simd.wasm", import.meta.url))) });
      const m = new nn.MultiheadAttention(8, 2, { batchFirst: true }).eval(), cache = m.createCache();
      const x = sample([1, 3, 8], 4).detach();
      expect(() => m.predict(x, x, x, { isCausal: true, cache })).toThrow(BackendError);
      expect(() => m.predict(x, x, x, { isCausal: true, cache })).toThrow(/f32_attention_forward/);
      expect(cache.length).toBe(0);
    } finally {
      await init({ backend: restore });
    }
  });
});
