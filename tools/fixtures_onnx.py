#!/usr/bin/env python3
"""Writes the ONNX fixtures under Tests/Fixtures/onnx_*/ from skl2onnx 1.20's and onnxmltools 1.16's
conversions and onnxruntime's own outputs.

Each folder holds model.onnx (skl2onnx's conversion, as a user saves it) and, for the shared test rows
(Tests/Fixtures/data/X_test.csv, and X_test_nan.csv with 5% missing cells), onnxruntime's outputs in float32
written with %.9g: pred (the probability of class 1 for a binary classifier, every class's for a
multiclass one, the value for a regressor) and label (the class onnxruntime names).

The models are trained on the shared data set (fixture_data.py) with fixed seeds, so re-running with the
pinned versions (tools/requirements.txt) rewrites the same files. Fixture names as arguments write those
alone (the forests' files differ from run to run in their bytes, never in their outputs).
"""
import os
import sys

import numpy as np

from fixture_data import FIXTURES, N_FEAT, SEED, f32, make_data


def convert(model, X):
    from skl2onnx import to_onnx

    return to_onnx(model, X[:1], target_opset={"": 17, "ai.onnx.ml": 3})


def fuzz_seed(name, onnx_model, trees=2):
    """Fuzz/Corpus/onnx/model-<name>: the model cut to its first trees, within the fuzz target's 16 KiB."""
    data = cut_trees(onnx_model, trees).SerializeToString()
    if len(data) > 16_384:
        # A graph of many small nodes (a discretizer's per column) has nothing to cut: no seed.
        print(f"{name}: {len(data)} bytes, over the fuzz target's 16 KiB; no seed")
        return
    folder = os.path.join(FIXTURES, "..", "..", "Fuzz", "Corpus", "onnx")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"model-{name}"), "wb") as f:
        f.write(data)


def cut_trees(onnx_model, trees):
    """A copy of the model with its tree ensembles (of the list attributes) cut to their first trees and its
    support vector machines to two vectors a class."""
    import copy

    from onnx import helper

    cut = copy.deepcopy(onnx_model)
    for node in cut.graph.node:
        values = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type.startswith("SVM"):
            # Two support vectors a class (or two in all), with their coefficients.
            counts = values.get("vectors_per_class") or [values["n_supports"]]
            width = len(values["support_vectors"]) // sum(counts)
            starts = np.cumsum([0] + list(counts))
            keep = [starts[c] + k for c in range(len(counts)) for k in range(min(2, counts[c]))]
            rows = len(values["coefficients"]) // sum(counts)
            values["coefficients"] = [values["coefficients"][r * sum(counts) + k] for r in range(rows) for k in keep]
            values["support_vectors"] = [values["support_vectors"][k * width + j] for k in keep for j in range(width)]
            if "vectors_per_class" in values:
                values["vectors_per_class"] = [min(2, c) for c in counts]
            else:
                values["n_supports"] = len(keep)
            del node.attribute[:]
            node.attribute.extend(helper.make_attribute(k, v) for k, v in sorted(values.items()))
        if not node.op_type.startswith("TreeEnsemble"):
            continue
        for prefix in ("nodes", "class", "target"):
            if f"{prefix}_treeids" not in values:
                continue
            keep = [k for k, tree in enumerate(values[f"{prefix}_treeids"]) if tree < trees]
            for key in [k for k in values if k.startswith(prefix + "_")]:
                values[key] = [values[key][k] for k in keep]
        del node.attribute[:]
        node.attribute.extend(helper.make_attribute(k, v) for k, v in sorted(values.items()))
    return cut


