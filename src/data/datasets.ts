import { Tensor } from "../ndarray/index.js";
import { decodeBase64 } from "../base64.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkLayout, type ImageLayout } from "./layout.js";
import * as embedded from "./datasets.generated.js";
import type { PackedDataset as Packed } from "./packed.js";

/**
 * A small real data set: features [n, features] float32 (digits can also give [n, 1, 8, 8]),
 * target [n] (int32 classes or float32).
 */
export interface Dataset {
  x: Tensor;
  y: Tensor;
  featureNames: string[];
  /** Class names, index = label (classification sets only). */
  targetNames?: string[];
}

/** float32 little-endian bytes → Float32Array, independent of the platform's byte order. */
function f32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * The packed set, or a clear error in the slim build, which leaves the data out (see
 * tsup.config.ts) so that edge bundles carry only code; "edgegrad/datasets" has them. Nothing is
 * parsed or decoded before this call: the generated module holds each set in a function body.
 */
function packed(name: "DIGITS" | "IRIS" | "BREAST_CANCER" | "DIABETES"): Packed {
  const p = (embedded as Record<string, (() => Packed) | null>)[name];
  if (!p) {
    throw new ValueError(`the ${name.toLowerCase()} data set is not embedded in edgegrad/slim; import it from "edgegrad/datasets"`);
  }
  return p();
}

// Decoded on every call (a millisecond or two) so callers own fresh tensors they may mutate.
function features(p: Packed): Tensor {
  const raw = decodeBase64(p.x);
  const x = p.xType === "uint8" ? Float32Array.from(raw) : f32(raw);
  return new Tensor(x, "float32", [p.n, p.features]);
}
const classes = (p: Packed) => new Tensor(Int32Array.from(decodeBase64(p.y)), "int32", [p.n]);

export interface DigitsOptions {
  /** "flat" (default): x is [n, 64]; "nchw": [n, 1, 8, 8], for convolution layers. */
  layout?: ImageLayout;
}

/**
 * 1797 8×8 images of handwritten digits, pixel counts 0..16 as float32 (not rescaled), labels 0..9
 * (UCI optical recognition test set, as in scikit-learn's load_digits). featureNames name the
 * pixels in row-major order, whichever the layout.
 */
export function digits(o: DigitsOptions = {}): Dataset {
  checkOptions("digits", o, ["layout"]);
  checkLayout("digits", o.layout);
  const featureNames: string[] = [];
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) featureNames.push(`pixel_${r}_${c}`);
  const p = packed("DIGITS");
  const flat = features(p);
  const x = o.layout === "nchw" ? flat.reshape([p.n, 1, 8, 8]) : flat;
  return { x, y: classes(p), featureNames, targetNames: "0123456789".split("") };
}

/** 150 iris flowers, 4 measurements in cm, 3 species (Fisher 1936). */
export function iris(): Dataset {
  const p = packed("IRIS");
  return {
    x: features(p), y: classes(p),
    featureNames: ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    targetNames: [...(p.targetNames ?? [])],
  };
}

const CELL = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity", "concave points", "symmetry", "fractal dimension"];

/** 569 Wisconsin diagnostic breast cancer cases, 30 features; label 0 = malignant, 1 = benign. */
export function breastCancer(): Dataset {
  const featureNames = [...CELL.map((f) => `mean ${f}`), ...CELL.map((f) => `${f} error`), ...CELL.map((f) => `worst ${f}`)];
  const p = packed("BREAST_CANCER");
  return { x: features(p), y: classes(p), featureNames, targetNames: [...(p.targetNames ?? [])] };
}

/**
 * 442 diabetes patients, 10 raw (unscaled) baseline variables, target a float32 measure of
 * disease progression one year later (Efron et al. 2004). Standardize before training.
 */
export function diabetes(): Dataset {
  const p = packed("DIABETES");
  const y = new Tensor(f32(decodeBase64(p.y)), "float32", [p.n]);
  return { x: features(p), y, featureNames: ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"] };
}
