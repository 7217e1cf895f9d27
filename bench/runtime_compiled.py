#!/usr/bin/env python3
"""Compiled peers of Sibyl's runtime on one model, single thread, measured like runtime_peer.py measures
the libraries: µs per row for one row at a time and for 1,000 rows in one call. Prints one JSON object per
peer that reads the model: lleaves (LightGBM through LLVM) and TL2cgen (XGBoost and LightGBM through
treelite to C, compiled by gcc). Compiled models are cached under OUT (first argument's folder name).

    runtime_compiled.py MODEL_FILE ROWS_CSV OUT_DIR
"""
import json
import os
import sys

import numpy as np

from runtime_peer import per_call


def measure(library, one_row, batch, rows):
    state = {"i": 0}

    def one():
        one_row(state["i"] % rows)
        state["i"] += 1
    print(json.dumps({
        "library": library,
        "predict_1_row_us": per_call(7, rows, one) * 1e6,
        "predict_batch_us_per_row": per_call(7, 3, batch) / rows * 1e6,
    }))


def main():
    path, rows_path, out = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    X = np.genfromtxt(rows_path, delimiter=",", skip_header=1, dtype=np.float32, missing_values="", filling_values=np.nan)
    X64 = X.astype(np.float64)
    name = os.path.basename(os.path.dirname(path))
    if path.endswith(".onnx"):
        return  # neither compiles an ONNX graph

    if path.endswith(".txt"):
        import lleaves
        model = lleaves.Model(model_file=path)
        model.compile(cache=os.path.join(out, f"{name}.lleaves.o"))
        singles = [X64[i:i + 1] for i in range(len(X64))]
        measure(
            f"lleaves {lleaves.__version__ if hasattr(lleaves, '__version__') else '1.3.0'}",
            lambda i: model.predict(singles[i], n_jobs=1), lambda: model.predict(X64, n_jobs=1), len(X64))

    import tl2cgen
    import treelite
    if path.endswith(".txt"):
        model = treelite.frontend.load_lightgbm_model(path)
    elif '"oblivious_trees"' in open(path).read():
        return
    else:
        model = treelite.frontend.load_xgboost_model(path)
    library = os.path.join(out, f"{name}.tl2cgen.so")
    if not os.path.exists(library):
        tl2cgen.export_lib(model, toolchain="gcc", libpath=library, params={"parallel_comp": 8}, verbose=False)
    predictor = tl2cgen.Predictor(library, nthread=1)
    singles = [tl2cgen.DMatrix(X[i:i + 1], dtype="float32") for i in range(len(X))]
    whole = tl2cgen.DMatrix(X, dtype="float32")
    measure(
        f"tl2cgen {tl2cgen.__version__} (treelite {treelite.__version__}, gcc)",
        lambda i: predictor.predict(singles[i]), lambda: predictor.predict(whole), len(X))


if __name__ == "__main__":
    main()
