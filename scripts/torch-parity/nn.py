"""Differential cases for activations, losses and modules (torch.nn.functional and torch.nn)."""
import torch
import torch.nn.functional as TF
from common import Gen, T, call_case, module_case, write


def F(name, *args):
    return {"on": "F", "name": name, "args": list(args)}


def activation_cases(cases, g):
    acts = [
        ("relu", {}, lambda x: TF.relu(x)),
        ("leakyRelu", 0.2, lambda x: TF.leaky_relu(x, 0.2)),
        ("elu", 0.7, lambda x: TF.elu(x, 0.7)),
        ("gelu", {}, lambda x: TF.gelu(x)),
        ("gelu", {"approximate": "tanh"}, lambda x: TF.gelu(x, approximate="tanh")),
        ("softplus", {}, lambda x: TF.softplus(x)),
        ("softplus", {"beta": 2, "threshold": 5}, lambda x: TF.softplus(x, 2, 5)),
        ("silu", {}, TF.silu), ("mish", {}, TF.mish), ("selu", {}, TF.selu),
        ("celu", 1.5, lambda x: TF.celu(x, 1.5)),
        ("logSigmoid", {}, TF.logsigmoid),
        ("hardtanh", {"minVal": -0.5, "maxVal": 2}, lambda x: TF.hardtanh(x, -0.5, 2)),
        ("hardswish", {}, TF.hardswish), ("hardsigmoid", {}, TF.hardsigmoid), ("softsign", {}, TF.softsign),
        ("sigmoid", {}, torch.sigmoid), ("tanh", {}, torch.tanh),
    ]
    for i, (name, opts, fn) in enumerate(acts):
        # Away from kinks (±3, 0, ±1) so that finite precision never straddles a branch.
        x = g.randn(3, 7, scale=3.0)
        x = torch.where((x.abs() - 3).abs() < 0.05, x + 0.1, x)
        x = torch.where(x.abs() < 0.05, x + 0.1, x)
        # A lone number stays positional (F.elu(x, alpha)); several keywords are an options object.
        args = [T("x"), opts] if opts not in ({}, None) else [T("x")]
        call_case(cases, f"act/{name}/{i}", F(name, *args), {"x": (x, True)}, lambda x, fn=fn: fn(x), gen=g)
    x = g.randn(2, 5, scale=40.0)
    call_case(cases, "act/softplus/large", F("softplus", T("x")), {"x": (x, True)}, TF.softplus, gen=g)
    call_case(cases, "act/logSigmoid/large", F("logSigmoid", T("x")), {"x": (x, True)}, TF.logsigmoid, gen=g)
    # Moderate logits: a saturated softmax's gradient is below float32's resolution of its inputs.
    x = g.randn(2, 5, scale=3.0)
    for dim in [0, 1]:
        call_case(cases, f"act/softmax/{dim}", F("softmax", T("x"), dim), {"x": (x, True)}, lambda x, d=dim: TF.softmax(x, d), terms=5, gen=g)


