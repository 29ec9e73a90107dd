#!/usr/bin/env bash
# The Kubernetes Indexed Job that `triage sweep --emit k8s` writes,
# validated offline against the API schemas of two Kubernetes versions
# (PyPI kubernetes-validate bundles them; tools/setup.sh installs it into
# tools/cluster/.venv). Strict: an unknown field fails.
#
# usage: tools/k8s_check.sh TRIAGE_BINARY WORK_DIR
set -euo pipefail
triage=$(realpath "$1")
work=$(realpath -m "$2")
validate="$(dirname "$0")/cluster/.venv/bin/kubernetes-validate"
if [ ! -x "$validate" ]; then
    echo "k8s_check: $validate not found (tools/setup.sh installs it)" >&2
    exit 2
fi
rm -rf "$work"
mkdir -p "$work"
"$triage" synth "$work/syn" --classes 3 --per-class 24 --size 16 --seed 3 --val 0.25 --test 0.25 >/dev/null
cat >"$work/plan.toml" <<PLAN
[sweep]
name = "K8s_Check"
data = "syn/manifest.csv"
seeds = [0, 1, 2]
threads = 2

[train]
epochs = 3
model = "linear"

[grid]
optimizer = ["adamw", "nesterov"]

[k8s]
image = "registry.example.org/triage:0.1.0"
claim = "sweeps"
memory = "2Gi"
parallelism = 4
namespace = "ml"
PLAN
manifest=$("$triage" sweep "$work/plan.toml" --emit k8s)
cat "$manifest"
for version in 1.29.0 1.37.0; do
    "$validate" --strict -k "$version" "$manifest"
done
grep -q 'completions: 6$' "$manifest"
grep -q 'completionMode: Indexed$' "$manifest"
echo "k8s_check: the Indexed Job of 6 tasks validates against Kubernetes 1.29 and 1.37"
