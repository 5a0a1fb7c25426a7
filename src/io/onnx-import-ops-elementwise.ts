// Elementwise ONNX operators on edgegrad's ops: the arithmetic with numpy broadcasting (as
// edgegrad's binary ops), the activations, Clip, Cast and the quantization pair.
import { ValueError } from "../errors.js";
import { ceil, erf, floor, reciprocal, trunc, where as whereOp, type Tensor } from "../ndarray/index.js";
import { elu, leakyRelu } from "../nn/functional.js";
import { dequantizeLinear, quantizeLinear } from "../compress/tensor-ops.js";
import { at, floatInput, type OpSpec } from "./onnx-import-op.js";
import { dataTypeName } from "./onnx-import-proto.js";
import { DTYPE_OF, scalarOf } from "./onnx-import-values.js";

const isInt = (t: Tensor) => t.dtype === "int32" || t.dtype === "int8" || t.dtype === "uint8";

/** ONNX's integer Div truncates toward zero (C's division); float64 holds every int32 quotient exactly before the truncation. */
function divide(a: Tensor, b: Tensor): Tensor {
  if (!isInt(a) || !isInt(b)) return a.div(b);
  return trunc(a.astype("float64").div(b.astype("float64"))).astype(a.dtype === b.dtype ? a.dtype : "int32");
}

function binary(f: (a: Tensor, b: Tensor) => Tensor): OpSpec {
  return { inputs: [2, 2], prepare: () => (x) => [f(at(x, 0), at(x, 1))] };
}

function unary(f: (x: Tensor) => Tensor, floatOnly = true): OpSpec {
  return { inputs: [1, 1], prepare: (c) => (x) => [f(floatOnly ? floatInput(at(x, 0), c.where) : at(x, 0))] };
}

/** A unary op with one float attribute (its default when absent). */
function withAlpha(name: string, fallback: number, f: (x: Tensor, alpha: number) => Tensor): OpSpec {
  return {
    inputs: [1, 1],
    prepare: (c) => {
      const alpha = c.a.float(name, fallback);
      return (x) => [f(floatInput(at(x, 0), c.where), alpha)];
    },
  };
}

const clip: OpSpec = {
  inputs: [1, 3], lists: [1, 2],
  prepare: (c) => (x) => {
    const input = at(x, 0);
    const bound = (i: number, what: string) => (x[i] ? scalarOf(x[i] as Tensor, c.where, what) : null);
    const lo = bound(1, "min"), hi = bound(2, "max");
    if (lo === null && hi === null) return [input];
    if (lo !== null && hi !== null && lo > hi) throw new ValueError(`${c.where}: min ${lo} is greater than max ${hi}`);
    return [input.clip(lo, hi)];
  },
};

const cast: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const to = c.a.int("to");
    if (to === undefined) throw new ValueError(`${c.where}: attribute to is required`);
    const dtype = DTYPE_OF[to];
    if (dtype === undefined) c.a.refuse("to", to, `${dataTypeName(to)} tensors are not held; the importer holds float, double, int64 (as int32), int32, int8, uint8 and bool`);
    return (x) => [at(x, 0).dtype === dtype ? at(x, 0) : at(x, 0).astype(dtype)];
  },
};

/** max(0, x) + slope·min(0, x), the slope broadcast against x (unidirectionally, as ONNX says). */
const prelu: OpSpec = {
  inputs: [2, 2],
  prepare: (c) => (x) => {
    const input = floatInput(at(x, 0), c.where), slope = at(x, 1);
    const positive = input.relu();
    return [positive.add(slope.mul(input.sub(positive)))];
  },
};

/** x + bias below −lambd, x − bias above lambd, 0 between. */
const shrink: OpSpec = {
  inputs: [1, 1],
  prepare: (c) => {
    const lambd = c.a.float("lambd", 0.5), bias = c.a.float("bias", 0);
    return (x) => {
      const input = floatInput(at(x, 0), c.where);
      return [whereOp(input.lt(-lambd), input.add(bias), whereOp(input.gt(lambd), input.sub(bias), 0))];
    };
  },
};

/** Quantize/DequantizeLinear: per tensor, or per axis with a 1-D scale (opset 13). */
function quantizeOp(dequantize: boolean): OpSpec {
  return {
    inputs: [2, 3], constants: [1, 2],
    prepare: (c) => {
      const axis = c.a.int("axis", 1);
      return (x) => {
        const input = at(x, 0), scale = at(x, 1), zp = x[2] ?? undefined;
        const options = scale.ndim === 1 && scale.size > 1 ? { axis } : {};
        if (dequantize) return [dequantizeLinear(input, scale, zp, options)];
        return [quantizeLinear(input, scale, zp, options)];
      };
    },
  };
}

export const ELEMENTWISE_OPS: Record<string, OpSpec> = {
  Add: binary((a, b) => a.add(b)),
  Sub: binary((a, b) => a.sub(b)),
  Mul: binary((a, b) => a.mul(b)),
  Div: binary(divide),
  Pow: binary((a, b) => {
    const y = a.pow(b);
    return y.dtype === a.dtype ? y : y.astype(a.dtype);
  }),
  Relu: unary((x) => x.relu(), false),
  Sigmoid: unary((x) => x.sigmoid()),
  Tanh: unary((x) => x.tanh()),
  Erf: unary(erf),
  Sqrt: unary((x) => x.sqrt()),
  Exp: unary((x) => x.exp()),
  Log: unary((x) => x.log()),
  Reciprocal: unary(reciprocal),
  Floor: unary(floor),
  Ceil: unary(ceil),
  Neg: unary((x) => x.neg(), false),
  Abs: unary((x) => x.abs(), false),
  LeakyRelu: withAlpha("alpha", 0.01, leakyRelu),
  Elu: withAlpha("alpha", 1, elu),
  ThresholdedRelu: withAlpha("alpha", 1, (x, alpha) => x.mul(x.gt(alpha).astype(x.dtype))),
  PRelu: prelu,
  Shrink: shrink,
  Clip: clip,
  Cast: cast,
  QuantizeLinear: quantizeOp(false),
  DequantizeLinear: quantizeOp(true),
};
