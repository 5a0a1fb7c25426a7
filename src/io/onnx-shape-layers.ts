// The padding, rearranging and instance-normalization modules in the ONNX exporter's terms, and
// their encoders: InstanceNormalization (an InstanceNorm with tracked statistics normalizes by
// them at inference: BatchNormalization), DepthToSpace in "CRD" mode for PixelShuffle (the same
// channel order: output (c, h·r + i, w·r + j) from channel c·r² + i·r + j), Reshape → Transpose
// → Reshape for PixelUnshuffle (ONNX's SpaceToDepth orders its channels (i·r + j)·C + c, not
// PyTorch's c·r² + i·r + j), Pad ("constant", "reflect", "edge"), Slice → Concat per padded dim
// for the circular pads (opset 13's Pad has no "wrap" mode) and Reshape for Unflatten. The
// classes are looked up in the layer registry: exporting an MLP bundles none of them.
import { ValueError } from "../errors.js";
import { isRegisteredLayer as is } from "../nn/layer-registry.js";
import type { Module } from "../nn/module.js";
import { typeName } from "../type-name.js";
import type { OnnxConvLayer } from "./onnx-conv-layers.js";
import { attrFloat, attrInt, attrInts, FLOAT, initializer, INT64, node, type Graph } from "./onnx-proto.js";
import { int, msg, str, type Chunk } from "./protobuf.js";

export type OnnxShapeLayer =
  | {
      kind: "instanceNormalization"; scale: Float32Array; bias: Float32Array; epsilon: number;
      /** The rank of the batched input the module takes (InstanceNorm1d: 3, InstanceNorm2d: 4, InstanceNorm3d: 5). */
      inputRank: number;
    }
  /** PixelShuffle: DepthToSpace, mode "CRD". */
  | { kind: "depthToSpace"; blocksize: number }
  /** PixelUnshuffle: Reshape, Transpose, Reshape. */
  | { kind: "pixelUnshuffle"; blocksize: number }
  | {
      kind: "pad"; mode: "constant" | "reflect" | "edge";
      /** PyTorch's order: (before, after) pairs from the last dim back. */
      padding: number[];
      value: number;
      /** The batched input ranks the module takes; any rank with the padded dims when absent. */
      inputRanks?: number[];
    }
  /** CircularPad1d/2d/3d: each padded dim wrapped (its last `before` elements, itself, its first `after`), amounts 0 to the size. */
  | { kind: "circularPad"; padding: number[] }
  /** Unflatten of per-sample dim `dim` (0 is the first dim after the batch) into `sizes` (−1 once at most). */
  | { kind: "unflatten"; dim: number; sizes: number[] };

export const ONNX_SHAPE_KINDS: readonly OnnxShapeLayer["kind"][] = ["instanceNormalization", "depthToSpace", "pixelUnshuffle", "pad", "circularPad", "unflatten"];
export const isShapeKind = (kind: string): kind is OnnxShapeLayer["kind"] => (ONNX_SHAPE_KINDS as readonly string[]).includes(kind);

export const SHAPE_SUPPORTED = "InstanceNorm1d/2d/3d, PixelShuffle, PixelUnshuffle, ZeroPad1d/2d/3d, ConstantPad1d/2d/3d, ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d (non-negative padding), CircularPad1d/2d/3d, Unflatten (not of the batch dim)";

const f32 = (d: ArrayLike<number>): Float32Array => Float32Array.from(d);

