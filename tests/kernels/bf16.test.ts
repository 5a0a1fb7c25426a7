// The bfloat16 family (bf16Kernels(): wasm on the SIMD projects, the JS reference on js):
// the conversions bit for bit against a rounding written here from the definition (nearest,
// ties to even, on the value, not the bits), and the GEMM and convolution on bfloat16 operands
// against float64 references computed from the same bfloat16-rounded values.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bf16Kernels, F32_GEMM, kernels, type Conv2dGeometry } from "../../src/backend/index.js";
import { gemmTol } from "../support/tolerance.js";
import { bf16Reference, bf16Value, convReference, toBits, valueOfF32Bits } from "../support/bf16-reference.js";
import { values } from "../support/mulberry32.js";

const { MR, NR, KC } = F32_GEMM;
const specials = [
  0, 0x80000000, 0x7f800000, 0xff800000, 0x7f7fffff, 0xff7fffff, 0x7f7f8000, 0x7f7f7fff, 0x00000001, 0x80000001,
  0x00008000, 0x00018000, 0x00008001, 0x007fffff, 0x00800000, 0x3f808000, 0x3f818000, 0x3f807fff, 0x3f808001,
  0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7f80ffff, 0x7fffffff,
];

describe("bf16Kernels: the conversions", () => {
  const roundTrip = (patterns: number[]) => {
    const x = new Float32Array(new Uint32Array(patterns).buffer), bits = new Uint16Array(x.length);
    bf16Kernels().f32ToBf16(x, bits);
    return bits;
  };
  const checkRounding = (patterns: number[]) => {
    const bits = roundTrip(patterns);
    patterns.forEach((p, i) => {
      const x = valueOfF32Bits(p);
      if (Number.isNaN(x)) {
        // Still a NaN, sign kept, quiet bit set: never rounded into ±Inf.
        expect((bits[i] & 0x7f80) === 0x7f80 && (bits[i] & 0x7f) !== 0, `NaN 0x${p.toString(16)} → 0x${bits[i].toString(16)}`).toBe(true);
        expect(bits[i] & 0x8000).toBe((p >>> 16) & 0x8000);
      } else {
        expect(bits[i], `float32 0x${p.toString(16)} (${x})`).toBe(bf16Reference(x));
      }
    });
  };

  it("rounds to nearest, ties to even: ties, overflow to ±Inf, subnormals, signed zeros, NaN", () => {
    // Every length up to 17 takes both the 8-wide loop and the remainder.
    for (let len = 1; len <= specials.length; len += 4) checkRounding(specials.slice(0, len));
    checkRounding(specials);
  });

  it("rounds any float32 bit pattern as the reference does", () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 40 }), checkRounding), { numRuns: 200 });
  });

  it("widens every bfloat16 pattern exactly", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i), out = new Float32Array(65536);
    bf16Kernels().bf16ToF32(all, out);
    const wrong: string[] = [];
    for (let h = 0; h < 65536; h++) {
      const want = bf16Value(h);
      // Object.is tells −0 from +0 and NaN equals NaN.
      if (!Object.is(out[h], want)) wrong.push(`0x${h.toString(16)}: ${out[h]}, want ${want}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});

describe("bf16Kernels: f32GemmBf16B", () => {
  it("equals a float64 product of the same bfloat16-rounded B within the float32 GEMM bound", () => {
    const dims = fc.record({
      m: fc.integer({ min: 1, max: 2 * MR + 1 }), n: fc.integer({ min: 1, max: 3 * NR + 1 }),
      k: fc.oneof(fc.integer({ min: 0, max: 19 }), fc.constant(KC + 3)),
      transposed: fc.boolean(), pad: fc.integer({ min: 0, max: 3 }), offset: fc.integer({ min: 0, max: 5 }),
      bias: fc.boolean(), relu: fc.boolean(), seed: fc.nat(),
    });
    fc.assert(fc.property(dims, (p) => {
      const { m, n, k } = p;
      const a = values(m * k, p.seed), c = new Float32Array(m * n), outBits = new Uint16Array(m * n);
      const stored = p.transposed ? n : k, row = (p.transposed ? k : n) + p.pad;
      const bits = toBits(values(p.offset + stored * row + 1, p.seed + 1));
      const b = p.transposed ? { bits, offset: p.offset, rowStride: 1, colStride: row } : { bits, offset: p.offset, rowStride: row, colStride: 1 };
      const bias = p.bias ? values(n, p.seed + 2) : null;
      bf16Kernels().f32GemmBf16B(m, n, k, { data: a, offset: 0, rowStride: k, colStride: 1 }, b, c, { bias, relu: p.relu, outBits });
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = bias ? bias[j] : 0, abs = bias ? Math.abs(bias[j]) : 0;
          for (let q = 0; q < k; q++) {
            const prod = a[i * k + q] * bf16Value(bits[b.offset + q * b.rowStride + j * b.colStride]);
            s += prod;
            abs += Math.abs(prod);
          }
          const want = p.relu ? Math.max(s, 0) : s, got = c[i * n + j];
          const tol = gemmTol(abs, want, k + 1);
          if (!(Math.abs(got - want) <= tol)) throw new Error(`C[${i},${j}] = ${got}, want ${want} ± ${tol}: ${JSON.stringify(p)} on ${kernels().name}`);
          expect(outBits[i * n + j]).toBe(bf16Reference(got));
        }
      }
    }), { numRuns: 60 });
  });
});

describe("bf16Kernels: reluBackwardBits", () => {
  it("masks g where the widened bfloat16 output is > 0 (±0, ±Inf, NaN, subnormals among the bits) and sums its columns exactly in float64 row order", () => {
    const cases = fc.record({
      m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 13 }), masked: fc.boolean(), sums: fc.boolean(), seed: fc.nat(),
      bits: fc.array(fc.oneof(fc.nat({ max: 0xffff }), fc.constantFrom(0, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0x0001, 0x8001)), { minLength: 117, maxLength: 117 }),
    });
    fc.assert(fc.property(cases, (p) => {
      const { m, n } = p, size = m * n;
      const g = values(size, p.seed);
      if (p.seed % 3 === 0) g[p.seed % size] = -0;
      const yBits = p.masked ? Uint16Array.from(p.bits.slice(0, size)) : null;
      const r = bf16Kernels().reluBackwardBits(g, yBits, m, n, p.sums);
      const want = Array.from(g, (v, i) => (yBits === null || bf16Value(yBits[i]) > 0 ? v : 0));
      // Object.is: a masked element is +0, a passed −0 stays −0
      want.forEach((v, i) => expect(Object.is(r.g[i], v), `g[${i}] = ${r.g[i]}, want ${v}: ${JSON.stringify(p)}`).toBe(true));
      if (!p.sums) {
        expect(r.db).toBeNull();
        return;
      }
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += want[i * n + j];
        expect(r.db![j]).toBe(Math.fround(s));
      }
    }), { numRuns: 200 });
  });
});

interface ConvCase { batch: number; cin: number; cout: number; size: number; kernel: number; pad: number; depthwise: boolean; relu: boolean; seed: number }

describe("bf16Kernels: convolution on bfloat16 weights and saved activations", () => {
  const arb: fc.Arbitrary<ConvCase> = fc.record({
    batch: fc.integer({ min: 1, max: 2 }), cin: fc.integer({ min: 1, max: 3 }), cout: fc.integer({ min: 1, max: 2 * MR + 1 }),
    size: fc.integer({ min: 3, max: 9 }), kernel: fc.constantFrom(1, 3), pad: fc.integer({ min: 0, max: 1 }),
    depthwise: fc.boolean(), relu: fc.boolean(), seed: fc.nat(),
  });
  const geometryOf = (p: ConvCase): Conv2dGeometry => {
    const cin = p.depthwise ? Math.max(p.cin, 2) : p.cin, groups = p.depthwise ? cin : 1, cout = p.depthwise ? cin : p.cout;
    const out = p.size + 2 * p.pad - p.kernel + 1;
    return { batch: p.batch, inChannels: cin, inH: p.size, inW: p.size, outChannels: cout, outH: out, outW: out, kernelH: p.kernel, kernelW: p.kernel,
      strideH: 1, strideW: 1, padTop: p.pad, padLeft: p.pad, dilationH: 1, dilationW: 1, groups };
  };

  it("forward: float64 convolution of x and the bfloat16 weights; x and y saved as their bfloat16 rounding", () => {
    fc.assert(fc.property(arb, (p) => {
      const g = geometryOf(p), k = (g.inChannels / g.groups) * g.kernelH * g.kernelW;
      const x = values(g.batch * g.inChannels * g.inH * g.inW, p.seed);
      const wBits = toBits(values(g.outChannels * k, p.seed + 1));
      const xBits = new Uint16Array(x.length), yBits = new Uint16Array(g.batch * g.outChannels * g.outH * g.outW);
      const y = bf16Kernels().conv2d(x, wBits, null, g, { relu: p.relu, xBits, yBits });
      const ref = convReference(x, Array.from(wBits, bf16Value), g);
      for (let i = 0; i < y.length; i++) {
        const want = p.relu ? Math.max(ref.y[i], 0) : ref.y[i];
        const tol = gemmTol(ref.abs[i], want, k);
        if (!(Math.abs(y[i] - want) <= tol)) throw new Error(`y[${i}] = ${y[i]}, want ${want} ± ${tol}: ${JSON.stringify(g)}`);
        expect(yBits[i]).toBe(bf16Reference(y[i]));
      }
      x.forEach((v, i) => expect(xBits[i]).toBe(bf16Reference(v)));
    }), { numRuns: 30 });
  });

  it("backward: dx, dW and the bias gradient of the widened bfloat16 operands, masked by the saved relu output", () => {
    fc.assert(fc.property(arb, (p) => {
      const g = geometryOf(p), cg = g.inChannels / g.groups, k = cg * g.kernelH * g.kernelW, mg = g.outChannels / g.groups;
      const xBits = toBits(values(g.batch * g.inChannels * g.inH * g.inW, p.seed));
      const wBits = toBits(values(g.outChannels * k, p.seed + 1));
      const outN = g.batch * g.outChannels * g.outH * g.outW, plane = g.outH * g.outW;
      const dy = values(outN, p.seed + 2), yBits = p.relu ? toBits(values(outN, p.seed + 3)) : null;
      const r = bf16Kernels().conv2dBackward(xBits, wBits, dy, yBits, g, { input: true, weight: true, bias: true });
      const xv = Array.from(xBits, bf16Value), wv = Array.from(wBits, bf16Value);
      const d = Array.from(dy, (v, i) => (yBits && !(bf16Value(yBits[i]) > 0) ? 0 : v));
      // dx, dW, db by their defining sums over the forward's taps, in float64.
      const dx = new Float64Array(xv.length), dxAbs = new Float64Array(xv.length), dw = new Float64Array(wv.length), dwAbs = new Float64Array(wv.length);
      const db = new Float64Array(g.outChannels), dbAbs = new Float64Array(g.outChannels);
      for (let n = 0, o = 0; n < g.batch; n++) {
        for (let co = 0; co < g.outChannels; co++) {
          const grp = Math.floor(co / mg);
          for (let oy = 0; oy < g.outH; oy++) {
            for (let ox = 0; ox < g.outW; ox++, o++) {
              db[co] += d[o]; dbAbs[co] += Math.abs(d[o]);
              for (let c = 0; c < cg; c++) for (let kh = 0; kh < g.kernelH; kh++) for (let kw = 0; kw < g.kernelW; kw++) {
                const iy = oy - g.padTop + kh, ix = ox - g.padLeft + kw;
                if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) continue;
                const xi = ((n * g.inChannels + grp * cg + c) * g.inH + iy) * g.inW + ix, wi = ((co * cg + c) * g.kernelH + kh) * g.kernelW + kw;
                dx[xi] += d[o] * wv[wi]; dxAbs[xi] += Math.abs(d[o] * wv[wi]);
                dw[wi] += d[o] * xv[xi]; dwAbs[wi] += Math.abs(d[o] * xv[xi]);
              }
            }
          }
        }
      }
      const check = (name: string, got: Float32Array | null, want: Float64Array, abs: Float64Array, terms: number) => {
        expect(got).not.toBeNull();
        for (let i = 0; i < want.length; i++) {
          const tol = gemmTol(abs[i], want[i], terms);
          if (!(Math.abs(got![i] - want[i]) <= tol)) throw new Error(`${name}[${i}] = ${got![i]}, want ${want[i]} ± ${tol}: ${JSON.stringify(g)}`);
        }
      };
      check("dx", r.dx, dx, dxAbs, mg * g.kernelH * g.kernelW);
      check("dw", r.dw, dw, dwAbs, g.batch * plane);
      check("db", r.db, db, dbAbs, g.batch * plane);
    }), { numRuns: 30 });
  });
});
