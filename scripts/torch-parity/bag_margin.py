"""PyTorch cases for EmbeddingBag and the class margin losses, values and gradients:
tests/parity/cases/embedding-bag.json (F.embedding_bag over every mode and option: 1-D input
with offsets, 2-D input, includeLastOffset, empty bags, paddingIdx, ties in max, maxNorm,
perSampleWeights) and tests/parity/cases/margin-losses.json (multi_margin_loss,
multilabel_margin_loss, soft_margin_loss with every option and reduction, ties at the hinge).
Both are read by tests/nn/embedding-bag.test.ts and tests/nn/margin-losses.test.ts.

Left out on purpose (README, "differences on purpose"):
- scale_grad_by_freq with a row count that differs from the count at that row's place in the
  sorted indices: PyTorch 1.13's CPU embedding_bag backward divides row r by the latter (a bug;
  edgegrad by r's count, as Embedding). The cases here have every used row 0..k-1 appear equally
  often, where both agree.
- include_last_offset whose last offset is not the input's length, and include_last_offset with
  a 2-D input: PyTorch 1.13 corrupts its heap on both (edgegrad refuses the second).
- sparse: PyTorch's gradient is a sparse tensor, which common.call_case does not encode; the
  tests check edgegrad's sparse gradient against its dense one and the rows used.
- empty 2-D inputs [B, 0]: PyTorch 1.13 fails building their offsets (edgegrad gives zeros)."""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, write


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


MODES = ["sum", "mean", "max"]


def bag_case(cases, g, cid, weight, idx, offsets=None, psw=None, terms=None, **o):
    """F.embedding_bag(idx, weight, offsets, **o) and its gradients for weight (and psw)."""
    opts = {}
    inputs = {"input": (idx, False), "weight": (weight, True)}
    if offsets is not None:
        inputs["offsets"] = (offsets, False)
        opts["offsets"] = T("offsets")
    if psw is not None:
        inputs["psw"] = (psw, True)
        opts["perSampleWeights"] = T("psw")
    camel = {"mode": "mode", "padding_idx": "paddingIdx", "max_norm": "maxNorm", "norm_type": "normType",
             "scale_grad_by_freq": "scaleGradByFreq", "include_last_offset": "includeLastOffset", "sparse": "sparse"}
    for k, v in o.items():
        opts[camel[k]] = {"$num": "Infinity"} if v == float("inf") else v

    def fn(input, weight, offsets=None, psw=None):
        return TF.embedding_bag(input, weight, offsets, per_sample_weights=psw, **o)

    n = terms if terms is not None else int(idx.numel()) + 2
    call_case(cases, f"embeddingBag/{cid}", F("embeddingBag", T("input"), T("weight"), opts), inputs, fn, terms=n, gen=g)


