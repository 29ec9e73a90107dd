//! Fuzz targets for every parser of outside input, and the small
//! mutational fuzzer that drives them on the stable toolchain.
//!
//! Each [`Target`] writes one input to the file its parser reads (a
//! predictions CSV, an NPY array, a manifest, an IDX or CIFAR file, an
//! image, a run or evaluation document, a model spec) and runs the parser
//! as the CLI would, down to the report built from it. A target *fails* when
//! it panics; errors are what bad input is supposed to give.
//!
//! The fuzzer ([`fuzz`]) starts from seed inputs (the test fixtures and
//! small files made by triage itself), applies 1–4 random mutations to one
//! of them per execution — byte flips, insertions, deletions, splices,
//! interesting numbers (`-1`, `0`, `1e400`, `NaN`, `2^63`) written over
//! digits, and, for JSON, edits of the parsed tree (a number replaced, a
//! key removed, an array emptied or grown) — and keeps every input that
//! panics under `regressions/<target>/`, where [`replay`] runs it on every
//! `cargo test` from then on.
//!
//! It is not coverage-guided (that needs a nightly toolchain or AFL++'s
//! compiler plugins): it finds what random structural mutation of valid
//! inputs finds. `tools/fuzz.sh` runs it for longer.

#![deny(missing_docs)]

mod mutate;
mod seeds;
pub mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

pub use targets::{Target, TARGETS};

/// How long (or how many executions) one target is fuzzed.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    /// A fixed number of executions.
    Executions(u64),
    /// Wall-clock time.
    Time(Duration),
}

impl Budget {
    /// `TRIAGE_FUZZ_SECONDS` seconds per target when set, else `default`
    /// executions.
    pub fn from_env(default: u64) -> Self {
        std::env::var("TRIAGE_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| *s > 0.0)
            .map_or(Self::Executions(default), |s| {
                Self::Time(Duration::from_secs_f64(s))
            })
    }
}

/// What a fuzzing run did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The target's name.
    pub target: &'static str,
    /// Inputs run.
    pub executions: u64,
    /// Of which the parser accepted (returned `Ok`).
    pub accepted: u64,
    /// Wall time.
    pub seconds: f64,
    /// Inputs that panicked, as saved.
    pub crashes: Vec<PathBuf>,
}

/// Where the crashing inputs of `target` are kept.
pub fn regressions_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target)
}

/// Fuzz `target` for `budget`, from random seed `seed`. Every input that
/// panics is saved under [`regressions_dir`] (named by its BLAKE3 hash).
///
/// # Panics
///
/// When the scratch directory cannot be made.
pub fn fuzz(target: &Target, budget: Budget, seed: u64) -> Outcome {
    let scratch = tempfile::tempdir().expect("scratch directory");
    let seeds = (target.seeds)();
    assert!(!seeds.is_empty(), "target {} has no seeds", target.name);
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let started = Instant::now();
    let (mut executions, mut accepted) = (0u64, 0u64);
    let mut crashes = Vec::new();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    loop {
        let done = match budget {
            Budget::Executions(n) => executions >= n,
            Budget::Time(t) => started.elapsed() >= t,
        };
        if done {
            break;
        }
        // The seeds themselves first, then mutants.
        let input = match seeds.get(executions as usize) {
            Some(s) => s.clone(),
            None => {
                let base = &seeds[rng.random_range(0..seeds.len())];
                mutate::mutate(base, &seeds, target.json, &mut rng)
            }
        };
        executions += 1;
        let dir = scratch.path().join(format!("x{}", executions % 4));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch directory");
        match catch_unwind(AssertUnwindSafe(|| (target.run)(&input, &dir))) {
            Ok(true) => accepted += 1,
            Ok(false) => {}
            Err(_) => crashes.push(save_crash(target.name, &input)),
        }
    }
    std::panic::set_hook(previous_hook);
    Outcome {
        target: target.name,
        executions,
        accepted,
        seconds: started.elapsed().as_secs_f64(),
        crashes,
    }
}

fn save_crash(target: &str, input: &[u8]) -> PathBuf {
    let dir = regressions_dir(target);
    let _ = std::fs::create_dir_all(&dir);
    let name = blake3::hash(input).to_hex();
    let path = dir.join(format!("crash-{}", &name[..16]));
    let _ = std::fs::write(&path, input);
    path
}

/// Run every kept regression input of `target`; the ones that still panic.
pub fn replay(target: &Target) -> Vec<PathBuf> {
    let scratch = tempfile::tempdir().expect("scratch directory");
    let Ok(entries) = std::fs::read_dir(regressions_dir(target.name)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut failing = Vec::new();
    for (i, path) in paths.into_iter().enumerate() {
        let Ok(input) = std::fs::read(&path) else {
            continue;
        };
        let dir = scratch.path().join(format!("r{i}"));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        if catch_unwind(AssertUnwindSafe(|| (target.run)(&input, &dir))).is_err() {
            failing.push(path);
        }
    }
    failing
}
