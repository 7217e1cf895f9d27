#!/usr/bin/env python3
"""Writes the LightGBM fixtures under Tests/Fixtures/lgbm_*/ from lightgbm 4.7.0's own outputs.

Each folder holds model.txt (LightGBM's save_model) and, for the test rows with and without missing
values (suffix _nan), LightGBM's predict (pred), raw_score=True margins (margin) and pred_contrib=True
TreeSHAP values (contrib), all float64 written with %.17g. The inputs are Tests/Fixtures/data/X_test*.csv,
except for the models that need inputs of their own (zeros, categories, a pandas frame's raw values),
whose folders hold X_test.csv and X_test_nan.csv.

Small models keep the committed files small: 30 iterations of 15 leaves, outputs for the first
SMALL_ROWS test rows and contributions for the first CONTRIB_ROWS. lgbm_binary is the benchmark's
300-tree, 31-leaf model (bench/make_models.py), with outputs for all 1,000 rows.
Training is deterministic (seed, deterministic=True, one thread, force_row_wise), so re-running with
the pinned versions (tools/requirements.txt) rewrites the same files.
"""
import os
import sys

import numpy as np

from fixture_data import FEAT, FIXTURES, SEED, f32, f64, make_data, write_frame

SMALL_ROWS = 200
CONTRIB_ROWS = 100
COMMON = dict(learning_rate=0.1, seed=SEED, deterministic=True, force_row_wise=True, num_threads=1, verbose=-1)
SMALL = dict(COMMON, num_leaves=15, feature_fraction=0.8, bagging_fraction=0.8, bagging_freq=1)


def write_outputs(booster, name, inputs, rows, contrib_rows, n_class, names):
    """LightGBM's own outputs on the first rows of each input, from the reloaded text model."""
    import lightgbm as lgb

    out = os.path.join(FIXTURES, name)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.txt")
    booster.save_model(path)
    reloaded = lgb.Booster(model_file=path)
    for tag, X in inputs:
        X = np.asarray(X, dtype=np.float64)
        pred = reloaded.predict(X[:rows], num_threads=1)
        assert np.array_equal(pred, booster.predict(X[:rows], num_threads=1)), "the text model predicts differently"
        margin = reloaded.predict(X[:rows], raw_score=True, num_threads=1)
        contrib = reloaded.predict(X[:contrib_rows], pred_contrib=True, num_threads=1)
        if n_class == 1:
            f64(f"{out}/pred{tag}.csv", pred, ["pred"])
            f64(f"{out}/margin{tag}.csv", margin, ["margin"])
            f64(f"{out}/contrib{tag}.csv", contrib, names + ["bias"])
        else:
            f64(f"{out}/pred{tag}.csv", pred, [f"p{k}" for k in range(n_class)])
            f64(f"{out}/margin{tag}.csv", margin, [f"m{k}" for k in range(n_class)])
            # pred_contrib is already class-major per row: (features + bias) for class 0, then class 1, ...
            f64(f"{out}/contrib{tag}.csv", contrib,
                [f"c{k}_{c}" for k in range(n_class) for c in names + ["bias"]])


def train(params, X, y, rounds, names=FEAT, categorical="auto"):
    import lightgbm as lgb

    data = lgb.Dataset(X, label=y, feature_name=names, categorical_feature=categorical, free_raw_data=False)
    return lgb.train(params, data, num_boost_round=rounds)


def zero_inputs(d):
    """Rows with exact zeros and values LightGBM's predictor rounds to zero (|x| <= 1e-35)."""
    rng = np.random.default_rng(SEED + 1)
    Xtr = d["Xtr"].copy()
    Xtr[rng.random(Xtr.shape) < 0.1] = 0
    Xtr[rng.random(Xtr.shape) < 0.02] = np.nan
    Xte = d["Xte"][:SMALL_ROWS].copy()
    Xte[rng.random(Xte.shape) < 0.1] = 0
    tiny = np.array([1e-35, -1e-35, 1e-36, -1e-36, 1e-40, -1e-40, -0.0, 2e-35], dtype=np.float32)
    cells = rng.random(Xte.shape) < 0.05
    Xte[cells] = rng.choice(tiny, size=int(cells.sum()))
    Xte_nan = Xte.copy()
    Xte_nan[rng.random(Xte.shape) < 0.05] = np.nan
    return Xtr, Xte, Xte_nan


