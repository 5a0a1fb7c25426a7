// Encoders of the sequence layers (onnx-sequence-layers.ts) as opset-13 ONNX nodes. Opset 13 has
// no LayerNormalization (opset 17) nor Gelu (opset 20): LayerNorm is written out two-pass,
// ReduceMean → Sub → Mul → ReduceMean → Add ε → Sqrt → Div → Mul γ → Add β, as edgegrad computes
// it (the one-pass variance some runtimes' fused op uses cancels when the mean is large), and GELU
// from Erf or, for the tanh form, as x·σ(2u), the same function as ½x(1 + tanh u) without its
// cancellation where tanh u ≈ −1. Self-attention on [N, S, E] is one MatMul by in_proj_weightᵀ,
// Reshape [N, S, 3, H, Dh] → Transpose [3, N, H, S, Dh] → Gather q, k, v, then
// Softmax(q·kᵀ·(1/√Dh))·v, Transpose and Reshape back to [N, S, E], and out_proj. Weights are
// stored as the state dict holds them ([out, in]) under its keys and transposed by a Transpose
// node, which runtimes fold into a constant when they load the model.
import { ValueError } from "../errors.js";
import { attrInt, attrInts, emitUnary, FLOAT, initializer, INT64, node, type Graph } from "./onnx-proto.js";
import type { Chunk } from "./protobuf.js";
import type { OnnxEncoderLayer, OnnxLayerNorm, OnnxSequenceLayer } from "./onnx-sequence-layers.js";

const scalar = (g: Graph, name: string, v: number): string => {
  g.inits.push(initializer(name, FLOAT, [], Float32Array.of(v)));
  return name;
};
const int64s = (v: readonly number[]) => BigInt64Array.from(v.map((d) => BigInt(d)));

/** A node of the given op on `inputs`, its output a fresh tensor name (returned). */
function op(g: Graph, type: string, inputs: string[], name: string, attrs: Chunk[] = []): string {
  const y = g.next();
  g.nodes.push(node(type, inputs, [y], name, attrs));
  return y;
}

/** x·Wᵀ + b along the last dim; W [out, in] and b stored under their state-dict keys `<key>.weight`, `<key>.bias` (or the names given). */
function dense(g: Graph, x: string, p: string, w: { name: string; data: Float32Array; shape: [number, number] }, b: { name: string; data: Float32Array } | null): string {
  g.inits.push(initializer(w.name, FLOAT, w.shape, w.data));
  const wt = op(g, "Transpose", [w.name], `${p}.transpose`, [attrInts("perm", [1, 0])]);
  const y = op(g, "MatMul", [x, wt], `${p}.matmul`);
  if (!b) return y;
  g.inits.push(initializer(b.name, FLOAT, [b.data.length], b.data));
  return op(g, "Add", [y, b.name], `${p}.bias_add`);
}

/** A Linear (weight [out, in]) on a per-sample input of more than one dim: MatMul and Add along its last dim. */
export function emitDenseLinear(g: Graph, l: { inFeatures: number; outFeatures: number; weight: Float32Array; bias: Float32Array | null }, i: number): void {
  g.cur = dense(g, g.cur, `layer${i}`, { name: `${i}.weight`, data: l.weight, shape: [l.outFeatures, l.inFeatures] }, l.bias && { name: `${i}.bias`, data: l.bias });
  g.shape = [...g.shape.slice(0, -1), l.outFeatures];
}

export function emitGeluErf(g: Graph, p: string): void {
  // x · 0.5 · (1 + erf(x / √2)), the exact form edgegrad's GELU computes.
  const a = op(g, "Div", [g.cur, scalar(g, `${p}.sqrt2`, Math.SQRT2)], `${p}.div`), b = op(g, "Erf", [a], `${p}.erf`);
  const c = op(g, "Add", [b, scalar(g, `${p}.one`, 1)], `${p}.add`), d = op(g, "Mul", [g.cur, c], `${p}.mul`);
  g.cur = op(g, "Mul", [d, scalar(g, `${p}.half`, 0.5)], `${p}.half_mul`);
}

