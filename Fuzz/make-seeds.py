#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (Fuzz/Corpus/<target>/) from the committed fixtures and a few
hand-made inputs. Models are cut to their first trees so that each seed stays within its target's -max_len;
run again after changing a fixture or a target. Standard library only."""
import base64, json, os, shutil, struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def fixture(path):
    with open(os.path.join(FIXTURES, path), "rb") as f:
        return f.read()


def csv_head(path, rows):
    return b"".join(fixture(path).splitlines(keepends=True)[: rows + 1])


# --- XGBoost: the first iteration's trees of each fixture, as JSON and as XGBoost's UBJSON --------------

def cut_xgboost(document, iterations=1):
    booster = document["learner"]["gradient_booster"]
    model = booster["gbtree"]["model"] if booster["name"] == "dart" else booster.get("model")
    if booster["name"] == "gblinear":
        return document
    per_iteration = model["iteration_indptr"][1] if len(model["iteration_indptr"]) > 1 else 1
    keep = per_iteration * iterations
    model["trees"] = model["trees"][:keep]
    for index, tree in enumerate(model["trees"]):
        tree["id"] = index
    model["tree_info"] = model["tree_info"][:keep]
    model["iteration_indptr"] = [i * per_iteration for i in range(iterations + 1)]
    model["gbtree_model_param"]["num_trees"] = str(keep)
    if booster["name"] == "dart":
        booster["weight_drop"] = booster["weight_drop"][:keep]
    return document


def ubjson(value):
    """Encodes as XGBoost's save_model("….ubj") does: int64 lengths, typed arrays of float32 and int32."""
    length = lambda n: b"L" + struct.pack(">q", n)
    if value is None:
        return b"Z"
    if value is True or value is False:
        return b"T" if value else b"F"
    if isinstance(value, int):
        return b"L" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"d" + struct.pack(">f", value)
    if isinstance(value, str):
        data = value.encode()
        return b"S" + length(len(data)) + data
    if isinstance(value, list):
        if value and all(isinstance(v, int) and not isinstance(v, bool) and -2**31 <= v < 2**31 for v in value):
            return b"[$l#" + length(len(value)) + b"".join(struct.pack(">i", v) for v in value)
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return b"[$d#" + length(len(value)) + b"".join(struct.pack(">f", v) for v in value)
        return b"[#" + length(len(value)) + b"".join(ubjson(v) for v in value)
    return b"{" + b"".join(length(len(k.encode())) + k.encode() + ubjson(v) for k, v in value.items()) + b"}"


for name in sorted(os.listdir(FIXTURES)):
    path = os.path.join(FIXTURES, name, "model.json")
    if not name.startswith("xgb_") or not os.path.exists(path):
        continue
    document = cut_xgboost(json.loads(fixture(os.path.join(name, "model.json"))))
    text = json.dumps(document, separators=(",", ":"))
    binary = ubjson(document)
    if len(text) <= 16_384:
        write("xgboost-json", "model-" + name, text)
    if len(text) <= 8_192:
        write("json", name, text)
    if len(binary) <= 16_384:
        write("xgboost-ubj", "model-" + name, binary)

# --- LightGBM: the header and the first iteration's trees of each fixture ----------------------------

for name in sorted(os.listdir(FIXTURES)):
    path = os.path.join(FIXTURES, name, "model.txt")
    if not name.startswith("lgbm_") or not os.path.exists(path):
        continue
    text = fixture(os.path.join(name, "model.txt")).decode()
    header, rest = text.split("\nTree=0\n", 1)
    per_iteration = int(next(l for l in header.splitlines() if l.startswith("num_tree_per_iteration=")).split("=")[1])
    trees = ("Tree=0\n" + rest.split("\nend of trees", 1)[0]).split("\n\n\n")
    kept = [t.strip("\n") + "\n" for t in trees[:per_iteration]]
    lines = [l for l in header.splitlines() if not l.startswith("tree_sizes=")]
    lines.append("tree_sizes=" + " ".join(str(len(t) + 2) for t in kept))
    model = "\n".join(lines) + "\n\n" + "\n\n".join(kept) + "\n\nend of trees\n"
    # A frame's category names follow the trees.
    model += "".join("\n" + l + "\n" for l in rest.splitlines() if l.startswith("pandas_categorical:"))
    if len(model) <= 16_384:
        write("lightgbm", "model-" + name, model)

# --- CatBoost: each fixture's first trees, its model_info cut to what Sibyl reads, without spaces ------

