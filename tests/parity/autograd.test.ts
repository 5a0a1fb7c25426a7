// The PyTorch 1.13 cases of scripts/torch-parity/autograd.py (tests/parity/cases/autograd.json):
// torch.autograd.grad with intermediate inputs and grad_outputs, and
// torch.autograd.functional.jacobian and vjp, all in float64. Each case names its function;
// the same functions are written here with edgegrad's ops.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

interface Encoded { shape: number[]; data: number[] }
type Nested = Encoded | null | Nested[];
interface GradCase {
  id: string; kind: "grad"; program: string; leaves: Record<string, Encoded>; outputs: string[]; inputs: string[];
  gradOutputs: (Encoded | null)[]; allowUnused: boolean; grads: (Encoded | null)[];
}
interface JacobianCase { id: string; kind: "jacobian"; fn: string; inputs: Encoded[]; tuple: boolean; jacobian: Nested }
interface VjpCase { id: string; kind: "vjp"; fn: string; inputs: Encoded[]; tuple: boolean; v: Nested; outputs: Nested; vjp: Nested }
type Case = GradCase | JacobianCase | VjpCase;

const { cases } = JSON.parse(readFileSync(new URL("./cases/autograd.json", import.meta.url), "utf8")) as { cases: Case[] };
const U64 = 2 ** -53;
const float64 = (t: Encoded, requiresGrad = false) => eg.fromTypedArray(Float64Array.from(t.data), t.shape, { requiresGrad });

/** The graphs of the grad cases, as autograd.py builds them: every named tensor, leaves included. */
const programs: Record<string, (t: Record<string, Tensor>) => Record<string, Tensor>> = {
  mlp: (t) => {
    const h = t.x.matmul(t.w).add(t.b).tanh();
    return { h, y1: h.mul(h).sum(1), y2: h.mean() };
  },
  chain: (t) => {
    const a = eg.sin(t.x);
    const b = a.mul(t.x);
    return { a, b, y: eg.cumsum(b, 0).mul(0.5).exp() };
  },
};
/** The functions of the jacobian and vjp cases. */
const functions: Record<string, (...xs: Tensor[]) => Tensor | Tensor[]> = {
  softmax: (x) => x.softmax(-1),
  tanhMatmul: (x, y) => x.matmul(y).tanh(),
  sumAndSquare: (x) => [x.sum(), x.mul(x)],
  scaledBySum: (x, y) => [x.mul(y.sum()).add(y.mean()), y.exp()],
};

/**
 * Both sides compute in float64 through a handful of ops (matmul, tanh, exp, softmax over at
 * most 6 terms): each element within 64·u·(|ref| + max|ref|), far above either side's rounding
 * and far below any real difference.
 */
function expectNear(got: Tensor | null, want: Encoded | null, what: string): void {
  if (want === null) {
    expect(got, `${what} is null`).toBeNull();
    return;
  }
  if (got === null) throw new Error(`${what}: got null, PyTorch gives a tensor of shape [${want.shape}]`);
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  expect(got.dtype, `${what} dtype`).toBe("float64");
  const g = got.data, top = want.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  want.data.forEach((r, i) => {
    const tol = 64 * U64 * (Math.abs(r) + top);
    if (!(Math.abs(g[i] - r) <= tol)) throw new Error(`${what}: element ${i} is ${g[i]}, PyTorch gives ${r} (tol ${tol.toExponential(2)})`);
  });
}

/** A result of nested arrays against PyTorch's nested tuples, position by position. */
function expectNested(got: unknown, want: Nested, what: string): void {
  if (want === null || !Array.isArray(want)) {
    expect(got instanceof eg.Tensor || got === null, `${what} is a Tensor`).toBe(true);
    expectNear(got as Tensor | null, want, what);
    return;
  }
  expect(Array.isArray(got), `${what} is an array`).toBe(true);
  expect((got as unknown[]).length, `${what} length`).toBe(want.length);
  want.forEach((w, i) => expectNested((got as unknown[])[i], w, `${what}[${i}]`));
}

const args = (c: JacobianCase | VjpCase) => {
  const xs = c.inputs.map((t) => float64(t));
  return c.tuple ? xs : xs[0];
};
const vectors = (v: Nested): Tensor | Tensor[] => (Array.isArray(v) ? v.map((x) => float64(x as Encoded)) : float64(v as Encoded));

describe("eg.autograd agrees with PyTorch 1.13 (float64)", () => {
  it("has cases of grad, jacobian and vjp", () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(["grad", "jacobian", "vjp"]));
  });
  for (const c of cases) {
    it(c.id, () => {
      if (c.kind === "grad") {
        const leaves = Object.fromEntries(Object.entries(c.leaves).map(([k, t]) => [k, float64(t, true)]));
        const named = { ...leaves, ...programs[c.program](leaves) };
        const got = eg.autograd.grad(c.outputs.map((o) => named[o]), c.inputs.map((i) => named[i]), {
          gradOutputs: c.gradOutputs.map((g) => (g === null ? null : float64(g))), allowUnused: c.allowUnused,
        });
        c.grads.forEach((want, i) => expectNear(got[i], want, `${c.id} grad of ${c.inputs[i]}`));
        for (const t of Object.values(leaves)) expect(t.grad).toBeNull();
      } else if (c.kind === "jacobian") {
        expectNested(eg.autograd.functional.jacobian(functions[c.fn], args(c)), c.jacobian, `${c.id} jacobian`);
      } else {
        const [outputs, products] = eg.autograd.functional.vjp(functions[c.fn], args(c), vectors(c.v));
        expectNested(outputs, c.outputs, `${c.id} outputs`);
        expectNested(products, c.vjp, `${c.id} vjp`);
      }
    });
  }
});
