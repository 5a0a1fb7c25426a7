# Writes tests/metrics/cases/metrics-5.json: values from scikit-learn 1.2.1 for
# tests/metrics/metrics-5.test.ts — every metric with sample_weight (as `sampleWeight`), and a
# sweep of the set-wise and agreement metrics over their options on random draws (ties, constant
# inputs, a single class, labels absent from one side). Run from the repository root:
# /usr/bin/python3 scripts/sklearn-cases/metrics-5.py (CI needs no Python: the JSON is committed).
import math, os, warnings
import numpy as np
import sklearn
from sklearn import metrics as M
from case_json import enc, write_cases
assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261205)
cases = []

# Cases share their draw: {"draw": {yTrue, yPred, sampleWeight}, "calls": [{fn, options, expected,
# and yTrue/yPred when a call uses other inputs}]}; options {"sampleWeight": true} mean the draw's weights.
def add(fn, yt, yp, opts, expected):
    d = cases[-1]["draw"] if cases else None
    yt, yp = np.asarray(yt).tolist(), np.asarray(yp).tolist()
    call = {"fn": fn, "options": {k: (True if k == "sampleWeight" else v) for k, v in opts.items()}, "expected": expected}
    if "sampleWeight" in opts and (d is None or opts["sampleWeight"] != d["sampleWeight"]):
        raise AssertionError("weights of another draw")
    if d is None or d["yTrue"] != yt: call["yTrue"] = yt
    if d is None or d["yPred"] != yp: call["yPred"] = yp
    cases[-1]["calls"].append(enc(call))

def draw(yt, yp, w):
    cases.append({"draw": enc({"yTrue": np.asarray(yt).tolist(), "yPred": np.asarray(yp).tolist(), "sampleWeight": np.asarray(w).tolist()}), "calls": []})

def weights_draw(n):
    kind = int(rng.integers(0, 4))
    if kind == 0: return rng.integers(0, 4, n).astype(float)      # small integers, zeros included
    if kind == 1: return np.round(rng.random(n) * 3, 3)              # fractional
    if kind == 2: return np.round(rng.random(n) * 4, 1)              # one decimal, some zeros
    return np.ones(n)

def positive_total(w):
    if w.sum() == 0: w[0] = 1.0
    return w

def labels_draw():
    n = int(rng.integers(1, 31))
    k = int(rng.integers(2, 6))
    off = int(rng.choice([0, 0, -2, 3]))
    yt = rng.integers(0, k, n) + off
    yp = np.where(rng.random(n) < rng.random(), yt, rng.integers(0, k, n) + off)
    return yt, yp, k, off

def prf(yt, yp, **kw):
    p, r, f, _ = M.precision_recall_fscore_support(yt, yp, **kw)
    return {"precision": p, "recall": r, "f1": f}

