// ONNX export of the recurrent layers RNN, LSTM and GRU (src/nn/recurrent.ts) as a whole model:
// one ONNX RNN/LSTM/GRU node per layer (both directions in one node), chained by Transpose and
// Reshape, the output sequence as the graph's output and the final states as two more outputs,
// "h_n" (and "c_n"), shaped as PyTorch's [numLayers·directions, batch, hidden]. The initial states
// are zeros (forward(x) without h0). Only the whole model: a Sequential hands a recurrent layer's
// [output, state] pair to its next layer, which takes a Tensor, so no runnable Sequential has
// layers after one. The classes are looked up in the layer registry: exporting an MLP bundles
// none of the recurrent code.
import { ShapeError, ValueError } from "../errors.js";
import { isRegisteredLayer as is } from "../nn/layer-registry.js";
import type { Module } from "../nn/module.js";
import type { GRU, LSTM, RNN } from "../nn/recurrent.js";
import { layersOf } from "../nn/sequential.js";
import { typeName } from "../type-name.js";
import type { OnnxExportOptions } from "./onnx-export.js";
import { attrInt, attrInts, FLOAT, INT64, initializer, node, valueInfo, type Graph } from "./onnx-proto.js";
import { concat, int, msg, str, type Chunk } from "./protobuf.js";

type Recurrent = RNN | LSTM | GRU;

export const isRecurrentLayer = (m: unknown): m is Recurrent => is(m, "RNN") || is(m, "LSTM") || is(m, "GRU");

/** The recurrent layer a model is (the module itself, or a Sequential's only layer), or null. */
export function recurrentModel(model: Module): Recurrent | null {
  const layers = layersOf(model);
  return layers.length === 1 && isRecurrentLayer(layers[0]) ? layers[0] : null;
}

/** For the layer-list path (describeSequential): a recurrent layer there is refused, saying how it does export. */
export function refuseRecurrentLayer(m: Module, index: number): void {
  if (!isRecurrentLayer(m)) return;
  throw new ValueError(`exportOnnx: ${typeName(m)} at index ${index} exports only as the whole model (exportOnnx(layer), or a Sequential of that one layer), `
    + "not as one of a Sequential's layers nor in a layer list: a Sequential passes its [output, state] pair to the next layer, which takes a Tensor");
}

/** ONNX's gates as blocks of PyTorch's rows: LSTM i, o, f, c from i, f, g, o; GRU z, r, h from r, z, n. */
const ONNX_GATE_BLOCKS: Record<Recurrent["mode"], readonly number[]> = { rnn_tanh: [0], rnn_relu: [0], lstm: [0, 3, 1, 2], gru: [1, 0, 2] };
const OP: Record<Recurrent["mode"], string> = { rnn_tanh: "RNN", rnn_relu: "RNN", lstm: "LSTM", gru: "GRU" };

// AttributeProto: s = 4, strings = 9; AttributeType STRING = 3, STRINGS = 8.
const attrString = (name: string, v: string): Chunk => msg(5, [str(1, name), int(20, 3), str(4, v)]);
const attrStrings = (name: string, v: readonly string[]): Chunk => msg(5, [str(1, name), int(20, 8), ...v.map((s) => str(9, s))]);
const int64s = (v: readonly number[]) => BigInt64Array.from(v.map((d) => BigInt(d)));

/** Copies the rows of `src` block by block in ONNX's gate order into `dst` from `at`; a block is `size` numbers. */
function reorderGates(src: ArrayLike<number>, blocks: readonly number[], size: number, dst: Float32Array, at: number): void {
  blocks.forEach((b, k) => {
    for (let j = 0; j < size; j++) dst[at + k * size + j] = src[b * size + j];
  });
}

/**
 * The layer's parameters by state-dict name, each checked for the shape the cells need. A name the
 * layer should not have is refused, not dropped: PyTorch's projected LSTM (projSize) adds
 * weight_hr_l<k>, which ONNX's LSTM has no input for.
 */
