// Upsample (Resize), LPPool1d/2d (LpPool), AdaptiveAvgPool1d/AdaptiveMaxPool1d of size 1
// (GlobalAveragePool/GlobalMaxPool) and LocalResponseNorm (LRN) in the exporter's terms, and
// their encoders. Resize's coordinate modes are chosen to reproduce PyTorch's source index for
// each interpolation mode: nearest floor(dst/s) is "asymmetric" + "floor", nearest-exact
// floor((dst + ½)/s) is "half_pixel" + "round_prefer_ceil", (bi)linear and bicubic use
// "half_pixel" or "align_corners". The nearest modes get a float32 `scales` value checked to read
// PyTorch's elements (onnx-resize-nearest.ts); the weighted modes get a scaleFactor as `scales`
// (ONNX then divides by it, as PyTorch does without recomputeScaleFactor) and a size as `sizes`.
// The classes are recognized through the layer registry (Upsample) or by their names, not
// imported: exporting an MLP bundles none of them.
import { ValueError } from "../errors.js";
import type { Module } from "../nn/module.js";
import { isRegisteredLayer as is } from "../nn/layer-registry.js";
import type { Upsample } from "../nn/shape-layers.js";
import { typeName } from "../type-name.js";
import { nearestScale, torchNearestSources } from "./onnx-resize-nearest.js";
import { attrFloat, attrInt, attrInts, emitUnary, FLOAT, initializer, INT64, node, type Graph } from "./onnx-proto.js";
import { int, msg, str, type Chunk } from "./protobuf.js";

export type OnnxResampleLayer =
  | {
      kind: "resize"; mode: "nearest" | "nearestExact" | "linear" | "cubic"; alignCorners: boolean;
      /** The output's spatial sizes, or the factors (one per spatial dim, or one for all). */
      size: number[] | null; scales: number[] | null;
    }
  | { kind: "lpPool"; p: number; kernelShape: number[]; strides: number[] }
  | { kind: "globalPool1d"; op: "GlobalAveragePool" | "GlobalMaxPool" }
  | { kind: "lrn"; size: number; alpha: number; beta: number; bias: number };

export const ONNX_RESAMPLE_KINDS: readonly OnnxResampleLayer["kind"][] = ["resize", "lpPool", "globalPool1d", "lrn"];
export const isResampleKind = (kind: string): kind is OnnxResampleLayer["kind"] => (ONNX_RESAMPLE_KINDS as readonly string[]).includes(kind);

export const RESAMPLE_SUPPORTED = "Upsample/UpsamplingNearest2d/UpsamplingBilinear2d (not area, not recomputeScaleFactor), LPPool1d/2d (even integer normType, no ceilMode), AdaptiveAvgPool1d(1), AdaptiveMaxPool1d(1), LocalResponseNorm";

const list = (v: number | readonly number[] | null): number[] | null => (v === null ? null : typeof v === "number" ? [v] : [...v]);

function describeUpsample(m: Upsample, index: number): OnnxResampleLayer {
  const name = typeName(m);
  if (m.mode === "area") throw new ValueError(`exportOnnx: ${name} at index ${index} has mode "area"; ONNX's Resize has no adaptive-average mode`);
  if (m.recomputeScaleFactor === true) throw new ValueError(`exportOnnx: ${name} at index ${index} has recomputeScaleFactor true; export it with an explicit size`);
  const mode = m.mode === "nearest" ? "nearest" : m.mode === "nearest-exact" ? "nearestExact" : m.mode === "bicubic" ? "cubic" : "linear";
  return { kind: "resize", mode, alignCorners: m.alignCorners === true, size: list(m.size), scales: list(m.scaleFactor) };
}

