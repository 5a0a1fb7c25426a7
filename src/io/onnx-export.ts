import { ValueError } from "../errors.js";
import { Module } from "../nn/module.js";
import { checkOptions } from "../options.js";
import { describeSequential, ONNX_LAYER_KINDS, type OnnxLayer } from "./onnx-layers.js";
import { concat, float, int, msg, str, bytes, type Chunk } from "./protobuf.js";

/**
 * ONNX export of a Sequential MLP, hand-encoded (no dependency) so the model runs on a serving
 * engine such as onnxruntime. Linear layers become Gemm with transB = 1 (PyTorch's [out, in]
 * weights, unchanged); int8 layers become QuantizeLinear → MatMulInteger → Add (int32 bias) →
 * Cast → Mul (combined scale), which is exactly our integer inference arithmetic, so the
 * integer path gives the same bits. Opset 13, IR version 7: what current runtimes all accept.
 */

export type { OnnxLayer } from "./onnx-layers.js";
export { describeSequential } from "./onnx-layers.js";

export interface OnnxExportOptions {
  /** Name of the batch dimension (symbolic) or a fixed batch size. Default "batch". */
  batch?: string | number;
  /** Features of the input (defaults to the first Linear's inFeatures). */
  inputFeatures?: number;
  inputName?: string;
  outputName?: string;
  producer?: string;
}

const FLOAT = 1, UINT8 = 2, INT8 = 3, INT32 = 6;
const ATTR_FLOAT = 1, ATTR_INT = 2;

function tensorProto(name: string, dataType: number, dims: number[], data: ArrayBufferView): Chunk {
  const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  return concat([...dims.map((d) => int(1, d)), int(2, dataType), str(8, name), bytes(9, raw)]);
}
const initializer = (name: string, dataType: number, dims: number[], data: ArrayBufferView) =>
  msg(5, [tensorProto(name, dataType, dims, data)]);

function node(op: string, inputs: string[], outputs: string[], name: string, attrs: Chunk[] = []): Chunk {
  return msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op), ...attrs]);
}
const attrInt = (name: string, v: number) => msg(5, [str(1, name), int(20, ATTR_INT), int(3, v)]);
const attrFloat = (name: string, v: number) => msg(5, [str(1, name), int(20, ATTR_FLOAT), float(2, v)]);

