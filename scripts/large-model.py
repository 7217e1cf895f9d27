#!/usr/bin/env python3
"""Writes a large, valid model of random complete trees, to measure what loading one costs.

    scripts/large-model.py FORMAT OUT [--trees N] [--depth D] [--features F] [--seed S]

FORMAT is xgboost-json (numbers written as XGBoost writes float32s), xgboost-ubj (laid out as XGBoost's
save_model writes it: keys and strings with int64 lengths, typed int32, float32 and uint8 arrays) or
lightgbm-text. Only the standard library: no training library is needed. About 30 MB: xgboost-json with
--trees 5300, xgboost-ubj with 6100, lightgbm-text with 4500 (depth 6, 127 nodes a tree). The trees are
random but valid, so every loader check runs on them. bench/model-memory.sh measures loading them.
"""
import argparse
import json
import random
import struct


def xgboost_tree(index, depth, features, rng):
    nodes = 2 ** (depth + 1) - 1
    first_leaf = 2 ** depth - 1
    tree = {key: [] for key in (
        "base_weights", "categories", "categories_nodes", "categories_segments", "categories_sizes",
        "default_left", "left_children", "loss_changes", "parents", "right_children", "split_conditions",
        "split_indices", "split_type", "sum_hessian")}
    cover = [0.0] * nodes
    for node in reversed(range(nodes)):
        cover[node] = float(rng.randint(1, 50)) if node >= first_leaf else cover[2 * node + 1] + cover[2 * node + 2]
    for node in range(nodes):
        leaf = node >= first_leaf
        tree["left_children"].append(-1 if leaf else 2 * node + 1)
        tree["right_children"].append(-1 if leaf else 2 * node + 2)
        tree["parents"].append(2147483647 if node == 0 else (node - 1) // 2)
        tree["split_indices"].append(0 if leaf else rng.randrange(features))
        # float32 values, so that JSON's shortest text and UBJSON's float32 agree.
        value = struct.unpack("f", struct.pack("f", rng.uniform(-3, 3)))[0]
        tree["split_conditions"].append(value)
        tree["default_left"].append(0 if leaf else rng.randint(0, 1))
        tree["base_weights"].append(value)
        tree["loss_changes"].append(0.0 if leaf else round(rng.uniform(0, 1000), 2))
        tree["split_type"].append(0)
        tree["sum_hessian"].append(cover[node])
    tree["id"] = index
    tree["tree_param"] = {
        "num_deleted": "0", "num_feature": str(features), "num_nodes": str(nodes), "size_leaf_vector": "1"}
    return tree


def xgboost_model(trees, depth, features, rng):
    return {
        "learner": {
            "attributes": {},
            "feature_names": [],
            "feature_types": [],
            "gradient_booster": {
                "model": {
                    "gbtree_model_param": {"num_parallel_tree": "1", "num_trees": str(trees)},
                    "iteration_indptr": list(range(trees + 1)),
                    "tree_info": [0] * trees,
                    "trees": [xgboost_tree(k, depth, features, rng) for k in range(trees)],
                },
                "name": "gbtree",
            },
            "learner_model_param": {
                "base_score": "5E-1", "boost_from_average": "1", "num_class": "0",
                "num_feature": str(features), "num_target": "1"},
            "objective": {"name": "reg:squarederror", "reg_loss_param": {"scale_pos_weight": "1"}},
        },
        "version": [3, 0, 0],
    }


# Arrays XGBoost writes as typed UBJSON containers, by key: '$l' int32, '$d' float32, '$U' uint8.
UBJ_TYPES = {
    "left_children": "l", "right_children": "l", "parents": "l", "split_indices": "l",
    "categories": "l", "categories_nodes": "l", "categories_segments": "L", "categories_sizes": "L",
    "split_conditions": "d", "base_weights": "d", "loss_changes": "d", "sum_hessian": "d",
    "default_left": "U", "split_type": "U", "tree_info": "l", "iteration_indptr": "l",
}
PACK = {"l": ">i", "L": ">q", "d": ">f", "U": ">B"}


def ubj(value, out, key=None):
    if isinstance(value, dict):
        out.append(b"{")
        for name, item in value.items():
            encoded = name.encode()
            out.append(b"L" + struct.pack(">q", len(encoded)) + encoded)
            ubj(item, out, name)
        out.append(b"}")
    elif isinstance(value, list):
        if key in UBJ_TYPES:
            kind = UBJ_TYPES[key]
            out.append(b"[$" + kind.encode() + b"#L" + struct.pack(">q", len(value)))
            out.append(b"".join(struct.pack(PACK[kind], item) for item in value))
        else:
            out.append(b"[#L" + struct.pack(">q", len(value)))
            for item in value:
                ubj(item, out)
    elif isinstance(value, str):
        encoded = value.encode()
        out.append(b"SL" + struct.pack(">q", len(encoded)) + encoded)
    elif isinstance(value, bool) or value is None:
        out.append(b"Z" if value is None else b"T" if value else b"F")
    elif isinstance(value, int):
        out.append(b"L" + struct.pack(">q", value))
    else:
        out.append(b"d" + struct.pack(">f", value))


def float32_text(value):
    """The shortest decimal that reads back as the same float32, as XGBoost writes its numbers."""
    single = struct.pack(">f", value)
    for digits in range(1, 10):
        candidate = f"{value:.{digits}g}"
        if struct.pack(">f", float(candidate)) == single:
            return candidate
    return repr(value)


def text(value):
    """Compact JSON, floats as XGBoost writes them."""
    if isinstance(value, dict):
        yield "{"
        for k, (name, item) in enumerate(value.items()):
            yield ("," if k else "") + json.dumps(name) + ":"
            yield from text(item)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for k, item in enumerate(value):
            if k:
                yield ","
            yield from text(item)
        yield "]"
    elif isinstance(value, float):
        yield float32_text(value)
    else:
        yield json.dumps(value)


def lightgbm_model(trees, depth, features, rng):
    leaves = 2 ** depth
    lines = [
        "tree", "version=v4", "num_class=1", "num_tree_per_iteration=1", "label_index=0",
        f"max_feature_idx={features - 1}", "objective=regression",
        "feature_names=" + " ".join(f"f{k}" for k in range(features)),
        "feature_infos=" + " ".join("[-3:3]" for _ in range(features)),
        "tree_sizes=" + " ".join("0" for _ in range(trees)), ""]
    inner = leaves - 1
    for index in range(trees):
        # Internal node k's children are 2k+1 and 2k+2; a child at or past `inner` is leaf ~(child - inner).
        def child(node):
            return node if node < inner else -(node - inner) - 1
        numbers = lambda count, low, high: " ".join(repr(rng.uniform(low, high)) for _ in range(count))
        lines += [
            f"Tree={index}", f"num_leaves={leaves}", "num_cat=0",
            "split_feature=" + " ".join(str(rng.randrange(features)) for _ in range(inner)),
            "split_gain=" + numbers(inner, 0, 1000),
            "threshold=" + numbers(inner, -3, 3),
            "decision_type=" + " ".join("2" for _ in range(inner)),
            "left_child=" + " ".join(str(child(2 * k + 1)) for k in range(inner)),
            "right_child=" + " ".join(str(child(2 * k + 2)) for k in range(inner)),
            "leaf_value=" + numbers(leaves, -1, 1),
            "leaf_weight=" + " ".join("10" for _ in range(leaves)),
            "leaf_count=" + " ".join("10" for _ in range(leaves)),
            "internal_value=" + numbers(inner, -1, 1),
            "internal_weight=" + " ".join(str(10 * leaves) for _ in range(inner)),
            "internal_count=" + " ".join(str(10 * leaves) for _ in range(inner)),
            "is_linear=0", "shrinkage=0.1", "", ""]
    lines += ["end of trees", ""]
    return "\n".join(lines).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=["xgboost-json", "xgboost-ubj", "lightgbm-text"])
    parser.add_argument("out")
    parser.add_argument("--trees", type=int, default=2600)
    parser.add_argument("--depth", type=int, default=6)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.format == "lightgbm-text":
        data = lightgbm_model(args.trees, args.depth, args.features, rng)
    else:
        model = xgboost_model(args.trees, args.depth, args.features, rng)
        if args.format == "xgboost-json":
            data = "".join(text(model)).encode()
        else:
            out = []
            ubj(model, out)
            data = b"".join(out)
    with open(args.out, "wb") as file:
        file.write(data)
    print(f"{args.out}: {len(data)} bytes, {args.trees} trees of depth {args.depth}")


if __name__ == "__main__":
    main()
