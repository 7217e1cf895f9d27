#!/usr/bin/env bash
# The memory compiling an uploaded model takes, for about 32 MB of each format made by
# scripts/large-model.py: the peak resident size above the file itself, as a multiple of the file
# (docs/MODELS.md quotes these figures). Linux only.
#
#   bench/model-memory.sh       # prints one JSON line per format
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
(cd "$ROOT" && swift build -c release --product ModelMemory >/dev/null)
for spec in "xgboost-json 5300" "xgboost-ubj 6100" "lightgbm-text 4500"; do
  set -- $spec
  python3 "$ROOT/scripts/large-model.py" "$1" "$WORK/model" --trees "$2" >/dev/null
  echo "{\"format\": \"$1\", \"measured\": $("$ROOT/.build/release/ModelMemory" "$WORK/model")}"
done
