//! How much a finding matters: shared by the report's findings and the
//! profile's rule table, so that one judgement has one severity wherever it
//! is printed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How much a finding matters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The numbers cannot be trusted, or the model is broken.
    Critical,
    /// A likely cause of lost accuracy or of a misleading claim.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_orders_first_and_names_match_json() {
        assert!(Severity::Critical < Severity::Warning && Severity::Warning < Severity::Info);
        for s in [Severity::Critical, Severity::Warning, Severity::Info] {
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::Value::String(s.name().into())
            );
        }
    }
}
