// conv1d, conv2d, convTranspose2d and their modules against direct float64 convolutions written
// here from the definitions (a gather over taps for conv, a scatter for the transpose), gradients
// of input, weight and bias by finite differences, and the argument checks.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DTypeError, nn, noGrad, ShapeError, Tensor, tensor, ValueError, zeros } from "../../src/index.js";
import { fuseLayers } from "../../src/nn/fusion.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { gradLeaf, noMismatch, project } from "../support/grad-leaves.js";
import { at, gammaOf, indices, makeTensor, valuesFrom, type Layout } from "../support/reference.js";
import { gemmTol } from "../support/tolerance.js";

const F = nn.functional;
type Pair = [number, number];
interface Geo { stride: Pair; pad: [number, number, number, number]; dilation: Pair; groups: number }

/** Direct conv2d in float64: value and Σ|terms| of every output element, and the output shape. */
function refConv2d(x: Tensor, w: Tensor, b: Tensor | null, o: Geo) {
  const [N, C, H, W] = x.shape, [Co, cg, kH, kW] = w.shape;
  const [pt, pb, pl, pr] = o.pad;
  const oH = Math.floor((H + pt + pb - o.dilation[0] * (kH - 1) - 1) / o.stride[0]) + 1;
  const oW = Math.floor((W + pl + pr - o.dilation[1] * (kW - 1) - 1) / o.stride[1]) + 1;
  const shape = [N, Co, oH, oW], sum: number[] = [], mag: number[] = [];
  const mg = Co / o.groups;
  for (const [n, co, oy, ox] of indices(shape)) {
    let s = b ? at(b, [co]) : 0, m = Math.abs(s);
    for (let c = 0; c < cg; c++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
      const iy = oy * o.stride[0] - pt + kh * o.dilation[0], ix = ox * o.stride[1] - pl + kw * o.dilation[1];
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const v = at(x, [n, Math.floor(co / mg) * cg + c, iy, ix]) * at(w, [co, c, kh, kw]);
      s += v; m += Math.abs(v);
    }
    sum.push(s); mag.push(m);
  }
  void C;
  return { shape, sum, mag, terms: cg * kH * kW + 1 };
}

/** Direct transposed convolution: every input pixel scattered through the kernel. */
function refConvTranspose2d(x: Tensor, w: Tensor, b: Tensor | null, stride: Pair, padding: Pair, outPad: Pair, dilation: Pair, groups: number) {
  const [N, C, H, W] = x.shape, [, og, kH, kW] = w.shape;
  const Co = og * groups, cg = C / groups;
  const oH = (H - 1) * stride[0] - 2 * padding[0] + dilation[0] * (kH - 1) + outPad[0] + 1;
  const oW = (W - 1) * stride[1] - 2 * padding[1] + dilation[1] * (kW - 1) + outPad[1] + 1;
  const shape = [N, Co, oH, oW], size = N * Co * oH * oW;
  const sum = new Array<number>(size).fill(0), mag = new Array<number>(size).fill(0);
  for (const [n, c, iy, ix] of indices(x.shape)) {
    const g = Math.floor(c / cg);
    for (let j = 0; j < og; j++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
      const oy = iy * stride[0] - padding[0] + kh * dilation[0], ox = ix * stride[1] - padding[1] + kw * dilation[1];
      if (oy < 0 || oy >= oH || ox < 0 || ox >= oW) continue;
      const k = ((n * Co + g * og + j) * oH + oy) * oW + ox, v = at(x, [n, c, iy, ix]) * at(w, [c, j, kh, kw]);
      sum[k] += v; mag[k] += Math.abs(v);
    }
  }
  if (b) for (let k = 0; k < size; k++) { const bv = at(b, [Math.floor(k / (oH * oW)) % Co]); sum[k] += bv; mag[k] += Math.abs(bv); }
  return { shape, sum, mag, terms: (C / groups) * kH * kW + 1 };
}

function expectMatches(y: Tensor, r: { shape: number[]; sum: number[]; mag: number[]; terms: number }, what: string): void {
  expect(y.shape, what).toEqual(r.shape);
  const d = y.data;
  r.sum.forEach((want, i) => {
    const tol = y.dtype === "float64" ? 1e-12 * (r.mag[i] + 1e-300) : gemmTol(r.mag[i], want, r.terms + 1);
    if (!(Math.abs(d[i] - want) <= tol)) throw new Error(`${what}: y[${i}] = ${d[i]}, expected ${want} ± ${tol}`);
  });
}

