// conv3d, convTranspose3d and their modules against direct float64 convolutions written here from
// the definitions (a gather over the kernel's taps for conv, a scatter for the transpose), over
// shapes and options drawn by fast-check; gradients of input, weight and bias by finite
// differences; and every refusal as a typed error naming the shape or value.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DTypeError, io, nn, noGrad, ShapeError, Tensor, tensor, ValueError, zeros } from "../../src/index.js";
import { fuseLayers } from "../../src/nn/fusion.js";
import { isRegisteredLayer } from "../../src/nn/layer-registry.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { gradLeaf, noMismatch, project } from "../support/grad-leaves.js";
import { at, gammaOf, indices, makeTensor, valuesFrom, type Layout } from "../support/reference.js";
import { gemmTol } from "../support/tolerance.js";

const F = nn.functional;
type Triple = [number, number, number];
interface Ref { shape: number[]; sum: number[]; mag: number[]; terms: number }

/** Direct conv3d in float64 (n, co, od, oh, ow, c, kd, kh, kw): value and Σ|terms| of every output. */
function refConv3d(x: Tensor, w: Tensor, b: Tensor | null, stride: Triple, pads: number[], dilation: Triple, groups: number): Ref {
  const [N, , D, H, W] = x.shape, [Co, cg, kD, kH, kW] = w.shape, size = [D, H, W], k = [kD, kH, kW];
  const out = [0, 1, 2].map((i) => Math.floor((size[i] + pads[2 * i] + pads[2 * i + 1] - dilation[i] * (k[i] - 1) - 1) / stride[i]) + 1);
  const shape = [N, Co, ...out], sum: number[] = [], mag: number[] = [], mg = Co / groups;
  for (const [n, co, od, oh, ow] of indices(shape)) {
    let s = b ? at(b, [co]) : 0, m = Math.abs(s);
    for (let c = 0; c < cg; c++) for (let a = 0; a < kD; a++) for (let e = 0; e < kH; e++) for (let f = 0; f < kW; f++) {
      const id = od * stride[0] - pads[0] + a * dilation[0], ih = oh * stride[1] - pads[2] + e * dilation[1], iw = ow * stride[2] - pads[4] + f * dilation[2];
      if (id < 0 || id >= D || ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const v = at(x, [n, Math.floor(co / mg) * cg + c, id, ih, iw]) * at(w, [co, c, a, e, f]);
      s += v; m += Math.abs(v);
    }
    sum.push(s); mag.push(m);
  }
  return { shape, sum, mag, terms: cg * kD * kH * kW + 1 };
}

/** Direct transposed conv3d: every input element scattered through the kernel. */
function refConvTranspose3d(x: Tensor, w: Tensor, b: Tensor | null, stride: Triple, padding: Triple, outPad: Triple, dilation: Triple, groups: number): Ref {
  const [N, C, ...size] = x.shape, [, og, ...k] = w.shape, Co = og * groups, cg = C / groups;
  const out = [0, 1, 2].map((i) => (size[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + outPad[i] + 1);
  const shape = [N, Co, ...out], total = shape.reduce((p, q) => p * q, 1);
  const sum = new Array<number>(total).fill(0), mag = new Array<number>(total).fill(0);
  for (const [n, c, id, ih, iw] of indices(x.shape)) {
    const g = Math.floor(c / cg);
    for (let j = 0; j < og; j++) for (let a = 0; a < k[0]; a++) for (let e = 0; e < k[1]; e++) for (let f = 0; f < k[2]; f++) {
      const o = [id * stride[0] - padding[0] + a * dilation[0], ih * stride[1] - padding[1] + e * dilation[1], iw * stride[2] - padding[2] + f * dilation[2]];
      if (o.some((p, i) => p < 0 || p >= out[i])) continue;
      const flat = (((n * Co + g * og + j) * out[0] + o[0]) * out[1] + o[1]) * out[2] + o[2];
      const v = at(x, [n, c, id, ih, iw]) * at(w, [c, j, a, e, f]);
      sum[flat] += v; mag[flat] += Math.abs(v);
    }
  }
  if (b) {
    const volume = out[0] * out[1] * out[2];
    for (let i = 0; i < total; i++) { const v = at(b, [Math.floor(i / volume) % Co]); sum[i] += v; mag[i] += Math.abs(v); }
  }
  return { shape, sum, mag, terms: cg * k[0] * k[1] * k[2] + 1 };
}

function expectMatches(y: Tensor, r: Ref, what: string): void {
  expect(y.shape, what).toEqual(r.shape);
  const d = y.data;
  r.sum.forEach((want, i) => {
    const tol = y.dtype === "float64" ? gammaOf("float64", r.terms + 1) * r.mag[i] + 1e-300 : gemmTol(r.mag[i], want, r.terms + 1);
    if (!(Math.abs(d[i] - want) <= tol)) throw new Error(`${what}: y[${i}] = ${d[i]}, expected ${want} ± ${tol}`);
  });
}

const contiguous: Layout = { transposeLast: false, padLast: 0, offset: 0 };
const input = (shape: number[], seed: number, layout = contiguous, dtype: "float32" | "float64" = "float32") =>
  makeTensor(shape, valuesFrom(seed, -1, 1), layout, dtype);
const small = fc.integer({ min: 1, max: 2 });
const triple = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max }), fc.integer({ min, max }));

