// Validation of a layer list given to exportOnnx directly (the OnnxLayer[] form). Layers from
// describeSequential are right by construction; a hand-written list is not, and a wrong length
// or type would otherwise be encoded into a model the runtime refuses (or a plain TypeError deep
// in the encoder). Every field of every kind is checked, in an order where the fields a length
// depends on come first, and a field the kind does not have is refused rather than ignored.
import { ValueError } from "../errors.js";

type Layer = Record<string, unknown>;
/** Null when v is acceptable, else what it should have been. */
type Check = (v: unknown, l: Layer) => string | null;

const int = (min: number): Check => (v) => (Number.isSafeInteger(v) && (v as number) >= min ? null : `an integer ≥ ${min}`);
const finite: Check = (v) => (typeof v === "number" && Number.isFinite(v) ? null : "a finite number");
const positiveFinite: Check = (v) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? null : "a positive finite number");
const nonNegativeFinite: Check = (v) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? null : "a non-negative finite number");
const bool: Check = (v) => (typeof v === "boolean" ? null : "a boolean");
const uint8: Check = (v) => (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255 ? null : "an integer in [0, 255] (a uint8 zero point)");

type TypedCtor = Float32ArrayConstructor | Int8ArrayConstructor | Int32ArrayConstructor;
/** An array of the given class and length (the length computed from fields already checked). */
const typed = (ctor: TypedCtor, length: (l: Layer) => number, extra?: (a: ArrayLike<number>) => boolean, what = ""): Check => (v, l) =>
  (v instanceof ctor && v.length === length(l) && (!extra || extra(v)) ? null : `a ${ctor.name} of length ${length(l)}${what}`);
const nullable = (c: Check): Check => (v, l) => (v === null ? null : c(v, l) && `null or ${c(v, l)}`);
const ints = (length: (l: Layer) => number, min: number): Check => (v, l) =>
  (Array.isArray(v) && v.length === length(l) && v.every((d) => Number.isSafeInteger(d) && d >= min) ? null : `${length(l)} integers ≥ ${min}`);
const positiveScales = (a: ArrayLike<number>) => Array.prototype.every.call(a, (s: number) => Number.isFinite(s) && s > 0) as boolean;

const n = (l: Layer, key: string) => l[key] as number;
const shape = (l: Layer) => l.weightShape as number[];
const attrs = (l: Layer) => l.attrs as Layer;
const product = (s: number[]) => s.reduce((a, b) => a * b, 1);
/** Spatial dims of a conv (from its weight shape) or a pool (from its kernel). */
const convSpatial = (l: Layer) => shape(l).length - 2;
const poolSpatial = (l: Layer) => (l.kernelShape as number[]).length;

const spatialShape: Check = (v) => (Array.isArray(v) && v.length >= 3 && v.length <= 5 && v.every((d) => Number.isSafeInteger(d) && d > 0)
  ? null : "[out, in/group, ...kernel] with 1, 2 or 3 spatial dims, positive integers");
const kernelShape: Check = (v) => (Array.isArray(v) && v.length >= 1 && v.length <= 3 && v.every((d) => Number.isSafeInteger(d) && d > 0)
  ? null : "1, 2 or 3 positive integers");
const adaptiveSize: Check = (v) => (Array.isArray(v) && v.length >= 1 && v.length <= 3 && v.every((d) => d === null || (Number.isSafeInteger(d) && d > 0))
  ? null : "1, 2 or 3 entries, each a positive integer or null");

