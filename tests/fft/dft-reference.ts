// Independent float64 references for the eg.fft tests: the DFT written as its defining double
// sum (O(n²), sharing no code with src/fft), on plain arrays of (re, im) pairs.

export type Norm = "backward" | "forward" | "ortho" | undefined;
export const U64 = 2 ** -53;

/** The factor PyTorch applies to a transform of length n. */
export function scaleOf(norm: Norm, n: number, inverse: boolean): number {
  if (norm === "ortho") return 1 / Math.sqrt(n);
  if (norm === "forward") return inverse ? 1 : 1 / n;
  return inverse ? 1 / n : 1;
}

/** Σ_j x_j e^{sign·2πijk/n}·scale of one line of (re, im) pairs, zero-padded or trimmed to n. */
export function directDft(line: readonly [number, number][], n: number, sign: number, scale: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < n; k++) {
    let re = 0, im = 0;
    for (let j = 0; j < Math.min(n, line.length); j++) {
      // (jk) mod n keeps the angle exact for large products.
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n, c = Math.cos(a), s = Math.sin(a);
      re += line[j][0] * c - line[j][1] * s;
      im += line[j][0] * s + line[j][1] * c;
    }
    out.push([re * scale, im * scale]);
  }
  return out;
}

/** Row-major strides of a shape. */
export const stridesOf = (shape: readonly number[]) => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
};

/**
 * Applies `lineFn` to every line along `dim` of flat data of `shape` whose elements are `width`
 * numbers each (2 for complex, 1 for real), giving lines of `outLen` elements of `outWidth`.
 */
export function alongDim(data: ArrayLike<number>, shape: readonly number[], dim: number, width: number,
                         outLen: number, outWidth: number, lineFn: (line: number[][]) => number[][]): { data: number[]; shape: number[] } {
  const outer = shape.slice(0, dim).reduce((a, b) => a * b, 1), inner = shape.slice(dim + 1).reduce((a, b) => a * b, 1), len = shape[dim];
  const out = new Array<number>(outer * outLen * inner * outWidth).fill(0);
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < inner; s++) {
      const line: number[][] = [];
      for (let k = 0; k < len; k++) {
        const base = ((o * len + k) * inner + s) * width;
        line.push(Array.from({ length: width }, (_, c) => data[base + c]));
      }
      lineFn(line).forEach((v, k) => v.forEach((x, c) => { out[((o * outLen + k) * inner + s) * outWidth + c] = x; }));
    }
  }
  const outShape = shape.slice();
  outShape[dim] = outLen;
  return { data: out, shape: outShape };
}

/** A bound on the float64 error of an FFT of length n: a few log2(n) roundings of Σ|x|·scale. */
export const fftErrorBound = (n: number, sumAbs: number, scale: number) => 8 * (Math.log2(Math.max(n, 2)) + 4) * U64 * sumAbs * scale;
