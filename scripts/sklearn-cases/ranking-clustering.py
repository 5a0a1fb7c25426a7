# Writes tests/metrics/cases/ranking-clustering.json: values from scikit-learn 1.2.1 for
# tests/metrics/ranking-clustering.test.ts — the ranking metrics (dcg/ndcg, coverage error, label
# ranking precision and loss), zero_one_loss, det_curve and the clustering scores (Rand, adjusted
# Rand, mutual information and its normalized/adjusted forms, silhouette) on random draws with
# ties in the scores, rows without true labels, k beyond the labels, single clusters and
# singletons. Run from the repository root: /usr/bin/python3 scripts/sklearn-cases/ranking-clustering.py
# (CI needs no Python: the JSON is committed).
import math, os, warnings
import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn.metrics.cluster._supervised import contingency_matrix, entropy, _generalized_average
from sklearn.metrics.cluster._expected_mutual_info_fast import expected_mutual_information
from case_json import enc, write_cases
assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")
rng = np.random.default_rng(20261204)
cases = []

# Cases share their draw: {"a", "b" (the two positional inputs), "sampleWeight", "calls": [{fn,
# options, expected}]}; options {"sampleWeight": true} mean the draw's weights. NMI and AMI calls add
# "den", the denominator |average entropy − E[MI]| (E[MI] = 0 for NMI) that the test's error
# bound divides by (E[MI] is not otherwise visible).
def draw(a, b, w=None):
    d = {"a": np.asarray(a).tolist(), "b": np.asarray(b).tolist()}
    if w is not None: d["sampleWeight"] = np.asarray(w).tolist()
    cases.append({**enc(d), "calls": []})

def add(fn, opts, expected, **extra):
    if "sampleWeight" in opts: opts = {**opts, "sampleWeight": True}
    cases[-1]["calls"].append(enc({"fn": fn, "options": opts, "expected": expected, **extra}))

def weights(n):
    kind = int(rng.integers(0, 3))
    w = rng.integers(0, 4, n).astype(float) if kind == 0 else np.round(rng.random(n) * 3, 3) if kind == 1 else np.ones(n)
    if w.sum() == 0: w[0] = 1.0
    return w

def scores(n, L):
    s = rng.normal(size=(n, L))
    kind = int(rng.integers(0, 3))
    if kind == 0: return np.round(s, 6)                      # no ties (almost surely)
    if kind == 1: return np.round(s)                         # many ties
    return rng.integers(0, 3, (n, L)).astype(float)          # heavy ties

# ---- dcg / ndcg ------------------------------------------------------------------------------
for it in range(90):
    n = int(rng.integers(1, 9)); L = int(rng.integers(2, 14))
    kind = it % 3
    if kind == 0: yt = rng.integers(0, 2, (n, L))                        # indicators
    elif kind == 1: yt = rng.integers(0, 5, (n, L))                      # graded relevance
    else: yt = np.round(rng.random((n, L)) * 3, 2)                        # real relevance
    if it % 7 == 0: yt[0] = 0                                             # a row without relevance
    if it % 11 == 0: yt = np.zeros((n, L), int)                           # nothing relevant
    ys = scores(n, L)
    w = weights(n)
    draw(yt, ys, w)
    for k in [None, 1, int(rng.integers(1, L + 1)), L + 3]:
        for ties in [False, True]:
            opts = {} if k is None else {"k": k}
            if ties: opts["ignoreTies"] = True
            add("ndcgScore", opts, M.ndcg_score(yt, ys, k=k, ignore_ties=ties))
            add("dcgScore", opts, M.dcg_score(yt, ys, k=k, ignore_ties=ties))
    k = [None, 2][it % 2]
    add("ndcgScore", {**({} if k is None else {"k": k}), "sampleWeight": w}, M.ndcg_score(yt, ys, k=k, sample_weight=w))
    base = [2, 10, math.e][it % 3]
    add("dcgScore", {"logBase": base, "sampleWeight": w}, M.dcg_score(yt, ys, log_base=base, sample_weight=w))
    yneg = yt - 1.5                                                         # dcg takes any relevance
    draw(yneg, ys)
    add("dcgScore", {}, M.dcg_score(yneg, ys))

# ---- coverage error, label ranking average precision and loss -----------------------------------
for it in range(90):
    n = int(rng.integers(1, 11)); L = int(rng.integers(1 if it % 9 == 0 else 2, 9))
    density = float(rng.choice([0.2, 0.5, 0.8]))
    yt = (rng.random((n, L)) < density).astype(int)
    if it % 4 == 0: yt[0] = 0                                             # a row without labels
    if it % 4 == 1: yt[-1] = 1                                            # a row with every label
    if it % 13 == 2: yt[:] = 0
    ys = scores(n, L)
    w = weights(n)
    draw(yt, ys, w)
    add("labelRankingAveragePrecisionScore", {}, M.label_ranking_average_precision_score(yt, ys))
    add("labelRankingAveragePrecisionScore", {"sampleWeight": w}, M.label_ranking_average_precision_score(yt, ys, sample_weight=w))
    if L >= 2:
        add("coverageError", {}, M.coverage_error(yt, ys))
        add("coverageError", {"sampleWeight": w}, M.coverage_error(yt, ys, sample_weight=w))
        add("labelRankingLoss", {}, M.label_ranking_loss(yt, ys))
        add("labelRankingLoss", {"sampleWeight": w}, M.label_ranking_loss(yt, ys, sample_weight=w))