/** GELU, tanh form: x·σ(2u), 2u = x·(2√(2/π) + 2√(2/π)·0.044715·x²). */
function emitGeluTanh(g: Graph, p: string): void {
  const c = 2 * Math.sqrt(2 / Math.PI);
  const x2 = op(g, "Mul", [g.cur, g.cur], `${p}.square`), k = op(g, "Mul", [x2, scalar(g, `${p}.cubic`, c * 0.044715)], `${p}.cubic_mul`);
  const s = op(g, "Add", [k, scalar(g, `${p}.linear`, c)], `${p}.add`), u = op(g, "Mul", [g.cur, s], `${p}.mul`);
  g.cur = op(g, "Mul", [g.cur, op(g, "Sigmoid", [u], `${p}.sigmoid`)], `${p}.gate`);
}

/** LayerNorm of tensor x over its trailing dims, two-pass; `key` is the state-dict prefix of weight and bias. */
function layerNorm(g: Graph, x: string, l: OnnxLayerNorm, key: string, p: string): string {
  const axes = [attrInts("axes", l.normalizedShape.map((_, d) => d - l.normalizedShape.length)), attrInt("keepdims", 1)];
  const mean = op(g, "ReduceMean", [x], `${p}.mean`, axes), d = op(g, "Sub", [x, mean], `${p}.center`);
  const v = op(g, "ReduceMean", [op(g, "Mul", [d, d], `${p}.square`)], `${p}.variance`, axes);
  const sd = op(g, "Sqrt", [op(g, "Add", [v, scalar(g, `${p}.eps`, l.epsilon)], `${p}.add_eps`)], `${p}.sqrt`);
  let y = op(g, "Div", [d, sd], `${p}.normalize`);
  if (l.scale) {
    g.inits.push(initializer(`${key}.weight`, FLOAT, l.normalizedShape, l.scale));
    y = op(g, "Mul", [y, `${key}.weight`], `${p}.scale`);
  }
  if (l.bias) {
    g.inits.push(initializer(`${key}.bias`, FLOAT, l.normalizedShape, l.bias));
    y = op(g, "Add", [y, `${key}.bias`], `${p}.shift`);
  }
  return y;
}

function checkLayerNorm(g: Graph, l: OnnxLayerNorm, where: string): void {
  const tail = g.shape.slice(g.shape.length - l.normalizedShape.length);
  if (g.shape.length < l.normalizedShape.length || tail.some((d, k) => d !== l.normalizedShape[k])) {
    throw new ValueError(`exportOnnx: ${where} (LayerNorm [${l.normalizedShape}]) needs a per-sample input ending in [${l.normalizedShape}], gets [${g.shape}]`);
  }
}

/** Multi-head self-attention of x [N, S, E]: out_proj(softmax(q·kᵀ/√Dh)·v) with the heads merged back. */
function selfAttention(g: Graph, x: string, l: OnnxEncoderLayer, key: string, p: string): string {
  const E = l.dModel, H = l.nhead, Dh = E / H;
  const shape = (name: string, dims: number[]) => {
    g.inits.push(initializer(name, INT64, [dims.length], int64s(dims)));
    return name;
  };
  const qkv = dense(g, x, `${p}.in_proj`, { name: `${key}.self_attn.in_proj_weight`, data: l.inProjWeight, shape: [3 * E, E] },
    l.inProjBias && { name: `${key}.self_attn.in_proj_bias`, data: l.inProjBias });
  // 0 copies the batch and sequence dims: [N, S, 3, H, Dh] → [3, N, H, S, Dh].
  const heads = op(g, "Reshape", [qkv, shape(`${p}.qkv_shape`, [0, 0, 3, H, Dh])], `${p}.split_heads`);
  const t = op(g, "Transpose", [heads], `${p}.heads_first`, [attrInts("perm", [2, 0, 3, 1, 4])]);
  const [q, k, v] = [0, 1, 2].map((j) => {
    g.inits.push(initializer(`${p}.index${j}`, INT64, [], int64s([j])));
    return op(g, "Gather", [t, `${p}.index${j}`], `${p}.gather${j}`, [attrInt("axis", 0)]);
  });
  const kt = op(g, "Transpose", [k], `${p}.key_transpose`, [attrInts("perm", [0, 1, 3, 2])]);
  const scores = op(g, "Mul", [op(g, "MatMul", [q, kt], `${p}.scores`), scalar(g, `${p}.scale`, 1 / Math.sqrt(Dh))], `${p}.scale_mul`);
  const probs = op(g, "Softmax", [scores], `${p}.softmax`, [attrInt("axis", -1)]);
  const o = op(g, "Transpose", [op(g, "MatMul", [probs, v], `${p}.weighted`)], `${p}.heads_back`, [attrInts("perm", [0, 2, 1, 3])]);
  const merged = op(g, "Reshape", [o, shape(`${p}.merge_shape`, [0, 0, E])], `${p}.merge_heads`);
  return dense(g, merged, `${p}.out_proj`, { name: `${key}.self_attn.out_proj.weight`, data: l.outProjWeight, shape: [E, E] },
    l.outProjBias && { name: `${key}.self_attn.out_proj.bias`, data: l.outProjBias });
}