function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]): Chunk {
  const shape = dims.map((d) => msg(1, [typeof d === "number" ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}

/** The graph being built: nodes, initializers, the current tensor's name and feature count. */
interface Graph {
  nodes: Chunk[];
  inits: Chunk[];
  cur: string;
  features: number;
  /** A fresh intermediate tensor name. */
  next(): string;
}

function emitLinear(g: Graph, l: Extract<OnnxLayer, { kind: "linear" }>, i: number): void {
  g.inits.push(initializer(`${i}.weight`, FLOAT, [l.outFeatures, l.inFeatures], l.weight));
  const inputs = [g.cur, `${i}.weight`];
  if (l.bias) {
    g.inits.push(initializer(`${i}.bias`, FLOAT, [l.outFeatures], l.bias));
    inputs.push(`${i}.bias`);
  }
  const y = g.next();
  g.nodes.push(node("Gemm", inputs, [y], `layer${i}`, [attrInt("transB", 1)]));
  g.cur = y;
}

function emitLinearInt8(g: Graph, l: Extract<OnnxLayer, { kind: "linearInt8" }>, i: number): void {
  const p = `layer${i}`;
  // MatMulInteger wants B as [in, out]: store the transpose once.
  const wt = new Int8Array(l.inFeatures * l.outFeatures);
  for (let r = 0; r < l.outFeatures; r++) for (let c = 0; c < l.inFeatures; c++) wt[c * l.outFeatures + r] = l.weight[r * l.inFeatures + c];
  const combined = new Float32Array(l.outFeatures);
  for (let j = 0; j < l.outFeatures; j++) combined[j] = Math.fround(l.inputScale * l.weightScale[j]);
  g.inits.push(
    initializer(`${p}.x_scale`, FLOAT, [], Float32Array.of(l.inputScale)),
    initializer(`${p}.x_zero_point`, UINT8, [], Uint8Array.of(l.inputZeroPoint)),
    initializer(`${p}.w_t`, INT8, [l.inFeatures, l.outFeatures], wt),
    initializer(`${p}.w_zero_point`, INT8, [], Int8Array.of(0)),
    initializer(`${p}.scale`, FLOAT, [l.outFeatures], combined),
  );
  const xq = g.next(), acc = g.next();
  g.nodes.push(node("QuantizeLinear", [g.cur, `${p}.x_scale`, `${p}.x_zero_point`], [xq], `${p}.quantize`));
  g.nodes.push(node("MatMulInteger", [xq, `${p}.w_t`, `${p}.x_zero_point`, `${p}.w_zero_point`], [acc], `${p}.matmul`));
  let sum = acc;
  if (l.bias) {
    g.inits.push(initializer(`${p}.bias`, INT32, [l.outFeatures], l.bias));
    sum = g.next();
    g.nodes.push(node("Add", [acc, `${p}.bias`], [sum], `${p}.bias_add`));
  }
  const f = g.next(), y = g.next();
  g.nodes.push(node("Cast", [sum], [f], `${p}.cast`, [attrInt("to", FLOAT)]));
  g.nodes.push(node("Mul", [f, `${p}.scale`], [y], `${p}.rescale`));
  g.cur = y;
}

function emitGelu(g: Graph, p: string): void {
  // Opset 13 has no Gelu: x · 0.5 · (1 + erf(x / √2)), the exact form our GELU computes.
  g.inits.push(initializer(`${p}.sqrt2`, FLOAT, [], Float32Array.of(Math.SQRT2)),
    initializer(`${p}.one`, FLOAT, [], Float32Array.of(1)),
    initializer(`${p}.half`, FLOAT, [], Float32Array.of(0.5)));
  const a = g.next(), b = g.next(), c = g.next(), d = g.next(), y = g.next();
  g.nodes.push(node("Div", [g.cur, `${p}.sqrt2`], [a], `${p}.div`), node("Erf", [a], [b], `${p}.erf`),
    node("Add", [b, `${p}.one`], [c], `${p}.add`), node("Mul", [g.cur, c], [d], `${p}.mul`),
    node("Mul", [d, `${p}.half`], [y], `${p}.half_mul`));
  g.cur = y;
}

/** A node with one input and one output (the activations, Flatten, Softmax). */
function emitUnary(g: Graph, op: string, p: string, attrs: Chunk[] = []): void {
  const y = g.next();
  g.nodes.push(node(op, [g.cur], [y], p, attrs));
  g.cur = y;
}

function emitLayer(g: Graph, l: OnnxLayer, i: number): void {
  const p = `layer${i}`;
  if (l.kind === "linear" || l.kind === "linearInt8") {
    if (l.inFeatures !== g.features) throw new ValueError(`exportOnnx: layer ${i} expects ${l.inFeatures} features, gets ${g.features}`);
    if (l.kind === "linear") emitLinear(g, l, i);
    else emitLinearInt8(g, l, i);
    g.features = l.outFeatures;
    return;
  }
  switch (l.kind) {
    case "identity": return;
    case "flatten": return emitUnary(g, "Flatten", p, [attrInt("axis", 1)]);
    case "relu": return emitUnary(g, "Relu", p);
    case "sigmoid": return emitUnary(g, "Sigmoid", p);
    case "tanh": return emitUnary(g, "Tanh", p);
    case "leakyRelu": return emitUnary(g, "LeakyRelu", p, [attrFloat("alpha", l.alpha)]);
    case "elu": return emitUnary(g, "Elu", p, [attrFloat("alpha", l.alpha)]);
    case "softmax": return emitUnary(g, "Softmax", p, [attrInt("axis", l.axis)]);
    case "logSoftmax": return emitUnary(g, "LogSoftmax", p, [attrInt("axis", l.axis)]);
    case "gelu": return emitGelu(g, p);
    default: {
      const unknown: never = l;   // a kind added to OnnxLayer without an encoder fails to compile here
      throw new ValueError(`exportOnnx: layer ${i} has unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}

function checkExport(model: unknown, o: OnnxExportOptions): void {
  checkOptions("exportOnnx", o, ["batch", "inputFeatures", "inputName", "outputName", "producer"]);
  if (!(model instanceof Module) && !Array.isArray(model)) {
    throw new ValueError(`exportOnnx: expected a Module or a list of ONNX layers, got ${model === null ? "null" : typeof model}`);
  }
  const b = o.batch;
  if (b !== undefined && !(typeof b === "string" ? b.length > 0 : Number.isInteger(b) && b > 0)) {
    throw new ValueError(`exportOnnx: batch must be a dimension name or a positive integer, got ${JSON.stringify(b)}`);
  }
  const f = o.inputFeatures;
  if (f !== undefined && !(Number.isInteger(f) && f > 0)) throw new ValueError(`exportOnnx: inputFeatures must be a positive integer, got ${f}`);
  for (const key of ["inputName", "outputName", "producer"] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === "string" && v.length > 0)) throw new ValueError(`exportOnnx: ${key} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
}

/**
 * Encodes a model as ONNX ModelProto bytes: a Sequential, a single layer (a one-layer model, e.g.
 * `exportOnnx(new Linear(4, 3))`), or a list of layers in the exporter's terms.
 */
export function exportOnnx(model: Module | OnnxLayer[], o: OnnxExportOptions = {}): Uint8Array {
  checkExport(model, o);
  const layers = Array.isArray(model) ? model : describeSequential(model);
  layers.forEach((l, i) => {
    if (!ONNX_LAYER_KINDS.includes(l?.kind)) throw new ValueError(`exportOnnx: layer ${i} has unknown kind ${JSON.stringify(l?.kind)}`);
  });
  const firstLinear = layers.find((l) => l.kind === "linear" || l.kind === "linearInt8") as { inFeatures: number } | undefined;
  const inFeatures = o.inputFeatures ?? firstLinear?.inFeatures;
  if (inFeatures === undefined) throw new ValueError("exportOnnx: give inputFeatures when the model has no Linear layer");
  const batch = o.batch ?? "batch";
  let k = 0;
  const g: Graph = { nodes: [], inits: [], cur: o.inputName ?? "input", features: inFeatures, next: () => `t${k++}` };
  layers.forEach((l, i) => emitLayer(g, l, i));
  // The graph output must be a node output with the requested name: rename via Identity.
  const outName = o.outputName ?? "output";
  g.nodes.push(node("Identity", [g.cur], [outName], "output"));
  const graph = msg(7, [...g.nodes, str(2, "edgegrad"), ...g.inits,
    valueInfo(11, o.inputName ?? "input", FLOAT, [batch, inFeatures]), valueInfo(12, outName, FLOAT, [batch, g.features])]);
  return concat([int(1, 7), str(2, o.producer ?? "edgegrad"), msg(8, [str(1, ""), int(2, 13)]), graph]);
}
