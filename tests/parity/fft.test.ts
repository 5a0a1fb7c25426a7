// The PyTorch 1.13 cases of scripts/torch-parity/fft.py (tests/parity/cases/fft.json): eg.fft.<fn>
// called on the case's float64 inputs, against torch.fft / torch.stft in float64 (complex
// results viewed as real), values and the gradients of the case's weighted sum. The generic
// runner (run-case.ts) calls eg, eg.nn and Tensor methods in float32; these cases need eg.fft in
// float64, so they run here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as eg from "../../src/index.js";
import { resolveArgs } from "./run-case.js";

interface Encoded { shape: number[]; data: number[] }
interface FftCase {
  id: string; fn: string; args: unknown[]; terms: number; inputs: Record<string, Encoded>; output: Encoded;
  cotangent?: Encoded; grads?: Record<string, Encoded>;
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/fft.json", import.meta.url), "utf8")) as { cases: FftCase[] };
const U64 = 2 ** -53;
const float64 = (t: Encoded, requiresGrad = false) => eg.fromTypedArray(Float64Array.from(t.data), t.shape, { requiresGrad });

/**
 * Each element within c·(log2 n + 4)·u·(|ref| + max|ref|): both sides are float64 FFTs, whose
 * error grows like log n·u relative to the output's scale.
 */
function expectNear(got: eg.Tensor, want: Encoded, terms: number, what: string): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const g = got.data, top = want.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0), c = 16 * (Math.log2(Math.max(terms, 2)) + 4) * U64;
  want.data.forEach((r, i) => {
    const tol = c * (Math.abs(r) + top);
    if (!(Math.abs(g[i] - r) <= tol)) throw new Error(`${what}: element ${i} is ${g[i]}, PyTorch gives ${r} (tol ${tol.toExponential(2)})`);
  });
}

describe("eg.fft agrees with PyTorch 1.13 (float64 values and gradients)", () => {
  it("has cases of every function", () => {
    const fns = new Set(cases.map((c) => c.fn));
    for (const fn of ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "stft", "istft", "hannWindow", "hammingWindow", "blackmanWindow", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]) {
      expect(fns.has(fn), fn).toBe(true);
    }
  });
  for (const c of cases) {
    it(c.id, () => {
      const tensors = Object.fromEntries(Object.entries(c.inputs).map(([k, t]) => [k, float64(t, c.grads !== undefined)]));
      const fn = (eg.fft as unknown as Record<string, (...a: unknown[]) => eg.Tensor>)[c.fn];
      const out = fn(...(resolveArgs(c.args, tensors) as unknown[]));
      expectNear(out, c.output, c.terms, `${c.id} output`);
      if (!c.grads) return;
      out.mul(float64(c.cotangent!)).sum().backward();
      for (const [name, want] of Object.entries(c.grads)) {
        const grad = tensors[name].grad;
        if (!grad) throw new Error(`${c.id}: no gradient reached input "${name}"`);
        expectNear(grad, want, c.terms, `${c.id} grad of ${name}`);
      }
    });
  }
});
