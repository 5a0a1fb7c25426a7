// Modules, optimizers and LR schedules against PyTorch: the stateful kinds of differential case
// (see run-case.ts for the format and the tolerance of float32 results).
import { expect } from "vitest";
import * as eg from "../../src/index.js";
import { decode, expectClose, type EncodedTensor } from "./run-case.js";

interface Spec { name: string; args?: unknown[]; options?: Record<string, unknown> }
const isSpec = (v: unknown): v is Spec => v !== null && typeof v === "object" && typeof (v as Spec).name === "string";

export interface ModuleCase {
  id: string; kind: "module"; ctor: Spec; terms: number; state: Record<string, EncodedTensor>;
  input: EncodedTensor; output: EncodedTensor; cotangent: EncodedTensor; inputGrad: EncodedTensor;
  paramGrads: Record<string, EncodedTensor>;
  /** Mode of the forward (default: the module's own, train); BatchNorm's cases set it. */
  train?: boolean;
  /** The state dict after the forward (running statistics), when the case records it. */
  stateAfter?: Record<string, EncodedTensor>;
}

/** new eg.nn[name](...args), with nested specs (a Sequential's layers) built first. */
function buildModule(s: Spec): eg.nn.Module {
  const Ctor = (eg.nn as unknown as Record<string, new (...a: unknown[]) => eg.nn.Module>)[s.name];
  if (typeof Ctor !== "function") throw new Error(`edgegrad has no eg.nn.${s.name}`);
  return new Ctor(...(s.args ?? []).map((a) => (isSpec(a) ? buildModule(a) : a)));
}

export function runModuleCase(c: ModuleCase): void {
  const m = buildModule(c.ctor);
  if (c.train !== undefined) m.train(c.train);
  m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, decode(t)])));
  const x = decode(c.input);
  const y = m.forward(x) as eg.Tensor;
  expectClose(y, c.output, c.terms, `${c.id} output`);
  y.mul(decode(c.cotangent)).sum().backward();
  expectClose(x.grad!, c.inputGrad, 2 * c.terms, `${c.id} input gradient`);
  const params = new Map(m.namedParameters());
  for (const [k, want] of Object.entries(c.paramGrads)) {
    const p = params.get(k);
    if (!p?.grad) throw new Error(`${c.id}: no gradient for parameter ${k}`);
    expectClose(p.grad, want, 2 * c.terms, `${c.id} grad of ${k}`);
  }
  if (c.stateAfter) expectStateAfter(c.id, m.stateDict(), c.stateAfter, c.terms);
}

function expectStateAfter(id: string, after: Record<string, eg.Tensor>, want: Record<string, EncodedTensor>, terms: number): void {
  const keys = Object.keys(want);
  if (Object.keys(after).join() !== keys.join()) throw new Error(`${id}: state keys [${Object.keys(after)}], PyTorch has [${keys}]`);
  for (const k of keys) expectClose(after[k], want[k], terms, `${id} state ${k} after the forward`);
}

/** float64 against float64: each element within γ64(n)·(|ref| + max|ref|), n = 64 roundings a step. */
function expectClose64(got: ArrayLike<number>, want: number[], steps: number, what: string): void {
  const u = 2 ** -53, n = 64 * steps;
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  want.forEach((r, i) => {
    const tol = ((n * u) / (1 - n * u)) * (Math.abs(r) + scale);
    if (!(Math.abs(got[i] - r) <= tol)) throw new Error(`${what}: element ${i} is ${got[i]}, PyTorch gives ${r} (tolerance ${tol.toExponential(2)})`);
  });
}

const f64 = (t: EncodedTensor): eg.Tensor => eg.tensor(t.data, { dtype: "float64" }).reshape(t.shape).contiguous();

export interface OptimizerCase {
  id: string; kind: "optimizer"; name: string; options: Record<string, unknown>;
  params: EncodedTensor[]; grads: EncodedTensor[][]; trajectory: EncodedTensor[][];
}

/** The optimizer in float64, so its arithmetic, not float32 rounding, is what is compared. */
export function runOptimizerCase(c: OptimizerCase): void {
  const params = c.params.map((p) => {
    const t = new eg.Tensor(f64(p).data, "float64", p.shape);
    t.requiresGrad = true;
    return t;
  });
  const Ctor = (eg.optim as unknown as Record<string, new (p: eg.Tensor[], o: unknown) => { step(): void }>)[c.name];
  if (typeof Ctor !== "function") throw new Error(`edgegrad has no eg.optim.${c.name}`);
  const opt = new Ctor(params, c.options);
  c.grads.forEach((step, s) => {
    params.forEach((p, i) => (p.grad = f64(step[i])));
    opt.step();
    params.forEach((p, i) => expectClose64(p.data, c.trajectory[s][i].data, s + 1, `${c.id} step ${s + 1} param ${i}`));
  });
}

/** The epoch functions the generator names (scripts/torch-parity/optim.py, LAMBDAS). */
const LAMBDAS: Record<string, (e: number) => number> = {
  pow95: (e) => 0.95 ** e,
  halfUntil3: (e) => (e < 3 ? 0.5 : 1),
  const9: () => 0.9,
};

export interface SchedulerCase { id: string; kind: "scheduler"; optimizer: "SGD" | "Adam"; schedulers: Spec[]; sequence: [number, number][] }

type Scheduler = { step(): void };
function buildScheduler(opt: unknown, s: Spec): Scheduler {
  const Ctor = (eg.optim.lr as unknown as Record<string, new (...a: unknown[]) => Scheduler>)[s.name];
  if (typeof Ctor !== "function") throw new Error(`edgegrad has no eg.optim.lr.${s.name}`);
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.options ?? {})) {
    if (k === "lrLambda") o[k] = LAMBDAS[(v as { $fn: string }).$fn];
    else if (k === "schedulers") o[k] = (v as Spec[]).map((inner) => buildScheduler(opt, inner));
    else o[k] = v;
  }
  return s.name === "ChainedScheduler" ? new Ctor(o.schedulers) : new Ctor(opt, o);
}

export function runSchedulerCase(c: SchedulerCase): void {
  const p = eg.zeros([2]);
  p.requiresGrad = true;
  const opt = c.optimizer === "SGD" ? new eg.optim.SGD([p], { lr: 0.1, momentum: 0.9 }) : new eg.optim.Adam([p], { lr: 0.1 });
  const scheds = c.schedulers.map((s) => buildScheduler(opt, s));
  const group = opt.paramGroups[0] as unknown as { lr: number; momentum?: number; betas?: [number, number] };
  const snap = (): [number, number] => [group.lr, c.optimizer === "SGD" ? group.momentum! : group.betas![0]];
  const got = [snap()];
  for (let e = 1; e < c.sequence.length; e++) {
    opt.step();
    for (const s of scheds) s.step();
    got.push(snap());
  }
  got.forEach((g, e) => {
    const [lr, mom] = c.sequence[e];
    const tol = 1e-12 * Math.max(Math.abs(lr), 1e-3);
    expect(Math.abs(g[0] - lr), `${c.id}: lr at epoch ${e} is ${g[0]}, PyTorch gives ${lr}`).toBeLessThanOrEqual(tol);
    expect(Math.abs(g[1] - mom), `${c.id}: momentum at epoch ${e} is ${g[1]}, PyTorch gives ${mom}`).toBeLessThanOrEqual(1e-12);
  });
}