/** A convolution's attributes, checked against its weight shape. */
const convAttributes: Check = (v, l) => {
  if (typeof v !== "object" || v === null) return "an object { kernelShape, strides, pads, dilations, group }";
  const sp = convSpatial(l), a = v as Layer;
  const fields: [string, Check][] = [
    ["kernelShape", (k) => (Array.isArray(k) && k.length === sp && k.every((d, j) => d === shape(l)[j + 2]) ? null : `the weight's kernel [${shape(l).slice(2)}]`)],
    ["strides", ints(() => sp, 1)], ["pads", ints(() => 2 * sp, 0)], ["dilations", ints(() => sp, 1)], ["group", int(1)],
  ];
  for (const [key, check] of fields) {
    const bad = check(a[key], a);
    if (bad) return `attrs.${key} ${bad}`;
  }
  const extra = Object.keys(a).find((key) => !fields.some(([f]) => f === key));
  return extra ? `without the unknown field "${extra}"` : null;
};
/** Checked after attrs: the weight's channels must split into attrs.group groups. */
const groupsDivide = (channels: (l: Layer) => number): Check => (_v, l) =>
  (channels(l) % n(attrs(l), "group") === 0 ? null : `weightShape [${shape(l)}]: ${channels(l)} channels do not split into attrs.group ${n(attrs(l), "group")} groups`);

/** Pool pads (begin, then end), each smaller than the kernel along its axis: onnxruntime refuses a pad as large as the kernel. */
const poolPads: Check = (v, l) => {
  const k = l.kernelShape as number[], sp = k.length;
  return ints(() => 2 * sp, 0)(v, l) === null && (v as number[]).every((p, j) => p < k[j % sp]) ? null : `${2 * sp} integers ≥ 0, each smaller than the kernel [${k}] along its axis`;
};

const int8Input: [string, Check][] = [["inputScale", positiveFinite], ["inputZeroPoint", uint8]];
const weightScales = (count: (l: Layer) => number) => typed(Float32Array, count, positiveScales, ", every scale positive and finite");

/** An encoder layer's norms normalize its dModel features. */
const encoderNorm = (key: string) => nested(key, "layerNormalization", false, (norm, l) =>
  ((norm.normalizedShape as number[]).join() === String(l.dModel) ? null : `normalizedShape must be [dModel] = [${String(l.dModel)}], got [${String(norm.normalizedShape)}]`));

const encoderLayers: Check = (v) => {
  if (!Array.isArray(v) || v.length === 0) return "layers must be a non-empty list of transformerEncoderLayer layers";
  for (let k = 0; k < v.length; k++) {
    const bad = nested(`layers[${k}]`, "transformerEncoderLayer", false)(v[k], {});
    if (bad) return bad;
  }
  return null;
};

