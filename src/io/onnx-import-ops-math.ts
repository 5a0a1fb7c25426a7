// ONNX's matrix products, softmaxes and reductions on edgegrad's ops. Gemm in the form Linear
// exports (transB = 1, alpha = beta = 1, a vector bias) is edgegrad's `linear`, the op a Linear
// layer runs, so an imported MLP computes (and differentiates) as the model it came from.
import { ShapeError } from "../errors.js";
import { linear, matmul } from "../ndarray/index.js";
import { matmulInteger } from "../compress/tensor-ops.js";
import { at, floatInput, type OpSpec } from "./onnx-import-op.js";
import { axisOf, intList } from "./onnx-import-values.js";

const gemm: OpSpec = {
  inputs: [2, 3],
  prepare: (c) => {
    const alpha = c.a.float("alpha", 1), beta = c.a.float("beta", 1);
    const transA = c.a.int("transA", 0) === 1, transB = c.a.int("transB", 0) === 1;
    return (x) => {
      const a = floatInput(at(x, 0), c.where, "A"), b = floatInput(at(x, 1), c.where, "B"), bias = x[2];
      if (a.ndim !== 2 || b.ndim !== 2) throw new ShapeError(`${c.where}: A and B must be matrices, got [${a.shape}] and [${b.shape}]`);
      if (!transA && transB && alpha === 1 && beta === 1 && (!bias || bias.ndim === 1)) return [linear(a, b, bias)];
      let y = matmul(transA ? a.transpose() : a, transB ? b.transpose() : b);
      if (alpha !== 1) y = y.mul(alpha);
      if (bias) y = y.add(beta === 1 ? bias : bias.mul(beta));
      return [y];
    };
  },
};

/** Reduce over the attribute's axes (opset 13: ReduceMean, ReduceMax, ReduceMin) or, for ReduceSum, an input's. */
function reduce(kind: "mean" | "sum" | "max" | "min", axesInput: boolean): OpSpec {
  return {
    inputs: [1, axesInput ? 2 : 1], lists: axesInput ? [1] : [],
    prepare: (c) => {
      const keepdims = c.a.int("keepdims", 1) === 1;
      const attrAxes = axesInput ? undefined : c.a.ints("axes");
      const noop = axesInput ? c.a.int("noop_with_empty_axes", 0) === 1 : false;
      return (x) => {
        const t = kind === "mean" ? floatInput(at(x, 0), c.where) : at(x, 0);
        const given = axesInput ? (x[1] ? intList(x[1], c.where, "axes") : []) : attrAxes ?? [];
        if (given.length === 0 && noop) return [t];
        const axes = given.length ? given.map((a) => axisOf(a, t.ndim, c.where, "axes entry")) : t.shape.map((_, i) => i);
        if (new Set(axes).size !== axes.length) throw new ShapeError(`${c.where}: axes [${given}] repeat an axis`);
        if (t.ndim === 0) return [t];
        return [t[kind](axes, { keepdims })];
      };
    },
  };
}

function softmax(log: boolean): OpSpec {
  return {
    inputs: [1, 1],
    prepare: (c) => {
      const axis = c.a.int("axis", -1);
      return (x) => {
        const t = floatInput(at(x, 0), c.where), a = axisOf(axis, t.ndim, c.where);
        return [log ? t.logSoftmax(a) : t.softmax(a)];
      };
    },
  };
}

export const MATH_OPS: Record<string, OpSpec> = {
  Gemm: gemm,
  MatMul: { inputs: [2, 2], prepare: (c) => (x) => [matmul(floatInput(at(x, 0), c.where, "A"), floatInput(at(x, 1), c.where, "B"))] },
  MatMulInteger: { inputs: [2, 4], prepare: () => (x) => [matmulInteger(at(x, 0), at(x, 1), x[2] ?? 0, x[3] ?? 0)] },
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  ReduceMean: reduce("mean", false),
  ReduceSum: reduce("sum", true),
  ReduceMax: reduce("max", false),
  ReduceMin: reduce("min", false),
};
