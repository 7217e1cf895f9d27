#!/usr/bin/env bash
# Sibyl's runtime against the training libraries themselves and the compiled peers (lleaves for LightGBM,
# TL2cgen for XGBoost and LightGBM), single thread, in one run, on the 300-tree models (XGBoost, LightGBM,
# CatBoost, and the XGBoost one converted to ONNX against onnxruntime), skl2onnx's forests and a
# ColumnTransformer pipeline over raw rows: µs per row for one row, for 1,000 rows in one call, and for SHAP
# contributions; and what that pipeline's preprocessing costs over its trees alone, on each side. The two
# are measured alternately ROUNDS times and each figure is the median of its rounds: these machines are
# noisy, and alternating spreads a slow spell over both sides.
#
#   bench/runtime.sh            # writes bench/out/runtime.md and prints it
# Env: CPU (core to pin both to, default 0), ROUNDS (default 3), VENV (bench/out/venv; made with
# requirements.txt when absent)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="$HERE/out"; VENV="${VENV:-$OUT/venv}"; CPU="${CPU:-0}"; ROUNDS="${ROUNDS:-3}"
mkdir -p "$OUT"
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$HERE/requirements.txt" lightgbm==4.7.0 catboost==1.2.10 \
  lleaves==1.3.0 llvmlite==0.44.0 tl2cgen==1.0.0 treelite==4.8.1 onnxruntime==1.32.0 onnx==1.19.1; }
(cd "$ROOT" && swift build -c release --product RuntimeBenchmark >/dev/null)
{
  echo "| model | runtime | predict, 1 row (µs) | predict, 1,000 rows (µs per row) | SHAP (µs per row) |"
  echo "|---|---|---:|---:|---:|"
  for model in xgb_binary/model.json lgbm_binary/model.txt cb_numbers/model.json onnx_xgb_binary/model.onnx \
    onnx_rf_binary/model.onnx onnx_gbc_multiclass/model.onnx onnx_columns_forest/model.onnx; do
    file="$ROOT/Tests/Fixtures/$model"
    [ -f "$file" ] || continue
    # A pipeline over raw rows has its own (text categories, blanks); the others take the shared rows.
    ROWS="$ROOT/Tests/Fixtures/$(dirname "$model")/X_test.csv"
    [ -f "$ROWS" ] || ROWS="$ROOT/Tests/Fixtures/data/X_test.csv"
    # The compiled peers compile (and cache) their model before the timed rounds.
    OMP_NUM_THREADS=1 "$VENV/bin/python" "$HERE/runtime_compiled.py" "$file" "$ROWS" "$OUT/compiled" >/dev/null
    ours="" theirs="" compiled=""
    for _ in $(seq "$ROUNDS"); do
      ours="$ours$(taskset -c "$CPU" "$ROOT/.build/release/RuntimeBenchmark" "$file" "$ROWS")"$'\n'
      theirs="$theirs$(OMP_NUM_THREADS=1 taskset -c "$CPU" "$VENV/bin/python" "$HERE/runtime_peer.py" "$file" "$ROWS")"$'\n'
      compiled="$compiled$(OMP_NUM_THREADS=1 taskset -c "$CPU" "$VENV/bin/python" "$HERE/runtime_compiled.py" "$file" "$ROWS" "$OUT/compiled")"$'\n'
    done
    python3 - "$model" "$ours" "$theirs" "$compiled" <<'PY'
import json, statistics, sys
model = sys.argv[1]
ours, theirs, compiled = ([json.loads(line) for line in arg.splitlines() if line] for arg in sys.argv[2:5])
keys = ["predict_1_row_us", "predict_batch_us_per_row", "explain_us_per_row"]
# SHAP is null for a model without contributions (ONNX).
median = lambda runs, k: None if runs[0][k] is None else statistics.median(run[k] for run in runs)
mine = {k: median(ours, k) for k in keys}
peer = {k: median(theirs, k) for k in keys}
cell = lambda v: "—" if v is None else f"{v:.2f}"
print(f"| {model.split('/')[0]} | Sibyl | " + " | ".join(cell(mine[k]) for k in keys) + " |")
print(f"| | {theirs[0]['library']} | " + " | ".join(cell(peer[k]) for k in keys) + " |")
print("| | **speed-up** | " + " | ".join("—" if mine[k] is None else f"**{peer[k] / mine[k]:.1f}×**" for k in keys) + " |")
# Each compiled peer: its figures, and Sibyl's speed-up over it (below 1: the peer is faster).
for library in dict.fromkeys(run["library"] for run in compiled):
    runs = [run for run in compiled if run["library"] == library]
    theirs = {k: statistics.median(run[k] for run in runs) for k in keys[:2]}
    print(f"| | {library} | " + " | ".join(f"{theirs[k]:.2f}" for k in keys[:2]) + " | — |")
    print("| | **speed-up** | " + " | ".join(f"**{theirs[k] / mine[k]:.2f}×**" for k in keys[:2]) + " | |")
PY
  done
  # What a ColumnTransformer pipeline's preprocessing costs over its trees: the pipeline on raw rows against
  # its tree ensemble alone on the rows the preprocessing makes (bench/pipeline_trees.py), both sides.
  pipeline="$ROOT/Tests/Fixtures/onnx_columns_forest"
  "$VENV/bin/python" "$HERE/pipeline_trees.py" "$pipeline/model.onnx" "$pipeline/X_test.csv" "$OUT/pipeline"
  runs=""
  for _ in $(seq "$ROUNDS"); do
    for side in "$pipeline/model.onnx $pipeline/X_test.csv" "$OUT/pipeline/trees.onnx $OUT/pipeline/trees_rows.csv"; do
      runs="$runs$(taskset -c "$CPU" "$ROOT/.build/release/RuntimeBenchmark" $side)"$'\n'
      runs="$runs$(OMP_NUM_THREADS=1 taskset -c "$CPU" "$VENV/bin/python" "$HERE/runtime_peer.py" $side)"$'\n'
    done
  done
  python3 - "$runs" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in sys.argv[1].splitlines() if line]
keys = ["predict_1_row_us", "predict_batch_us_per_row"]
# Runs alternate: Sibyl's pipeline, the peer's pipeline, Sibyl's trees, the peer's trees.
for offset, name in ((0, "Sibyl"), (1, runs[1]["library"])):
    pipeline = {k: statistics.median(run[k] for run in runs[offset::4]) for k in keys}
    trees = {k: statistics.median(run[k] for run in runs[offset + 2::4]) for k in keys}
    label = "onnx_columns_forest: preprocessing over its trees" if offset == 0 else ""
    print(f"| {label} | {name} | " + " | ".join(f"{pipeline[k] - trees[k]:.2f}" for k in keys) + " | — |")
PY
} > "$OUT/runtime.md"
cat "$OUT/runtime.md"
