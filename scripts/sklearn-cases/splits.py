# Writes tests/select/cases/splits-4.json: scikit-learn 1.2.1 splits for tests/select/splits-4.test.ts.
# Run from the repository root: /usr/bin/python3 scripts/sklearn-cases/splits.py (CI needs no Python:
# the JSON is committed).
import os
import json, numpy as np, sklearn
from sklearn.model_selection import (TimeSeriesSplit, GroupKFold, LeaveOneOut, LeavePOut,
    LeaveOneGroupOut, ShuffleSplit, StratifiedShuffleSplit)
assert sklearn.__version__ == "1.2.1"
rng = np.random.default_rng(4)
out = {"sklearn": sklearn.__version__, "numpy": np.__version__}

def run(make, n, groups=None, y=None):
    try:
        X = np.zeros((n, 1))
        return [[tr.tolist(), te.tolist()] for tr, te in make().split(X, y, groups)]
    except ValueError as e:
        return {"error": str(e)}

ts = []
for n, opts in [(6, {}), (12, {"nSplits": 3}), (12, {"nSplits": 3, "gap": 2}), (12, {"nSplits": 3, "maxTrainSize": 4}),
                (13, {"nSplits": 4, "testSize": 2}), (20, {"nSplits": 3, "testSize": 3, "gap": 1, "maxTrainSize": 5}),
                (7, {"nSplits": 2, "testSize": 1, "gap": 3}), (11, {"nSplits": 5}), (10, {"nSplits": 2, "testSize": 4}),
                (5, {"nSplits": 5}), (10, {"nSplits": 3, "testSize": 3, "gap": 1}), (10, {"nSplits": 3, "testSize": 4}),
                (9, {"nSplits": 2, "maxTrainSize": 100}), (17, {"nSplits": 4, "maxTrainSize": 1, "gap": 2})]:
    kw = dict(n_splits=opts.get("nSplits", 5), max_train_size=opts.get("maxTrainSize"), test_size=opts.get("testSize"), gap=opts.get("gap", 0))
    ts.append({"n": n, "options": opts, "want": run(lambda: TimeSeriesSplit(**kw), n)})
for t in range(40):
    n = int(rng.integers(3, 40)); s = int(rng.integers(2, 6)); opts = {"nSplits": s}
    if rng.random() < 0.5: opts["gap"] = int(rng.integers(0, 4))
    if rng.random() < 0.5: opts["testSize"] = int(rng.integers(1, 6))
    if rng.random() < 0.4: opts["maxTrainSize"] = int(rng.integers(1, 12))
    kw = dict(n_splits=s, max_train_size=opts.get("maxTrainSize"), test_size=opts.get("testSize"), gap=opts.get("gap", 0))
    ts.append({"n": n, "options": opts, "want": run(lambda: TimeSeriesSplit(**kw), n)})
out["timeSeriesSplit"] = ts

def test_only(r):
    return r if isinstance(r, dict) else [te for _, te in r]

gk = []
fixed = [([0, 0, 2, 2, 3, 3, 7], 2), ([1, 1, 1, 2, 2, 3, 4, 4, 5, 5, 5], 3), ([5, 4, 3, 2, 1, 0], 3),
         ([0, 1, 0, 1, 2], 3), ([0, 0, 1], 3), ([0, 0, 0, 0], 2), ([-3, 2.5, 2.5, -3, 10, 11], 2)]
for groups, k in fixed:
    gk.append({"groups": groups, "k": k, "want": test_only(run(lambda: GroupKFold(k), len(groups), groups=np.array(groups)))})
for t in range(60):
    n_groups = int(rng.integers(2, 60)); n = int(rng.integers(n_groups, 3 * n_groups + 2))
    # Few distinct group sizes, so that many groups tie (argsort above 16 groups is not stable).
    groups = rng.integers(0, n_groups, n) if t % 2 else np.repeat(rng.permutation(n_groups), rng.integers(1, 4, n_groups))
    groups = groups.tolist(); k = int(rng.integers(2, 7))
    gk.append({"groups": groups, "k": k, "want": test_only(run(lambda: GroupKFold(k), len(groups), groups=np.array(groups)))})
strs = ["b", "a", "c", "a", "b", "b", "dd", "d", "é", "z", "Z"]
gk.append({"groups": strs, "k": 3, "want": test_only(run(lambda: GroupKFold(3), len(strs), groups=np.array(strs)))})
out["groupKFold"] = gk

out["leavePOut"] = [{"n": n, "p": p, "want": test_only(run(lambda: LeavePOut(p), n))} for n, p in [(4, 2), (5, 3), (6, 1), (7, 4), (3, 3), (2, 1), (6, 6)]]
out["leaveOneOut"] = [{"n": n, "want": test_only(run(lambda: LeaveOneOut(), n))} for n in [2, 3, 5, 1]]
lg = []
for groups in [[3, 1, 3, 2, 1], [-1.5, 7, 7, -1.5], ["x", "a", "x", "b"], [4, 4, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 0]]:
    lg.append({"groups": groups, "want": test_only(run(lambda: LeaveOneGroupOut(), len(groups), groups=np.array(groups)))})
out["leaveOneGroupOut"] = lg

# Sizes of ShuffleSplit's parts (its _validate_shuffle_split), and its refusals.
sizes = []
for n, te, tr in [(10, None, None), (11, None, None), (100, None, None), (7, 0.25, None), (7, None, 0.25), (7, 0.3, 0.3),
                  (10, 3, None), (10, None, 3), (10, 3, 4), (10, 0.35, 5), (10, 4, 0.35), (20, 0.05, 0.9), (13, 0.5, 0.5),
                  (10, 0.5, 0.6), (10, 6, 5), (10, 10, None), (10, 0, None), (10, None, 10), (10, 1.5, None), (10, -0.1, None),
                  (10, None, 0.05), (3, 0.1, None), (1, None, None), (10, 0.95, None), (9, 0.2, 0.8), (9, 1, 8), (9, 1, 0.8),
                  (1000, 0.123, 0.456), (37, 0.1, None), (37, None, 0.9)]:
    r = run(lambda: ShuffleSplit(1, test_size=te, train_size=tr, random_state=0), n)
    sizes.append({"n": n, "testSize": te, "trainSize": tr, "want": r if isinstance(r, dict) else [len(r[0][0]), len(r[0][1])]})
out["shuffleSplitSizes"] = sizes

strat = []
for y, te, tr in [([0, 0, 1, 1, 1], 0.4, None), ([0, 0, 0, 1], 0.5, None), ([0, 0, 1, 1, 2, 2], 2, None),
                  ([0, 0, 1, 1, 2, 2], None, 2), ([0, 0, 1, 1, 2, 2], 3, None), ([0, 0, 0, 0, 1, 1, 1, 1], 0.25, 0.5),
                  ([0] * 7 + [1] * 3 + [2] * 5, 0.2, None), ([0] * 7 + [1] * 3 + [2] * 5, 6, 7)]:
    r = run(lambda: StratifiedShuffleSplit(1, test_size=te, train_size=tr, random_state=0), len(y), y=np.array(y))
    strat.append({"y": y, "testSize": te, "trainSize": tr, "want": r if isinstance(r, dict) else [len(r[0][0]), len(r[0][1])]})
out["stratifiedShuffleSplitSizes"] = strat

s = json.dumps(out, separators=(",", ":"))
open(os.path.join(os.path.dirname(__file__), "..", "..", "tests", "select", "cases", "splits-4.json"), "w").write(s + "\n")
print(len(s), "bytes")