describe("conv3d", () => {
  it("matches a direct convolution for drawn shapes, options, dtypes and input layouts", () => {
    const arb = fc.record({
      n: small, groups: small, cg: small, mg: fc.integer({ min: 1, max: 3 }), k: triple(1, 3), stride: triple(1, 2), dilation: triple(1, 2),
      padding: fc.oneof(fc.nat(2), triple(0, 2), fc.constant("same" as const), fc.constant("valid" as const)),
      extra: triple(0, 4), layout: fc.record({ transposeLast: fc.boolean(), padLast: fc.nat(2), offset: fc.nat(3) }),
      bias: fc.boolean(), dtype: fc.constantFrom("float32" as const, "float64" as const), seed: fc.nat(100),
    });
    fc.assert(fc.property(arb, (d) => {
      const stride: Triple = d.padding === "same" ? [1, 1, 1] : d.stride;
      const size = d.k.map((k, i) => d.dilation[i] * (k - 1) + 1 + d.extra[i]);
      const x = input([d.n, d.cg * d.groups, ...size], d.seed, d.layout, d.dtype);
      const w = input([d.mg * d.groups, d.cg, ...d.k], d.seed + 1, contiguous, d.dtype);
      const b = d.bias ? input([d.mg * d.groups], d.seed + 2, contiguous, d.dtype) : null;
      const total = d.k.map((k, i) => d.dilation[i] * (k - 1));
      const pads = d.padding === "same" ? total.flatMap((t) => [t >> 1, t - (t >> 1)]) : d.padding === "valid" ? [0, 0, 0, 0, 0, 0]
        : (typeof d.padding === "number" ? [d.padding, d.padding, d.padding] : d.padding).flatMap((p) => [p, p]);
      const y = F.conv3d(x, w, b, { stride, padding: d.padding, dilation: d.dilation, groups: d.groups });
      expect(y.dtype).toBe(d.dtype);
      expectMatches(y, refConv3d(x, w, b, stride, pads, d.dilation, d.groups), JSON.stringify(d));
    }), { numRuns: 60 });
  });

  it("takes an unbatched [C, D, H, W] input, and mixed float32/float64 operands compute in float64", () => {
    const x = input([2, 4, 5, 3], 1), w = input([3, 2, 2, 3, 2], 2, contiguous, "float64");
    const y = F.conv3d(x, w, null, { padding: [1, 0, 1] });
    expect(y.dtype).toBe("float64");
    expectMatches(y.unsqueeze(0), refConv3d(x.unsqueeze(0), w, null, [1, 1, 1], [1, 1, 0, 0, 1, 1], [1, 1, 1], 1), "unbatched");
  });

  it("has the gradients of input, weight and bias (finite differences, float64)", () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ stride: 2, padding: 1 }, 1], [{ padding: "same", dilation: [2, 1, 1] }, 2], [{ stride: [1, 2, 1], padding: [1, 0, 1] }, 1],
    ];
    for (const [o, groups] of cases) {
      const x = gradLeaf([2, 2 * groups, 4, 4, 3], 1, (r) => r.uniform() * 2 - 1);
      const w = gradLeaf([2 * groups, 2, 3, 2, 2], 2, (r) => r.uniform() * 2 - 1);
      const b = gradLeaf([2 * groups], 3, (r) => r.uniform());
      noMismatch(findGradMismatches(() => project(F.conv3d(x, w, b, { ...o, groups }), 7), [x, w, b]));
    }
  });

  it("float32 gradients (through the kernels) agree with float64 ones within the summation bound", () => {
    const x64 = gradLeaf([2, 3, 4, 5, 4], 4, (r) => r.uniform() * 2 - 1), w64 = gradLeaf([4, 3, 3, 3, 2], 5, (r) => r.uniform() - 0.5);
    const grads = (x: Tensor, w: Tensor) => {
      const [xa, wa] = [x.detach(), w.detach()];
      xa.requiresGrad = true; wa.requiresGrad = true;
      project(F.conv3d(xa, wa, null, { padding: 1, stride: [2, 1, 1] }), 9).backward();
      return [xa.grad!.data, wa.grad!.data];
    };
    const g32 = grads(x64.astype("float32"), w64.astype("float32")), g64 = grads(x64, w64), mag = grads(x64.abs(), w64.abs());
    const terms = 2 * 2 * 5 * 4; // the weight gradient's sum over every output position, the longest
    g64.forEach((want, j) => Array.from(want).forEach((v, i) => {
      expect(Math.abs(g32[j][i] - v), `grad ${j}[${i}]`).toBeLessThanOrEqual(gammaOf("float32", terms + 2) * mag[j][i] + 1e-30);
    }));
  });

  it("refuses mismatched channels, a kernel larger than the padded input, bad groups, options and ranks", () => {
    const x = zeros([1, 4, 5, 5, 5]);
    expect(() => F.conv3d(x, zeros([2, 3, 3, 3, 3]))).toThrow(ShapeError);
    expect(() => F.conv3d(x, zeros([2, 3, 3, 3, 3]))).toThrow(/\[1,4,5,5,5\].*\[2,3,3,3,3\]/);
    expect(() => F.conv3d(x, zeros([2, 4, 6, 3, 3]))).toThrow(/kernel 6×3×3 \(dilated 6×3×3\) is larger than the padded input 5×5×5/);
    expect(F.conv3d(x, zeros([2, 4, 6, 3, 3]), null, { padding: [1, 0, 0] }).shape).toEqual([1, 2, 2, 3, 3]);
    expect(() => F.conv3d(x, zeros([3, 2, 3, 3, 3]), null, { groups: 2 })).toThrow(/groups=2 must divide both in channels \(4\) and out channels \(3\)/);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), null, { groups: 0 })).toThrow(ValueError);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), null, { padding: "same", stride: [1, 2, 1] })).toThrow(/same.*stride 1/);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), null, { padding: "full" as never })).toThrow(/padding must be/);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), null, { stride: [1, 1] as never })).toThrow(/stride must be an integer ≥ 1 or three of them, got \[1,1\]/);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), null, { dilation: 0 })).toThrow(ValueError);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), null, { padding: -1 })).toThrow(ValueError);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), null, { relu: true } as never)).toThrow(/unknown option "relu"/);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3, 3]), zeros([3]))).toThrow(/bias of shape \[3\] does not match 2 output channels/);
    expect(() => F.conv3d(zeros([4, 5, 5]), zeros([2, 4, 3, 3, 3]))).toThrow(/input must be \[N, C, D, H, W\] or \[C, D, H, W\], got \[4,5,5\]/);
    expect(() => F.conv3d(x, zeros([2, 4, 3, 3]))).toThrow(ShapeError);
    expect(() => F.conv3d(x, zeros([2, 4, 0, 3, 3]))).toThrow(/empty kernel/);
    expect(() => F.conv3d(zeros([1, 1, 2, 2, 2], { dtype: "int32" }), zeros([1, 1, 1, 1, 1]))).toThrow(DTypeError);
  });
});

