"""Shared by the fixture scripts: the deterministic data set and the CSV writers.

The data is the reference benchmark's (same seed, same generator), so the committed test rows
Tests/Fixtures/data/X_test.csv and X_test_nan.csv are exactly the rows every fixture is evaluated on.
Floats are written with %.9g for float32 outputs (round-trips float32 exactly) and %.17g for float64.
"""
import os

import numpy as np

SEED = 20261123
N_TRAIN = 10_000
N_TEST = 1_000
N_FEAT = 30
FEAT = [f"f{i}" for i in range(N_FEAT)]
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures")


def write_csv(path, arr, header, fmt):
    arr = np.asarray(arr)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in arr:
            cells = []
            for v in row:
                if isinstance(v, (float, np.floating)) and np.isnan(v):
                    cells.append("")
                else:
                    cells.append(fmt % v)
            f.write(",".join(cells) + "\n")


def f32(path, arr, header):
    write_csv(path, np.asarray(arr, dtype=np.float32), header, "%.9g")


def f64(path, arr, header):
    write_csv(path, np.asarray(arr, dtype=np.float64), header, "%.17g")


def make_data():
    """Train and test rows (float32), with 2% missing training cells and 5% missing test cells."""
    from sklearn.datasets import make_classification

    n = N_TRAIN + N_TEST
    X, y_bin = make_classification(
        n_samples=n, n_features=N_FEAT, n_informative=12, n_redundant=6,
        n_repeated=0, n_classes=2, flip_y=0.02, class_sep=1.0, random_state=SEED)
    X = X.astype(np.float32)
    rng = np.random.default_rng(SEED)
    w = rng.normal(size=N_FEAT) * (rng.random(N_FEAT) < 0.5)
    y_reg = X.astype(np.float64) @ w + 3.0 * np.sin(X[:, 0]) + X[:, 1] * X[:, 2] \
        + rng.normal(scale=0.5, size=n)
    W = rng.normal(size=(N_FEAT, 3))
    y_multi = np.argmax(X.astype(np.float64) @ W + rng.normal(scale=1.0, size=(n, 3)), axis=1)
    train_nan = rng.random((N_TRAIN, N_FEAT)) < 0.02
    test_nan = rng.random((N_TEST, N_FEAT)) < 0.05
    sl_tr, sl_te = slice(0, N_TRAIN), slice(N_TRAIN, n)
    Xtr, Xte = X[sl_tr], X[sl_te]
    Xtr_nan = Xtr.copy(); Xtr_nan[train_nan] = np.nan
    Xte_nan = Xte.copy(); Xte_nan[test_nan] = np.nan
    return dict(Xtr=Xtr, Xte=Xte, Xtr_nan=Xtr_nan, Xte_nan=Xte_nan,
                yb_tr=y_bin[sl_tr], yb_te=y_bin[sl_te],
                yr_tr=y_reg[sl_tr], yr_te=y_reg[sl_te],
                ym_tr=y_multi[sl_tr], ym_te=y_multi[sl_te])


def write_frame(path, frame):
    """Raw rows as a user's CSV: the frame's own column names, numbers as float32 %.9g, blanks for missing."""
    with open(path, "w") as f:
        f.write(",".join(frame.columns) + "\n")
        for row in frame.itertuples(index=False):
            cells = []
            for v in row:
                if v is None or (isinstance(v, float) and np.isnan(v)):
                    cells.append("")
                elif isinstance(v, str):
                    cells.append(v)
                else:
                    cells.append("%.9g" % np.float32(v))
            f.write(",".join(cells) + "\n")