def tree_ensemble_v5(model):
    """A TreeEnsembleRegressor model (the list attributes of ai.onnx.ml opsets 1-3) rewritten as opset 5's
    TreeEnsemble, as no converter writes it yet: the split nodes alone, each child a split or a leaf, the
    thresholds, modes and leaf weights as tensors, trees by their roots; the base value (opset 5 has none)
    added by an Add after it."""
    from onnx import TensorProto, helper, numpy_helper

    node = next(n for n in model.graph.node if n.op_type == "TreeEnsembleRegressor")
    a = {x.name: helper.get_attribute_value(x) for x in node.attribute}
    keys = list(zip(a["nodes_treeids"], a["nodes_nodeids"]))
    modes = [m.decode() for m in a["nodes_modes"]]
    splits = {k: i for i, k in enumerate(k for k, m in zip(keys, modes) if m != "LEAF")}
    leaf_keys = [k for k, m in zip(keys, modes) if m == "LEAF"]
    leaves = {k: i for i, k in enumerate(leaf_keys)}
    weight = {(t, n): w for t, n, w in zip(a["target_treeids"], a["target_nodeids"], a["target_weights"])}
    codes = {"BRANCH_LEQ": 0, "BRANCH_LT": 1, "BRANCH_GTE": 2, "BRANCH_GT": 3}
    lists = {k: [] for k in ("featureids", "splits", "modes", "truenodeids", "trueleafs", "falsenodeids", "falseleafs",
                             "missing_value_tracks_true")}
    for p, ((tree, _), mode) in enumerate(zip(keys, modes)):
        if mode == "LEAF":
            continue
        child = lambda c: (leaves[(tree, c)], 1) if (tree, c) in leaves else (splits[(tree, c)], 0)
        (on_true, true_leaf), (on_false, false_leaf) = child(a["nodes_truenodeids"][p]), child(a["nodes_falsenodeids"][p])
        for key, value in zip(lists, (a["nodes_featureids"][p], a["nodes_values"][p], codes[mode], on_true, true_leaf,
                                      on_false, false_leaf, a["nodes_missing_value_tracks_true"][p])):
            lists[key].append(value)
    roots = {}
    for key in keys:
        if key[0] not in roots:  # a tree's first node is its root
            roots[key[0]] = splits[key]
    ensemble = helper.make_node(
        "TreeEnsemble", ["X"], ["raw"], domain="ai.onnx.ml", aggregate_function=1, post_transform=0, n_targets=1,
        tree_roots=list(roots.values()), leaf_targetids=[0] * len(leaf_keys),
        leaf_weights=numpy_helper.from_array(np.array([weight[k] for k in leaf_keys], dtype=np.float32)),
        nodes_splits=numpy_helper.from_array(np.array(lists.pop("splits"), dtype=np.float32)),
        nodes_modes=numpy_helper.from_array(np.array(lists.pop("modes"), dtype=np.uint8)),
        **{f"nodes_{k}": v for k, v in lists.items()})
    base = numpy_helper.from_array(np.array(a["base_values"], dtype=np.float32).reshape(1, 1), "base")
    width = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    graph = helper.make_graph(
        [ensemble, helper.make_node("Add", ["raw", "base"], ["variable"])], "tree_ensemble",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, width])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])], [base])
    rewritten = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 5)])
    rewritten.ir_version = 10
    return rewritten


def wanted(name):
    """Whether this run writes fixture `name`: every one, or those named as arguments."""
    return len(sys.argv) == 1 or name in sys.argv[1:]


def write(name, onnx_model, d, classes, rows=None, feeds=None):
    import onnxruntime

    if not wanted(name):
        return
    out = os.path.join(FIXTURES, name)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "model.onnx")
    # The converters collect opsets in a set, whose order changes from run to run: sorted, the file does not.
    imports = sorted((o.domain, o.version) for o in onnx_model.opset_import)
    del onnx_model.opset_import[:]
    for domain, version in imports:
        onnx_model.opset_import.add(domain=domain, version=version)
    with open(path, "wb") as f:
        f.write(onnx_model.SerializeToString())
    fuzz_seed(name, onnx_model)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    if rows is not None:
        f32(f"{out}/X_test.csv", rows, [f"f{k}" for k in range(rows.shape[1])])
    if feeds is None:
        tagged = (("", rows),) if rows is not None else (("", d["Xte"]), ("_nan", d["Xte_nan"]))
        feeds = {tag: {session.get_inputs()[0].name: X} for tag, X in tagged}
    for tag, feed in feeds.items():
        outputs = session.run(None, feed)
        if classes == 0:
            f32(f"{out}/pred{tag}.csv", outputs[0].reshape(-1), ["pred"])
            continue
        label, probabilities = outputs[0], outputs[1]
        if isinstance(probabilities, list):  # ZipMap: a map per row
            probabilities = np.array([[row[k] for k in sorted(row)] for row in probabilities], dtype=np.float32)
        if classes == 2:
            # A classifier of decision values may give class 1's alone (LinearSVC).
            f32(f"{out}/pred{tag}.csv", probabilities[:, -1], ["pred"])
        else:
            f32(f"{out}/pred{tag}.csv", probabilities, [f"p{k}" for k in range(classes)])
        f32(f"{out}/label{tag}.csv", label.astype(np.float32), ["label"])