/** One of these modules in the exporter's terms, or null when m is none of them. */
export function describeShapeModule(m: Module, index: number): OnnxShapeLayer | OnnxConvLayer | null {
  if (is(m, "InstanceNorm1d") || is(m, "InstanceNorm2d") || is(m, "InstanceNorm3d")) {
    const c = m.numFeatures, inputRank = is(m, "InstanceNorm3d") ? 5 : is(m, "InstanceNorm2d") ? 4 : 3;
    const scale = m.weight ? f32(m.weight.data) : new Float32Array(c).fill(1), bias = m.bias ? f32(m.bias.data) : new Float32Array(c);
    // With tracked statistics, inference normalizes by the running ones: a batch norm of them.
    if (m.runningMean && m.runningVar) {
      return { kind: "batchNormalization", scale, bias, mean: f32(m.runningMean.data), variance: f32(m.runningVar.data), epsilon: m.eps, inputRanks: [inputRank] };
    }
    return { kind: "instanceNormalization", scale, bias, epsilon: m.eps, inputRank };
  }
  if (is(m, "PixelShuffle")) return { kind: "depthToSpace", blocksize: m.upscaleFactor };
  if (is(m, "PixelUnshuffle")) return { kind: "pixelUnshuffle", blocksize: m.downscaleFactor };
  if (is(m, "Unflatten")) {
    // The exported graph's first dim is the batch: only dims after it can be unflattened.
    if (m.dim === 0) throw new ValueError(`exportOnnx: Unflatten(${m.dim}, [${m.unflattenedSize}]) at index ${index} unflattens the batch dim; only later dims export`);
    return { kind: "unflatten", dim: m.dim > 0 ? m.dim - 1 : m.dim, sizes: [...m.unflattenedSize] };
  }
  if (is(m, "CircularPad1d") || is(m, "CircularPad2d") || is(m, "CircularPad3d")) return { kind: "circularPad", padding: [...m.padding] };
  const padModule = is(m, "ZeroPad1d") || is(m, "ZeroPad2d") || is(m, "ZeroPad3d") || is(m, "ConstantPad1d") || is(m, "ConstantPad2d")
    || is(m, "ConstantPad3d") || is(m, "ReflectionPad1d") || is(m, "ReflectionPad2d") || is(m, "ReflectionPad3d")
    || is(m, "ReplicationPad1d") || is(m, "ReplicationPad2d") || is(m, "ReplicationPad3d");
  if (padModule) {
    const p = m as Module & { padding: readonly number[]; mode: "constant" | "reflect" | "replicate"; value?: number };
    // onnxruntime's reflect and edge modes refuse negative pads; PyTorch crops with them.
    if (p.mode !== "constant" && p.padding.some((v) => v < 0)) {
      throw new ValueError(`exportOnnx: ${typeName(m)}([${p.padding}]) at index ${index} has a negative padding; only the constant modes export cropping`);
    }
    const dims = p.padding.length / 2;
    return {
      kind: "pad", mode: p.mode === "replicate" ? "edge" : p.mode, padding: [...p.padding], value: p.value ?? 0,
      ...(p.mode === "constant" ? {} : { inputRanks: [dims + 1, dims + 2] }),
    };
  }
  return null;
}

const attrString = (name: string, v: string): Chunk => msg(5, [str(1, name), int(20, 3), str(4, v)]);
const int64s = (v: readonly number[]) => BigInt64Array.from(v.map((d) => BigInt(d)));

function reshape(g: Graph, p: string, shape: number[]): void {
  // 0 copies the (symbolic) batch dim; every other size is explicit.
  g.inits.push(initializer(`${p}.shape`, INT64, [shape.length + 1], int64s([0, ...shape])));
  const y = g.next();
  g.nodes.push(node("Reshape", [g.cur, `${p}.shape`], [y], p));
  g.cur = y;
}

/** [C·r², H, W] per sample: the layer needs a 4-d input and divisible channels. */
function checkImage(g: Graph, i: number, what: string): void {
  if (g.shape.length !== 3) throw new ValueError(`exportOnnx: layer ${i} (${what}) needs a per-sample input [C, H, W], gets [${g.shape}]; give options.inputShape for an image model`);
}

/**
 * A pad's per-axis amounts over the batched tensor (ONNX's order: every begin, then every end;
 * the batch's 0) and the padded per-sample shape, after checking the input's rank and that
 * something is left.
 */