/** The fields of each kind, in checking order. */
const FIELDS: Record<string, [string, Check][]> = {
  linear: [["inFeatures", int(1)], ["outFeatures", int(1)],
    ["weight", typed(Float32Array, (l) => n(l, "inFeatures") * n(l, "outFeatures"))],
    ["bias", nullable(typed(Float32Array, (l) => n(l, "outFeatures")))]],
  linearInt8: [["inFeatures", int(1)], ["outFeatures", int(1)],
    ["weight", typed(Int8Array, (l) => n(l, "inFeatures") * n(l, "outFeatures"))],
    ["weightScale", weightScales((l) => n(l, "outFeatures"))], ...int8Input,
    ["bias", nullable(typed(Int32Array, (l) => n(l, "outFeatures")))]],
  relu: [], sigmoid: [], tanh: [], gelu: [], flatten: [], identity: [], softmax2d: [],
  leakyRelu: [["alpha", finite]], elu: [["alpha", finite]],
  softmax: [["axis", (v) => (Number.isSafeInteger(v) ? null : "an integer")]],
  logSoftmax: [["axis", (v) => (Number.isSafeInteger(v) ? null : "an integer")]],
  prelu: [["slope", (v) => (v instanceof Float32Array && v.length > 0 ? null : "a non-empty Float32Array")]],
  clip: [["min", finite], ["max", (v, l) => finite(v, l) ?? ((v as number) >= n(l, "min") ? null : "a finite number ≥ min")]],
  shrink: [["lambd", finite], ["bias", finite]],
  thresholdedRelu: [["alpha", finite]],
  conv: [["weightShape", spatialShape], ["weight", typed(Float32Array, (l) => product(shape(l)))], ["attrs", convAttributes],
    ["bias", nullable(typed(Float32Array, (l) => shape(l)[0]))], ["group", groupsDivide((l) => shape(l)[0])]],
  convTranspose: [["weightShape", spatialShape], ["weight", typed(Float32Array, (l) => product(shape(l)))], ["attrs", convAttributes],
    ["bias", nullable(typed(Float32Array, (l) => shape(l)[1] * n(attrs(l), "group")))], ["group", groupsDivide((l) => shape(l)[0])],
    ["outputPadding", ints(convSpatial, 0)]],
  convInt8: [["weightShape", spatialShape], ["weight", typed(Int8Array, (l) => product(shape(l)))], ["attrs", convAttributes],
    ["weightScale", weightScales((l) => shape(l)[0])], ...int8Input,
    ["bias", nullable(typed(Int32Array, (l) => shape(l)[0]))], ["group", groupsDivide((l) => shape(l)[0])]],
  maxPool: [["kernelShape", kernelShape], ["strides", ints(poolSpatial, 1)], ["pads", poolPads],
    ["dilations", ints(poolSpatial, 1)], ["ceilMode", bool]],
  averagePool: [["kernelShape", kernelShape], ["strides", ints(poolSpatial, 1)], ["pads", poolPads],
    ["ceilMode", bool], ["countIncludePad", bool]],
  adaptiveAveragePool: [["outputSize", adaptiveSize]],
  adaptiveMaxPool: [["outputSize", adaptiveSize]],
  batchNormalization: [["scale", (v) => (v instanceof Float32Array && v.length > 0 ? null : "a non-empty Float32Array")],
    ["bias", typed(Float32Array, (l) => (l.scale as Float32Array).length)], ["mean", typed(Float32Array, (l) => (l.scale as Float32Array).length)],
    ["variance", typed(Float32Array, (l) => (l.scale as Float32Array).length)], ["epsilon", nonNegativeFinite],
    ["inputRanks", (v) => (v === undefined || (Array.isArray(v) && v.length > 0 && v.every((r) => Number.isSafeInteger(r) && r >= 2)) ? null : "absent or a non-empty list of integers ≥ 2")]],
  instanceNormalization: [["scale", (v) => (v instanceof Float32Array && v.length > 0 ? null : "a non-empty Float32Array")],
    ["bias", typed(Float32Array, (l) => (l.scale as Float32Array).length)], ["epsilon", nonNegativeFinite], ["inputRank", int(3)]],
  depthToSpace: [["blocksize", int(1)]],
  pixelUnshuffle: [["blocksize", int(1)]],
  pad: [["mode", (v) => (v === "constant" || v === "reflect" || v === "edge" ? null : '"constant", "reflect" or "edge"')],
    ["padding", (v, l) => (Array.isArray(v) && v.length > 0 && v.length % 2 === 0 && v.every((d) => Number.isSafeInteger(d) && (l.mode === "constant" || d >= 0))
      ? null : "a non-empty even-length list of integers (non-negative unless mode is \"constant\")")],
    ["value", finite],
    ["inputRanks", (v) => (v === undefined || (Array.isArray(v) && v.length > 0 && v.every((r) => Number.isSafeInteger(r) && r >= 2)) ? null : "absent or a non-empty list of integers ≥ 2")]],
  circularPad: [["padding", (v) => (Array.isArray(v) && v.length > 0 && v.length % 2 === 0 && v.every((d) => Number.isSafeInteger(d) && d >= 0)
    ? null : "a non-empty even-length list of non-negative integers")]],
  layerNormalization: [["normalizedShape", (v) => (Array.isArray(v) && v.length > 0 && v.every((d) => Number.isSafeInteger(d) && d > 0) ? null : "a non-empty list of positive integers")],
    ["scale", nullable(typed(Float32Array, (l) => product(l.normalizedShape as number[])))],
    ["bias", nullable(typed(Float32Array, (l) => product(l.normalizedShape as number[])))], ["epsilon", nonNegativeFinite]],
  embedding: [["numEmbeddings", int(1)], ["embeddingDim", int(1)], ["weight", typed(Float32Array, (l) => n(l, "numEmbeddings") * n(l, "embeddingDim"))]],
  geluTanh: [],
  transformerEncoderLayer: [["dModel", int(1)],
    ["nhead", (v, l) => int(1)(v, l) ?? (n(l, "dModel") % (v as number) === 0 ? null : `a divisor of dModel ${n(l, "dModel")}`)],
    ["dimFeedforward", int(1)], ["normFirst", bool], ["activation", (v) => (v === "relu" || v === "gelu" ? null : '"relu" or "gelu"')],
    ["inProjWeight", typed(Float32Array, (l) => 3 * n(l, "dModel") ** 2)], ["inProjBias", nullable(typed(Float32Array, (l) => 3 * n(l, "dModel")))],
    ["outProjWeight", typed(Float32Array, (l) => n(l, "dModel") ** 2)], ["outProjBias", nullable(typed(Float32Array, (l) => n(l, "dModel")))],
    ["linear1Weight", typed(Float32Array, (l) => n(l, "dModel") * n(l, "dimFeedforward"))], ["linear1Bias", nullable(typed(Float32Array, (l) => n(l, "dimFeedforward")))],
    ["linear2Weight", typed(Float32Array, (l) => n(l, "dModel") * n(l, "dimFeedforward"))], ["linear2Bias", nullable(typed(Float32Array, (l) => n(l, "dModel")))],
    ["norm1", encoderNorm("norm1")], ["norm2", encoderNorm("norm2")]],
  transformerEncoder: [["layers", encoderLayers], ["norm", nested("norm", "layerNormalization", true)]],
  unflatten: [["dim", (v) => (Number.isSafeInteger(v) ? null : "an integer")],
    ["sizes", (v) => (Array.isArray(v) && v.length > 0 && v.every((d) => Number.isSafeInteger(d) && (d >= 1 || d === -1)) && v.filter((d) => d === -1).length <= 1
      ? null : "a non-empty list of positive integers with at most one −1")]],
};

