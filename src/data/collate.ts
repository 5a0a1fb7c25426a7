import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { fromTypedArray, stack, Tensor, type TypedArray } from "../ndarray/index.js";

/**
 * PyTorch's default_collate: a list of samples → one batch, field by field. Tensors are stacked
 * along a new first dimension (typed arrays too, as 1-D tensors of their dtype: PyTorch's NumPy
 * branch), numbers become a float32 tensor [batch], strings stay a list, and arrays and plain
 * objects are collated element by element (so [x, y] samples give [xs, ys]).
 */

/** What defaultCollate makes of samples of type T. */
export type Collated<T> = T extends Tensor | TypedArray | number ? Tensor
  : T extends string ? string[]
  : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
  : T extends object ? { -readonly [K in keyof T]: Collated<T[K]> }
  : never;

const isTypedArray = (v: unknown): boolean => ArrayBuffer.isView(v) && !(v instanceof DataView);

const kindOf = (v: unknown): string =>
  v === null ? "null" : v instanceof Tensor ? "a Tensor" : Array.isArray(v) ? "an array" : isTypedArray(v) ? "a typed array"
    : v === undefined ? "undefined" : typeof v === "object" ? "an object" : `a ${typeof v}`;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/**
 * Collates a batch of samples (a non-empty array) as PyTorch's default_collate, except that
 * numbers become float32 (JS has one number type; PyTorch makes int64 of Python ints and
 * float64 of floats — give class labels as int32 tensors if an int32 batch is wanted), and
 * tensors of different dtypes are refused rather than promoted. Tensors of different shapes, a
 * field that is a Tensor in one sample and a number in another, arrays of different lengths and
 * objects with different keys are refused, naming the field and the samples.
 */
export function defaultCollate<T>(batch: readonly T[]): Collated<T> {
  if (!Array.isArray(batch as unknown) || batch.length === 0) throw new ValueError(`defaultCollate: batch must be a non-empty array of samples, got ${kindOf(batch)}`);
  return collate(batch, "") as Collated<T>;
}

function collate(batch: readonly unknown[], path: string): unknown {
  const first = batch[0];
  const where = `defaultCollate${path === "" ? "" : ` (field ${path})`}`;
  const mismatch = (k: number, wanted: string) =>
    new ValueError(`${where}: sample ${k} is ${kindOf(batch[k])} where sample 0 has ${wanted}`);
  if (first instanceof Tensor) {
    batch.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw mismatch(k, "a Tensor");
      if (t.ndim !== first.ndim || t.shape.some((d, i) => d !== first.shape[i])) {
        throw new ShapeError(`${where}: tensors to stack must have one shape, got [${first.shape}] in sample 0 and [${t.shape}] in sample ${k}`);
      }
      if (t.dtype !== first.dtype) throw new DTypeError(`${where}: tensors to stack must have one dtype, got ${first.dtype} in sample 0 and ${t.dtype} in sample ${k}`);
    });
    return stackSamples(batch as readonly Tensor[]);
  }
  if (isTypedArray(first)) {
    batch.forEach((v, k) => {
      if (!isTypedArray(v)) throw mismatch(k, "a typed array");
    });
    return collate(batch.map((v) => fromTypedArray(v as TypedArray)), path);
  }
  if (typeof first === "number") {
    const out = new Float32Array(batch.length);
    batch.forEach((v, k) => {
      if (typeof v !== "number") throw mismatch(k, "a number");
      out[k] = v;
    });
    return new Tensor(out, "float32", [batch.length]);
  }
  if (typeof first === "string") {
    batch.forEach((v, k) => {
      if (typeof v !== "string") throw mismatch(k, "a string");
    });
    return batch.slice();
  }
  if (Array.isArray(first)) {
    batch.forEach((v, k) => {
      if (!Array.isArray(v)) throw mismatch(k, "an array");
      if (v.length !== first.length) throw new ShapeError(`${where}: every sample needs the same number of elements, got ${first.length} in sample 0 and ${v.length} in sample ${k}`);
    });
    return first.map((_, j) => collate(batch.map((v) => (v as unknown[])[j]), `${path}[${j}]`));
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    batch.forEach((v, k) => {
      if (!isPlainObject(v)) throw mismatch(k, "an object");
      const own = Object.keys(v);
      if (own.length !== keys.length || keys.some((key) => !Object.hasOwn(v, key))) {
        throw new ValueError(`${where}: every sample needs the same keys, got ${JSON.stringify(keys)} in sample 0 and ${JSON.stringify(own)} in sample ${k}`);
      }
    });
    const out: Record<string, unknown> = {};
    for (const key of keys) out[key] = collate(batch.map((v) => (v as Record<string, unknown>)[key]), path === "" ? key : `${path}.${key}`);
    return out;
  }
  throw new ValueError(`${where}: cannot collate ${kindOf(first)} (a sample holds Tensors, typed arrays, numbers, strings, arrays and plain objects; give the loader a collateFn for others)`);
}

/**
 * Equally shaped tensors of one dtype stacked along a new first dimension. Each sample's elements
 * are copied straight into the batch (a row view hands out only its own elements); through
 * stack, recorded for autograd, when one of them requires grad, as torch.stack would be.
 */
function stackSamples(tensors: readonly Tensor[]): Tensor {
  if (tensors.some((t) => t.requiresGrad)) return stack(tensors, 0);
  const first = tensors[0];
  const width = first.size;
  const out = new ((first.data.constructor as new (n: number) => TypedArray))(tensors.length * width);
  tensors.forEach((t, k) => out.set(t.data, k * width));
  return new Tensor(out, first.dtype, [tensors.length, ...first.shape]);
}
