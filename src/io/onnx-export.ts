import { ValueError } from "../errors.js";
import { ELU, Flatten, GELU, LeakyReLU, Linear, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh, Dropout } from "../nn/index.js";
import { concat, float, int, msg, str, bytes, type Chunk } from "./protobuf.js";

/**
 * ONNX export of a Sequential MLP, hand-encoded (no dependency) so the model runs on a serving
 * engine such as onnxruntime. Linear layers become Gemm with transB = 1 (PyTorch's [out, in]
 * weights, unchanged); int8 layers become QuantizeLinear → MatMulInteger → Add (int32 bias) →
 * Cast → Mul (combined scale), which is exactly our integer inference arithmetic, so the
 * integer path gives the same bits. Opset 13, IR version 7: what current runtimes all accept.
 */

export type OnnxLayer =
  | { kind: "linear"; inFeatures: number; outFeatures: number; weight: Float32Array; bias: Float32Array | null }
  | {
      kind: "linearInt8"; inFeatures: number; outFeatures: number;
      /** [out, in] int8 weights, symmetric per output channel (zero point 0). */
      weight: Int8Array; weightScale: Float32Array;
      /** Static uint8 quantization of the layer's input. */
      inputScale: number; inputZeroPoint: number;
      /** int32 bias in units of inputScale·weightScale[j], or null. */
      bias: Int32Array | null;
    }
  | { kind: "relu" | "sigmoid" | "tanh" | "gelu" | "flatten" | "identity" }
  | { kind: "leakyRelu" | "elu"; alpha: number }
  | { kind: "softmax" | "logSoftmax"; axis: number };

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

/** The layers of a Sequential in the exporter's terms; Dropout is the identity at inference. */
export function describeSequential(model: Sequential): OnnxLayer[] {
  const out: OnnxLayer[] = [];
  for (const m of model) {
    if (m instanceof Linear) {
      out.push({ kind: "linear", inFeatures: m.inFeatures, outFeatures: m.outFeatures,
        weight: Float32Array.from(m.weight.data), bias: m.bias ? Float32Array.from(m.bias.data) : null });
    } else if (m instanceof ReLU) out.push({ kind: "relu" });
    else if (m instanceof Sigmoid) out.push({ kind: "sigmoid" });
    else if (m instanceof Tanh) out.push({ kind: "tanh" });
    else if (m instanceof GELU) out.push({ kind: "gelu" });
    else if (m instanceof LeakyReLU) out.push({ kind: "leakyRelu", alpha: m.negativeSlope });
    else if (m instanceof ELU) out.push({ kind: "elu", alpha: m.alpha });
    else if (m instanceof Softmax) out.push({ kind: "softmax", axis: m.dim });
    else if (m instanceof LogSoftmax) out.push({ kind: "logSoftmax", axis: m.dim });
    else if (m instanceof Flatten) {
      if (m.startDim !== 1 || m.endDim !== -1) throw new ValueError("exportOnnx: only Flatten(1, -1) is supported");
      out.push({ kind: "flatten" });
    } else if (m instanceof Dropout) out.push({ kind: "identity" });
    else throw new ValueError(`exportOnnx: layer ${m.constructor.name} has no ONNX mapping`);
  }
  return out;
}

function tensorProto(name: string, dataType: number, dims: number[], data: ArrayBufferView): Chunk {
  const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  return concat([...dims.map((d) => int(1, d)), int(2, dataType), str(8, name), bytes(9, raw)]);
}

function node(op: string, inputs: string[], outputs: string[], name: string, attrs: Chunk[] = []): Chunk {
  return msg(1, [...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op), ...attrs]);
}
const attrInt = (name: string, v: number) => msg(5, [str(1, name), int(20, ATTR_INT), int(3, v)]);
const attrFloat = (name: string, v: number) => msg(5, [str(1, name), int(20, ATTR_FLOAT), float(2, v)]);

function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]): Chunk {
  const shape = dims.map((d) => msg(1, [typeof d === "number" ? int(1, d) : str(2, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])]);
}

