import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { boolean } from "../checks.js";
import { record, runBackward, type GradNode } from "./autograd.js";
import { allocate, checkDType, isFloat, type DType, type TypedArray } from "./dtype.js";
import { broadcastShapes, checkShape, contiguousStrides, normalizeAxis, sameShape, sizeOf, type Shape } from "./shape.js";
import { broadcastStrides, copyStrided } from "./strided.js";
import { formatTensor } from "./format.js";
import * as ew from "./elementwise.js";
import * as red from "./reduce.js";
import { matmul } from "./matmul.js";

export type Scalar = number;
export type TensorLike = Tensor | number;
/** One dimension of `slice`: an index (drops the dim), null (all), or [start, stop, step]. */
export type SliceSpec = number | null | readonly [number?, number?, number?];

/**
 * An n-dimensional array: a typed-array storage plus shape, strides and offset, so reshape of
 * contiguous data, transpose, permute, slice, squeeze/unsqueeze and broadcast are O(1) views.
 * Storage belongs to JS and is freed by the garbage collector: there is nothing to dispose.
 */
export class Tensor {
  private leafGrad: Tensor | null = null;
  /** The op that produced this tensor, if it was recorded on the autograd tape. */
  gradFn: GradNode | null = null;
  private leafRequiresGrad = false;

