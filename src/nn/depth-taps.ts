// The depth axis of a 3-d convolution moved into the batch and the channels, so that the 2-d
// convolution kernels (conv.ts, conv-transpose.ts) compute it: the "vol2col" of the depth axis
// alone, the height and width taps staying implicit in the 2-d kernels. unfoldDepth copies, for
// every output depth p and kernel tap kd, the input slice at depth p·stride − padFront + kd·dilation
// (zeros where that lies in the padding) into channel (group, kd, channel in group) of image
// (n, p); foldDepth is its adjoint, summing those channels back into their slices. Each is the
// other's backward, and both move whole H×W planes.
import { record, Tensor } from "../ndarray/index.js";
import { allocate } from "../ndarray/dtype.js";

/** Where the depth taps of a 3-d (or transposed 3-d) convolution fall. */
export interface DepthTaps {
  readonly groups: number;
  /** Channels per group of the volume side. */
  readonly perGroup: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  /** Zeros before the first slice (the front padding). */
  readonly padFront: number;
  /** Depth positions of the image side: the output depth of a conv3d, the input depth of a transposed one. */
  readonly positions: number;
  /** Depth of the volume side. */
  readonly depth: number;
}

type Floats = Float32Array | Float64Array;
/** Zeroed storage of a float dtype (the ops check their operands are float before coming here). */
const zeroed = (dtype: Tensor["dtype"], n: number): Floats => allocate(dtype, n) as Floats;

/** The one loop of both directions: slices volume → images when toImages, else summed back (volume zeroed). */
function moveSlices(volume: Floats, images: Floats, batch: number, t: DepthTaps, plane: number, toImages: boolean): void {
  const channels = t.groups * t.perGroup, imageChannels = t.groups * t.kernel * t.perGroup;
  for (let n = 0; n < batch; n++) {
    for (let p = 0; p < t.positions; p++) {
      const imageBase = (n * t.positions + p) * imageChannels;
      for (let g = 0; g < t.groups; g++) {
        for (let kd = 0; kd < t.kernel; kd++) {
          const d = p * t.stride - t.padFront + kd * t.dilation;
          if (d < 0 || d >= t.depth) continue;
          for (let c = 0; c < t.perGroup; c++) {
            const src = ((n * channels + g * t.perGroup + c) * t.depth + d) * plane;
            const dst = (imageBase + (g * t.kernel + kd) * t.perGroup + c) * plane;
            if (toImages) images.set(volume.subarray(src, src + plane), dst);
            else for (let j = 0; j < plane; j++) volume[src + j] += images[dst + j];
          }
        }
      }
    }
  }
}

/**
 * x [N, G·perGroup, depth, H, W] → [N·positions, G·kernel·perGroup, H, W]: image (n, p), channel
 * (g, kd, c) is x[n, g·perGroup + c, p·stride − padFront + kd·dilation], zero in the padding.
 */
export function unfoldDepth(x: Tensor, t: DepthTaps): Tensor {
  const [batch, , , h, w] = x.shape, plane = h * w;
  const images = zeroed(x.dtype, batch * t.positions * t.groups * t.kernel * t.perGroup * plane);
  moveSlices(x.data as Floats, images, batch, t, plane, true);
  const out = new Tensor(images, x.dtype, [batch * t.positions, t.groups * t.kernel * t.perGroup, h, w]);
  const shape = x.shape.slice(), size = x.size;
  return record(out, "unfoldDepth", [x], (g) => {
    const volume = zeroed(g.dtype, size);
    moveSlices(volume, g.data as Floats, batch, t, plane, false);
    return [new Tensor(volume, g.dtype, shape)];
  });
}

/**
 * The adjoint of unfoldDepth: z [batch·positions, G·kernel·perGroup, H, W] summed into
 * [batch, G·perGroup, depth, H, W] (a transposed 3-d convolution's depth scatter).
 */
export function foldDepth(z: Tensor, t: DepthTaps, batch: number): Tensor {
  const [, , h, w] = z.shape, plane = h * w;
  const volume = zeroed(z.dtype, batch * t.groups * t.perGroup * t.depth * plane);
  moveSlices(volume, z.data as Floats, batch, t, plane, false);
  const out = new Tensor(volume, z.dtype, [batch, t.groups * t.perGroup, t.depth, h, w]);
  const shape = z.shape.slice(), size = z.size;
  return record(out, "foldDepth", [z], (g) => {
    const images = zeroed(g.dtype, size);
    moveSlices(g.data as Floats, images, batch, t, plane, true);
    return [new Tensor(images, g.dtype, shape)];
  });
}