def frame(X, rng, unseen):
    """Raw rows as a user's frame holds them: two number columns (with the data's missing cells) and two
    text columns cut from other features; with `unseen`, 3% of the text cells are a category the training
    never saw and 3% are empty (a missing text)."""
    import pandas as pd

    city = np.array(["lyon", "nice", "paris"])[np.digitize(X[:, 2], [-0.5, 0.5])]
    plan = np.where(X[:, 3] > 0, "pro", "free")
    if unseen:
        for column, new in ((city, "marseille"), (plan, "team")):
            draw = rng.random(len(column))
            column[draw < 0.03] = new
            column[(draw >= 0.03) & (draw < 0.06)] = ""
    return pd.DataFrame({"age": X[:, 0], "income": X[:, 1], "city": city.astype(object), "plan": plan.astype(object)})


def with_integers(frame, X):
    """`frame` with two int64 columns, as a frame read from a file holds counts: "visits" (0–99) and
    "children" (0–3), cut from two features that have no missing cells there."""
    frame = frame.copy()
    frame["visits"] = np.clip(np.nan_to_num(X[:, 4]) * 20 + 50, 0, 99).astype(np.int64)
    frame["children"] = np.digitize(np.nan_to_num(X[:, 5]), [-1, 0, 1]).astype(np.int64)
    return frame