# ---- single-label classification: every average, zero_division, labels, sample_weight ------------
for it in range(20):
    yt, yp, k, off = labels_draw()
    n = len(yt)
    w = positive_total(weights_draw(n))
    draw(yt, yp, w)
    sw = {"sampleWeight": enc(w.tolist())}
    add("accuracy", yt, yp, sw, M.accuracy_score(yt, yp, sample_weight=w))
    add("hammingLoss", yt, yp, sw, M.hamming_loss(yt, yp, sample_weight=w))
    add("matthewsCorrcoef", yt, yp, sw, M.matthews_corrcoef(yt, yp, sample_weight=w))
    adj = bool(it % 2)
    add("balancedAccuracy", yt, yp, {"adjusted": adj, **sw}, M.balanced_accuracy_score(yt, yp, adjusted=adj, sample_weight=w))
    wk = [None, "linear", "quadratic"][it % 3]
    add("cohenKappaScore", yt, yp, {"weights": wk, **sw}, M.cohen_kappa_score(yt, yp, weights=wk, sample_weight=w))
    add("confusionMatrix", yt, yp, {"labels": sorted(set(yt) | set(yp)), **sw}, M.confusion_matrix(yt, yp, sample_weight=w))
    norm = ["true", "pred", "all"][it % 3]
    add("confusionMatrix", yt, yp, {"labels": sorted(set(yt) | set(yp)), "normalize": norm, **sw}, M.confusion_matrix(yt, yp, sample_weight=w, normalize=norm))
    for avg in ["macro", "micro", "weighted"]:
        zd = [0, 1][(it + len(avg)) % 2]
        add("precisionRecallF1", yt, yp, {"average": avg, "zeroDivision": zd, **sw}, prf(yt, yp, average=avg, zero_division=zd, sample_weight=w))
        add("jaccardScore", yt, yp, {"average": avg, "zeroDivision": zd, **sw}, M.jaccard_score(yt, yp, average=avg, zero_division=zd, sample_weight=w))
        beta = [0.0, 0.5, 2.0, math.inf][it % 4]
        add("fbetaScore", yt, yp, {"beta": beta, "average": avg, "zeroDivision": zd, **sw}, M.fbeta_score(yt, yp, beta=beta, average=avg, zero_division=zd, sample_weight=w))
        # unweighted, with a labels subset that may name absent classes
        lab = sorted(set(rng.choice(np.arange(off - 1, off + k + 1), size=int(rng.integers(1, 4)), replace=False).tolist()))
        add("precisionRecallF1", yt, yp, {"average": avg, "labels": lab, "zeroDivision": zd}, prf(yt, yp, average=avg, labels=lab, zero_division=zd))
        add("precisionRecallF1", yt, yp, {"average": avg, "labels": lab, "zeroDivision": zd, **sw}, prf(yt, yp, average=avg, labels=lab, zero_division=zd, sample_weight=w))
        add("jaccardScore", yt, yp, {"average": avg, "labels": lab, "zeroDivision": zd}, M.jaccard_score(yt, yp, average=avg, labels=lab, zero_division=zd))
        add("f1Score", yt, yp, {"average": avg, "labels": lab, "zeroDivision": zd, **sw}, M.f1_score(yt, yp, average=avg, labels=lab, zero_division=zd, sample_weight=w))
    if it % 4 == 0:
        add("cohenKappaScore", yt, yp, {"labels": sorted(set(yt) | set(yp), reverse=True), "weights": "quadratic", **sw},
            M.cohen_kappa_score(yt, yp, labels=sorted(set(yt) | set(yp), reverse=True), weights="quadratic", sample_weight=w))
    sc = np.round(rng.normal(size=(n, k)), 6)  # no ties: topKAccuracy counts a tie at the k-th score as a hit (documented)
    if k > 2:  # sklearn reads two classes' scores as a 1-D decision, not [n, 2] columns
        kk = int(rng.integers(1, k + 1))
        add("topKAccuracy", yt - off, sc, {"k": kk, **sw}, M.top_k_accuracy_score(yt - off, sc, k=kk, sample_weight=w, labels=list(range(k))))

