#!/usr/bin/env python3
"""Writes the CatBoost fixtures under Tests/Fixtures/cb_*/ from catboost 1.2.10's own outputs.

Each folder holds model.json (CatBoost's save_model(format="json")), the test rows as raw values
(X_test.csv: numbers, text categories, blanks for missing) and, for them, CatBoost's predict
(pred: probabilities or values), RawFormulaVal margins (margin) and ShapValues contributions (contrib),
float64 written with %.17g. The _nan variants hold missing numbers and categories never seen in training.

CatBoost takes no missing category: Sibyl reads a missing category as one never seen in training, so the
reference for a blank categorical cell is CatBoost's answer with that cell set to a text it never saw.
Training is deterministic (random_seed, one thread), so re-running with the pinned versions
(tools/requirements.txt) rewrites the same files.
"""
import os
import sys

import numpy as np

from fixture_data import FIXTURES, SEED, f64, make_data, write_frame

ROWS = 200
UNSEEN = "__sibyl_unseen__"
CITIES = ["Lisbon", "Porto", "Braga", "Faro", "Évora", "Vila Real"]
PLANS = ["basic", "plus", "pro"]
CHANNELS = ["web", "shop"]


def frames(d, rng):
    """Train and test frames: four numbers from the shared data set and three text categories (one with
    two values, which CatBoost one-hot encodes; two with more, which it turns into CTRs)."""
    import pandas as pd

    n_train = len(d["Xtr"])
    n = n_train + ROWS
    X = np.concatenate([d["Xtr_nan"], d["Xte_nan"][:ROWS]])[:, :4].astype(np.float32)
    city, plan, channel = (rng.integers(0, len(v), n) for v in (CITIES, PLANS, CHANNELS))
    frame = pd.DataFrame({
        "credit score": X[:, 0], "city": np.array(CITIES, dtype=object)[city], "income": X[:, 1],
        "plan": np.array(PLANS, dtype=object)[plan], "tenure": X[:, 2], "channel": np.array(CHANNELS, dtype=object)[channel],
        "age": X[:, 3],
    })
    effect = np.linspace(-1.5, 1.5, len(CITIES))[city] + np.array([-0.7, 0.0, 0.7])[plan] + 0.5 * channel
    score = np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) + effect
    return frame[:n_train], frame[n_train:].reset_index(drop=True), score, n_train


def with_gaps(test, rng, categorical):
    """The test rows again with 5% blanks in every column and 5% unseen categories."""
    gaps = test.copy()
    for column in gaps.columns:
        rows = rng.random(len(gaps)) < 0.05
        gaps.loc[rows, column] = None if column in categorical else np.nan
    for column in categorical:
        gaps.loc[rng.random(len(gaps)) < 0.05, column] = "Madrid" if column == "city" else "enterprise"
    return gaps


def write(model, name, tests, categorical, classes):
    from catboost import CatBoost, Pool

    out = os.path.join(FIXTURES, name)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.json")
    model.save_model(path, format="json")
    reloaded = CatBoost()
    reloaded.load_model(path, format="json")
    for tag, frame in tests:
        write_frame(f"{out}/X_test{tag}.csv", frame)
        filled = frame.copy()
        for column in categorical:
            filled[column] = filled[column].where(filled[column].notna(), UNSEEN)
        pool = Pool(filled, cat_features=categorical)
        margin = reloaded.predict(pool, prediction_type="RawFormulaVal")
        if classes == 0:
            pred, pred_names = margin, ["pred"]
        elif classes == 2:
            pred, pred_names = reloaded.predict(pool, prediction_type="Probability")[:, 1], ["pred"]
        else:
            pred, pred_names = reloaded.predict(pool, prediction_type="Probability"), [f"p{k}" for k in range(classes)]
        f64(f"{out}/pred{tag}.csv", pred, pred_names)
        f64(f"{out}/margin{tag}.csv", margin, ["margin"] if margin.ndim == 1 else [f"m{k}" for k in range(classes)])
        contrib = reloaded.get_feature_importance(pool, type="ShapValues")
        names = list(frame.columns) + ["bias"]
        if contrib.ndim == 3:
            contrib = contrib.reshape(len(frame), -1)
            names = [f"c{k}_{c}" for k in range(classes) for c in names]
        f64(f"{out}/contrib{tag}.csv", contrib, names)