/** Checks across fields (not a field of the layer): their message is the whole sentence. */
const DERIVED = new Set(["group"]);
/** Fields holding layers, checked as layers: their message is the whole sentence too. */
const NESTED = new Set(["norm1", "norm2", "layers", "norm"]);

const show = (v: unknown): string => {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  try { return JSON.stringify(v) ?? String(v); } catch { return String(v); }
};

/** What is wrong with a layer (its kind, first malformed field or unknown field), or null. */
function layerProblem(raw: unknown): string | null {
  const kind = (raw as Layer | null)?.kind;
  const fields = typeof kind === "string" && Object.prototype.hasOwnProperty.call(FIELDS, kind) ? FIELDS[kind] : undefined;
  if (typeof raw !== "object" || raw === null || !fields) return `has unknown kind ${show(kind)}`;
  const l = raw as Layer;
  for (const [key, check] of fields) {
    const bad = check(l[key], l);
    if (bad && (DERIVED.has(key) || NESTED.has(key))) return `(${kind}): ${bad}`;
    if (bad) return `(${kind}): ${key} must be ${bad}, got ${show(l[key])}`;
  }
  const extra = Object.keys(l).find((key) => key !== "kind" && !fields.some(([f]) => f === key && !DERIVED.has(f)));
  return extra === undefined ? null : `(${kind}) has unknown field "${extra}"`;
}

/** A field holding a layer of `kind` (or null when `optional`), then `extra` on it; the message names the field. */
function nested(key: string, kind: string, optional: boolean, extra?: (v: Layer, l: Layer) => string | null): Check {
  return (v, l) => {
    if (v === null && optional) return null;
    const got = (v as Layer | null)?.kind;
    const bad = got !== kind ? `must be a ${kind} layer${optional ? " or null" : ""}, got ${show(got ?? v)}` : layerProblem(v) ?? extra?.(v as Layer, l) ?? null;
    return bad && `${key} ${bad}`;
  };
}

/** Throws a ValueError naming the layer index and field of the first malformed field of a layer list. */
export function checkLayerList(layers: unknown[]): void {
  layers.forEach((raw, i) => {
    const bad = layerProblem(raw);
    if (bad) throw new ValueError(`exportOnnx: layer ${i} ${bad}`);
  });
}
