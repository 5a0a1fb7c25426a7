// The convolutions the kernels run by Winograd's F(2×2, 3×3) (3×3, stride 1, undilated, one
// group, channel counts multiples of 4 from 8, padding ≤ 2 on top/left: the CNN's second layer)
// against a direct float64 convolution. The error bound is derived from the algorithm, not
// from the direct sum: every output is Aᵀ[Σc (G·w·Gᵀ) ⊙ (Bᵀ·d·B)]A, so its float32 error is at
// most γ(n)·|Aᵀ|[Σc (|G|·|w|·|G|ᵀ) ⊙ (|Bᵀ|·|d|·|B|)]|A| with n the roundings along the longest
// chain: 4 in U (two stages of 3-term sums), 2 in V (two of 2-term sums), 1 product, Cin in
// the sum over channels, 4 in the output transform (two of 3-term sums), 1 for the bias. The
// weight gradient is the transposed chain: Gᵀ[Σ tiles (|A|·|dy|·|A|ᵀ) ⊙ (|Bᵀ|·|x|·|B|)]|G|.
// The JS backend runs the direct convolution: there the bound is the direct sum's, γ(k)·Σ|w·x|.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { convKernels, kernels, type Conv2dGeometry } from "../../src/backend/index.js";
import { gemmTol } from "../support/tolerance.js";
import { values } from "../support/mulberry32.js";

// F(2,3) with absolute values: G (4×3), Bᵀ (4×4), Aᵀ (2×4).
const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
const BT = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]];
const AT = [[1, 1, 1, 0], [0, 1, -1, -1]];
const abs = (m: number[][]) => m.map((r) => r.map(Math.abs));
const absG = abs(G), absBT = abs(BT), absAT = abs(AT);

/** |L|·|X|·|R|ᵀ for a rows×cols X given as a function. */
function sandwich(l: number[][], x: (i: number, j: number) => number, r: number[][], inner: number): number[][] {
  return l.map((li) => r.map((rj) => {
    let s = 0;
    for (let a = 0; a < inner; a++) for (let b = 0; b < inner; b++) s += li[a] * Math.abs(x(a, b)) * rj[b];
    return s;
  }));
}

interface Problem {
  batch: number; cin: number; cout: number; inH: number; inW: number; outH: number; outW: number;
  padTop: number; padLeft: number;
}

/** Pixel (c, r, s) of image n of a batch stored [N, C, H, W], 0 outside. */
const pixel = (t: Float32Array, c0: number, h: number, w: number) => (n: number, c: number, r: number, s: number) =>
  r < 0 || r >= h || s < 0 || s >= w ? 0 : t[((n * c0 + c) * h + r) * w + s];

/** The forward's float64 sum and its Winograd magnitude, per output. kernel(o, c, kh, kw). */
function forwardReference(p: Problem, x: Float32Array, kernel: (o: number, c: number, kh: number, kw: number) => number) {
  const size = p.batch * p.cout * p.outH * p.outW;
  const sum = new Float64Array(size), mag = new Float64Array(size), direct = new Float64Array(size);
  const at = pixel(x, p.cin, p.inH, p.inW);
  const u = Array.from({ length: p.cout }, (_, o) => Array.from({ length: p.cin }, (_, c) =>
    sandwich(absG, (a, b) => kernel(o, c, a, b), absG, 3)));
  for (let n = 0; n < p.batch; n++) for (let ty = 0; 2 * ty < p.outH; ty++) for (let tx = 0; 2 * tx < p.outW; tx++) {
    const y0 = 2 * ty - p.padTop, x0 = 2 * tx - p.padLeft;
    const v = Array.from({ length: p.cin }, (_, c) => sandwich(absBT, (a, b) => at(n, c, y0 + a, x0 + b), absBT, 4));
    for (let o = 0; o < p.cout; o++) {
      const m = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => {
        let s = 0;
        for (let c = 0; c < p.cin; c++) s += u[o][c][i][j] * v[c][i][j];
        return s;
      }));
      const out = sandwich(absAT, (a, b) => m[a][b], absAT, 4);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
        const oy = 2 * ty + i, ox = 2 * tx + j;
        if (oy >= p.outH || ox >= p.outW) continue;
        const yi = ((n * p.cout + o) * p.outH + oy) * p.outW + ox;
        mag[yi] = out[i][j];
        for (let c = 0; c < p.cin; c++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
          const term = kernel(o, c, kh, kw) * at(n, c, oy - p.padTop + kh, ox - p.padLeft + kw);
          sum[yi] += term; direct[yi] += Math.abs(term);
        }
      }
    }
  }
  return { sum, mag, direct, directTerms: 9 * p.cin };
}