def write_hashes(rng):
    """cb_hashes: texts of every length CityHash treats apart (1–200 bytes, UTF-8 included) as a CTR's
    categories, so that the keys of model.json's CTR table are CatBoost's own hashes of texts.txt's lines."""
    import pandas as pd
    from catboost import CatBoostClassifier

    texts = ["x" * n for n in (1, 3, 4, 8, 9, 16, 17, 32, 33, 56, 64, 65, 100, 127, 128, 129, 200)]
    texts += ["Évora", "São João da Madeira " * 4, "0", "-1", "3.5", "naïve café"]
    rows = texts * 4
    frame = pd.DataFrame({"text": rows})
    model = CatBoostClassifier(
        iterations=2, depth=2, one_hot_max_size=1, simple_ctr=["Borders"], random_seed=SEED, thread_count=1, verbose=0,
        allow_writing_files=False)
    model.fit(frame, rng.integers(0, 2, len(rows)), cat_features=["text"])
    out = os.path.join(FIXTURES, "cb_hashes")
    os.makedirs(out, exist_ok=True)
    model.save_model(os.path.join(out, "model.json"), format="json")
    with open(os.path.join(out, "texts.txt"), "w") as f:
        f.write("\n".join(texts) + "\n")


def write_tiny():
    """cb_tiny: three trees of depth 2 with four borders on a small frame whose label needs city and plan
    together, on which CatBoost's default CTRs include a Counter; small enough for the hostile-file tests
    and the fuzz seeds. cb_buckets: a multiclass model of Buckets CTRs on the same frame."""
    import pandas as pd
    from catboost import CatBoostClassifier

    rng = np.random.default_rng(SEED)
    n = 600 + ROWS
    city, plan = rng.integers(0, 6, n), rng.integers(0, 3, n)
    frame = pd.DataFrame({
        "x": rng.normal(size=n).astype(np.float32), "city": np.array(list("abcdef"), dtype=object)[city],
        "plan": np.array(list("pqr"), dtype=object)[plan],
    })
    y = ((city + plan) % 2 == 0).astype(int)
    model = CatBoostClassifier(
        iterations=3, depth=2, border_count=4, one_hot_max_size=1, random_seed=SEED, thread_count=1, verbose=0,
        allow_writing_files=False)
    model.fit(frame[:600], y[:600], cat_features=["city", "plan"])
    test = frame[600:].reset_index(drop=True)
    write(model, "cb_tiny", [("", test), ("_nan", with_gaps(test, rng, ["city", "plan"]))], ["city", "plan"], 2)

    # cb_buckets: the same frame, three classes, and Buckets CTRs (one per class border).
    model = CatBoostClassifier(
        iterations=6, depth=2, border_count=4, one_hot_max_size=1, simple_ctr=["Buckets"], loss_function="MultiClass",
        random_seed=SEED, thread_count=1, verbose=0, allow_writing_files=False)
    model.fit(frame[:600], ((city + plan) % 3)[:600], cat_features=["city", "plan"])
    write(model, "cb_buckets", [("", test), ("_nan", with_gaps(test, rng, ["city", "plan"]))], ["city", "plan"], 3)


