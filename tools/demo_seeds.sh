#!/usr/bin/env bash
# Does the demo's baseline beat the seed's model on every seed and thread
# count? Runs `triage demo --seed S` for every seed and every
# RAYON_NUM_THREADS value, reads the four evaluations of each run
# (runs/<model>/eval/{synthetic-test,real-like}.json) and prints a markdown
# table: accuracy [95 % bootstrap CI] of both models on both sets, and the
# baseline's margin over the seed's model against the width of the wider of
# the two models' intervals. A row passes when both margins exceed their
# widths. Then, per seed, whether the thread counts gave bit-identical
# accuracies and log losses.
#
# Usage: tools/demo_seeds.sh [TRIAGE_BINARY]
#   TRIAGE_BIN   the binary, if not given as the argument (default
#                target/release/triage)
#   SEEDS        seeds to run (default "0 1 2 3 4")
#   THREADS      RAYON_NUM_THREADS values (default "1 2")
#   OUT          folder for the demos (default target/demo-seeds)
#   JOBS         demos run at once (default 1; more skews the wall times)
#   REUSE=1      only read demos already in OUT (no training)
#
# Exit status: 0 if every row passes, 1 if one fails, 2 on an error.
set -euo pipefail
cd "$(dirname "$0")/.."
triage="${1:-${TRIAGE_BIN:-target/release/triage}}"
seeds="${SEEDS:-0 1 2 3 4}"
threads="${THREADS:-1 2}"
out="${OUT:-target/demo-seeds}"
jobs="${JOBS:-1}"
if [[ "${REUSE:-0}" != 1 && ! -x "$triage" ]]; then
    echo "demo_seeds.sh: no triage binary at $triage (build it: cargo build --release -p triage-cli)" >&2
    exit 2
fi
mkdir -p "$out"

run_one() { # seed threads
    local dir="$out/seed-$1-threads-$2" start
    start=$(date +%s.%N)
    if ! RAYON_NUM_THREADS="$2" "$triage" demo --seed "$1" --out "$dir" --no-progress \
        >"$dir.log" 2>&1; then
        echo "demo_seeds.sh: seed $1, $2 threads failed; see $dir.log" >&2
        return 1
    fi
    python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" \
        "$start" "$(date +%s.%N)" >"$dir.seconds"
    echo "seed $1, $2 threads: $(cat "$dir.seconds") s" >&2
}

if [[ "${REUSE:-0}" != 1 ]]; then
    failed=0
    for s in $seeds; do
        for t in $threads; do
            while (($(jobs -rp | wc -l) >= jobs)); do wait -n || failed=1; done
            run_one "$s" "$t" &
        done
    done
    while (($(jobs -rp | wc -l) > 0)); do wait -n || failed=1; done
    ((failed == 0)) || exit 2
fi

python3 - "$out" "$seeds" "$threads" <<'PY'
import json
import sys
from pathlib import Path

out, seeds, threads = Path(sys.argv[1]), sys.argv[2].split(), sys.argv[3].split()
models = ("seed-vgg-adadelta", "resnet-adamw-onecycle")
evals = ("synthetic-test", "real-like")


def load(seed, t):
    d = out / f"seed-{seed}-threads-{t}"
    res = {}
    for m in models:
        for e in evals:
            j = json.loads((d / "runs" / m / "eval" / f"{e}.json").read_text())
            res[m, e] = (j["metrics"]["accuracy"], j["ci"]["accuracy"], j["metrics"]["log_loss"])
    secs = d.with_name(d.name + ".seconds")
    res["seconds"] = secs.read_text().strip() if secs.exists() else "?"
    return res


def acc(r):
    a, (lo, hi), _ = r
    return f"{100 * a:.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"


print("| seed | threads | seed model synthetic | baseline synthetic | seed model real-like "
      "| baseline real-like | margin vs width (synthetic; real-like) | demo s | result |")
print("|---|---|---|---|---|---|---|---|---|")
all_pass = True
results = {}
for s in seeds:
    for t in threads:
        r = results[s, t] = load(s, t)
        ok, parts = True, []
        for e in evals:
            seed_m, base = r[models[0], e], r[models[1], e]
            margin = base[0] - seed_m[0]
            width = max(seed_m[1][1] - seed_m[1][0], base[1][1] - base[1][0])
            ok &= margin > width
            parts.append(f"{100 * margin:+.1f} vs {100 * width:.1f}")
        all_pass &= ok
        print(f"| {s} | {t} | {acc(r[models[0], evals[0]])} | {acc(r[models[1], evals[0]])} "
              f"| {acc(r[models[0], evals[1]])} | {acc(r[models[1], evals[1]])} "
              f"| {'; '.join(parts)} | {r['seconds']} | {'pass' if ok else 'FAIL'} |")

if len(threads) > 1:
    print()
    for s in seeds:
        ref = results[s, threads[0]]
        diffs = []
        for t in threads[1:]:
            for m in models:
                for e in evals:
                    a, b = ref[m, e], results[s, t][m, e]
                    if (a[0], a[2]) != (b[0], b[2]):
                        diffs.append(f"{m} {e}: accuracy {a[0]:.4f} vs {b[0]:.4f}, "
                                     f"log loss {a[2]:.6f} vs {b[2]:.6f} ({t} threads)")
        if diffs:
            print(f"seed {s}: threads {' and '.join(threads)} differ: " + "; ".join(diffs))
        else:
            print(f"seed {s}: threads {' and '.join(threads)} bit-identical "
                  "(accuracies and log losses of all four evaluations)")
sys.exit(0 if all_pass else 1)
PY
