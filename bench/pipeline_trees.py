#!/usr/bin/env python3
"""The trees of an ONNX pipeline alone, to measure what the pipeline's preprocessing costs over them: writes
OUT/trees.onnx (the pipeline's one tree ensemble as a model of its own, reading the rows the preprocessing
makes) and OUT/trees_rows.csv (those rows for ROWS_CSV, as onnxruntime computes them, %.9g).

    pipeline_trees.py PIPELINE.onnx ROWS_CSV OUT
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper

from runtime_peer import column_feeds


def main():
    path, rows, out = sys.argv[1:4]
    model = onnx.load(path)
    ensemble = next(node for node in model.graph.node if node.op_type.startswith("TreeEnsemble"))
    source = ensemble.input[0]
    # The tensor the ensemble reads, computed by onnxruntime for the rows: the pipeline with it as an output.
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.append(helper.make_tensor_value_info(source, TensorProto.FLOAT, None))
    session = onnxruntime.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    transformed = session.run([source], column_feeds(session.get_inputs(), rows))[0]
    width = transformed.shape[1]
    outputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in ensemble.output[1:]] or \
        [helper.make_tensor_value_info(ensemble.output[0], TensorProto.FLOAT, [None, 1])]
    if ensemble.op_type == "TreeEnsembleClassifier":
        outputs.insert(0, helper.make_tensor_value_info(ensemble.output[0], TensorProto.INT64, [None]))
    graph = helper.make_graph([ensemble], "trees", [helper.make_tensor_value_info(source, TensorProto.FLOAT, [None, width])], outputs)
    trees = helper.make_model(graph, opset_imports=list(model.opset_import))
    trees.ir_version = model.ir_version
    os.makedirs(out, exist_ok=True)
    onnx.save(trees, os.path.join(out, "trees.onnx"))
    with open(os.path.join(out, "trees_rows.csv"), "w") as f:
        f.write(",".join(f"f{k}" for k in range(width)) + "\n")
        for row in transformed:
            f.write(",".join("" if np.isnan(v) else "%.9g" % v for v in row) + "\n")


if __name__ == "__main__":
    main()
