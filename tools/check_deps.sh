#!/usr/bin/env bash
# The dependency graph has no upward arrow: burn only in triage-nn (and the
# binary above it), and no library depends on a crate above it in
# ARCHITECTURE.md's table. Reads `cargo metadata`; exits 1 naming the edge.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
# Each crate with the triage crates it may depend on (normal dependencies).
allowed = {
    "triage-docs": set(),
    "triage-knn": set(),
    "triage-stats": {"triage-docs"},
    "triage-data": {"triage-stats", "triage-docs"},
    "triage-profile": {"triage-data", "triage-knn", "triage-stats", "triage-docs"},
    "triage-synth": {"triage-data", "triage-docs"},
    "triage-shift": {"triage-data", "triage-docs", "triage-stats", "triage-profile"},
    "triage-bayes": {"triage-data", "triage-docs", "triage-stats", "triage-knn"},
    "triage-label": {"triage-data", "triage-docs", "triage-stats"},
    "triage-lint": {"triage-data", "triage-docs"},
    "triage-sweep": {"triage-data", "triage-docs", "triage-stats"},
    "triage-nn": {"triage-stats", "triage-docs", "triage-data"},
    "triage-report": {"triage-stats", "triage-docs", "triage-data", "triage-profile"},
    "triage-fuzz": {"triage-docs", "triage-data", "triage-synth", "triage-report", "triage-profile", "triage-bayes", "triage-lint", "triage-sweep"},
    "triage-cli": None,  # the binary: anything
}
burn_ok = {"triage-nn"}
bad = []
for p in json.load(sys.stdin)["packages"]:
    name = p["name"]
    if name not in allowed:
        bad.append(f"{name}: not in the table of tools/check_deps.sh (add it, as in ARCHITECTURE.md)")
        continue
    for d in p["dependencies"]:
        if d.get("kind") is not None:
            continue  # dev and build dependencies may reach further
        dep = d["name"]
        if dep.startswith("burn") and name not in burn_ok:
            bad.append(f"{name} depends on {dep}: burn lives in triage-nn only")
        if dep.startswith("triage-") and allowed[name] is not None and dep not in allowed[name]:
            bad.append(f"{name} depends on {dep}: not allowed by ARCHITECTURE.md")
for b in bad:
    print("check_deps:", b)
if bad:
    sys.exit(1)
print("check_deps: no upward arrow (%d crates)" % len(allowed))
'
