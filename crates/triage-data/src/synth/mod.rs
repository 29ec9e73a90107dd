//! The synthetic dataset generator (`triage synth`).
