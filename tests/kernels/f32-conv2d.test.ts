// The convolution kernels (convKernels(): wasm on the SIMD projects, the JS reference on js)
// against a direct float64 convolution written here, loop by loop from the definition. Shapes,
// strides, padding, dilation and groups are drawn so that output channels straddle the
// micro-tile's rows (MR), output pixels and patch elements straddle its columns (NR), and a few
// fixed cases cross the k- and n-blocks (KC, NC) of src/backend/manifest.ts.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { convKernels, F32_GEMM, kernels, type Conv2dGeometry } from "../../src/backend/index.js";
import { gemmTol } from "../support/tolerance.js";
import { values } from "../support/mulberry32.js";

const { MR, NR, KC, NC } = F32_GEMM;

interface Case extends Conv2dGeometry { padBottom: number; padRight: number; relu: boolean; bias: boolean; seed: number }

function geometry(c: Omit<Case, "outH" | "outW">): Case {
  const outH = Math.floor((c.inH + c.padTop + c.padBottom - c.dilationH * (c.kernelH - 1) - 1) / c.strideH) + 1;
  const outW = Math.floor((c.inW + c.padLeft + c.padRight - c.dilationW * (c.kernelW - 1) - 1) / c.strideW) + 1;
  return { ...c, outH, outW };
}

/** The input pixel (iy, ix) that tap (kh, kw) of output pixel (oy, ox) reads, or null in the padding. */
function source(g: Conv2dGeometry, oy: number, ox: number, kh: number, kw: number): [number, number] | null {
  const iy = oy * g.strideH - g.padTop + kh * g.dilationH, ix = ox * g.strideW - g.padLeft + kw * g.dilationW;
  return iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW ? [iy, ix] : null;
}

/** Visits every product term of the convolution: (x index, w index, y index). */
function forEachTerm(g: Conv2dGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  const cg = g.inChannels / g.groups, mg = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) for (let co = 0; co < g.outChannels; co++) {
    const group = Math.floor(co / mg);
    for (let oy = 0; oy < g.outH; oy++) for (let ox = 0; ox < g.outW; ox++) {
      const yi = ((n * g.outChannels + co) * g.outH + oy) * g.outW + ox;
      for (let c = 0; c < cg; c++) for (let kh = 0; kh < g.kernelH; kh++) for (let kw = 0; kw < g.kernelW; kw++) {
        const at = source(g, oy, ox, kh, kw);
        if (!at) continue;
        const xi = ((n * g.inChannels + group * cg + c) * g.inH + at[0]) * g.inW + at[1];
        visit(xi, ((co * cg + c) * g.kernelH + kh) * g.kernelW + kw, yi);
      }
    }
  }
}

/** Sums and sums of magnitudes of float64 products into `into` (by the index `pick` chooses). */
function reference(size: number): { sum: Float64Array; mag: Float64Array; terms: Float64Array } {
  return { sum: new Float64Array(size), mag: new Float64Array(size), terms: new Float64Array(size) };
}

function expectWithin(what: string, got: Float32Array, r: ReturnType<typeof reference>, c: Case, extraTerms = 0): void {
  expect(got.length, `${what} length`).toBe(r.sum.length);
  for (let i = 0; i < got.length; i++) {
    const tol = gemmTol(r.mag[i], r.sum[i], r.terms[i] + extraTerms);
    if (!(Math.abs(got[i] - r.sum[i]) <= tol)) {
      throw new Error(`${what}[${i}] = ${got[i]}, expected ${r.sum[i]} ± ${tol} (${JSON.stringify(c)}, backend ${kernels().name})`);
    }
  }
}

