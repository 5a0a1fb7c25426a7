// The masks of MultiheadAttention merged into the one additive mask the attention kernel reads:
// boolean masks (true = masked) become −∞, float masks are added as they are, and a key padding
// mask [N, S] is spread over its batch item's heads and rows, as PyTorch merges them.
import { DTypeError, ShapeError } from "../errors.js";
import type { Tensor } from "../ndarray/index.js";

export interface MergedMask {
  /** Additive values, [l, s] per block. */
  values: Float64Array;
  /** Elements between consecutive blocks' masks: 0 when one [l, s] mask serves every block. */
  stride: number;
}

function additive(where: string, name: string, m: Tensor): Float64Array {
  const d = m.data;
  if (m.dtype === "bool") return Float64Array.from(d, (b) => (b ? -Infinity : 0));
  if (m.dtype === "float32" || m.dtype === "float64") return Float64Array.from(d);
  throw new DTypeError(`${where}: ${name} must be a bool (true = masked) or float (added) tensor, got ${m.dtype}`);
}

/**
 * attnMask [l, s] or [n·heads, l, s] and keyPaddingMask [n, s] (either may be null) as one
 * additive mask over the n·heads blocks; null when both are null.
 */
export function mergeMasks(where: string, attnMask: Tensor | null, keyPadding: Tensor | null,
                           n: number, heads: number, l: number, s: number): MergedMask | null {
  if (!attnMask && !keyPadding) return null;
  let base: Float64Array | null = null, baseStride = 0;
  if (attnMask) {
    const ok2 = attnMask.ndim === 2 && attnMask.shape[0] === l && attnMask.shape[1] === s;
    const ok3 = attnMask.ndim === 3 && attnMask.shape[0] === n * heads && attnMask.shape[1] === l && attnMask.shape[2] === s;
    if (!ok2 && !ok3) {
      throw new ShapeError(`${where}: attnMask must be [${l}, ${s}] or [${n * heads}, ${l}, ${s}] (batch·heads, target, source), got [${attnMask.shape}]`);
    }
    base = additive(where, "attnMask", attnMask);
    baseStride = ok3 ? l * s : 0;
  }
  if (!keyPadding) return { values: base!, stride: baseStride };
  if (keyPadding.ndim !== 2 || keyPadding.shape[0] !== n || keyPadding.shape[1] !== s) {
    throw new ShapeError(`${where}: keyPaddingMask must be [${n}, ${s}] (batch, source), got [${keyPadding.shape}]`);
  }
  const pad = additive(where, "keyPaddingMask", keyPadding);
  const blocks = n * heads, values = new Float64Array(blocks * l * s);
  for (let b = 0; b < blocks; b++) {
    const row = Math.floor(b / heads) * s;
    for (let i = 0; i < l; i++) {
      const o = (b * l + i) * s, mo = b * baseStride + i * s;
      for (let j = 0; j < s; j++) values[o + j] = pad[row + j] + (base ? base[mo + j] : 0);
    }
  }
  return { values, stride: l * s };
}