/** The weight gradient's float64 sum and its Winograd magnitude, per element of dw. */
function weightReference(p: Problem, x: Float32Array, dy: Float32Array) {
  const sum = new Float64Array(p.cout * p.cin * 9), mag = new Float64Array(sum.length), direct = new Float64Array(sum.length);
  const at = pixel(x, p.cin, p.inH, p.inW), grad = pixel(dy, p.cout, p.outH, p.outW);
  const absA = [[1, 0], [1, 1], [1, 1], [0, 1]];
  const du = Array.from({ length: p.cout * p.cin }, () => new Float64Array(16));
  for (let n = 0; n < p.batch; n++) for (let ty = 0; 2 * ty < p.outH; ty++) for (let tx = 0; 2 * tx < p.outW; tx++) {
    const y0 = 2 * ty - p.padTop, x0 = 2 * tx - p.padLeft;
    const v = Array.from({ length: p.cin }, (_, c) => sandwich(absBT, (a, b) => at(n, c, y0 + a, x0 + b), absBT, 4));
    for (let o = 0; o < p.cout; o++) {
      const dm = sandwich(absA, (a, b) => grad(n, o, 2 * ty + a, 2 * tx + b), absA, 2);
      for (let c = 0; c < p.cin; c++) for (let xi = 0; xi < 16; xi++) du[o * p.cin + c][xi] += dm[xi >> 2][xi & 3] * v[c][xi >> 2][xi & 3];
    }
  }
  const absGT = [[1, 0.5, 0.5, 0], [0, 0.5, 0.5, 0], [0, 0.5, 0.5, 1]];
  for (let o = 0; o < p.cout; o++) for (let c = 0; c < p.cin; c++) {
    const m = sandwich(absGT, (a, b) => du[o * p.cin + c][4 * a + b], absGT, 4);
    for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
      const wi = (o * p.cin + c) * 9 + kh * 3 + kw;
      mag[wi] = m[kh][kw];
      for (let n = 0; n < p.batch; n++) for (let oy = 0; oy < p.outH; oy++) for (let ox = 0; ox < p.outW; ox++) {
        const term = grad(n, o, oy, ox) * at(n, c, oy - p.padTop + kh, ox - p.padLeft + kw);
        sum[wi] += term; direct[wi] += Math.abs(term);
      }
    }
  }
  return { sum, mag, direct, directTerms: p.batch * p.outH * p.outW };
}

interface Reference { sum: Float64Array; mag: Float64Array; direct: Float64Array; directTerms: number }

/** Within the Winograd bound (k: its roundings) on the wasm backends, the direct one on js. */
function expectWithin(what: string, got: Float32Array, r: Reference, k: number, context: string): void {
  expect(got.length, `${what} length`).toBe(r.sum.length);
  const winograd = kernels().name !== "js";
  for (let i = 0; i < got.length; i++) {
    const tol = winograd ? gemmTol(r.mag[i], r.sum[i], k) : gemmTol(r.direct[i], r.sum[i], r.directTerms + 1);
    if (!(Math.abs(got[i] - r.sum[i]) <= tol)) {
      throw new Error(`${what}[${i}] = ${got[i]}, expected ${r.sum[i]} ± ${tol} (${context}, backend ${kernels().name})`);
    }
  }
}