function check(c: Case): void {
  const cg = c.inChannels / c.groups;
  const x = values(c.batch * c.inChannels * c.inH * c.inW, c.seed), w = values(c.outChannels * cg * c.kernelH * c.kernelW, c.seed + 1);
  const b = c.bias ? values(c.outChannels, c.seed + 2) : null;
  const ySize = c.batch * c.outChannels * c.outH * c.outW;
  const dy = values(ySize, c.seed + 3);
  const y = reference(ySize), dx = reference(x.length), dw = reference(w.length);
  forEachTerm(c, (xi, wi, yi) => {
    y.sum[yi] += x[xi] * w[wi]; y.mag[yi] += Math.abs(x[xi] * w[wi]); y.terms[yi]++;
    dx.sum[xi] += dy[yi] * w[wi]; dx.mag[xi] += Math.abs(dy[yi] * w[wi]); dx.terms[xi]++;
    dw.sum[wi] += x[xi] * dy[yi]; dw.mag[wi] += Math.abs(x[xi] * dy[yi]); dw.terms[wi]++;
  });
  if (b) {
    const plane = c.outH * c.outW;
    for (let i = 0; i < ySize; i++) {
      const bi = b[Math.floor(i / plane) % c.outChannels];
      y.sum[i] += bi; y.mag[i] += Math.abs(bi);
    }
  }
  if (c.relu) for (let i = 0; i < ySize; i++) if (y.sum[i] < 0) { y.sum[i] = 0; }
  const k = convKernels();
  expectWithin("y", k.conv2d(x, w, b, c, { relu: c.relu }), y, c, 1);
  expectWithin("dx", k.conv2dBackwardInput(dy, w, c), dx, c);
  expectWithin("dw", k.conv2dBackwardWeight(x, dy, c), dw, c);
  checkCombined(c, x, w, dy);
}

/**
 * conv2dBackward: dy masked by a relu output y > 0 (y drawn with zeros, negative zeros and
 * positives), then dx, dW and the bias gradient from the masked dy, each only when asked.
 */
function checkCombined(c: Case, x: Float32Array, w: Float32Array, dy: Float32Array): void {
  const y = values(dy.length, c.seed + 4).map((v, i) => (i % 5 === 0 ? -0 : Math.max(v, 0)));
  const masked = c.relu ? dy.map((v, i) => (y[i] > 0 ? v : 0)) : dy;
  const dx = reference(x.length), dw = reference(w.length);
  forEachTerm(c, (xi, wi, yi) => {
    dx.sum[xi] += masked[yi] * w[wi]; dx.mag[xi] += Math.abs(masked[yi] * w[wi]); dx.terms[xi]++;
    dw.sum[wi] += x[xi] * masked[yi]; dw.mag[wi] += Math.abs(x[xi] * masked[yi]); dw.terms[wi]++;
  });
  const plane = c.outH * c.outW, db = reference(c.outChannels);
  masked.forEach((v, i) => { const ch = Math.floor(i / plane) % c.outChannels; db.sum[ch] += v; db.mag[ch] += Math.abs(v); db.terms[ch]++; });
  const want = { input: c.seed % 3 !== 0, weight: c.seed % 3 !== 1, bias: c.bias };
  const r = convKernels().conv2dBackward(x, w, dy, c.relu ? y : null, c, want);
  if (want.input) expectWithin("combined dx", r.dx!, dx, c); else expect(r.dx).toBeNull();
  if (want.weight) expectWithin("combined dw", r.dw!, dw, c); else expect(r.dw).toBeNull();
  if (want.bias) expectWithin("combined db", r.db!, db, c); else expect(r.db).toBeNull();
}

const base = {
  batch: 1, inChannels: 1, inH: 1, inW: 1, outChannels: 1, kernelH: 1, kernelW: 1, strideH: 1, strideW: 1,
  padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, dilationH: 1, dilationW: 1, groups: 1, relu: false, bias: false, seed: 1,
};

