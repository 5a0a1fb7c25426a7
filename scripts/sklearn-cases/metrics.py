# Writes tests/metrics/cases/metrics-4.json: values from scikit-learn 1.2.1 for
# tests/metrics/metrics-4.test.ts. Run from the repository root: /usr/bin/python3 scripts/sklearn-cases/metrics.py
# (CI needs no Python: the JSON is committed).
import math, warnings
import numpy as np
import sklearn
from sklearn import metrics as M
from case_json import enc, write_cases
assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261204)
cases = []

def add(fn, yt, yp, opts, expected):
    cases.append(enc({"fn": fn, "yTrue": np.asarray(yt).tolist(), "yPred": np.asarray(yp).tolist(), "options": opts, "expected": expected}))

def labels_draw():
    n = int(rng.integers(1, 31))
    k = int(rng.integers(2, 6))
    off = int(rng.choice([0, 0, -2, 3]))
    yt = rng.integers(0, k, n) + off
    # predictions: mostly right, sometimes uniform noise
    yp = np.where(rng.random(n) < rng.random(), yt, rng.integers(0, k, n) + off)
    return yt, yp, k, off

for it in range(24):
    yt, yp, k, off = labels_draw()
    add("matthewsCorrcoef", yt, yp, {}, M.matthews_corrcoef(yt, yp))
    adj = bool(it % 2)
    add("balancedAccuracy", yt, yp, {"adjusted": adj}, M.balanced_accuracy_score(yt, yp, adjusted=adj))
    w = [None, "linear", "quadratic"][it % 3]
    add("cohenKappaScore", yt, yp, {"weights": w}, M.cohen_kappa_score(yt, yp, weights=w))
    add("hammingLoss", yt, yp, {}, M.hamming_loss(yt, yp))
    avg = ["macro", "micro", "weighted"][it % 3]
    zd = [0, 1][(it // 3) % 2]
    add("jaccardScore", yt, yp, {"average": avg, "zeroDivision": zd}, M.jaccard_score(yt, yp, average=avg, zero_division=zd))
    beta = [0.0, 0.5, 2.0, math.inf, 1.0, 3.0][it % 6]
    add("fbetaScore", yt, yp, {"beta": beta, "average": avg, "zeroDivision": zd}, M.fbeta_score(yt, yp, beta=beta, average=avg, zero_division=zd))
    if it % 4 == 0:
        lab = sorted(set(rng.choice(np.arange(off, off + k + 1), size=2, replace=False).tolist()))
        add("jaccardScore", yt, yp, {"average": avg, "labels": lab}, M.jaccard_score(yt, yp, average=avg, labels=lab))
        add("fbetaScore", yt, yp, {"beta": 2.0, "average": avg, "labels": lab}, M.fbeta_score(yt, yp, beta=2.0, average=avg, labels=lab))

# binary draws: average "binary", posLabel
for it in range(8):
    n = int(rng.integers(1, 25))
    yt = rng.integers(0, 2, n); yp = rng.integers(0, 2, n)
    pos = [1, 0][it % 2]
    zd = [0, 1][(it // 2) % 2]
    add("jaccardScore", yt, yp, {"posLabel": pos, "zeroDivision": zd}, M.jaccard_score(yt, yp, pos_label=pos, zero_division=zd))
    add("fbetaScore", yt, yp, {"beta": 0.5, "posLabel": pos, "zeroDivision": zd}, M.fbeta_score(yt, yp, beta=0.5, pos_label=pos, zero_division=zd))
    add("matthewsCorrcoef", yt, yp, {}, M.matthews_corrcoef(yt, yp))
    p = rng.random(n).round(int(rng.integers(1, 17)))
    ys = yt * 2 - 1 if it % 3 == 0 else (yt + 4 if it % 3 == 1 else yt)
    add("brierScoreLoss", ys, p, {}, M.brier_score_loss(ys, p))
    d = rng.normal(size=n) * 2
    add("hingeLoss", ys, d, {}, M.hinge_loss(ys, d))

# multiclass hinge
for it in range(5):
    n = int(rng.integers(1, 20)); k = int(rng.integers(3, 6))
    yt = rng.integers(0, k, n); d = rng.normal(size=(n, k))
    lab = list(range(k))
    add("hingeLoss", yt, d, {"labels": lab}, M.hinge_loss(yt, d, labels=lab))

# edge cases
E = [
    ([1, 1, 1], [1, 1, 1]), ([0, 0, 0], [1, 1, 1]), ([0, 1, 2], [0, 1, 2]), ([0, 1, 2], [2, 1, 0]),
    ([3], [3]), ([0, 0, 1], [0, 0, 0]), ([5, 5, 7], [7, 7, 7]), ([1, 0, 1, 0], [0, 1, 0, 1]),
]
for yt, yp in E:
    add("matthewsCorrcoef", yt, yp, {}, M.matthews_corrcoef(yt, yp))
    add("cohenKappaScore", yt, yp, {}, M.cohen_kappa_score(yt, yp))
    add("cohenKappaScore", yt, yp, {"weights": "quadratic"}, M.cohen_kappa_score(yt, yp, weights="quadratic"))
    add("balancedAccuracy", yt, yp, {}, M.balanced_accuracy_score(yt, yp))
    add("balancedAccuracy", yt, yp, {"adjusted": True}, M.balanced_accuracy_score(yt, yp, adjusted=True))
    for avg in ["macro", "micro", "weighted"]:
        add("jaccardScore", yt, yp, {"average": avg, "zeroDivision": 1}, M.jaccard_score(yt, yp, average=avg, zero_division=1))
        add("fbetaScore", yt, yp, {"average": avg, "beta": 0.0, "zeroDivision": 1}, M.fbeta_score(yt, yp, average=avg, beta=0.0, zero_division=1))
# labels not in the data: weighted with no support
add("jaccardScore", [0, 0], [1, 1], {"average": "weighted", "labels": [1], "zeroDivision": 1}, M.jaccard_score([0, 0], [1, 1], average="weighted", labels=[1], zero_division=1))
add("fbetaScore", [0, 0], [1, 1], {"average": "weighted", "labels": [1], "beta": 2.0, "zeroDivision": 1}, M.fbeta_score([0, 0], [1, 1], average="weighted", labels=[1], beta=2.0, zero_division=1))
add("fbetaScore", [0, 0], [0, 0], {"average": "weighted", "labels": [1], "beta": 2.0, "zeroDivision": 1}, M.fbeta_score([0, 0], [0, 0], average="weighted", labels=[1], beta=2.0, zero_division=1))
add("cohenKappaScore", [0, 2, 1, 2], [0, 1, 1, 2], {"labels": [2, 1, 0], "weights": "linear"}, M.cohen_kappa_score([0, 2, 1, 2], [0, 1, 1, 2], labels=[2, 1, 0], weights="linear"))
add("cohenKappaScore", [0, 2, 1, 2], [0, 1, 1, 2], {"labels": [0, 1, 2, 3], "weights": "quadratic"}, M.cohen_kappa_score([0, 2, 1, 2], [0, 1, 1, 2], labels=[0, 1, 2, 3], weights="quadratic"))
add("brierScoreLoss", [0, 0, 0], [0.1, 0.0, 1.0], {}, M.brier_score_loss([0, 0, 0], [0.1, 0.0, 1.0]))
add("brierScoreLoss", [1, 2, 2], [0.1, 0.5, 0.75], {"posLabel": 1}, M.brier_score_loss([1, 2, 2], [0.1, 0.5, 0.75], pos_label=1))
add("hingeLoss", [2, 2], [0.5, 3.0], {}, M.hinge_loss([2, 2], [0.5, 3.0]))
add("hammingLoss", [[0, 1, 1], [1, 0, 1]], [[0, 1, 0], [1, 1, 1]], {}, M.hamming_loss(np.array([[0, 1, 1], [1, 0, 1]]), np.array([[0, 1, 0], [1, 1, 1]])))

# regression
def reg_draw(it):
    n = int(rng.integers(1, 25)); outs = [1, 1, 2, 3][it % 4]
    shape = (n,) if outs == 1 and it % 2 == 0 else (n, outs)
    yt = rng.normal(size=shape) * float(rng.choice([1, 10, 1000]))
    yp = yt + rng.normal(size=shape) * float(rng.choice([0.1, 1, 5]))
    if it % 5 == 0: yt = np.round(yt); yp = np.round(yp)
    return yt, yp
for it in range(16):
    yt, yp = reg_draw(it)
    add("explainedVarianceScore", yt, yp, {}, M.explained_variance_score(yt, yp))
    add("meanAbsolutePercentageError", yt, yp, {}, M.mean_absolute_percentage_error(yt, yp))
    add("medianAbsoluteError", yt, yp, {}, M.median_absolute_error(yt, yp))
    if yt.ndim == 1 or yt.shape[1] == 1: add("maxError", yt, yp, {}, M.max_error(yt, yp))
    a, b = np.abs(yt), np.abs(yp)
    add("meanSquaredLogError", a, b, {}, M.mean_squared_log_error(a, b))
    add("d2AbsoluteErrorScore", yt, yp, {}, M.d2_absolute_error_score(yt, yp))
R = [([1.0, 1.0, 1.0], [1.0, 1.0, 1.0]), ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]), ([0.0, 1.0, -1.0], [0.0, 0.5, -1.0]), ([3.0], [5.0]),
     ([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0]), ([0.0, 0.0], [0.0, 1e-3])]
for yt, yp in R:
    for fn, f in [("explainedVarianceScore", M.explained_variance_score), ("meanAbsolutePercentageError", M.mean_absolute_percentage_error),
                  ("medianAbsoluteError", M.median_absolute_error), ("maxError", M.max_error), ("d2AbsoluteErrorScore", M.d2_absolute_error_score)]:
        add(fn, yt, yp, {}, f(yt, yp))
    if min(yt + yp) >= 0: add("meanSquaredLogError", yt, yp, {}, M.mean_squared_log_error(yt, yp))

# classification reports, text and dict
reports = [
    ([0, 1, 2, 2, 1], [0, 2, 2, 1, 1], {}),
    ([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], {"targetNames": ["class 0", "class 1", "class 2"]}),
    ([1, 1, 0, 0, 1, 0, 1, 1], [1, 0, 0, 0, 1, 1, 1, 1], {"digits": 4}),
    ([1, 2, 3, 3, 3, 1, 1, 2], [1, 1, 3, 3, 2, 1, 1, 3], {"labels": [1, 2, 3, 4]}),
    ([1, 2, 3, 3, 3, 1, 1, 2], [1, 1, 3, 3, 2, 1, 1, 3], {"labels": [3, 1], "zeroDivision": 1}),
    ([0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0], {"digits": 3}),
    ([0, 1, 0, 1, 0, 1, 0, 1], [0, 0, 1, 1, 0, 0, 1, 1], {"digits": 0}),
    ([4, 4, 7, 7, 7, 7, 9, 9], [4, 7, 7, 7, 9, 7, 9, 4], {"targetNames": ["a much longer class name", "b", "ü"], "digits": 5}),
]
for yt, yp, o in reports:
    kw = {"labels": o.get("labels"), "target_names": o.get("targetNames"), "digits": o.get("digits", 2), "zero_division": o.get("zeroDivision", "warn")}
    add("classificationReport", yt, yp, o, M.classification_report(yt, yp, **kw))
    add("classificationReport", yt, yp, {**o, "outputDict": True}, M.classification_report(yt, yp, output_dict=True, **kw))
for i in range(6):
    yt, yp, k, off = labels_draw()
    d = int(rng.integers(1, 6))
    add("classificationReport", yt, yp, {"digits": d}, M.classification_report(yt, yp, digits=d))

write_cases("metrics-4", "metrics.py", cases)