const contiguous: Layout = { transposeLast: false, padLast: 0, offset: 0 };
const input = (shape: number[], seed: number, layout = contiguous, dtype: "float32" | "float64" = "float32") =>
  makeTensor(shape, valuesFrom(seed, -1, 1), layout, dtype);

describe("conv2d", () => {
  it("matches a direct convolution for drawn shapes, options and input layouts", () => {
    const arb = fc.record({
      n: fc.integer({ min: 1, max: 2 }), groups: fc.integer({ min: 1, max: 2 }), cg: fc.integer({ min: 1, max: 3 }), mg: fc.integer({ min: 1, max: 5 }),
      k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })), stride: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 })),
      dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })), padding: fc.oneof(fc.nat(2), fc.constant("same" as const), fc.constant("valid" as const)),
      extra: fc.tuple(fc.nat(6), fc.nat(10)), layout: fc.record({ transposeLast: fc.boolean(), padLast: fc.nat(2), offset: fc.nat(3) }),
      bias: fc.boolean(), relu: fc.boolean(), seed: fc.nat(100),
    });
    fc.assert(fc.property(arb, (d) => {
      const stride: Pair = d.padding === "same" ? [1, 1] : d.stride;
      const h = d.dilation[0] * (d.k[0] - 1) + 1 + d.extra[0], w = d.dilation[1] * (d.k[1] - 1) + 1 + d.extra[1];
      const x = input([d.n, d.cg * d.groups, h, w], d.seed, d.layout);
      const wt = input([d.mg * d.groups, d.cg, d.k[0], d.k[1]], d.seed + 1);
      const b = d.bias ? input([d.mg * d.groups], d.seed + 2) : null;
      const total = [d.dilation[0] * (d.k[0] - 1), d.dilation[1] * (d.k[1] - 1)];
      const pad: Geo["pad"] = d.padding === "same" ? [total[0] >> 1, total[0] - (total[0] >> 1), total[1] >> 1, total[1] - (total[1] >> 1)]
        : d.padding === "valid" ? [0, 0, 0, 0] : [d.padding, d.padding, d.padding, d.padding];
      const r = refConv2d(x, wt, b, { stride, pad, dilation: d.dilation, groups: d.groups });
      if (d.relu) r.sum = r.sum.map((v) => Math.max(v, 0));
      expectMatches(F.conv2d(x, wt, b, { stride, padding: d.padding, dilation: d.dilation, groups: d.groups, relu: d.relu }), r, JSON.stringify(d));
    }), { numRuns: 60 });
  });

  it("takes an unbatched [C, H, W] input and float64 tensors", () => {
    const x = input([2, 5, 4], 1, contiguous, "float64"), w = input([3, 2, 2, 2], 2, contiguous, "float64");
    const y = F.conv2d(x, w, null, { padding: 1 });
    expect(y.dtype).toBe("float64");
    expectMatches(y.unsqueeze(0), refConv2d(x.unsqueeze(0), w, null, { stride: [1, 1], pad: [1, 1, 1, 1], dilation: [1, 1], groups: 1 }), "unbatched");
  });

  it("has the gradients of input, weight and bias (finite differences, float64)", () => {
    for (const [o, groups] of [[{ stride: 2, padding: 1 }, 1], [{ padding: "same", dilation: 2 }, 2], [{ stride: [1, 2], padding: [0, 1] }, 1]] as const) {
      const x = gradLeaf([2, 2 * groups, 5, 6], 1, (r) => r.uniform() * 2 - 1);
      const w = gradLeaf([3 * groups, 2, 3, 2], 2, (r) => r.uniform() * 2 - 1);
      const b = gradLeaf([3 * groups], 3, (r) => r.uniform());
      noMismatch(findGradMismatches(() => project(F.conv2d(x, w, b, { ...o, groups }), 7), [x, w, b]));
    }
  });

  it("float32 gradients (through the kernels) agree with float64 ones, and relu masks by the output", () => {
    const x64 = gradLeaf([3, 4, 7, 7], 4, (r) => r.uniform() * 2 - 1), w64 = gradLeaf([8, 4, 3, 3], 5, (r) => r.uniform() - 0.5);
    const b64 = gradLeaf([8], 6, (r) => r.uniform() - 0.5), g = gradLeaf([3, 8, 7, 7], 8, (r) => r.uniform()).detach();
    const leaf32 = (t: Tensor) => { const u = t.detach().astype("float32"); u.requiresGrad = true; return u; };
    const [x32, w32, b32] = [x64, w64, b64].map(leaf32);
    for (const relu of [false, true]) {
      for (const t of [x64, w64, b64, x32, w32, b32]) t.grad = null;
      F.conv2d(x64, w64, b64, { padding: 1, relu }).mul(g).sum().backward();
      F.conv2d(x32, w32, b32, { padding: 1, relu }).mul(g.astype("float32")).sum().backward();
      for (const [a, want, terms] of [[x32, x64, 8 * 9], [w32, w64, 3 * 49], [b32, b64, 3 * 49]] as const) {
        const got = a.grad!.data, ref = want.grad!.data;
        // Each gradient is a sum of `terms` products of values in [−1, 1]·[−1.5, 1.5]: bound it by its magnitude.
        for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(gemmTol(1.5 * terms, ref[i], terms) + 1e-6 * Math.abs(ref[i]));
      }
    }
    // With relu, the bias gradient is the incoming gradient summed where the output is positive.
    const y = noGrad(() => F.conv2d(x64, w64, b64, { padding: 1 })).data, gd = g.data;
    for (let c = 0; c < 8; c++) {
      let s = 0;
      for (let n = 0; n < 3; n++) for (let j = 0; j < 49; j++) { const i = (n * 8 + c) * 49 + j; if (y[i] > 0) s += gd[i]; }
      expect(b64.grad!.data[c]).toBeCloseTo(s, 10);
    }
  });

  it("refuses mismatched channels, a kernel larger than the padded input, bad groups and options", () => {
    const x = zeros([1, 4, 5, 5]);
    expect(() => F.conv2d(x, zeros([2, 3, 3, 3]))).toThrow(ShapeError);
    expect(() => F.conv2d(x, zeros([2, 3, 3, 3]))).toThrow(/\[1,4,5,5\].*\[2,3,3,3\]/);
    expect(() => F.conv2d(x, zeros([2, 4, 6, 3]))).toThrow(/larger than the padded input/);
    expect(F.conv2d(x, zeros([2, 4, 6, 3]), null, { padding: 1 }).shape).toEqual([1, 2, 2, 5]);
    expect(() => F.conv2d(x, zeros([3, 2, 3, 3]), null, { groups: 2 })).toThrow(ValueError);
    expect(() => F.conv2d(x, zeros([2, 4, 3, 3]), null, { padding: "same", stride: 2 })).toThrow(/same.*stride 1/);
    expect(() => F.conv2d(x, zeros([2, 4, 3, 3]), null, { stride: 0 })).toThrow(ValueError);
    expect(() => F.conv2d(x, zeros([2, 4, 3, 3]), null, { paddingMode: "reflect" } as never)).toThrow(ValueError);
    expect(() => F.conv2d(x, zeros([2, 4, 3, 3]), zeros([3]))).toThrow(/bias of shape \[3\]/);
    expect(() => F.conv2d(zeros([4, 5]), zeros([2, 4, 3, 3]))).toThrow(ShapeError);
    expect(() => F.conv2d(tensor([[[[1]]]], { dtype: "int32" }), zeros([1, 1, 1, 1]))).toThrow(DTypeError);
  });
});