describe("convTranspose3d", () => {
  it("matches a direct scatter for drawn strides, padding, outputPadding, dilation, groups and dtypes", () => {
    const arb = fc.record({
      n: small, groups: small, cg: small, og: small, k: triple(1, 3), stride: triple(1, 3), dilation: triple(1, 2), padding: triple(0, 2),
      outPadRaw: triple(0, 2), size: triple(1, 4), bias: fc.boolean(), dtype: fc.constantFrom("float32" as const, "float64" as const), seed: fc.nat(100),
    });
    fc.assert(fc.property(arb, (d) => {
      const outPad = d.outPadRaw.map((p, i) => Math.min(p, Math.max(d.stride[i], d.dilation[i]) - 1)) as Triple;
      const out = [0, 1, 2].map((i) => (d.size[i] - 1) * d.stride[i] - 2 * d.padding[i] + d.dilation[i] * (d.k[i] - 1) + outPad[i] + 1);
      fc.pre(out.every((n) => n >= 1));
      const x = input([d.n, d.cg * d.groups, ...d.size], d.seed, contiguous, d.dtype);
      const w = input([d.cg * d.groups, d.og, ...d.k], d.seed + 1, contiguous, d.dtype);
      const b = d.bias ? input([d.og * d.groups], d.seed + 2, contiguous, d.dtype) : null;
      const o = { stride: d.stride, padding: d.padding, outputPadding: outPad, dilation: d.dilation, groups: d.groups };
      expectMatches(F.convTranspose3d(x, w, b, o), refConvTranspose3d(x, w, b, d.stride, d.padding, outPad, d.dilation, d.groups), JSON.stringify(d));
    }), { numRuns: 60 });
  });

  it("is the adjoint of conv3d: ⟨conv3d(x), y⟩ = ⟨x, convTranspose3d(y)⟩ for the same weight and geometry", () => {
    const x = input([2, 4, 5, 6, 5], 3, contiguous, "float64"), w = input([6, 2, 3, 2, 3], 4, contiguous, "float64");
    const o = { stride: [2, 1, 2] as Triple, padding: [1, 0, 1] as Triple, dilation: [1, 2, 1] as Triple, groups: 2 };
    const y = F.conv3d(x, w, null, o), r = input(y.shape.slice(), 5, contiguous, "float64");
    const back = F.convTranspose3d(r, w, null, { ...o, outputPadding: [0, 0, 0] });
    expect(back.shape).toEqual(x.shape);
    const lhs = y.mul(r).sum().item(), rhs = x.mul(back).sum().item(), mag = y.abs().mul(r.abs()).sum().item();
    expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(gammaOf("float64", 200) * mag);
  });

  it("takes an unbatched input and has the gradients of input, weight and bias", () => {
    expect(F.convTranspose3d(input([2, 2, 3, 2], 1), input([2, 3, 2, 2, 2], 2)).shape).toEqual([3, 3, 4, 3]);
    const x = gradLeaf([2, 4, 3, 2, 3], 1, (r) => r.uniform() * 2 - 1), w = gradLeaf([4, 2, 2, 3, 2], 2, (r) => r.uniform() - 0.5);
    const b = gradLeaf([4], 3, (r) => r.uniform());
    const o = { stride: [2, 1, 2] as Triple, padding: [1, 1, 0] as Triple, outputPadding: [1, 0, 1] as Triple, dilation: [1, 2, 1] as Triple, groups: 2 };
    noMismatch(findGradMismatches(() => project(F.convTranspose3d(x, w, b, o), 4), [x, w, b]));
  });

  it("refuses an outputPadding not below stride or dilation, mismatched channels, bad bias and a non-positive output", () => {
    const x = zeros([1, 2, 3, 3, 3]);
    expect(() => F.convTranspose3d(x, zeros([2, 1, 3, 3, 3]), null, { stride: 2, outputPadding: [0, 0, 2] })).toThrow(/outputPadding \[0,0,2\] must be smaller/);
    expect(() => F.convTranspose3d(zeros([1, 3, 3, 3, 3]), zeros([2, 1, 3, 3, 3]))).toThrow(/\[1,3,3,3,3\] has 3 channels but weight \[2,1,3,3,3\] expects 2/);
    expect(() => F.convTranspose3d(x, zeros([2, 1, 3, 3, 3]), null, { groups: 4 })).toThrow(/groups=4 must divide the in channels \(2\)/);
    expect(() => F.convTranspose3d(x, zeros([2, 1, 3, 3, 3]), zeros([2]))).toThrow(/bias of shape \[2\] does not match 1 output channels/);
    expect(() => F.convTranspose3d(x, zeros([2, 1, 1, 1, 1]), null, { padding: [0, 2, 0] })).toThrow(/output size 3×-1×3 .* is not positive/);
    expect(() => F.convTranspose3d(x, zeros([2, 1, 1, 1, 1]), null, { outputPadding: 1, stride: 2, dilation: 1, padding: 0, groups: 1, extra: 1 } as never)).toThrow(/unknown option "extra"/);
  });
});

