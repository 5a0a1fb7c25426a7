// Calibration observers: they watch the float activations entering a layer and give the range
// its static quantization parameters come from (as PyTorch's MinMaxObserver,
// MovingAverageMinMaxObserver and onnxruntime's percentile calibration).
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { Tensor } from "../ndarray/index.js";
import { selectRank } from "./select.js";

export interface Observer {
  /** The built-in observers also take a Tensor (its values), as PyTorch's observers do. */
  observe(x: ArrayLike<number> | Tensor): void;
  /** [min, max] seen (a NaN-free, finite range), or throws if nothing was observed. */
  range(): [number, number];
}

/**
 * The values of x. A Tensor has no length, so read as an array it would be silently empty:
 * "no data observed" after calibrating, or an [∞, −∞] moving average.
 */
function observed(x: ArrayLike<number> | Tensor, where: string): ArrayLike<number> {
  if (x instanceof Tensor) return x.data;
  if (typeof x?.length !== "number") throw new ValueError(`${where}: observe takes an array of numbers or a Tensor, got ${typeof x}`);
  return x;
}

function finiteRange(x: ArrayLike<number>, where: string): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) throw new ValueError(`${where}: calibration activation ${v} at index ${i}`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function empty(where: string): never {
  throw new ValueError(`${where}: no data observed; calibrate with at least one sample`);
}

/** The min and max over everything observed. */
export function minMaxObserver(): Observer {
  let lo = Infinity, hi = -Infinity;
  return {
    observe(t) {
      const x = observed(t, "minMaxObserver");
      if (x.length === 0) return;
      const [a, b] = finiteRange(x, "minMaxObserver");
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    },
    range: () => (lo <= hi ? [lo, hi] : empty("minMaxObserver")),
  };
}

/**
 * Exponential moving average of each batch's min and max (first batch taken as is); c = 0.01 as
 * PyTorch. Every step is rounded to float32 as PyTorch's float32 buffers are, so the range (and
 * the scale from it) is PyTorch's to the bit, not a few ulps off after many batches.
 */
export function movingAverageObserver(o: { averagingConstant?: number } = {}): Observer {
  checkOptions("movingAverageObserver", o, ["averagingConstant"]);
  const c = o.averagingConstant ?? 0.01;
  if (!(c > 0 && c <= 1)) throw new ValueError(`movingAverageObserver: averagingConstant must be in (0, 1], got ${c}`);
  const f = Math.fround, c32 = f(c);
  const step = (v: number, to: number) => f(v + f(c32 * f(to - v)));
  let lo = NaN, hi = NaN;
  return {
    observe(t) {
      const x = observed(t, "movingAverageObserver");
      if (x.length === 0) return;
      const [a, b] = finiteRange(x, "movingAverageObserver");
      if (lo !== lo) { lo = f(a); hi = f(b); }
      else { lo = step(lo, f(a)); hi = step(hi, f(b)); }
    },
    range: () => (lo === lo ? [lo, hi] : empty("movingAverageObserver")),
  };
}

/**
 * The range between the (100 − p)-th and p-th percentiles of all values observed (default p =
 * 99.99): clips rare outliers so the common values get a finer grid. O(n) selection, no sort.
 */
export function percentileObserver(o: { percentile?: number } = {}): Observer {
  checkOptions("percentileObserver", o, ["percentile"]);
  const p = o.percentile ?? 99.99;
  if (!(p > 50 && p <= 100)) throw new ValueError(`percentileObserver: percentile must be in (50, 100], got ${p}`);
  const chunks: Float32Array[] = [];
  return {
    observe(t) {
      const x = observed(t, "percentileObserver");
      finiteRange(x, "percentileObserver");
      chunks.push(Float32Array.from(x));
    },
    range() {
      const n = chunks.reduce((s, c) => s + c.length, 0);
      if (n === 0) empty("percentileObserver");
      const all = new Float32Array(n);
      let at = 0;
      for (const c of chunks) { all.set(c, at); at += c.length; }
      const hiRank = Math.min(n - 1, Math.ceil((p / 100) * n) - 1);
      const loRank = Math.max(0, n - 1 - hiRank);
      return [selectRank(all, loRank), selectRank(all, hiRank)];
    },
  };
}

export type ObserverName = "minmax" | "movingAverage" | "percentile";

export function makeObserver(o: ObserverName | (() => Observer) | undefined): Observer {
  if (typeof o === "function") return o();
  if (o === undefined || o === "minmax") return minMaxObserver();
  if (o === "movingAverage") return movingAverageObserver();
  if (o === "percentile") return percentileObserver();
  throw new ValueError(`quantizeModel: observer must be "minmax", "movingAverage", "percentile" or a factory, got ${JSON.stringify(o)}`);
}
