"""Differential cases for F.ctc_loss, for tests/parity/ctc.test.ts: tests/parity/cases/ctc.json.

Each case is a call case (tests/parity/run-case.ts) of F.ctcLoss on float32 log-probabilities,
holding PyTorch's float64 loss, for every reduction, padded and concatenated targets (with
repeated labels, an empty target, inputs shorter than T), lengths as tensors and as lists, a
non-zero blank, unbatched input, and zero_infinity with an impossible target.

Gradients: PyTorch 1.13's ctc_loss backward adds exp(log_probs) to the derivative with respect to
log_probs (it returns the gradient through a log-softmax; pytorch/pytorch#52241), which edgegrad
does not, so the call cases carry no gradient. Instead each case also holds `logits`: PyTorch's
loss of log_softmax(logits) and the gradient with respect to the logits for a random cotangent,
where both conventions agree. Impossible targets without zero_infinity give an infinite loss and
NaN gradients, which JSON cannot hold: the test checks those itself.
"""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, enc, write

REDUCTIONS = ["none", "sum", "mean"]


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def draw_targets(g, n, classes, blank, width, repeat):
    """[n, width] labels other than the blank; `repeat` makes each row's second label equal its first."""
    labels = [c for c in range(classes) if c != blank]
    rows = torch.tensor(labels)[g.randint(0, len(labels), n, width)]
    if repeat and width > 1:
        rows[:, 1] = rows[:, 0]
    return rows


def ctc_case(cases, g, cid, frames, classes, input_lengths, target_lengths, padded=True, blank=0, reduction="mean",
             zero_infinity=False, as_list=False, unbatched=False, repeat=True, impossible=None):
    n = len(input_lengths)
    width = max(max(target_lengths), 1) + (1 if padded else 0)
    rows = draw_targets(g, n, classes, blank, width, repeat)
    if impossible is not None:  # a run of one label longer than the frames allow
        rows[impossible, :] = rows[impossible, 0]
    if padded:
        targets = rows
    else:
        targets = torch.cat([rows[b, :target_lengths[b]] for b in range(n)])
    logits = g.randn(frames, n, classes, scale=2.0)
    if unbatched:
        logits = logits[:, 0]
        if padded:
            targets = targets[0:1]
    log_probs = TF.log_softmax(logits, -1).to(torch.float32).to(torch.float64)
    il, tl = list(input_lengths), list(target_lengths)
    lengths = (il, tl) if as_list else (torch.tensor(il), torch.tensor(tl))
    if unbatched:
        lengths = (il, tl) if as_list else (torch.tensor(il[0]), torch.tensor(tl[0]))
    opts = {"reduction": reduction, "blank": blank, "zeroInfinity": zero_infinity}
    inputs = {"logProbs": (log_probs, False), "targets": (targets, False)}
    if as_list:
        args = [T("logProbs"), T("targets"), lengths[0], lengths[1], opts]
    else:
        inputs["inputLengths"] = (lengths[0], False)
        inputs["targetLengths"] = (lengths[1], False)
        args = [T("logProbs"), T("targets"), T("inputLengths"), T("targetLengths"), opts]
    kw = dict(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    terms = classes + 2  # the loss is rounded once; logSoftmax sums C terms per frame
    call_case(cases, f"ctc/{cid}", F("ctcLoss", *args), inputs,
              lambda logProbs, targets, **_: TF.ctc_loss(logProbs, targets, *lengths, **kw), terms=terms, grad=False, gen=g)
    x = logits.clone().requires_grad_()
    loss = TF.ctc_loss(TF.log_softmax(x, -1), targets, *lengths, **kw)
    cotangent = g.randn(*loss.shape)
    (grad,) = torch.autograd.grad((loss * cotangent).sum(), [x])
    cases[-1]["logits"] = {"x": enc(logits), "output": enc(loss), "cotangent": enc(cotangent), "grad": enc(grad)}


def main():
    cases, g = [], Gen(83)
    for reduction in REDUCTIONS:
        for padded in (True, False):
            layout = "padded" if padded else "concatenated"
            ctc_case(cases, g, f"{reduction}/{layout}", 8, 5, [8, 6, 7], [3, 2, 1], padded=padded, reduction=reduction)
            ctc_case(cases, g, f"{reduction}/{layout}/empty-target-lists", 6, 4, [6, 5], [0, 2], padded=padded,
                     reduction=reduction, as_list=True)
            ctc_case(cases, g, f"{reduction}/{layout}/blank-last", 7, 4, [7, 7, 4], [2, 3, 1], padded=padded, blank=3,
                     reduction=reduction, repeat=False)
        ctc_case(cases, g, f"{reduction}/unbatched", 9, 6, [9], [3], padded=False, reduction=reduction, unbatched=True)
        ctc_case(cases, g, f"{reduction}/unbatched-padded-lists", 9, 6, [7], [3], reduction=reduction, unbatched=True,
                 as_list=True)
        # Sample 1's target is three equal labels: it needs 5 frames and has 4.
        ctc_case(cases, g, f"{reduction}/zero-infinity", 6, 4, [6, 4, 5], [2, 3, 2], reduction=reduction,
                 zero_infinity=True, impossible=1)
        ctc_case(cases, g, f"{reduction}/long", 40, 8, [40, 28, 33], [10, 7, 1], reduction=reduction)
    write("tests/parity/cases/ctc.json", cases)


if __name__ == "__main__":
    main()