def loss_cases(cases, g):
    red = ["mean", "sum", "none"]
    x, y = g.randn(4, 3), g.randn(4, 3)
    for r in red:
        o = {"reduction": r}
        call_case(cases, f"loss/mseLoss/{r}", F("mseLoss", T("x"), T("y"), o), {"x": (x, True), "y": (y, True)},
                  lambda x, y, r=r: TF.mse_loss(x, y, reduction=r), terms=12, gen=g)
        call_case(cases, f"loss/l1Loss/{r}", F("l1Loss", T("x"), T("y"), o), {"x": (x, True), "y": (y, True)},
                  lambda x, y, r=r: TF.l1_loss(x, y, reduction=r), terms=12, gen=g)
        call_case(cases, f"loss/huberLoss/{r}", F("huberLoss", T("x"), T("y"), {"reduction": r, "delta": 0.8}),
                  {"x": (x, True), "y": (y, True)}, lambda x, y, r=r: TF.huber_loss(x, y, reduction=r, delta=0.8), terms=12, gen=g)
        call_case(cases, f"loss/smoothL1Loss/{r}", F("smoothL1Loss", T("x"), T("y"), {"reduction": r, "beta": 0.5}),
                  {"x": (x, True), "y": (y, True)}, lambda x, y, r=r: TF.smooth_l1_loss(x, y, reduction=r, beta=0.5), terms=12, gen=g)
    p, q, w = g.rand(4, 3, lo=0.05, hi=0.95), g.rand(4, 3), g.rand(3, lo=0.5, hi=2)
    call_case(cases, "loss/binaryCrossEntropy", F("binaryCrossEntropy", T("p"), T("q")), {"p": (p, True), "q": (q, True)},
              lambda p, q: TF.binary_cross_entropy(p, q), terms=12, gen=g)
    call_case(cases, "loss/binaryCrossEntropy/weight", F("binaryCrossEntropy", T("p"), T("q"), {"weight": T("w")}),
              {"p": (p, True), "q": (q, True), "w": (w, False)}, lambda p, q, w: TF.binary_cross_entropy(p, q, weight=w), terms=12, gen=g)
    call_case(cases, "loss/bceWithLogits", F("bceWithLogits", T("x"), T("q")), {"x": (x, True), "q": (q, True)},
              lambda x, q: TF.binary_cross_entropy_with_logits(x, q), terms=12, gen=g)
    call_case(cases, "loss/bceWithLogits/posWeight", F("bceWithLogits", T("x"), T("q"), {"posWeight": T("w"), "weight": T("w2")}),
              {"x": (x, True), "q": (q, True), "w": (w, False), "w2": (g.rand(4, 1, lo=0.5, hi=2), False)},
              lambda x, q, w, w2: TF.binary_cross_entropy_with_logits(x, q, weight=w2, pos_weight=w), terms=12, gen=g)
    z, lab = g.randn(5, 4), g.randint(0, 4, 5)
    lab_ig = lab.clone(); lab_ig[1] = -100
    cw = g.rand(4, lo=0.5, hi=2.0)
    for r in red:
        call_case(cases, f"loss/crossEntropy/{r}", F("crossEntropy", T("z"), T("t"), {"reduction": r}),
                  {"z": (z, True), "t": (lab, False)}, lambda z, t, r=r: TF.cross_entropy(z, t, reduction=r), terms=20, gen=g)
        call_case(cases, f"loss/crossEntropy/weight-ignore/{r}", F("crossEntropy", T("z"), T("t"), {"reduction": r, "weight": T("w")}),
                  {"z": (z, True), "t": (lab_ig, False), "w": (cw, False)},
                  lambda z, t, w, r=r: TF.cross_entropy(z, t, weight=w, reduction=r), terms=20, gen=g)
        call_case(cases, f"loss/nllLoss/{r}", F("nllLoss", T("z"), T("t"), {"reduction": r, "weight": T("w")}),
                  {"z": (z, True), "t": (lab_ig, False), "w": (cw, False)},
                  lambda z, t, w, r=r: TF.nll_loss(z, t, weight=w, reduction=r), terms=20, gen=g)
    call_case(cases, "loss/crossEntropy/smoothing-weight", F("crossEntropy", T("z"), T("t"), {"labelSmoothing": 0.2, "weight": T("w")}),
              {"z": (z, True), "t": (lab, False), "w": (cw, False)},
              lambda z, t, w: TF.cross_entropy(z, t, weight=w, label_smoothing=0.2), terms=20, gen=g)
    probs = torch.softmax(g.randn(5, 4), -1)
    call_case(cases, "loss/crossEntropy/probs", F("crossEntropy", T("z"), T("p")), {"z": (z, True), "p": (probs, True)},
              lambda z, p: TF.cross_entropy(z, p), terms=20, gen=g)
    zz, tt = g.randn(2, 4, 3, 2), g.randint(0, 4, 2, 3, 2)
    call_case(cases, "loss/crossEntropy/spatial", F("crossEntropy", T("z"), T("t")), {"z": (zz, True), "t": (tt, False)},
              lambda z, t: TF.cross_entropy(z, t), terms=48, gen=g)
    lp, tq = torch.log_softmax(g.randn(4, 5), -1), torch.softmax(g.randn(4, 5), -1)
    for r in ["batchmean", "sum", "mean", "none"]:
        call_case(cases, f"loss/klDivLoss/{r}", F("klDivLoss", T("a"), T("b"), {"reduction": r}), {"a": (lp, True), "b": (tq, True)},
                  lambda a, b, r=r: TF.kl_div(a, b, reduction=r), terms=20, gen=g)
    call_case(cases, "loss/klDivLoss/logTarget", F("klDivLoss", T("a"), T("b"), {"reduction": "batchmean", "logTarget": True}),
              {"a": (lp, True), "b": (tq.log(), True)}, lambda a, b: TF.kl_div(a, b, reduction="batchmean", log_target=True), terms=20, gen=g)
    rate, cnt = g.randn(6), g.randint(0, 5, 6).double()
    call_case(cases, "loss/poissonNllLoss", F("poissonNllLoss", T("a"), T("b")), {"a": (rate, True), "b": (cnt, False)},
              lambda a, b: TF.poisson_nll_loss(a, b), terms=6, gen=g)
    call_case(cases, "loss/poissonNllLoss/full", F("poissonNllLoss", T("a"), T("b"), {"logInput": False, "full": True}),
              {"a": (rate.abs() + 0.5, True), "b": (cnt, False)}, lambda a, b: TF.poisson_nll_loss(a, b, log_input=False, full=True), terms=6, gen=g)
    var = g.rand(4, 3, lo=0.2, hi=2)
    call_case(cases, "loss/gaussianNllLoss", F("gaussianNllLoss", T("x"), T("y"), T("v"), {"full": True}),
              {"x": (x, True), "y": (y, True), "v": (var, True)}, lambda x, y, v: TF.gaussian_nll_loss(x, y, v, full=True), terms=12, gen=g)
    a, b, s = g.randn(4, 5), g.randn(4, 5), torch.tensor([1, -1, 1, -1])
    call_case(cases, "loss/cosineEmbeddingLoss", F("cosineEmbeddingLoss", T("a"), T("b"), T("s"), {"margin": 0.1}),
              {"a": (a, True), "b": (b, True), "s": (s, False)}, lambda a, b, s: TF.cosine_embedding_loss(a, b, s, margin=0.1), terms=20, gen=g)
    a1, a2 = g.randn(6), g.randn(6)
    s6 = torch.tensor([1, -1, 1, 1, -1, -1])
    call_case(cases, "loss/marginRankingLoss", F("marginRankingLoss", T("a"), T("b"), T("s"), {"margin": 0.3}),
              {"a": (a1, True), "b": (a2, True), "s": (s6, False)}, lambda a, b, s: TF.margin_ranking_loss(a, b, s, margin=0.3), terms=6, gen=g)
    an, po, ne = g.randn(4, 5), g.randn(4, 5), g.randn(4, 5)
    for i, o in enumerate([{"margin": 1.0}, {"margin": 0.5, "p": 1, "swap": True}]):
        call_case(cases, f"loss/tripletMarginLoss/{i}", F("tripletMarginLoss", T("a"), T("p"), T("n"), o),
                  {"a": (an, True), "p": (po, True), "n": (ne, True)},
                  lambda a, p, n, o=o: TF.triplet_margin_loss(a, p, n, margin=o["margin"], p=o.get("p", 2), swap=o.get("swap", False)), terms=20, gen=g)
    d = g.rand(6, lo=0, hi=2)
    call_case(cases, "loss/hingeEmbeddingLoss", F("hingeEmbeddingLoss", T("a"), T("s"), {"margin": 1.2}),
              {"a": (d, True), "s": (s6, False)}, lambda a, s: TF.hinge_embedding_loss(a, s, margin=1.2), terms=6, gen=g)
    ml = (g.rand(4, 3) > 0.5).double()
    call_case(cases, "loss/multiLabelSoftMarginLoss", F("multiLabelSoftMarginLoss", T("x"), T("y"), {"weight": T("w")}),
              {"x": (x, True), "y": (ml, False), "w": (w, False)}, lambda x, y, w: TF.multilabel_soft_margin_loss(x, y, weight=w), terms=12, gen=g)


