#!/usr/bin/env bash
# Validates the Kubernetes manifests in deploy/kubernetes without a cluster:
#   1. every manifest (secret.example.yaml too) against the Kubernetes API schemas with kubernetes-validate
#      --strict (unknown or misspelt fields fail; so does a kind or apiVersion it has no schema for);
#   2. what a schema cannot see: selectors that match the pod labels, the HPA's target, the ConfigMap and
#      Secret keys the Deployment reads, the port names it uses, and kustomization.yaml listing every
#      manifest but the example Secret;
#   3. with kubectl on the PATH, the kustomization as rendered (`kubectl kustomize`), validated again.
# Exits non-zero on the first step that finds anything. Needs python3 (and PyPI, the first time).
#   scripts/validate-manifests.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="$ROOT/.build/k8s-venv"
KV_VERSION=1.37.0   # kubernetes-validate on PyPI
K8S_VERSION=1.37.0  # the newest Kubernetes that kubernetes-validate 1.37.0 ships schemas for

if [ "$("$VENV/bin/kubernetes-validate" --version 2>/dev/null || true)" != "$KV_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "kubernetes-validate==$KV_VERSION"
fi

# kubernetes-validate exits 0 when it has no schema for a document (it only warns), and for a file with
# no documents: both count as failures here.
validate() { # validate LABEL [FILE|-]
  local out rc=0
  out="$("$VENV/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "$2" 2>&1)" || rc=$?
  printf '%s\n' "$out"
  if [ "$rc" -ne 0 ] || grep -q '^WARN' <<<"$out" || ! grep -q '^INFO' <<<"$out"; then
    echo "FAILED: $1" >&2
    return 1
  fi
}

cd "$ROOT"
shopt -s nullglob
status=0
for file in deploy/kubernetes/*.yaml deploy/kubernetes/*.yml; do
  [ "$(basename "$file")" = kustomization.yaml ] && continue
  validate "$file" "$file" || status=1
done
[ "$status" -eq 0 ] || exit 1

"$VENV/bin/python" - deploy/kubernetes <<'PY'
import os, sys, yaml

directory = sys.argv[1]
errors, objects = [], {}
for name in sorted(os.listdir(directory)):
    if name.endswith((".yaml", ".yml")) and name != "kustomization.yaml":
        with open(os.path.join(directory, name)) as f:
            for doc in yaml.safe_load_all(f):
                if doc:
                    objects[doc["kind"]] = (name, doc)

def get(kind):
    if kind not in objects:
        errors.append(f"no {kind} in {directory}")
        return {}
    return objects[kind][1]

deployment, service = get("Deployment"), get("Service")
configmap, secret = get("ConfigMap"), get("Secret")
pdb, hpa = get("PodDisruptionBudget"), get("HorizontalPodAutoscaler")
pod = deployment.get("spec", {}).get("template", {})
labels = pod.get("metadata", {}).get("labels", {})

def selects(owner, selector):
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        errors.append(f"{owner} selector {selector} does not match the pod labels {labels}")

selects("Deployment", deployment.get("spec", {}).get("selector", {}).get("matchLabels"))
selects("Service", service.get("spec", {}).get("selector"))
selects("PodDisruptionBudget", pdb.get("spec", {}).get("selector", {}).get("matchLabels"))
target = hpa.get("spec", {}).get("scaleTargetRef", {})
if (target.get("kind"), target.get("name")) != ("Deployment", deployment.get("metadata", {}).get("name")):
    errors.append(f"HorizontalPodAutoscaler targets {target}, not the Deployment")

sources = {"configMapKeyRef": configmap, "secretKeyRef": secret}
for container in pod.get("spec", {}).get("containers", []):
    for env in container.get("env", []):
        for ref_kind, source in sources.items():
            ref = env.get("valueFrom", {}).get(ref_kind)
            if not ref or ref.get("optional"):
                continue
            if ref.get("name") != source.get("metadata", {}).get("name"):
                errors.append(f"{env['name']}: {ref_kind} names {ref.get('name')!r}")
            elif ref.get("key") not in {**source.get("data", {}), **source.get("stringData", {})}:
                errors.append(f"{env['name']}: no key {ref.get('key')!r} in the {source.get('kind')}")
    ports = {p.get("name") for p in container.get("ports", [])}
    used = [probe.get("httpGet", {}).get("port") for key in ("startupProbe", "livenessProbe", "readinessProbe")
            if (probe := container.get(key))]
    used += [p.get("targetPort") for p in service.get("spec", {}).get("ports", [])]
    errors += [f"port {p!r} is not a port name of container {container['name']!r}"
               for p in used if isinstance(p, str) and p not in ports]

with open(os.path.join(directory, "kustomization.yaml")) as f:
    listed = set(yaml.safe_load(f).get("resources", []))
expected = {name for name, _ in objects.values()} - {objects.get("Secret", ("",))[0]}
if listed != expected:
    errors.append(f"kustomization.yaml lists {sorted(listed)}; expected {sorted(expected)} (no example Secret)")

for error in errors:
    print(f"ERROR {error}")
if errors:
    sys.exit(1)
print(f"INFO cross-references passed ({', '.join(sorted(objects))})")
PY

if command -v kubectl >/dev/null 2>&1; then
  rendered="$(kubectl kustomize deploy/kubernetes)"
  validate "kubectl kustomize deploy/kubernetes" - <<<"$rendered"
else
  echo "SKIP kubectl is not on the PATH: the kustomization was not rendered"
fi
echo "OK deploy/kubernetes is valid for Kubernetes $K8S_VERSION (kubernetes-validate $KV_VERSION)"