describe("Conv3d and ConvTranspose3d modules", () => {
  it("have PyTorch's parameter names, shapes and U(±1/√fanIn) initialization, seeded", () => {
    const c = new nn.Conv3d(4, 6, [3, 2, 2], { groups: 2, seed: 1 });
    expect(Object.keys(c.stateDict())).toEqual(["weight", "bias"]);
    expect(c.weight.shape).toEqual([6, 2, 3, 2, 2]);
    const bound = 1 / Math.sqrt(2 * 3 * 2 * 2);
    for (const t of [c.weight, c.bias!]) for (const v of t.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(c.weight.data, Math.abs))).toBeGreaterThan(bound / 2);
    expect(Array.from(new nn.Conv3d(4, 6, [3, 2, 2], { groups: 2, seed: 1 }).weight.data)).toEqual(Array.from(c.weight.data));
    expect([c.inChannels, c.outChannels, c.kernelSize, c.stride, c.padding, c.dilation, c.groups, c.paddingMode]).toEqual([4, 6, [3, 2, 2], [1, 1, 1], [0, 0, 0], [1, 1, 1], 2, "zeros"]);
    expect(new nn.Conv3d(1, 1, [4, 3, 2], { padding: "same", dilation: [1, 2, 1] }).pads).toEqual([1, 2, 2, 2, 0, 1]);
    const t = new nn.ConvTranspose3d(4, 6, 3, { stride: 2, outputPadding: 1, bias: false, groups: 2, seed: 2 });
    expect(t.weight.shape).toEqual([4, 3, 3, 3, 3]);
    expect(t.bias).toBeNull();
    expect(Object.keys(t.stateDict())).toEqual(["weight"]);
    const tBound = 1 / Math.sqrt(3 * 27);
    for (const v of t.weight.data) expect(Math.abs(v)).toBeLessThanOrEqual(tBound);
    expect(new nn.Conv3d(2, 2, 1, { dtype: "float64" }).weight.dtype).toBe("float64");
  });

  it("compute their functional forms, batched and unbatched", () => {
    const c = new nn.Conv3d(2, 3, 3, { stride: [1, 2, 2], padding: 1, seed: 4 });
    const x = input([2, 2, 4, 7, 6], 9);
    expect(Array.from(c.forward(x).data)).toEqual(Array.from(F.conv3d(x, c.weight, c.bias, { stride: [1, 2, 2], padding: 1 }).data));
    expect(c.forward(input([2, 4, 7, 6], 10)).shape).toEqual([3, 4, 4, 3]);
    const t = new nn.ConvTranspose3d(2, 3, 3, { stride: 2, padding: 1, outputPadding: 1, seed: 5 });
    expect(Array.from(t.forward(x).data)).toEqual(Array.from(F.convTranspose3d(x, t.weight, t.bias, { stride: 2, padding: 1, outputPadding: 1 }).data));
    expect(t.forward(x).shape).toEqual([2, 3, 8, 14, 12]);
  });

  it("refuse bad arguments before building anything", () => {
    expect(() => new nn.Conv3d(3, 4, 3, { groups: 2 })).toThrow(/groups=2 must divide both inChannels \(3\) and outChannels \(4\)/);
    expect(() => new nn.Conv3d(0, 4, 3)).toThrow(ValueError);
    expect(() => new nn.Conv3d(3, 4, [3, 3] as never)).toThrow(/kernelSize must be an integer ≥ 1 or three of them, got \[3,3\]/);
    expect(() => new nn.Conv3d(3, 4, 3, { stride: 2, padding: "same" })).toThrow(ValueError);
    expect(() => new nn.Conv3d(3, 4, 3, { paddingMode: "reflect" } as never)).toThrow(/paddingMode must be "zeros", got "reflect"/);
    expect(() => new nn.Conv3d(3, 4, 3, { dtype: "int32" } as never)).toThrow(DTypeError);
    expect(() => new nn.Conv3d(3, 4, 3, { bias: 1 } as never)).toThrow(ValueError);
    expect(() => new nn.Conv3d(3, 4, 3, { outputPadding: 1 } as never)).toThrow(/unknown option "outputPadding"/);
    expect(() => new nn.ConvTranspose3d(3, 4, 3, { stride: 2, outputPadding: 2 })).toThrow(/outputPadding \[2,2,2\] must be smaller/);
    expect(() => new nn.ConvTranspose3d(3, 4, 3, { paddingMode: "circular" } as never)).toThrow(ValueError);
    expect(new nn.Conv3d(3, 4, 3, { paddingMode: "zeros" }).paddingMode).toBe("zeros");
  });

  it("run in a Sequential as plain module steps, summary lists them, and the ONNX exporter maps them (tests/io/onnx-volume.test.ts)", () => {
    const m = new nn.Sequential(new nn.Conv3d(1, 2, 3, { padding: 1, seed: 1 }), new nn.ReLU(), new nn.Flatten(), new nn.Linear(2 * 27, 3, { seed: 2 }));
    expect(fuseLayers(m.children()).map((s) => s.kind)).toEqual(["module", "module", "module", "linear"]);
    expect(m.forward(zeros([2, 1, 3, 3, 3])).shape).toEqual([2, 3]);
    expect(m.summary([2, 1, 3, 3, 3], { print: false })).toMatch(/Conv3d.*\[2, 2, 3, 3, 3\].*56/);
    expect(isRegisteredLayer(m.children()[0], "Conv3d")).toBe(true);
    expect(isRegisteredLayer(new nn.ConvTranspose3d(1, 1, 1), "ConvTranspose3d")).toBe(true);
    expect(isRegisteredLayer(m.children()[0], "ConvTranspose2d")).toBe(false);
    expect(io.describeSequential(m).map((l) => l.kind)).toEqual(["conv", "relu", "flatten", "linear"]);
  });

  it("train: a step of SGD on a tiny volume classifier lowers its loss (gradients reach every parameter)", () => {
    const m = new nn.Sequential(new nn.Conv3d(1, 2, 2, { seed: 3 }), new nn.ReLU(), new nn.ConvTranspose3d(2, 1, 2, { seed: 4 }));
    const x = input([2, 1, 3, 4, 3], 11), target = input([2, 1, 3, 4, 3], 12);
    const loss = () => F.mseLoss(m.forward(x) as Tensor, target);
    const before = noGrad(() => loss().item());
    loss().backward();
    for (const p of m.parameters()) {
      expect(p.grad, "every parameter has a gradient").not.toBeNull();
      p.storage.set(p.data.map((v, i) => v - 0.05 * p.grad!.data[i]));
    }
    expect(noGrad(() => loss().item())).toBeLessThan(before);
  });
});

describe("the functional names", () => {
  it("are in eg.nn.functional and the flat nn exports", () => {
    for (const name of ["conv3d", "convTranspose3d", "maxPool3d", "avgPool3d", "adaptiveAvgPool3d", "adaptiveMaxPool3d"]) {
      expect(typeof (F as Record<string, unknown>)[name], name).toBe("function");
      expect((nn as unknown as Record<string, unknown>)[name], name).toBe((F as Record<string, unknown>)[name]);
    }
    expect(() => F.conv3d(tensor([1]) as never, zeros([1, 1, 1, 1, 1]))).toThrow(ShapeError);
  });
});
