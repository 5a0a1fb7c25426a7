// The sequence-model modules in the ONNX exporter's terms: LayerNorm, Embedding (a Gather of the
// graph's integer token-id input), the tanh GELU, and TransformerEncoderLayer / TransformerEncoder
// (batchFirst, no masks), whose encoders are in onnx-attention-export.ts. Parameters keep their
// state-dict layout ([out, in] weights, in_proj_weight's [3·dModel, dModel]), so each initializer
// is named by its state-dict key. The classes are looked up in the layer registry: exporting an
// MLP bundles none of them.
import { ValueError } from "../errors.js";
import { isRegisteredLayer as is } from "../nn/layer-registry.js";
import type { Module } from "../nn/module.js";
import type { LayerNorm } from "../nn/norm-layers.js";
import type { TransformerEncoderLayer } from "../nn/transformer.js";
import { typeName } from "../type-name.js";

/** LayerNorm over the trailing dims normalizedShape; no scale (bias) when it has no weight (bias). */
export interface OnnxLayerNorm {
  kind: "layerNormalization"; normalizedShape: number[]; scale: Float32Array | null; bias: Float32Array | null; epsilon: number;
}

/** One post-norm (or pre-norm: normFirst) encoder layer on [batch, seq, dModel]. */
export interface OnnxEncoderLayer {
  kind: "transformerEncoderLayer"; dModel: number; nhead: number; dimFeedforward: number; normFirst: boolean; activation: "relu" | "gelu";
  /** [3·dModel, dModel] (query, key, value rows) and [3·dModel] or null. */
  inProjWeight: Float32Array; inProjBias: Float32Array | null;
  /** [dModel, dModel] and [dModel] or null. */
  outProjWeight: Float32Array; outProjBias: Float32Array | null;
  /** [dimFeedforward, dModel] and [dimFeedforward] or null. */
  linear1Weight: Float32Array; linear1Bias: Float32Array | null;
  /** [dModel, dimFeedforward] and [dModel] or null. */
  linear2Weight: Float32Array; linear2Bias: Float32Array | null;
  norm1: OnnxLayerNorm; norm2: OnnxLayerNorm;
}

export type OnnxSequenceLayer =
  | OnnxLayerNorm
  /** A Gather of rows of weight [numEmbeddings, embeddingDim]; only as the first layer (the graph's input holds token ids). */
  | { kind: "embedding"; numEmbeddings: number; embeddingDim: number; weight: Float32Array }
  /** GELU, tanh approximation. */
  | { kind: "geluTanh" }
  | OnnxEncoderLayer
  | { kind: "transformerEncoder"; layers: OnnxEncoderLayer[]; norm: OnnxLayerNorm | null };

export const ONNX_SEQUENCE_KINDS: readonly OnnxSequenceLayer["kind"][] =
  ["layerNormalization", "embedding", "geluTanh", "transformerEncoderLayer", "transformerEncoder"];
export const isSequenceKind = (kind: string): kind is OnnxSequenceLayer["kind"] => (ONNX_SEQUENCE_KINDS as readonly string[]).includes(kind);

export const SEQUENCE_SUPPORTED = "LayerNorm, Embedding (first layer, no maxNorm), TransformerEncoderLayer and TransformerEncoder (batchFirst, activation \"relu\" or \"gelu\", final LayerNorm or none)";

const f32 = (d: ArrayLike<number>): Float32Array => Float32Array.from(d);
const f32OrNull = (t: { data: ArrayLike<number> } | null): Float32Array | null => (t ? f32(t.data) : null);

function describeLayerNorm(m: LayerNorm): OnnxLayerNorm {
  return { kind: "layerNormalization", normalizedShape: m.normalizedShape.slice(), scale: f32OrNull(m.weight), bias: f32OrNull(m.bias), epsilon: m.eps };
}

function describeEncoderLayer(m: TransformerEncoderLayer, where: string): OnnxEncoderLayer {
  const a = m.selfAttn;
  // A Sequential runs [seq, batch, dModel] layers on its input's first dim as the sequence: the graph's first dim is its batch.
  if (!a.batchFirst) throw new ValueError(`exportOnnx: ${where} has batchFirst false; only batchFirst: true exports (the graph's first dim is the batch)`);
  if (typeof m.activation !== "string") throw new ValueError(`exportOnnx: ${where} has a function activation; only "relu" and "gelu" export`);
  if (!a.inProjWeight) throw new ValueError(`exportOnnx: ${where}: self-attention with separate kdim/vdim projections is not supported`);
  return {
    kind: "transformerEncoderLayer", dModel: m.dModel, nhead: m.nhead, dimFeedforward: m.linear1.outFeatures, normFirst: m.normFirst, activation: m.activation,
    inProjWeight: f32(a.inProjWeight.data), inProjBias: f32OrNull(a.inProjBias),
    outProjWeight: f32(a.outProj.weight.data), outProjBias: f32OrNull(a.outProj.bias),
    linear1Weight: f32(m.linear1.weight.data), linear1Bias: f32OrNull(m.linear1.bias),
    linear2Weight: f32(m.linear2.weight.data), linear2Bias: f32OrNull(m.linear2.bias),
    norm1: describeLayerNorm(m.norm1), norm2: describeLayerNorm(m.norm2),
  };
}

/** One of these modules in the exporter's terms, or null when m is none of them. */
export function describeSequenceModule(m: Module, index: number): OnnxSequenceLayer | null {
  if (is(m, "LayerNorm")) return describeLayerNorm(m);
  if (is(m, "Embedding")) {
    // maxNorm renormalizes the rows it looks up (and writes them back): not a plain Gather.
    if (m.maxNorm !== null) throw new ValueError(`exportOnnx: Embedding at index ${index} has maxNorm ${m.maxNorm}; only an Embedding without maxNorm exports (a Gather)`);
    return { kind: "embedding", numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim, weight: f32(m.weight.data) };
  }
  if (is(m, "TransformerEncoderLayer")) return describeEncoderLayer(m, `TransformerEncoderLayer at index ${index}`);
  if (is(m, "TransformerEncoder")) {
    const layers = m.layers.children().map((l, k) => describeEncoderLayer(l as TransformerEncoderLayer, `TransformerEncoder at index ${index}, layer ${k}`));
    if (m.norm !== null && !is(m.norm, "LayerNorm")) throw new ValueError(`exportOnnx: TransformerEncoder at index ${index} has a final norm ${typeName(m.norm)}; only a LayerNorm (or none) exports`);
    return { kind: "transformerEncoder", layers, norm: m.norm ? describeLayerNorm(m.norm) : null };
  }
  return null;
}
