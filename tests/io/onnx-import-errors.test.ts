// What importOnnx refuses, each with a typed error naming the node, operator, attribute, tensor,
// shape or byte offset at fault: unknown operators and domains, attributes the importer does not
// implement (or of the wrong type), unsupported attribute values, missing inputs and outputs,
// opsets outside 13–17, tensor types it does not hold, malformed initializers, and at run time
// wrong input names, shapes and dtypes.
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { bytes as bytesField, concat, int, msg, str } from "../../src/io/protobuf.js";
import { attrFloat, attrInt, attrInts, attrString, FLOAT, graphModel, i64, INT64, node, type GraphSpec } from "../support/onnx-graph.js";

const x = { name: "x", type: FLOAT };
const y = { name: "y", type: FLOAT };
const single = (n: Uint8Array, extra: Partial<GraphSpec> = {}) => graphModel({ nodes: [n], inputs: [x], outputs: [y], ...extra });
const refuses = (bytes: Uint8Array, type: typeof eg.EdgegradError, message: RegExp) => {
  expect(() => eg.io.importOnnx(bytes)).toThrow(type);
  expect(() => eg.io.importOnnx(bytes)).toThrow(message);
};

describe("importOnnx refuses at import", () => {
  it("an unknown operator, a node of another domain, and an opset outside 13–17", () => {
    refuses(single(node("Frobnicate", ["x"], ["y"], "f")), eg.ValueError, /node "f" \(Frobnicate\): operator "Frobnicate" is not supported by the importer/);
    refuses(single(concat([node("Relu", ["x"], ["y"], "r").slice(0, 0), msg(1, [str(1, "x"), str(2, "y"), str(3, "r"), str(4, "Relu"), str(7, "com.microsoft")])])),
      eg.ValueError, /node "r" \(Relu\): domain "com.microsoft" is not supported/);
    refuses(single(node("Relu", ["x"], ["y"], "r"), { opset: 11 }), eg.ValueError, /opset 11 is not supported; the importer runs opsets 13–17/);
    refuses(single(node("Relu", ["x"], ["y"], "r"), { opset: 18 }), eg.ValueError, /opset 18 is not supported/);
    // A node without a name is named by its position.
    refuses(graphModel({ nodes: [node("Relu", ["x"], ["t"], "r"), node("Nope", ["t"], ["y"], "")], inputs: [x], outputs: [y] }), eg.ValueError, /node "#1" \(Nope\)/);
  });

  it("an attribute the operator does not implement, one of the wrong type, and unsupported values", () => {
    refuses(single(node("Relu", ["x"], ["y"], "r", [attrInt("alpha", 1)])), eg.ValueError, /node "r" \(Relu\): attribute alpha is not supported by the importer's Relu/);
    refuses(single(node("Conv", ["x", "x"], ["y"], "c", [attrFloat("group", 1)])), eg.FormatError, /node "c" \(Conv\): attribute group is of type FLOAT, expected INT/);
    const cases: [Uint8Array, RegExp][] = [
      [single(node("Resize", ["x", "", "x"], ["y"], "rs", [attrString("mode", "area")])), /node "rs" \(Resize\): attribute mode = "area" is not supported/],
      [single(node("Resize", ["x", "", "x"], ["y"], "rs", [attrString("coordinate_transformation_mode", "tf_crop_and_resize")])), /attribute coordinate_transformation_mode = "tf_crop_and_resize" is not supported/],
      [single(node("Pad", ["x", "x"], ["y"], "p", [attrString("mode", "wrap")])), /node "p" \(Pad\): attribute mode = "wrap" is not supported: opset 13's Pad modes are constant, reflect and edge/],
      [single(node("MaxPool", ["x"], ["y"], "m", [attrInts("kernel_shape", [2]), attrInt("storage_order", 1)])), /node "m" \(MaxPool\): attribute storage_order = 1 is not supported/],
      [single(node("BatchNormalization", ["x", "x", "x", "x", "x"], ["y"], "bn", [attrInt("training_mode", 1)]), { opset: 14 }), /node "bn" \(BatchNormalization\): attribute training_mode = 1/],
      [single(node("LSTM", ["x", "x", "x"], ["y"], "l", [attrInt("hidden_size", 2), attrFloat("clip", 3)])), /node "l" \(LSTM\): attribute clip = 3 is not supported: cell clipping/],
      [single(node("GRU", ["x", "x", "x"], ["y"], "g", [attrInt("hidden_size", 2), attrInt("layout", 1)]), { opset: 14 }), /node "g" \(GRU\): attribute layout = 1/],
      [single(node("Cast", ["x"], ["y"], "c", [attrInt("to", 10)])), /node "c" \(Cast\): attribute to = 10 is not supported: float16 tensors are not held/],
      [single(node("ConvTranspose", ["x", "x"], ["y"], "t", [attrInts("output_shape", [4, 4])])), /node "t" \(ConvTranspose\): attribute output_shape = \[4, 4\] is not supported/],
      [single(node("Conv", ["x", "x"], ["y"], "c", [attrString("auto_pad", "SAME"), attrInts("pads", [1, 1])])), /attribute auto_pad = "SAME" is not supported/],
      [single(node("DepthToSpace", ["x"], ["y"], "d", [attrInt("blocksize", 2), attrString("mode", "XYZ")])), /node "d" \(DepthToSpace\): attribute mode = "XYZ"/],
    ];
    for (const [bytes, message] of cases) refuses(bytes, eg.ValueError, message);
  });

  it("a missing input, a required input left empty, too many inputs, an output computed nowhere, a tensor defined twice", () => {
    refuses(single(node("Add", ["x", "nope"], ["y"], "a")), eg.ValueError, /node "a" \(Add\): input "nope" is missing: no graph input, initializer or earlier node defines it/);
    refuses(single(node("Gemm", ["", "x"], ["y"], "g")), eg.ValueError, /node "g" \(Gemm\): required input 0 is missing \(empty name\)/);
    refuses(single(node("Relu", ["x", "x"], ["y"], "r")), eg.ValueError, /node "r" \(Relu\): has 2 inputs, the operator takes 1/);
    refuses(single(node("Relu", ["x"], ["y", "z"], "r")), eg.ValueError, /node "r" \(Relu\): names 2 outputs, the importer computes 1/);
    refuses(graphModel({ nodes: [node("Relu", ["x"], ["t"], "r")], inputs: [x], outputs: [y] }), eg.ValueError, /graph output "y" is not computed by any node/);
    refuses(graphModel({ nodes: [node("Relu", ["x"], ["y"], "r"), node("Relu", ["x"], ["y"], "again")], inputs: [x], outputs: [y] }), eg.FormatError, /node "again" \(Relu\): output "y" is already defined/);
  });

  it("tensor types it does not hold, malformed initializers and external data", () => {
    refuses(graphModel({ nodes: [node("Relu", ["h"], ["y"], "r")], inputs: [{ name: "h", type: 10 }], outputs: [y] }), eg.DTypeError, /graph input "h" is float16, which the importer does not hold/);
    const tensorModel = (fields: Uint8Array[]) => concat([int(1, 7), msg(8, [str(1, ""), int(2, 13)]),
      msg(7, [node("Identity", ["w"], ["y"], "i"), msg(5, fields), msg(12, [str(1, "y")])])]);
    expect(() => eg.io.importOnnx(tensorModel([int(1, 2), int(2, 10), str(8, "w"), bytesField(9, new Uint8Array(4))]))).toThrow(/initializer "w" \(TensorProto at byte \d+\) has data type float16; the importer reads float, double, int64, int32, int8, uint8 and bool tensors/);
    expect(() => eg.io.importOnnx(tensorModel([int(1, 3), int(2, 1), str(8, "w"), bytesField(9, new Uint8Array(8))]))).toThrow(/initializer "w" .*: raw_data holds 8 bytes, dims need 3 × 4/);
    expect(() => eg.io.importOnnx(tensorModel([int(1, 2), int(2, 1), str(8, "w"), int(14, 1)]))).toThrow(/initializer "w" .* keeps its data in an external file/);
    expect(() => eg.io.importOnnx(tensorModel([int(1, -2), int(2, 1), str(8, "w")]))).toThrow(/has a negative dim -2/);
    expect(() => eg.io.importOnnx(tensorModel([int(1, 2), int(2, 3), str(8, "w"), int(5, 300), int(5, 1)]))).toThrow(/int32_data\[0\] = 300 is outside int8's range/);
    for (const bad of [[int(1, 2), int(2, 10), str(8, "w")], [int(1, 3), int(2, 1), str(8, "w"), bytesField(9, new Uint8Array(8))]]) {
      expect(() => eg.io.importOnnx(tensorModel(bad))).toThrow(eg.FormatError);
    }
    expect(() => eg.io.importOnnx("onnx" as unknown as Uint8Array)).toThrow(/expected the model's bytes as a Uint8Array or ArrayBuffer, got string/);
  });
});

describe("an imported model refuses at run time", () => {
  const twoInputs = graphModel({ nodes: [node("Add", ["a", "b"], ["y"], "add")],
    inputs: [{ name: "a", type: FLOAT, dims: ["batch", 3] }, { name: "b", type: FLOAT, dims: ["batch", 3] }], outputs: [y] });

  it("wrong input names, counts, shapes (fixed and symbolic dims) and dtypes, before computing anything", () => {
    const m = eg.io.importOnnx(twoInputs), ok = eg.zeros([2, 3]);
    expect(() => m.forward(ok)).toThrow(/OnnxModule.forward: the graph takes 2 inputs \(a, b\), got 1/);
    expect(() => m.run({ a: ok })).toThrow(/OnnxModule.run: input "b" is missing/);
    expect(() => m.run({ a: ok, b: ok, c: ok })).toThrow(/"c" is not an input of the graph \(inputs: a, b\)/);
    expect(() => m.run({ a: ok, b: eg.zeros([2, 4]) })).toThrow(eg.ShapeError);
    expect(() => m.run({ a: ok, b: eg.zeros([2, 4]) })).toThrow(/input "b" must be \[batch, 3\], got \[2,4\] \(dim 1\)/);
    expect(() => m.run({ a: ok, b: eg.zeros([3]) })).toThrow(/input "b" must be \[batch, 3\], got \[3\]/);
    expect(() => m.run({ a: ok, b: eg.zeros([5, 3]) })).toThrow(/dim "batch" is 2 in input "a" but 5 in input "b"/);
    expect(() => m.run({ a: ok, b: eg.zeros([2, 3], { dtype: "int32" }) })).toThrow(eg.DTypeError);
    expect(() => m.run({ a: ok, b: eg.zeros([2, 3], { dtype: "float64" }) })).toThrow(/input "b" is float \(an edgegrad float32 tensor\), got float64/);
    expect(() => m.run(null as unknown as Record<string, eg.Tensor>)).toThrow(/expected an object of input tensors by name/);
    const ids = eg.io.importOnnx(graphModel({ nodes: [node("Gather", ["w", "i"], ["y"], "g")], inits: [{ name: "w", type: FLOAT, dims: [3, 2], data: new Float32Array(6) }],
      inputs: [{ name: "i", type: INT64, dims: [2] }], outputs: [y] }));
    expect(() => ids.forward(eg.zeros([2]))).toThrow(/input "i" is int64 \(an edgegrad int32 tensor\), got float32/);
    expect(() => ids.forward(eg.fromTypedArray(Int32Array.of(0, 7), [2]))).toThrow(/node "g" \(Gather\): index 7 \(element 1\) is out of range for axis 0 of size 3/);
  });

  it("operands of the wrong shape or type for a node, and int64 values outside int32's range used as data", () => {
    const gemm = eg.io.importOnnx(graphModel({ nodes: [node("Gemm", ["x", "w"], ["y"], "g")], inits: [{ name: "w", type: FLOAT, dims: [3, 2], data: new Float32Array(6) }], inputs: [x], outputs: [y] }));
    expect(() => gemm.forward(eg.zeros([2, 4]))).toThrow(eg.ShapeError);
    expect(() => gemm.forward(eg.zeros([2, 4, 1]))).toThrow(/node "g" \(Gemm\): A and B must be matrices, got \[2,4,1\] and \[3,2\]/);
    const big = eg.io.importOnnx(graphModel({ nodes: [node("Add", ["i", "k"], ["y"], "add")], inits: [{ name: "k", type: INT64, dims: [1], data: i64([2 ** 40]) }],
      inputs: [{ name: "i", type: INT64 }], outputs: [{ name: "y", type: INT64 }] }));
    expect(() => big.forward(eg.fromTypedArray(Int32Array.of(1), [1]))).toThrow(/node "add" \(Add\): int64 value 1099511627776 \(element 0\) is outside int32's range; edgegrad holds int64 tensors as int32/);
    const reshape = eg.io.importOnnx(graphModel({ nodes: [node("Reshape", ["x", "s"], ["y"], "r")], inits: [{ name: "s", type: INT64, dims: [2], data: i64([-1, 5]) }], inputs: [x], outputs: [y] }));
    expect(() => reshape.forward(eg.zeros([2, 3]))).toThrow(/node "r" \(Reshape\): cannot reshape \[2,3\] \(6 elements\) to \[-1,5\]/);
    const dropout = eg.io.importOnnx(graphModel({ nodes: [node("Dropout", ["x", "", "t"], ["y"], "d")], inits: [{ name: "t", type: 9, dims: [], data: Uint8Array.of(1) }], inputs: [x], outputs: [y] }));
    expect(() => dropout.forward(eg.zeros([2]))).toThrow(/node "d" \(Dropout\): training_mode is true; the importer runs Dropout at inference only/);
  });
});