def categorical_inputs(d):
    """Three integer-coded categorical columns (3, 40 and 12 categories) before ten numerical ones.

    The NaN variant of the test rows also holds what LightGBM's categorical rule must handle: NaN,
    negative codes, fractions (truncated toward zero), codes past the bitset and beyond int32.
    """
    rng = np.random.default_rng(SEED + 2)
    n = len(d["Xtr"]) + len(d["Xte"])
    X = np.concatenate([d["Xtr"], d["Xte"]])[:, :10]
    cats = np.stack([rng.integers(0, 3, n), rng.integers(0, 40, n), rng.integers(0, 12, n)], axis=1)
    effect = np.array([-1.0, 0.0, 1.0])[cats[:, 0]] + np.sin(cats[:, 1] * 1.7) * 1.5 + (cats[:, 2] % 3 - 1)
    y = (X[:, 0] + X[:, 1] + effect + rng.normal(scale=0.5, size=n) > 0).astype(int)
    X = np.concatenate([cats.astype(np.float32), X], axis=1).astype(np.float32)
    names = ["c0", "c1", "c2"] + [f"f{i}" for i in range(10)]
    Xtr, ytr = X[:len(d["Xtr"])], y[:len(d["Xtr"])]
    Xte = X[len(d["Xtr"]):][:SMALL_ROWS]
    Xte_nan = Xte.copy()
    Xte_nan[rng.random(Xte.shape) < 0.05] = np.nan
    odd = np.array([-1, -3, 0.5, 2.7, -0.5, 39.9, 40, 64, 200, 3e9, 1e10], dtype=np.float32)
    cells = rng.random((len(Xte), 3)) < 0.1
    Xte_nan[:, :3][cells] = rng.choice(odd, size=int(cells.sum()))
    return Xtr, ytr, Xte, Xte_nan, names


CITIES = ["Lisbon", "Porto", "Braga", "Faro", "Évora", "Vila Real"]
PLANS = ["basic", "plus", "pro"]


def frame_inputs(d):
    """A pandas frame as users train on one: column names with spaces (which LightGBM stores with `_`) and
    two text categorical columns between the numeric ones, so the model carries `pandas_categorical`.

    The test rows are raw values: the _nan variant also holds blanks in every column and categories never
    seen in training ("Madrid", "enterprise"), which LightGBM reads as missing.
    """
    import pandas as pd

    rng = np.random.default_rng(SEED + 3)
    n_train = len(d["Xtr"])
    n = n_train + SMALL_ROWS
    X = np.concatenate([d["Xtr"], d["Xte"][:SMALL_ROWS]])[:, :4]
    city, plan = rng.integers(0, len(CITIES), n), rng.integers(0, len(PLANS), n)
    effect = np.linspace(-1.5, 1.5, len(CITIES))[city] + np.array([-0.7, 0.0, 0.7])[plan]
    y = (X[:, 0] + X[:, 1] + effect + rng.normal(scale=0.5, size=n) > 0).astype(int)
    city_names, plan_names = np.array(CITIES, dtype=object), np.array(PLANS, dtype=object)

    def frame(rows, city_values, plan_values):
        return pd.DataFrame({
            "credit score": X[rows, 0], "city": city_values, "monthly income": X[rows, 1],
            "plan": plan_values, "tenure": X[rows, 2], "age": X[rows, 3],
        })

    train_rows = slice(0, n_train)
    train = frame(train_rows, pd.Categorical(city_names[city[train_rows]]), pd.Categorical(plan_names[plan[train_rows]]))
    test_rows = slice(n_train, n)
    test = frame(test_rows, city_names[city[test_rows]], plan_names[plan[test_rows]])
    test_nan = test.copy()
    for column in test_nan.columns:
        test_nan.loc[rng.random(len(test_nan)) < 0.05, column] = np.nan
    test_nan.loc[rng.random(len(test_nan)) < 0.05, "city"] = "Madrid"
    test_nan.loc[rng.random(len(test_nan)) < 0.05, "plan"] = "enterprise"
    return train, y[:n_train], test, test_nan


