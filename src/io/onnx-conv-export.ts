// Encoders of the convolutional layers (onnx-conv-layers.ts) as ONNX nodes, each checking the
// per-sample shape it receives and setting the one it produces, so the graph's output shape is
// known. The int8 convolution is QuantizeLinear → ConvInteger → Add (int32 bias) → Cast → Mul
// (combined scale), the int8 Linear's recipe with ConvInteger for MatMulInteger: exactly the
// arithmetic of edgegrad's int8 convolution, so the integer path gives the same bits.
import { ValueError } from "../errors.js";
import { pooledSize } from "../nn/pool-geometry.js";
import type { ConvAttributes, OnnxConvLayer } from "./onnx-conv-layers.js";
import { ONNX_CONV_KINDS } from "./onnx-conv-layers.js";
import {
  attrFloat, attrInt, attrInts, emitUnary, FLOAT, initializer, INT32, INT8, node, UINT8, type Graph,
} from "./onnx-proto.js";

export const isConvKind = (kind: string): kind is OnnxConvLayer["kind"] => (ONNX_CONV_KINDS as readonly string[]).includes(kind);

const spatialOf = (l: { kernelShape: number[] }) => l.kernelShape.length;

/** The input must be [C, ...spatial] with the layer's number of spatial dims (and C channels when given). */
function checkInput(g: Graph, i: number, what: string, spatial: number, channels?: number): void {
  if (g.shape.length !== spatial + 1 || (channels !== undefined && g.shape[0] !== channels)) {
    const want = `[${channels ?? "C"}${", ·".repeat(spatial)}]`;
    throw new ValueError(`exportOnnx: layer ${i} (${what}) needs a per-sample input ${want}, gets [${g.shape}]; give options.inputShape for an image model`);
  }
}

const convAttrs = (a: ConvAttributes) => [attrInts("kernel_shape", a.kernelShape), attrInts("strides", a.strides),
  attrInts("pads", a.pads), attrInts("dilations", a.dilations), attrInt("group", a.group)];

/** Output size along each spatial dim of a convolution (floor), refusing an empty output. */
function convOut(g: Graph, a: ConvAttributes, i: number): number[] {
  const sp = a.kernelShape.length;
  const out = a.kernelShape.map((k, d) => Math.floor((g.shape[d + 1] + a.pads[d] + a.pads[d + sp] - a.dilations[d] * (k - 1) - 1) / a.strides[d]) + 1);
  if (out.some((o) => o < 1)) throw new ValueError(`exportOnnx: layer ${i}: input [${g.shape}] is smaller than the kernel [${a.kernelShape}]`);
  return out;
}

function emitConv(g: Graph, l: Extract<OnnxConvLayer, { kind: "conv" | "convTranspose" }>, i: number): void {
  const a = l.attrs, p = `layer${i}`;
  const transposed = l.kind === "convTranspose";
  checkInput(g, i, transposed ? "ConvTranspose" : "Conv", spatialOf(a), transposed ? l.weightShape[0] : l.weightShape[1] * a.group);
  g.inits.push(initializer(`${i}.weight`, FLOAT, l.weightShape, l.weight));
  const inputs = [g.cur, `${i}.weight`];
  if (l.bias) {
    g.inits.push(initializer(`${i}.bias`, FLOAT, [l.bias.length], l.bias));
    inputs.push(`${i}.bias`);
  }
  const y = g.next();
  if (l.kind === "conv") {
    g.nodes.push(node("Conv", inputs, [y], p, convAttrs(a)));
    g.shape = [l.weightShape[0], ...convOut(g, a, i)];
  } else {
    const sp = a.kernelShape.length, pads = a.pads.slice(), extra = l.outputPadding.slice();
    // PyTorch allows outputPadding up to the dilation; onnxruntime refuses output_padding ≥ stride
    // (the convolution of the output must give the input's size back). Those extra rows are the
    // uncropped end of the full transposed convolution: the same as that many fewer end pads. Rows
    // past the full convolution (hold the bias alone: fewer end pads than outputPadding) cannot move.
    extra.forEach((e, d) => {
      if (e < a.strides[d]) return;
      const moved = Math.min(e, pads[d + sp]);
      pads[d + sp] -= moved;
      extra[d] -= moved;
      if (extra[d] >= a.strides[d]) throw new ValueError(`exportOnnx: layer ${i} (ConvTranspose): outputPadding ${e} on axis ${d} is not smaller than the stride ${a.strides[d]} and exceeds the padding ${a.pads[d + sp]} by ${extra[d]}; onnxruntime refuses output_padding ≥ stride`);
    });
    const out = a.kernelShape.map((k, d) => (g.shape[d + 1] - 1) * a.strides[d] - a.pads[d] - a.pads[d + sp] + a.dilations[d] * (k - 1) + l.outputPadding[d] + 1);
    if (out.some((o) => o < 1)) throw new ValueError(`exportOnnx: layer ${i} (ConvTranspose): input [${g.shape}] gives an output of size [${out}]; the padding [${a.pads}] crops it away`);
    g.nodes.push(node("ConvTranspose", inputs, [y], p, [...convAttrs({ ...a, pads }), attrInts("output_padding", extra)]));
    g.shape = [l.weightShape[1] * a.group, ...out];
  }
  g.cur = y;
}

