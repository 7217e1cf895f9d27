#!/usr/bin/env bash
# The README's quick start, end to end, with the real `sibyl` executable as both server and CLI: serve, log
# in, upload, create, predict, SIGTERM, restart, and check that the API, its key and every counted request
# survived.
#   scripts/smoke.sh [path/to/sibyl]     (default: .build/debug/sibyl)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIBYL="${1:-$ROOT/.build/debug/sibyl}"
DATA="$(mktemp -d)"; PORT="${PORT:-18080}"; BASE="http://127.0.0.1:$PORT"
export XDG_CONFIG_HOME="$DATA/config"
unset SIBYL_URL SIBYL_TOKEN SIBYL_API_KEY
trap 'kill -TERM "${PID:-0}" 2>/dev/null || true; rm -rf "$DATA"' EXIT
field() { awk -v name="$1" '$1 == name {print $2}'; }
serve() {
  "$SIBYL" serve --port "$PORT" --data "$DATA" > "$DATA/out.log" 2>&1 & PID=$!
  for _ in $(seq 1 100); do curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$DATA/out.log"; echo "sibyl did not start" >&2; exit 1
}

serve
PASSWORD=$(sed -n 's/^  password: *//p' "$DATA/out.log")
[ -n "$PASSWORD" ] || { echo "no admin password printed" >&2; exit 1; }
echo "$PASSWORD" | "$SIBYL" login --url "$BASE" --user admin >/dev/null
MODEL=$("$SIBYL" models push "$ROOT/Tests/Fixtures/xgb_binary/model.json" --name smoke 2>/dev/null | field id)
CREATED=$("$SIBYL" apis create "$MODEL" --type trial --allow 127.0.0.1/32 2>/dev/null)
ID=$(echo "$CREATED" | field api); KEY=$(echo "$CREATED" | field key)
[ "$(echo "$CREATED" | field status)" = operating ] || { echo "not operating: $CREATED" >&2; exit 1; }
ROWS="$DATA/rows.csv"; head -2 "$ROOT/Tests/Fixtures/data/X_test.csv" > "$ROWS"
FIRST=$("$SIBYL" predict "$ID" "$ROWS" --key "$KEY" --format csv)
[ "$(echo "$FIRST" | head -1)" = "label,p_0,p_1" ] || { echo "unexpected answer: $FIRST" >&2; exit 1; }
if "$SIBYL" predict "$ID" "$ROWS" --key "key_wrong.secret" 2>/dev/null; then echo "a wrong key was accepted" >&2; exit 1; fi
kill -TERM "$PID"; wait "$PID"
! grep -q "$KEY" "$DATA/out.log" || { echo "the key reached the log" >&2; exit 1; }

serve
AGAIN=$("$SIBYL" predict "$ID" "$ROWS" --key "$KEY" --format csv)
[ "$AGAIN" = "$FIRST" ] || { echo "a different answer after the restart" >&2; exit 1; }
USAGE=$("$SIBYL" apis usage "$ID" | tail -1)
[ "$USAGE" = "total: 2 answered 200, 1 answered 4xx/5xx   (# = 200, x = 4xx/5xx)" ] ||
  { echo "usage after the restart: $USAGE" >&2; exit 1; }
kill -TERM "$PID"; wait "$PID"
echo "smoke: serve, login, upload, create, predict, restart and usage all hold"
