// Hand-encoded ONNX models (protobuf wire format, no dependency) for the int8 benchmark and the
// ONNX-semantics check: MatMulInteger with constant B, and QuantizeLinear / DequantizeLinear.
// Only the fields these single-node graphs need are written.
import { int, bytes, str, msg } from "./protobuf.mjs";

const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6;
export const ONNX_DTYPE = { float32: FLOAT, uint8: UINT8, int8: INT8, int32: INT32 };

function valueInfo(field, name, dtype, shape) {
  const dims = shape.map((d) => msg(1, typeof d === "number" ? [int(1, d)] : [str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, ONNX_DTYPE[dtype]), msg(2, dims)])])]);
}

/** A TensorProto initializer from a typed array (raw little-endian bytes). */
function initializer(name, dtype, shape, data) {
  const raw = [...new Uint8Array(data.buffer, data.byteOffset, data.byteLength)];
  return msg(5, [...shape.map((d) => int(1, d)), int(2, ONNX_DTYPE[dtype]), str(8, name), bytes(9, raw)]);
}

function model({ opset, op, inputs, nodeInputs, initializers = [], output, attributes = [] }) {
  const node = msg(1, [...nodeInputs.map((n) => str(1, n)), str(2, output.name), str(3, "n0"), str(4, op),
    ...attributes.map(([name, i]) => msg(5, [str(1, name), int(20, 2), int(3, i)]))]);
  const graph = msg(7, [node, str(2, "g"),
    ...initializers.map((t) => initializer(...t)),
    ...inputs.map(([name, dtype, shape]) => valueInfo(11, name, dtype, shape)),
    valueInfo(12, output.name, output.dtype, output.shape)]);
  return new Uint8Array([...int(1, 8), ...msg(8, [str(1, ""), int(2, opset)]), ...graph]);
}

/**
 * Y[m×n] int32 = MatMulInteger(A[m×k], B, a_zero_point, b_zero_point) with B [k×n] and both
 * zero points as constant initializers (so onnxruntime may prepack B, as our packed weights do).
 */
export function matMulIntegerModel(m, k, n, aDtype, b, bDtype, aZero, bZero) {
  const Zero = (dtype, v) => (dtype === "int8" ? Int8Array.of(v) : Uint8Array.of(v));
  return model({
    opset: 13, op: "MatMulInteger",
    inputs: [["A", aDtype, [m, k]]],
    nodeInputs: ["A", "B", "a_zero_point", "b_zero_point"],
    initializers: [["B", bDtype, [k, n], b], ["a_zero_point", aDtype, [], Zero(aDtype, aZero)],
                   ["b_zero_point", bDtype, [], Zero(bDtype, bZero)]],
    output: { name: "Y", dtype: "int32", shape: [m, n] },
  });
}

/** y = QuantizeLinear(x, scale, zero_point) (per-axis when scale is 1-D), opset 13. */
export function quantizeLinearModel(shape, scale, scaleShape, zeroPoint, dtype, axis) {
  const Z = dtype === "int8" ? Int8Array : Uint8Array;
  return model({
    opset: 13, op: "QuantizeLinear",
    inputs: [["x", "float32", shape]],
    nodeInputs: ["x", "scale", "zp"],
    initializers: [["scale", "float32", scaleShape, Float32Array.from(scale)], ["zp", dtype, scaleShape, Z.from(zeroPoint)]],
    output: { name: "y", dtype, shape },
    attributes: axis === undefined ? [] : [["axis", axis]],
  });
}

/** y = DequantizeLinear(x, scale, zero_point), opset 13. */
export function dequantizeLinearModel(shape, dtype, scale, scaleShape, zeroPoint, axis) {
  const Z = dtype === "int8" ? Int8Array : Uint8Array;
  return model({
    opset: 13, op: "DequantizeLinear",
    inputs: [["x", dtype, shape]],
    nodeInputs: ["x", "scale", "zp"],
    initializers: [["scale", "float32", scaleShape, Float32Array.from(scale)], ["zp", dtype, scaleShape, Z.from(zeroPoint)]],
    output: { name: "y", dtype: "float32", shape },
    attributes: axis === undefined ? [] : [["axis", axis]],
  });
}