describe("f32 convolution kernels", () => {
  it("match a direct float64 convolution on drawn shapes, strides, padding, dilation and groups", () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 3 }),
      cg: fc.integer({ min: 1, max: 5 }), mg: fc.integer({ min: 1, max: 2 * MR + 1 }),
      kernelH: fc.integer({ min: 1, max: 4 }), kernelW: fc.integer({ min: 1, max: 4 }),
      strideH: fc.integer({ min: 1, max: 3 }), strideW: fc.integer({ min: 1, max: 3 }),
      dilationH: fc.integer({ min: 1, max: 2 }), dilationW: fc.integer({ min: 1, max: 2 }),
      pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
      extraH: fc.nat(2 * NR), extraW: fc.nat(2 * NR + 3),
      relu: fc.boolean(), bias: fc.boolean(), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, (d) => {
      const [padTop, padBottom, padLeft, padRight] = d.pads;
      // The input is at least the dilated kernel minus the padding, plus a drawn extra.
      const inH = Math.max(1, d.dilationH * (d.kernelH - 1) + 1 - padTop - padBottom + d.extraH);
      const inW = Math.max(1, d.dilationW * (d.kernelW - 1) + 1 - padLeft - padRight + d.extraW);
      check(geometry({
        ...base, batch: d.batch, groups: d.groups, inChannels: d.cg * d.groups, outChannels: d.mg * d.groups, inH, inW,
        kernelH: d.kernelH, kernelW: d.kernelW, strideH: d.strideH, strideW: d.strideW, dilationH: d.dilationH, dilationW: d.dilationW,
        padTop, padBottom, padLeft, padRight, relu: d.relu, bias: d.bias, seed: d.seed,
      }));
    }), { numRuns: 120 });
  });

  it("run 1×1 stride-1 unpadded convolutions (plain GEMMs) across tile edges", () => {
    for (const [cin, cout, h, w, groups] of [[1, 1, 1, 1, 1], [3, 5, 3, 3, 1], [9, 4, 1, 17, 1], [6, 10, 2, 5, 2], [8, 8, 3, 3, 8]]) {
      check(geometry({ ...base, batch: 2, inChannels: cin, outChannels: cout, inH: h, inW: w, groups, bias: true, relu: true, seed: cin + h }));
    }
  });

  it("run depthwise convolutions (groups = inChannels, its own kernel) with multipliers, strides and dilation", () => {
    for (const [ch, mult, k, stride, dil, pad] of [[3, 1, 3, 1, 1, 1], [4, 2, 5, 2, 1, 2], [5, 3, 3, 1, 2, 0], [2, 1, 2, 3, 1, 1], [8, 1, 3, 1, 1, 1]]) {
      check(geometry({ ...base, batch: 2, inChannels: ch, outChannels: ch * mult, groups: ch, inH: 9, inW: 11, kernelH: k, kernelW: k,
        strideH: stride, strideW: stride, dilationH: dil, dilationW: dil, padTop: pad, padBottom: pad, padLeft: pad, padRight: pad,
        bias: ch % 2 === 0, relu: mult > 1, seed: ch * 10 + mult }));
    }
  });

  it("cross the k-block (patch length > KC) and the n-block (more than NC output pixels)", () => {
    const cin = Math.ceil((KC + 5) / 9);
    check(geometry({ ...base, inChannels: cin, outChannels: MR + 1, inH: 4, inW: 5, kernelH: 3, kernelW: 3, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, bias: true }));
    const side = Math.ceil(Math.sqrt(NC + 100));
    check(geometry({ ...base, inChannels: 2, outChannels: 3, inH: side, inW: side, kernelH: 3, kernelW: 3, padTop: 1, padBottom: 1, padLeft: 1, padRight: 1, relu: true }));
    check(geometry({ ...base, inChannels: 2, outChannels: 3, inH: side, inW: side }));
  });

  it("return zeros for the weight gradient of an empty batch, and empty outputs", () => {
    const g = geometry({ ...base, batch: 0, inChannels: 2, outChannels: 3, inH: 4, inW: 4, kernelH: 3, kernelW: 3 });
    const k = convKernels();
    expect(k.conv2d(new Float32Array(0), values(54, 1), null, g).length).toBe(0);
    expect(Array.from(k.conv2dBackwardWeight(new Float32Array(0), new Float32Array(0), g))).toEqual(new Array(54).fill(0));
  });
});