  constructor(
    readonly storage: TypedArray,
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly strides: readonly number[] = contiguousStrides(shape),
    readonly offset = 0,
  ) {}

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }

  /**
   * Gradient accumulated by backward() (for leaves that require grad). Assignable: null, or a
   * tensor of this one's shape and dtype (as PyTorch checks), since backward() adds into it.
   */
  get grad(): Tensor | null {
    return this.leafGrad;
  }
  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new DTypeError(`grad: expected a Tensor or null, got ${typeof g}`);
      if (!sameShape(g.shape, this.shape)) throw new ShapeError(`grad: a gradient of shape [${g.shape}] for a tensor of shape [${this.shape}]`);
      if (g.dtype !== this.dtype) throw new DTypeError(`grad: a ${g.dtype} gradient for a ${this.dtype} tensor`);
    }
    this.leafGrad = g;
  }

  get requiresGrad(): boolean {
    return this.leafRequiresGrad || this.gradFn !== null;
  }
  set requiresGrad(value: boolean) {
    boolean("requiresGrad", "the value", value);
    if (this.gradFn) throw new ValueError("requiresGrad can only be set on leaf tensors (this one was computed by an op)");
    if (value && !isFloat(this.dtype)) {
      throw new DTypeError(`only floating-point tensors can require grad; this one is ${this.dtype}`);
    }
    this.leafRequiresGrad = value;
  }

  /** True when elements are laid out row-major with no gaps (strides of size-1 dims don't matter). */
  get isContiguous(): boolean {
    let expected = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== expected) return false;
      expected *= this.shape[i];
    }
    return true;
  }

  /**
   * The elements in row-major order. For a contiguous tensor that owns its whole storage this is
   * the storage itself (writes go to the tensor — optimizers rely on that); otherwise a copy.
   */
  get data(): TypedArray {
    if (this.isContiguous && this.offset === 0 && this.storage.length === this.size) return this.storage;
    const out = allocate(this.dtype, this.size);
    copyStrided(this.storage, this.shape, this.strides, this.offset, out);
    return out;
  }

  /** A tensor with the same values in fresh contiguous storage (itself if already contiguous). */
  contiguous(): Tensor {
    if (this.isContiguous && this.offset === 0 && this.storage.length === this.size) return this;
    return record(new Tensor(this.data, this.dtype, this.shape), "contiguous", [this], (g) => [g]);
  }

  /** Nested arrays of numbers (booleans for bool), like NumPy's tolist(). */
  toArray(): unknown {
    const flat = this.data;
    const asValue = this.dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
    if (this.ndim === 0) return asValue(flat[0]);
    const steps = contiguousStrides(this.shape);
    const build = (dim: number, start: number): unknown[] => {
      const n = this.shape[dim];
      const step = steps[dim];
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.ndim - 1 ? asValue(flat[start + i]) : build(dim + 1, start + i * step));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape [${this.shape}] has ${this.size} elements, not 1`);
    return this.storage[this.offset];
  }

  toString(): string {
    return formatTensor(this);
  }

  /** What console.log prints under Node, Deno and Bun: the text of toString(), not the fields. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return formatTensor(this);
  }

  // ---- views ----

  reshape(shape: readonly number[]): Tensor {
    const newShape = resolveReshape(shape, this.size, this.shape);
    const src = this.isContiguous ? this : this.contiguous();
    const out = new Tensor(src.storage, this.dtype, newShape, contiguousStrides(newShape), src.offset);
    // The rule keeps the shape, not `this`: a bfloat16 scope's graph then holds no float32 data here.
    const shape0 = this.shape;
    return record(out, "reshape", [this], (g) => [g.reshape(shape0)]);
  }
  view(shape: readonly number[]): Tensor {
    return this.reshape(shape);
  }
  flatten(): Tensor {
    return this.reshape([this.size]);
  }

  permute(axes: readonly number[]): Tensor {
    if (axes.length !== this.ndim) {
      throw new ShapeError(`permute: got ${axes.length} axes [${axes}] for a tensor of ${this.ndim} dimensions`);
    }
    const perm = axes.map((a) => normalizeAxis(a, this.ndim, "permute"));
    if (new Set(perm).size !== perm.length) throw new ValueError(`permute: [${axes}] is not a permutation`);
    const out = new Tensor(this.storage, this.dtype, perm.map((p) => this.shape[p]), perm.map((p) => this.strides[p]), this.offset);
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return record(out, "permute", [this], (g) => [g.permute(inverse)]);
  }

  /**
   * Swaps two axes; with no arguments, the last two (a matrix transpose; no-op below 2-D). Below
   * 2-D, explicit axes must still be in range (0 or -1), as PyTorch checks.
   */
  transpose(axis0?: number, axis1?: number): Tensor {
    if (this.ndim < 2 && axis0 === undefined && axis1 === undefined) return this;
    const a = normalizeAxis(axis0 ?? -2, this.ndim, "transpose");
    const b = normalizeAxis(axis1 ?? -1, this.ndim, "transpose");
    if (this.ndim < 2) return this;
    const perm = Array.from({ length: this.ndim }, (_, i) => i);
    perm[a] = b;
    perm[b] = a;
    return this.permute(perm);
  }
  get T(): Tensor {
    return this.transpose();
  }

  /** NumPy-style basic slicing, one spec per leading dim; steps must be positive. */
  slice(...specs: SliceSpec[]): Tensor {
    if (specs.length > this.ndim) {
      throw new ShapeError(`slice: ${specs.length} indices for a tensor of ${this.ndim} dimensions`);
    }
    const shape: number[] = [];
    const strides: number[] = [];
    let offset = this.offset;
    for (let d = 0; d < this.ndim; d++) {
      const spec = specs[d] === undefined ? null : specs[d];
      const n = this.shape[d];
      if (typeof spec === "number") {
        if (!Number.isInteger(spec) || spec < -n || spec >= n) {
          throw new ValueError(`slice: index ${spec} is out of range for dimension ${d} of size ${n}`);
        }
        offset += (spec < 0 ? spec + n : spec) * this.strides[d];
        continue;
      }
      const [start = 0, stop = n, step = 1] = spec ?? [];
      if (!Number.isInteger(step) || step <= 0) throw new ValueError(`slice: step ${step} must be a positive integer`);
      if (!Number.isInteger(start) || !Number.isInteger(stop)) throw new ValueError(`slice: bounds ${start}:${stop} must be integers`);
      const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
      const lo = clamp(start);
      const hi = Math.max(clamp(stop), lo);
      shape.push(Math.ceil((hi - lo) / step));
      strides.push(this.strides[d] * step);
      offset += lo * this.strides[d];
    }
    const out = new Tensor(this.storage, this.dtype, shape, strides, offset);
    return record(out, "slice", [this], (g) => {
      const full = zerosLike(this);
      ew.assignInto(full.slice(...specs), g);
      return [full];
    });
  }

  squeeze(axis?: number): Tensor {
    let keep: number[];
    if (axis === undefined) keep = this.shape.map((_, i) => i).filter((i) => this.shape[i] !== 1);
    else {
      const a = normalizeAxis(axis, this.ndim, "squeeze");
      keep = this.shape.map((_, i) => i).filter((i) => i !== a || this.shape[i] !== 1);
    }
    const out = new Tensor(this.storage, this.dtype, keep.map((i) => this.shape[i]), keep.map((i) => this.strides[i]), this.offset);
    return record(out, "squeeze", [this], (g) => [g.reshape(this.shape)]);
  }

  unsqueeze(axis: number): Tensor {
    const a = normalizeAxis(axis, this.ndim + 1, "unsqueeze");
    const shape = this.shape.slice();
    const strides = this.strides.slice();
    shape.splice(a, 0, 1);
    strides.splice(a, 0, a < this.ndim ? this.strides[a] * this.shape[a] : 1);
    const out = new Tensor(this.storage, this.dtype, shape, strides, this.offset);
    return record(out, "unsqueeze", [this], (g) => [g.reshape(this.shape)]);
  }

  /** A broadcast view to `shape` (stride 0 on the repeated dims): O(1), read-only in spirit. */
  broadcastTo(shape: readonly number[]): Tensor {
    checkShape(shape, "broadcastTo");
    const target = broadcastShapes(this.shape, shape, "broadcastTo");
    if (!sameShape(target, shape)) {
      throw new ShapeError(`broadcastTo: shape [${this.shape}] cannot be broadcast to [${shape}]`);
    }
    const out = new Tensor(this.storage, this.dtype, shape.slice(), broadcastStrides(this.shape, this.strides, shape), this.offset);
    return record(out, "broadcastTo", [this], (g) => [red.sumToShape(g, this.shape)]);
  }
  /** broadcastTo, where -1 keeps the size of an existing dim (PyTorch's expand). */
  expand(shape: readonly number[]): Tensor {
    if (!Array.isArray(shape)) checkShape(shape, "expand");
    const lead = shape.length - this.ndim;
    // A -1 in a new leading dim stays -1, which broadcastTo refuses.
    return this.broadcastTo(shape.map((d, i) => (d === -1 && i >= lead ? this.shape[i - lead] : d)));
  }

  /** A tensor sharing storage but cut from the tape. */
  detach(): Tensor {
    return new Tensor(this.storage, this.dtype, this.shape, this.strides, this.offset);
  }

  /** A converted copy (float→int truncates toward zero, like a C cast; bool is value ≠ 0). */
  astype(dtype: DType): Tensor {
    checkDType(dtype, "astype");
    if (dtype === this.dtype) return this;
    return ew.cast(this, dtype);
  }

  clone(): Tensor {
    return ew.unary("identity", this);
  }

  backward(grad?: Tensor | null): void {
    if (grad != null && !(grad instanceof Tensor)) throw new DTypeError(`backward: expected a Tensor or null, got ${typeof grad}`);
    if (grad == null && this.size !== 1) {
      throw new ShapeError(`backward: an implied gradient needs one element, not shape [${this.shape}]`);
    }
    // A given seed takes the output's dtype, as PyTorch casts it (an integer one would reach float-only rules).
    const seed = grad == null ? ew.onesLikeFloat(this) : ew.cast(grad, this.dtype);
    if (!sameShape(seed.shape, this.shape)) {
      throw new ShapeError(`backward: gradient of shape [${seed.shape}] for an output of shape [${this.shape}]`);
    }
    runBackward(this, seed, {
      add: (a, b) => ew.binary("add", a, b), copy: (t) => ew.unary("identity", t), cast: (t, like) => ew.cast(t, like.dtype),
    });
  }

  // ---- elementwise ----
  add(o: TensorLike): Tensor { return ew.binary("add", this, o); }
  sub(o: TensorLike): Tensor { return ew.binary("sub", this, o); }
  mul(o: TensorLike): Tensor { return ew.binary("mul", this, o); }
  div(o: TensorLike): Tensor { return ew.binary("div", this, o); }
  pow(o: TensorLike): Tensor { return ew.binary("pow", this, o); }
  maximum(o: TensorLike): Tensor { return ew.binary("maximum", this, o); }
  minimum(o: TensorLike): Tensor { return ew.binary("minimum", this, o); }
  eq(o: TensorLike): Tensor { return ew.binary("eq", this, o); }
  ne(o: TensorLike): Tensor { return ew.binary("ne", this, o); }
  lt(o: TensorLike): Tensor { return ew.binary("lt", this, o); }
  le(o: TensorLike): Tensor { return ew.binary("le", this, o); }
  gt(o: TensorLike): Tensor { return ew.binary("gt", this, o); }
  ge(o: TensorLike): Tensor { return ew.binary("ge", this, o); }
  neg(): Tensor { return ew.unary("neg", this); }
  abs(): Tensor { return ew.unary("abs", this); }
  exp(): Tensor { return ew.unary("exp", this); }
  log(): Tensor { return ew.unary("log", this); }
  sqrt(): Tensor { return ew.unary("sqrt", this); }
  square(): Tensor { return ew.binary("mul", this, this); }
  sign(): Tensor { return ew.unary("sign", this); }
  relu(): Tensor { return ew.unary("relu", this); }
  sigmoid(): Tensor { return ew.unary("sigmoid", this); }
  tanh(): Tensor { return ew.unary("tanh", this); }
  log1p(): Tensor { return ew.unary("log1p", this); }
  expm1(): Tensor { return ew.unary("expm1", this); }
  rsqrt(): Tensor { return ew.unary("rsqrt", this); }

  // ---- reductions ----
  clip(lo: number | null, hi: number | null): Tensor { return ew.clip(this, lo, hi); }
  clamp(lo: number | null, hi: number | null): Tensor { return ew.clip(this, lo, hi); }
  var(axis?: number | readonly number[], o?: red.VarOptions): Tensor { return red.variance(this, axis, o); }
  std(axis?: number | readonly number[], o?: red.VarOptions): Tensor { return red.std(this, axis, o); }
  logsumexp(axis?: number | readonly number[], o?: red.ReduceOptions): Tensor { return red.logsumexp(this, axis, o); }
  softmax(axis = -1): Tensor { return red.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return red.logSoftmax(this, axis); }
  // The newer, heavier ops (cumsum, norm, topk, gather, scatterAdd, indexSelect, maskedFill, split,
  // chunk, repeat, flip, unfold) are functions only, as torch.gather etc.: a method would pull its
  // code into every bundle that uses Tensor, since bundlers cannot drop unused class methods.
  sum(axis?: number | readonly number[], o?: red.ReduceOptions): Tensor { return red.sum(this, axis, o); }
  mean(axis?: number | readonly number[], o?: red.ReduceOptions): Tensor { return red.mean(this, axis, o); }
  max(axis?: number | readonly number[], o?: red.ReduceOptions): Tensor { return red.max(this, axis, o); }
  min(axis?: number | readonly number[], o?: red.ReduceOptions): Tensor { return red.min(this, axis, o); }
  argmax(axis?: number, o?: red.ReduceOptions): Tensor { return red.argmax(this, axis, o); }
  argmin(axis?: number, o?: red.ReduceOptions): Tensor { return red.argmin(this, axis, o); }

  matmul(o: Tensor): Tensor { return matmul(this, o); }
}

/** Resolves one -1 entry and checks that the element count is preserved. */
function resolveReshape(shape: readonly number[], size: number, from: Shape): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`reshape: shape must be an array, got ${String(shape)}`);
  const out = shape.slice();
  const unknown = out.indexOf(-1);
  if (out.some((d, i) => !Number.isInteger(d) || (d < 0 && i !== unknown)) || out.lastIndexOf(-1) !== unknown) {
    throw new ShapeError(`reshape: invalid shape [${shape}] (sizes are non-negative integers, at most one -1)`);
  }
  const known = out.reduce((a, d, i) => (i === unknown ? a : a * d), 1);
  if (unknown >= 0) out[unknown] = known === 0 || size % known !== 0 ? NaN : size / known; // NaN: no size fits
  if (sizeOf(out) !== size) throw new ShapeError(`reshape: cannot reshape [${from}] (${size} elements) into [${shape}]`);
  return out;
}

function zerosLike(t: Tensor): Tensor {
  return new Tensor(allocate(t.dtype, t.size), t.dtype, t.shape.slice());
}
