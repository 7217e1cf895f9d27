#!/usr/bin/env bash
# The quick start, end to end, against the real `sibyl` executable: serve, upload, create, predict, SIGTERM,
# restart, and check that the API, its key and every counted request survived.
#   scripts/smoke.sh [path/to/sibyl]     (default: .build/debug/sibyl)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIBYL="${1:-$ROOT/.build/debug/sibyl}"
DATA="$(mktemp -d)"; PORT="${PORT:-18080}"; BASE="http://127.0.0.1:$PORT"
trap 'kill -TERM "${PID:-0}" 2>/dev/null || true; rm -rf "$DATA"' EXIT
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'d': d}))" "$1"; }
serve() {
  "$SIBYL" serve --port "$PORT" --data "$DATA" > "$DATA/out.log" 2>&1 & PID=$!
  for _ in $(seq 1 100); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$DATA/out.log"; echo "sibyl did not start" >&2; exit 1
}

serve
TOKEN=$(sed -n 's/^  access token: //p' "$DATA/out.log")
[ -n "$TOKEN" ] || { echo "no admin token printed" >&2; exit 1; }
AUTH="Authorization: apikey $TOKEN"
MODEL=$(curl -fsS -H "$AUTH" --data-binary @"$ROOT/Tests/Fixtures/xgb_binary/model.json" \
  "$BASE/api/v1/projects/1/models?name=smoke" | json 'd["model_id"]')
API=$(curl -fsS -H "$AUTH" -H 'Content-Type: application/json' \
  -d "{\"model_id\":\"$MODEL\",\"type\":\"trial\",\"ip_whitelist\":[\"127.0.0.1/32\"]}" "$BASE/api/v1/projects/1/apis")
ID=$(echo "$API" | json 'd["api_id"]'); KEY=$(echo "$API" | json 'd["api_key"]["secret"]')
for _ in $(seq 1 100); do
  [ "$(curl -fsS -H "$AUTH" "$BASE/api/v1/projects/1/apis/$ID" | json 'd["status"]')" = operating ] && break; sleep 0.1
done
ROW='{"records":[{"f0":0.5,"f3":1.2}]}'
FIRST=$(curl -fsS -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d "$ROW" "$BASE/apis/$ID/predict")
echo "$FIRST" | json 'd["predictions"][0]["label"]' >/dev/null
[ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$ROW" "$BASE/apis/$ID/predict")" = 401 ]
kill -TERM "$PID"; wait "$PID"
! grep -q "$KEY" "$DATA/out.log" || { echo "the key reached the log" >&2; exit 1; }

serve
AGAIN=$(curl -fsS -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d "$ROW" "$BASE/apis/$ID/predict")
[ "$AGAIN" = "$FIRST" ] || { echo "a different answer after the restart" >&2; exit 1; }
USAGE=$(curl -fsS -H "$AUTH" "$BASE/api/v1/projects/1/apis/$ID/usage" | json '(d["total_200"], d["total_4xx_5xx"])')
[ "$USAGE" = "(2, 1)" ] || { echo "usage after the restart: $USAGE, expected (2, 1)" >&2; exit 1; }
kill -TERM "$PID"; wait "$PID"
echo "smoke: serve, upload, create, predict, restart and usage all hold"
