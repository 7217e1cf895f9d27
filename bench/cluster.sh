#!/usr/bin/env bash
# Requests/s through one node and through three, on one PostgreSQL, in one run: what a shared database and a
# load balancer cost the hot path (nothing should break; on one machine, expect no gain from three nodes).
#
#   bench/cluster.sh            # writes bench/out/cluster.md and prints it
# Env: SIBYL_TEST_POSTGRES (a PostgreSQL URL whose user may create databases; required), CONNS ("16"),
#      DURATION (10s), ROUNDS (3), SERVER_CPU (0: every node and nginx), LOAD_CPU (1: wrk)
#
# Setups, each round in turn, one official API (key, whitelist and usage in the path), one row per request:
#   sqlite    one node on its embedded SQLite file (the reference)
#   postgres  one node on PostgreSQL, called directly
#   nginx-1   nginx in front of that one node
#   nginx-3   nginx in front of three nodes sharing the database
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CONNS="${CONNS:-16}"; DURATION="${DURATION:-10s}"; ROUNDS="${ROUNDS:-3}"
SERVER_CPU="${SERVER_CPU:-0}"; LOAD_CPU="${LOAD_CPU:-1}"
OUT="$HERE/out"; MODEL="$ROOT/Tests/Fixtures/xgb_binary/model.json"; RUN="$OUT/cluster"
: "${SIBYL_TEST_POSTGRES:?set SIBYL_TEST_POSTGRES to a PostgreSQL URL whose user may create databases}"
mkdir -p "$OUT"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx curl; }
done
(cd "$ROOT" && swift build -c release --static-swift-stdlib --product sibyl >/dev/null)
SIBYL="$ROOT/.build/release/sibyl"
python3 - "$ROOT/Tests/Fixtures/data/X_test.csv" "$OUT" <<'PY'
import csv, json, sys
row = [float(v) for v in list(csv.reader(open(sys.argv[1])))[1]]
json.dump({"rows": [row]}, open(sys.argv[2] + "/rows.json", "w"))
PY
BODY="$OUT/rows.json"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

DATABASE="sibyl_bench_$$"
psql -qAt "$SIBYL_TEST_POSTGRES" -c "CREATE DATABASE $DATABASE"
PG_URL="$(python3 -c 'import sys, urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit((p.scheme,p.netloc,"/"+sys.argv[2],"sslmode=disable","")))' "$SIBYL_TEST_POSTGRES" "$DATABASE")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  psql -qAt "$SIBYL_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >/dev/null || true
}
trap cleanup EXIT

start_node() {  # start_node NAME [DATABASE_URL]: a node on a free port; prints the port
  local name=$1 port; port=$(free_port)
  mkdir -p "$RUN/$name"
  env SIBYL_ADMIN_TOKEN=bench-admin-token SIBYL_SECRETS_KEY="$(printf 'k%.0s' $(seq 32) | base64)" ${2:+SIBYL_DATABASE="$2"} \
    setsid taskset -c "$SERVER_CPU" "$SIBYL" serve --port "$port" --data "$RUN/$name" --edition licensed --api-options 5 \
    --trusted-proxy 127.0.0.1/32 --log-level error > "$RUN/$name.log" 2>&1 < /dev/null &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$port/readyz" >&2
  echo "$port"
}

create_api() {  # create_api PORT: an operating official API; sets API and KEY
  local auth="Authorization: apikey bench-admin-token" base="http://127.0.0.1:$1" model answer
  model=$(curl -fsS -H "$auth" --data-binary @"$MODEL" "$base/api/v1/projects/1/models?name=bench" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["model_id"])')
  answer=$(curl -fsS -H "$auth" -H 'Content-Type: application/json' \
    -d "{\"model_id\":\"$model\",\"type\":\"official\",\"ip_whitelist\":[\"127.0.0.1/32\"]}" "$base/api/v1/projects/1/apis")
  KEY=$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"]["secret"])')
  API=$(echo "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_id"])')
  for _ in $(seq 1 100); do
    curl -fsS -H "$auth" "$base/api/v1/projects/1/apis/$API" | grep -q '"status":"operating"' && return 0; sleep 0.1
  done
}

