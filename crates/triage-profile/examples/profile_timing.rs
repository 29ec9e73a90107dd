//! Time `profile_files` on a dataset and print the near-duplicate counts:
//! `cargo run --release -p triage-data --example profile_timing -- DATA`
//! (the decoded-image cache is used, as `triage profile` does).

use std::time::Instant;

use triage_data::progress::Silent;
use triage_profile::files::{profile_files, ProfileRun};

fn main() {
    let path = std::env::args().nth(1).expect("usage: profile_timing DATA");
    let start = Instant::now();
    let profile = profile_files(path.as_ref(), &ProfileRun::with_cache(), &Silent)
        .unwrap_or_else(|e| panic!("{e}"));
    let near = &profile.near_duplicates;
    println!(
        "{} items in {:.2} s: {} candidate pairs, {} near pairs ({} across splits), {} leaked items",
        profile.n_items,
        start.elapsed().as_secs_f64(),
        near.candidate_pairs,
        near.pairs,
        near.cross_split_pairs,
        near.leaked_items.len()
    );
}
