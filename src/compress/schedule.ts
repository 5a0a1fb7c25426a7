// Pruning schedules (as tensorflow-model-optimization): the target sparsity as a function of
// the optimizer step, and which steps recompute the masks. Between updates the masks only get
// re-applied, so weights pruned earlier stay pruned while the rest keep training.
import { positiveInt } from "../checks.js";
import { ValueError } from "../errors.js";
import { checkOptions } from "../options.js";
import { checkSparsity } from "./prune.js";

export interface PruningSchedule {
  /** Target sparsity at optimizer step `step` (0-based count of steps taken). */
  sparsityAt(step: number): number;
  /** True if the masks are recomputed at this step. */
  updatesAt(step: number): boolean;
}

interface StepWindow {
  beginStep?: number;
  /** Last step that updates the masks; −1 (default for constant) means never stop. */
  endStep?: number;
  /** Steps between mask updates (default 100). */
  frequency?: number;
}

function window(o: StepWindow, where: string, needEnd: boolean): { begin: number; end: number; freq: number } {
  const begin = o.beginStep ?? 0, end = o.endStep ?? -1, freq = o.frequency ?? 100;
  if (!Number.isInteger(begin) || begin < 0) throw new ValueError(`${where}: beginStep must be a non-negative integer, got ${begin}`);
  positiveInt(where, "frequency", freq);
  if (!Number.isInteger(end) || (needEnd ? end <= begin : end !== -1 && end < begin)) {
    throw new ValueError(`${where}: endStep must be an integer ${needEnd ? ">" : "≥"} beginStep (${begin})${needEnd ? "" : " or −1"}, got ${end}`);
  }
  return { begin, end, freq };
}

const updates = (w: { begin: number; end: number; freq: number }) => (step: number) =>
  step >= w.begin && (w.end === -1 || step <= w.end) && ((step - w.begin) % w.freq === 0 || step === w.end);

/** The same sparsity from beginStep on, masks recomputed every `frequency` steps. */
export function constantSparsity(o: { sparsity: number } & StepWindow): PruningSchedule {
  checkOptions("constantSparsity", o, ["sparsity", "beginStep", "endStep", "frequency"]);
  const s = checkSparsity(o?.sparsity, "constantSparsity");
  const w = window(o, "constantSparsity", false);
  return { sparsityAt: (step) => (step >= w.begin ? s : 0), updatesAt: updates(w) };
}

export interface PolynomialDecayOptions extends StepWindow {
  initialSparsity: number;
  finalSparsity: number;
  endStep: number;
  /** Exponent of the decay (Zhu & Gupta 2017 use 3). Default 3. */
  power?: number;
}

/**
 * Zhu & Gupta (2017), "To prune, or not to prune": from beginStep to endStep,
 *   s(t) = s_f + (s_i − s_f) · (1 − (t − t0) / (t1 − t0))^power
 * fast at first, while the network has redundant weights to lose, then slower.
 */
export function polynomialDecay(o: PolynomialDecayOptions): PruningSchedule {
  checkOptions("polynomialDecay", o, ["initialSparsity", "finalSparsity", "beginStep", "endStep", "frequency", "power"]);
  const si = checkSparsity(o?.initialSparsity, "polynomialDecay (initialSparsity)");
  const sf = checkSparsity(o.finalSparsity, "polynomialDecay (finalSparsity)");
  const power = o.power ?? 3;
  if (!(power > 0) || !Number.isFinite(power)) throw new ValueError(`polynomialDecay: power must be positive, got ${power}`);
  const w = window(o, "polynomialDecay", true);
  return {
    sparsityAt(step) {
      if (step < w.begin) return 0;
      const t = Math.min(1, (step - w.begin) / (w.end - w.begin));
      return sf + (si - sf) * (1 - t) ** power;
    },
    updatesAt: updates(w),
  };
}
