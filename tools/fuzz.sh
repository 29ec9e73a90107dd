#!/usr/bin/env bash
# Fuzz every parser of outside input for longer than CI does.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET]   (default 300; TRIAGE_FUZZ_SEED=N)
#
# Runs crates/triage-fuzz (a mutational fuzzer on the stable toolchain; see
# its lib.rs) in release mode: each target for SECONDS_PER_TARGET seconds,
# printing executions, accepted inputs and crashes per target. An input
# that panics is saved under crates/triage-fuzz/regressions/<target>/;
# commit it with the fix, and `cargo test` replays it from then on.
# Exit status: 0 when nothing panicked, 101 when something did.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
# A new seed each run (printed; TRIAGE_FUZZ_SEED=N repeats one).
seed="${TRIAGE_FUZZ_SEED:-$(date +%s)}"
TRIAGE_FUZZ_SEED="$seed" TRIAGE_FUZZ_SECONDS="$seconds" cargo test --release --locked -p triage-fuzz \
    --test fuzz every_target_survives_its_mutants -- --nocapture
