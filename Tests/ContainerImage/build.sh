#!/usr/bin/env bash
# Builds the container tests' image, localhost/sibyl-test-echo:latest, without a registry:
# a static echo-server in an otherwise empty rootfs, imported with `podman import`.
# Does nothing when the image already holds the current sources.
#   Tests/ContainerImage/build.sh [image-reference]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
IMAGE="${1:-localhost/sibyl-test-echo:latest}"
SOURCE=$(cat "$HERE/echo-server.c" "$HERE/build.sh" | sha256sum | cut -c1-16)
built=$(podman image inspect --format '{{index .Config.Labels "sibyl.source"}}' "$IMAGE" 2>/dev/null || true)
[ "$built" = "$SOURCE" ] && { echo "$IMAGE is up to date"; exit 0; }
old=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$WORK/rootfs/tmp"
chmod 1777 "$WORK/rootfs/tmp" # exec'd test commands create /tmp/not-ready here
gcc -static -O2 -Wall -o "$WORK/rootfs/echo-server" "$HERE/echo-server.c"
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
podman import -q --change 'CMD ["/echo-server"]' --change 'EXPOSE 8080' --change "LABEL sibyl.source=$SOURCE" \
  "$WORK/rootfs.tar" "$IMAGE" >/dev/null
# The replaced image is left untagged; drop it unless a container still uses it.
[ -n "$old" ] && podman image rm "$old" >/dev/null 2>&1 || true
echo "built $IMAGE"