# ---- zero-one loss ------------------------------------------------------------------------------
for it in range(40):
    n = int(rng.integers(1, 25))
    if it % 2 == 0:
        k = int(rng.integers(2, 6)); off = int(rng.choice([0, -2, 3]))
        yt = rng.integers(0, k, n) + off
        yp = np.where(rng.random(n) < 0.6, yt, rng.integers(0, k, n) + off)
    else:
        k = int(rng.integers(2, 5))
        yt = (rng.random((n, k)) < 0.5).astype(int)
        yp = np.where(rng.random((n, k)) < 0.85, yt, 1 - yt)
        if it % 3 == 0: yt[0] = 0; yp[0] = 0
    if it % 10 == 5: yp = yt.copy()
    w = weights(n)
    draw(yt, yp, w)
    for norm in [True, False]:
        o = {} if norm else {"normalize": False}
        add("zeroOneLoss", o, M.zero_one_loss(yt, yp, normalize=norm))
        add("zeroOneLoss", {**o, "sampleWeight": w}, M.zero_one_loss(yt, yp, normalize=norm, sample_weight=w))

# ---- DET curve ---------------------------------------------------------------------------------
for it in range(40):
    n = int(rng.integers(2, 30))
    yt = rng.integers(0, 2, n); yt[0] = 0; yt[1] = 1
    s = rng.random(n).round(int(rng.choice([1, 2, 4])))
    if it % 5 == 0: s = np.where(yt == 1, s + 1, s)                      # perfectly separated
    w = weights(n)
    if it % 3 == 0: ys, pos = yt * 2 - 1, None                           # -1 / +1
    elif it % 3 == 1: ys, pos = yt + 4, 5                                 # 4 / 5, posLabel 5
    else: ys, pos = yt, None
    o = {} if pos is None else {"posLabel": pos}
    draw(ys, s, w)
    for ow, kw in [({}, {}), ({"sampleWeight": w}, {"sample_weight": w})]:
        if kw and (w[yt == 1].sum() == 0 or w[yt == 0].sum() == 0): continue
        fpr, fnr, th = M.det_curve(ys, s, pos_label=pos, **kw)
        add("detCurve", {**o, **ow}, {"fpr": fpr, "fnr": fnr, "thresholds": th})
    if it % 4 == 0:
        draw(yt, s)
        fpr, fnr, th = M.det_curve(yt, s, pos_label=0)
        add("detCurve", {"posLabel": 0}, {"fpr": fpr, "fnr": fnr, "thresholds": th})

# ---- clustering agreement ----------------------------------------------------------------------
def denominator(a, b, method, adjusted):
    c = contingency_matrix(a, b, sparse=True).astype(np.float64)
    emi = expected_mutual_information(c, len(a)) if adjusted else 0.0
    return abs(_generalized_average(entropy(a), entropy(b), method) - emi)

for it in range(120):
    n = int(rng.integers(1, 40)) if it % 4 else int(rng.integers(40, 400))
    k1 = int(rng.integers(1, min(n, 8) + 1)); k2 = int(rng.integers(1, min(n, 8) + 1))
    a = rng.integers(0, k1, n) * int(rng.choice([1, 3, -1])) + int(rng.choice([0, 7]))
    b = rng.integers(0, k2, n)
    mode = it % 8
    if mode == 1: b = a.copy()                                            # the same partition
    if mode == 2: b = (a * 5 + 11) % 97                                   # renamed: still the same
    if mode == 3: b = np.zeros(n, int)                                    # a single cluster
    if mode == 4: a = np.zeros(n, int); b = np.zeros(n, int)              # both single
    if mode == 5: b = np.arange(n)                                        # all singletons
    if mode == 6: b = np.where(rng.random(n) < 0.8, a, b)                 # close
    if mode == 7: a = a + 0.5                                             # float labels
    draw(a, b)
    add("randScore", {}, M.rand_score(a, b))
    add("adjustedRandScore", {}, M.adjusted_rand_score(a, b))
    add("mutualInfoScore", {}, M.mutual_info_score(a, b))
    for method in ["arithmetic", "min", "geometric", "max"]:
        o = {} if method == "arithmetic" and it % 2 else {"averageMethod": method}
        add("normalizedMutualInfoScore", o, M.normalized_mutual_info_score(a, b, average_method=method), den=denominator(a, b, method, False))
        add("adjustedMutualInfoScore", o, M.adjusted_mutual_info_score(a, b, average_method=method), den=denominator(a, b, method, True))

# ---- silhouette: integer coordinates, so every distance is exact on both sides ------------------
for it in range(60):
    n = int(rng.integers(3, 45)); d = int(rng.integers(1, 6))
    k = int(rng.integers(2, min(n - 1, 6) + 1))
    x = rng.integers(-5, 6, (n, d)).astype(float)
    labels = rng.integers(0, k, n)
    labels[:k] = np.arange(k)
    if len(set(labels.tolist())) == n: labels[-1] = labels[0]
    if it % 5 == 0: x[1] = x[0]                                           # duplicates
    if it % 6 == 0: labels = np.where(labels == 0, 0, np.where(np.arange(n) == n - 1, k, labels))  # a singleton cluster
    if it % 7 == 3: x[2] = 0                                              # a zero row (cosine: distance 1)
    if len(set(labels.tolist())) >= n: continue
    labels = labels * int(rng.choice([1, 2, -1]))
    draw(x, labels)
    for metric in ["euclidean", "cosine", "manhattan"]:
        o = {} if metric == "euclidean" and it % 2 else {"metric": metric}
        add("silhouetteScore", o, M.silhouette_score(x, labels, metric=metric))

out = write_cases("ranking-clustering", "ranking-clustering.py", cases)
print(len(cases), sum(len(c["calls"]) for c in cases), os.path.getsize(out))
