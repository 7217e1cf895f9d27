#!/usr/bin/env python3
"""Writes Tests/Fixtures/drift_breast_cancer/: real data with a known shift, for the drift tests.

The data is scikit-learn's bundled Wisconsin breast cancer set (569 real cases, 30 measurements), split with
a fixed seed into training rows (60 %) and held-out rows:
  model.json     XGBoost 3.2's binary classifier trained on the training rows
  reference.csv  the training rows (what a user uploads as the model's profile)
  current.csv    the held-out rows as they are: no input should drift
  shifted.csv    the held-out rows with mean_texture raised by one standard deviation of the training rows
                 (a scanner whose calibration moved): that input, and only it, should drift
  psi.csv        numpy's population stability index of every input, held-out (and shifted) against the
                 training rows' deciles, computed here the way docs/ROLLOUT.md defines it
Values are float32 written with %.9g (they round-trip exactly).
"""
import os

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
import xgboost

from fixture_data import FIXTURES, f32

SEED = 20261207
SHIFTED = "mean_texture"
OUT = os.path.join(FIXTURES, "drift_breast_cancer")


def psi(reference, current):
    """Deciles of the reference as edges (duplicates and the largest value dropped), bins (e[k-1], e[k]],
    shares of 0 counted as 1e-4."""
    s = np.sort(reference)
    n = len(s)
    cuts = [float(s[(k * (n - 1)) // 10]) for k in range(1, 10)]
    edges = [c for i, c in enumerate(cuts) if i == 0 or c != cuts[i - 1]]
    if edges and edges[-1] == float(s[-1]):
        edges.pop()

    def shares(values):
        index = np.searchsorted(np.array(edges), values.astype(np.float64), side="left")
        return np.bincount(index, minlength=len(edges) + 1) / len(values)

    a, e = np.maximum(shares(current), 1e-4), np.maximum(shares(reference), 1e-4)
    return float(((a - e) * np.log(a / e)).sum())


def main():
    data = load_breast_cancer()
    names = [name.replace(" ", "_") for name in data.feature_names]
    X = data.data.astype(np.float32)
    train, held, y_train, _ = train_test_split(X, data.target, test_size=0.4, random_state=SEED, stratify=data.target)
    column = names.index(SHIFTED)
    shifted = held.copy()
    shifted[:, column] += np.float32(train[:, column].std())

    model = xgboost.XGBClassifier(n_estimators=20, max_depth=3, random_state=SEED)
    model.fit(train, y_train)
    model.get_booster().feature_names = names
    os.makedirs(OUT, exist_ok=True)
    model.get_booster().save_model(os.path.join(OUT, "model.json"))
    f32(os.path.join(OUT, "reference.csv"), train, names)
    f32(os.path.join(OUT, "current.csv"), held, names)
    f32(os.path.join(OUT, "shifted.csv"), shifted, names)
    with open(os.path.join(OUT, "psi.csv"), "w") as f:
        f.write("feature,current,shifted\n")
        for j, name in enumerate(names):
            f.write(f"{name},{psi(train[:, j], held[:, j]):.17g},{psi(train[:, j], shifted[:, j]):.17g}\n")


if __name__ == "__main__":
    main()
