//! Class folders, as torchvision's `ImageFolder` and Keras'
//! `image_dataset_from_directory` read them: `root/<class>/**/*.png`, or
//! `root/<split>/<class>/**/*.png` with split folders `train`, `val` and
//! `test` (also `training`, `valid`, `validation`, `testing`).
//!
//! Class names are the folder names, sorted; items are in split order, then
//! class order, then path order (the order torchvision and Keras'
//! `validation_split` see). Hidden files and folders (`.name`) are ignored.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::DatasetError;
use super::open::OpenOptions;
use super::{Dataset, DatasetFormat, Item, Skipped, Source, Split};

/// File extensions read as images (compared case-insensitively).
pub(crate) const IMAGE_EXTENSIONS: [&str; 8] =
    ["png", "jpg", "jpeg", "bmp", "gif", "webp", "tif", "tiff"];

/// Whether the path has one of [`IMAGE_EXTENSIONS`].
/// Why a file beside the split folders is skipped.
pub(crate) const NOT_IN_SPLIT_FOLDER: &str = "not inside a split folder";
/// Why a file beside the class folders is skipped.
pub(crate) const NOT_IN_CLASS_FOLDER: &str = "not inside a class folder";

pub(crate) fn has_image_extension(path: &Path) -> bool {
    path.extension().is_some_and(|ext| {
        IMAGE_EXTENSIONS
            .iter()
            .any(|known| ext.eq_ignore_ascii_case(known))
    })
}

/// Read a directory of class folders (with or without split folders).
pub(super) fn read(root: &Path, options: &OpenOptions) -> Result<Dataset, DatasetError> {
    let mut walk = Walk {
        follow_symlinks: options.follow_symlinks,
        visited: HashMap::new(),
        skipped: Vec::new(),
    };
    let io_error = |error| DatasetError::Io {
        path: root.to_path_buf(),
        error,
    };
    walk.enter(root, Path::new(""));
    let entries = walk.list(root, Path::new("")).map_err(io_error)?;
    let (dirs, files): (Vec<Entry>, Vec<Entry>) =
        entries.into_iter().partition(|e| e.kind == Kind::Dir);
    if dirs.is_empty() {
        return Err(if files.is_empty() && walk.skipped.is_empty() {
            DatasetError::EmptyDirectory {
                path: root.to_path_buf(),
            }
        } else {
            DatasetError::NoClassFolders {
                path: root.to_path_buf(),
                files: files.len(),
            }
        });
    }

    // (split, class folder) pairs, in split order.
    let mut class_dirs: Vec<(Option<Split>, Entry)> = Vec::new();
    if is_split_layout(&dirs) {
        walk.skip_all(files, NOT_IN_SPLIT_FOLDER);
        let mut splits: Vec<(Split, Entry)> = dirs
            .into_iter()
            .filter_map(|d| Some((split_of(&d.name)?, d)))
            .collect();
        splits.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| bytes(&a.1.name).cmp(bytes(&b.1.name)))
        });
        for (split, dir) in splits {
            if !walk.enter(&dir.path, &dir.rel) {
                continue;
            }
            let entries = match walk.list(&dir.path, &dir.rel) {
                Ok(entries) => entries,
                Err(error) => {
                    walk.skip(&dir.rel, format!("cannot read directory: {error}"));
                    continue;
                }
            };
            let (dirs, files): (Vec<Entry>, Vec<Entry>) =
                entries.into_iter().partition(|e| e.kind == Kind::Dir);
            walk.skip_all(files, NOT_IN_CLASS_FOLDER);
            if dirs.is_empty() {
                let folder = id_of(&dir.rel);
                let reason = format!("split folder `{folder}` holds no class folders");
                walk.skip(&dir.rel, reason);
            }
            class_dirs.extend(dirs.into_iter().map(|d| (Some(split), d)));
        }
    } else {
        walk.skip_all(files, NOT_IN_CLASS_FOLDER);
        class_dirs.extend(dirs.into_iter().map(|d| (None, d)));
    }

    let mut classes: Vec<String> = class_dirs
        .iter()
        .map(|(_, d)| d.name.to_string_lossy().into_owned())
        .collect();
    classes.sort();
    classes.dedup();
    class_dirs.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.name.to_string_lossy().cmp(&b.1.name.to_string_lossy()))
            .then_with(|| bytes(&a.1.name).cmp(bytes(&b.1.name)))
    });

    let mut items = Vec::new();
    let mut ids = HashSet::new();
    for (split, dir) in class_dirs {
        let class = dir.name.to_string_lossy();
        let label = classes
            .binary_search_by(|c| c.as_str().cmp(&class))
            .unwrap_or(0);
        if !walk.enter(&dir.path, &dir.rel) {
            continue;
        }
        let found = walk.images_under(&dir.path, &dir.rel);
        if found.is_empty() {
            let folder = id_of(&dir.rel);
            walk.skipped.push(Skipped {
                path: folder.clone(),
                reason: format!("class folder `{folder}` holds no images"),
            });
        }
        for file in found {
            let id = id_of(&file.rel);
            if !ids.insert(id.clone()) {
                walk.skipped.push(Skipped {
                    reason: format!(
                        "id `{id}` is already used by another file (names that are not valid UTF-8 can map to the same text)"
                    ),
                    path: id,
                });
                continue;
            }
            items.push(Item {
                id,
                source: Source::File(file.path),
                label,
                split,
                group: None,
            });
        }
    }
    if items.is_empty() {
        return Err(DatasetError::NoImages {
            path: root.to_path_buf(),
            skipped: walk.skipped.len(),
        });
    }
    Ok(Dataset {
        root: root.to_path_buf(),
        format: DatasetFormat::ImageFolder,
        classes,
        items,
        skipped: walk.skipped,
        records: None,
    })
}

