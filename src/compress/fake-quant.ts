// Fake quantization for quantization-aware training: the forward pass sees exactly the values
// the int8 model will compute with, (clamp(round(x/s) + z, qmin, qmax) − z)·s, and the backward
// pass is the straight-through estimator (Bengio et al. 2013): gradient 1 where x fell inside the
// quantization range, 0 where it was clamped (as PyTorch's fake_quantize_per_tensor_affine).
import { DTypeError } from "../errors.js";
import { checkOptions } from "../options.js";
import { fromTypedArray, record, Tensor } from "../ndarray/index.js";
import { asArray, axisLayout, checkQuantDType, checkScales, QRANGE, zeroPointsFor, type QuantDType } from "./quant-checks.js";
import { roundHalfToEven } from "./round.js";

export interface FakeQuantizeOptions {
  /** Per-channel axis when more than one scale is given (default 1, as ONNX). */
  axis?: number;
  dtype?: QuantDType;
}

type Param = number | ArrayLike<number> | Tensor;
// A Tensor scale or zero point (as torch.fake_quantize_per_channel_affine takes) gives its values;
// read as an array it has no length and would pass for zero scales.
const values = (p: Param) => (p instanceof Tensor ? p.data : p);

export function fakeQuantize(x: Tensor, scale: Param, zeroPoint?: Param, o: FakeQuantizeOptions = {}): Tensor {
  checkOptions("fakeQuantize", o, ["axis", "dtype"]);
  if (x.dtype !== "float32") throw new DTypeError(`fakeQuantize: x must be float32, got ${x.dtype}`);
  const dtype = checkQuantDType(o.dtype ?? "int8", "fakeQuantize");
  const s = checkScales(asArray(values(scale)), "fakeQuantize");
  // One zero point per scale: a per-channel scale with fewer zero points would read past them.
  const z = zeroPointsFor(zeroPoint === undefined ? undefined : values(zeroPoint), s.length, dtype, "fakeQuantize");
  const { channels, inner } = axisLayout(x.shape, s.length, o.axis, "fakeQuantize");
  const [lo, hi] = QRANGE[dtype];
  const d = x.data;
  const out = new Float32Array(d.length);
  const pass = new Float32Array(d.length);   // the STE mask
  for (let i = 0; i < d.length; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    const q = roundHalfToEven(Math.fround(d[i] / s[c])) + z[c];
    const inRange = q >= lo && q <= hi;
    pass[i] = inRange ? 1 : 0;
    out[i] = Math.fround((inRange ? q : q < lo ? lo : hi) - z[c]) * s[c];
  }
  const y = fromTypedArray(out, x.shape);
  return record(y, "fakeQuantize", [x], (g) => [g.mul(fromTypedArray(pass, x.shape))]);
}