def module_cases(cases, g):
    nn = torch.nn
    module_case(cases, "module/Linear", {"name": "Linear", "args": [5, 3]}, nn.Linear(5, 3), g.randn(4, 5), g)
    module_case(cases, "module/Linear/nobias", {"name": "Linear", "args": [5, 3, {"bias": False}]}, nn.Linear(5, 3, bias=False), g.randn(2, 4, 5), g)
    mlp = {"name": "Sequential", "args": [{"name": "Linear", "args": [6, 8]}, {"name": "ReLU", "args": []},
                                          {"name": "Linear", "args": [8, 8]}, {"name": "GELU", "args": [{"approximate": "tanh"}]},
                                          {"name": "Linear", "args": [8, 3]}, {"name": "LogSoftmax", "args": [1]}]}
    module_case(cases, "module/mlp", mlp, nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.GELU(approximate="tanh"),
                                                      nn.Linear(8, 3), nn.LogSoftmax(1)), g.randn(5, 6), g)
    acts = [("SiLU", nn.SiLU()), ("Mish", nn.Mish()), ("Softplus", nn.Softplus()), ("Hardswish", nn.Hardswish()),
            ("ELU", nn.ELU()), ("SELU", nn.SELU()), ("Tanh", nn.Tanh())]
    for name, m in acts:
        module_case(cases, f"module/Linear-{name}", {"name": "Sequential", "args": [{"name": "Linear", "args": [4, 4]}, {"name": name, "args": []}]},
                    nn.Sequential(nn.Linear(4, 4), m), g.randn(3, 4), g)


def main():
    cases, g = [], Gen(1)
    for f in [activation_cases, loss_cases, module_cases]:
        f(cases, g)
    write("tests/parity/cases/nn.json", cases)


if __name__ == "__main__":
    main()
