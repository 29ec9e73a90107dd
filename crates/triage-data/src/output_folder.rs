//! triage deletes or overwrites only what it wrote itself.
//!
//! A command that writes a folder ([`OutputFolder::claim`]: `demo`,
//! `train`, `predict`, `lr-find`, `synth`) leaves a marker,
//! `.triage-output.json` ([`triage_docs::output_marker::OutputMarker`]),
//! naming the command and every file it wrote. Claiming again:
//!
//! * a folder that does not exist or is empty is created and marked;
//! * a folder marked by the same command is taken over; with
//!   [`Previous::Replace`] the files the marker lists are deleted first
//!   (only those, only inside the folder, never through a symbolic link);
//! * anything else — a folder with files and no marker, or one marked by
//!   another command — is refused ([`OutputError::Foreign`]).
//!
//! A command that writes one file ([`claim_file`]: `report --out`,
//! `split --out`) may replace it only when the marker of the file's folder
//! lists it as that command's; after writing, [`record_file`] adds it.
//!
//! When the folder's work ends ([`OutputFolder::finish`], or on drop), the
//! files created or changed since the claim are added to the marker.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use triage_docs::output_marker::{
    is_inside, OutputMarker, WrittenFile, OUTPUT_MARKER_FILE, OUTPUT_MARKER_FORMAT,
};

use crate::output::write_atomic;

/// Why an output cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The folder holds files triage did not write.
    #[error(
        "refusing to write into `{}`: it is not empty ({}) and triage did not write it{}",
        folder.display(),
        listing(entries, *more),
        owner.as_ref().map_or(String::new(), |c| format!(" (its marker says `triage {c}` wrote it)"))
    )]
    Foreign {
        /// The folder.
        folder: PathBuf,
        /// Some of what is there.
        entries: Vec<String>,
        /// How many more entries there are.
        more: usize,
        /// The command another marker names, if any.
        owner: Option<String>,
    },
    /// A file exists at the output path and triage did not write it (or
    /// another command did).
    #[error(
        "refusing to replace `{}`: {}",
        path.display(),
        match writer {
            Some(c) => format!("it was written by `triage {c}`, not by this command"),
            None => "triage did not write it (it is not listed in the folder's .triage-output.json)".to_string(),
        }
    )]
    NotOurs {
        /// The output path.
        path: PathBuf,
        /// The command that wrote it, when triage did.
        writer: Option<String>,
    },
    /// The output path exists and is not a regular file.
    #[error("refusing to write `{}`: it exists and is not a regular file", path.display())]
    NotAFile {
        /// The output path.
        path: PathBuf,
    },
    /// The output folder exists and is not a folder.
    #[error("refusing to write into `{}`: it exists and is not a folder", path.display())]
    NotAFolder {
        /// The output path.
        path: PathBuf,
    },
    /// The marker is unreadable or lists a path outside its folder.
    #[error("`{}` is not a valid triage output marker: {reason}", path.display())]
    BadMarker {
        /// The marker file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An I/O error.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

impl OutputError {
    /// What to do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::Foreign { .. } => Some(
                "give --out a new folder (triage creates it); triage never deletes files it did not write, --force included",
            ),
            Self::NotOurs { .. } | Self::NotAFile { .. } | Self::NotAFolder { .. } => Some(
                "choose another output path (--out); triage replaces only files it wrote itself",
            ),
            Self::BadMarker { .. } => Some(
                "the marker was edited or is not triage's: remove it by hand if the folder is yours to overwrite, or choose a new --out",
            ),
            Self::Io { .. } => None,
        }
    }
}

fn listing(entries: &[String], more: usize) -> String {
    let mut s = entries
        .iter()
        .map(|e| format!("`{e}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What to do with the files an earlier run of the same command wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Previous {
    /// Delete them first (a fresh run).
    Replace,
    /// Keep them (`--resume`; they stay listed).
    Keep,
}

/// A folder claimed by a command; see the module documentation.
#[derive(Debug)]
pub struct OutputFolder {
    root: PathBuf,
    command: String,
    kept: Vec<WrittenFile>,
    before: BTreeMap<String, Option<SystemTime>>,
    finished: bool,
}

/// Read the marker of `folder`, if there is one.
///
/// # Errors
///
/// [`OutputError::BadMarker`] for a marker that does not parse or lists a
/// path outside the folder.
pub fn read_marker(folder: &Path) -> Result<Option<OutputMarker>, OutputError> {
    let path = folder.join(OUTPUT_MARKER_FILE);
    let meta = match fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(&path)(e)),
    };
    if !meta.is_file() || meta.len() > 64 << 20 {
        return Err(OutputError::BadMarker {
            path,
            reason: "not a regular file of at most 64 MiB".into(),
        });
    }
    let text = fs::read_to_string(&path).map_err(io_err(&path))?;
    triage_docs::read_str::<OutputMarker>(&text)
        .map(Some)
        .map_err(|e| OutputError::BadMarker {
            path,
            reason: e.to_string(),
        })
}