function emitConvInt8(g: Graph, l: Extract<OnnxConvLayer, { kind: "convInt8" }>, i: number): void {
  const a = l.attrs, p = `layer${i}`, cout = l.weightShape[0];
  checkInput(g, i, "int8 Conv", spatialOf(a), l.weightShape[1] * a.group);
  // Per-channel values broadcast over the output's spatial dims: [Cout, 1, ...].
  const perChannel = [cout, ...a.kernelShape.map(() => 1)];
  const combined = new Float32Array(cout);
  for (let j = 0; j < cout; j++) combined[j] = Math.fround(l.inputScale * l.weightScale[j]);
  g.inits.push(
    initializer(`${p}.x_scale`, FLOAT, [], Float32Array.of(l.inputScale)),
    initializer(`${p}.x_zero_point`, UINT8, [], Uint8Array.of(l.inputZeroPoint)),
    initializer(`${p}.w`, INT8, l.weightShape, l.weight),
    initializer(`${p}.w_zero_point`, INT8, [], Int8Array.of(0)),
    initializer(`${p}.scale`, FLOAT, perChannel, combined),
  );
  const xq = g.next(), acc = g.next();
  g.nodes.push(node("QuantizeLinear", [g.cur, `${p}.x_scale`, `${p}.x_zero_point`], [xq], `${p}.quantize`));
  g.nodes.push(node("ConvInteger", [xq, `${p}.w`, `${p}.x_zero_point`, `${p}.w_zero_point`], [acc], `${p}.conv`, convAttrs(a)));
  let sum = acc;
  if (l.bias) {
    g.inits.push(initializer(`${p}.bias`, INT32, perChannel, l.bias));
    sum = g.next();
    g.nodes.push(node("Add", [acc, `${p}.bias`], [sum], `${p}.bias_add`));
  }
  const f = g.next(), y = g.next();
  g.nodes.push(node("Cast", [sum], [f], `${p}.cast`, [attrInt("to", FLOAT)]));
  g.nodes.push(node("Mul", [f, `${p}.scale`], [y], `${p}.rescale`));
  g.shape = [cout, ...convOut(g, a, i)];
  g.cur = y;
}

/**
 * The pads and ceil_mode that make ONNX pooling produce PyTorch's windows. ONNX's ceil_mode
 * counts ⌈(L + 2p − ext)/s⌉ + 1 windows; PyTorch then drops a last window that would start in the
 * right padding, and runtimes refuse a model whose declared shape disagrees. Where the counts
 * differ on some axis, floor mode with end pads e = (P − 1)·s + ext − L − p (≥ 0) gives exactly
 * PyTorch's P windows at the same starts. In that dropping case e < p, so every window lies in
 * the symmetric padded input and count_include_pad divides by the whole kernel in both. Only an
 * axis that keeps a window overhanging L + p (a real ceil-mode window) can have e > p: there
 * PyTorch divides by the part inside L + p, floor mode by the whole kernel, so that average
 * (mixed with a dropping axis, which rules out ceil_mode) is refused.
 */
