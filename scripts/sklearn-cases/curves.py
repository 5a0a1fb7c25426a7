# Writes tests/select/cases/curves-6.json: scikit-learn 1.2.1's learning_curve, cross_val_predict
# and validation_curve on estimators whose arithmetic is exact, for tests/select/curves.test.ts.
# Unshuffled KFold / StratifiedKFold only (edgegrad's generator draws other rows than NumPy's).
# x[:, 0] = 2^i, so the mean of x over a set of training rows (a sum of distinct powers of two,
# then one division) names that set exactly; DummyClassifier's scores and probabilities are
# counts over a row count, one division too. Run from the repository root:
# /usr/bin/python3 scripts/sklearn-cases/curves.py (CI needs no Python: the JSON is committed).
import os, warnings
import numpy as np
import sklearn
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import (KFold, StratifiedKFold, GroupKFold, TimeSeriesSplit,
    learning_curve, cross_val_predict, validation_curve)
from case_json import enc, write_cases
assert sklearn.__version__ == "1.2.1", sklearn.__version__
warnings.simplefilter("ignore")  # learning_curve warns when it drops duplicate sizes
rng = np.random.default_rng(20261206)
cases = []

class MeanOfX(RegressorMixin, BaseEstimator):
    """Remembers the mean of x[:, 0] over its training rows: with x = 2^i it names the rows."""
    def fit(self, X, y):
        self.mean_ = float(np.mean(X[:, 0]))
        return self
    def predict(self, X):
        return np.full(len(X), self.mean_)

def data(n, classes, min_count):
    """x = 2^i; labels 0..classes-1, each class at least min_count times, in random order."""
    while True:
        y = rng.integers(0, classes, n)
        if np.bincount(y, minlength=classes).min() >= min_count:
            return np.array([[2.0 ** i] for i in range(n)]), y

def splitter(k, stratify):
    return StratifiedKFold(k) if stratify else KFold(k)

def every_class_trains(cv, X, y, classes):
    return all(len(np.unique(y[tr])) == classes for tr, _ in cv.split(X, y))

def learning(n, k, stratify, sizes, classes=3):
    X, y = data(n, classes, k if stratify else 1)
    cv = splitter(k, stratify)
    case = {"kind": "learningCurve", "n": n, "k": k, "stratify": stratify, "y": y, "trainSizes": sizes,
            "splits": [[tr, te] for tr, te in cv.split(X, y)]}
    try:
        abs_sizes, tr_mean, te_mean = learning_curve(MeanOfX(), X, y, cv=cv, train_sizes=sizes, scoring=lambda e, X, y: e.mean_)
        _, tr_acc, te_acc = learning_curve(DummyClassifier(strategy="most_frequent"), X, y, cv=cv, train_sizes=sizes, scoring="accuracy")
        assert (tr_mean == te_mean).all()
        case["want"] = {"trainSizes": abs_sizes, "trainMeans": tr_mean, "trainAccuracy": tr_acc, "testAccuracy": te_acc}
    except ValueError as e:
        case["want"] = {"error": str(e)}
    cases.append(enc(case))

def fractions(count):
    while True:
        v = sorted(np.round(rng.uniform(0.01, 1.0, count), 3).tolist())
        if any(a != int(a) for a in v):  # an all-integer list would be row counts in JavaScript
            return v

fixed = [
    (10, 2, False, [0.1, 0.325, 0.55, 0.775, 1.0]), (11, 3, False, [0.1, 0.325, 0.55, 0.775, 1.0]),
    (23, 5, False, [0.1, 0.325, 0.55, 0.775, 1.0]), (40, 4, True, [0.1, 0.325, 0.55, 0.775, 1.0]),
    (17, 3, True, [0.1, 0.5, 1.0]), (12, 3, False, [1, 3, 8]), (12, 3, False, [2, 2, 5, 5]),
    (30, 5, False, [0.01, 0.02, 0.03]), (30, 5, False, [0.05, 0.06, 0.07, 0.5]), (9, 3, False, [6]),
    (9, 3, False, [0.3]), (45, 2, True, [0.999, 0.001]), (14, 4, False, [3, 1, 2]),
    (10, 2, False, [0.0, 0.5]), (10, 2, False, [0.5, 1.2]), (10, 2, False, [0, 3]), (10, 2, False, [1, 6]),
]
for n, k, s, sizes in fixed:
    learning(n, k, s, sizes)
