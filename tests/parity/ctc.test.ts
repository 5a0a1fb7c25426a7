// ctcLoss against PyTorch 1.13 (cases from scripts/torch-parity/ctc.py): each case's loss as a call
// case, and, through logSoftmax of the case's logits, the loss and the logits' gradient. PyTorch's
// gradient with respect to log_probs itself carries an extra exp(log_probs) term (the README's
// difference), which log-softmax's backward cancels, so the logits are where the two must agree.
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import * as eg from "../../src/index.js";
import { decode, expectClose, resolveArgs, runCallCase, type CallCase, type EncodedTensor } from "./run-case.js";

interface CtcCase extends CallCase {
  logits: { x: EncodedTensor; output: EncodedTensor; cotangent: EncodedTensor; grad: EncodedTensor };
}

const { cases } = JSON.parse(readFileSync(new URL("./cases/ctc.json", import.meta.url), "utf8")) as { cases: CtcCase[] };

describe("ctcLoss agrees with PyTorch (losses; logits' gradients through logSoftmax)", () => {
  for (const c of cases) {
    it(c.id, () => {
      runCallCase(c);
      const tensors = Object.fromEntries(Object.entries(c.inputs).map(([k, t]) => [k, decode(t)]));
      const [, targets, inputLengths, targetLengths, options] = resolveArgs(c.call.args, tensors) as
        [unknown, eg.Tensor, eg.nn.CtcLengths, eg.nn.CtcLengths, eg.nn.CtcLossOptions];
      const x = decode(c.logits.x);
      x.requiresGrad = true;
      const loss = eg.nn.functional.ctcLoss(eg.nn.functional.logSoftmax(x, -1), targets, inputLengths, targetLengths, options);
      expectClose(loss, c.logits.output, c.terms, `${c.id} loss of logSoftmax(logits)`);
      loss.mul(decode(c.logits.cotangent)).sum().backward();
      expectClose(x.grad!, c.logits.grad, 2 * c.terms, `${c.id} gradient of the logits`);
    });
  }
});