def bag_cases(g):
    cases = []
    for mode in MODES:
        W = g.randn(7, 3)
        # 1-D with offsets: an empty bag in the middle and one at the end.
        idx = g.randint(0, 7, 9)
        bag_case(cases, g, f"{mode}/1d-offsets", W, idx, torch.tensor([0, 3, 3, 7, 9]), mode=mode)
        bag_case(cases, g, f"{mode}/2d", W, g.randint(0, 7, 4, 3), mode=mode)
        bag_case(cases, g, f"{mode}/2d-one-column", W, g.randint(0, 7, 3, 1), mode=mode)
        bag_case(cases, g, f"{mode}/include-last-offset", W, idx, torch.tensor([0, 2, 2, 6, 9]), mode=mode, include_last_offset=True)
        # paddingIdx: a bag of padding only (zeros), a bag mixing padding and rows, the mean's count without padding.
        pidx = torch.tensor([2, 2, 1, 2, 4, 0, 2, 5])
        bag_case(cases, g, f"{mode}/padding", W, pidx, torch.tensor([0, 2, 5, 8]), mode=mode, padding_idx=2)
        bag_case(cases, g, f"{mode}/padding-negative-2d", W, torch.tensor([[6, 1, 6], [6, 6, 6], [3, 3, 6]]), mode=mode, padding_idx=-1)
        bag_case(cases, g, f"{mode}/max-norm", g.randn(8, 4, scale=2.0), g.randint(0, 8, 6), torch.tensor([0, 4]), mode=mode, max_norm=1.5)
        bag_case(cases, g, f"{mode}/max-norm-p1", g.randn(8, 3), g.randint(0, 8, 2, 3), mode=mode, max_norm=1.0, norm_type=1.0)
        bag_case(cases, g, f"{mode}/max-norm-pinf", g.randn(8, 3), g.randint(0, 8, 5), torch.tensor([0, 1, 5]), mode=mode, max_norm=0.7, norm_type=float("inf"))
        bag_case(cases, g, f"{mode}/empty-input", W, torch.zeros(0, dtype=torch.long), torch.tensor([0, 0, 0]), mode=mode)
        bag_case(cases, g, f"{mode}/no-bags-2d", W, torch.zeros(0, 3, dtype=torch.long), mode=mode)
    # Ties in max: values on a coarse grid, so several rows share a column's maximum (the first wins).
    Wt = torch.tensor([[1.0, 2.0, 0.0], [1.0, 3.0, 0.0], [0.0, 3.0, 0.0], [1.0, -1.0, 0.0]])
    bag_case(cases, g, "max/ties", Wt, torch.tensor([0, 1, 2, 3, 2, 1, 3, 3, 0]), torch.tensor([0, 4, 6]), mode="max")
    bag_case(cases, g, "max/ties-repeated-row", Wt, torch.tensor([[2, 2, 1], [3, 0, 3]]), mode="max")
    # perSampleWeights (mode "sum" only), with padding, 1-D and 2-D, and with maxNorm.
    W = g.randn(6, 4)
    idx = g.randint(0, 6, 10)
    bag_case(cases, g, "sum/per-sample-weights", W, idx, torch.tensor([0, 4, 4, 9]), psw=g.randn(10), mode="sum")
    bag_case(cases, g, "sum/per-sample-weights-2d", W, g.randint(0, 6, 3, 4), psw=g.randn(3, 4), mode="sum")
    bag_case(cases, g, "sum/per-sample-weights-padding", W, torch.tensor([1, 3, 1, 0, 3, 5]), torch.tensor([0, 3]), psw=g.randn(6), mode="sum", padding_idx=3)
    bag_case(cases, g, "sum/per-sample-weights-include-last", W, idx, torch.tensor([0, 5, 10]), psw=g.randn(10), mode="sum", include_last_offset=True)
    bag_case(cases, g, "sum/per-sample-weights-max-norm", g.randn(6, 4, scale=2.0), idx, torch.tensor([0, 6]), psw=g.randn(10), mode="sum", max_norm=1.0)
    # scaleGradByFreq (sum, mean) where every used row 0..k-1 occurs equally often (see the header).
    for mode in ["sum", "mean"]:
        bag_case(cases, g, f"{mode}/scale-grad-by-freq", W, torch.tensor([2, 0, 1, 1, 0, 2]), torch.tensor([0, 2, 5]), mode=mode, scale_grad_by_freq=True)
        bag_case(cases, g, f"{mode}/scale-grad-by-freq-2d", W, torch.tensor([[3, 1, 0, 2], [0, 2, 1, 3]]), mode=mode, scale_grad_by_freq=True)
    bag_case(cases, g, "sum/scale-grad-by-freq-padding-psw", W, torch.tensor([1, 0, 0, 1]), torch.tensor([0, 3]), psw=g.randn(4), mode="sum",
             padding_idx=0, scale_grad_by_freq=True)
    return cases


