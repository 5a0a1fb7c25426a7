// The check every fusion test makes: a Sequential whose steps fuse gives the values and gradients
// of its modules run one by one, bit for bit.
import { expect } from "vitest";
import type { nn, Tensor } from "../../src/index.js";

/**
 * Runs x through `seq` and through `mods` one by one (or through `separate`, when given),
 * back-propagating Σ y·project each time from zeroed gradients, and expects y, x's gradient and
 * every parameter's gradient to be equal.
 */
export function expectFusedEqualsSeparate(seq: nn.Sequential, mods: nn.Module[], x: Tensor, project: Tensor,
                                          separate?: (t: Tensor) => Tensor): void {
  const run = (forward: (t: Tensor) => Tensor) => {
    seq.zeroGrad();
    x.grad = null;
    const y = forward(x);
    y.mul(project).sum().backward();
    return [Array.from(y.data), Array.from(x.grad!.data), ...seq.parameters().map((p) => Array.from(p.grad?.data ?? []))];
  };
  const fused = run((t) => seq.forward(t));
  const reference = run(separate ?? ((t) => mods.reduce((h, mod) => mod.forward(h), t)));
  expect(fused).toEqual(reference);
}
