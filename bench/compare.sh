#!/usr/bin/env bash
# Sibyl against MLServer, back to back in one run, on the 300-tree XGBoost binary model, one row per request.
#
#   bench/compare.sh            # writes bench/out/compare.md and prints it
# Env: CONNS ("16"), DURATION (10s), ROUNDS (3), SERVER_CPU (0), LOAD_CPU (1), PORT (8099),
#      VENV (bench/out/venv: made with requirements.txt when absent)
#
# Each round runs MLServer then Sibyl, each pinned to SERVER_CPU with wrk pinned to LOAD_CPU, after a warm-up;
# the report gives every run and the ratio of the medians (machines drift: compare ratios, not absolute rates).
# MLServer runs in its fastest configuration: no access log, inference in the HTTP process (parallel_workers 0).
# Sibyl serves the same model file as an official API with a key and a whitelist: the whole gateway is measured.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CONNS="${CONNS:-16}"; DURATION="${DURATION:-10s}"; ROUNDS="${ROUNDS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"; LOAD_CPU="${LOAD_CPU:-1}"; PORT="${PORT:-8099}"
OUT="$HERE/out"; VENV="${VENV:-$OUT/venv}"; MODEL="$ROOT/Tests/Fixtures/xgb_binary/model.json"
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk curl; }
[ -x "$VENV/bin/mlserver" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$HERE/requirements.txt"; }
(cd "$ROOT" && swift build -c release --static-swift-stdlib --product sibyl >/dev/null)
SIBYL="$ROOT/.build/release/sibyl"

# Request bodies: the first test row, as a v2 tensor for MLServer and as a JSON row for Sibyl.
python3 - "$ROOT/Tests/Fixtures/data/X_test.csv" "$OUT" <<'PY'
import csv, json, sys
row = [float(v) for v in list(csv.reader(open(sys.argv[1])))[1]]
json.dump({"inputs": [{"name": "input-0", "shape": [1, 30], "datatype": "FP32", "data": row}]}, open(sys.argv[2] + "/v2.json", "w"))
json.dump({"rows": [row]}, open(sys.argv[2] + "/rows.json", "w"))
PY


start_mlserver() {
  local repo="$OUT/mlserver"; rm -rf "$repo"; mkdir -p "$repo/xgb-binary"; cp "$MODEL" "$repo/xgb-binary/model.json"
  printf '{"host":"127.0.0.1","http_port":%d,"grpc_port":%d,"metrics_port":%d,"debug":false,"parallel_workers":0}\n' \
    "$PORT" $((PORT+1)) $((PORT+2)) > "$repo/settings.json"
  printf '{"name":"xgb-binary","implementation":"mlserver_xgboost.XGBoostModel","parameters":{"uri":"./model.json","version":"v1"}}\n' \
    > "$repo/xgb-binary/model-settings.json"
  (cd "$repo" && exec setsid taskset -c "$SERVER_CPU" "$VENV/bin/mlserver" start "$repo" > "$repo/server.log" 2>&1 < /dev/null) &
  echo $! > "$repo/pid"
  wait_for "http://127.0.0.1:$PORT/v2/models/xgb-binary/ready"
  URL="http://127.0.0.1:$PORT/v2/models/xgb-binary/infer"; BODY="$OUT/v2.json"; KEY=""; PIDFILE="$repo/pid"
}

start_sibyl() {
  local data="$OUT/sibyl-data"; rm -rf "$data"
  SIBYL_ADMIN_TOKEN=bench-admin-token setsid taskset -c "$SERVER_CPU" "$SIBYL" serve --port "$PORT" --data "$data" \
    --log-level error > "$OUT/sibyl.log" 2>&1 < /dev/null & echo $! > "$OUT/sibyl.pid"
  wait_for "http://127.0.0.1:$PORT/readyz"
  local auth="Authorization: apikey bench-admin-token"
  local model api
  model=$(curl -fsS -H "$auth" --data-binary @"$MODEL" "http://127.0.0.1:$PORT/api/v1/projects/1/models?name=bench" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["model_id"])')
  api=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' \
    -d "{\"model_id\":\"$model\",\"type\":\"official\",\"ip_whitelist\":[\"127.0.0.1/32\"]}" "http://127.0.0.1:$PORT/api/v1/projects/1/apis")
  KEY=$(echo "$api" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"]["secret"])')
  local id; id=$(echo "$api" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_id"])')
  for _ in $(seq 1 100); do
    curl -fsS -H "$auth" "http://127.0.0.1:$PORT/api/v1/projects/1/apis/$id" | grep -q '"status":"operating"' && break; sleep 0.1
  done
  URL="http://127.0.0.1:$PORT/apis/$id/predict"; BODY="$OUT/rows.json"; PIDFILE="$OUT/sibyl.pid"
}

stop_server() {  # SIGTERM, then SIGKILL to the whole session after 15 s; returns once the port is free
  local pid; pid=$(cat "$PIDFILE")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  pkill -KILL -s "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" || return 0; sleep 0.1; done
}


# Each Sibyl run also loads its /healthz with the same settings: the prediction's rate as a share of what the
# node answers with no work at all is the cost of the gateway and the model, whatever the machine.
PEER=(); OURS=(); HEALTH=()
for round in $(seq 1 "$ROUNDS"); do
  start_mlserver; PEER+=("$(load)"); stop_server
  start_sibyl; OURS+=("$(load)"); HEALTH+=("$(URL="http://127.0.0.1:$PORT/healthz" load_get)"); stop_server
  echo "round $round: MLServer ${PEER[-1]} req/s, Sibyl ${OURS[-1]} req/s (/healthz ${HEALTH[-1]})"
done

python3 - "$CONNS" "${PEER[*]}" "${OURS[*]}" "${HEALTH[*]}" > "$OUT/compare.md" <<'PY'
import statistics, sys
conns = sys.argv[1]
peer, ours, health = ([float(x) for x in arg.split()] for arg in sys.argv[2:5])
ratio = statistics.median(ours) / statistics.median(peer)
print(f"| server | req/s per run ({conns} connections, 1 row per request) | median |")
print("|---|---|---:|")
print(f"| MLServer 1.7.1 (tuned) | {', '.join(f'{x:.0f}' for x in peer)} | {statistics.median(peer):.0f} |")
print(f"| Sibyl | {', '.join(f'{x:.0f}' for x in ours)} | {statistics.median(ours):.0f} |")
print(f"| Sibyl `/healthz` | {', '.join(f'{x:.0f}' for x in health)} | {statistics.median(health):.0f} |")
print(f"\nSibyl / MLServer: **{ratio:.1f}×** (ratio of medians); a 1-row prediction answers at "
      f"**{100 * statistics.median(o / h for o, h in zip(ours, health)):.0f} %** of the node's `/healthz` rate "
      "(median of each run's ratio)")
PY
cat "$OUT/compare.md"
