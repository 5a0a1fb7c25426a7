import type { TypedArray } from "./dtype.js";
import { contiguousStrides, sizeOf, type Shape } from "./shape.js";

/**
 * Strided iteration shared by every elementwise op and copy: the operands' strides are aligned
 * to the output shape (0 on broadcast dims), adjacent dims that are contiguous in every operand
 * are merged, and a callback runs once per innermost row — so a contiguous op is a single row
 * and the per-element loops stay tight and monomorphic inside the callers.
 */

/** Strides of `shape`-sized view over a tensor of `srcShape`/`srcStrides` broadcast to `shape`. */
export function broadcastStrides(srcShape: Shape, srcStrides: readonly number[], shape: Shape): number[] {
  const out = new Array<number>(shape.length).fill(0);
  const lead = shape.length - srcShape.length;
  for (let i = 0; i < srcShape.length; i++) out[lead + i] = srcShape[i] === 1 ? 0 : srcStrides[i];
  return out;
}

/** Merges dims that every operand walks contiguously; drops size-1 dims. */
export function coalesce(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => (outStrides[k][last] = s[d]));
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(1));
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Calls `row(offsets, n, innerStrides)` for every innermost row of `shape`, where offsets[k] is
 * operand k's element offset at the row's start. `offsets` is reused between calls.
 */
export function forEachRow(shape: Shape, strides: readonly (readonly number[])[], starts: readonly number[],
                           row: (offsets: number[], n: number, inner: number[]) => void): void {
  const size = sizeOf(shape);
  if (size === 0) return;
  const { shape: s, strides: st } = coalesce(shape, strides);
  const nd = s.length;
  const n = s[nd - 1];
  const inner = st.map((x) => x[nd - 1]);
  const offsets = starts.slice();
  const index = new Array<number>(nd).fill(0);
  const rows = size / n;
  for (let r = 0; r < rows; r++) {
    row(offsets, n, inner);
    // Advance the odometer over the outer dims, updating every operand's offset incrementally.
    for (let d = nd - 2; d >= 0; d--) {
      index[d]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += st[k][d];
      if (index[d] < s[d]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= st[k][d] * s[d];
      index[d] = 0;
    }
  }
}

/** Copies a strided view into `dst` (contiguous, row-major) — converting dtype on the way. */
export function copyStrided(src: TypedArray, shape: Shape, strides: readonly number[], offset: number,
                            dst: TypedArray): void {
  forEachRow(shape, [strides, contiguousStrides(shape)], [offset, 0], (off, n, inner) => {
    const si = inner[0];
    let p = off[0];
    const o = off[1];
    if (si === 1) {
      for (let j = 0; j < n; j++) dst[o + j] = src[p + j];
    } else {
      for (let j = 0; j < n; j++, p += si) dst[o + j] = src[p];
    }
  });
}
