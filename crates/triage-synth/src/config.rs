//! The generator's configuration ([`SynthConfig`], defined in
//! `triage_docs::synth` with its validation) and the class names it draws.

use triage_docs::synth::SynthConfig;

use super::figure::CLASS_NAMES;
use triage_docs::synth::MAX_CLASSES;

/// The class names of `config`, `CLASS_NAMES[..classes]` (all 26 if
/// `classes` is larger).
pub fn class_names(config: &SynthConfig) -> &'static [&'static str] {
    &CLASS_NAMES[..config.classes.min(MAX_CLASSES)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SynthError;

    #[test]
    fn class_names_are_the_first_k_and_invalid_settings_name_their_field() {
        let config = SynthConfig {
            classes: 3,
            ..Default::default()
        };
        assert_eq!(class_names(&config), &CLASS_NAMES[..3]);
        let bad = SynthConfig {
            classes: 30,
            ..Default::default()
        };
        assert_eq!(class_names(&bad).len(), MAX_CLASSES);
        let message = SynthError::from(bad.validate().unwrap_err()).to_string();
        assert_eq!(
            message,
            "invalid synth config: `classes` must be in 2..=26, got 30"
        );
    }
}