def write_columns(name, pipeline, d, classes, from_frame=False, integers=False):
    """A ColumnTransformer pipeline over `frame` rows, converted with one input per column, and onnxruntime's
    outputs for the fixture's own test rows (X_test.csv: the shared test rows' missing cells, unseen and
    empty categories). `from_frame`: converted as most users convert one, from the training frame's first
    row (`to_onnx(pipeline, frame[:1])`), which skl2onnx reads through Gather nodes. `integers`: the frame
    has int64 columns too (`with_integers`)."""
    import csv

    import onnxruntime
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    rng = np.random.default_rng(SEED)
    train = frame(d["Xtr_nan"], rng, unseen=False)
    if integers:
        train = with_integers(train, d["Xtr"])
    target = d["yb_tr"] if classes == 2 else d["ym_tr"]
    pipeline.fit(train, target)
    types = [("age", FloatTensorType([None, 1])), ("income", FloatTensorType([None, 1])),
             ("city", StringTensorType([None, 1])), ("plan", StringTensorType([None, 1]))]
    if from_frame:
        model = to_onnx(pipeline, train[:1], target_opset={"": 17, "ai.onnx.ml": 3})
    else:
        model = to_onnx(pipeline, initial_types=types, target_opset={"": 17, "ai.onnx.ml": 3})
    out = os.path.join(FIXTURES, name)
    os.makedirs(out, exist_ok=True)
    test = frame(d["Xte_nan"], rng, unseen=True)
    if integers:
        test = with_integers(test, d["Xte"])
    with open(f"{out}/X_test.csv", "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(test.columns)
        for age, income, city, plan, *counts in test.itertuples(index=False):
            writer.writerow(["" if np.isnan(age) else "%.9g" % age, "" if np.isnan(income) else "%.9g" % income, city, plan, *counts])
    feeds = {"age": test[["age"]].to_numpy(np.float32), "income": test[["income"]].to_numpy(np.float32),
             "city": test[["city"]].to_numpy(), "plan": test[["plan"]].to_numpy()}
    if integers:
        feeds.update(visits=test[["visits"]].to_numpy(np.int64), children=test[["children"]].to_numpy(np.int64))
    write(name, model, d, classes, feeds={"": feeds})


def write_dict(name, pipeline, d, classes):
    """A DictVectorizer pipeline over records (the shared data set's first six features, a missing cell an
    absent key, and a "vip" key present in a third of them), converted with a map input, and onnxruntime's
    outputs for 1,000 test records (X_test.json, a prediction body), one map per call as onnxruntime takes
    them."""
    import json

    import onnxruntime
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import DictionaryType, FloatTensorType, StringTensorType

    rng = np.random.default_rng(SEED)

    def records(X):
        out = []
        for row in X[:, :6]:
            record = {f"f{k}": float(v) for k, v in enumerate(row) if not np.isnan(v)}
            if rng.random() < 0.33:
                record["vip"] = 1.0
            out.append(record)
        return out

    train, test = records(d["Xtr_nan"]), records(d["Xte_nan"])
    pipeline.fit(train, d["yb_tr"] if classes == 2 else d["ym_tr"])
    types = [("record", DictionaryType(StringTensorType([]), FloatTensorType([])))]
    model = to_onnx(pipeline, initial_types=types, target_opset={"": 17, "ai.onnx.ml": 3})
    write(name, model, d, classes, feeds={})
    if not wanted(name):
        return
    out = os.path.join(FIXTURES, name)
    with open(f"{out}/X_test.json", "w") as f:
        json.dump({"records": [{k: float(np.float32(v)) for k, v in r.items()} for r in test]}, f)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(f"{out}/model.onnx", options, providers=["CPUExecutionProvider"])
    labels, probabilities = [], []
    for record in test:
        label, probability = session.run(None, {"record": {k: np.float32(v) for k, v in record.items()}})
        labels.append(label[0])
        probabilities.append(probability[0][1] if isinstance(probability, list) else probability[0, 1])
    f32(f"{out}/pred.csv", np.array(probabilities, dtype=np.float32), ["pred"])
    f32(f"{out}/label.csv", np.array(labels, dtype=np.float32), ["label"])


def write_castmap(name, source):
    """The DictVectorizer pipeline of `source` over maps keyed by its vocabulary's positions: the map input
    made int64 to float and the vectorizer a CastMap (SPARSE, `max_map` the vocabulary's size, an absent key
    0), which no converter emits but onnxruntime runs; the same records keyed "0", "1", …, and onnxruntime's
    outputs, one map per call."""
    import json

    import onnx
    import onnxruntime
    from onnx import TensorProto, helper

    if not wanted(name):
        return
    model = onnx.load(os.path.join(FIXTURES, source, "model.onnx"))
    graph = model.graph
    vectorizer = next(node for node in graph.node if node.op_type == "DictVectorizer")
    vocabulary = [s.decode() for a in vectorizer.attribute if a.name == "string_vocabulary" for s in a.strings]
    cast = helper.make_node("CastMap", list(vectorizer.input), list(vectorizer.output), domain="ai.onnx.ml",
                            cast_to="TO_FLOAT", map_form="SPARSE", max_map=len(vocabulary))
    position = list(graph.node).index(vectorizer)
    graph.node.remove(vectorizer)
    graph.node.insert(position, cast)
    graph.input[0].type.map_type.key_type = TensorProto.INT64
    onnx.checker.check_model(model)
    out = os.path.join(FIXTURES, name)
    os.makedirs(out, exist_ok=True)
    with open(f"{out}/model.onnx", "wb") as f:
        f.write(model.SerializeToString())
    fuzz_seed(name, model)
    with open(os.path.join(FIXTURES, source, "X_test.json")) as f:
        records = [{vocabulary.index(k): v for k, v in r.items()} for r in json.load(f)["records"]]
    with open(f"{out}/X_test.json", "w") as f:
        json.dump({"records": [{str(k): v for k, v in sorted(r.items())} for r in records]}, f)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(f"{out}/model.onnx", options, providers=["CPUExecutionProvider"])
    labels, probabilities = [], []
    for record in records:
        label, probability = session.run(None, {graph.input[0].name: {k: np.float32(v) for k, v in record.items()}})
        labels.append(label[0])
        probabilities.append(probability[0][1] if isinstance(probability, list) else probability[0, 1])
    f32(f"{out}/pred.csv", np.array(probabilities, dtype=np.float32), ["pred"])
    f32(f"{out}/label.csv", np.array(labels, dtype=np.float32), ["label"])


def modes():
    """onnx_modes: a regressor written by hand (onnx.helper), one one-split tree per comparison mode and
    missing-value flag, and a deeper tree whose node ids are out of order, with leaf weights that are powers
    of two so that each row's sum names every leaf it reached; rows at, just above and just below each
    threshold, and missing cells."""
    from onnx import TensorProto, helper

    nodes = {k: [] for k in ("treeids", "nodeids", "featureids", "modes", "values", "truenodeids", "falsenodeids",
                             "missing_value_tracks_true")}
    targets = {k: [] for k in ("treeids", "nodeids", "ids", "weights")}

    def node(tree, id, mode, feature=0, value=0.0, true=0, false=0, track=0):
        for key, v in zip(nodes, (tree, id, feature, mode, value, true, false, track)):
            nodes[key].append(v)

    def leaf(tree, id, weight):
        node(tree, id, "LEAF")
        for key, v in zip(targets, (tree, id, 0, weight)):
            targets[key].append(v)

    tree = 0
    for mode in ("BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT"):
        for track in (0, 1):
            node(tree, 0, mode, feature=0, value=0.5, true=1, false=2, track=track)
            leaf(tree, 1, float(2 ** (2 * tree)))
            leaf(tree, 2, float(2 ** (2 * tree + 1)))
            tree += 1
    # Tree 8: root 7 asks f1 <= 0.1 (true: split 3, false: leaf 10); split 3 asks f0 > -0.75, NaN true
    # (true: leaf 1, false: leaf 0).
    node(8, 7, "BRANCH_LEQ", feature=1, value=0.1, true=3, false=10)
    node(8, 3, "BRANCH_GT", feature=0, value=-0.75, true=1, false=0, track=1)
    leaf(8, 10, 2.0 ** 16)
    leaf(8, 1, 2.0 ** 17)
    leaf(8, 0, 2.0 ** 18)
    ensemble = helper.make_node(
        "TreeEnsembleRegressor", ["X"], ["variable"], domain="ai.onnx.ml", n_targets=1, aggregate_function="SUM",
        post_transform="NONE", base_values=[0.0],
        **{f"nodes_{k}": v for k, v in nodes.items()}, **{f"target_{k}": v for k, v in targets.items()})
    graph = helper.make_graph(
        [ensemble], "modes", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 1)])
    model.ir_version = 8
    half, tenth = np.float32(0.5), np.float32(0.1)
    values0 = [half, np.nextafter(half, np.float32(1)), np.nextafter(half, np.float32(0)), np.nan, np.float32(-0.75),
               np.nextafter(np.float32(-0.75), np.float32(-1)), np.float32(-2), np.float32(3), np.float32(0)]
    values1 = [tenth, np.nextafter(tenth, np.float32(1)), np.nan, np.float32(-5)]
    X = np.array([[a, b] for a in values0 for b in values1], dtype=np.float32)
    return model, X


