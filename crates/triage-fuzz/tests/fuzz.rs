//! The fuzz targets under `cargo test`: a short run of each (2000
//! executions, or `TRIAGE_FUZZ_SECONDS` seconds per target), then every
//! input kept under `regressions/` replayed. A panic fails the test and
//! leaves the input in `regressions/<target>/` to be fixed and kept.

use triage_fuzz::{fuzz, replay, Budget, TARGETS};

#[test]
fn every_target_survives_its_mutants() {
    let budget = Budget::from_env(2000);
    // TRIAGE_FUZZ_SEED varies the inputs (tools/fuzz.sh draws one); CI and
    // plain `cargo test` use 0, so they repeat.
    let base: u64 = std::env::var("TRIAGE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    eprintln!("fuzz seed {base} (TRIAGE_FUZZ_SEED)");
    let mut crashes = Vec::new();
    for (i, target) in TARGETS.iter().enumerate() {
        let outcome = fuzz(
            target,
            budget,
            base.wrapping_mul(1000) + 0x7269_6167 + i as u64,
        );
        eprintln!(
            "fuzz {:<18} {:>8} executions in {:>6.1} s ({:>6.0}/s), {} accepted, {} crashes",
            outcome.target,
            outcome.executions,
            outcome.seconds,
            outcome.executions as f64 / outcome.seconds.max(1e-9),
            outcome.accepted,
            outcome.crashes.len()
        );
        assert!(outcome.accepted > 0, "{}: no seed is accepted", target.name);
        crashes.extend(outcome.crashes);
    }
    assert!(crashes.is_empty(), "inputs that panicked: {crashes:#?}");
}

#[test]
fn kept_regressions_stay_fixed() {
    for target in &TARGETS {
        let failing = replay(target);
        assert!(failing.is_empty(), "{}: {failing:#?}", target.name);
    }
}
