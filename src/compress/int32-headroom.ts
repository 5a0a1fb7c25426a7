// Room for the bias in the int8 kernels' int32 accumulator. The kernels (and ONNX's
// MatMulInteger/ConvInteger → Add) compute Σ (q − z)·w + round(b / fround(s_x·s_w)) in int32: when
// a bias is large next to s_x·s_w (tiny weights and inputs, a large bias) the quantized bias
// alone can pass 2³¹ − 1, and bias plus accumulator wraps, giving a confident wrong answer.
// As onnxruntime's quantizer does, such a channel's weight scale is enlarged until its quantized
// bias fits; here the bias must also leave room for the largest accumulator the channel's weights
// can produce, so nothing saturates or wraps. Channels that already fit keep their scale (and
// every bit of their results).
import { quantizeLinearArray } from "./quantize-linear.js";
import { roundHalfToEven } from "./round.js";

const INT32_MAX = 2147483647;

/** Σ|w| of each output channel (weights channel-major, `perChannel` each): the accumulator's bound per unit of |q − z|. */
export function channelAbsSums(w: Int8Array, channels: number): Float64Array {
  const perChannel = channels === 0 ? 0 : w.length / channels;
  const out = new Float64Array(channels);
  for (let j = 0; j < channels; j++) {
    let s = 0;
    for (let t = j * perChannel; t < (j + 1) * perChannel; t++) s += Math.abs(w[t]);
    out[j] = s;
  }
  return out;
}

/** The largest |q − z| of a uint8 input with zero point z. */
const inputReach = (zeroPoint: number) => Math.max(zeroPoint, 255 - zeroPoint);

/**
 * Whether bias b, quantized for scales sx·sw (as accumulatorBias does), plus the largest
 * accumulator absSum·reach stays within int32. A bias that rounds to 0 adds nothing to fit.
 */
function fits(b: number, sx: number, sw: number, absSum: number, reach: number): boolean {
  const q = roundHalfToEven(b / Math.fround(sx * sw));
  return q === 0 || Math.abs(q) + absSum * reach <= INT32_MAX;
}

/**
 * Static input quantization: enlarges, in place, the weight scale of every channel whose bias
 * would not fit (and requantizes that channel's int8 weights from the float ones), before the
 * weights are packed. `weight` is channel-major like `values`.
 */
export function fitBiasByWeightScale(weight: ArrayLike<number>, values: Int8Array, scale: Float32Array, bias: Float32Array | null,
                                     input: { scale: number; zeroPoint: number }): void {
  if (!bias) return;
  const channels = scale.length, len = values.length / channels, reach = inputReach(input.zeroPoint);
  const absSums = channelAbsSums(values, channels);
  for (let j = 0; j < channels; j++) {
    let s = scale[j], q = values.subarray(j * len, (j + 1) * len), absSum = absSums[j];
    while (!fits(bias[j], input.scale, s, absSum, reach)) {
      // The smallest scale whose quantized bias fits beside the current bound (the bound only
      // shrinks as the scale grows: |round(w/s)| is non-increasing in s), nudged up one float32
      // step at least so the loop always moves; with no room at all, double.
      const room = INT32_MAX - absSum * reach;
      const want = room > 0 ? Math.abs(bias[j]) / (input.scale * room) : 2 * s;
      s = Math.max(Math.fround(want * (1 + 2 ** -22)), Math.fround(s * (1 + 2 ** -22)));
      q = quantizeLinearArray(Array.prototype.slice.call(weight, j * len, (j + 1) * len) as number[], [len], s, 0, { dtype: "int8" }) as Int8Array;
      absSum = channelAbsSums(q, 1)[0];
    }
    if (s !== scale[j]) {
      scale[j] = s;
      values.set(q, j * len);
    }
  }
}

/**
 * Dynamic input quantization: the weights are packed once, so the input scale gives way
 * instead. Returns the batch's scale doubled (the zero point unchanged, so the range only
 * widens) as few times as makes every channel's bias fit; the scale itself when they all do.
 */
export function fitBiasByInputScale(inputScale: number, zeroPoint: number, bias: Float32Array | null, weightScale: Float32Array,
                                    absSums: Float64Array): number {
  if (!bias) return inputScale;
  const reach = inputReach(zeroPoint);
  let sx = inputScale;
  for (let j = 0; j < bias.length; j++) {
    while (!fits(bias[j], sx, weightScale[j], absSums[j], reach)) sx *= 2;
  }
  return sx;
}