function parametersOf(m: Recurrent): (name: string, shape: number[]) => ArrayLike<number> {
  const sd = m.stateDict(), where = `exportOnnx: ${typeName(m)}`;
  const unknown = Object.keys(sd).find((k) => !/^(weight|bias)_(ih|hh)_l\d+(_reverse)?$/.test(k));
  if (unknown !== undefined) {
    const why = unknown.startsWith("weight_hr_") ? " (a projected LSTM, projSize: ONNX's LSTM has no projection)" : "";
    throw new ValueError(`${where} has the parameter ${unknown}${why}; only the weights and biases of plain RNN/LSTM/GRU cells export`);
  }
  return (name, shape) => {
    const t = sd[name];
    if (!t) throw new ValueError(`${where} has no parameter ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ShapeError(`${where}: parameter ${name} has shape [${t.shape}], expected [${shape}]`);
    }
    return t.data;
  };
}

interface LayerOutputs { y: string; h: string; c: string | null }

/** Layer l as one ONNX node over x [T, batch, features]; y is its output sequence as [T, batch, D·H]. */
function emitRecurrentLayer(g: Graph, m: Recurrent, l: number, x: string, param: ReturnType<typeof parametersOf>): LayerOutputs {
  const H = m.hiddenSize, D = m.directions, blocks = ONNX_GATE_BLOCKS[m.mode], rows = blocks.length * H;
  const inSize = l === 0 ? m.inputSize : D * H, p = `layer${l}`;
  const W = new Float32Array(D * rows * inSize), R = new Float32Array(D * rows * H), B = m.bias ? new Float32Array(D * 2 * rows) : null;
  for (let d = 0; d < D; d++) {
    const sfx = `_l${l}${d === 1 ? "_reverse" : ""}`;
    reorderGates(param(`weight_ih${sfx}`, [rows, inSize]), blocks, H * inSize, W, d * rows * inSize);
    reorderGates(param(`weight_hh${sfx}`, [rows, H]), blocks, H * H, R, d * rows * H);
    // ONNX's B is [Wb, Rb] per direction; without it the node's biases are zero, as bias: false.
    if (B) {
      reorderGates(param(`bias_ih${sfx}`, [rows]), blocks, H, B, d * 2 * rows);
      reorderGates(param(`bias_hh${sfx}`, [rows]), blocks, H, B, d * 2 * rows + rows);
    }
  }
  g.inits.push(initializer(`${p}.W`, FLOAT, [D, rows, inSize], W), initializer(`${p}.R`, FLOAT, [D, rows, H], R));
  if (B) g.inits.push(initializer(`${p}.B`, FLOAT, [D, 2 * rows], B));
  const attrs = [attrInt("hidden_size", H), attrString("direction", D === 2 ? "bidirectional" : "forward")];
  if (m.mode === "rnn_relu") attrs.push(attrStrings("activations", Array(D).fill("Relu")));
  // PyTorch's GRU applies r to (W_hn·h + b_hn): ONNX's linear_before_reset = 1, not its default.
  if (m.mode === "gru") attrs.push(attrInt("linear_before_reset", 1));
  const seq = g.next(), h = g.next(), c = m.mode === "lstm" ? g.next() : null;
  g.nodes.push(node(OP[m.mode], B ? [x, `${p}.W`, `${p}.R`, `${p}.B`] : [x, `${p}.W`, `${p}.R`], c ? [seq, h, c] : [seq, h], `${p}.${OP[m.mode].toLowerCase()}`, attrs));
  // Y is [T, D, batch, H]; the next layer (and the caller) reads [T, batch, D·H], directions side by side.
  const swapped = g.next(), y = g.next();
  g.inits.push(initializer(`${p}.flat_shape`, INT64, [3], int64s([0, 0, -1])));
  g.nodes.push(node("Transpose", [seq], [swapped], `${p}.transpose`, [attrInts("perm", [0, 2, 1, 3])]));
  g.nodes.push(node("Reshape", [swapped, `${p}.flat_shape`], [y], `${p}.reshape`));
  return { y, h, c };
}

/** The final states of every layer, [D, batch, H] each, stacked along the first dim under `name`. */
function emitStates(g: Graph, states: string[], name: string): void {
  if (states.length === 1) g.nodes.push(node("Identity", states, [name], name));
  else g.nodes.push(node("Concat", states, [name], name, [attrInt("axis", 0)]));
}

/** The options that mean something for a recurrent model, checked against it; returns the sequence dim (a length or a name). */
function checkRecurrentOptions(m: Recurrent, o: OnnxExportOptions): number | string {
  const where = `exportOnnx: ${typeName(m)}(${m.inputSize}, ${m.hiddenSize})`;
  if ((o.inputDType ?? "float32") !== "float32") throw new ValueError(`${where} takes a float32 sequence, not inputDType ${JSON.stringify(o.inputDType)}`);
  const s = o.inputShape;
  // The exporter always adds the batch dim: an unbatched layer exports with batch: 1.
  if (s !== undefined && s.length !== 2) {
    throw new ValueError(`${where}: inputShape must be one sample's [seqLen, inputSize] (the exporter adds the batch dim; for unbatched input use batch: 1), got [${s}]`);
  }
  const features = s ? s[1] : o.inputFeatures;
  if (features !== undefined && features !== m.inputSize) {
    throw new ShapeError(`${where}: the input has ${features} features (${s ? `inputShape [${s}]` : "inputFeatures"}), the layer's inputSize is ${m.inputSize}`);
  }
  const names = [o.inputName ?? "input", o.outputName ?? "output"];
  const states = m.mode === "lstm" ? ["h_n", "c_n"] : ["h_n"];
  const clash = names.find((n) => states.includes(n));
  if (clash !== undefined) throw new ValueError(`${where}: ${JSON.stringify(clash)} names the final-state output (${states.join(", ")}); choose another inputName/outputName`);
  if (!s && o.batch === "seq") throw new ValueError(`${where}: batch "seq" is the name of the symbolic sequence dim; choose another, or give inputShape [seqLen, inputSize]`);
  return s ? s[0] : "seq";
}

/**
 * The ModelProto of a recurrent layer (as the forward of its eval mode: dropout between layers is
 * training only, so it is not in the graph). Input [seq, batch, inputSize] ([batch, seq, ·] with
 * batchFirst, by Transposes: opset 13's nodes have no `layout` attribute); the sequence length is
 * inputShape[0], or the symbolic dim "seq".
 */
export function exportRecurrent(m: Recurrent, o: OnnxExportOptions): Uint8Array {
  const T = checkRecurrentOptions(m, o), param = parametersOf(m);
  const batch = o.batch ?? "batch", inputName = o.inputName ?? "input", outName = o.outputName ?? "output";
  let k = 0;
  const g: Graph = { nodes: [], inits: [], cur: inputName, shape: [], next: () => `t${k++}` };
  const major = (first: number | string, second: number | string, last: number) => (m.batchFirst ? [second, first, last] : [first, second, last]);
  if (m.batchFirst) {
    const xt = g.next();
    g.nodes.push(node("Transpose", [inputName], [xt], "input.transpose", [attrInts("perm", [1, 0, 2])]));
    g.cur = xt;
  }
  const hs: string[] = [], cs: string[] = [];
  for (let l = 0; l < m.numLayers; l++) {
    const out = emitRecurrentLayer(g, m, l, g.cur, param);
    g.cur = out.y;
    hs.push(out.h);
    if (out.c) cs.push(out.c);
  }
  if (m.batchFirst) g.nodes.push(node("Transpose", [g.cur], [outName], "output", [attrInts("perm", [1, 0, 2])]));
  else g.nodes.push(node("Identity", [g.cur], [outName], "output"));
  emitStates(g, hs, "h_n");
  if (cs.length > 0) emitStates(g, cs, "c_n");
  const stateDims = [m.numLayers * m.directions, batch, m.hiddenSize];
  const outputs = [valueInfo(12, outName, FLOAT, major(T, batch, m.directions * m.hiddenSize)), valueInfo(12, "h_n", FLOAT, stateDims)];
  if (cs.length > 0) outputs.push(valueInfo(12, "c_n", FLOAT, stateDims));
  const graph = msg(7, [...g.nodes, str(2, "edgegrad"), ...g.inits, valueInfo(11, inputName, FLOAT, major(T, batch, m.inputSize)), ...outputs]);
  return concat([int(1, 7), str(2, o.producer ?? "edgegrad"), msg(8, [str(1, ""), int(2, 13)]), graph]);
}