start_nginx() {  # start_nginx PORT...: nginx on a free port balancing over the nodes; prints its port
  local port dir="$RUN/nginx-$#"; port=$(free_port); mkdir -p "$dir"
  {
    echo "worker_processes 1; pid $dir/nginx.pid; error_log $dir/error.log warn; events { worker_connections 4096; }"
    echo "http { access_log off; client_body_temp_path $dir/body; proxy_temp_path $dir/proxy;"
    echo "  fastcgi_temp_path $dir/fastcgi; uwsgi_temp_path $dir/uwsgi; scgi_temp_path $dir/scgi;"
    echo "  upstream sibyl {"; for node in "$@"; do echo "    server 127.0.0.1:$node;"; done; echo "    keepalive 64; }"
    echo "  server { listen 127.0.0.1:$port; location / { proxy_pass http://sibyl; proxy_http_version 1.1;"
    echo "    proxy_set_header Connection \"\"; proxy_set_header X-Forwarded-For \$remote_addr; } } }"
  } > "$dir/nginx.conf"
  setsid taskset -c "$SERVER_CPU" nginx -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' > "$dir/out.log" 2>&1 < /dev/null &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$port/healthz" >&2
  echo "$port"
}

rm -rf "$RUN"; mkdir -p "$RUN"
SQLITE=$(start_node sqlite); create_api "$SQLITE"; SQLITE_API=$API; SQLITE_KEY=$KEY
N1=$(start_node node1 "$PG_URL"); N2=$(start_node node2 "$PG_URL"); N3=$(start_node node3 "$PG_URL")
create_api "$N1"; PG_API=$API; PG_KEY=$KEY
NGINX1=$(start_nginx "$N1"); NGINX3=$(start_nginx "$N1" "$N2" "$N3")
# Every node serves the API before the runs (a change reaches the others within the refresh bound).
for port in "$N2" "$N3"; do
  for _ in $(seq 1 100); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $PG_KEY" "http://127.0.0.1:$port/v2/models/$PG_API/ready")" = 200 ] && break
    sleep 0.1
  done
done

declare -A RATES
for round in $(seq 1 "$ROUNDS"); do
  for setup in sqlite postgres nginx-1 nginx-3; do
    case $setup in
      sqlite) URL="http://127.0.0.1:$SQLITE/apis/$SQLITE_API/predict"; KEY=$SQLITE_KEY ;;
      postgres) URL="http://127.0.0.1:$N1/apis/$PG_API/predict"; KEY=$PG_KEY ;;
      nginx-1) URL="http://127.0.0.1:$NGINX1/apis/$PG_API/predict"; KEY=$PG_KEY ;;
      nginx-3) URL="http://127.0.0.1:$NGINX3/apis/$PG_API/predict"; KEY=$PG_KEY ;;
    esac
    rate=$(load); RATES[$setup]+="$rate "
    echo "round $round: $setup $rate req/s"
  done
done

python3 - "$CONNS" "${RATES[sqlite]}" "${RATES[postgres]}" "${RATES[nginx-1]}" "${RATES[nginx-3]}" > "$OUT/cluster.md" <<'PY'
import statistics, sys
conns = sys.argv[1]
runs = {name: [float(x) for x in text.split()] for name, text in zip(["sqlite", "postgres", "nginx-1", "nginx-3"], sys.argv[2:])}
label = {"sqlite": "one node, SQLite", "postgres": "one node, PostgreSQL", "nginx-1": "nginx → one node (PostgreSQL)",
         "nginx-3": "nginx → three nodes (PostgreSQL)"}
base = statistics.median(runs["sqlite"])
print(f"| setup | req/s per run ({conns} connections, 1 row per request) | median | vs one node on SQLite |")
print("|---|---|---:|---:|")
for name, values in runs.items():
    median = statistics.median(values)
    print(f"| {label[name]} | {', '.join(f'{x:.0f}' for x in values)} | {median:.0f} | {median / base:.2f}× |")
PY
cat "$OUT/cluster.md"
