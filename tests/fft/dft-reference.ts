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

/**
 * The full length-n spectrum whose first ⌊n/2⌋+1 entries are `line`'s (zero-padded or trimmed),
 * the rest their conjugate mirrors; the imaginary parts of the self-conjugate entries (zero, and
 * n/2 for even n) are dropped, as irfft and hfft drop them.
 */
export function hermitianExtension(line: readonly [number, number][], n: number): [number, number][] {
  const full: [number, number][] = [];
  for (let k = 0; k < n; k++) {
    const mirror = k <= n / 2 ? k : n - k, v = line[mirror] ?? [0, 0];
    const selfConjugate = mirror === 0 || 2 * mirror === n;
    full.push([v[0], selfConjugate ? 0 : k <= n / 2 ? v[1] : -v[1]]);
  }
  return full;
}

/** Σ_k X_k e^{sign·2πikt/n}·scale of the Hermitian extension of `line`, real parts as one-element rows. */
export const hermitianToReal = (line: readonly [number, number][], n: number, sign: number, scale: number): number[][] =>
  directDft(hermitianExtension(line, n), n, sign, scale).map(([re]) => [re]);

/** The first ⌊n/2⌋+1 entries of Σ_t x_t e^{sign·2πikt/n}·scale of a real line (one-element rows). */
export const realToHalf = (line: readonly number[][], n: number, sign: number, scale: number): [number, number][] =>
  directDft(line.map(([v]) => [v, 0]), n, sign, scale).slice(0, (n >> 1) + 1);

/** A flat tensor and its shape, as alongDim gives them. */
export type Flat = { data: number[]; shape: number[] };

/** The complex DFT of sign `sign` along each of `dims` in turn, each to its size and scaled by its own factor. */
export function complexPasses(x: Flat, dims: readonly number[], sizes: readonly number[], sign: number, norm: Norm): Flat {
  return dims.reduce((y, dim, i) => alongDim(y.data, y.shape, dim, 2, sizes[i], 2,
    (line) => directDft(line as [number, number][], sizes[i], sign, scaleOf(norm, sizes[i], sign > 0))), x);
}
