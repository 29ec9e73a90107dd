//! `folds.json` (format `triage-folds`): what `triage train --folds K`
//! was started with, so that `--resume` continues the same
//! cross-validation or refuses, naming the setting that differs.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of `folds.json`.
pub const FOLDS_FORMAT: &str = "triage-folds";
/// Version written by this build.
pub const FOLDS_VERSION: u32 = 1;

/// `folds.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FoldsDoc {
    /// Always [`FOLDS_FORMAT`].
    pub format: String,
    /// [`FOLDS_VERSION`].
    pub version: u32,
    /// The command line that started it.
    pub command: Vec<String>,
    /// Every setting that decides the folds and their trainings (`folds`,
    /// `seed`, `data`, the model, optimizer, schedule, epochs, …), each as
    /// text; equal text means the same setting.
    pub settings: BTreeMap<String, String>,
}

impl FoldsDoc {
    /// The first setting whose value differs between `self` (now) and
    /// `then`: `(name, now, then)`.
    pub fn first_difference(&self, then: &Self) -> Option<(String, String, String)> {
        let missing = "(not set)".to_string();
        let mut keys: Vec<&String> = self.settings.keys().chain(then.settings.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter().find_map(|k| {
            let now = self.settings.get(k).unwrap_or(&missing);
            let was = then.settings.get(k).unwrap_or(&missing);
            (now != was).then(|| (k.clone(), now.clone(), was.clone()))
        })
    }
}

impl Document for FoldsDoc {
    const FORMAT: &'static str = FOLDS_FORMAT;
    const VERSION: u32 = FOLDS_VERSION;
    const WHAT: &'static str = "folds.json";

    fn check(&self) -> Result<(), DocError> {
        if !self.settings.contains_key("folds") {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: "`settings` has no `folds`".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_differing_setting_is_named() {
        let doc = |k: &str, seed: &str| FoldsDoc {
            format: FOLDS_FORMAT.into(),
            version: FOLDS_VERSION,
            command: vec![],
            settings: [("folds", k), ("seed", seed)]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        };
        assert_eq!(doc("3", "0").first_difference(&doc("3", "0")), None);
        assert_eq!(
            doc("2", "0").first_difference(&doc("3", "0")),
            Some(("folds".into(), "2".into(), "3".into()))
        );
        assert_eq!(
            doc("3", "1").first_difference(&doc("3", "0")),
            Some(("seed".into(), "1".into(), "0".into()))
        );
    }
}
