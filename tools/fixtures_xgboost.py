#!/usr/bin/env python3
"""Writes the small XGBoost fixtures under Tests/Fixtures/xgb_*/ from xgboost 3.2.0's own outputs.

Each folder holds model.json (XGBoost's save_model), model.ubj for the models whose UBJSON form is
tested too, and, for the test rows with and without missing values (suffix _nan), XGBoost's predict
(pred), output_margin=True margins (margin) and pred_contribs=True contributions (contribs), float32
written with %.9g; multiclass contributions are flattened class-major (c{k}_{feature}). The inputs are
Tests/Fixtures/data/X_test*.csv, except for the categorical model, whose folder holds X_test.csv and
X_test_nan.csv with category codes.

The models cover every objective Sibyl reads beyond the three benchmark models, DART, gblinear and
categorical splits. They are small (20 rounds of depth 4) and their outputs cover the first SMALL_ROWS
test rows, contributions the first CONTRIB_ROWS, to keep the committed files small. Training is
deterministic (fixed seeds, one thread), so re-running with the pinned versions (tools/requirements.txt)
rewrites the same files.
"""
import os

import numpy as np

from fixture_data import FEAT, FIXTURES, SEED, f32, make_data

SMALL_ROWS = 200
CONTRIB_ROWS = 100
ROUNDS = 20
TREE = dict(tree_method="hist", max_depth=4, eta=0.3, subsample=0.8, colsample_bytree=0.8, seed=SEED, nthread=1)
# Category counts of the categorical model's two categorical features: the first is split one-hot style
# (fewer categories than max_cat_to_onehot), the second by partitions of its categories.
CATEGORIES = (3, 40)
# The columns the categorical features are cut from: two of the most informative of the binary target.
CATEGORY_SOURCES = (29, 12)


def write_outputs(booster, name, inputs, n_class, names, ubj=False, make_matrix=None):
    """XGBoost's own outputs on the first rows of each input, from the reloaded saved model(s)."""
    import xgboost as xgb

    make_matrix = make_matrix or (lambda X: xgb.DMatrix(X, missing=np.nan, feature_names=names))
    out = os.path.join(FIXTURES, name)
    os.makedirs(out, exist_ok=True)
    booster.save_model(os.path.join(out, "model.json"))
    reloaded = xgb.Booster(model_file=os.path.join(out, "model.json"))
    if ubj:
        booster.save_model(os.path.join(out, "model.ubj"))
        from_ubj = xgb.Booster(model_file=os.path.join(out, "model.ubj"))
    for tag, X in inputs:
        rows, contrib_rows = make_matrix(X[:SMALL_ROWS]), make_matrix(X[:CONTRIB_ROWS])
        pred = reloaded.predict(rows)
        assert np.array_equal(pred, booster.predict(rows)), "the JSON model predicts differently"
        if ubj:
            assert np.array_equal(pred, from_ubj.predict(rows)), "the UBJSON model predicts differently"
        margin = reloaded.predict(rows, output_margin=True)
        contribs = reloaded.predict(contrib_rows, pred_contribs=True)
        if n_class <= 2:
            f32(f"{out}/pred{tag}.csv", pred, ["pred"])
            f32(f"{out}/margin{tag}.csv", margin, ["margin"])
            f32(f"{out}/contribs{tag}.csv", contribs, names + ["bias"])
        else:
            header = [f"p{k}" for k in range(n_class)] if pred.ndim == 2 else ["pred"]
            f32(f"{out}/pred{tag}.csv", pred, header)
            f32(f"{out}/margin{tag}.csv", margin, [f"m{k}" for k in range(n_class)])
            f32(f"{out}/contribs{tag}.csv", contribs.reshape(len(contribs), -1),
                [f"c{k}_{c}" for k in range(n_class) for c in names + ["bias"]])


def train(d, params, label, rounds=ROUNDS):
    import xgboost as xgb

    dtr = xgb.DMatrix(d["Xtr_nan"], label=label, missing=np.nan, feature_names=FEAT)
    return xgb.train(params, dtr, num_boost_round=rounds)


