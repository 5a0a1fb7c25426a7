// The pieces of an ONNX graph as protobuf chunks (nodes, attributes, initializers, value infos),
// and the graph being built while the exporter walks a model's layers.
import { concat, float, int, msg, str, bytes, type Chunk } from "./protobuf.js";

export const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6, INT64 = 7;
const ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_INTS = 7;

function tensorProto(name: string, dataType: number, dims: number[], data: ArrayBufferView): Chunk {
  const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  return concat([...dims.map((d) => int(1, d)), int(2, dataType), str(8, name), bytes(9, raw)]);
}
export const initializer = (name: string, dataType: number, dims: number[], data: ArrayBufferView): Chunk =>
  msg(5, [tensorProto(name, dataType, dims, data)]);

export function node(op: string, inputs: string[], outputs: string[], name: string, attrs: Chunk[] = []): Chunk {
  return msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op), ...attrs]);
}
export const attrInt = (name: string, v: number): Chunk => msg(5, [str(1, name), int(20, ATTR_INT), int(3, v)]);
export const attrFloat = (name: string, v: number): Chunk => msg(5, [str(1, name), int(20, ATTR_FLOAT), float(2, v)]);
export const attrInts = (name: string, v: readonly number[]): Chunk => msg(5, [str(1, name), int(20, ATTR_INTS), ...v.map((x) => int(8, x))]);

export function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]): Chunk {
  const shape = dims.map((d) => msg(1, [typeof d === "number" ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}

/** The graph being built: nodes, initializers, the current tensor's name and its per-sample shape. */
export interface Graph {
  nodes: Chunk[];
  inits: Chunk[];
  cur: string;
  /** The current tensor's shape without the batch dimension ([features] for an MLP). */
  shape: number[];
  /** A fresh intermediate tensor name. */
  next(): string;
}

/** A node with one input and one output (the activations, Flatten, Softmax, pooling). */
export function emitUnary(g: Graph, op: string, p: string, attrs: Chunk[] = []): void {
  const y = g.next();
  g.nodes.push(node(op, [g.cur], [y], p, attrs));
  g.cur = y;
}