function padGeometry(g: Graph, padding: number[], inputRanks: number[] | undefined, i: number, what: string): { rank: number; begins: number[]; ends: number[]; shape: number[] } {
  const rank = g.shape.length + 1, dims = padding.length / 2;
  if (inputRanks ? !inputRanks.includes(rank) : rank < dims) {
    throw new ValueError(`exportOnnx: layer ${i} (${what}) takes a ${inputRanks ? inputRanks.join("-d or ") : `≥ ${dims}`}-d input, gets [batch, ${g.shape}]`);
  }
  const begins = new Array<number>(rank).fill(0), ends = new Array<number>(rank).fill(0);
  for (let k = 0; k < dims; k++) { begins[rank - 1 - k] = padding[2 * k]; ends[rank - 1 - k] = padding[2 * k + 1]; }
  if (begins[0] !== 0 || ends[0] !== 0) throw new ValueError(`exportOnnx: layer ${i} (${what}) pads the batch dim`);
  const shape = g.shape.map((d, k) => d + begins[k + 1] + ends[k + 1]);
  if (shape.some((d) => d < 1)) throw new ValueError(`exportOnnx: layer ${i} (${what}): padding [${padding}] leaves an empty output from [${g.shape}]`);
  return { rank, begins, ends, shape };
}

/** Pad with every begin, then every end, over all dims (the batch's 0); the fill value only in constant mode. */
function emitPad(g: Graph, l: Extract<OnnxShapeLayer, { kind: "pad" }>, i: number): void {
  const p = `layer${i}`;
  const { rank, begins, ends, shape } = padGeometry(g, l.padding, l.inputRanks, i, "Pad");
  if (l.mode === "reflect" && g.shape.some((d, k) => begins[k + 1] >= d || ends[k + 1] >= d)) {
    throw new ValueError(`exportOnnx: layer ${i} (Pad): reflect padding [${l.padding}] must be less than each padded size of [${g.shape}]`);
  }
  g.inits.push(initializer(`${p}.pads`, INT64, [2 * rank], int64s([...begins, ...ends])));
  const inputs = [g.cur, `${p}.pads`];
  if (l.mode === "constant") {
    g.inits.push(initializer(`${p}.value`, FLOAT, [], Float32Array.of(l.value)));
    inputs.push(`${p}.value`);
  }
  const y = g.next();
  g.nodes.push(node("Pad", inputs, [y], p, [attrString("mode", l.mode)]));
  g.cur = y;
  g.shape = shape;
}

/**
 * Circular padding without opset 19's "wrap": per padded axis, Concat(x[L − before:], x, x[:after])
 * (Slice's bounds are int64 inputs in opset 13). Each axis reads the previous one's result, so
 * the corners wrap along both axes, as in PyTorch.
 */
function emitCircularPad(g: Graph, l: Extract<OnnxShapeLayer, { kind: "circularPad" }>, i: number): void {
  const dims = l.padding.length / 2;
  const { rank, begins, ends, shape } = padGeometry(g, l.padding, [dims + 1, dims + 2], i, "CircularPad");
  if (g.shape.some((d, k) => begins[k + 1] > d || ends[k + 1] > d)) {
    throw new ValueError(`exportOnnx: layer ${i} (CircularPad): circular padding [${l.padding}] must be at most each padded size of [${g.shape}]`);
  }
  for (let axis = rank - dims; axis < rank; axis++) {
    const n = g.shape[axis - 1], before = begins[axis], after = ends[axis], q = `layer${i}.axis${axis}`;
    if (before === 0 && after === 0) continue;
    const slice = (name: string, start: number, end: number): string => {
      g.inits.push(initializer(`${q}.${name}.starts`, INT64, [1], int64s([start])), initializer(`${q}.${name}.ends`, INT64, [1], int64s([end])),
        initializer(`${q}.${name}.axes`, INT64, [1], int64s([axis])));
      const y = g.next();
      g.nodes.push(node("Slice", [g.cur, `${q}.${name}.starts`, `${q}.${name}.ends`, `${q}.${name}.axes`], [y], `${q}.${name}`));
      return y;
    };
    const parts = [...(before > 0 ? [slice("tail", n - before, n)] : []), g.cur, ...(after > 0 ? [slice("head", 0, after)] : [])];
    const y = g.next();
    g.nodes.push(node("Concat", parts, [y], `${q}.concat`, [attrInt("axis", axis)]));
    g.cur = y;
  }
  g.shape = shape;
}

