#!/usr/bin/env bash
# Whole-API robustness and the contract: schemathesis (PyPI) generates requests from /openapi.json, valid and not, with an
# admin token, against a real node, and fails on any 5xx answer, any answer that does not match its schema in
# openapi.yaml (status, body), or any answer slower than a second; then Tests/contract/check_answers.py.
#   scripts/schemathesis.sh BINARY [SECONDS]
# The coverage phase is left out: schemathesis 4.32.5 stops in it with an internal error of its own
# (hypothesis' "AST constructor recursion depth mismatch") on this API's schema.
# Env: SIBYL_TEST_ENGINE (a container engine for the deployment routes; without one they answer 503 by
# design and are left out), VENV (default .build/schemathesis-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY="$1"; SECONDS_BUDGET="${2:-180}"
VENV="${VENV:-.build/schemathesis-venv}"
[ -x "$VENV/bin/schemathesis" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r Tests/schemathesis/requirements.txt; }
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token="schemathesis-admin-token-0123456789"
engine=()
[ -n "${SIBYL_TEST_ENGINE:-}" ] && engine=(--container-engine "$SIBYL_TEST_ENGINE")
# bcrypt at its production cost takes a good part of the second on a loaded machine, by design; the run is
# about everything else, so passwords are hashed cheaply here.
SIBYL_BCRYPT_COST=6 SIBYL_ADMIN_TOKEN="$token" SIBYL_ADMIN_PASSWORD="schemathesis-password" "$BINARY" serve --port "$port" --data "$work/data" \
  --log-level warning "${engine[@]}" > "$work/node.log" 2>&1 &
node=$!
trap 'kill "$node" 2>/dev/null; wait "$node" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
# A model, so that routes taking a model id reach their real work, not only their 404.
curl -fs -H "Authorization: apikey $token" --data-binary @Tests/Fixtures/xgb_small_binary/model.json \
  "http://127.0.0.1:$port/api/v1/projects/1/models?name=seed" >/dev/null
excluded=()
[ -z "${SIBYL_TEST_ENGINE:-}" ] && excluded=(--exclude-path-regex '^/cloud/')
status=0
"$VENV/bin/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
  --header "Authorization: apikey $token" --checks not_a_server_error,response_schema_conformance --max-response-time 1 \
  --max-time "$SECONDS_BUDGET" --workers 2 --phases examples,fuzzing,stateful --request-timeout 10 --suppress-health-check all --warnings off \
  "${excluded[@]}" || status=$?
if [ "$status" != 0 ]; then
  echo "--- the node's log ---"; tail -n 100 "$work/node.log"
fi
# Random ids rarely reach a resource: every operation is also answered for real, on a node of its own, and
# its answers checked against the document.
"$VENV/bin/python" Tests/contract/check_answers.py "$BINARY" || status=$?
exit "$status"
