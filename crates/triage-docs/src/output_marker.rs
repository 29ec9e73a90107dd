//! `.triage-output.json` (format `triage-output`): the marker of a folder
//! triage writes, naming the files it wrote there.
//!
//! triage deletes or overwrites only files it wrote itself. A command that
//! writes a folder (`demo`, `train`, `predict`, `lr-find`, `synth`) owns it
//! ([`OutputMarker::folder_command`]); a command that writes one file
//! (`report`, `split`) records that file in the marker of the file's
//! folder. A rerun replaces only the files listed; a folder that is not
//! empty and has no marker is refused.

use std::path::{Component, Path};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DocError, Document};

/// `format` of the marker.
pub const OUTPUT_MARKER_FORMAT: &str = "triage-output";
/// Version written by this build.
pub const OUTPUT_MARKER_VERSION: u32 = 1;
/// File name of the marker inside the folder.
pub const OUTPUT_MARKER_FILE: &str = ".triage-output.json";

/// `.triage-output.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutputMarker {
    /// Always [`OUTPUT_MARKER_FORMAT`].
    pub format: String,
    /// [`OUTPUT_MARKER_VERSION`].
    pub version: u32,
    /// The command whose `--out` is this folder (`"demo"`, `"train"`, …);
    /// `null` when triage only wrote single files here (`report --out`).
    pub folder_command: Option<String>,
    /// The files triage wrote, relative to the folder, with `/` between
    /// components; never absolute, never with `..`.
    pub files: Vec<WrittenFile>,
}

/// A file triage wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WrittenFile {
    /// Path relative to the marker's folder.
    pub path: String,
    /// The command that wrote it.
    pub command: String,
}

impl OutputMarker {
    /// An empty marker.
    pub fn new(folder_command: Option<&str>) -> Self {
        Self {
            format: OUTPUT_MARKER_FORMAT.into(),
            version: OUTPUT_MARKER_VERSION,
            folder_command: folder_command.map(str::to_string),
            files: Vec::new(),
        }
    }
}

/// Whether `path` stays inside the folder it is relative to: not empty,
/// not absolute, only normal components (no `..`, no `.`-only path).
pub fn is_inside(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty()
        && p.components().count() > 0
        && p.components().all(|c| matches!(c, Component::Normal(_)))
}

impl Document for OutputMarker {
    const FORMAT: &'static str = OUTPUT_MARKER_FORMAT;
    const VERSION: u32 = OUTPUT_MARKER_VERSION;
    const WHAT: &'static str = "output marker (.triage-output.json)";

    fn check(&self) -> Result<(), DocError> {
        if let Some(bad) = self.files.iter().find(|f| !is_inside(&f.path)) {
            return Err(DocError::Invalid {
                what: Self::WHAT,
                reason: format!(
                    "`files` lists {:?}, which is not a path inside the folder",
                    bad.path
                ),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_folder_are_refused() {
        for bad in ["../x", "/etc/passwd", "a/../../b", "", ".", "./"] {
            assert!(!is_inside(bad), "{bad:?} passed");
            let mut m = OutputMarker::new(Some("demo"));
            m.files.push(WrittenFile {
                path: bad.into(),
                command: "demo".into(),
            });
            assert!(m.check().is_err(), "{bad:?} passed check");
        }
        for good in ["report.html", "data/x/y.png", ".hidden"] {
            assert!(is_inside(good), "{good:?} refused");
        }
    }
}
