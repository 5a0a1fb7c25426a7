// Local response normalization across channels (AlexNet's), F.local_response_norm /
// LocalResponseNorm with PyTorch's definition: over [N, C, *],
//   y_c = x_c / (k + α/n · Σ_{j=c−⌊n/2⌋}^{c+⌊(n−1)/2⌋} x_j²)^β,
// the window zero-padded at the ends of the channel dim and always divided by n (PyTorch pads
// x² and average-pools it with the padding counted). One pass per channel column in float64,
// rounded once to the input's dtype; the backward, next to it, reuses the forward's sums.
import { finite, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record, Tensor, type FloatArray } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { Module } from "./module.js";

export interface LocalResponseNormOptions {
  /** Multiplies the window's mean square (default 1e-4). */
  alpha?: number;
  /** The exponent (default 0.75). */
  beta?: number;
  /** Added before the power (default 1). */
  k?: number;
}

function checked(where: string, size: unknown, o: LocalResponseNormOptions) {
  checkOptions(where, o, ["alpha", "beta", "k"]);
  return {
    size: positiveInt(where, "size", size),
    alpha: finite(where, "alpha", o.alpha ?? 1e-4), beta: finite(where, "beta", o.beta ?? 0.75), k: finite(where, "k", o.k ?? 1),
  };
}

/** F.local_response_norm(x, size, { alpha, beta, k }) over an input of at least 3 dims [N, C, *]. */
export function localResponseNorm(x: Tensor, size: number, o: LocalResponseNormOptions = {}): Tensor {
  const where = "localResponseNorm";
  const { alpha, beta, k } = checked(where, size, o);
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: input must be a Tensor`);
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${where}: needs a float32 or float64 input, got ${x.dtype}`);
  if (x.ndim < 3) throw new ShapeError(`${where}: expected an input of at least 3 dims [N, C, *], got shape [${x.shape}]`);
  if (x.size === 0) return x;
  const N = x.shape[0], C = x.shape[1], S = x.size / (N * C);
  const before = Math.floor(size / 2), after = Math.floor((size - 1) / 2), coef = alpha / size;
  const xd = x.data, n = x.size;
  // d = k + α/n·Σ x² over the window, and d^β, per element: the backward needs both.
  const d = new Float64Array(n), dPow = new Float64Array(n);
  const y: FloatArray = x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  for (let b = 0; b < N; b++) {
    for (let s = 0; s < S; s++) {
      const base = b * C * S + s;
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let j = Math.max(0, c - before), end = Math.min(C - 1, c + after); j <= end; j++) { const v = xd[base + j * S]; sum += v * v; }
        const i = base + c * S;
        d[i] = k + coef * sum;
        dPow[i] = Math.pow(d[i], beta);
        y[i] = xd[i] / dPow[i];
      }
    }
  }
  return record(new Tensor(y, x.dtype, x.shape.slice()), where, [x], (grad) => {
    // dy_c/dx_j = δ_cj / d_c^β − 2αβ/n · x_c·x_j / d_c^(β+1) for j in c's window, so
    // gx_j = g_j / d_j^β − 2αβ/n · x_j · Σ_{c : j in c's window} g_c·x_c / (d_c^β·d_c),
    // the channels c from j − ⌊(n−1)/2⌋ to j + ⌊n/2⌋.
    const g = grad.data, gx: FloatArray = x.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    const t = new Float64Array(C), f = (2 * alpha * beta) / size;
    for (let b = 0; b < N; b++) {
      for (let s = 0; s < S; s++) {
        const base = b * C * S + s;
        for (let c = 0; c < C; c++) { const i = base + c * S; t[c] = (g[i] * xd[i]) / (dPow[i] * d[i]); }
        for (let j = 0; j < C; j++) {
          let sum = 0;
          for (let c = Math.max(0, j - after), end = Math.min(C - 1, j + before); c <= end; c++) sum += t[c];
          const i = base + j * S;
          gx[i] = g[i] / dPow[i] - f * xd[i] * sum;
        }
      }
    }
    return [new Tensor(gx, x.dtype, x.shape.slice())];
  });
}

/** torch.nn.LocalResponseNorm(size, { alpha, beta, k }). */
export class LocalResponseNorm extends Module {
  static readonly typeName: string = "LocalResponseNorm";
  readonly alpha: number;
  readonly beta: number;
  readonly k: number;
  constructor(readonly size: number, o: LocalResponseNormOptions = {}) {
    super();
    ({ alpha: this.alpha, beta: this.beta, k: this.k } = checked("LocalResponseNorm", size, o));
  }
  forward(x: Tensor): Tensor { return localResponseNorm(x, this.size, { alpha: this.alpha, beta: this.beta, k: this.k }); }
}
