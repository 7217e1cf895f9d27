#!/usr/bin/env bash
# A private container registry on loopback for the image-access tests: Debian's docker-registry (the
# distribution project's registry) with htpasswd (bcrypt) sign-in, the test image pushed to it as
# 127.0.0.1:PORT/private/echo:1, and podman told that this one registry speaks plain HTTP.
# Prints the variables the tests read. Idempotent; run as root after scripts/container-engine.sh.
#   eval "$(scripts/test-registry.sh)"
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "test-registry.sh: run as root" >&2; exit 2; }
PORT="${SIBYL_TEST_REGISTRY_PORT:-5099}"
USER_NAME=sibyl-test
PASSWORD=sibyl-test-registry-password
HOST="127.0.0.1:$PORT"
DIR=/var/tmp/sibyl-test-registry

missing=""
for p in docker-registry apache2-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Debian's package starts its own service on :5000 where it can; this one is ours alone.
mkdir -p "$DIR/storage" /etc/containers/registries.conf.d
htpasswd -Bbn "$USER_NAME" "$PASSWORD" > "$DIR/htpasswd"
cat > "$DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/storage
http:
  addr: $HOST
auth:
  htpasswd:
    realm: sibyl-test
    path: $DIR/htpasswd
EOF
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$HOST" > /etc/containers/registries.conf.d/sibyl-test-registry.conf
if ! curl -s -o /dev/null "http://$HOST/v2/"; then
  nohup docker-registry serve "$DIR/config.yml" > "$DIR/registry.log" 2>&1 &
  for _ in $(seq 100); do curl -s -o /dev/null "http://$HOST/v2/" && break; sleep 0.1; done
fi
status=$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST/v2/")
[ "$status" = 401 ] || { echo "test-registry.sh: the registry answers $status without credentials, expected 401" >&2; exit 1; }
podman push -q --creds "$USER_NAME:$PASSWORD" localhost/sibyl-test-echo:latest "$HOST/private/echo:1" >&2
# Nothing of it may stay on the engine: the tests pull it with credentials first.
podman image rm "$HOST/private/echo:1" >/dev/null 2>&1 || true
echo "export SIBYL_TEST_REGISTRY=$HOST SIBYL_TEST_REGISTRY_USER=$USER_NAME SIBYL_TEST_REGISTRY_PASSWORD=$PASSWORD"
