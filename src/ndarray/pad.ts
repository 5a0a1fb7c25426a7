import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { full } from "./creation.js";
import { checkFillValue } from "./fill-value.js";
import { indexSelect } from "./indexing.js";
import { concat } from "./join.js";
import { Tensor } from "./tensor.js";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";
const MODES: readonly PadMode[] = ["constant", "reflect", "replicate", "circular"];

export interface PadOptions {
  /** How the border is filled (default "constant"). */
  mode?: PadMode;
  /** The fill value of "constant" mode (default 0). */
  value?: number;
}

/**
 * Pads x as torch.nn.functional.pad: `pad` lists (before, after) pairs starting from the LAST
 * dim — [left, right] pads the last dim, [left, right, top, bottom] the last two. "constant"
 * fills with `value` (negative amounts crop, in every mode but "circular"); "reflect" mirrors
 * without repeating the edge (amount < size); "replicate" repeats the edge; "circular" wraps
 * around (amount ≤ size).
 * Non-constant modes gather rows by index, so their backward sums into the mirrored entries.
 */
export function pad(x: Tensor, padding: readonly number[], o: PadOptions = {}): Tensor {
  checkOptions("pad", o, ["mode", "value"]);
  const mode = o.mode ?? "constant";
  if (!MODES.includes(mode)) throw new ValueError(`pad: unknown mode ${JSON.stringify(mode)}; expected one of ${MODES.join(", ")}`);
  if (o.value !== undefined && typeof o.value !== "number") throw new DTypeError(`pad: value must be a number, got ${typeof o.value}`);
  if (mode !== "constant" && o.value !== undefined && o.value !== 0) {
    throw new ValueError(`pad: mode "${mode}" takes no fill value (got ${o.value})`);
  }
  checkFillValue("pad", o.value ?? 0, x.dtype);
  if (!Array.isArray(padding) || padding.length % 2 !== 0 || padding.some((p) => !Number.isInteger(p))) {
    throw new ValueError(`pad: padding must be an even-length list of integers, got [${String(padding)}]`);
  }
  if (padding.length / 2 > x.ndim) {
    throw new ShapeError(`pad: ${padding.length / 2} padded dims for a tensor of ${x.ndim} dimensions (shape [${x.shape}])`);
  }
  const dims = padding.length / 2;
  for (let i = 0; i < dims; i++) checkAmounts(x, x.ndim - 1 - i, padding[2 * i], padding[2 * i + 1], mode);
  let y = x;
  for (let i = 0; i < dims; i++) {
    const d = x.ndim - 1 - i;
    const [before, after] = [padding[2 * i], padding[2 * i + 1]];
    if (before === 0 && after === 0) continue;
    y = mode === "constant" ? padConstant(y, d, before, after, o.value ?? 0) : indexSelect(y, d, sourceIndex(y.shape[d], before, after, mode));
  }
  return y;
}

function checkAmounts(x: Tensor, d: number, before: number, after: number, mode: PadMode): void {
  const n = x.shape[d];
  if (mode === "constant") {
    if (n + before + after < 0) throw new ShapeError(`pad: padding (${before}, ${after}) of dimension ${d} (size ${n}) leaves a negative size`);
    // A negative amount crops its own end, before any padding is added: it cannot remove more than there is.
    if (Math.max(0, -before) + Math.max(0, -after) > n) {
      throw new ShapeError(`pad: padding (${before}, ${after}) crops more than the ${n} entries of dimension ${d}`);
    }
    return;
  }
  // reflect and replicate index the input as if uncropped, so a negative amount crops what the
  // positive one mirrored or repeated (PyTorch's kernels do the same); PyTorch 1.13's circular
  // mode reads outside its input then, so it is refused.
  if (mode === "circular" && (before < 0 || after < 0)) throw new ValueError(`pad: mode "circular" needs non-negative padding, got (${before}, ${after}) for dimension ${d}`);
  if (n + before + after < 0) throw new ShapeError(`pad: padding (${before}, ${after}) of dimension ${d} (size ${n}) leaves a negative size`);
  if (mode === "replicate") {
    if (n === 0 && before + after > 0) throw new ShapeError(`pad: mode "replicate" cannot pad dimension ${d} of size 0`);
    return;
  }
  // reflect mirrors around the edge element, so it can add at most n − 1; circular wraps once.
  const limit = mode === "reflect" ? n - 1 : n;
  if (before > limit || after > limit) {
    throw new ShapeError(`pad: mode "${mode}" padding (${before}, ${after}) must be ${mode === "reflect" ? "less than" : "at most"} the size ${n} of dimension ${d}`);
  }
}

/** Which input position each output position of a padded dim reads, for the index-based modes. */
function sourceIndex(n: number, before: number, after: number, mode: PadMode): Tensor {
  const m = n + before + after;
  const idx = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const i = j - before;
    if (mode === "replicate") idx[j] = Math.min(Math.max(i, 0), n - 1);
    else if (mode === "circular") idx[j] = ((i % n) + n) % n;
    else idx[j] = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
  }
  return new Tensor(idx, "int32", [m]);
}

function padConstant(x: Tensor, d: number, before: number, after: number, value: number): Tensor {
  const n = x.shape[d];
  const kept = x.slice(...x.shape.map((_, i) => (i === d ? [Math.max(0, -before), n - Math.max(0, -after)] as const : null)));
  const block = (size: number) => full(x.shape.map((s, i) => (i === d ? size : s)), value, { dtype: x.dtype });
  const parts = [...(before > 0 ? [block(before)] : []), kept, ...(after > 0 ? [block(after)] : [])];
  return parts.length === 1 ? kept.contiguous() : concat(parts, d);
}
