# Helpers of the benchmarks (sourced): wait for a URL, and load a URL with wrk.
# `load` reads HERE, CONNS, DURATION, LOAD_CPU, URL, BODY and KEY; `load_get` CONNS, DURATION, LOAD_CPU and URL.

wait_for() { for _ in $(seq 1 200); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "timed out: $1" >&2; return 1; }

load() {  # prints requests/s; refuses a run with any non-2xx answer or socket error
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' ${KEY:+-H "X-Api-Key: $KEY"} \
    --data-binary @"$BODY" "$URL")
  [ "$code" = 200 ] || { echo "probe answered $code" >&2; return 1; }
  BODY_FILE="$BODY" API_KEY="$KEY" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d3s -s "$HERE/post.lua" "$URL" >/dev/null
  local result; result=$(BODY_FILE="$BODY" API_KEY="$KEY" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" --latency \
    -s "$HERE/post.lua" "$URL")
  if echo "$result" | grep -qE 'Non-2xx|Socket errors'; then echo "$result" >&2; return 1; fi
  echo "$result" | awk '/Requests\/sec/ {print $2}'
}

load_get() {  # prints requests/s of GET URL with load's settings; refuses a run with any non-2xx answer or socket error
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d3s "$URL" >/dev/null
  local result; result=$(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$URL")
  if echo "$result" | grep -qE 'Non-2xx|Socket errors'; then echo "$result" >&2; return 1; fi
  echo "$result" | awk '/Requests\/sec/ {print $2}'
}
