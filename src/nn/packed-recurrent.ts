// RNN / LSTM / GRU over a PackedSequence: every sequence runs to its own length. The packed steps
// split into runs of equal batch size (the sequences are sorted longest first, so a run's rows are
// the first b of the batch and its packed data is one contiguous block [steps·b, ·]); each run is
// one call of the fused layer-direction node of recurrent-op.ts, started from the states the
// previous run left. Forward in time the batch shrinks: the rows that leave hold their final
// states. Backward in time it grows: each sequence joins with its initial state at its last step,
// and the state after the run at step 0 is every sequence's final one.
import { DTypeError, ShapeError } from "../errors.js";
import { concat, indexSelect, stack, Tensor } from "../ndarray/index.js";
import type { CellKind } from "../backend/index.js";
import { PackedSequence } from "./packed-sequence.js";
import { recurrentDirection } from "./recurrent-op.js";

interface DirectionParams { wIh: Tensor; wHh: Tensor; bIh: Tensor | null; bHh: Tensor | null }

/** What the packed run needs of a recurrent layer. */
export interface PackedStack {
  kind: CellKind;
  numLayers: number;
  directions: number;
  cells: readonly DirectionParams[];
  /** Applied to the input of every layer but the first (dropout in training). */
  betweenLayers: (x: Tensor) => Tensor;
}

/** A run of packed steps [t0, t0 + steps) of `batch` rows each, starting at packed row `row`. */
interface Run { steps: number; batch: number; row: number }

function runsOf(batchSizes: readonly number[]): Run[] {
  const runs: Run[] = [];
  let row = 0;
  for (const b of batchSizes) {
    const last = runs[runs.length - 1];
    if (last && last.batch === b) last.steps++;
    else runs.push({ steps: 1, batch: b, row });
    row += b;
  }
  return runs;
}

const rows = (t: Tensor, lo: number, hi: number) => t.slice([lo, hi]);
const indexTensor = (p: readonly number[]) => new Tensor(Int32Array.from(p), "int32", [p.length]);

interface DirectionResult { out: Tensor; h: Tensor; c: Tensor | null }

/** One layer-direction over the packed data [N, in]: its packed output [N, H] and final states [B, H]. */
function packedDirection(kind: CellKind, p: DirectionParams, data: Tensor, runs: Run[], h0: Tensor, c0: Tensor | null,
                         reverse: boolean): DirectionResult {
  const inSize = data.shape[1], H = h0.shape[1], pieces: Tensor[] = [];
  const step = (run: Run, h: Tensor, c: Tensor | null) => {
    const x = rows(data, run.row, run.row + run.steps * run.batch).reshape([run.steps, run.batch, inSize]);
    const z = recurrentDirection({ kind, reverse, x, h0: h, c0: c, ...p });
    pieces.push(z.slice([0, run.steps]).reshape([run.steps * run.batch, H]));
    return { h: z.slice(reverse ? 0 : run.steps - 1), c: c ? z.slice(run.steps) : null };
  };
  if (!reverse) {
    let h = h0, c = c0;
    const doneH: Tensor[] = [], doneC: Tensor[] = [];
    for (const run of runs) {
      if (run.batch < h.shape[0]) {
        doneH.push(rows(h, run.batch, h.shape[0]));
        h = rows(h, 0, run.batch);
        if (c) { doneC.push(rows(c, run.batch, c.shape[0])); c = rows(c, 0, run.batch); }
      }
      ({ h, c } = step(run, h, c));
    }
    // The rows left in order of leaving: the shortest sequences (the last rows) left first.
    const hN = concat([h, ...doneH.reverse()], 0);
    return { out: concat(pieces, 0), h: hN, c: c ? concat([c, ...doneC.reverse()], 0) : null };
  }
  let h: Tensor | null = null, c: Tensor | null = null;
  for (let r = runs.length - 1; r >= 0; r--) {
    const run = runs[r], have = h ? h.shape[0] : 0;
    const joinH = rows(h0, have, run.batch), joinC = c0 ? rows(c0, have, run.batch) : null;
    const hIn: Tensor = h ? concat([h, joinH], 0) : joinH;
    const cIn: Tensor | null = joinC ? (c ? concat([c, joinC], 0) : joinC) : null;
    ({ h, c } = step(run, hIn, cIn));
  }
  return { out: concat(pieces.reverse(), 0), h: h!, c };
}

/** The packed input checked against the layer: its batch size. */
export function checkPackedInput(name: string, x: PackedSequence, inputSize: number, dtype: string): number {
  const d = x.data;
  if (d.dtype !== dtype) throw new DTypeError(`${name}: the packed data is ${d.dtype}, the layer's weights are ${dtype}`);
  if (d.ndim !== 2 || d.shape[1] !== inputSize) {
    throw new ShapeError(`${name}: the packed data must be [steps, inputSize ${inputSize}], got shape [${d.shape}]`);
  }
  return x.batchSizes[0];
}

/**
 * Every layer and direction over the packed input; h0 (and c0) [L·D, B, H] in the original batch
 * order. Returns the last layer's packed output (same batchSizes and indices as x) and the final
 * states [L·D, B, H], also in the original order.
 */
export function runPacked(s: PackedStack, x: PackedSequence, h0: Tensor, c0: Tensor | null):
    { output: PackedSequence; hN: Tensor; cN: Tensor | null } {
  const runs = runsOf(x.batchSizes);
  const sort = (t: Tensor, p: readonly number[] | null) => (p ? indexSelect(t, 1, indexTensor(p)) : t);
  const hSorted = sort(h0, x.sortedIndices), cSorted = c0 ? sort(c0, x.sortedIndices) : null;
  const hs: Tensor[] = [], cs: Tensor[] = [];
  let input = x.data;
  for (let l = 0; l < s.numLayers; l++) {
    if (l > 0) input = s.betweenLayers(input);
    const outs: Tensor[] = [];
    for (let d = 0; d < s.directions; d++) {
      const i = l * s.directions + d;
      const r = packedDirection(s.kind, s.cells[i], input, runs, hSorted.slice(i), cSorted ? cSorted.slice(i) : null, d === 1);
      outs.push(r.out);
      hs.push(r.h);
      if (r.c) cs.push(r.c);
    }
    input = outs.length === 1 ? outs[0] : concat(outs, 1);
  }
  const output = new PackedSequence(input, x.batchSizes, x.sortedIndices, x.unsortedIndices);
  return {
    output, hN: sort(stack(hs, 0), x.unsortedIndices), cN: c0 ? sort(stack(cs, 0), x.unsortedIndices) : null,
  };
}