def main():
    from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier, GradientBoostingRegressor,
                                  HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                                  RandomForestClassifier, RandomForestRegressor)

    d = make_data()
    assert d["Xtr"].shape[1] == N_FEAT
    # A random forest on rows with missing cells (scikit-learn learns where they go): averaged class
    # proportions, no post transform, the default ZipMap output.
    forest = RandomForestClassifier(n_estimators=20, max_depth=7, random_state=SEED, n_jobs=1)
    forest.fit(d["Xtr_nan"], d["yb_tr"])
    write("onnx_rf_binary", convert(forest, d["Xtr"]), d, 2)
    # Gradient boosting (no missing cells in training; onnxruntime sends them to the false side):
    # regression, a logistic over one score, and a softmax over one score per class.
    boosted = GradientBoostingRegressor(n_estimators=60, max_depth=4, random_state=SEED)
    boosted.fit(d["Xtr"], d["yr_tr"])
    write("onnx_gbr_regression", convert(boosted, d["Xtr"]), d, 0)
    # The same model as opset 5's TreeEnsemble, and a seed of its first two trees so written.
    write("onnx_treeensemble_v5", tree_ensemble_v5(convert(boosted, d["Xtr"])), d, 0)
    if wanted("onnx_treeensemble_v5"):
        fuzz_seed("onnx_treeensemble_v5", tree_ensemble_v5(cut_trees(convert(boosted, d["Xtr"]), 2)))
    boosted = GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=SEED)
    boosted.fit(d["Xtr"], d["yb_tr"])
    write("onnx_gbc_binary", convert(boosted, d["Xtr"]), d, 2)
    boosted = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=SEED)
    boosted.fit(d["Xtr"], d["ym_tr"])
    write("onnx_gbc_multiclass", convert(boosted, d["Xtr"]), d, 3)
    # Averaging forests: a regressor (skl2onnx divides each leaf by the tree count and sums), and a
    # multiclass forest whose every leaf scores every class, with no post transform.
    averaged = RandomForestRegressor(n_estimators=10, max_depth=6, random_state=SEED, n_jobs=1)
    averaged.fit(d["Xtr"], d["yr_tr"])
    write("onnx_rf_regression", convert(averaged, d["Xtr"]), d, 0)
    extra = ExtraTreesClassifier(n_estimators=10, max_depth=6, random_state=SEED, n_jobs=1)
    extra.fit(d["Xtr"], d["ym_tr"])
    write("onnx_et_multiclass", convert(extra, d["Xtr"]), d, 3)
    # XGBoost and LightGBM through onnxmltools: the 300-tree benchmark models (xgb_binary, lgbm_binary), a
    # logistic over one score, and LightGBM's softmax over one score per class and its regression.
    import lightgbm
    import xgboost
    from onnxmltools import convert_lightgbm, convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType

    rows_type = [("X", FloatTensorType([None, N_FEAT]))]
    booster = xgboost.Booster(model_file=os.path.join(FIXTURES, "xgb_binary", "model.json"))
    write("onnx_xgb_binary", convert_xgboost(booster, initial_types=rows_type, target_opset=15), d, 2)
    for name, classes in (("lgbm_binary", 2), ("lgbm_multiclass", 3), ("lgbm_regression", 0)):
        booster = lightgbm.Booster(model_file=os.path.join(FIXTURES, name, "model.txt"))
        write(f"onnx_{name}", convert_lightgbm(booster, initial_types=rows_type, target_opset=15, zipmap=True), d, classes)
    # Numeric pipelines: scaling, imputing, linear models and a perceptron, planned as a graph.
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    pipelines = [
        ("onnx_scaler_logreg", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)), "yb_tr", 2),
        ("onnx_logreg_multiclass", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)), "ym_tr", 3),
        ("onnx_minmax_ridge", make_pipeline(MinMaxScaler(), Ridge()), "yr_tr", 0),
        ("onnx_mlp_multiclass", make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), max_iter=300, random_state=SEED)), "ym_tr", 3),
        ("onnx_mlp_regression", make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(16,), max_iter=300, random_state=SEED)), "yr_tr", 0),
    ]
    for name, pipeline, target, classes in pipelines:
        pipeline.fit(d["Xtr"], d[target])
        write(name, convert(pipeline, d["Xtr"]), d, classes)
    # An imputer before a forest: the missing cells get the training medians.
    imputed = make_pipeline(SimpleImputer(strategy="median"), RandomForestClassifier(n_estimators=10, max_depth=6, random_state=SEED, n_jobs=1))
    imputed.fit(d["Xtr_nan"], d["ym_tr"])
    write("onnx_imputer_forest", convert(imputed, d["Xtr"]), d, 3)
    # ColumnTransformer pipelines over raw rows, one input per column: numbers imputed and scaled, text
    # one-hot encoded (an unknown category as none), into a forest and into a logistic regression.
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    def columns():
        return ColumnTransformer([
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["age", "income"]),
            ("text", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
        ])

    forest = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=SEED, n_jobs=1)
    write_columns("onnx_columns_forest", make_pipeline(columns(), forest), d, 3)
    write_columns("onnx_columns_logreg", make_pipeline(columns(), LogisticRegression(max_iter=1000)), d, 2)
    # Converted from the frame itself, with an encoder per text column, each of which skl2onnx reads
    # through a Gather of the column.
    per_column = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["age", "income"]),
        ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ("plan", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
    ])
    write_columns("onnx_frame_forest", make_pipeline(per_column, forest), d, 3, from_frame=True)
    # A frame with int64 columns too: one scaled (skl2onnx casts it to float first), one one-hot encoded as
    # numbers (its encoder reads the integers themselves).
    with_counts = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ["age", "income"]),
        ("visits", StandardScaler(), ["visits"]),
        ("children", OneHotEncoder(handle_unknown="ignore"), ["children"]),
        ("city", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ("plan", OneHotEncoder(handle_unknown="ignore"), ["plan"]),
    ])
    write_columns("onnx_frame_integers_forest", make_pipeline(with_counts, forest), d, 3, from_frame=True, integers=True)
    # Records as maps, absent keys 0: a DictVectorizer, scaled, into a logistic regression.
    from sklearn.feature_extraction import DictVectorizer

    write_dict("onnx_dict_logreg", make_pipeline(DictVectorizer(sparse=False), StandardScaler(), LogisticRegression(max_iter=1000)), d, 2)
    write_castmap("onnx_castmap_logreg", "onnx_dict_logreg")
    # Text as ordinal codes (skl2onnx's LabelEncoder; an unknown or empty category as -1) beside the raw
    # numbers, into a HistGradientBoosting classifier.
    from sklearn.preprocessing import Binarizer, OrdinalEncoder

    ordinal = ColumnTransformer([
        ("numbers", "passthrough", ["age", "income"]),
        ("text", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
    ])
    with booleans_as_ints():
        hist = HistGradientBoostingClassifier(max_iter=30, random_state=SEED)
        write_columns("onnx_columns_ordinal_hgb", make_pipeline(ordinal, hist), d, 3)
    # LinearSVC: decision values, not probabilities (a linear classifier without a transform; binary, its
    # class 1 value alone). Alone, not in a pipeline: skl2onnx 1.20 asks a pipeline's LinearSVC for a
    # zipmap option it does not have.
    from sklearn.svm import LinearSVC

    for name, target, classes in (("onnx_linearsvc_binary", "yb_tr", 2), ("onnx_linearsvc_multiclass", "ym_tr", 3)):
        machine = LinearSVC(random_state=SEED).fit(d["Xtr"], d[target])
        write(name, convert(machine, d["Xtr"]), d, classes)
    # Standard operators on the prediction's way: KBinsDiscretizer (Less against each column's edges, ArgMax,
    # as ordinals or one-hot encoded numbers) and PowerTransformer (Yeo-Johnson: Log, Pow, Neg, Not, masks
    # multiplied), each before a logistic regression.
    from sklearn.preprocessing import KBinsDiscretizer, PowerTransformer

    standard = [
        ("onnx_kbins_logreg", KBinsDiscretizer(n_bins=5, encode="ordinal", quantile_method="averaged_inverted_cdf")),
        ("onnx_kbins_onehot_logreg", KBinsDiscretizer(n_bins=4, encode="onehot-dense", quantile_method="averaged_inverted_cdf")),
        ("onnx_power_logreg", PowerTransformer()),
    ]
    for name, transformer in standard:
        pipeline = make_pipeline(transformer, LogisticRegression(max_iter=1000)).fit(d["Xtr"], d["yb_tr"])
        write(name, convert(pipeline, d["Xtr"]), d, 2)
        # The discretizers' graphs (nodes per column) are over the fuzz target's 16 KiB: a seed of the same
        # pipeline on three columns.
        if "kbins" in name and wanted(name):
            few_columns = make_pipeline(transformer, LogisticRegression(max_iter=1000)).fit(d["Xtr"][:, :3], d["yb_tr"])
            fuzz_seed(f"{name}_3_columns", convert(few_columns, d["Xtr"][:, :3]))
    # AdaBoost (SAMME): each tree's vote (ArgMax, Equal, Where over a ConstantOfShape of its Shape) weighted,
    # summed and made probabilities by a softmax written out (Exp, ReduceSum, Div).
    from sklearn.ensemble import AdaBoostClassifier

    for name, target, classes in (("onnx_adaboost_binary", "yb_tr", 2), ("onnx_adaboost_multiclass", "ym_tr", 3)):
        boosted = AdaBoostClassifier(n_estimators=15, random_state=SEED).fit(d["Xtr"], d[target])
        write(name, convert(boosted, d["Xtr"]), d, classes)
    # Stacking: a logistic regression over a forest's and a logistic regression's probabilities.
    from sklearn.ensemble import StackingClassifier

    stacked = StackingClassifier([
        ("forest", RandomForestClassifier(n_estimators=10, max_depth=5, random_state=SEED, n_jobs=1)),
        ("linear", LogisticRegression(max_iter=1000)),
    ], cv=3).fit(d["Xtr"], d["ym_tr"])
    write("onnx_stacking_multiclass", convert(stacked, d["Xtr"]), d, 3)
    # Bagging: each member's output reshaped to [1, N, w], stacked on axis 0 and averaged by ReduceMean; the
    # classifier's members read half the features each (ArrayFeatureExtractor), and the regressor is
    # converted at opset 18, where ReduceMean's axes are an input.
    from skl2onnx import to_onnx
    from sklearn.ensemble import BaggingClassifier, BaggingRegressor
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    bagged = BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=4, max_features=0.5, random_state=SEED)
    write("onnx_bagging_multiclass", convert(bagged.fit(d["Xtr"], d["ym_tr"]), d["Xtr"]), d, 3)
    bagged = BaggingRegressor(DecisionTreeRegressor(max_depth=4), n_estimators=4, random_state=SEED).fit(d["Xtr"], d["yr_tr"])
    write("onnx_bagging_regression", to_onnx(bagged, d["Xtr"][:1], target_opset={"": 18, "ai.onnx.ml": 3}), d, 0)
    # Degree-2 polynomial features (each term a ReduceProd of its columns, the bias a ConstantOfShape of ones)
    # into a logistic regression.
    from sklearn.preprocessing import PolynomialFeatures

    polynomial = make_pipeline(
        ColumnTransformer([("first", make_pipeline(StandardScaler(), PolynomialFeatures(degree=2)), list(range(8)))]),
        LogisticRegression(max_iter=2000))
    write("onnx_poly_logreg", convert(polynomial.fit(d["Xtr"], d["yb_tr"]), d["Xtr"]), d, 2)
    # A binarizer (onnxruntime fails on a missing value there, so the fixture has no rows with one).
    binarized = make_pipeline(Binarizer(threshold=0.0), LogisticRegression(max_iter=1000)).fit(d["Xtr"], d["yb_tr"])
    write("onnx_binarizer_logreg", convert(binarized, d["Xtr"]), d, 2, feeds={"": {"X": d["Xte"]}})
    model, rows = modes()
    write("onnx_modes", model, d, 0, rows)
    # HistGradientBoosting, trained with missing cells (it learns where they go): a logistic over one score,
    # and a regressor.
    with booleans_as_ints():
        hist = HistGradientBoostingClassifier(max_iter=40, random_state=SEED).fit(d["Xtr_nan"], d["yb_tr"])
        write("onnx_hgb_binary", convert(hist, d["Xtr"]), d, 2)
        hist = HistGradientBoostingRegressor(max_iter=40, random_state=SEED).fit(d["Xtr_nan"], d["yr_tr"])
        write("onnx_hgb_regression", convert(hist, d["Xtr"]), d, 0)
    # Support vector machines on 600 scaled rows: a regressor with the RBF kernel, classifiers with
    # probabilities (Platt's sigmoid per pair of classes, coupled) with the RBF and the cubic kernel.
    from sklearn.svm import SVC, SVR

    few = slice(0, 600)
    machines = [
        ("onnx_svr_rbf", make_pipeline(StandardScaler(), SVR(C=3.0)), "yr_tr", 0),
        ("onnx_svc_binary", make_pipeline(StandardScaler(), SVC(probability=True, random_state=SEED)), "yb_tr", 2),
        ("onnx_svc_poly_multiclass", make_pipeline(StandardScaler(), SVC(kernel="poly", degree=3, probability=True, random_state=SEED)), "ym_tr", 3),
    ]
    # Without probabilities (scikit-learn's default, and its only way from 1.11): decision values, binary
    # as [-d, d], four classes one per pair made one per class by skl2onnx's ovr graph (Less, Neg, Sum…).
    quartiles = np.digitize(d["yr_tr"], np.quantile(d["yr_tr"], [0.25, 0.5, 0.75]))
    d4 = dict(d, y4_tr=quartiles)
    machines += [
        ("onnx_svc_scores_binary", make_pipeline(StandardScaler(), SVC()), "yb_tr", 2),
        ("onnx_svc_scores_4classes", make_pipeline(StandardScaler(), SVC()), "y4_tr", 4),
    ]
    for name, pipeline, target, classes in machines:
        pipeline.fit(d["Xtr"][few], d4[target][few])
        write(name, convert(pipeline, d["Xtr"]), d, classes)
    # Calibrated classifiers (scikit-learn's way to probabilities from 1.11): a LinearSVC's decision values
    # through three fitted sigmoids, averaged; an SVC's through one.
    from sklearn.calibration import CalibratedClassifierCV

    calibrated = [
        ("onnx_calibrated_linearsvc", CalibratedClassifierCV(LinearSVC(random_state=SEED), cv=3), "yb_tr", 2, slice(None)),
        ("onnx_calibrated_svc", CalibratedClassifierCV(SVC(), cv=3, ensemble=False), "ym_tr", 3, few),
    ]
    for name, classifier, target, classes, rows in calibrated:
        classifier.fit(d["Xtr"][rows], d[target][rows])
        write(name, convert(classifier, d["Xtr"]), d, classes)


class booleans_as_ints:
    """skl2onnx 1.20 gives HistGradientBoosting's missing-value flags as numpy booleans, which onnx 1.19 refuses
    in an integer list: written as the 0 and 1 they stand for, the same attribute skl2onnx means."""

    def __enter__(self):
        from onnx import helper

        self.original = helper.make_attribute

        def make_attribute(key, value, *args, **kwargs):
            if isinstance(value, (list, tuple)) and any(isinstance(v, (bool, np.bool_)) for v in value):
                value = [int(v) for v in value]
            return self.original(key, value, *args, **kwargs)

        helper.make_attribute = make_attribute

    def __exit__(self, *_):
        from onnx import helper

        helper.make_attribute = self.original


if __name__ == "__main__":
    main()