/// Whether the root's folders are split folders: every one has a split
/// name and at least one holds a folder (a class).
fn is_split_layout(dirs: &[Entry]) -> bool {
    dirs.iter().all(|d| split_of(&d.name).is_some()) && dirs.iter().any(|d| holds_folder(&d.path))
}

fn holds_folder(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| !is_hidden(&e.file_name()) && e.path().is_dir())
    })
}

fn split_of(name: &OsString) -> Option<Split> {
    name.to_str()?.parse().ok()
}

fn is_hidden(name: &OsString) -> bool {
    bytes(name).starts_with(b".")
}

fn bytes(name: &OsString) -> &[u8] {
    name.as_encoded_bytes()
}

/// The id of a path relative to the root: its components joined by `/`
/// (lossy for names that are not UTF-8).
fn id_of(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    /// A regular file and its size in bytes.
    File(u64),
}

/// A directory entry that is a directory or a regular file (after
/// following symbolic links).
#[derive(Debug)]
struct Entry {
    name: OsString,
    path: PathBuf,
    rel: PathBuf,
    kind: Kind,
}

/// An image file found under a class folder.
struct Found {
    path: PathBuf,
    rel: PathBuf,
}

/// The state of a directory walk: what was visited and skipped.
struct Walk {
    follow_symlinks: bool,
    /// Canonical path of every directory entered → its id.
    visited: HashMap<PathBuf, String>,
    skipped: Vec<Skipped>,
}

