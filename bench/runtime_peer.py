#!/usr/bin/env python3
"""The training libraries' own single-thread cost on one model, measured like RuntimeBenchmark measures
Sibyl: µs per row for one row at a time (xgboost's inplace_predict, LightGBM's and CatBoost's predict,
onnxruntime's InferenceSession.run), for 1,000 rows in one call, and for SHAP contributions (pred_contribs /
pred_contrib / ShapValues) of 100 rows, null for ONNX, which has none. Prints one JSON object.

    runtime_peer.py MODEL_FILE ROWS_CSV
"""
import json
import statistics
import sys
import time

import numpy as np


def per_call(rounds, calls, body):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            body()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def column_feeds(inputs, rows):
    """onnxruntime's feeds for a graph of one input per column (a ColumnTransformer pipeline) from a CSV of
    raw rows: each column `[N, 1]`, text as text, numbers as float32 with blanks missing."""
    import csv

    with open(rows, newline="") as f:
        table = list(csv.reader(f))
    header, body = table[0], table[1:]
    feeds = {}
    for i in inputs:
        cells = [row[header.index(i.name)] for row in body]
        if i.type == "tensor(string)":
            feeds[i.name] = np.array(cells, dtype=object).reshape(-1, 1)
        else:
            feeds[i.name] = np.array([float(c) if c else np.nan for c in cells], dtype=np.float32).reshape(-1, 1)
    return feeds


def main():
    path, rows = sys.argv[1], sys.argv[2]
    X = np.genfromtxt(rows, delimiter=",", skip_header=1, dtype=np.float32, missing_values="", filling_values=np.nan)
    singles = [X[i:i + 1] for i in range(len(X))]
    state = {"i": 0}
    contribs = None
    if path.endswith(".onnx"):
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        inputs = session.get_inputs()
        if len(inputs) == 1:
            feeds = [{inputs[0].name: row} for row in singles]
            whole = {inputs[0].name: X}
        else:
            whole = column_feeds(inputs, rows)
            X = next(iter(whole.values()))
            feeds = [{name: values[k:k + 1] for name, values in whole.items()} for k in range(len(X))]

        def one():
            session.run(None, feeds[state["i"] % len(feeds)])
            state["i"] += 1
        batch = lambda: session.run(None, whole)
        library = f"onnxruntime {onnxruntime.__version__} run"
    elif path.endswith(".txt"):
        import lightgbm as lgb
        model = lgb.Booster(model_file=path)
        X64 = X.astype(np.float64)
        singles = [X64[i:i + 1] for i in range(len(X64))]

        def one():
            model.predict(singles[state["i"] % len(singles)], num_threads=1)
            state["i"] += 1
        batch = lambda: model.predict(X64, num_threads=1)
        contribs = lambda: model.predict(X64[:100], pred_contrib=True, num_threads=1)
        library = f"lightgbm {lgb.__version__} predict"
    elif '"oblivious_trees"' in open(path).read():
        import catboost
        model = catboost.CatBoost()
        model.load_model(path, format="json")

        def one():
            model.predict(singles[state["i"] % len(singles)], prediction_type="RawFormulaVal", thread_count=1)
            state["i"] += 1
        batch = lambda: model.predict(X, prediction_type="RawFormulaVal", thread_count=1)
        pool = catboost.Pool(X[:100])
        contribs = lambda: model.get_feature_importance(pool, type="ShapValues", thread_count=1)
        library = f"catboost {catboost.__version__} predict"
    else:
        import xgboost as xgb
        model = xgb.Booster(model_file=path)
        model.set_param({"nthread": 1})

        def one():
            model.inplace_predict(singles[state["i"] % len(singles)])
            state["i"] += 1
        batch = lambda: model.inplace_predict(X)
        dm = xgb.DMatrix(X[:100], missing=np.nan, feature_names=model.feature_names)
        contribs = lambda: model.predict(dm, pred_contribs=True)
        library = f"xgboost {xgb.__version__} inplace_predict"
    print(json.dumps({
        "library": library,
        "predict_1_row_us": per_call(7, len(singles), one) * 1e6,
        "predict_batch_us_per_row": per_call(7, 3, batch) / len(X) * 1e6,
        "explain_us_per_row": per_call(5, 1, contribs) / 100 * 1e6 if contribs else None,
    }))


if __name__ == "__main__":
    main()