/** linear2(activation(linear1(x))). */
function feedForward(g: Graph, x: string, l: OnnxEncoderLayer, key: string, p: string): string {
  const E = l.dModel, F = l.dimFeedforward;
  g.cur = dense(g, x, `${p}.linear1`, { name: `${key}.linear1.weight`, data: l.linear1Weight, shape: [F, E] }, l.linear1Bias && { name: `${key}.linear1.bias`, data: l.linear1Bias });
  if (l.activation === "relu") emitUnary(g, "Relu", `${p}.relu`);
  else emitGeluErf(g, `${p}.gelu`);
  return dense(g, g.cur, `${p}.linear2`, { name: `${key}.linear2.weight`, data: l.linear2Weight, shape: [E, F] }, l.linear2Bias && { name: `${key}.linear2.bias`, data: l.linear2Bias });
}

function encoderLayer(g: Graph, l: OnnxEncoderLayer, key: string, p: string, where: string): void {
  if (g.shape.length !== 2 || g.shape[1] !== l.dModel) {
    throw new ValueError(`exportOnnx: ${where} (TransformerEncoderLayer, dModel ${l.dModel}) needs a per-sample input [seq, ${l.dModel}], gets [${g.shape}]`);
  }
  const x = g.cur, add = (a: string, b: string, name: string) => op(g, "Add", [a, b], `${p}.${name}`);
  if (l.normFirst) {
    const x1 = add(x, selfAttention(g, layerNorm(g, x, l.norm1, `${key}.norm1`, `${p}.norm1`), l, key, `${p}.self_attn`), "residual1");
    g.cur = add(x1, feedForward(g, layerNorm(g, x1, l.norm2, `${key}.norm2`, `${p}.norm2`), l, key, p), "residual2");
  } else {
    const x1 = layerNorm(g, add(x, selfAttention(g, x, l, key, `${p}.self_attn`), "residual1"), l.norm1, `${key}.norm1`, `${p}.norm1`);
    g.cur = layerNorm(g, add(x1, feedForward(g, x1, l, key, p), "residual2"), l.norm2, `${key}.norm2`, `${p}.norm2`);
  }
}

export function emitSequenceLayer(g: Graph, l: OnnxSequenceLayer, i: number): void {
  const p = `layer${i}`;
  switch (l.kind) {
    case "layerNormalization":
      checkLayerNorm(g, l, `layer ${i}`);
      g.cur = layerNorm(g, g.cur, l, `${i}`, p);
      return;
    case "geluTanh": return emitGeluTanh(g, p);
    case "embedding": {
      // The graph's input holds the token ids only when the Embedding comes first.
      if (i !== 0) throw new ValueError(`exportOnnx: layer ${i} (Embedding) must be the model's first layer: the graph's input holds the token ids`);
      g.inits.push(initializer(`${i}.weight`, FLOAT, [l.numEmbeddings, l.embeddingDim], l.weight));
      g.cur = op(g, "Gather", [`${i}.weight`, g.cur], p, [attrInt("axis", 0)]);
      g.shape = [...g.shape, l.embeddingDim];
      return;
    }
    case "transformerEncoderLayer": return encoderLayer(g, l, `${i}`, p, `layer ${i}`);
    case "transformerEncoder": {
      l.layers.forEach((layer, k) => encoderLayer(g, layer, `${i}.layers.${k}`, `${p}.layers.${k}`, `layer ${i}, encoder layer ${k}`));
      if (l.norm) {
        checkLayerNorm(g, l.norm, `layer ${i}, final norm`);
        g.cur = layerNorm(g, g.cur, l.norm, `${i}.norm`, `${p}.norm`);
      }
      return;
    }
    default: {
      const unknown: never = l;
      throw new ValueError(`exportOnnx: layer ${i} has unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}