for name in sorted(os.listdir(FIXTURES)):
    path = os.path.join(FIXTURES, name, "model.json")
    if not name.startswith("cb_") or not os.path.exists(path):
        continue
    document = json.loads(fixture(os.path.join(name, "model.json")))
    info = document["model_info"]
    document["model_info"] = {"params": {"loss_function": info["params"]["loss_function"]}}
    if "class_params" in info:
        document["model_info"]["class_params"] = info["class_params"]
    for kept in (3, 2, 1):
        document["oblivious_trees"] = document["oblivious_trees"][:kept]
        model = json.dumps(document, sort_keys=True, separators=(",", ":"))
        if len(model) <= 16_384:
            write("catboost", "model-" + name, model)
            break

# --- Prediction bodies -------------------------------------------------------------------------------

write("csv", "fixture-rows", csv_head("data/X_test.csv", 3))
write("csv", "fixture-missing", csv_head("data/X_test_nan.csv", 3))
write("csv", "quoted", '"f0","a,b",名前\r\n1.5,"2",\r\n"",-3e5,+.5\n')
write("predict-json", "records", '{"records": [{"f0": 1.5, "f3": null, "a,b": -2e-3}, {"名前": 1}]}')
write("predict-json", "rows", '{"rows": [[' + ",".join(["0.5"] * 30) + ', null, 1]]}')
write("json", "values", '{"a": [1, -2.5e10, true, false, null, "\\u00e9\\n"], "b": {}, "c": []}')

# --- Multipart: the Content-Type line, then the body -------------------------------------------------

form = (
    "--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nmodel\r\n"
    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.json\"\r\n"
    "Content-Type: application/json\r\n\r\n{\"learner\": {}}\r\n--XyZ--\r\n"
)
write("multipart", "upload", "multipart/form-data; boundary=XyZ\n" + form)
write("multipart", "quoted-boundary",
      "multipart/form-data; boundary=\"a'()+_,-./:=? b\"\n--a'()+_,-./:=? b\r\n\r\nno headers\r\n--a'()+_,-./:=? b--")
write("multipart", "login", "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW\n"
      "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nadmin\r\n"
      "------WebKitFormBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\nx\r\n"
      "------WebKitFormBoundary7MA4YWxkTrZu0gW--\r\n")

# --- v2 infer: the mode byte (see WireTargets.inference), then the body ------------------------------

def v2(mode, document, binary=b""):
    header = json.dumps(document).encode()
    prefix = struct.pack("<H", len(header)) if mode & 8 else b""
    return bytes([mode]) + prefix + header + binary

write("v2", "matrix", v2(1, {"id": "r1", "inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32",
                                                      "data": [[1, 2, 3, 4], [None, 0.5, -1, 2]]}]}))
write("v2", "columns", v2(0, {"inputs": [{"name": "f0", "shape": [2], "datatype": "INT64", "data": [1, 2]},
                                          {"name": "f2", "shape": [2, 1], "datatype": "BOOL", "data": [True, False]}],
                               "outputs": [{"name": "value"}, {"name": "margin", "parameters": {"binary_data": True}}]}))
write("v2", "binary", v2(2 | 8, {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP64",
                                             "parameters": {"binary_data_size": 32}}],
                                  "parameters": {"binary_data_output": True, "explain": True},
                                  "outputs": [{"name": "label"}, {"name": "probabilities"}, {"name": "contributions"}]},
                         struct.pack("<4d", 1.0, float("nan"), -2.0, 3.5)))
write("v2", "one-feature", v2(4 | 8, {"inputs": [{"name": "f0", "shape": [3], "datatype": "UINT16",
                                                  "parameters": {"binary_data_size": 6}}]}, struct.pack("<3H", 1, 2, 65535)))

# --- Whitelist rules and X-Forwarded-For, one per line -----------------------------------------------

write("cidr", "rules", "10.0.0.0/8\ndeny 10.9.0.0/16 priority 5\nallow ::/0 7\n::ffff:10.0.0.0/104\n192.168.1.7\n"
      "2001:db8::/32\n10.0.0.5/8\n1.2.3.4, 10.0.0.1\n")

# --- Prediction One ----------------------------------------------------------------------------------

def prediction_one(csv, **flags):
    inputs = [{"name": "pr", "type": "csv", "data": base64.b64encode(csv).decode()}]
    for key in ("ar", "ad", "nc", "nr"):
        if key in flags:
            inputs.append({"name": key, "type": "boolean", "data": flags[key]})
    if "pc" in flags:
        inputs.append({"name": "pc", "type": "string", "data": flags["pc"]})
    return json.dumps({"inputs": inputs})

write("prediction-one", "plain", prediction_one(csv_head("data/X_test.csv", 2), ar=False, ad=False, nc=False))
write("prediction-one", "every-flag", prediction_one(b"f0,id\n1.5,a\n,b\n", ar=True, ad=True, nc=True, nr=True, pc="id"))