def write_numbers(d):
    """cb_numbers: 300 trees of depth 6 on the shared data set's 30 numbers (the benchmark's model beside
    xgb_binary and lgbm_binary), with references for Tests/Fixtures/data/X_test*.csv, not copied here."""
    from catboost import CatBoost, CatBoostClassifier

    model = CatBoostClassifier(
        iterations=300, depth=6, random_seed=SEED, thread_count=1, verbose=0, allow_writing_files=False)
    model.fit(d["Xtr_nan"], d["yb_tr"])
    out = os.path.join(FIXTURES, "cb_numbers")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.json")
    model.save_model(path, format="json")
    reloaded = CatBoost()
    reloaded.load_model(path, format="json")
    for tag, rows in [("", d["Xte"]), ("_nan", d["Xte_nan"])]:
        f64(f"{out}/pred{tag}.csv", reloaded.predict(rows, prediction_type="Probability")[:, 1], ["pred"])
        f64(f"{out}/margin{tag}.csv", reloaded.predict(rows, prediction_type="RawFormulaVal"), ["margin"])
        from catboost import Pool
        contrib = reloaded.get_feature_importance(Pool(rows), type="ShapValues")
        f64(f"{out}/contrib{tag}.csv", contrib, [f"f{k}" for k in range(rows.shape[1])] + ["bias"])


def main():
    import catboost
    import pandas as pd

    assert catboost.__version__ == "1.2.10", f"fixtures are made with catboost 1.2.10, not {catboost.__version__}"
    d = make_data()
    rng = np.random.default_rng(SEED + 4)
    train, test, score, n_train = frames(d, rng)
    noise = rng.normal(scale=0.5, size=len(score))
    common = dict(iterations=60, depth=5, learning_rate=0.2, random_seed=SEED, thread_count=1, verbose=0, allow_writing_files=False)

    # Binary: text categories one-hot (channel) and as CTRs (city, plan).
    categorical = ["city", "plan", "channel"]
    y = (score + noise > 0).astype(int)
    model = catboost.CatBoostClassifier(**common, cat_features=categorical, one_hot_max_size=2, max_ctr_complexity=1)
    model.fit(train, y[:n_train])
    write(model, "cb_binary", [("", test), ("_nan", with_gaps(test, rng, categorical))], categorical, 2)

    # Multiclass on numbers, one-hot categories (plan, channel) and CTRs of several target borders (city).
    y = np.digitize(score + noise, np.quantile(score, [0.33, 0.66]))
    model = catboost.CatBoostClassifier(**common, loss_function="MultiClass", cat_features=categorical, one_hot_max_size=4)
    model.fit(train, y[:n_train])
    write(model, "cb_multiclass", [("", test), ("_nan", with_gaps(test, rng, categorical))], categorical, 3)

    # Regression on numbers alone.
    numbers = ["credit score", "income", "tenure", "age"]
    model = catboost.CatBoostRegressor(**common, loss_function="RMSE")
    model.fit(train[numbers], (score + noise)[:n_train])
    write(model, "cb_regression", [("", test[numbers]), ("_nan", with_gaps(test[numbers], rng, []))], [], 0)

    # CTRs over combinations of features (max_ctr_complexity 4): of two categories, of a category with a
    # float border and with another category's one-hot value (channel), as binary and as regression.
    # The binary label also asks whether city and plan are of the same parity, which no one category answers.
    frame = pd.concat([train, test])
    parity = (frame["city"].map(CITIES.index) + frame["plan"].map(PLANS.index)).to_numpy() % 2
    model = catboost.CatBoostClassifier(**common, cat_features=categorical, one_hot_max_size=2, max_ctr_complexity=4)
    model.fit(train, (score + noise + 3 * parity - 1.5 > 0).astype(int)[:n_train])
    write(model, "cb_combinations", [("", test), ("_nan", with_gaps(test, rng, categorical))], categorical, 2)
    model = catboost.CatBoostRegressor(**common, cat_features=categorical, one_hot_max_size=2, max_ctr_complexity=4)
    model.fit(train, (score + noise)[:n_train])
    write(model, "cb_combinations_regression", [("", test), ("_nan", with_gaps(test, rng, categorical))], categorical, 0)
    write_hashes(rng)
    write_tiny()
    write_numbers(d)
    print(f"wrote 9 CatBoost fixtures under {os.path.normpath(FIXTURES)}")


if __name__ == "__main__":
    sys.exit(main())