def write_frame_outputs(booster, name, inputs, names):
    """LightGBM's own outputs for raw frames, from the reloaded text model, which re-codes each frame's
    categorical columns with the training categories (an unseen category becomes missing)."""
    import lightgbm as lgb
    import pandas as pd

    out = os.path.join(FIXTURES, name)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.txt")
    booster.save_model(path)
    reloaded = lgb.Booster(model_file=path)
    for tag, frame in inputs:
        write_frame(f"{out}/X_test{tag}.csv", frame)
        frame = frame.astype({c: np.float32 for c in frame.columns if c not in ("city", "plan")})
        frame = frame.astype({"city": pd.CategoricalDtype(), "plan": pd.CategoricalDtype()})
        f64(f"{out}/pred{tag}.csv", reloaded.predict(frame, num_threads=1), ["pred"])
        f64(f"{out}/margin{tag}.csv", reloaded.predict(frame, raw_score=True, num_threads=1), ["margin"])
        contrib = reloaded.predict(frame, pred_contrib=True, num_threads=1)
        f64(f"{out}/contrib{tag}.csv", contrib, names + ["bias"])


def main():
    import lightgbm as lgb

    assert lgb.__version__ == "4.7.0", f"fixtures are made with lightgbm 4.7.0, not {lgb.__version__}"
    d = make_data()
    standard = [("", d["Xte"]), ("_nan", d["Xte_nan"])]
    y_pos = np.exp(d["yr_tr"] / np.std(d["yr_tr"]))

    # The benchmark model, exactly as bench/make_models.py trains lgbm_binary.
    bench = dict(COMMON, objective="binary", num_leaves=31, feature_fraction=0.8, bagging_fraction=0.8, bagging_freq=1)
    write_outputs(train(bench, d["Xtr_nan"], d["yb_tr"], 300), "lgbm_binary", standard, 1000, 200, 1, FEAT)

    small = [
        ("lgbm_missing_nan", dict(objective="binary"), d["yb_tr"], 1),
        ("lgbm_multiclass", dict(objective="multiclass", num_class=3), d["ym_tr"], 3),
        ("lgbm_multiclassova", dict(objective="multiclassova", num_class=3), d["ym_tr"], 3),
        ("lgbm_regression", dict(objective="regression"), d["yr_tr"], 1),
        ("lgbm_regression_l1", dict(objective="regression_l1"), d["yr_tr"], 1),
        ("lgbm_huber", dict(objective="huber"), d["yr_tr"], 1),
        ("lgbm_poisson", dict(objective="poisson"), y_pos, 1),
        ("lgbm_gamma", dict(objective="gamma"), y_pos, 1),
        ("lgbm_tweedie", dict(objective="tweedie"), y_pos, 1),
        ("lgbm_missing_none", dict(objective="binary", use_missing=False), d["yb_tr"], 1),
    ]
    for name, params, y, n_class in small:
        booster = train(dict(SMALL, **params), d["Xtr_nan"], y, 30 if n_class == 1 else 15)
        write_outputs(booster, name, standard, SMALL_ROWS, CONTRIB_ROWS, n_class, FEAT)

    Xtr, Xte, Xte_nan = zero_inputs(d)
    out = os.path.join(FIXTURES, "lgbm_missing_zero")
    f32(f"{out}/X_test.csv", Xte, FEAT)
    f32(f"{out}/X_test_nan.csv", Xte_nan, FEAT)
    booster = train(dict(SMALL, objective="binary", zero_as_missing=True), Xtr, d["yb_tr"], 30)
    write_outputs(booster, "lgbm_missing_zero", [("", Xte), ("_nan", Xte_nan)], SMALL_ROWS, CONTRIB_ROWS, 1, FEAT)

    Xtr, ytr, Xte, Xte_nan, names = categorical_inputs(d)
    out = os.path.join(FIXTURES, "lgbm_categorical")
    f32(f"{out}/X_test.csv", Xte, names)
    f32(f"{out}/X_test_nan.csv", Xte_nan, names)
    params = dict(SMALL, objective="binary", cat_smooth=5, min_data_per_group=20, max_cat_threshold=32)
    booster = train(params, Xtr, ytr, 30, names=names, categorical=[0, 1, 2])
    write_outputs(booster, "lgbm_categorical", [("", Xte), ("_nan", Xte_nan)], SMALL_ROWS, CONTRIB_ROWS, 1, names)

    train_frame, ytr, test, test_nan = frame_inputs(d)
    booster = lgb.train(dict(SMALL, objective="binary", min_data_per_group=20), lgb.Dataset(train_frame, label=ytr), 30)
    names = [c.replace(" ", "_") for c in train_frame.columns]
    assert booster.feature_name() == names, booster.feature_name()
    write_frame_outputs(booster, "lgbm_frame", [("", test), ("_nan", test_nan)], names)
    print(f"wrote {len(small) + 4} LightGBM fixtures under {os.path.normpath(FIXTURES)}")


if __name__ == "__main__":
    sys.exit(main())
