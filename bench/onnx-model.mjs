// Hand-encodes a one-node ONNX model (MatMul, or Gemm for the transposed variants) as protobuf
// bytes, so the onnxruntime-web peer needs no model file and no protobuf dependency.
// Field numbers from onnx/onnx.proto: ModelProto{ir_version=1, graph=7, opset_import=8},
// GraphProto{node=1, name=2, input=11, output=12}, NodeProto{input=1, output=2, name=3,
// op_type=4, attribute=5}, AttributeProto{name=1, i=3, type=20}, ValueInfoProto{name=1, type=2},
// TypeProto{tensor_type=1}, TypeProto.Tensor{elem_type=1, shape=2}, TensorShapeProto{dim=1},
// Dimension{dim_value=1}.
import { int, bytes, str } from "./protobuf.mjs";

const FLOAT = 1;
const ATTR_INT = 2;


function valueInfo(name, dims) {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, shape)];
  return [...str(1, name), ...bytes(2, bytes(1, tensorType))];
}

/**
 * C[m×n] = op(A)·op(B). A is given as [m,k] (or [k,m] with transA), B as [k,n] (or [n,k]
 * with transB). Plain products use MatMul; transposed ones use Gemm's transA/transB
 * attributes, which is how an ONNX exporter writes a Linear layer (A·Wᵀ).
 */
export function matmulModel(m, n, k, transA = false, transB = false) {
  const useGemm = transA || transB;
  const attrs = useGemm
    ? [["transA", transA ? 1 : 0], ["transB", transB ? 1 : 0]]
        .flatMap(([name, v]) => bytes(5, [...str(1, name), ...int(3, v), ...int(20, ATTR_INT)]))
    : [];
  const node = [...str(1, "A"), ...str(1, "B"), ...str(2, "C"), ...str(3, "mm"),
                ...str(4, useGemm ? "Gemm" : "MatMul"), ...attrs];
  const graph = [
    ...bytes(1, node),
    ...str(2, "bench"),
    ...bytes(11, valueInfo("A", transA ? [k, m] : [m, k])),
    ...bytes(11, valueInfo("B", transB ? [n, k] : [k, n])),
    ...bytes(12, valueInfo("C", [m, n])),
  ];
  const opset = [...str(1, ""), ...int(2, 13)];
  return new Uint8Array([...int(1, 8), ...bytes(7, graph), ...bytes(8, opset)]);
}
