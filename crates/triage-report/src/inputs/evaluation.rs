//! The evaluation document written by `triage evaluate --json`: the one
//! definition in `triage-docs`, read with its format, version and
//! consistency checked.

pub use triage_docs::evaluation::{
    CalibrationMetrics, CiMethod, ClassAverages, ClassRow, ConfusionDoc, Curves, EvaluationDoc,
    MacroRoc, Metrics, PrDoc, ReliabilityBin, ReliabilityDoc, RocDoc, TemperatureDoc,
};