export function emitShapeLayer(g: Graph, l: OnnxShapeLayer, i: number): void {
  const p = `layer${i}`;
  switch (l.kind) {
    case "instanceNormalization": {
      const c = l.scale.length;
      if (g.shape.length + 1 !== l.inputRank || g.shape[0] !== c) {
        throw new ValueError(`exportOnnx: layer ${i} (InstanceNormalization) needs a per-sample input of ${l.inputRank - 1} dims with ${c} channels, gets [${g.shape}]`);
      }
      if (g.shape.slice(1).reduce((a, d) => a * d, 1) === 1) throw new ValueError(`exportOnnx: layer ${i} (InstanceNormalization): one spatial element per instance (input [${g.shape}]) has no variance; the module refuses it`);
      g.inits.push(initializer(`${i}.weight`, FLOAT, [c], l.scale), initializer(`${i}.bias`, FLOAT, [c], l.bias));
      const y = g.next();
      g.nodes.push(node("InstanceNormalization", [g.cur, `${i}.weight`, `${i}.bias`], [y], p, [attrFloat("epsilon", l.epsilon)]));
      g.cur = y;
      return;
    }
    case "depthToSpace": {
      checkImage(g, i, "PixelShuffle");
      const r = l.blocksize, [C, H, W] = g.shape;
      if (C % (r * r) !== 0) throw new ValueError(`exportOnnx: layer ${i} (PixelShuffle): ${C} channels are not divisible by ${r}²`);
      const y = g.next();
      g.nodes.push(node("DepthToSpace", [g.cur], [y], p, [attrInt("blocksize", r), attrString("mode", "CRD")]));
      g.cur = y;
      g.shape = [C / (r * r), H * r, W * r];
      return;
    }
    case "pixelUnshuffle": {
      checkImage(g, i, "PixelUnshuffle");
      const r = l.blocksize, [C, Hr, Wr] = g.shape;
      if (Hr % r !== 0 || Wr % r !== 0) throw new ValueError(`exportOnnx: layer ${i} (PixelUnshuffle): height and width of [${g.shape}] are not divisible by ${r}`);
      const H = Hr / r, W = Wr / r;
      reshape(g, `${p}.split`, [C, H, r, W, r]);
      const y = g.next();
      g.nodes.push(node("Transpose", [g.cur], [y], `${p}.transpose`, [attrInts("perm", [0, 1, 3, 5, 2, 4])]));
      g.cur = y;
      reshape(g, `${p}.merge`, [C * r * r, H, W]);
      g.shape = [C * r * r, H, W];
      return;
    }
    case "pad": return emitPad(g, l, i);
    case "circularPad": return emitCircularPad(g, l, i);
    case "unflatten": {
      const n = g.shape.length, d = l.dim < 0 ? l.dim + n : l.dim;
      if (d < 0 || d >= n) throw new ValueError(`exportOnnx: layer ${i} (Unflatten): dim ${l.dim} is out of range for the per-sample input [${g.shape}]`);
      const size = g.shape[d], known = l.sizes.reduce((a, s) => (s === -1 ? a : a * s), 1), sizes = l.sizes.slice(), unknown = sizes.indexOf(-1);
      if (unknown >= 0 && known > 0 && size % known === 0) sizes[unknown] = size / known;
      if (sizes.reduce((a, s) => a * s, 1) !== size || sizes.some((s) => s < 1)) {
        throw new ValueError(`exportOnnx: layer ${i} (Unflatten): sizes [${l.sizes}] cannot unflatten dim ${l.dim} of size ${size} (per-sample input [${g.shape}])`);
      }
      const shape = [...g.shape.slice(0, d), ...sizes, ...g.shape.slice(d + 1)];
      reshape(g, p, shape);
      g.shape = shape;
      return;
    }
    default: {
      const unknown: never = l;
      throw new ValueError(`exportOnnx: layer ${i} has unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}
