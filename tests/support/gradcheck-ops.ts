// Gradient check by central differences in float64: the analytic gradient from backward() of
// Σ(f(x)·r), r a fixed random weighting (so every output element matters differently), against
// (L(x+h) − L(x−h)) / 2h per input element.
import * as eg from "../../src/index.js";
import { noiseNear } from "./gradcheck.js";
import { valuesFrom } from "./reference.js";

export function float64Input(shape: number[], seed: number, lo = -2, hi = 2): eg.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  const v = valuesFrom(seed, lo, hi);
  for (let i = 0; i < n; i++) data[i] = v(i);
  return eg.fromTypedArray(data, shape, { requiresGrad: true });
}

export function assertGradByDifferences(f: (...xs: eg.Tensor[]) => eg.Tensor, inputs: eg.Tensor[], what: string, h = 1e-6): void {
  for (const x of inputs) x.grad = null;
  const out = f(...inputs);
  const r = float64Input(out.shape.slice(), 99, 0.5, 1.5).detach();
  const loss = () => eg.noGrad(() => f(...inputs).mul(r).sum().item());
  out.mul(r).sum().backward();
  const l0 = loss(), scale = Math.abs(l0) + 1;
  // L's rounding noise, measured: it exceeds ε·|L| when L passes through values far larger than
  // itself, or through a LayerNorm of nearly equal values (measured ≈ 800 ε·|L| for a
  // 2-feature LayerNorm, where h = 1e-6 then left the quotient 9e-8 off).
  const noise = noiseNear(loss, inputs.filter((x) => x.requiresGrad), l0);
  inputs.forEach((x, i) => {
    if (!x.requiresGrad) return;
    const data = x.storage as Float64Array;
    const grad = x.grad?.data;
    if (!grad) throw new Error(`${what}: input ${i} got no gradient`);
    for (let j = 0; j < data.length; j++) {
      const keep = data[j];
      data[j] = keep + h;
      const up = loss();
      data[j] = keep - h;
      const down = loss();
      data[j] = keep;
      const numeric = (up - down) / (2 * h);
      // Truncation O(h²·f''') plus cancellation ε·|L|/h or the measured noise's 3σ, twice, over
      // 2h: far below this bound for smooth f.
      const tol = 1e-6 * Math.abs(numeric) + (8 * 2 ** -53 * scale + 6 * noise) / h + 1e-8;
      if (!(Math.abs(grad[j] - numeric) <= tol)) {
        throw new Error(`${what}: d/dx${i}[${j}] analytic ${grad[j]} vs numeric ${numeric} (tol ${tol})`);
      }
    }
  });
}
