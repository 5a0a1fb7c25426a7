// Float32Arrays for a training step's internal results, handed out again in the next step. Each
// step of fit allocates the same arrays anew (a convolution's output, the gradient one layer passes
// to the one before): 5.1 MB a batch for the Fashion-MNIST CNN. V8 answers that much fresh
// external memory with a full collection every few batches, whose concurrent marking then runs on
// the core a pool worker needs (bench/RESULTS-threads.md). fit opens a step only for a model that
// keeps nothing of a step past its end (src/nn/step-safe.ts), and closes it after the backward:
// the step's tensors are then read only by fit's last lines of that step (its correct count) and
// reachable from nothing once it returns, and their arrays serve the next step's forward. With no
// step open every site gets a fresh array, as before.

/** The arrays of one fit: free ones by length, and those handed out in the open step. */
export interface StepArrays {
  readonly free: Map<number, Float32Array[]>;
  readonly taken: Float32Array[];
}

let open: StepArrays | null = null;

/** Arrays handed out in open steps: fresh, and reused from an earlier step (read by the tests). */
export const stepArrayCounts = { fresh: 0, reused: 0 };

export const newStepArrays = (): StepArrays => ({ free: new Map(), taken: [] });

/**
 * A Float32Array of `n` elements, for a site that writes every element and whose tensor no one
 * outside the library reads past the step: one from the open step's pool, or fresh.
 */
export function stepArray(n: number): Float32Array {
  if (open === null) return new Float32Array(n);
  const reused = open.free.get(n)?.pop();
  const a = reused ?? new Float32Array(n);
  if (reused) stepArrayCounts.reused++;
  else stepArrayCounts.fresh++;
  open.taken.push(a);
  return a;
}

/** A copy of `view` (a result in wasm memory) in a step array, as stepArray's sites take one. */
export function stepCopy(view: Float32Array): Float32Array {
  const out = stepArray(view.length);
  out.set(view);
  return out;
}

/** fit: the sites' arrays come from `arrays` until closeStep. */
export function openStep(arrays: StepArrays): void {
  open = arrays;
}

/** fit, once the step's tensors are dead: what the step took is free for the next one. */
export function closeStep(): void {
  if (open === null) return;
  for (const a of open.taken) {
    const list = open.free.get(a.length);
    if (list) list.push(a);
    else open.free.set(a.length, [a]);
  }
  open.taken.length = 0;
  open = null;
}
