// Gradients through imported graphs: float64 (double) graphs built by hand, whose initializers
// import as float64 Parameters, checked by central differences (tests/support/gradcheck.ts)
// with respect to the input and every parameter, for the compositions the importer adds around
// edgegrad's ops: unequal pads (Conv, ConvTranspose, pools), count_include_pad 0's divisor, Gemm's
// attributes, BatchNormalization, InstanceNormalization, LRN, LpPool, Resize (linear, cubic), the
// unrolled RNN/LSTM/GRU, Gather, Slice backwards, Pad reflect, PRelu, Shrink, Clip, Softmax.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { findGradMismatches } from "../support/gradcheck.js";
import { attrFloat, attrInt, attrInts, attrString, attrStrings, DOUBLE, graphModel, i64, INT64, node, type Init } from "../support/onnx-graph.js";
import { valuesFrom } from "../support/reference.js";

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const doubles = (name: string, dims: number[], seed: number, lo = -1, hi = 1): Init => {
  const v = valuesFrom(seed, lo, hi);
  return { name, type: DOUBLE, dims, data: Float64Array.from({ length: size(dims) }, (_, i) => v(i)) };
};
const longs = (name: string, v: number[]): Init => ({ name, type: INT64, dims: [v.length], data: i64(v) });

/** Imports the graph (input "x", output "y"), then checks d(Σ y·r)/d(x, every parameter) by central differences. */
function checkGradients(nodes: Uint8Array[], inits: Init[], xShape: number[], seed: number): void {
  const bytes = graphModel({ nodes, inits, inputs: [{ name: "x", type: DOUBLE, dims: xShape }], outputs: [{ name: "y", type: DOUBLE }] });
  const m = eg.io.importOnnx(bytes), v = valuesFrom(seed, -1.5, 1.5);
  const x = eg.fromTypedArray(Float64Array.from({ length: size(xShape) }, (_, i) => v(i)), xShape, { requiresGrad: true });
  const y0 = m.forward(x) as eg.Tensor, rv = valuesFrom(seed + 1, 0.5, 1.5);
  const r = eg.fromTypedArray(Float64Array.from({ length: y0.size }, (_, i) => rv(i)), y0.shape);
  const params = m.parameters();
  expect(params.every((p) => p.dtype === "float64")).toBe(true);
  expect(findGradMismatches(() => (m.forward(x) as eg.Tensor).mul(r).sum(), [x, ...params]).slice(0, 3)).toEqual([]);
}

const seedArb = fc.integer({ min: 1, max: 1e6 });

