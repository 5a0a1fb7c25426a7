// Window functions as torch.hann_window, hamming_window and blackman_window define them:
// generalized cosine windows over N = n + 1 points (periodic, for spectral analysis: the default)
// or n points (symmetric), of which the first n are returned.
import { nonNegativeInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";

export interface WindowOptions {
  /** true (default): one period of a window of n + 1 points, the last dropped; false: symmetric. */
  periodic?: boolean;
  dtype?: "float32" | "float64";
}

/** Σ_i (−1)^i a_i cos(2πik/(N−1)) for k < n. */
function cosineWindow(where: string, n: number, o: WindowOptions, coefficients: readonly number[]): Tensor {
  checkOptions(where, o, ["periodic", "dtype"]);
  nonNegativeInt(where, "n", n);
  const periodic = o.periodic ?? true, dtype = o.dtype ?? "float32";
  if (typeof periodic !== "boolean") throw new ValueError(`${where}: periodic must be true or false, got ${String(periodic)}`);
  if (dtype !== "float32" && dtype !== "float64") throw new ValueError(`${where}: dtype must be "float32" or "float64", got ${String(dtype)}`);
  const data = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  // A window of one point is [1], as PyTorch defines it (the formula would divide by zero).
  if (n === 1) data[0] = 1;
  else {
    const span = periodic ? n : n - 1;
    for (let k = 0; k < n; k++) {
      // Summed from the highest harmonic down, as PyTorch does: blackman's ends then cancel to exactly 0.
      let v = 0;
      for (let i = coefficients.length - 1; i >= 0; i--) v += (i % 2 === 0 ? coefficients[i] : -coefficients[i]) * Math.cos((2 * Math.PI * i * k) / span);
      data[k] = v;
    }
  }
  return new Tensor(data, dtype, [n]);
}

/** torch.hann_window: 0.5 − 0.5·cos(2πk/(N−1)). */
export const hannWindow = (n: number, o: WindowOptions = {}): Tensor => cosineWindow("hannWindow", n, o, [0.5, 0.5]);
/** torch.hamming_window with its defaults α = 0.54, β = 0.46: α − β·cos(2πk/(N−1)). */
export const hammingWindow = (n: number, o: WindowOptions = {}): Tensor => cosineWindow("hammingWindow", n, o, [0.54, 0.46]);
/** torch.blackman_window: 0.42 − 0.5·cos(2πk/(N−1)) + 0.08·cos(4πk/(N−1)). */
export const blackmanWindow = (n: number, o: WindowOptions = {}): Tensor => cosineWindow("blackmanWindow", n, o, [0.42, 0.5, 0.08]);
