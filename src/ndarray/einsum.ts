import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { record } from "./autograd.js";
import { allocate, isFloat } from "./dtype.js";
import { assignInto } from "./elementwise.js";
import { matmul } from "./matmul.js";
import { contiguousStrides } from "./shape.js";
import { Tensor } from "./tensor.js";

/**
 * Einstein summation, as torch.einsum: "ij,jk->ik", implicit output ("ij,jk" = "ij,jk->ik":
 * the labels that occur once, in alphabetical order, after any ellipsis dims), repeated labels
 * in one operand (a diagonal: "ii->i", "ii->" the trace), "..." for broadcast leading dims, and
 * size-1 dims broadcast against their label's size. Operands are contracted left to right, two
 * at a time, as one batched matmul each (labels nothing later needs are summed out first);
 * integer operands multiply and sum instead. Every step is a recorded op, so gradients follow.
 */

/** A tensor with one label per dim. Ellipsis dims are labelled "…k", k counted from the last. */
interface Term { t: Tensor; labels: string[] }

const LETTERS = /^[a-zA-Z]*$/;

function parseLabels(term: string, ndim: number | null, where: string): { labels: string[]; ellipsisDims: number } {
  const at = term.indexOf("...");
  if (at >= 0 && term.indexOf("...", at + 1) >= 0) throw new ValueError(`${where}: "${term}" has more than one ellipsis`);
  const head = at >= 0 ? term.slice(0, at) : term;
  const tail = at >= 0 ? term.slice(at + 3) : "";
  if (!LETTERS.test(head) || !LETTERS.test(tail)) throw new ValueError(`${where}: "${term}" may contain only letters and one "..."`);
  const letters = head.length + tail.length;
  if (ndim === null) return { labels: [...head, ...tail], ellipsisDims: at >= 0 ? -1 : 0 };
  if (at < 0 ? letters !== ndim : letters > ndim) {
    throw new ShapeError(`${where}: subscripts "${term}" do not fit an operand of ${ndim} dimension(s)`);
  }
  const ellipsisDims = at >= 0 ? ndim - letters : 0;
  const covered = Array.from({ length: ellipsisDims }, (_, i) => `…${ellipsisDims - 1 - i}`);
  return { labels: [...head, ...covered, ...tail], ellipsisDims };
}

export function einsum(equation: string, ...tensors: Tensor[]): Tensor {
  if (typeof equation !== "string") throw new ValueError(`einsum: the equation must be a string, got ${typeof equation}`);
  const eq = equation.replace(/\s+/g, "");
  const sides = eq.split("->");
  if (sides.length > 2) throw new ValueError(`einsum: "${equation}" has more than one "->"`);
  const inputs = sides[0].split(",");
  if (inputs.length !== tensors.length) {
    throw new ValueError(`einsum: "${equation}" names ${inputs.length} operand(s), got ${tensors.length} tensor(s)`);
  }
  tensors.forEach((t, i) => { if (!(t instanceof Tensor)) throw new DTypeError(`einsum: operand ${i} is not a Tensor`); });
  const parsed = inputs.map((s, i) => parseLabels(s, tensors[i].ndim, "einsum"));
  const ellipsisDims = Math.max(0, ...parsed.map((p) => p.ellipsisDims));
  const ellipsis = Array.from({ length: ellipsisDims }, (_, i) => `…${ellipsisDims - 1 - i}`);
  const output = sides.length === 2 ? explicitOutput(sides[1], parsed.map((p) => p.labels), ellipsis) : implicitOutput(parsed.map((p) => p.labels), ellipsis);
  let terms = parsed.map((p, i) => diagonal({ t: tensors[i], labels: p.labels }));
  checkSizes(terms, equation);
  const needed = (from: number) => new Set([...output, ...terms.slice(from).flatMap((t) => t.labels)]);
  terms = terms.map((term, i) => sumOut(term, new Set([...output, ...terms.filter((_, j) => j !== i).flatMap((t) => t.labels)])));
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) acc = contract(acc, terms[i], needed(i + 1));
  acc = sumOut(acc, new Set(output));
  return acc.t.permute(output.map((l) => acc.labels.indexOf(l)));
}

function explicitOutput(rhs: string, inputs: string[][], ellipsis: string[]): string[] {
  const { labels, ellipsisDims } = parseLabels(rhs, null, "einsum");
  const out = ellipsisDims === -1 ? [...rhs.slice(0, rhs.indexOf("..."))].concat(ellipsis, [...rhs.slice(rhs.indexOf("...") + 3)]) : labels;
  const seen = new Set<string>();
  for (const l of out) {
    if (seen.has(l)) throw new ValueError(`einsum: output label "${l}" appears more than once in "${rhs}"`);
    if (!inputs.some((labelsOf) => labelsOf.includes(l))) throw new ValueError(`einsum: output label "${l}" does not occur in any operand`);
    seen.add(l);
  }
  return out;
}

function implicitOutput(inputs: string[][], ellipsis: string[]): string[] {
  const count = new Map<string, number>();
  for (const l of inputs.flat()) if (!l.startsWith("…")) count.set(l, (count.get(l) ?? 0) + 1);
  const once = [...count].filter(([, c]) => c === 1).map(([l]) => l);
  return [...ellipsis, ...once.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))];
}