describe("gradients through imported float64 graphs, by central differences", () => {
  it("Gemm (transA, alpha, beta, a full C) → Tanh → Gemm (transB, the Linear form) → Softmax", () => {
    fc.assert(fc.property(seedArb, (seed) => {
      checkGradients([
        node("Gemm", ["x", "a", "c"], ["h"], "g1", [attrInt("transA", 1), attrFloat("alpha", 0.5), attrFloat("beta", 2)]),
        node("Tanh", ["h"], ["t"], "tanh"),
        node("Gemm", ["t", "w", "b"], ["z"], "g2", [attrInt("transB", 1)]),
        node("Softmax", ["z"], ["y"], "softmax", [attrInt("axis", 1)]),
      ], [doubles("a", [4, 3], seed), doubles("c", [2, 3], seed + 1), doubles("w", [5, 3], seed + 2), doubles("b", [5], seed + 3)], [4, 2], seed);
    }), { numRuns: 4 });
  });

  it("Conv (unequal pads, groups, bias) → MaxPool (unequal pads) → AveragePool (count_include_pad 0, unequal pads)", () => {
    fc.assert(fc.property(seedArb, (seed) => {
      checkGradients([
        node("Conv", ["x", "w", "b"], ["c"], "conv", [attrInts("kernel_shape", [2, 3]), attrInts("pads", [1, 0, 0, 2]), attrInt("group", 2)]),
        node("MaxPool", ["c"], ["m"], "max", [attrInts("kernel_shape", [2, 2]), attrInts("pads", [0, 1, 1, 0]), attrInts("strides", [1, 2])]),
        node("AveragePool", ["m"], ["y"], "avg", [attrInts("kernel_shape", [2, 2]), attrInts("pads", [1, 0, 0, 1]), attrInt("count_include_pad", 0)]),
      ], [doubles("w", [4, 1, 2, 3], seed), doubles("b", [4], seed + 1)], [1, 2, 4, 5], seed);
    }), { numRuns: 3 });
  });

  it("ConvTranspose (unequal pads, output_padding) → BatchNormalization → LpPool → InstanceNormalization → LRN", () => {
    fc.assert(fc.property(seedArb, (seed) => {
      checkGradients([
        node("ConvTranspose", ["x", "w", "b"], ["c"], "convT", [attrInts("kernel_shape", [3, 2]), attrInts("strides", [2, 2]), attrInts("pads", [1, 0, 0, 1]), attrInts("output_padding", [1, 0])]),
        node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["bn"], "bn", [attrFloat("epsilon", 0.01)]),
        node("LpPool", ["bn"], ["lp"], "lp", [attrInts("kernel_shape", [2, 2]), attrInt("p", 2), attrInts("pads", [0, 0, 1, 1])]),
        node("InstanceNormalization", ["lp", "scale", "bias"], ["in"], "in", [attrFloat("epsilon", 0.01)]),
        node("LRN", ["in"], ["y"], "lrn", [attrInt("size", 3), attrFloat("alpha", 0.1), attrFloat("beta", 0.75), attrFloat("bias", 2)]),
      ], [doubles("w", [2, 3, 3, 2], seed), doubles("b", [3], seed + 1), doubles("scale", [3], seed + 2, 0.5, 1.5), doubles("bias", [3], seed + 3),
        doubles("mean", [3], seed + 4), doubles("var", [3], seed + 5, 0.5, 2)], [1, 2, 2, 3], seed);
    }), { numRuns: 3 });
  });

  it("Resize linear and cubic (scales), Pad reflect, Slice backwards, Gather with a negative index, PRelu, Shrink, Clip, ReduceMean, Exp, Div", () => {
    fc.assert(fc.property(seedArb, (seed) => {
      checkGradients([
        node("Resize", ["x", "", "s1"], ["r1"], "linear", [attrString("mode", "linear")]),
        node("Resize", ["r1", "", "s2"], ["r2"], "cubic", [attrString("mode", "cubic"), attrString("coordinate_transformation_mode", "align_corners")]),
        node("Pad", ["r2", "pads"], ["p"], "pad", [attrString("mode", "reflect")]),
        node("Slice", ["p", "starts", "ends", "axes", "steps"], ["sl"], "slice"),
        node("Gather", ["sl", "idx"], ["g"], "gather", [attrInt("axis", 3)]),
        node("PRelu", ["g", "slope"], ["pr"], "prelu"),
        node("Shrink", ["pr"], ["sh"], "shrink", [attrFloat("lambd", 0.0625), attrFloat("bias", 0.5)]),
        node("Clip", ["sh", "lo"], ["cl"], "clip"),
        node("ReduceMean", ["cl"], ["mean"], "mean", [attrInts("axes", [1])]),
        node("Exp", ["mean"], ["positive"], "exp"),
        node("Div", ["cl", "positive"], ["y"], "div"),
      ], [
        { name: "s1", type: 1, dims: [4], data: Float32Array.of(1, 1, 2, 1.5) }, { name: "s2", type: 1, dims: [4], data: Float32Array.of(1, 1, 0.75, 1) },
        longs("pads", [0, 0, 1, 0, 0, 0, 0, 2]), longs("starts", [-1]), longs("ends", [-(2 ** 40)]), longs("axes", [2]), longs("steps", [-2]),
        longs("idx", [-1, 0, 2]), doubles("slope", [2, 1, 1], seed, 0.1, 0.5), doubles("lo", [], seed + 1, -3, -2),
      ], [1, 2, 3, 2], seed);
    }), { numRuns: 3 });
  });

  it("RNN (relu), LSTM (bidirectional, initial states) and GRU (linear_before_reset 0 and 1), unrolled", () => {
    fc.assert(fc.property(seedArb, fc.constantFrom("RNN", "LSTM", "GRU0", "GRU1"), (seed, kind) => {
      const op = kind.startsWith("GRU") ? "GRU" : kind, G = ({ RNN: 1, LSTM: 4, GRU: 3 } as Record<string, number>)[op], D = op === "LSTM" ? 2 : 1, H = 2, I = 3;
      const attrs = [attrInt("hidden_size", H)];
      if (op === "LSTM") attrs.push(attrString("direction", "bidirectional"));
      if (kind === "GRU1") attrs.push(attrInt("linear_before_reset", 1));
      if (op === "RNN") attrs.push(attrStrings("activations", ["Relu"]));
      const inputs = op === "LSTM" ? ["x", "W", "R", "B", "", "h0", "c0"] : ["x", "W", "R", "B", "", "h0"];
      const outs = op === "LSTM" ? ["y", "", "c"] : ["y"];
      checkGradients([node(op, inputs, outs, op.toLowerCase(), attrs)], [
        doubles("W", [D, G * H, I], seed), doubles("R", [D, G * H, H], seed + 1), doubles("B", [D, 2 * G * H], seed + 2),
        doubles("h0", [D, 2, H], seed + 3), doubles("c0", [D, 2, H], seed + 4),
      ].filter((i) => inputs.includes(i.name)), [3, 2, I], seed);
    }), { numRuns: 6 });
  });
});
