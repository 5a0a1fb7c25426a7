// torch.stft with return_complex=False's layout: [(B,) nFft/2+1 (or nFft), frames, 2]. The
// signal is optionally padded by nFft/2 on both sides (a differentiable pad), cut into frames
// `hopLength` apart, each multiplied by the window (zero-padded to nFft, centred) and
// transformed. One recorded op for the framing and transforms, with gradients for the signal and
// the window.
import { boolean, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { pad, record, Tensor } from "../ndarray/index.js";
import { checkOptions } from "../options.js";
import { dftLine } from "./kernel.js";
import { floatDtype, floatTensor } from "./transforms.js";

export interface StftOptions {
  /** Samples between frames (default ⌊nFft/4⌋). */
  hopLength?: number;
  /** The window's length (default nFft), at most nFft; it is zero-padded to nFft, centred. */
  winLength?: number;
  /** A 1-D window of winLength values (default: all ones, PyTorch's rectangular default). */
  window?: Tensor;
  /** Pad nFft/2 samples on both sides, so frame t is centred at t·hopLength (default true). */
  center?: boolean;
  /** How `center` pads: "reflect" (default), "constant", "replicate" or "circular". */
  padMode?: "reflect" | "constant" | "replicate" | "circular";
  /** Multiply by nFft^−1/2 (default false). */
  normalized?: boolean;
  /** Keep only the nFft/2+1 non-redundant bins of a real signal (default true). */
  onesided?: boolean;
}

const PAD_MODES = ["reflect", "constant", "replicate", "circular"];

/** The window's values zero-padded to nFft points, centred (all ones over winLength by default). */
function paddedWindow(where: string, nFft: number, winLength: number, window: unknown, dtype: string): Float64Array {
  const w = new Float64Array(nFft), left = (nFft - winLength) >> 1;
  if (window === undefined) { w.fill(1, left, left + winLength); return w; }
  if (!(window instanceof Tensor)) throw new ValueError(`${where}: window must be a Tensor, got ${typeof window}`);
  if (window.ndim !== 1 || window.shape[0] !== winLength) {
    throw new ShapeError(`${where}: expected a 1-D window of winLength = ${winLength} values, got shape [${window.shape}]`);
  }
  if (window.dtype !== dtype) throw new DTypeError(`${where}: the window is ${window.dtype}, the signal ${dtype}`);
  w.set(window.data, left);
  return w;
}

/** torch.stft(x, nFft, …, return_complex=False) on a signal [L] or a batch [B, L]. */
export function stft(x: Tensor, nFft: number, o: StftOptions = {}): Tensor {
  const where = "stft";
  checkOptions(where, o, ["hopLength", "winLength", "window", "center", "padMode", "normalized", "onesided"]);
  const dtype = floatDtype(where, x);
  if (x.ndim !== 1 && x.ndim !== 2) throw new ShapeError(`${where}: expected a signal [L] or a batch [B, L], got shape [${x.shape}]`);
  positiveInt(where, "nFft", nFft);
  const hop = positiveInt(where, "hopLength", o.hopLength ?? Math.max(1, nFft >> 2));
  const winLength = positiveInt(where, "winLength", o.winLength ?? nFft);
  if (winLength > nFft) throw new ValueError(`${where}: winLength ${winLength} exceeds nFft ${nFft}`);
  const center = boolean(where, "center", o.center ?? true), normalized = boolean(where, "normalized", o.normalized ?? false);
  const onesided = boolean(where, "onesided", o.onesided ?? true), padMode = o.padMode ?? "reflect";
  if (!PAD_MODES.includes(padMode)) throw new ValueError(`${where}: padMode must be one of ${PAD_MODES.join(", ")}, got ${JSON.stringify(padMode)}`);
  const w = paddedWindow(where, nFft, winLength, o.window, dtype);
  const length = x.shape[x.ndim - 1] + (center ? 2 * (nFft >> 1) : 0);
  if (nFft > length) throw new ValueError(`${where}: nFft ${nFft} exceeds the ${center ? "padded " : ""}signal length ${length}`);
  const half = nFft >> 1;
  const padded = center ? pad(x, [half, half], { mode: padMode }) : x;
  const batched = x.ndim === 2 ? padded : padded.reshape([1, length]);
  const out = frames(batched, o.window ?? null, w, nFft, hop, onesided ? half + 1 : nFft, normalized ? 1 / Math.sqrt(nFft) : 1);
  return x.ndim === 2 ? out : out.reshape(out.shape.slice(1));
}

/** The transform of every windowed frame of xs [B, L]: [B, bins, frames, 2]. */
function frames(xs: Tensor, window: Tensor | null, w: Float64Array, nFft: number, hop: number, bins: number, scale: number): Tensor {
  const [B, L] = xs.shape, T = 1 + Math.floor((L - nFft) / hop), xd = xs.data, dtype = xs.dtype as "float32" | "float64";
  const out = new Float64Array(B * bins * T * 2), re = new Float64Array(nFft), im = new Float64Array(nFft);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < nFft; j++) { re[j] = xd[b * L + t * hop + j] * w[j]; im[j] = 0; }
      dftLine(re, im, -1);
      for (let f = 0; f < bins; f++) { const p = ((b * bins + f) * T + t) * 2; out[p] = re[f] * scale; out[p + 1] = im[f] * scale; }
    }
  }
  const inputs = window === null ? [xs] : [xs, window];
  return record(floatTensor(out, dtype, [B, bins, T, 2]), "stft", inputs, (grad) => {
    // Frame t's product p_j = x[t·hop + j]·w_j gets Re(Σ_f g_f e^{+2πifj/n})·scale: the adjoint
    // of the kept bins; then p's gradient splits into x's (times w) and w's (times x).
    const g = grad.data, gx = new Float64Array(B * L), gw = new Float64Array(nFft);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        re.fill(0); im.fill(0);
        for (let f = 0; f < bins; f++) { const p = ((b * bins + f) * T + t) * 2; re[f] = g[p]; im[f] = g[p + 1]; }
        dftLine(re, im, 1);
        for (let j = 0; j < nFft; j++) {
          const gp = re[j] * scale, i = b * L + t * hop + j;
          gx[i] += gp * w[j];
          gw[j] += gp * xd[i];
        }
      }
    }
    const gxT = floatTensor(gx, dtype, [B, L]);
    if (window === null) return [gxT];
    const left = (nFft - window.shape[0]) >> 1;
    return [gxT, floatTensor(gw.slice(left, left + window.shape[0]), dtype, [window.shape[0]])];
  });
}