function check(p: Problem & { relu: boolean; bias: boolean; seed: number }): void {
  const g: Conv2dGeometry = {
    batch: p.batch, inChannels: p.cin, inH: p.inH, inW: p.inW, outChannels: p.cout, outH: p.outH, outW: p.outW,
    kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: p.padTop, padLeft: p.padLeft, dilationH: 1, dilationW: 1, groups: 1,
  };
  const x = values(p.batch * p.cin * p.inH * p.inW, p.seed), w = values(p.cout * p.cin * 9, p.seed + 1);
  const b = p.bias ? values(p.cout, p.seed + 2) : null;
  const dy = values(p.batch * p.cout * p.outH * p.outW, p.seed + 3);
  const context = JSON.stringify(p);
  const k = convKernels();

  const y = forwardReference(p, x, (o, c, kh, kw) => w[((o * p.cin + c) * 3 + kh) * 3 + kw]);
  const plane = p.outH * p.outW;
  for (let i = 0; b && i < y.sum.length; i++) {
    const bi = b[Math.floor(i / plane) % p.cout];
    y.sum[i] += bi; y.mag[i] += Math.abs(bi); y.direct[i] += Math.abs(bi);
  }
  if (p.relu) y.sum.forEach((v, i) => { if (v < 0) y.sum[i] = 0; });
  expectWithin("y", k.conv2d(x, w, b, g, { relu: p.relu }), y, p.cin + 11, context);

  // dx: the forward of dy with the kernel flipped and its channels swapped, padded by 2 − pad.
  const back: Problem = { ...p, cin: p.cout, cout: p.cin, inH: p.outH, inW: p.outW, outH: p.inH, outW: p.inW,
                          padTop: 2 - p.padTop, padLeft: 2 - p.padLeft };
  const dx = forwardReference(back, dy, (c, o, kh, kw) => w[((o * p.cin + c) * 3 + 2 - kh) * 3 + 2 - kw]);
  expectWithin("dx", k.conv2dBackwardInput(dy, w, g), dx, p.cout + 10, context);

  // dw: 2 roundings in dM, 2 in V, 1 product, the sum over every tile of the batch, 4 in Gᵀ·dU·G.
  const tiles = p.batch * Math.ceil(p.outH / 2) * Math.ceil(p.outW / 2);
  expectWithin("dw", k.conv2dBackwardWeight(x, dy, g), weightReference(p, x, dy), tiles + 8, context);
}

describe("Winograd F(2×2, 3×3) convolutions", () => {
  it("match a direct float64 convolution within the bound of their own arithmetic, forward and both gradients", () => {
    const arb = fc.record({
      batch: fc.integer({ min: 1, max: 3 }), cin: fc.integer({ min: 2, max: 6 }), cout: fc.integer({ min: 2, max: 7 }),
      inH: fc.integer({ min: 1, max: 11 }), inW: fc.integer({ min: 1, max: 13 }),
      pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
      relu: fc.boolean(), bias: fc.boolean(), seed: fc.nat(1000),
    });
    fc.assert(fc.property(arb, (d) => {
      const [padTop, padBottom, padLeft, padRight] = d.pads;
      const outH = d.inH + padTop + padBottom - 2, outW = d.inW + padLeft + padRight - 2;
      fc.pre(outH > 0 && outW > 0);
      check({ batch: d.batch, cin: 4 * d.cin, cout: 4 * d.cout, inH: d.inH, inW: d.inW, outH, outW, padTop, padLeft,
              relu: d.relu, bias: d.bias, seed: d.seed });
    }), { numRuns: 40 });
  });

  it("sum the weight gradient over several blocks of tiles (24×24: 144 tiles an image)", () => {
    check({ batch: 2, cin: 8, cout: 12, inH: 24, inW: 23, outH: 24, outW: 23, padTop: 1, padLeft: 1, relu: false, bias: true, seed: 9 });
  });

  it("run the reference CNN's second layer (32 → 64 channels, 14×14, padding 1)", () => {
    check({ batch: 2, cin: 32, cout: 64, inH: 14, inW: 14, outH: 14, outW: 14, padTop: 1, padLeft: 1, relu: true, bias: true, seed: 5 });
  });
});