# ---- binary: posLabel, zero_division, all-one-class, scores ---------------------------------------
for it in range(18):
    n = int(rng.integers(1, 25))
    yt = rng.integers(0, 2, n); yp = rng.integers(0, 2, n)
    if it % 6 == 0: yp = np.zeros(n, int)
    if it % 6 == 1: yt = np.ones(n, int)
    w = positive_total(weights_draw(n))
    draw(yt, yp, w)
    sw = {"sampleWeight": enc(w.tolist())}
    pos = [1, 0][it % 2]
    zd = [0, 1][(it // 2) % 2]
    add("precisionRecallF1", yt, yp, {"posLabel": pos, "zeroDivision": zd, **sw}, prf(yt, yp, average="binary", pos_label=pos, zero_division=zd, sample_weight=w))
    add("precisionRecallF1", yt, yp, {"posLabel": pos, "zeroDivision": zd}, prf(yt, yp, average="binary", pos_label=pos, zero_division=zd))
    add("jaccardScore", yt, yp, {"posLabel": pos, "zeroDivision": zd, **sw}, M.jaccard_score(yt, yp, pos_label=pos, zero_division=zd, sample_weight=w))
    add("fbetaScore", yt, yp, {"beta": 2.0, "posLabel": pos, "zeroDivision": zd, **sw}, M.fbeta_score(yt, yp, beta=2.0, pos_label=pos, zero_division=zd, sample_weight=w))
    add("matthewsCorrcoef", yt, yp, sw, M.matthews_corrcoef(yt, yp, sample_weight=w))
    # scores with ties (rounded to one decimal some of the time)
    s = rng.random(n).round(int(rng.choice([1, 2, 4])))
    ys = yt * 2 - 1 if it % 3 == 0 else (yt + 4 if it % 3 == 1 else yt)
    add("brierScoreLoss", ys, s, sw, M.brier_score_loss(ys, s, sample_weight=w))
    add("hingeLoss", ys, (s - 0.5) * 4, sw, M.hinge_loss(ys, (s - 0.5) * 4, sample_weight=w))
    add("logLoss", yt, s, {"eps": 1e-15, **sw}, M.log_loss(yt, s, eps=1e-15, sample_weight=w, labels=[0, 1]))
    if len(set(yt)) == 2 and w[yt == 1].sum() > 0 and w[yt == 0].sum() > 0:
        add("rocAuc", yt, s, sw, M.roc_auc_score(yt, s, sample_weight=w))
        add("averagePrecision", yt, s, sw, M.average_precision_score(yt, s, sample_weight=w))
        add("averagePrecision", yt, s, {"posLabel": 0, **sw}, M.average_precision_score(yt, s, pos_label=0, sample_weight=w))
        fpr, tpr, th = M.roc_curve(yt, s, sample_weight=w)
        add("rocCurve", yt, s, sw, {"fpr": fpr, "tpr": tpr, "thresholds": [math.inf] + th[1:].tolist()})
        fpr, tpr, th = M.roc_curve(yt, s, sample_weight=w, drop_intermediate=False)
        add("rocCurve", yt, s, {"dropIntermediate": False, **sw}, {"fpr": fpr, "tpr": tpr, "thresholds": [math.inf] + th[1:].tolist()})
        pr, rc, th = M.precision_recall_curve(yt, s, sample_weight=w)
        add("prCurve", yt, s, sw, {"precision": pr, "recall": rc, "thresholds": th})

# multiclass scores: one-vs-rest AUC, log loss, hinge
for it in range(10):
    n = int(rng.integers(6, 30)); k = int(rng.integers(3, 5))
    yt = np.r_[np.arange(k), rng.integers(0, k, n - k)]
    pr = rng.random((n, k)) + 0.05; pr = np.round(pr / pr.sum(1, keepdims=True), 3); pr[:, -1] = np.round(1 - pr[:, :-1].sum(1), 3)
    assert (pr > 0).all()
    w = positive_total(np.round(rng.random(n) * 2 + (it % 2), 3))
    draw(yt, pr, w)
    sw = {"sampleWeight": enc(w.tolist())}
    if all(w[yt == c].sum() > 0 for c in range(k)):
        for avg in ["macro", "weighted"]:
            add("rocAuc", yt, pr, {"average": avg, **sw}, M.roc_auc_score(yt, pr, multi_class="ovr", average=avg, sample_weight=w))
    add("logLoss", yt, pr, {"eps": 1e-15, **sw}, M.log_loss(yt, pr, eps=1e-15, sample_weight=w))
    d = np.round(rng.normal(size=(n, k)), 3)
    add("hingeLoss", yt, d, {"labels": list(range(k)), **sw}, M.hinge_loss(yt, d, labels=list(range(k)), sample_weight=w))

# ---- review sweep (unweighted): reports over label subsets, Brier's and hinge's label rules -------
for it in range(16):
    yt, yp, k, off = labels_draw()
    w = positive_total(weights_draw(len(yt)))
    if it % 4 == 3: w = w * 1e-5  # supports printed in scientific notation
    draw(yt, yp, w)
    lab = None if it % 3 == 0 else rng.permutation(np.arange(off - 1, off + k + 1))[: int(rng.integers(1, k + 2))].tolist()
    zd = [0, 1][it % 2]
    d = int(rng.integers(0, 5))
    o = {"zeroDivision": zd, "digits": d, **({"labels": lab} if lab is not None else {})}
    add("classificationReport", yt, yp, o, M.classification_report(yt, yp, labels=lab, digits=d, zero_division=zd))
    add("classificationReport", yt, yp, {**o, "outputDict": True}, M.classification_report(yt, yp, labels=lab, digits=d, zero_division=zd, output_dict=True))
    sw = {"sampleWeight": enc(w.tolist())}
    add("classificationReport", yt, yp, {**o, **sw}, M.classification_report(yt, yp, labels=lab, digits=d, zero_division=zd, sample_weight=w))
    add("classificationReport", yt, yp, {**o, "outputDict": True, **sw}, M.classification_report(yt, yp, labels=lab, digits=d, zero_division=zd, output_dict=True, sample_weight=w))
    if lab is not None and len(lab) > 2 and set(yt) <= set(lab):
        dec = np.round(rng.normal(size=(len(yt), len(lab))), 3)
        add("hingeLoss", yt, dec, {"labels": lab}, M.hinge_loss(yt, dec, labels=lab))
    yb = np.where(yt == off, off, off + 1)
    pb = np.round(rng.random(len(yt)), 2)
    for pos in [None, off, off + 1]:
        add("brierScoreLoss", yb, pb, {} if pos is None else {"posLabel": pos}, M.brier_score_loss(yb, pb, pos_label=pos))

# ---- multilabel indicator matrices: subset accuracy, Hamming, every average incl. "samples" ----------
for it in range(16):
    n = int(rng.integers(1, 16)); k = int(rng.integers(2, 6))
    density = float(rng.choice([0.2, 0.5, 0.8]))
    yt = (rng.random((n, k)) < density).astype(int)
    yp = np.where(rng.random((n, k)) < 0.7, yt, (rng.random((n, k)) < density).astype(int))
    if it % 4 == 0: yt[:, -1] = 0; yp[:, -1] = 0          # a label nobody has
    if it % 4 == 1: yt[0] = 0; yp[0] = 0                  # a sample with no labels
    if it % 8 == 2: yp = yt.copy()
    w = positive_total(weights_draw(n))
    draw(yt, yp, w)
    sw = {"sampleWeight": enc(w.tolist())}
    for o, kw in [({}, {}), (sw, {"sample_weight": w})]:
        add("accuracy", yt, yp, o, M.accuracy_score(yt, yp, **kw))
        add("hammingLoss", yt, yp, o, M.hamming_loss(yt, yp, **kw))
        for avg in ["macro", "micro", "weighted", "samples"]:
            zd = [0, 1][(it + len(avg)) % 2]
            add("precisionRecallF1", yt, yp, {"average": avg, "zeroDivision": zd, **o}, prf(yt, yp, average=avg, zero_division=zd, **kw))
            add("jaccardScore", yt, yp, {"average": avg, "zeroDivision": zd, **o}, M.jaccard_score(yt, yp, average=avg, zero_division=zd, **kw))
            beta = [0.0, 0.5, 2.0, math.inf][it % 4]
            add("fbetaScore", yt, yp, {"beta": beta, "average": avg, "zeroDivision": zd, **o}, M.fbeta_score(yt, yp, beta=beta, average=avg, zero_division=zd, **kw))
            lab = sorted(rng.choice(k, size=int(rng.integers(1, k + 1)), replace=False).tolist())
            add("f1Score", yt, yp, {"average": avg, "labels": lab, "zeroDivision": zd, **o}, M.f1_score(yt, yp, average=avg, labels=lab, zero_division=zd, **kw))
            add("jaccardScore", yt, yp, {"average": avg, "labels": lab, "zeroDivision": zd, **o}, M.jaccard_score(yt, yp, average=avg, labels=lab, zero_division=zd, **kw))

# ---- regression -------------------------------------------------------------------------------------
def reg_draw(it):
    n = int(rng.integers(1, 25)); outs = [1, 1, 2, 3][it % 4]
    shape = (n,) if outs == 1 and it % 2 == 0 else (n, outs)
    yt = rng.normal(size=shape) * float(rng.choice([1, 10, 1000]))
    yp = yt + rng.normal(size=shape) * float(rng.choice([0.1, 1, 5]))
    yt = np.round(yt, 3); yp = np.round(yp, 3)
    if it % 5 == 0: yt = np.round(yt); yp = np.round(yp)
    if it % 7 == 3: yt = np.full(shape, 2.0)
    return yt, yp

for it in range(28):
    yt, yp = reg_draw(it)
    n = yt.shape[0]
    w = positive_total(weights_draw(n))
    # A constant target's weighted mean must come out exact (as it does with integer weights):
    # NumPy's pairwise sum of fractional weights leaves it an ulp off, and r2 then divides by ~1e-30.
    if it % 7 == 3: w = np.round(w)
    w = positive_total(w)
    draw(yt, yp, w)
    sw = {"sampleWeight": enc(w.tolist())}
    add("mse", yt, yp, sw, M.mean_squared_error(yt, yp, sample_weight=w))
    add("rmse", yt, yp, sw, M.mean_squared_error(yt, yp, sample_weight=w, squared=False))
    add("rmse", yt, yp, {}, M.mean_squared_error(yt, yp, squared=False))
    add("mae", yt, yp, sw, M.mean_absolute_error(yt, yp, sample_weight=w))
    add("r2", yt, yp, sw, M.r2_score(yt, yp, sample_weight=w))
    add("explainedVarianceScore", yt, yp, sw, M.explained_variance_score(yt, yp, sample_weight=w))
    add("meanAbsolutePercentageError", yt, yp, sw, M.mean_absolute_percentage_error(yt, yp, sample_weight=w))
    add("medianAbsoluteError", yt, yp, sw, M.median_absolute_error(yt, yp, sample_weight=w))
    a, b = np.abs(yt), np.abs(yp)
    add("meanSquaredLogError", a, b, sw, M.mean_squared_log_error(a, b, sample_weight=w))
    add("d2AbsoluteErrorScore", yt, yp, sw, M.d2_absolute_error_score(yt, yp, sample_weight=w))

out = write_cases("metrics-5", "metrics-5.py", cases)
print(len(cases), sum(len(c["calls"]) for c in cases), os.path.getsize(out))