const sizeOf = (term: Term, label: string) => term.t.shape[term.labels.indexOf(label)];

/** Every label's sizes across operands must agree, or be 1 (broadcast). */
function checkSizes(terms: Term[], equation: string): void {
  const size = new Map<string, number>();
  for (const term of terms) {
    term.labels.forEach((l, i) => {
      const n = term.t.shape[i];
      const before = size.get(l);
      if (before !== undefined && before !== n && before !== 1 && n !== 1) {
        throw new ShapeError(`einsum: "${equation}": label "${l}" has sizes ${before} and ${n} (operand shapes ${terms.map((t) => `[${t.t.shape}]`).join(", ")})`);
      }
      if (before === undefined || before === 1) size.set(l, n);
    });
  }
}

/** A repeated label within one operand takes its diagonal: an O(1) view with summed strides. */
function diagonal(term: Term): Term {
  const labels: string[] = [];
  const shape: number[] = [];
  const pick = (strides: readonly number[]) => {
    const out = labels.map(() => 0);
    term.labels.forEach((l, i) => (out[labels.indexOf(l)] += strides[i]));
    return out;
  };
  term.labels.forEach((l, i) => {
    const j = labels.indexOf(l);
    if (j < 0) { labels.push(l); shape.push(term.t.shape[i]); }
    else if (shape[j] !== term.t.shape[i]) {
      throw new ShapeError(`einsum: repeated label "${l}" spans dims of sizes ${shape[j]} and ${term.t.shape[i]} in one operand [${term.t.shape}]`);
    }
  });
  if (labels.length === term.labels.length) return term;
  const x = term.t;
  const view = new Tensor(x.storage, x.dtype, shape, pick(x.strides), x.offset);
  const t = record(view, "diagonal", [x], (g) => {
    const dx = new Tensor(allocate(g.dtype, x.size), g.dtype, x.shape.slice());
    assignInto(new Tensor(dx.storage, dx.dtype, shape, pick(contiguousStrides(x.shape)), 0), g);
    return [dx];
  });
  return { t, labels };
}

/** Sums the dims whose labels are not in `keep`. */
function sumOut(term: Term, keep: Set<string>): Term {
  const axes = term.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return term;
  return { t: term.t.sum(axes), labels: term.labels.filter((l) => keep.has(l)) };
}

/** Permutes to `order`, broadcasts to `sizes`, and folds into [prod of each group]. */
function arrange(term: Term, groups: string[][], sizes: Map<string, number>): Tensor {
  const order = groups.flat();
  const t = term.t.permute(order.map((l) => term.labels.indexOf(l))).broadcastTo(order.map((l) => sizes.get(l)!));
  return t.reshape(groups.map((g) => g.reduce((p, l) => p * sizes.get(l)!, 1)));
}

function contract(aIn: Term, bIn: Term, keep: Set<string>): Term {
  let a = sumOut(aIn, new Set([...keep, ...bIn.labels]));
  let b = sumOut(bIn, new Set([...keep, ...a.labels]));
  const shared = a.labels.filter((l) => b.labels.includes(l));
  const batch = shared.filter((l) => keep.has(l));
  const summed = shared.filter((l) => !keep.has(l));
  // A summed label of size 1 on one side: Σj a·b[j] = a·Σj b[j], so sum the other side first.
  for (const l of summed) {
    const na = sizeOf(a, l), nb = sizeOf(b, l);
    if (na !== nb && na === 1) b = { t: b.t.sum(b.labels.indexOf(l), { keepdims: true }), labels: b.labels };
    else if (na !== nb) a = { t: a.t.sum(a.labels.indexOf(l), { keepdims: true }), labels: a.labels };
  }
  const aOnly = a.labels.filter((l) => !shared.includes(l));
  const bOnly = b.labels.filter((l) => !shared.includes(l));
  const sizes = new Map<string, number>();
  for (const term of [a, b]) {
    term.labels.forEach((l, i) => { const prev = sizes.get(l); if (prev === undefined || prev === 1) sizes.set(l, term.t.shape[i]); });
  }
  const labels = [...batch, ...aOnly, ...bOnly];
  const outShape = labels.map((l) => sizes.get(l)!);
  if (!isFloat(a.t.dtype) || !isFloat(b.t.dtype)) {
    // Integer operands: broadcast both to all labels, multiply, sum the contracted ones.
    const all = [...labels, ...summed];
    const lift = (term: Term) => {
      const own = all.filter((l) => term.labels.includes(l));
      return term.t.permute(own.map((l) => term.labels.indexOf(l))).reshape(all.map((l) => (term.labels.includes(l) ? sizeOf(term, l) : 1)));
    };
    const product = lift(a).mul(lift(b));
    return { t: summed.length ? product.sum(summed.map((_, i) => labels.length + i)) : product, labels };
  }
  const left = arrange(a, [batch, aOnly, summed], sizes);
  const right = arrange(b, [batch, summed, bOnly], sizes);
  return { t: matmul(left, right).reshape(outShape), labels };
}