/** One of these modules in the exporter's terms, or null when m is none of them. */
export function describeResampleModule(m: Module, index: number): OnnxResampleLayer | null {
  if (is(m, "Upsample")) return describeUpsample(m, index);
  const name = typeName(m);
  if (name === "LPPool1d" || name === "LPPool2d") {
    const l = m as Module & { normType: number; kernelSize: number[]; stride: number[]; ceilMode: boolean };
    // PyTorch sums x^p, ONNX's LpPool |x|^p: the same for even integer p only (ONNX's p is an integer).
    if (!Number.isInteger(l.normType) || l.normType % 2 !== 0) throw new ValueError(`exportOnnx: ${name} at index ${index} has normType ${l.normType}; ONNX's LpPool sums |x|^p where PyTorch sums x^p, so only an even integer normType exports`);
    if (l.ceilMode) throw new ValueError(`exportOnnx: ${name} at index ${index} has ceilMode true; opset 13's LpPool has no ceil_mode`);
    return { kind: "lpPool", p: l.normType, kernelShape: [...l.kernelSize], strides: [...l.stride] };
  }
  if (name === "AdaptiveAvgPool1d" || name === "AdaptiveMaxPool1d") {
    const l = m as Module & { outputSize: number | null; returnIndices?: boolean };
    if (l.returnIndices) throw new ValueError(`exportOnnx: ${name} at index ${index} returns indices; only the pooled tensor exports`);
    if (l.outputSize !== 1) throw new ValueError(`exportOnnx: ${name}(${l.outputSize}) at index ${index}: only an output size of 1 exports (as ${name === "AdaptiveAvgPool1d" ? "GlobalAveragePool" : "GlobalMaxPool"})`);
    return { kind: "globalPool1d", op: name === "AdaptiveAvgPool1d" ? "GlobalAveragePool" : "GlobalMaxPool" };
  }
  if (name === "LocalResponseNorm") {
    const l = m as Module & { size: number; alpha: number; beta: number; k: number };
    // PyTorch's window is c − ⌊n/2⌋ … c + ⌊(n−1)/2⌋, ONNX's c − ⌊(n−1)/2⌋ … c + ⌈(n−1)/2⌉: the same for odd n only.
    if (l.size % 2 === 0) throw new ValueError(`exportOnnx: LocalResponseNorm(${l.size}) at index ${index} has an even size; ONNX's LRN centres an even window one channel later than PyTorch, so only an odd size exports`);
    return { kind: "lrn", size: l.size, alpha: l.alpha, beta: l.beta, bias: l.k };
  }
  return null;
}

const attrString = (name: string, v: string): Chunk => msg(5, [str(1, name), int(20, 3), str(4, v)]);

/**
 * onnxruntime copies an input whose shape Resize leaves unchanged, whatever the scales; PyTorch
 * does too by size, but with a scaleFactor ≠ 1 it still resamples (by 1/scaleFactor). Such a
 * layer is refused unless its sources are the identity anyway (nearest mode's copy rule).
 */
function checkUnchangedSize(inSize: number[], out: number[], l: Extract<OnnxResampleLayer, { kind: "resize" }>, i: number): void {
  if (!out.every((o, k) => o === inSize[k]) || !l.scales) return;
  const factors = l.scales.length === 1 ? inSize.map(() => l.scales![0]) : l.scales;
  const shifts = factors.some((s, k) => s !== 1 && (l.mode !== "nearest" && l.mode !== "nearestExact"
    ? true : torchNearestSources(inSize[k], out[k], s, l.mode === "nearestExact").some((src, o) => src !== o)));
  if (shifts) throw new ValueError(`exportOnnx: layer ${i} (Resize, ${l.mode}): scaleFactor [${l.scales}] leaves the size [${inSize}] unchanged but still resamples; ONNX runtimes copy such an input`);
}

