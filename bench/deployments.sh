#!/usr/bin/env bash
# Deployments: the gateway's added latency and the cold start of a deployment scaled to zero, measured on
# the test image (Tests/ContainerImage) in one run on a real container engine.
#
#   bench/deployments.sh        # writes bench/out/deployments.md and prints it
# Env: ENGINE (a Docker Engine API URL; default: a `podman system service` started here), DURATION (5s),
#      ROUNDS (3), COLD_RUNS (7), SERVER_CPU (0), LOAD_CPU (1), PORT (8097)
#
# Latency: wrk, one connection, the median of each run, calling the replica's published port directly and
# then the deployment's address through Sibyl (key check, usage count, proxy), rounds alternating; the
# added latency is the difference of the medians. Cold start: a deployment with scale.min 0 and a 1 s
# idle timeout goes PENDING, and the time of one request (curl's time_total) is taken, COLD_RUNS times.
# Needs scripts/container-engine.sh to have run (podman configured, test image built); run as root.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DURATION="${DURATION:-5s}"; ROUNDS="${ROUNDS:-3}"; COLD_RUNS="${COLD_RUNS:-7}"
SERVER_CPU="${SERVER_CPU:-0}"; LOAD_CPU="${LOAD_CPU:-1}"; PORT="${PORT:-8097}"
OUT="$HERE/out"; mkdir -p "$OUT"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk curl; }
(cd "$ROOT" && swift build -c release --static-swift-stdlib --product sibyl >/dev/null)
SIBYL="$ROOT/.build/release/sibyl"

pids=()
cleanup() {
  # The deployments go first, so that no replica outlives the run; then the processes started here.
  for name in bench-echo bench-cold; do api -X DELETE "$BASE/cloud/v3/inference/1/deployments/$name" >/dev/null 2>&1 || true; done
  for name in bench-echo bench-cold; do
    for _ in $(seq 100); do
      [ -z "$(podman --url "$ENGINE" ps -aq --filter "label=sibyl.deployment=$name" 2>/dev/null)" ] && break
      sleep 0.1
    done
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
api() { curl -fsS -H "Authorization: apikey bench-admin-token" -H 'Content-Type: application/json' "$@"; }
BASE="http://127.0.0.1:$PORT"
ENGINE="${ENGINE:-}"
if [ -z "$ENGINE" ]; then
  sock="$OUT/engine/podman.sock"; mkdir -p "$OUT/engine"; rm -f "$sock"
  podman system service --time=0 "unix://$sock" > "$OUT/engine/service.log" 2>&1 & pids+=($!)
  for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
  ENGINE="unix://$sock"
fi

data="$OUT/deployments-data"; rm -rf "$data"
SIBYL_ADMIN_TOKEN=bench-admin-token setsid taskset -c "$SERVER_CPU" "$SIBYL" serve --port "$PORT" --data "$data" \
  --log-level error --container-engine "$ENGINE" > "$OUT/deployments-sibyl.log" 2>&1 < /dev/null & pids+=($!)
for _ in $(seq 200); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }
wait_status() { # name status
  for _ in $(seq 600); do
    [ "$(api "$BASE/cloud/v3/inference/1/deployments/$1" | field '["status"]')" = "$2" ] && return 0; sleep 0.1
  done; echo "$1 never became $2" >&2; return 1
}
KEY=$(api -d '{"name":"bench-key"}' "$BASE/cloud/v3/inference/1/api_keys" | field '["secret"]')
spec() { # name min timeout
  printf '{"name":"%s","image":"localhost/sibyl-test-echo:latest","listening_port":8080,"flavor_name":"inference-1vcpu-1gib",
    "containers":[{"region_id":1,"scale":{"min":%d,"max":1}}],"timeout":%d,"api_keys":["bench-key"]}' "$1" "$2" "$3"
}
api -d "$(spec bench-echo 1 3600)" "$BASE/cloud/v3/inference/1/deployments" >/dev/null
wait_status bench-echo ACTIVE
replica=$(podman --url "$ENGINE" ps --filter label=sibyl.deployment=bench-echo --format '{{.ID}}' | head -1)
DIRECT="http://127.0.0.1:$(podman --url "$ENGINE" port "$replica" 8080/tcp | head -1 | sed 's/.*://')/echo"
PROXIED="$BASE/inference/1/bench-echo/echo"

median_latency() { # url [header] -> median latency of one wrk run, in ms
  local args=(-t1 -c1 -d"$DURATION" --latency)
  [ $# -gt 1 ] && args+=(-H "$2")
  taskset -c "$LOAD_CPU" wrk "${args[@]}" "$1" | python3 -c '
import re, sys
text = sys.stdin.read()
if "Non-2xx" in text or "Socket errors" in text: sys.exit("wrk saw errors:\n" + text)
value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", text).groups()
print(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit])'
}
median_latency "$DIRECT" >/dev/null; median_latency "$PROXIED" "X-Api-Key: $KEY" >/dev/null   # warm-up
direct=(); proxied=()
for _ in $(seq "$ROUNDS"); do
  direct+=("$(median_latency "$DIRECT")")
  proxied+=("$(median_latency "$PROXIED" "X-Api-Key: $KEY")")
done

api -d "$(spec bench-cold 0 1)" "$BASE/cloud/v3/inference/1/deployments" >/dev/null
cold=()
for _ in $(seq "$COLD_RUNS"); do
  wait_status bench-cold PENDING
  cold+=("$(curl -fsS -o /dev/null -w '%{time_total}' -H "X-Api-Key: $KEY" "$BASE/inference/1/bench-cold/echo")")
done

python3 - "${direct[*]}" "${proxied[*]}" "${cold[*]}" > "$OUT/deployments.md" <<'PY'
import statistics, sys
direct, proxied, cold = ([float(v) for v in arg.split()] for arg in sys.argv[1:4])
d, p, c = statistics.median(direct), statistics.median(proxied), statistics.median(cold)
print("| measure | runs | median |")
print("|---|---|---:|")
print(f"| latency, replica called directly (ms) | {', '.join(f'{v:.3f}' for v in direct)} | {d:.3f} |")
print(f"| latency, through Sibyl's gateway (ms) | {', '.join(f'{v:.3f}' for v in proxied)} | {p:.3f} |")
print(f"| **added by the gateway (ms)** | | **{p - d:.3f}** |")
print(f"| request to a PENDING deployment, answered (s) | {', '.join(f'{v:.3f}' for v in cold)} | **{c:.3f}** |")
PY
cat "$OUT/deployments.md"
