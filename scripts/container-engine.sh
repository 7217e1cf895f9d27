#!/usr/bin/env bash
# Sets up the container engine that SibylContainers' integration tests (and a dev deployment) use:
# Debian 12's podman with runc, configured for machines like the project VM and CI, plus the test image.
# Idempotent; run as root. Needs the Debian archive but no container registry.
#   scripts/container-engine.sh
# Afterwards `swift test --filter SibylContainersTests` starts its own `podman system service`.
# Why each setting (docs/DEPLOYMENTS.md): hybrid cgroups break crun, no
# CAP_SYS_RESOURCE breaks podman's default rlimits, no systemd for its cgroup manager or journald events.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "container-engine.sh: run as root" >&2; exit 2; }

PKGS="podman runc conmon netavark aardvark-dns iptables uidmap catatonit slirp4netns fuse-overlayfs gcc libc6-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Containers may not ask for more than this shell's hard limits, and podman caps its own nproc at 32768.
nofile=$(ulimit -Hn); { [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; } && nofile=1048576
nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
CONF=/etc/containers/containers.conf
want="[containers]
default_ulimits = [\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\"]
[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\""
if [ "$(cat "$CONF" 2>/dev/null)" != "$want" ]; then
  mkdir -p /etc/containers
  [ -f "$CONF" ] && [ ! -f "$CONF.before-sibyl" ] && cp "$CONF" "$CONF.before-sibyl"
  printf '%s\n' "$want" > "$CONF"
  echo "wrote $CONF"
fi

runtime=$(podman info --format '{{.Host.OCIRuntime.Name}}')
[ "$runtime" = runc ] || { echo "podman uses $runtime, expected runc (see $CONF)" >&2; exit 1; }

IMAGE=localhost/sibyl-test-echo:latest
bash "$ROOT/Tests/ContainerImage/build.sh" "$IMAGE"
podman run --rm --init "$IMAGE" /echo-server exit 0
echo "container engine ready: podman $(podman version --format '{{.Client.Version}}'), runtime runc, image $IMAGE"
