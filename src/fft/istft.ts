// torch.istft of the return_complex=False layout [(B,) bins, frames, 2]: each frame's inverse real
// transform (irfft of its first nFft/2+1 bins, as PyTorch does for real output), multiplied by the
// window, overlap-added (F.fold, col2im) and divided by the overlap-added squared window. Built
// from differentiable ops, so gradients reach the spectrum and the window.
import { boolean, positiveInt } from "../checks.js";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { full, pad, Tensor } from "../ndarray/index.js";
import { fold } from "../nn/fold.js";
import { checkOptions } from "../options.js";
import { floatDtype, irfft } from "./transforms.js";

export interface IstftOptions {
  /** Default ⌊nFft/4⌋. */
  hopLength?: number;
  /** Default nFft. */
  winLength?: number;
  /** Default: all ones. */
  window?: Tensor;
  /** Whether the stft padded nFft/2 on both sides, which is cut off again (default true). */
  center?: boolean;
  /** Whether the stft scaled by nFft^−1/2 (default false). */
  normalized?: boolean;
  /** Whether the input holds nFft/2+1 bins (default: unless it holds nFft). */
  onesided?: boolean;
  /** The output length: trimmed, or zero-padded at the end (default: all the frames cover). */
  length?: number;
}

function windowOver(where: string, nFft: number, winLength: number, window: unknown, dtype: "float32" | "float64"): Tensor {
  if (window === undefined) return pad(full([winLength], 1, { dtype }), [(nFft - winLength) >> 1, nFft - winLength - ((nFft - winLength) >> 1)]);
  if (!(window instanceof Tensor)) throw new ValueError(`${where}: window must be a Tensor, got ${typeof window}`);
  if (window.ndim !== 1 || window.shape[0] !== winLength) throw new ShapeError(`${where}: expected a 1-D window of winLength = ${winLength} values, got shape [${window.shape}]`);
  if (window.dtype !== dtype) throw new DTypeError(`${where}: the window is ${window.dtype}, the spectrum ${dtype}`);
  const left = (nFft - winLength) >> 1;
  return pad(window, [left, nFft - winLength - left]);
}

/** torch.istft(x, nFft, …) for x [bins, frames, 2] or [B, bins, frames, 2]: the signal [(B,) L]. */
export function istft(x: Tensor, nFft: number, o: IstftOptions = {}): Tensor {
  const where = "istft";
  checkOptions(where, o, ["hopLength", "winLength", "window", "center", "normalized", "onesided", "length"]);
  const dtype = floatDtype(where, x);
  if ((x.ndim !== 3 && x.ndim !== 4) || x.shape[x.ndim - 1] !== 2) throw new ShapeError(`${where}: expected [bins, frames, 2] or [B, bins, frames, 2], got shape [${x.shape}]`);
  positiveInt(where, "nFft", nFft);
  const spec = x.ndim === 4 ? x : x.reshape([1, ...x.shape]), [B, bins, T] = spec.shape;
  const onesided = boolean(where, "onesided", o.onesided ?? bins !== nFft);
  if (bins !== (onesided ? (nFft >> 1) + 1 : nFft)) throw new ShapeError(`${where}: ${onesided ? "a one-sided" : "a two-sided"} spectrum of nFft ${nFft} has ${onesided ? (nFft >> 1) + 1 : nFft} bins, got ${bins} (shape [${x.shape}])`);
  const hop = positiveInt(where, "hopLength", o.hopLength ?? Math.max(1, nFft >> 2)), winLength = positiveInt(where, "winLength", o.winLength ?? nFft);
  if (winLength > nFft) throw new ValueError(`${where}: winLength ${winLength} exceeds nFft ${nFft}`);
  const center = boolean(where, "center", o.center ?? true), normalized = boolean(where, "normalized", o.normalized ?? false);
  const length = o.length === undefined ? undefined : positiveInt(where, "length", o.length);
  const w = windowOver(where, nFft, winLength, o.window, dtype), covered = nFft + hop * (T - 1);
  const start = center ? nFft >> 1 : 0, end = Math.min(covered, length !== undefined ? start + length : center ? covered - (nFft >> 1) : covered);
  // irfft reads the first nFft/2+1 bins of a two-sided spectrum, as PyTorch does for a real result.
  const frames = irfft(spec, { n: nFft, dim: 1, norm: normalized ? "ortho" : "backward" }).mul(w.reshape([nFft, 1]));
  const overlap = (cols: Tensor) => fold(cols, [1, covered], [1, nFft], { stride: [1, hop] }).reshape([cols.shape[0], covered]);
  const envelope = overlap(w.mul(w).reshape([1, nFft, 1]).mul(full([1, 1, T], 1, { dtype }))).slice([0, 1], [start, end]);
  const smallest = Math.min(...Array.from(envelope.data as ArrayLike<number>, Math.abs));
  if (!(smallest >= 1e-11)) throw new ValueError(`${where}: the window's overlap-add falls to ${smallest} (< 1e-11) inside the output: nFft ${nFft}, hopLength ${hop}, winLength ${winLength} cannot be inverted (NOLA)`);
  let y = overlap(frames).slice([0, B], [start, end]).div(envelope);
  if (length !== undefined && y.shape[1] < length) y = pad(y, [0, length - y.shape[1]]);
  return x.ndim === 4 ? y : y.reshape([y.shape[1]]);
}