impl Walk {
    fn skip(&mut self, rel: &Path, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            path: id_of(rel),
            reason: reason.into(),
        });
    }

    fn skip_all(&mut self, entries: Vec<Entry>, reason: &str) {
        for entry in entries {
            self.skip(&entry.rel, reason);
        }
    }

    /// Mark a directory as entered; false (with a skipped note) when it was
    /// entered before under another name (a symbolic-link loop or a second
    /// link to the same folder) or cannot be resolved.
    fn enter(&mut self, dir: &Path, rel: &Path) -> bool {
        let canonical = match fs::canonicalize(dir) {
            Ok(canonical) => canonical,
            Err(error) => {
                self.skip(rel, format!("cannot resolve directory: {error}"));
                return false;
            }
        };
        let id = id_of(rel);
        if let Some(first) = self.visited.get(&canonical) {
            let first = if first.is_empty() {
                "."
            } else {
                first.as_str()
            };
            let reason = format!(
                "symbolic link loop or repeated directory: same directory as `{first}`, read once"
            );
            self.skip(rel, reason);
            return false;
        }
        self.visited.insert(canonical, id);
        true
    }

    /// The non-hidden directories and regular files of `dir`, sorted by
    /// name. Other entries are skipped with a reason.
    fn list(&mut self, dir: &Path, rel: &Path) -> std::io::Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if is_hidden(&name) {
                continue;
            }
            let path = entry.path();
            let rel = rel.join(&name);
            let kind = match self.kind_of(&entry) {
                Ok(kind) => kind,
                Err(reason) => {
                    self.skip(&rel, reason);
                    continue;
                }
            };
            entries.push(Entry {
                name,
                path,
                rel,
                kind,
            });
        }
        entries.sort_by(|a, b| bytes(&a.name).cmp(bytes(&b.name)));
        Ok(entries)
    }

    fn kind_of(&self, entry: &fs::DirEntry) -> Result<Kind, String> {
        let file_type = entry.file_type().map_err(|e| format!("cannot read: {e}"))?;
        let metadata = if file_type.is_symlink() {
            let metadata =
                fs::metadata(entry.path()).map_err(|e| format!("broken symbolic link: {e}"))?;
            if metadata.is_dir() && !self.follow_symlinks {
                return Err("symbolic link to a directory, not followed".to_owned());
            }
            metadata
        } else {
            entry.metadata().map_err(|e| format!("cannot read: {e}"))?
        };
        if metadata.is_dir() {
            Ok(Kind::Dir)
        } else if metadata.is_file() {
            Ok(Kind::File(metadata.len()))
        } else {
            Err("not a regular file".to_owned())
        }
    }

    /// The image files under a class folder, at any depth, sorted as
    /// torchvision sorts them (by folder, then by file name). Other files
    /// are skipped with a reason.
    fn images_under(&mut self, dir: &Path, rel: &Path) -> Vec<Found> {
        let mut found = Vec::new();
        let mut stack = vec![(dir.to_path_buf(), rel.to_path_buf())];
        while let Some((dir, rel)) = stack.pop() {
            let entries = match self.list(&dir, &rel) {
                Ok(entries) => entries,
                Err(error) => {
                    self.skip(&rel, format!("cannot read directory: {error}"));
                    continue;
                }
            };
            let mut subdirs = Vec::new();
            for entry in entries {
                match entry.kind {
                    Kind::Dir => {
                        if self.enter(&entry.path, &entry.rel) {
                            subdirs.push(entry);
                        }
                    }
                    Kind::File(_) if !has_image_extension(&entry.path) => {
                        self.skip(&entry.rel, "not an image extension");
                    }
                    Kind::File(0) => self.skip(&entry.rel, "zero-byte file"),
                    Kind::File(_) => found.push(Found {
                        path: entry.path,
                        rel: entry.rel,
                    }),
                }
            }
            // Folders are entered (marked) in name order, which decides
            // which of two links to one folder is read; the final order
            // comes from the sort below.
            stack.extend(subdirs.into_iter().rev().map(|sub| (sub.path, sub.rel)));
        }
        found.sort_by(|a, b| sort_key(&a.rel).cmp(&sort_key(&b.rel)));
        found
    }
}

/// (folder, file name) as bytes: the order of `sorted(os.walk(...))`
/// followed by `sorted(fnames)`.
fn sort_key(rel: &Path) -> (&[u8], &[u8]) {
    let folder = rel
        .parent()
        .map_or(&[][..], |p| p.as_os_str().as_encoded_bytes());
    let name = rel.file_name().map_or(&[][..], |n| n.as_encoded_bytes());
    (folder, name)
}
