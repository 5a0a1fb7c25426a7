import { ValueError } from "../errors.js";
import type { DType } from "./dtype.js";

// The integer dtypes' ranges; float and bool dtypes hold any number (bool as nonzero).
const INT_RANGE: Partial<Record<DType, readonly [number, number]>> = { int32: [-(2 ** 31), 2 ** 31 - 1], int8: [-128, 127], uint8: [0, 255] };

/**
 * Refuses a fill value an integer tensor cannot hold (NaN, ±∞, out of range), which a cast would
 * silently turn into 0 or wrap; PyTorch refuses it too ("cannot be converted … without
 * overflow"). A fraction in range truncates, as PyTorch's fill does. Its own module: full(),
 * maskedFill and pad share it without pulling each other in.
 */
export function checkFillValue(where: string, value: number, dtype: DType): void {
  const range = INT_RANGE[dtype];
  if (range && !(value >= range[0] && value <= range[1])) {
    throw new ValueError(`${where}: value ${value} cannot be stored in ${dtype} (range ${range[0]} to ${range[1]})`);
  }
}