function poolPads(g: Graph, l: Extract<OnnxConvLayer, { kind: "maxPool" | "averagePool" }>, i: number, dilations: number[]):
    { pads: number[]; ceilMode: boolean } {
  const sp = spatialOf(l);
  if (!l.ceilMode) return { pads: l.pads, ceilMode: false };
  const what = l.kind === "maxPool" ? "MaxPool" : "AveragePool";
  const ends: number[] = [];
  let differs = false;
  l.kernelShape.forEach((k, d) => {
    const L = g.shape[d + 1], s = l.strides[d], p = l.pads[d], ext = dilations[d] * (k - 1) + 1;
    const ours = pooledSize(L, { kernel: k, stride: s, padding: p, dilation: dilations[d] }, true);
    if (Math.ceil((L + 2 * p - ext) / s) + 1 !== ours) differs = true;
    ends.push(Math.max(0, (ours - 1) * s + ext - L - p));
  });
  if (!differs) return { pads: l.pads, ceilMode: true };
  ends.forEach((e, d) => {
    const k = l.kernelShape[d], p = l.pads[d];
    if (l.kind === "averagePool" && l.countIncludePad && e > p) {
      throw new ValueError(`exportOnnx: layer ${i} (${what}, ceilMode, countIncludePad) on input [${g.shape}]: one axis drops a window starting in the padding (ONNX's ceil_mode keeps it) while axis ${d} divides a window overhanging the padding by its clipped size (floor mode with end pads divides by the kernel); ONNX cannot express both`);
    }
    // Runtimes refuse a pad as large as the kernel (onnxruntime's PoolAttributes).
    if (e >= k) throw new ValueError(`exportOnnx: layer ${i} (${what}, ceilMode) on input [${g.shape}] needs an end pad ${e} on axis ${d}, not smaller than the kernel ${k}; ONNX runtimes refuse it`);
  });
  return { pads: [...l.pads.slice(0, sp), ...ends], ceilMode: false };
}

/**
 * A dilated max window can miss the input entirely (every tap in the padding): PyTorch gives −∞
 * there, onnxruntime the lowest float32 (−3.4e38), so such a geometry is refused, not exported.
 */
function refuseEmptyWindows(g: Graph, l: Extract<OnnxConvLayer, { kind: "maxPool" }>, i: number, out: number[]): void {
  l.kernelShape.forEach((k, d) => {
    const L = g.shape[d + 1], s = l.strides[d], p = l.pads[d], dil = l.dilations[d];
    for (let o = 0; o < out[d]; o++) {
      const start = o * s - p;
      let j = 0;
      while (j < k && (start + j * dil < 0 || start + j * dil >= L)) j++;
      if (j === k) throw new ValueError(`exportOnnx: layer ${i} (MaxPool): window ${o} on axis ${d} of input [${g.shape}] lies entirely in the padding (kernel ${k}, dilation ${dil}, pad ${p}); PyTorch gives −∞ there, onnxruntime −3.4e38`);
    }
  });
}

function emitPool(g: Graph, l: Extract<OnnxConvLayer, { kind: "maxPool" | "averagePool" }>, i: number): void {
  const sp = spatialOf(l), max = l.kind === "maxPool";
  checkInput(g, i, max ? "MaxPool" : "AveragePool", sp);
  const dilations = max ? l.dilations : l.kernelShape.map(() => 1);
  const out = l.kernelShape.map((k, d) => pooledSize(g.shape[d + 1], { kernel: k, stride: l.strides[d], padding: l.pads[d], dilation: dilations[d] }, l.ceilMode));
  // As PyTorch ("Output size is too small"): an empty output is refused, not exported.
  if (out.some((o) => o < 1)) throw new ValueError(`exportOnnx: layer ${i} (${max ? "MaxPool" : "AveragePool"}): input [${g.shape}] is smaller than the kernel [${l.kernelShape}] (dilation [${dilations}], pads [${l.pads}]): the output would be empty`);
  if (max) refuseEmptyWindows(g, l, i, out);
  const { pads, ceilMode } = poolPads(g, l, i, dilations);
  const attrs = [attrInts("kernel_shape", l.kernelShape), attrInts("strides", l.strides), attrInts("pads", pads), attrInt("ceil_mode", ceilMode ? 1 : 0)];
  if (max) attrs.push(attrInts("dilations", l.dilations));
  else attrs.push(attrInt("count_include_pad", l.countIncludePad ? 1 : 0));
  emitUnary(g, max ? "MaxPool" : "AveragePool", `layer${i}`, attrs);
  g.shape = [g.shape[0], ...out];
}

