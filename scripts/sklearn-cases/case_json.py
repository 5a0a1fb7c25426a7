# What the scikit-learn case generators share: values as JSON (NaN and ±∞ as strings, which the
# tests read back) and the case file's layout, one case a line.
import json, math, os
import numpy as np

def enc(v):
    if isinstance(v, dict): return {k: enc(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    if isinstance(v, np.ndarray): return enc(v.tolist())
    if isinstance(v, (bool, np.bool_)): return bool(v)
    if isinstance(v, (np.integer,)): return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v): return "NaN"
        if math.isinf(v): return "Infinity" if v > 0 else "-Infinity"
        return v
    return v

def write_cases(name, script, cases, area="metrics"):
    """Writes tests/<area>/cases/<name>.json from `cases`, naming the script that made them; returns its path."""
    out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", area, "cases", name + ".json")
    with open(out, "w") as f:
        f.write('{"source": "scikit-learn 1.2.1 (numpy 1.24.2), scripts/sklearn-cases/' + script + '", "cases": [\n')
        f.write(",\n".join(json.dumps(c, ensure_ascii=False, allow_nan=False) for c in cases))
        f.write("\n]}\n")
    return out