for t in range(30):
    n = int(rng.integers(6, 46)); k = int(rng.integers(2, 6)); s = bool(rng.random() < 0.4)
    if s and n < 3 * k: s = False
    n_max = n - -(-n // k)  # the first fold's training rows: n less the largest test fold
    if rng.random() < 0.6:
        sizes = fractions(int(rng.integers(1, 6)))
    else:
        sizes = sorted(rng.choice(np.arange(1, n_max + 1), int(rng.integers(1, min(5, n_max) + 1)), replace=False).tolist())
    learning(n, k, s, sizes)

def predict_case(n, k, stratify, method, classes=3, regression=False, folds=None):
    stratify = stratify and not regression  # continuous targets have no classes to stratify
    while True:
        X, y = data(n, classes, k if stratify else 1)
        cv = splitter(k, stratify) if folds is None else folds
        if every_class_trains(cv, X, y, classes) or folds is not None:
            break
    case = {"kind": "crossValPredict", "n": n, "k": k, "stratify": stratify, "method": method, "y": y, "regression": regression,
            "splits": [[tr, te] for tr, te in cv.split(X, y)], "foldsGiven": folds is not None}
    if regression:
        y = rng.integers(-20, 21, n)
        case["y"] = y
    est = DummyRegressor(strategy="mean") if regression else DummyClassifier(strategy="prior")
    try:
        out = cross_val_predict(est, X, y, cv=cv, method="predict_proba" if method == "predictProba" else "predict")
        case["want"] = {"predictions": out}
    except ValueError as e:
        case["want"] = {"error": str(e)}
    cases.append(enc(case))

for n, k, s, m, reg in [(10, 2, False, "predict", False), (12, 3, True, "predictProba", False), (13, 4, False, "predictProba", False),
                        (9, 3, False, "predict", True), (20, 5, True, "predict", False), (31, 5, False, "predict", True)]:
    predict_case(n, k, s, m, regression=reg)
for t in range(12):
    n = int(rng.integers(10, 40)); k = int(rng.integers(2, 6))
    predict_case(n, k, bool(rng.random() < 0.5), "predictProba" if rng.random() < 0.5 else "predict", regression=bool(rng.random() < 0.3))
# Folds given by the caller: groups (a partition), and a time-series split (not one: refused).
groups = np.repeat(np.arange(5), [3, 1, 4, 2, 2])
class Fixed:
    def __init__(self, splits): self.splits = splits
    def split(self, X, y=None, groups=None): return iter(self.splits)
    def get_n_splits(self, *a): return len(self.splits)
predict_case(12, 3, False, "predict", folds=Fixed(list(GroupKFold(3).split(np.zeros((12, 1)), None, groups))))
predict_case(12, 3, False, "predict", regression=True, folds=Fixed(list(TimeSeriesSplit(3).split(np.zeros((12, 1))))))

def validation(n, k, stratify, param_range, classes=3):
    while True:
        X, y = data(n, classes, k if stratify else 1)
        if every_class_trains(splitter(k, stratify), X, y, classes):
            break
    cv = splitter(k, stratify)
    tr, te = validation_curve(DummyClassifier(strategy="constant", constant=0), X, y, param_name="constant",
                              param_range=param_range, cv=cv, scoring="accuracy")
    cases.append(enc({"kind": "validationCurve", "n": n, "k": k, "stratify": stratify, "y": y, "paramRange": param_range,
                      "splits": [[a, b] for a, b in cv.split(X, y)], "want": {"trainScores": tr, "testScores": te}}))

for n, k, s, r in [(10, 2, False, [0, 1, 2]), (15, 3, True, [2, 0]), (23, 5, False, [1]), (30, 4, True, [0, 1, 2, 1])]:
    validation(n, k, s, r)

out = write_cases("curves-6", "curves.py", cases, area="select")
print(len(cases), os.path.getsize(out))