/**
 * AdaptiveAvgPool2d/3d, AdaptiveMaxPool3d: the global pool for size 1, else AveragePool/MaxPool
 * with kernel = stride = input/output when the size divides the input (PyTorch's windows
 * ⌊o·L/n⌋ … ⌈(o + 1)·L/n⌉ are then exactly those), else refused.
 */
function emitAdaptive(g: Graph, l: Extract<OnnxConvLayer, { kind: "adaptiveAveragePool" | "adaptiveMaxPool" }>, i: number): void {
  const sp = l.outputSize.length, max = l.kind === "adaptiveMaxPool", what = `Adaptive${max ? "Max" : "Avg"}Pool${sp}d`;
  checkInput(g, i, what, sp);
  const out = l.outputSize.map((s, d) => s ?? g.shape[d + 1]);
  if (out.every((s) => s === 1)) {
    emitUnary(g, max ? "GlobalMaxPool" : "GlobalAveragePool", `layer${i}`);
  } else {
    const inSize = g.shape.slice(1);
    if (!inSize.every((s, d) => s % out[d] === 0)) {
      throw new ValueError(`exportOnnx: ${what}(${JSON.stringify(l.outputSize)}) at layer ${i} on input [${g.shape}]: the output size must divide the input's (or be 1) to export as ${max ? "MaxPool" : "AveragePool"}`);
    }
    const kernel = inSize.map((s, d) => s / out[d]);
    emitUnary(g, max ? "MaxPool" : "AveragePool", `layer${i}`, [attrInts("kernel_shape", kernel), attrInts("strides", kernel)]);
  }
  g.shape = [g.shape[0], ...out];
}

function emitBatchNorm(g: Graph, l: Extract<OnnxConvLayer, { kind: "batchNormalization" }>, i: number): void {
  const p = `layer${i}`, c = l.scale.length;
  if (g.shape.length < 1 || g.shape[0] !== c) throw new ValueError(`exportOnnx: layer ${i} (BatchNormalization) expects ${c} channels, gets per-sample [${g.shape}]`);
  // ONNX normalizes any rank; the module (as PyTorch's) refuses a BatchNorm2d on [N, C, L] and a BatchNorm1d on images.
  if (l.inputRanks && !l.inputRanks.includes(g.shape.length + 1)) {
    throw new ValueError(`exportOnnx: layer ${i} (BatchNormalization) takes a ${l.inputRanks.join("-d or ")}-d input, gets [batch, ${g.shape}]`);
  }
  g.inits.push(initializer(`${i}.weight`, FLOAT, [c], l.scale), initializer(`${i}.bias`, FLOAT, [c], l.bias),
    initializer(`${i}.running_mean`, FLOAT, [c], l.mean), initializer(`${i}.running_var`, FLOAT, [c], l.variance));
  const y = g.next();
  g.nodes.push(node("BatchNormalization", [g.cur, `${i}.weight`, `${i}.bias`, `${i}.running_mean`, `${i}.running_var`], [y], p, [attrFloat("epsilon", l.epsilon)]));
  g.cur = y;
}

export function emitConvLayer(g: Graph, l: OnnxConvLayer, i: number): void {
  switch (l.kind) {
    case "conv": case "convTranspose": return emitConv(g, l, i);
    case "convInt8": return emitConvInt8(g, l, i);
    case "maxPool": case "averagePool": return emitPool(g, l, i);
    case "adaptiveAveragePool": case "adaptiveMaxPool": return emitAdaptive(g, l, i);
    case "batchNormalization": return emitBatchNorm(g, l, i);
    default: {
      const unknown: never = l;
      throw new ValueError(`exportOnnx: layer ${i} has unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}
