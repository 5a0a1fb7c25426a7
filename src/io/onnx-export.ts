import { ValueError } from "../errors.js";
import { Module } from "../nn/module.js";
import { checkOptions } from "../options.js";
import type { OnnxConvLayer } from "./onnx-conv-layers.js";
import { checkLayerList } from "./onnx-layer-checks.js";
import { describeSequential, type OnnxLayer } from "./onnx-layers.js";
import { emitConvLayer, isConvKind } from "./onnx-conv-export.js";
import { emitShapeLayer, isShapeKind, type OnnxShapeLayer } from "./onnx-shape-layers.js";
import { attrFloat, attrInt, emitUnary, FLOAT, initializer, INT32, INT64, INT8, node, UINT8, valueInfo, type Graph } from "./onnx-proto.js";
import { emitDenseLinear, emitGeluErf, emitSequenceLayer } from "./onnx-attention-export.js";
import { isSequenceKind, type OnnxSequenceLayer } from "./onnx-sequence-layers.js";
import { emitResampleLayer, isResampleKind, type OnnxResampleLayer } from "./onnx-resample-layers.js";
import { concat, int, msg, str } from "./protobuf.js";
import { exportRecurrent, recurrentModel } from "./onnx-recurrent-export.js";

/**
 * ONNX export of a Sequential (an MLP or a CNN), hand-encoded (no dependency) so the model runs
 * on a serving engine such as onnxruntime. Linear layers become Gemm with transB = 1 (PyTorch's
 * [out, in] weights, unchanged); convolutions Conv (an eval-mode BatchNorm after one folded in),
 * pooling MaxPool/AveragePool/GlobalAveragePool (onnx-conv-export.ts); int8 layers become
 * QuantizeLinear → MatMulInteger (ConvInteger) → Add (int32 bias) → Cast → Mul (combined scale),
 * which is exactly our integer inference arithmetic, so the integer path gives the same bits.
 * LayerNorm, Embedding (a Gather of an int64/int32 token-id input) and the transformer encoder
 * layers are written out in opset-13 ops (onnx-attention-export.ts); RNN, LSTM and GRU, as the
 * whole model, are ONNX's RNN/LSTM/GRU with their final states as outputs too
 * (onnx-recurrent-export.ts). Opset 13, IR version 7: what current runtimes all accept.
 */

export type { OnnxLayer } from "./onnx-layers.js";
export { describeSequential } from "./onnx-layers.js";

