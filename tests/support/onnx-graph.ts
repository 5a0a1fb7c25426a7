// Hand-built ONNX models for the importer's tests (tests/io/onnx-import*.test.ts): a graph of
// nodes, initializers, inputs and outputs encoded with the exporter's proto helpers, and a run of
// such a model in onnxruntime-web (one thread) on tensors of any of the importer's types.
import * as eg from "../../src/index.js";
import { attrFloat, attrInt, attrInts, FLOAT, initializer, INT64, node, valueInfo } from "../../src/io/onnx-proto.js";
import { bytes, concat, float, int, msg, str, type Chunk } from "../../src/io/protobuf.js";

export { attrFloat, attrInt, attrInts, FLOAT, INT64, node };
export const UINT8 = 2, INT8 = 3, INT32 = 6, BOOL = 9, DOUBLE = 11;

export const attrString = (name: string, v: string): Chunk => msg(5, [str(1, name), int(20, 3), str(4, v)]);
export const attrStrings = (name: string, v: readonly string[]): Chunk => msg(5, [str(1, name), int(20, 8), ...v.map((s) => str(9, s))]);
export const attrFloats = (name: string, v: readonly number[]): Chunk => msg(5, [str(1, name), int(20, 6), ...v.map((x) => float(7, x))]);

/** A TensorProto's fields with raw_data: what an initializer or a Constant's value holds. */
function tensorFields(name: string, type: number, dims: readonly number[], data: ArrayBufferView): Chunk[] {
  const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  return [...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw)];
}
export const attrTensor = (name: string, type: number, dims: readonly number[], data: ArrayBufferView): Chunk =>
  msg(5, [str(1, name), int(20, 4), msg(5, tensorFields("", type, dims, data))]);

export const i64 = (v: readonly number[]) => BigInt64Array.from(v.map((d) => BigInt(d)));
export const f32 = (v: ArrayLike<number>) => Float32Array.from(v);

/** A graph input or output; without dims its shape is left undeclared. */
export interface Value { name: string; type: number; dims?: (number | string)[] }

function info(field: number, v: Value): Chunk {
  return v.dims ? valueInfo(field, v.name, v.type, v.dims) : msg(field, [str(1, v.name), msg(2, [msg(1, [int(1, v.type)])])]);
}
export interface Init { name: string; type: number; dims: number[]; data: ArrayBufferView }

export interface GraphSpec {
  nodes: Chunk[];
  inits?: Init[];
  inputs: Value[];
  outputs: Value[];
  opset?: number;
}

/** ModelProto bytes (IR version 7) for the graph. */
export function graphModel(g: GraphSpec): Uint8Array {
  const graph = msg(7, [
    ...g.nodes, str(2, "test"),
    ...(g.inits ?? []).map((i) => initializer(i.name, i.type, i.dims, i.data)),
    ...g.inputs.map((v) => info(11, v)),
    ...g.outputs.map((v) => info(12, v)),
  ]);
  return concat([int(1, 7), str(2, "test"), msg(8, [str(1, ""), int(2, g.opset ?? 13)]), graph]);
}

/** A model of one node over float inputs named x0, x1, … (extra inputs given as initializers), output "y". */
export function oneNode(op: string, inputs: Value[], inits: Init[], attrs: Chunk[], outType = FLOAT, nodeInputs?: string[]): Uint8Array {
  return graphModel({
    nodes: [node(op, nodeInputs ?? [...inputs.map((v) => v.name), ...inits.map((i) => i.name)], ["y"], "n", attrs)],
    inits, inputs, outputs: [{ name: "y", type: outType }],
  });
}

const ORT_TYPES: Record<string, string> = { float32: "float32", float64: "float64", int8: "int8", uint8: "uint8", bool: "bool" };

/** Every output of the model in onnxruntime-web for the inputs by name; int32 tensors are fed as `intType` (int64 by default). */
export async function ortRun(model: Uint8Array, feeds: Record<string, eg.Tensor>, intType: "int64" | "int32" = "int64") {
  const ort = await import("onnxruntime-web");
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model);
  const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [name, t] of Object.entries(feeds)) {
    const data = t.contiguous().data;
    if (t.dtype === "int32") {
      inputs[name] = intType === "int64" ? new ort.Tensor("int64", BigInt64Array.from(data as Int32Array, BigInt), [...t.shape]) : new ort.Tensor("int32", data as Int32Array, [...t.shape]);
    } else {
      inputs[name] = new ort.Tensor(ORT_TYPES[t.dtype] as "float32", data as Float32Array, [...t.shape]);
    }
  }
  const out = await session.run(inputs);
  const got: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (const [k, v] of Object.entries(out)) {
    const d = v.data;
    got[k] = { data: (d instanceof BigInt64Array ? Float64Array.from(d, Number) : d) as Float32Array, dims: [...v.dims] };
  }
  return got;
}