describe("conv1d", () => {
  it("matches a direct convolution (as conv2d of height 1), with 'same' padding of an even kernel", () => {
    for (const [o, k] of [[{ stride: 2, padding: 1, dilation: 2 }, 3], [{ padding: "same" }, 4], [{ padding: "valid", groups: 2 }, 2]] as const) {
      const groups = "groups" in o ? o.groups : 1;
      const x = input([2, 2 * groups, 11], 3), w = input([3 * groups, 2, k], 4), b = input([3 * groups], 5);
      const p = "padding" in o ? o.padding : 0, d = "dilation" in o ? o.dilation : 1;
      const total = d * (k - 1);
      const pad: Geo["pad"] = p === "same" ? [0, 0, total >> 1, total - (total >> 1)] : p === "valid" ? [0, 0, 0, 0] : [0, 0, p, p];
      const r = refConv2d(x.unsqueeze(2), w.unsqueeze(2), b, { stride: [1, "stride" in o ? o.stride : 1], pad, dilation: [1, d], groups });
      expectMatches(F.conv1d(x, w, b, o).unsqueeze(2), r, JSON.stringify(o));
    }
    expect(F.conv1d(input([3, 9], 1), input([2, 3, 3], 2)).shape).toEqual([2, 7]);
  });

  it("has the gradients of input, weight and bias", () => {
    const x = gradLeaf([2, 3, 9], 1, (r) => r.uniform() * 2 - 1), w = gradLeaf([4, 3, 3], 2, (r) => r.uniform() - 0.5), b = gradLeaf([4], 3, (r) => r.uniform());
    noMismatch(findGradMismatches(() => project(F.conv1d(x, w, b, { stride: 2, padding: 2 }), 4), [x, w, b]));
  });
});