export interface OnnxExportOptions {
  /** Name of the batch dimension (symbolic) or a fixed batch size. Default "batch". */
  batch?: string | number;
  /** Features of the input (defaults to the first Linear's inFeatures). */
  inputFeatures?: number;
  /**
   * One sample's shape, e.g. [1, 28, 28] for an image model (required when the model starts with
   * a convolution or pooling), [seqLen] of token ids before an Embedding, [seqLen, dModel] before
   * a TransformerEncoder, [seqLen, inputSize] before an RNN/LSTM/GRU (omitted: a symbolic "seq").
   */
  inputShape?: number[];
  /** The graph input's element type: "float32" (default), or the token ids' "int64" (default before an Embedding) or "int32". */
  inputDType?: "float32" | "int64" | "int32";
  inputName?: string;
  outputName?: string;
  producer?: string;
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

/** A (log-)softmax axis of the [batch, ...sample] tensor, refused outside [−rank, rank − 1] (and when not an integer, as the module's forward). */
function softmaxAxis(g: Graph, axis: number, i: number): number {
  const rank = g.shape.length + 1;
  if (!Number.isSafeInteger(axis) || axis < -rank || axis >= rank) {
    throw new ValueError(`exportOnnx: layer ${i}: softmax axis ${typeof axis === "string" ? JSON.stringify(axis) : String(axis)} is out of range for a rank-${rank} tensor [batch, ${g.shape}]`);
  }
  return axis;
}

const isConvLayer = (l: OnnxLayer): l is OnnxConvLayer => isConvKind(l.kind);
const isShapeLayer = (l: OnnxLayer): l is OnnxShapeLayer => isShapeKind(l.kind);
const isSequenceLayer = (l: OnnxLayer): l is OnnxSequenceLayer => isSequenceKind(l.kind);
const isResampleLayer = (l: OnnxLayer): l is OnnxResampleLayer => isResampleKind(l.kind);

/** PRelu's slope broadcasts from the right: one per channel is [C, 1, …] against [batch, C, d…]. */
function emitPrelu(g: Graph, l: Extract<OnnxLayer, { kind: "prelu" }>, i: number): void {
  const C = l.slope.length;
  if (C !== 1 && g.shape[0] !== C) throw new ValueError(`exportOnnx: layer ${i}: PReLU has ${C} slopes but its input [batch, ${g.shape}] has ${g.shape[0]} channels`);
  const p = `layer${i}`;
  g.inits.push(initializer(`${p}.slope`, FLOAT, C === 1 ? [1] : [C, ...g.shape.slice(1).map(() => 1)], l.slope));
  const y = g.next();
  g.nodes.push(node("PRelu", [g.cur, `${p}.slope`], [y], p));
  g.cur = y;
}

function emitLayer(g: Graph, l: OnnxLayer, i: number): void {
  const p = `layer${i}`;
  if (l.kind === "linear" || l.kind === "linearInt8") {
    // Gemm and MatMulInteger take [batch, features]; a float Linear on [batch, seq, features] is MatMul and Add along the last dim.
    const last = g.shape[g.shape.length - 1];
    if (l.kind === "linear" && g.shape.length > 1 && last === l.inFeatures) return emitDenseLinear(g, l, i);
    if (g.shape.length !== 1 || l.inFeatures !== g.shape[0]) throw new ValueError(`exportOnnx: layer ${i} expects ${l.inFeatures} features, gets per-sample [${g.shape}]`);
    if (l.kind === "linear") emitLinear(g, l, i);
    else emitLinearInt8(g, l, i);
    g.shape = [l.outFeatures];
    return;
  }
  if (isConvLayer(l)) return emitConvLayer(g, l, i);
  if (isShapeLayer(l)) return emitShapeLayer(g, l, i);
  if (isSequenceLayer(l)) return emitSequenceLayer(g, l, i);
  if (isResampleLayer(l)) return emitResampleLayer(g, l, i);
  switch (l.kind) {
    case "identity": return;
    case "flatten":
      g.shape = [g.shape.reduce((a, b) => a * b, 1)];
      return emitUnary(g, "Flatten", p, [attrInt("axis", 1)]);
    case "relu": return emitUnary(g, "Relu", p);
    case "sigmoid": return emitUnary(g, "Sigmoid", p);
    case "tanh": return emitUnary(g, "Tanh", p);
    case "leakyRelu": return emitUnary(g, "LeakyRelu", p, [attrFloat("alpha", l.alpha)]);
    case "elu": return emitUnary(g, "Elu", p, [attrFloat("alpha", l.alpha)]);
    case "softmax": return emitUnary(g, "Softmax", p, [attrInt("axis", softmaxAxis(g, l.axis, i))]);
    case "logSoftmax": return emitUnary(g, "LogSoftmax", p, [attrInt("axis", softmaxAxis(g, l.axis, i))]);
    case "softmax2d":
      // The module takes [C, H, W] or [N, C, H, W] (dim −3): with the batch dim, a 4-d tensor.
      if (g.shape.length !== 3) throw new ValueError(`exportOnnx: layer ${i} (Softmax2d) needs a per-sample input [C, H, W], gets [${g.shape}]`);
      return emitUnary(g, "Softmax", p, [attrInt("axis", 1)]);
    case "gelu": return emitGeluErf(g, p);
    case "prelu": return emitPrelu(g, l, i);
    case "clip": {
      // Opset 13's Clip takes its bounds as inputs, not attributes.
      g.inits.push(initializer(`${p}.min`, FLOAT, [], Float32Array.of(l.min)), initializer(`${p}.max`, FLOAT, [], Float32Array.of(l.max)));
      const y = g.next();
      g.nodes.push(node("Clip", [g.cur, `${p}.min`, `${p}.max`], [y], p));
      g.cur = y;
      return;
    }
    case "shrink": return emitUnary(g, "Shrink", p, [attrFloat("lambd", l.lambd), attrFloat("bias", l.bias)]);
    case "thresholdedRelu": return emitUnary(g, "ThresholdedRelu", p, [attrFloat("alpha", l.alpha)]);
    default: {
      const unknown: never = l;   // a kind added to OnnxLayer without an encoder fails to compile here
      throw new ValueError(`exportOnnx: layer ${i} has unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}

/** The names the exporter gives its own tensors: t<k> (intermediates), <i>.<name> and layer<i>.<name> (initializers). */
const INTERNAL_NAME = /^(t\d+|\d+\..*|layer\d+\..*)$/s;

/** Forward options of the attention layers: a Sequential runs its layers without them, and so does the exported graph. */
const MASK_OPTIONS = ["mask", "srcMask", "srcKeyPaddingMask", "attnMask", "keyPaddingMask", "isCausal"];

function checkExport(model: unknown, o: OnnxExportOptions): void {
  const mask = o && typeof o === "object" ? MASK_OPTIONS.find((k) => Object.hasOwn(o, k)) : undefined;
  if (mask) throw new ValueError(`exportOnnx: attention masks are not exported (got option ${mask}); the exported attention layers attend to every position, as a Sequential runs them`);
  checkOptions("exportOnnx", o, ["batch", "inputFeatures", "inputShape", "inputDType", "inputName", "outputName", "producer"]);
  if (!(model instanceof Module) && !Array.isArray(model)) {
    throw new ValueError(`exportOnnx: expected a Module or a list of ONNX layers, got ${model === null ? "null" : typeof model}`);
  }
  const b = o.batch;
  if (b !== undefined && !(typeof b === "string" ? b.length > 0 : Number.isInteger(b) && b > 0)) {
    throw new ValueError(`exportOnnx: batch must be a dimension name or a positive integer, got ${JSON.stringify(b)}`);
  }
  const f = o.inputFeatures;
  if (f !== undefined && !(Number.isInteger(f) && f > 0)) throw new ValueError(`exportOnnx: inputFeatures must be a positive integer, got ${f}`);
  const s = o.inputShape;
  if (s !== undefined && !(Array.isArray(s) && s.length > 0 && s.every((d) => Number.isInteger(d) && d > 0))) {
    throw new ValueError(`exportOnnx: inputShape must be a non-empty list of positive integers (one sample's shape, e.g. [1, 28, 28]), got ${JSON.stringify(s)}`);
  }
  if (s !== undefined && f !== undefined) throw new ValueError("exportOnnx: give inputFeatures or inputShape, not both");
  const t = o.inputDType;
  if (t !== undefined && t !== "float32" && t !== "int64" && t !== "int32") throw new ValueError(`exportOnnx: inputDType must be "float32", "int64" or "int32", got ${JSON.stringify(t)}`);
  for (const key of ["inputName", "outputName", "producer"] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === "string" && v.length > 0)) throw new ValueError(`exportOnnx: ${key} must be a non-empty string, got ${JSON.stringify(v)}`);
  }
  // Every tensor of an ONNX graph has one definition: a graph input or output named like one of
  // the exporter's own tensors (or like each other) would make a model runtimes refuse.
  const names = { inputName: o.inputName ?? "input", outputName: o.outputName ?? "output" };
  for (const [key, v] of Object.entries(names)) {
    if (INTERNAL_NAME.test(v)) throw new ValueError(`exportOnnx: ${key} ${JSON.stringify(v)} is the form of the exporter's own tensor names (t<k>, <i>.<name>, layer<i>.<name>); choose another`);
  }
  if (names.inputName === names.outputName) throw new ValueError(`exportOnnx: inputName and outputName are both ${JSON.stringify(names.inputName)}; a graph's input and output need different names`);
}

/**
 * Encodes a model as ONNX ModelProto bytes: a Sequential, a single layer (a one-layer model, e.g.
 * `exportOnnx(new Linear(4, 3))`), or a list of layers in the exporter's terms. The graph is
 * float32 throughout (but for the token ids an Embedding first layer takes): a float64 model exports
 * with its weights rounded to float32.
 */
export function exportOnnx(model: Module | OnnxLayer[], o: OnnxExportOptions = {}): Uint8Array {
  checkExport(model, o);
  // A recurrent layer has outputs of its own (the final states) and is never one of several layers.
  const recurrent = Array.isArray(model) ? null : recurrentModel(model);
  if (recurrent) return exportRecurrent(recurrent, o);
  const layers = Array.isArray(model) ? model : describeSequential(model);
  // A hand-written list is checked field by field; describeSequential's layers are right by construction.
  if (Array.isArray(model)) checkLayerList(model);
  const ids = layers[0]?.kind === "embedding";
  const dtype = o.inputDType ?? (ids ? "int64" : "float32");
  // An Embedding takes integer token ids, every other first layer floats.
  if (ids !== (dtype !== "float32")) throw new ValueError(`exportOnnx: inputDType ${JSON.stringify(dtype)} does not fit the first layer (${layers[0]?.kind ?? "none"}); token ids ("int64" or "int32") go to an Embedding first layer only, which takes no floats`);
  if (ids && !o.inputShape) throw new ValueError("exportOnnx: give inputShape (the token ids' per-sample shape, e.g. [seqLen]) for a model that starts with an Embedding");
  const firstLinear = layers.find((l) => l.kind === "linear" || l.kind === "linearInt8") as { inFeatures: number } | undefined;
  const inShape = o.inputShape?.slice() ?? [o.inputFeatures ?? firstLinear?.inFeatures];
  if (inShape[0] === undefined) throw new ValueError("exportOnnx: give inputFeatures (or inputShape) when the model has no Linear layer");
  const batch = o.batch ?? "batch";
  let k = 0;
  const g: Graph = { nodes: [], inits: [], cur: o.inputName ?? "input", shape: inShape as number[], next: () => `t${k++}` };
  layers.forEach((l, i) => emitLayer(g, l, i));
  // The graph output must be a node output with the requested name: rename via Identity.
  const outName = o.outputName ?? "output";
  g.nodes.push(node("Identity", [g.cur], [outName], "output"));
  const graph = msg(7, [...g.nodes, str(2, "edgegrad"), ...g.inits,
    valueInfo(11, o.inputName ?? "input", dtype === "float32" ? FLOAT : dtype === "int64" ? INT64 : INT32, [batch, ...(inShape as number[])]), valueInfo(12, outName, FLOAT, [batch, ...g.shape])]);
  return concat([int(1, 7), str(2, o.producer ?? "edgegrad"), msg(8, [str(1, ""), int(2, 13)]), graph]);
}