fn write_marker(folder: &Path, marker: &OutputMarker) -> Result<(), OutputError> {
    let path = folder.join(OUTPUT_MARKER_FILE);
    let json = serde_json::to_vec_pretty(marker).map_err(|e| io_err(&path)(e.into()))?;
    write_atomic(&path, &json).map_err(io_err(&path))
}

/// Whether `folder` holds a legacy triage run (a `run.json` of format
/// `triage-run`, written before folders carried markers).
fn is_legacy_run(folder: &Path) -> bool {
    let Ok(text) = fs::read_to_string(folder.join("run.json")) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(str::to_string))
        .is_some_and(|f| f == triage_docs::run::RUN_FORMAT)
}

impl OutputFolder {
    /// Claim `root` for `command` (see the module documentation). Run
    /// directories of earlier triage versions (a `run.json` of format
    /// `triage-run`, no marker) are taken over by `train` and `predict`
    /// with their files kept.
    ///
    /// # Errors
    ///
    /// [`OutputError::Foreign`], [`OutputError::BadMarker`],
    /// [`OutputError::Io`].
    pub fn claim(root: &Path, command: &str, previous: Previous) -> Result<Self, OutputError> {
        match fs::symlink_metadata(root) {
            Ok(m) if !(m.is_dir() || m.file_type().is_symlink() && root.is_dir()) => {
                return Err(OutputError::NotAFolder {
                    path: root.to_path_buf(),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(root)(e)),
        }
        fs::create_dir_all(root).map_err(io_err(root))?;
        let marker = read_marker(root)?;
        let mut kept = Vec::new();
        match marker {
            Some(m) if m.folder_command.as_deref() == Some(command) => match previous {
                Previous::Keep => kept = m.files,
                Previous::Replace => remove_listed(root, &m.files)?,
            },
            other => {
                // Free: empty but for a marker of single files (whose files
                // are gone), or a run directory of an older triage.
                let owner = other.as_ref().and_then(|m| m.folder_command.clone());
                let legacy = other.is_none()
                    && matches!(command, "train" | "predict")
                    && is_legacy_run(root);
                let (entries, more) = visible_entries(root)?;
                if !legacy && (!entries.is_empty() || owner.is_some()) {
                    return Err(OutputError::Foreign {
                        folder: root.to_path_buf(),
                        entries,
                        more,
                        owner,
                    });
                }
            }
        }
        crate::output::remove_stale_temporaries(root);
        let folder = Self {
            root: root.to_path_buf(),
            command: command.to_string(),
            before: snapshot(root)?,
            kept,
            finished: false,
        };
        folder.save()?;
        Ok(folder)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Record the files created or changed since the claim in the marker.
    /// Called on drop too (best effort), so a failed command still lists
    /// what it left.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] when the folder cannot be read or the marker
    /// written.
    pub fn finish(mut self) -> Result<(), OutputError> {
        self.finished = true;
        self.save()
    }

    fn save(&self) -> Result<(), OutputError> {
        let now = snapshot(&self.root)?;
        let mut marker = OutputMarker::new(Some(&self.command));
        let mut listed = BTreeSet::new();
        for file in &self.kept {
            if now.contains_key(&file.path) && listed.insert(file.path.clone()) {
                marker.files.push(file.clone());
            }
        }
        for (path, mtime) in &now {
            let changed = self.before.get(path).is_none_or(|before| before != mtime);
            if changed && listed.insert(path.clone()) {
                marker.files.push(WrittenFile {
                    path: path.clone(),
                    command: self.command.clone(),
                });
            }
        }
        write_marker(&self.root, &marker)
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.save();
        }
    }
}

/// The entries of `root` other than its marker and the marker's stale
/// temporaries (a claim killed while writing the marker of a new folder
/// leaves `..triage-output.json.tmp-<pid>`), sorted: the first 10 and how
/// many more.
fn visible_entries(root: &Path) -> Result<(Vec<String>, usize), OutputError> {
    let marker_temporary = format!(".{OUTPUT_MARKER_FILE}.tmp-");
    let mut names: Vec<String> = fs::read_dir(root)
        .map_err(io_err(root))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != OUTPUT_MARKER_FILE)
        .filter(|n| !(n.starts_with(&marker_temporary) && crate::output::is_stale_temporary(n)))
        .collect();
    names.sort();
    let more = names.len().saturating_sub(10);
    names.truncate(10);
    Ok((names, more))
}

/// Every file under `root` (not following links; links are listed as
/// files), relative with `/`, with its modification time; the marker
/// itself left out.
fn snapshot(root: &Path) -> Result<BTreeMap<String, Option<SystemTime>>, OutputError> {
    let mut out = BTreeMap::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
            let entry = entry.map_err(io_err(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let meta = fs::symlink_metadata(entry.path()).map_err(io_err(&entry.path()))?;
            if meta.is_dir() {
                stack.push((entry.path(), rel));
            } else if rel != OUTPUT_MARKER_FILE {
                out.insert(rel, meta.modified().ok());
            }
        }
    }
    Ok(out)
}

/// Delete the listed files of `root`: every entry is checked first (inside
/// the folder, reached without a symbolic link, a file or a link — never a
/// folder), then removed; folders left empty are removed too.
fn remove_listed(root: &Path, files: &[WrittenFile]) -> Result<(), OutputError> {
    let marker = root.join(OUTPUT_MARKER_FILE);
    let canonical_root = root.canonicalize().map_err(io_err(root))?;
    let mut doomed = Vec::new();
    for file in files {
        if !is_inside(&file.path) {
            return Err(OutputError::BadMarker {
                path: marker,
                reason: format!("it lists {:?}, outside the folder", file.path),
            });
        }
        let path = root.join(&file.path);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue; // already gone
        };
        let parent = path.parent().unwrap_or(root);
        let inside = parent
            .canonicalize()
            .is_ok_and(|p| p.starts_with(&canonical_root));
        if !inside {
            return Err(OutputError::BadMarker {
                path: marker,
                reason: format!(
                    "it lists {:?}, which is reached through a symbolic link out of the folder",
                    file.path
                ),
            });
        }
        if meta.is_dir() {
            return Err(OutputError::BadMarker {
                path: marker,
                reason: format!("it lists {:?}, which is a folder", file.path),
            });
        }
        doomed.push(path);
    }
    for path in &doomed {
        fs::remove_file(path).map_err(io_err(path))?;
    }
    for path in &doomed {
        let mut dir = path.parent();
        while let Some(d) = dir {
            if d == root || fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    Ok(())
}

/// Check that `command` may write the single file `path`: it does not
/// exist, or it is a regular file that the marker of its folder lists as
/// written by `command`.
///
/// # Errors
///
/// [`OutputError::NotOurs`], [`OutputError::NotAFile`],
/// [`OutputError::BadMarker`].
pub fn claim_file(path: &Path, command: &str) -> Result<(), OutputError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(path)(e)),
    };
    if !meta.is_file() {
        return Err(OutputError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let (folder, name) = split_file(path);
    let writer = read_marker(&folder)?
        .and_then(|m| m.files.into_iter().find(|f| f.path == name))
        .map(|f| f.command);
    if writer.as_deref() == Some(command) {
        Ok(())
    } else {
        Err(OutputError::NotOurs {
            path: path.to_path_buf(),
            writer,
        })
    }
}

/// Record in the marker of its folder that `command` wrote `path` (a
/// marker without a folder command is created if there is none).
///
/// # Errors
///
/// [`OutputError::BadMarker`], [`OutputError::Io`].
pub fn record_file(path: &Path, command: &str) -> Result<(), OutputError> {
    let (folder, name) = split_file(path);
    let mut marker = read_marker(&folder)?.unwrap_or_else(|| OutputMarker::new(None));
    debug_assert_eq!(marker.format, OUTPUT_MARKER_FORMAT);
    marker.files.retain(|f| f.path != name);
    marker.files.push(WrittenFile {
        path: name,
        command: command.into(),
    });
    write_marker(&folder, &marker)
}

fn split_file(path: &Path) -> (PathBuf, String) {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    (folder, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn a_folder_with_user_files_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        write(&p.join("thesis.tex"), "precious");
        fs::create_dir_all(p.join("data")).unwrap();
        fs::create_dir_all(p.join(".git")).unwrap();
        let err = OutputFolder::claim(p, "demo", Previous::Replace).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, OutputError::Foreign { .. }), "{text}");
        assert!(
            text.contains("thesis.tex") && text.contains(".git"),
            "{text}"
        );
        assert_eq!(
            fs::read_to_string(p.join("thesis.tex")).unwrap(),
            "precious"
        );
        assert!(!p.join(OUTPUT_MARKER_FILE).exists());
    }

    #[test]
    fn a_claim_killed_while_marking_a_new_folder_does_not_lock_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        fs::create_dir(&root).unwrap();
        // What a process killed inside its first marker write leaves (a pid
        // above Linux's maximum: never running).
        let dead = root.join(format!(".{OUTPUT_MARKER_FILE}.tmp-4294967"));
        write(&dead, "{");
        let folder = OutputFolder::claim(&root, "predict", Previous::Replace).unwrap();
        folder.finish().unwrap();
        assert!(!dead.exists());
        // Another hidden temporary is not triage's marker: still refused.
        let other = dir.path().join("other");
        fs::create_dir(&other).unwrap();
        write(&other.join(".notes.tmp-4294967"), "mine");
        assert!(matches!(
            OutputFolder::claim(&other, "predict", Previous::Replace),
            Err(OutputError::Foreign { .. })
        ));
        assert!(other.join(".notes.tmp-4294967").exists());
    }

    #[test]
    fn a_rerun_replaces_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let folder = OutputFolder::claim(&out, "demo", Previous::Replace).unwrap();
        write(&out.join("data/a.png"), "a");
        write(&out.join("report.html"), "r");
        folder.finish().unwrap();
        // The user adds a file to the folder triage wrote.
        write(&out.join("data/mine.txt"), "mine");
        write(&out.join("notes.txt"), "notes");
        let folder = OutputFolder::claim(&out, "demo", Previous::Replace).unwrap();
        assert!(!out.join("data/a.png").exists());
        assert!(!out.join("report.html").exists());
        assert_eq!(
            fs::read_to_string(out.join("data/mine.txt")).unwrap(),
            "mine"
        );
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "notes");
        write(&out.join("report.html"), "r2");
        folder.finish().unwrap();
        let marker = read_marker(&out).unwrap().unwrap();
        let names: Vec<_> = marker.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(names, ["report.html"]);
        // Another command does not take the folder over.
        let err = OutputFolder::claim(&out, "synth", Previous::Replace).unwrap_err();
        assert!(err.to_string().contains("triage demo"), "{err}");
    }

    #[test]
    fn a_marker_pointing_outside_deletes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("x");
        write(&victim, "keep");
        let elsewhere = dir.path().join("elsewhere");
        write(&elsewhere.join("y"), "keep too");
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&elsewhere, out.join("link")).unwrap();
        for listed in ["../x", victim.to_str().unwrap(), "link/y"] {
            let mut m = OutputMarker::new(Some("demo"));
            m.files.push(WrittenFile {
                path: listed.into(),
                command: "demo".into(),
            });
            fs::write(
                out.join(OUTPUT_MARKER_FILE),
                serde_json::to_vec(&m).unwrap(),
            )
            .unwrap();
            let err = OutputFolder::claim(&out, "demo", Previous::Replace).unwrap_err();
            assert!(
                matches!(err, OutputError::BadMarker { .. }),
                "{listed}: {err}"
            );
            assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
            assert_eq!(fs::read_to_string(elsewhere.join("y")).unwrap(), "keep too");
        }
    }

    #[test]
    fn single_files_are_replaced_only_when_ours() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("report.html");
        claim_file(&report, "report").unwrap();
        write(&report, "r");
        record_file(&report, "report").unwrap();
        claim_file(&report, "report").unwrap();
        // Someone else's file, or another command's, is refused.
        let image = dir.path().join("img.png");
        write(&image, "png");
        assert!(matches!(
            claim_file(&image, "report"),
            Err(OutputError::NotOurs { writer: None, .. })
        ));
        assert!(matches!(
            claim_file(&report, "split"),
            Err(OutputError::NotOurs {
                writer: Some(_),
                ..
            })
        ));
        assert!(matches!(
            claim_file(dir.path(), "report"),
            Err(OutputError::NotAFile { .. })
        ));
    }

    #[test]
    fn resume_keeps_earlier_files_listed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let f = OutputFolder::claim(&out, "train", Previous::Replace).unwrap();
        write(&out.join("run.json"), "{}");
        drop(f); // recorded on drop too
        let f = OutputFolder::claim(&out, "train", Previous::Keep).unwrap();
        assert!(out.join("run.json").exists());
        write(&out.join("last.ckpt"), "w");
        f.finish().unwrap();
        let marker = read_marker(&out).unwrap().unwrap();
        let mut names: Vec<_> = marker.files.iter().map(|f| f.path.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["last.ckpt", "run.json"]);
    }
}