/** Encodes a Sequential (or a layer list) as ONNX ModelProto bytes. */
export function exportOnnx(model: Sequential | OnnxLayer[], o: OnnxExportOptions = {}): Uint8Array {
  const layers = Array.isArray(model) ? model : describeSequential(model);
  const firstLinear = layers.find((l) => l.kind === "linear" || l.kind === "linearInt8") as { inFeatures: number } | undefined;
  const inFeatures = o.inputFeatures ?? firstLinear?.inFeatures;
  if (inFeatures === undefined) throw new ValueError("exportOnnx: give inputFeatures when the model has no Linear layer");
  const batch = o.batch ?? "batch";
  const nodes: Chunk[] = [];
  const inits: Chunk[] = [];
  let cur = o.inputName ?? "input";
  let features = inFeatures;
  let k = 0;
  const next = () => `t${k++}`;
  layers.forEach((l, i) => {
    const p = `layer${i}`;
    switch (l.kind) {
      case "linear": {
        if (l.inFeatures !== features) throw new ValueError(`exportOnnx: layer ${i} expects ${l.inFeatures} features, gets ${features}`);
        inits.push(msg(5, [tensorProto(`${i}.weight`, FLOAT, [l.outFeatures, l.inFeatures], l.weight)]));
        const inputs = [cur, `${i}.weight`];
        if (l.bias) {
          inits.push(msg(5, [tensorProto(`${i}.bias`, FLOAT, [l.outFeatures], l.bias)]));
          inputs.push(`${i}.bias`);
        }
        const y = next();
        nodes.push(node("Gemm", inputs, [y], p, [attrInt("transB", 1)]));
        cur = y;
        features = l.outFeatures;
        break;
      }
      case "linearInt8": {
        if (l.inFeatures !== features) throw new ValueError(`exportOnnx: layer ${i} expects ${l.inFeatures} features, gets ${features}`);
        // MatMulInteger wants B as [in, out]: store the transpose once.
        const wt = new Int8Array(l.inFeatures * l.outFeatures);
        for (let r = 0; r < l.outFeatures; r++) for (let c = 0; c < l.inFeatures; c++) wt[c * l.outFeatures + r] = l.weight[r * l.inFeatures + c];
        const combined = new Float32Array(l.outFeatures);
        for (let j = 0; j < l.outFeatures; j++) combined[j] = Math.fround(l.inputScale * l.weightScale[j]);
        inits.push(
          msg(5, [tensorProto(`${p}.x_scale`, FLOAT, [], Float32Array.of(l.inputScale))]),
          msg(5, [tensorProto(`${p}.x_zero_point`, UINT8, [], Uint8Array.of(l.inputZeroPoint))]),
          msg(5, [tensorProto(`${p}.w_t`, INT8, [l.inFeatures, l.outFeatures], wt)]),
          msg(5, [tensorProto(`${p}.w_zero_point`, INT8, [], Int8Array.of(0))]),
          msg(5, [tensorProto(`${p}.scale`, FLOAT, [l.outFeatures], combined)]),
        );
        const xq = next(), acc = next();
        nodes.push(node("QuantizeLinear", [cur, `${p}.x_scale`, `${p}.x_zero_point`], [xq], `${p}.quantize`));
        nodes.push(node("MatMulInteger", [xq, `${p}.w_t`, `${p}.x_zero_point`, `${p}.w_zero_point`], [acc], `${p}.matmul`));
        let sum = acc;
        if (l.bias) {
          inits.push(msg(5, [tensorProto(`${p}.bias`, INT32, [l.outFeatures], l.bias)]));
          sum = next();
          nodes.push(node("Add", [acc, `${p}.bias`], [sum], `${p}.bias_add`));
        }
        const f = next(), y = next();
        nodes.push(node("Cast", [sum], [f], `${p}.cast`, [attrInt("to", FLOAT)]));
        nodes.push(node("Mul", [f, `${p}.scale`], [y], `${p}.rescale`));
        cur = y;
        features = l.outFeatures;
        break;
      }
      case "identity": break;
      case "flatten": { const y = next(); nodes.push(node("Flatten", [cur], [y], p, [attrInt("axis", 1)])); cur = y; break; }
      case "relu": case "sigmoid": case "tanh": {
        const y = next();
        nodes.push(node({ relu: "Relu", sigmoid: "Sigmoid", tanh: "Tanh" }[l.kind], [cur], [y], p));
        cur = y;
        break;
      }
      case "leakyRelu": case "elu": {
        const y = next();
        nodes.push(node(l.kind === "elu" ? "Elu" : "LeakyRelu", [cur], [y], p, [attrFloat("alpha", l.alpha)]));
        cur = y;
        break;
      }
      case "softmax": case "logSoftmax": {
        const y = next();
        nodes.push(node(l.kind === "softmax" ? "Softmax" : "LogSoftmax", [cur], [y], p, [attrInt("axis", l.axis)]));
        cur = y;
        break;
      }
      case "gelu": {
        // Opset 13 has no Gelu: x · 0.5 · (1 + erf(x / √2)), the exact form our GELU computes.
        inits.push(msg(5, [tensorProto(`${p}.sqrt2`, FLOAT, [], Float32Array.of(Math.SQRT2))]),
          msg(5, [tensorProto(`${p}.one`, FLOAT, [], Float32Array.of(1))]),
          msg(5, [tensorProto(`${p}.half`, FLOAT, [], Float32Array.of(0.5))]));
        const a = next(), b = next(), c = next(), d = next(), y = next();
        nodes.push(node("Div", [cur, `${p}.sqrt2`], [a], `${p}.div`), node("Erf", [a], [b], `${p}.erf`),
          node("Add", [b, `${p}.one`], [c], `${p}.add`), node("Mul", [cur, c], [d], `${p}.mul`),
          node("Mul", [d, `${p}.half`], [y], `${p}.half_mul`));
        cur = y;
        break;
      }
    }
  });
  // The graph output must be a node output with the requested name: rename via Identity.
  const outName = o.outputName ?? "output";
  nodes.push(node("Identity", [cur], [outName], "output"));
  const graph = msg(7, [...nodes, str(2, "edgegrad"), ...inits,
    valueInfo(11, o.inputName ?? "input", FLOAT, [batch, inFeatures]), valueInfo(12, outName, FLOAT, [batch, features])]);
  return concat([int(1, 7), str(2, o.producer ?? "edgegrad"), msg(8, [str(1, ""), int(2, 13)]), graph]);
}