describe("convTranspose2d", () => {
  it("matches a direct scatter for strides, padding, outputPadding, dilation and groups", () => {
    const cases: [Pair, Pair, Pair, Pair, number][] = [
      [[2, 2], [1, 1], [1, 1], [1, 1], 1], [[1, 3], [0, 1], [0, 2], [1, 1], 2], [[2, 1], [2, 0], [0, 0], [2, 3], 1], [[3, 2], [1, 0], [2, 1], [1, 2], 1],
    ];
    for (const [stride, padding, outputPadding, dilation, groups] of cases) {
      const x = input([2, 2 * groups, 4, 3], 6), w = input([2 * groups, 3, 3, 2], 7), b = input([3 * groups], 8);
      expectMatches(F.convTranspose2d(x, w, b, { stride, padding, outputPadding, dilation, groups }),
        refConvTranspose2d(x, w, b, stride, padding, outputPadding, dilation, groups), JSON.stringify({ stride, padding, outputPadding, dilation, groups }));
    }
  });

  it("has the gradients of input, weight and bias", () => {
    const x = gradLeaf([2, 4, 3, 4], 1, (r) => r.uniform() * 2 - 1), w = gradLeaf([4, 3, 3, 3], 2, (r) => r.uniform() - 0.5), b = gradLeaf([6], 3, (r) => r.uniform());
    noMismatch(findGradMismatches(() => project(F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), 4), [x, w, b]));
  });

  it("a 1×1 kernel with an outputPadding of stride or more (allowed below the dilation): zeros plus bias where no tap reaches, in float32 too", () => {
    // Such a geometry has input rows and columns past the output's: not the plain-GEMM (pointwise) case.
    const cases: [Pair, Pair, Pair][] = [[[1, 1], [0, 1], [1, 2]], [[1, 1], [2, 3], [3, 4]], [[2, 1], [1, 2], [1, 3]]];
    cases.forEach(([stride, outputPadding, dilation], i) => {
      // A larger call first, so scratch memory holds values an unwritten output element would show.
      F.convTranspose2d(input([3, 6, 9, 9], 20 + i).add(5), input([6, 4, 3, 3], 30 + i), null, { stride: 2 });
      const o = { stride, outputPadding, dilation };
      const x = input([2, 3, 4, 3], 40 + i), w = input([3, 2, 1, 1], 50 + i), b = input([2], 60 + i);
      expectMatches(F.convTranspose2d(x, w, b, o), refConvTranspose2d(x, w, b, stride, [0, 0], outputPadding, dilation, 1), JSON.stringify(o));
      // Its gradients run the forward convolution and the weight gradient on the same geometry.
      const x64 = gradLeaf([2, 3, 4, 3], 70 + i, (r) => r.uniform() * 2 - 1), w64 = gradLeaf([3, 2, 1, 1], 80 + i, (r) => r.uniform() - 0.5);
      noMismatch(findGradMismatches(() => project(F.convTranspose2d(x64, w64, null, o), 4), [x64, w64]));
      // float32 gradients against float64 ones; project's weights are positive, so the gradients
      // taken at |x| and |w| are each element's Σ|terms|, and the bound is γ(terms + 2)·Σ|terms|.
      const grads = (a: Tensor, c: Tensor) => {
        const [aa, cc] = [a.detach(), c.detach()];
        aa.requiresGrad = true; cc.requiresGrad = true;
        project(F.convTranspose2d(aa, cc, null, o), 4).backward();
        return [aa.grad!.data, cc.grad!.data];
      };
      const g32 = grads(x64.astype("float32"), w64.astype("float32")), g64 = grads(x64, w64), mag = grads(x64.abs(), w64.abs());
      const terms = 2 * 4 * 3 * 2; // at most every output element (the weight gradient's sum)
      g64.forEach((want, j) => Array.from(want).forEach((v, k) => {
        expect(Math.abs(g32[j][k] - v), `${JSON.stringify(o)} grad ${j}[${k}]`).toBeLessThanOrEqual(gammaOf("float32", terms + 2) * mag[j][k] + 1e-30);
      }));
    });
  });

  it("refuses an outputPadding not below stride or dilation, and mismatched channels", () => {
    expect(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 1, 3, 3]), null, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding/);
    expect(() => F.convTranspose2d(zeros([1, 3, 3, 3]), zeros([2, 1, 3, 3]))).toThrow(ShapeError);
  });
});