def loss_cases(g):
    cases = []
    reds = ["mean", "sum", "none"]
    # multiMarginLoss: p, margin, weight, reductions; [N, C], [C] with a 0-d target, C = 1.
    for i, (p, margin, weighted) in enumerate([(1, 1.0, False), (2, 1.0, False), (1, 0.3, True), (2, 2.5, True), (1, -0.5, False)]):
        for red in reds:
            x, y, w = g.randn(5, 4), g.randint(0, 4, 5), g.rand(4, lo=0.2, hi=2.0)
            opts = {"reduction": red, "p": p, "margin": margin}
            inputs = {"x": (x, True), "y": (y, False)}
            if weighted:
                opts["weight"] = T("w")
                inputs["w"] = (w, False)
            call_case(cases, f"multiMarginLoss/{i}/{red}", F("multiMarginLoss", T("x"), T("y"), opts), inputs,
                      lambda x, y, w=None, p=p, margin=margin, red=red: TF.multi_margin_loss(x, y, p=p, margin=margin, weight=w, reduction=red),
                      terms=24, gen=g)
    x = g.randn(6)
    call_case(cases, "multiMarginLoss/1d", F("multiMarginLoss", T("x"), T("y"), {"reduction": "none", "p": 2}),
              {"x": (x, True), "y": (torch.tensor(3), False)}, lambda x, y: TF.multi_margin_loss(x, y, p=2, reduction="none"), terms=8, gen=g)
    call_case(cases, "multiMarginLoss/one-class", F("multiMarginLoss", T("x"), T("y")),
              {"x": (g.randn(3, 1), True), "y": (torch.tensor([0, 0, 0]), False)}, lambda x, y: TF.multi_margin_loss(x, y), terms=4, gen=g)
    # Hinge terms at exactly 0 (values on a 0.25 grid, margin 0.5): no gradient there, as PyTorch's z > 0.
    xt = torch.tensor([[0.5, 1.0, 0.5, 0.25], [0.0, 0.5, 0.0, 0.5], [1.0, 1.0, 1.0, 1.0]])
    for p in [1, 2]:
        call_case(cases, f"multiMarginLoss/hinge-at-zero/p{p}", F("multiMarginLoss", T("x"), T("y"), {"margin": 0.5, "p": p, "reduction": "sum"}),
                  {"x": (xt, True), "y": (torch.tensor([1, 3, 2]), False)},
                  lambda x, y, p=p: TF.multi_margin_loss(x, y, margin=0.5, p=p, reduction="sum"), terms=16, gen=g)
    # multilabelMarginLoss: targets padded with −1 (values after it ignored), a repeated class, no targets.
    yt = torch.tensor([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0], [-1, 2, 3, 4, 1], [0, 1, 2, 3, 4], [4, 4, 2, -1, -1], [2, 1, 0, -1, 3]])
    for red in reds:
        call_case(cases, f"multilabelMarginLoss/{red}", F("multilabelMarginLoss", T("x"), T("y"), {"reduction": red}),
                  {"x": (g.randn(6, 5), True), "y": (yt, False)}, lambda x, y, red=red: TF.multilabel_margin_loss(x, y, reduction=red), terms=30, gen=g)
    call_case(cases, "multilabelMarginLoss/1d", F("multilabelMarginLoss", T("x"), T("y"), {"reduction": "none"}),
              {"x": (g.randn(4), True), "y": (torch.tensor([2, 0, -1, 3]), False)}, lambda x, y: TF.multilabel_margin_loss(x, y, reduction="none"), terms=10, gen=g)
    call_case(cases, "multilabelMarginLoss/hinge-at-zero", F("multilabelMarginLoss", T("x"), T("y")),
              {"x": (torch.tensor([[0.0, 1.0, 0.25, 0.0], [1.5, 0.5, 0.5, 2.0]]), True), "y": (torch.tensor([[1, -1, 0, 0], [0, 3, -1, 2]]), False)},
              lambda x, y: TF.multilabel_margin_loss(x, y), terms=12, gen=g)
    # softMarginLoss: ±1 targets, other values, large margins; gradient for the input only (PyTorch
    # 1.13 has none for the target).
    for red in reds:
        x = g.randn(4, 3, scale=3.0)
        y = torch.where(g.rand(4, 3) < 0.5, -1.0, 1.0)
        call_case(cases, f"softMarginLoss/{red}", F("softMarginLoss", T("x"), T("y"), {"reduction": red}),
                  {"x": (x, True), "y": (y, False)}, lambda x, y, red=red: TF.soft_margin_loss(x, y, reduction=red), terms=16, gen=g)
    call_case(cases, "softMarginLoss/any-target", F("softMarginLoss", T("x"), T("y")),
              {"x": (g.randn(7, scale=10.0), True), "y": (g.randn(7), False)}, lambda x, y: TF.soft_margin_loss(x, y), terms=12, gen=g)
    call_case(cases, "softMarginLoss/0d", F("softMarginLoss", T("x"), T("y")),
              {"x": (torch.tensor(0.75), True), "y": (torch.tensor(-1.0), False)}, lambda x, y: TF.soft_margin_loss(x, y), terms=4, gen=g)
    return cases


def main():
    write("tests/parity/cases/embedding-bag.json", bag_cases(Gen(61)))
    write("tests/parity/cases/margin-losses.json", loss_cases(Gen(62)))


if __name__ == "__main__":
    main()