function emitResize(g: Graph, l: Extract<OnnxResampleLayer, { kind: "resize" }>, i: number): void {
  const p = `layer${i}`, spatial = g.shape.length - 1;
  // Bicubic is for images only; the other modes take [C, L] or [C, H, W] (the module checks which).
  const ok = l.mode === "cubic" ? [2] : [1, 2];
  if (!ok.includes(spatial)) throw new ValueError(`exportOnnx: layer ${i} (Resize, ${l.mode}) needs a per-sample input [C, L] or [C, H, W] its mode takes, gets [${g.shape}]`);
  const perDim = (v: number[], what: string): number[] => {
    if (v.length === 1) return new Array<number>(spatial).fill(v[0]);
    if (v.length !== spatial) throw new ValueError(`exportOnnx: layer ${i} (Resize): ${what} [${v}] does not match the ${spatial} spatial dims of [${g.shape}]`);
    return v;
  };
  const inSize = g.shape.slice(1);
  const out = l.size ? perDim(l.size, "size") : perDim(l.scales ?? [], "scaleFactor").map((s, k) => Math.floor(inSize[k] * s));
  if (out.some((d) => d < 1)) throw new ValueError(`exportOnnx: layer ${i} (Resize): input [${g.shape}] gives an empty output [${out}]`);
  const inputs = [g.cur, ""];
  checkUnchangedSize(inSize, out, l, i);
  if (l.mode === "nearest" || l.mode === "nearestExact") {
    // The copied element must be PyTorch's exactly: a scale chosen for it (onnx-resize-nearest.ts).
    const factors = l.scales ? perDim(l.scales, "scaleFactor") : null;
    const scales = out.map((o, k) => {
      const s = nearestScale(inSize[k], o, factors ? factors[k] : null, l.mode === "nearestExact");
      if (s === null) throw new ValueError(`exportOnnx: layer ${i} (Resize, ${l.mode}): no float32 scale makes ONNX read PyTorch's source elements for size ${inSize[k]} → ${o} on spatial axis ${k}`);
      return s;
    });
    g.inits.push(initializer(`${p}.scales`, FLOAT, [spatial + 2], Float32Array.from([1, 1, ...scales])));
    inputs.push(`${p}.scales`);
  } else if (l.size) {
    // Opset 13's sizes cover every dim: the batch's is taken from the input at run time.
    const head = g.next(), sizes = g.next(), i64 = (v: number[]) => BigInt64Array.from(v.map((d) => BigInt(d)));
    g.inits.push(initializer(`${p}.start`, INT64, [1], i64([0])), initializer(`${p}.end`, INT64, [1], i64([2])),
      initializer(`${p}.spatial`, INT64, [spatial], i64(out)));
    g.nodes.push(node("Shape", [g.cur], [`${p}.shape`], `${p}.shape`),
      node("Slice", [`${p}.shape`, `${p}.start`, `${p}.end`], [head], `${p}.head`),
      node("Concat", [head, `${p}.spatial`], [sizes], `${p}.sizes`, [attrInt("axis", 0)]));
    inputs.push("", sizes);
  } else {
    const s = perDim(l.scales ?? [], "scaleFactor");
    // ONNX sizes the output from the float32 factor: ⌊d · fl(s)⌋ can fall one short of PyTorch's ⌊d · s⌋.
    inSize.forEach((d, k) => {
      const theirs = Math.floor(d * Math.fround(s[k]));
      if (theirs !== out[k]) throw new ValueError(`exportOnnx: layer ${i} (Resize): scaleFactor ${s[k]} on a size of ${d} gives ${out[k]} here but ${theirs} with ONNX's float32 scales; export with an explicit size`);
    });
    g.inits.push(initializer(`${p}.scales`, FLOAT, [spatial + 2], Float32Array.from([1, 1, ...s])));
    inputs.push(`${p}.scales`);
  }
  const coordinates = l.mode === "nearest" ? "asymmetric" : l.alignCorners ? "align_corners" : "half_pixel";
  const attrs = [attrString("mode", l.mode === "nearestExact" ? "nearest" : l.mode), attrString("coordinate_transformation_mode", coordinates)];
  if (l.mode === "nearest") attrs.push(attrString("nearest_mode", "floor"));
  if (l.mode === "nearestExact") attrs.push(attrString("nearest_mode", "round_prefer_ceil"));
  if (l.mode === "cubic") attrs.push(attrFloat("cubic_coeff_a", -0.75), attrInt("exclude_outside", 0));
  const y = g.next();
  g.nodes.push(node("Resize", inputs, [y], p, attrs));
  g.cur = y;
  g.shape = [g.shape[0], ...out];
}

export function emitResampleLayer(g: Graph, l: OnnxResampleLayer, i: number): void {
  const p = `layer${i}`;
  switch (l.kind) {
    case "resize": return emitResize(g, l, i);
    case "lpPool": {
      const sp = l.kernelShape.length;
      if (g.shape.length !== sp + 1) throw new ValueError(`exportOnnx: layer ${i} (LpPool) needs a per-sample input of ${sp + 1} dims, gets [${g.shape}]; give options.inputShape`);
      const out = l.kernelShape.map((k, d) => Math.floor((g.shape[d + 1] - k) / l.strides[d]) + 1);
      if (out.some((o) => o < 1)) throw new ValueError(`exportOnnx: layer ${i} (LpPool): input [${g.shape}] is smaller than the kernel [${l.kernelShape}]`);
      emitUnary(g, "LpPool", p, [attrInt("p", l.p), attrInts("kernel_shape", l.kernelShape), attrInts("strides", l.strides)]);
      g.shape = [g.shape[0], ...out];
      return;
    }
    case "globalPool1d": {
      if (g.shape.length !== 2) throw new ValueError(`exportOnnx: layer ${i} (${l.op}) needs a per-sample input [C, L], gets [${g.shape}]; give options.inputShape`);
      emitUnary(g, l.op, p);
      g.shape = [g.shape[0], 1];
      return;
    }
    case "lrn": {
      // ONNX's LRN takes any rank ≥ 3; onnxruntime's kernel only [N, C, H, W].
      if (g.shape.length !== 3) throw new ValueError(`exportOnnx: layer ${i} (LRN) needs a per-sample input [C, H, W] (onnxruntime's LRN is 4-d only), gets [${g.shape}]`);
      emitUnary(g, "LRN", p, [attrInt("size", l.size), attrFloat("alpha", l.alpha), attrFloat("beta", l.beta), attrFloat("bias", l.bias)]);
      return;
    }
    default: {
      const unknown: never = l;
      throw new ValueError(`exportOnnx: layer ${i} has unknown kind ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}
