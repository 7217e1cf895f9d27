#!/usr/bin/env bash
# What rolling out a model costs the data plane: 1-row predictions of one API served by one version, then
# with a 90/10 traffic split over two versions, then by one version with the other as its shadow, then
# capturing every request (the same 300-tree model uploaded twice, so only the rollout's own work differs),
# alternated round by round on one node in one run.
#
#   bench/rollout.sh            # writes bench/out/rollout.md and prints it
# Env: CONNS ("16"), DURATION (10s), ROUNDS (3), SERVER_CPU (0), LOAD_CPU (1), PORT (8099)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CONNS="${CONNS:-16}"; DURATION="${DURATION:-10s}"; ROUNDS="${ROUNDS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"; LOAD_CPU="${LOAD_CPU:-1}"; PORT="${PORT:-8099}"
OUT="$HERE/out"; MODEL="$ROOT/Tests/Fixtures/xgb_binary/model.json"
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk curl; }
(cd "$ROOT" && swift build -c release --static-swift-stdlib --product sibyl >/dev/null)
python3 - "$ROOT/Tests/Fixtures/data/X_test.csv" "$OUT/rows.json" <<'PY'
import csv, json, sys
json.dump({"rows": [[float(v) for v in list(csv.reader(open(sys.argv[1])))[1]]]}, open(sys.argv[2], "w"))
PY

data="$OUT/rollout-data"; rm -rf "$data"
SIBYL_ADMIN_TOKEN=bench-admin-token setsid taskset -c "$SERVER_CPU" "$ROOT/.build/release/sibyl" serve --port "$PORT" \
  --data "$data" --log-level error > "$OUT/rollout.log" 2>&1 < /dev/null & echo $! > "$OUT/rollout.pid"
trap 'kill -TERM "$(cat "$OUT/rollout.pid")" 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$PORT/readyz"
BASE="http://127.0.0.1:$PORT/api/v1/projects/1"
admin() { curl -fsS -H "Authorization: apikey bench-admin-token" -H 'Content-Type: application/json' "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
first=$(admin --data-binary @"$MODEL" "$BASE/models?name=first" | field '["model_id"]')
second=$(admin --data-binary @"$MODEL" "$BASE/models?name=second" | field '["model_id"]')
api=$(admin -d "{\"model_id\":\"$first\",\"type\":\"official\",\"ip_whitelist\":[\"127.0.0.1/32\"]}" "$BASE/apis")
KEY=$(echo "$api" | field '["api_key"]["secret"]'); ID=$(echo "$api" | field '["api_id"]')
for _ in $(seq 1 100); do admin "$BASE/apis/$ID" | grep -q '"status":"operating"' && break; sleep 0.1; done
admin -d "{\"model_id\":\"$second\"}" "$BASE/apis/$ID/versions" >/dev/null
URL="http://127.0.0.1:$PORT/apis/$ID/predict"; BODY="$OUT/rows.json"

ONE=(); SPLIT=(); SHADOW=(); CAPTURE=()
for round in $(seq 1 "$ROUNDS"); do
  admin -X DELETE "$BASE/apis/$ID/traffic" >/dev/null
  ONE+=("$(load)")
  admin -X PUT -d '{"split":[{"version":1,"weight":90},{"version":2,"weight":10}]}' "$BASE/apis/$ID/traffic" >/dev/null
  SPLIT+=("$(load)")
  admin -X DELETE "$BASE/apis/$ID/traffic" >/dev/null
  admin -X PUT -d '{"version":2}' "$BASE/apis/$ID/shadow" >/dev/null
  SHADOW+=("$(load)")
  admin -X DELETE "$BASE/apis/$ID/shadow" >/dev/null
  admin -X PUT -d '{"rate":100}' "$BASE/apis/$ID/capture" >/dev/null
  CAPTURE+=("$(load)")
  admin -X PUT -d '{"rate":0}' "$BASE/apis/$ID/capture" >/dev/null
  echo "round $round: one version ${ONE[-1]} req/s, 90/10 split ${SPLIT[-1]} req/s, shadow ${SHADOW[-1]} req/s, capture ${CAPTURE[-1]} req/s"
done
# What the shadow compared and skipped (a full queue skips rather than slows the answers).
admin "$BASE/apis/$ID/shadow" > "$OUT/rollout-shadow.json"

python3 - "$CONNS" "${ONE[*]}" "${SPLIT[*]}" "${SHADOW[*]}" "${CAPTURE[*]}" "$OUT/rollout-shadow.json" > "$OUT/rollout.md" <<'PY'
import json, statistics, sys
conns = sys.argv[1]
one, split, shadow, capture = ([float(x) for x in arg.split()] for arg in sys.argv[2:6])
days = json.load(open(sys.argv[6]))["days"]
compared, skipped = sum(d["requests"] for d in days), sum(d["skipped"] for d in days)
print(f"| serving | req/s per run ({conns} connections, 1 row per request) | median |")
print("|---|---|---:|")
print(f"| one version | {', '.join(f'{x:.0f}' for x in one)} | {statistics.median(one):.0f} |")
print(f"| 90/10 split | {', '.join(f'{x:.0f}' for x in split)} | {statistics.median(split):.0f} |")
print(f"| shadow version | {', '.join(f'{x:.0f}' for x in shadow)} | {statistics.median(shadow):.0f} |")
print(f"| capture at 100 % | {', '.join(f'{x:.0f}' for x in capture)} | {statistics.median(capture):.0f} |")
share = lambda runs: 100 * statistics.median(runs) / statistics.median(one)
print(f"\nAgainst one version (ratios of medians): 90/10 split **{share(split):.0f} %**, shadow **{share(shadow):.0f} %**, "
      f"capture at 100 % **{share(capture):.0f} %**; the shadow compared {compared} requests and skipped {skipped}")
PY
cat "$OUT/rollout.md"