def categorical_frames(d):
    """Ten numeric features and two categorical ones cut into quantile bins from other columns, as pandas
    DataFrames of train and test rows (without and with missing values); categories are 0..K-1, so codes
    equal them."""
    import pandas as pd

    rng = np.random.default_rng(SEED + 1)
    names = FEAT[:10] + ["c0", "c1"]

    def frame(X, source, missing):
        df = pd.DataFrame(X[:, :10], columns=FEAT[:10])
        for k, (column, count) in enumerate(zip(CATEGORY_SOURCES, CATEGORIES)):
            edges = np.quantile(source[:, column], np.linspace(0, 1, count + 1)[1:-1])
            codes = np.digitize(X[:, column], edges)
            codes[rng.random(len(X)) < missing] = -1
            df[f"c{k}"] = pd.Categorical.from_codes(codes, categories=np.arange(count))
        return df

    train_frame = frame(d["Xtr_nan"], d["Xtr"], 0.02)
    test_frames = [("", frame(d["Xte"], d["Xtr"], 0.0)), ("_nan", frame(d["Xte_nan"], d["Xtr"], 0.05))]
    return names, train_frame, test_frames


def main():
    import xgboost as xgb

    assert xgb.__version__ == "3.2.0", f"the fixtures are xgboost 3.2.0's; this is {xgb.__version__}"
    d = make_data()
    inputs = [("", d["Xte"]), ("_nan", d["Xte_nan"])]
    # Labels for the log-link objectives, from the regression target: positive, and counts with zeros.
    z = (d["yr_tr"] - d["yr_tr"].mean()) / d["yr_tr"].std()
    positive = np.exp(0.5 * z)
    counts = np.floor(np.exp(0.7 * z))

    small = [
        ("xgb_logitraw", "binary:logitraw", d["yb_tr"], {}),
        ("xgb_reglogistic", "reg:logistic", d["yb_tr"], {}),
        ("xgb_absoluteerror", "reg:absoluteerror", d["yr_tr"], {}),
        ("xgb_pseudohuber", "reg:pseudohubererror", d["yr_tr"], {"huber_slope": 2.0}),
        ("xgb_poisson", "count:poisson", counts, {}),
        ("xgb_gamma", "reg:gamma", positive, {}),
        ("xgb_tweedie", "reg:tweedie", counts, {"tweedie_variance_power": 1.3}),
    ]
    for name, objective, label, extra in small:
        write_outputs(train(d, {**TREE, **extra, "objective": objective}, label), name, inputs, 1, FEAT)

    binary = train(d, {**TREE, "objective": "binary:logistic"}, d["yb_tr"])
    write_outputs(binary, "xgb_small_binary", inputs, 1, FEAT, ubj=True)
    multiclass = train(d, {**TREE, "objective": "multi:softprob", "num_class": 3}, d["ym_tr"])
    write_outputs(multiclass, "xgb_small_multiclass", inputs, 3, FEAT, ubj=True)
    softmax = train(d, {**TREE, "objective": "multi:softmax", "num_class": 3}, d["ym_tr"])
    write_outputs(softmax, "xgb_softmax", inputs, 3, FEAT)

    dart = train(d, {**TREE, "booster": "dart", "objective": "reg:squarederror", "rate_drop": 0.3,
                     "skip_drop": 0.0, "sample_type": "weighted"}, d["yr_tr"])
    write_outputs(dart, "xgb_dart", inputs, 1, FEAT)

    linear = dict(booster="gblinear", eta=0.5, seed=SEED, nthread=1)
    write_outputs(train(d, {**linear, "objective": "binary:logistic"}, d["yb_tr"]), "xgb_gblinear", inputs, 1, FEAT,
                  ubj=True)
    write_outputs(train(d, {**linear, "objective": "multi:softprob", "num_class": 3}, d["ym_tr"]),
                  "xgb_gblinear_multiclass", inputs, 3, FEAT)

    names, train_frame, test_frames = categorical_frames(d)
    dtr = xgb.DMatrix(train_frame, label=d["yb_tr"], enable_categorical=True)
    categorical = xgb.train({**TREE, "objective": "binary:logistic", "max_cat_to_onehot": 4}, dtr,
                            num_boost_round=ROUNDS)
    out = os.path.join(FIXTURES, "xgb_categorical")
    os.makedirs(out, exist_ok=True)
    for tag, frame in test_frames:
        codes = np.column_stack([frame[c].to_numpy(dtype=np.float64) if c in FEAT else
                                 np.where(frame[c].cat.codes < 0, np.nan, frame[c].cat.codes) for c in names])
        f32(f"{out}/X_test{tag}.csv", codes[:SMALL_ROWS], names)
    write_outputs(categorical, "xgb_categorical", test_frames, 1, names, ubj=True,
                  make_matrix=lambda frame: xgb.DMatrix(frame, enable_categorical=True))


if __name__ == "__main__":
    main()