describe("Conv1d, Conv2d, ConvTranspose2d modules", () => {
  it("have PyTorch's parameter names, shapes and U(±1/√fanIn) initialization, seeded", () => {
    const c = new nn.Conv2d(4, 6, [3, 2], { groups: 2, seed: 1 });
    expect(Object.keys(c.stateDict())).toEqual(["weight", "bias"]);
    expect(c.weight.shape).toEqual([6, 2, 3, 2]);
    const bound = 1 / Math.sqrt(2 * 3 * 2);
    for (const t of [c.weight, c.bias!]) for (const v of t.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(c.weight.data, Math.abs))).toBeGreaterThan(bound / 2);
    expect(Array.from(new nn.Conv2d(4, 6, [3, 2], { groups: 2, seed: 1 }).weight.data)).toEqual(Array.from(c.weight.data));
    expect([c.inChannels, c.outChannels, c.kernelSize, c.stride, c.padding, c.dilation, c.groups]).toEqual([4, 6, [3, 2], [1, 1], [0, 0], [1, 1], 2]);
    const t = new nn.ConvTranspose2d(4, 6, 3, { stride: 2, outputPadding: 1, bias: false, seed: 2 });
    expect(t.weight.shape).toEqual([4, 6, 3, 3]);
    expect(t.bias).toBeNull();
    expect(Object.keys(t.stateDict())).toEqual(["weight"]);
    const c1 = new nn.Conv1d(3, 5, 4, { padding: "same", seed: 3 });
    expect(c1.weight.shape).toEqual([5, 3, 4]);
    expect(c1.forward(zeros([2, 3, 10])).shape).toEqual([2, 5, 10]);
    expect(c1.pads).toEqual([1, 2]);
    expect(new nn.Conv2d(1, 1, [4, 3], { padding: "same", dilation: [1, 2] }).pads).toEqual([1, 2, 2, 2]);
    expect(new nn.Conv2d(1, 1, 3, { padding: [2, 1] }).pads).toEqual([2, 2, 1, 1]);
    expect(new nn.Conv2d(1, 1, 3, { padding: "valid" }).pads).toEqual([0, 0, 0, 0]);
  });

  it("compute their functional forms", () => {
    const c = new nn.Conv2d(2, 3, 3, { stride: 2, padding: 1, seed: 4 });
    const x = input([2, 2, 7, 6], 9);
    expect(Array.from(c.forward(x).data)).toEqual(Array.from(F.conv2d(x, c.weight, c.bias, { stride: 2, padding: 1 }).data));
    expect(Array.from(c.forwardRelu(x).data)).toEqual(Array.from(F.conv2d(x, c.weight, c.bias, { stride: 2, padding: 1, relu: true }).data));
    const t = new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1, outputPadding: 1, seed: 5 });
    expect(t.forward(x).shape).toEqual([2, 3, 14, 12]);
  });

  it("refuse bad arguments before building anything", () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow(ValueError);
    expect(() => new nn.Conv2d(0, 4, 3)).toThrow(ValueError);
    expect(() => new nn.Conv2d(3, 4, 3, { stride: 2, padding: "same" })).toThrow(ValueError);
    expect(() => new nn.Conv2d(3, 4, 3, { paddingMode: "reflect" } as never)).toThrow(ValueError);
    expect(() => new nn.ConvTranspose2d(3, 4, 3, { stride: 2, outputPadding: 2 })).toThrow(ValueError);
    expect(() => new nn.Conv1d(3, 4, 0)).toThrow(ValueError);
    // a pair is two lengths to pad, and a 1-D convolution has one (its second half was used on both sides)
    expect(() => new nn.Conv1d(1, 1, 3, { padding: [1, 2] } as never)).toThrow(/Conv1d: padding must be an integer ≥ 0, "same" or "valid", got \[1,2\]/);
    expect(() => new nn.Conv1d(1, 1, 3, { padding: -1 })).toThrow(ValueError);
  });

  it("run in a Sequential (Conv2d→ReLU as one fused conv step), and summary lists them", () => {
    const m = new nn.Sequential(new nn.Conv2d(1, 4, 3, { padding: 1, seed: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(4 * 36, 3, { seed: 2 }));
    expect(fuseLayers(m.children()).map((s) => s.kind)).toEqual(["conv", "module", "linear"]);
    expect(m.forward(zeros([2, 1, 6, 6])).shape).toEqual([2, 3]);
    const table = m.summary([2, 1, 6, 6], { print: false });
    expect(table).toMatch(/Conv2d.*\[2, 4, 6, 6\].*40/);
  });
});
