// Batch, layer and group normalization (F.batch_norm, F.layer_norm, F.group_norm), each a
// forward that gathers a group's mean and variance in one pass (float64 sums of values shifted
// by the group's first value, so a large mean does not cancel away the variance) and then
// normalizes, and next to it a backward of two passes per group: the sums of g and g·x̂, then
// dx = w·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) (with the weight inside for per-element affines).
import { layerNormKernels, type LayerNormKernels } from "../backend/layernorm-kernels.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor, type FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

const allocLike = (t: Tensor, n: number): FloatArray => (t.dtype === "float64" ? new Float64Array(n) : new Float32Array(n));

export function checkFloat(where: string, name: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new ValueError(`${where}: ${name} must be a Tensor`);
  if (t.dtype !== "float32" && t.dtype !== "float64") throw new DTypeError(`${where}: ${name} must be float32 or float64, got ${t.dtype}`);
}
export function checkVector(where: string, name: string, t: Tensor | null | undefined, shape: readonly number[]): Tensor | null {
  if (t === null || t === undefined) return null;
  checkFloat(where, name, t);
  if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${where}: ${name} has shape [${t.shape}], expected [${shape}]`);
  }
  return t;
}
export function checkEps(where: string, eps: unknown): number {
  if (typeof eps !== "number" || !(eps >= 0) || !Number.isFinite(eps)) throw new ValueError(`${where}: eps must be a non-negative number, got ${JSON.stringify(eps)}`);
  return eps;
}

/** Mean and biased variance of the strided group x[base + i·outer + j], i < n, j < inner. */
function groupStats(x: ArrayLike<number>, base: number, n: number, outer: number, inner: number): [number, number] {
  const shift = x[base];
  let s = 0, ss = 0;
  for (let i = 0, row = base; i < n; i++, row += outer) {
    for (let j = row, end = row + inner; j < end; j++) { const d = x[j] - shift; s += d; ss += d * d; }
  }
  const count = n * inner, m = s / count;
  return [shift + m, Math.max(0, ss / count - m * m)];
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalize by the batch's statistics (and update the running ones); default false, as F.batch_norm. */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  eps?: number;
}

export interface BatchNormArgs {
  N: number; C: number; S: number; rm: Tensor | null; rv: Tensor | null; weight: Tensor | null; bias: Tensor | null;
  training: boolean; momentum: number; eps: number;
}

export function checkBatchNorm(where: string, x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, o: BatchNormOptions): BatchNormArgs {
  checkOptions(where, o, ["weight", "bias", "training", "momentum", "eps"]);
  checkFloat(where, "input", x);
  if (x.ndim < 2) throw new ShapeError(`${where}: expected an input of shape [N, C, ...], got [${x.shape}]`);
  const [N, C] = x.shape, S = x.size / Math.max(1, N * C);
  const rm = checkVector(where, "runningMean", runningMean, [C]), rv = checkVector(where, "runningVar", runningVar, [C]);
  const weight = checkVector(where, "weight", o.weight, [C]), bias = checkVector(where, "bias", o.bias, [C]);
  const training = o.training ?? false, momentum = o.momentum === undefined ? 0.1 : o.momentum, eps = checkEps(where, o.eps ?? 1e-5);
  if (typeof training !== "boolean") throw new ValueError(`${where}: training must be a boolean, got ${JSON.stringify(training)}`);
  if (typeof momentum !== "number" || !Number.isFinite(momentum)) throw new ValueError(`${where}: momentum must be a number, got ${JSON.stringify(momentum)}`);
  if (!training && (!rm || !rv)) throw new ValueError(`${where}: runningMean and runningVar are needed when not training`);
  if (training && N * S === 1) throw new ValueError(`${where}: expected more than 1 value per channel when training, got input of shape [${x.shape}]`);
  for (const [name, t] of [["runningMean", rm], ["runningVar", rv]] as const) {
    if (t && (!t.isContiguous || t.offset !== 0 || t.storage.length !== t.size)) throw new ValueError(`${where}: ${name} must own its contiguous storage (it is updated in place)`);
  }
  return { N, C, S, rm, rv, weight, bias, training, momentum, eps };
}

/** What a batch norm step normalizes with, per channel: the mean, 1/σ and y = (x − mean)·scale + shift. */
export interface BatchNormPlan { mean: Float64Array; invStd: Float64Array; scale: Float64Array; shift: Float64Array }

/**
 * The plan of one step over x's values (xd, [N, C, S] in memory order): the batch's statistics
 * when training (the running ones moved toward them, in place), else the running ones.
 */
export function batchNormPlan(xd: ArrayLike<number>, a: BatchNormArgs): BatchNormPlan {
  const { N, C, S, rm, rv, weight, bias, training, momentum, eps } = a;
  const count = N * S, w = weight?.data;
  const mean = training ? channelMeans(xd, N, C, S) : Float64Array.from(rm!.storage);
  const variance = training ? mean.subarray(C) : Float64Array.from(rv!.storage);
  const invStd = new Float64Array(C), scale = new Float64Array(C), shift = new Float64Array(C);
  // An empty batch has no statistics: the running ones stay as they are (as PyTorch), not NaN.
  const moving = training && count > 0;
  for (let c = 0; c < C; c++) {
    // Each running statistic given is updated, also without the other (as PyTorch).
    if (moving && rm) rm.storage[c] = (1 - momentum) * rm.storage[c] + momentum * mean[c];
    if (moving && rv) rv.storage[c] = (1 - momentum) * rv.storage[c] + momentum * variance[c] * (count / (count - 1));
    invStd[c] = 1 / Math.sqrt(variance[c] + eps);
    scale[c] = w ? w[c] * invStd[c] : invStd[c];
    shift[c] = bias ? bias.data[c] : 0;
  }
  return { mean, invStd, scale, shift };
}

/** y = (x − mean)·scale + shift per channel, [N, C, S] in memory order: each sample's planes read once, in sequence. */
export function batchNormApply(xd: ArrayLike<number>, y: FloatArray, N: number, C: number, S: number, p: BatchNormPlan): void {
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = p.mean[c], k = p.scale[c], t = p.shift[c];
      for (const end = i + S; i < end; i++) y[i] = (xd[i] - m) * k + t;
    }
  }
}

/**
 * The backward of batchNormApply for the output gradient gd, in place of gx (which may be gd
 * itself): dx = w·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)) with batch statistics, w·σ⁻¹·g with running
 * ones (constants). Returns Σg and Σg·(x − mean) per channel, for the affine's gradients.
 */
export function batchNormBackward(gd: ArrayLike<number>, xd: ArrayLike<number>, gx: FloatArray, a: BatchNormArgs, p: BatchNormPlan):
  { sg: Float64Array; sgx: Float64Array } {
  const { N, C, S, training } = a, count = N * S;
  const sg = new Float64Array(C), sgx = new Float64Array(C);
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = p.mean[c];
      let s = 0, t = 0;
      for (const end = i + S; i < end; i++) { s += gd[i]; t += gd[i] * (xd[i] - m); }
      sg[c] += s;
      sgx[c] += t;
    }
  }
  const mg = new Float64Array(C), mgx = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    mg[c] = training ? sg[c] / count : 0;
    mgx[c] = training ? (sgx[c] * p.invStd[c] * p.invStd[c]) / count : 0;
  }
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = p.mean[c], k = p.scale[c], u = mg[c], v = mgx[c];
      for (const end = i + S; i < end; i++) gx[i] = k * (gd[i] - u - (xd[i] - m) * v);
    }
  }
  return { sg, sgx };
}

/**
 * F.batch_norm over [N, C, *]: per channel, (x − mean)/√(var + eps)·weight + bias. Training
 * normalizes by the batch's mean and biased variance and, if given, moves runningMean and
 * runningVar (the unbiased variance) toward them by `momentum`, in place; otherwise the running
 * statistics normalize and nothing changes.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, o: BatchNormOptions = {}): Tensor {
  const a = checkBatchNorm("batchNorm", x, runningMean, runningVar, o);
  const { N, C, S, weight, bias } = a, xd = x.data;
  const plan = batchNormPlan(xd, a);
  const y = allocLike(x, x.size);
  batchNormApply(xd, y, N, C, S, plan);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return record(new Tensor(y, x.dtype, x.shape.slice()), "batchNorm", inputs, (g) => {
    const gx = allocLike(x, x.size);
    const { sg, sgx } = batchNormBackward(g.data, xd, gx, a, plan);
    return [new Tensor(gx, x.dtype, x.shape.slice()), ...batchNormAffineGrads(a, plan, sg, sgx)];
  });
}

/** The gradients of the affine's weight (Σg·x̂) and bias (Σg), those the step has, in that order. */
export function batchNormAffineGrads(a: BatchNormArgs, p: BatchNormPlan, sg: Float64Array, sgx: Float64Array): Tensor[] {
  const grads: Tensor[] = [];
  const { C, weight, bias } = a;
  if (weight) grads.push(new Tensor(allocLike(weight, C).map((_, c) => sgx[c] * p.invStd[c]), weight.dtype, [C]));
  if (bias) grads.push(new Tensor(allocLike(bias, C).map((_, c) => sg[c]), bias.dtype, [C]));
  return grads;
}

/**
 * Per-channel means of [N, C, S] in the first C entries and biased variances in the next C, in
 * one pass in memory order: float64 sums of values shifted by the channel's first value.
 */
function channelMeans(x: ArrayLike<number>, N: number, C: number, S: number): Float64Array {
  const out = new Float64Array(2 * C), sq = new Float64Array(C), first = new Float64Array(C);
  // An empty batch: mean 0 and variance 1, so 1/σ (even with eps 0) and the affine's gradients (Σ over nothing) stay finite.
  if (N * S === 0) return out.fill(1, C);
  for (let c = 0; c < C; c++) first[c] = x[c * S];
  for (let n = 0, i = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const k = first[c];
      let s = 0, ss = 0;
      for (const end = i + S; i < end; i++) { const d = x[i] - k; s += d; ss += d * d; }
      out[c] += s;
      sq[c] += ss;
    }
  }
  const count = N * S;
  for (let c = 0; c < C; c++) {
    const m = out[c] / count;
    out[c] = first[c] + m;
    out[C + c] = Math.max(0, sq[c] / count - m * m);
  }
  return out;
}

/**
 * Normalizes `segments` contiguous runs of `len` values each; element j of segment s is scaled
 * by weight[(s mod groups)·(len/span) + ⌊j/span⌋]: layer norm is groups = 1, span = 1 (a weight
 * per position), group norm is span = the spatial size (a weight per channel).
 */
interface Segments { segments: number; len: number; span: number; groups: number }

function segmentNorm(where: string, x: Tensor, seg: Segments, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const { segments, len, span, groups } = seg;
  const xd = x.data, w = weight?.data, b = bias?.data, chunks = len / span;
  const mean = new Float64Array(segments), invStd = new Float64Array(segments), y = allocLike(x, x.size);
  for (let s = 0; s < segments; s++) {
    const [m, v] = groupStats(xd, s * len, 1, len, len);
    const r = (invStd[s] = 1 / Math.sqrt(v + eps));
    mean[s] = m;
    for (let c = 0, i = s * len, a = (s % groups) * chunks; c < chunks; c++, a++) {
      const scale = w ? w[a] * r : r, shift = b ? b[a] : 0;
      for (let end = i + span; i < end; i++) y[i] = (xd[i] - m) * scale + shift;
    }
  }
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return record(new Tensor(y, x.dtype, x.shape.slice()), "batchNorm", inputs, (g) => {
    const gd = g.data, gx = allocLike(x, x.size);
    const gw = weight ? new Float64Array(weight.size) : null, gb = bias ? new Float64Array(bias.size) : null;
    for (let s = 0; s < segments; s++) {
      const m = mean[s], r = invStd[s], base = s * len, a0 = (s % groups) * chunks;
      let sdx = 0, sdxx = 0; // Σ g·w and Σ g·w·x̂
      for (let c = 0, i = base, a = a0; c < chunks; c++, a++) {
        const wa = w ? w[a] : 1;
        for (let end = i + span; i < end; i++) {
          const xh = (xd[i] - m) * r, gi = gd[i];
          sdx += gi * wa;
          sdxx += gi * wa * xh;
          if (gw) gw[a] += gi * xh;
          if (gb) gb[a] += gi;
        }
      }
      const mdx = sdx / len, mdxx = sdxx / len;
      for (let c = 0, i = base, a = a0; c < chunks; c++, a++) {
        const wa = w ? w[a] : 1;
        for (let end = i + span; i < end; i++) gx[i] = r * (gd[i] * wa - mdx - (xd[i] - m) * r * mdxx);
      }
    }
    const grads: (Tensor | null)[] = [new Tensor(gx, x.dtype, x.shape.slice())];
    if (weight) grads.push(new Tensor(weight.dtype === "float64" ? gw! : Float32Array.from(gw!), weight.dtype, weight.shape.slice()));
    if (bias) grads.push(new Tensor(bias.dtype === "float64" ? gb! : Float32Array.from(gb!), bias.dtype, bias.shape.slice()));
    return grads;
  });
}

export interface AffineNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** F.layer_norm: normalizes over the trailing dims `normalizedShape` (a number is one dim). */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], o: AffineNormOptions = {}): Tensor {
  const where = "layerNorm";
  checkOptions(where, o, ["weight", "bias", "eps"]);
  checkFloat(where, "input", x);
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new ValueError(`${where}: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
  }
  const tail = x.shape.slice(x.ndim - shape.length);
  if (x.ndim < shape.length || tail.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${where}: input of shape [${x.shape}] does not end in normalizedShape [${shape}]`);
  }
  const weight = checkVector(where, "weight", o.weight, shape), bias = checkVector(where, "bias", o.bias, shape);
  const len = shape.reduce((a, d) => a * d, 1), eps = checkEps(where, o.eps ?? 1e-5);
  const float32 = x.dtype === "float32" && weight?.dtype !== "float64" && bias?.dtype !== "float64";
  const kernels = float32 ? layerNormKernels() : null;
  if (kernels) return layerNormFused(kernels, x, len, weight, bias, eps);
  return segmentNorm(where, x, { segments: x.size / len, len, span: 1, groups: 1 }, weight, bias, eps);
}

/** The elements of a float32 tensor in order: a view of its storage when it is contiguous. */
function float32Data(t: Tensor): Float32Array {
  if (t.dtype !== "float32") return Float32Array.from(t.data);
  return t.isContiguous ? (t.storage as Float32Array).subarray(t.offset, t.offset + t.size) : (t.data as Float32Array);
}

/**
 * float32 on a wasm backend: one kernel call each way over all rows (assembly/f32-layernorm.ts),
 * which keeps each row's mean and rstd for the backward, in float32.
 */
function layerNormFused(k: LayerNormKernels, x: Tensor, len: number, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const rows = x.size / len, xd = float32Data(x);
  const wd = weight ? float32Data(weight) : null, bd = bias ? float32Data(bias) : null;
  const { y, mean, rstd } = k.layerNormForward(rows, len, xd, wd, bd, eps);
  const inputs = [x, weight, bias].filter((t): t is Tensor => t !== null);
  return record(new Tensor(y, "float32", x.shape.slice()), "layerNorm", inputs, (g) => {
    const r = k.layerNormBackward(rows, len, xd, wd, mean, rstd, float32Data(g), weight !== null, bias !== null);
    const grads: Tensor[] = [new Tensor(r.dx, "float32", x.shape.slice())];
    if (weight) grads.push(new Tensor(r.dweight!, "float32", weight.shape.slice()));
    if (bias) grads.push(new Tensor(r.dbias!, "float32", bias.shape.slice()));
    return grads;
  });
}

/** F.group_norm over [N, C, *]: each sample's channels in numGroups groups, a weight per channel. */
export function groupNorm(x: Tensor, numGroups: number, o: AffineNormOptions = {}): Tensor {
  const where = "groupNorm";
  checkOptions(where, o, ["weight", "bias", "eps"]);
  checkFloat(where, "input", x);
  if (x.ndim < 2) throw new ShapeError(`${where}: expected an input of shape [N, C, ...], got [${x.shape}]`);
  const [N, C] = x.shape;
  if (!Number.isSafeInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new ValueError(`${where}: numGroups must be a positive integer dividing the ${C} channels, got ${JSON.stringify(numGroups)}`);
  }
  const weight = checkVector(where, "weight", o.weight, [C]), bias = checkVector(where, "bias", o.bias, [C]);
  const span = x.size / Math.max(1, N * C), len = (C / numGroups) * span;
  return segmentNorm(where, x, { segments: N * numGroups, len, span, groups: numGroups }, weight, bias, checkEps(where, o.eps ?? 1e-5));
}
