/** Round axis ticks, as plotting libraries choose them: steps of 1, 2 or 5 times a power of ten. */

import { ValueError } from "../errors.js";

const MANTISSAS = [1, 2, 5] as const;

/** A step m·10^e (m ∈ {1, 2, 5}), kept as its parts so that ticks are exact decimals. */
interface Step { m: number; e: number }

const stepValue = (s: Step) => (s.e >= 0 ? s.m * 10 ** s.e : s.m / 10 ** -s.e);

/**
 * The i-th multiple of a step, as the double nearest to the decimal i·m·10^e: dividing the
 * integer i·m by an exact power of ten rounds once, so 3 × 0.1 prints as 0.3, not
 * 0.30000000000000004.
 */
const multiple = (i: number, s: Step) => (s.e >= 0 ? i * s.m * 10 ** s.e : (i * s.m) / 10 ** -s.e);

/** The next nice step up: 1 → 2 → 5 → 10 → 20 … */
function larger(s: Step): Step {
  const k = MANTISSAS.indexOf(s.m as 1 | 2 | 5);
  return k < 2 ? { m: MANTISSAS[k + 1], e: s.e } : { m: 1, e: s.e + 1 };
}

/**
 * At most `count` (≥ 3) round ticks covering [min, max]: the first ≤ min, the last ≥ max, evenly
 * spaced by the smallest step of 1, 2 or 5 times a power of ten that needs no more than `count`
 * ticks (and at least `minStep`, e.g. 1 for integer epochs). Ticks are exact decimals of the
 * step, so they print short ("0.3", never "0.30000000000000004"). An empty range (min = max) is
 * widened around its value.
 */
export function niceTicks(min: number, max: number, count: number, minStep = 0): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new ValueError(`niceTicks: [${min}, ${max}] is not a finite range`);
  }
  // Three ticks always suffice (−s, 0, s for a large enough step s); two do not for a range across 0.
  if (!Number.isInteger(count) || count < 3) throw new ValueError(`niceTicks: count must be an integer ≥ 3, got ${count}`);
  if (!(minStep >= 0) || !Number.isFinite(minStep)) throw new ValueError(`niceTicks: minStep must be finite and ≥ 0, got ${minStep}`);
  const magnitude = Math.max(Math.abs(min), Math.abs(max));
  // A range too narrow for its magnitude (or empty) has no distinct round ticks within the
  // precision of a double: widen it around its values.
  if (max - min <= magnitude * 1e-12 || max - min < 1e-280) {
    const pad = magnitude < 1e-280 ? 1 : magnitude / 10;
    [min, max] = [min - pad, max + pad];
  }
  if (!(max - min >= 1e-290 && max - min <= 1e290)) throw new ValueError(`niceTicks: [${min}, ${max}] is too small or too large a range to tick`);
  // Start one decade below the step that would put `count` intervals on the range, then grow.
  let step: Step = { m: 1, e: Math.floor(Math.log10((max - min) / count)) - 1 };
  while (stepValue(step) < minStep) step = larger(step);
  for (;;) {
    let first = Math.floor(min / stepValue(step));
    let last = Math.ceil(max / stepValue(step));
    // The quotients are rounded: make sure the ends still cover the range.
    while (multiple(first, step) > min) first--;
    while (multiple(last, step) < max) last++;
    if (last - first + 1 <= count) return Array.from({ length: last - first + 1 }, (_, i) => multiple(first + i, step));
    step = larger(step);
  }
}

/** Digits after the decimal point that the ticks' step needs, so labels all print alike. */
export function tickDecimals(ticks: readonly number[]): number {
  if (ticks.length < 2) return 0;
  const step = ticks[1] - ticks[0];
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}
