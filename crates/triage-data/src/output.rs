//! Writing a command's outputs without losing anything: never over one of
//! the command's own inputs ([`check_not_an_input`]), and through a
//! temporary file in the same folder that is renamed into place
//! ([`write_atomic`]), so that a crash, a kill or a full disk leaves the old
//! file or none, never half of one.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An output path that names one of the command's inputs.
#[derive(Debug, thiserror::Error)]
#[error(
    "refusing to write `{}`: it is one of this command's inputs (`{}`), which would be lost",
    output.display(),
    input.display()
)]
pub struct OverwriteError {
    /// The output path as given.
    pub output: PathBuf,
    /// The input it would replace, as given.
    pub input: PathBuf,
}

impl OverwriteError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        "choose another output path (--out)"
    }
}

/// Refuse `output` when it is the same file as one of `inputs`: the same
/// path after resolving links and `..`, or (on Unix) the same device and
/// inode, which also catches hard links. An output that does not exist yet
/// cannot be an input.
///
/// # Errors
///
/// [`OverwriteError`] naming the output and the input.
pub fn check_not_an_input<'a>(
    output: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Result<(), OverwriteError> {
    let Ok(out_meta) = std::fs::metadata(output) else {
        return Ok(());
    };
    let out_canonical = output.canonicalize().ok();
    for input in inputs {
        let Ok(in_meta) = std::fs::metadata(input) else {
            continue;
        };
        let same_path = out_canonical.is_some() && input.canonicalize().ok() == out_canonical;
        if same_path || same_inode(&out_meta, &in_meta) {
            return Err(OverwriteError {
                output: output.to_path_buf(),
                input: input.to_path_buf(),
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_inode(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// The temporary name [`write_atomic`] writes `path` under first:
/// `.<name>.tmp-<pid>` in the same folder (same file system, so the rename
/// is atomic; hidden, so a crash leaves no file that looks like an output).
pub fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Remove the temporaries [`write_atomic`] left in `dir` (not below it)
/// when its process was killed: files named `.<name>.tmp-<pid>` whose
/// process no longer runs (Linux: no `/proc/<pid>`; elsewhere nothing is
/// removed). Returns the names removed.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<String> {
    let mut removed = Vec::new();
    if !Path::new("/proc/self").exists() {
        return removed;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_stale_temporary(&name) && is_file && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(name);
        }
    }
    removed
}

/// Whether `name` is a [`temporary_path`] name whose process no longer
/// runs (Linux: no `/proc/<pid>`; elsewhere never).
pub fn is_stale_temporary(name: &str) -> bool {
    if !Path::new("/proc/self").exists() {
        return false;
    }
    temporary_pid(name).is_some_and(|pid| {
        pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists()
    })
}

/// The process id in a [`temporary_path`] name, if `name` is one.
fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (stem, pid) = rest.rsplit_once(".tmp-")?;
    if stem.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Write `bytes` to `path` atomically: to [`temporary_path`], synced, then
/// renamed over `path`. On failure the temporary file is removed and `path`
/// is untouched.
///
/// # Errors
///
/// The I/O error of the write, sync or rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// As [`write_atomic`], with the contents written by `fill` into the
/// temporary file (buffer it if it writes in small pieces).
///
/// # Errors
///
/// The error of `fill`, or of the sync or rename.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = temporary_path(path);
    let result = (|| {
        let mut file = File::create(&tmp)?;
        fill(&mut file)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_refused_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("ev.json");
        std::fs::write(&input, "{}").unwrap();
        let other = dir.path().join("other.json");
        std::fs::write(&other, "{}").unwrap();
        // The same file under another spelling.
        let dotted = dir.path().join(".").join("ev.json");
        let err = check_not_an_input(&dotted, [input.as_path()]).unwrap_err();
        assert_eq!(err.input, input);
        assert!(err.to_string().contains("ev.json"), "{err}");
        // A hard link is the same file.
        let linked = dir.path().join("linked.json");
        std::fs::hard_link(&input, &linked).unwrap();
        assert!(check_not_an_input(&linked, [input.as_path()]).is_err());
        // Another file, or one that does not exist yet, is fine.
        assert!(check_not_an_input(&other, [input.as_path()]).is_ok());
        let new = dir.path().join("new.json");
        assert!(check_not_an_input(&new, [input.as_path()]).is_ok());
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // A pid far above any pid_max in use: no such process.
        let dead = dir.path().join(".last.ckpt.tmp-4294967");
        std::fs::write(&dead, "half").unwrap();
        let ours = temporary_path(&dir.path().join("best.ckpt"));
        std::fs::write(&ours, "in progress").unwrap();
        let user = dir.path().join("notes.tmp-1");
        std::fs::write(&user, "mine").unwrap();
        let removed = remove_stale_temporaries(dir.path());
        assert_eq!(removed, [".last.ckpt.tmp-4294967"]);
        assert!(!dead.exists() && ours.exists() && user.exists());
    }

    #[test]
    fn atomic_write_replaces_or_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"old").unwrap();
        let failed = write_atomic_with(&path, |f| {
            f.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert!(!temporary_path(&path).exists(), "temporary file left");
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
