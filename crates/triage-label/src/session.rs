//! A labelling session: the database, the sample's classes and opaque
//! ids, and the rules every request is checked against.

use std::collections::HashMap;
use std::path::Path;

use triage_data::progress::Progress;

use crate::error::LabelError;
use crate::sample::{annotator_order, draw};
use crate::store::{Answer, Store};

/// Longest annotator name accepted.
pub const MAX_NAME: usize = 64;
/// Longest request id accepted.
pub const MAX_REQUEST: usize = 64;
/// Reaction times are clamped to this (one hour), in ms.
pub const MAX_REACTION_MS: u64 = 3_600_000;

/// What a session was made for: dataset, classes, sample size and seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSpec {
    /// The dataset, as given.
    pub dataset: String,
    /// Items to label.
    pub sample: usize,
    /// Seed of the sample and of every annotator's order.
    pub seed: u64,
}

/// An open session.
pub struct Session {
    store: Store,
    classes: Vec<String>,
    seed: u64,
    opaque: Vec<String>,
    index: HashMap<String, usize>,
    /// Items skipped because they failed to decode (id, reason), when the
    /// sample was drawn in this run.
    pub skipped: Vec<(String, String)>,
}

/// Why a request was refused (HTTP 400 or 404).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Malformed input: the field and what is wrong.
    Bad(String),
    /// No such item.
    NotFound,
}

/// Where an annotator stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Standing {
    /// Items in the sample.
    pub total: usize,
    /// Items answered.
    pub done: usize,
    /// The next item's opaque id (`None`: finished).
    pub item: Option<String>,
}

impl Session {
    /// Open the session stored in `db`, or create it by drawing the sample
    /// from the dataset at `data` (a database made for another dataset,
    /// sample size or seed is refused, naming both).
    ///
    /// # Errors
    /// [`LabelError`].
    pub fn open(
        data: &Path,
        db: &Path,
        spec: &SessionSpec,
        progress: &dyn Progress,
    ) -> Result<Self, LabelError> {
        if spec.sample == 0 {
            return Err(LabelError::Setting {
                name: "sample",
                reason: "at least 1 item".to_owned(),
            });
        }
        let store = Store::open(db)?;
        let ours = describe(spec);
        let mut skipped = Vec::new();
        let classes: Vec<String> = match store.meta("description")? {
            Some(theirs) if theirs != ours => {
                return Err(LabelError::OtherDataset {
                    db: db.to_path_buf(),
                    theirs,
                    ours,
                })
            }
            Some(_) => serde_json::from_str(&store.meta("classes")?.unwrap_or_default())
                .unwrap_or_default(),
            None => {
                let sample = draw(data, spec.sample, spec.seed, progress)?;
                store.create(
                    &[
                        ("description", ours),
                        ("dataset", spec.dataset.clone()),
                        ("seed", spec.seed.to_string()),
                        ("sample", spec.sample.to_string()),
                        (
                            "classes",
                            serde_json::to_string(&sample.classes).unwrap_or_default(),
                        ),
                    ],
                    &sample.items,
                )?;
                skipped = sample.skipped;
                sample.classes
            }
        };
        let opaque = store.opaque_ids()?;
        let index = opaque
            .iter()
            .enumerate()
            .map(|(i, o)| (o.clone(), i))
            .collect();
        Ok(Self {
            store,
            classes,
            seed: spec.seed,
            opaque,
            index,
            skipped,
        })
    }

    /// Class names, in label order (shown as buttons).
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Check an annotator's name: 1–64 characters, no control characters.
    ///
    /// # Errors
    /// [`Refusal::Bad`].
    pub fn check_name(name: &str) -> Result<(), Refusal> {
        let n = name.chars().count();
        if n == 0 || n > MAX_NAME || name.chars().any(char::is_control) {
            return Err(Refusal::Bad(format!(
                "annotator: a name of 1 to {MAX_NAME} characters without control characters"
            )));
        }
        Ok(())
    }

    /// Where `annotator` stands: answered items and the next one in their
    /// order.
    ///
    /// # Errors
    /// [`Refusal::Bad`] for a bad name; a database error as
    /// [`Refusal::Bad`] with its text.
    pub fn progress(&self, annotator: &str) -> Result<Standing, Refusal> {
        Self::check_name(annotator)?;
        let done: std::collections::HashSet<String> = self
            .store
            .answered(annotator)
            .map_err(|e| Refusal::Bad(e.to_string()))?
            .into_iter()
            .collect();
        let next = annotator_order(self.opaque.len(), self.seed, annotator)
            .into_iter()
            .map(|i| &self.opaque[i])
            .find(|o| !done.contains(*o))
            .cloned();
        Ok(Standing {
            total: self.opaque.len(),
            done: done.len(),
            item: next,
        })
    }

    /// The PNG of an item: looked up by its opaque id (32 hex digits),
    /// never by a path.
    ///
    /// # Errors
    /// [`Refusal::Bad`] for a malformed id, [`Refusal::NotFound`].
    pub fn image(&self, opaque: &str) -> Result<Vec<u8>, Refusal> {
        check_opaque(opaque)?;
        if !self.index.contains_key(opaque) {
            return Err(Refusal::NotFound);
        }
        self.store
            .png(opaque)
            .map_err(|e| Refusal::Bad(e.to_string()))?
            .ok_or(Refusal::NotFound)
    }

    /// Validate and store an answer; the annotator's progress after it.
    ///
    /// # Errors
    /// [`Refusal`] for a bad name, item, class or request id.
    pub fn answer(&self, mut a: Answer) -> Result<Standing, Refusal> {
        Self::check_name(&a.annotator)?;
        check_opaque(&a.item)?;
        if !self.index.contains_key(&a.item) {
            return Err(Refusal::NotFound);
        }
        check_request(&a.request)?;
        match a.class {
            Some(c) if c as usize >= self.classes.len() => {
                return Err(Refusal::Bad(format!(
                    "class: {c} is not below the {} classes",
                    self.classes.len()
                )))
            }
            None if !a.unsure => {
                return Err(Refusal::Bad(
                    "class: give a class, or mark the answer not sure".to_owned(),
                ))
            }
            _ => {}
        }
        a.reaction_ms = a.reaction_ms.min(MAX_REACTION_MS);
        self.store
            .add_annotator(&a.annotator)
            .and_then(|()| self.store.answer(&a))
            .map_err(|e| Refusal::Bad(e.to_string()))?;
        self.progress(&a.annotator)
    }

    /// Undo the annotator's latest answer; their progress after it.
    ///
    /// # Errors
    /// [`Refusal`] for a bad name or request id.
    pub fn undo(&self, annotator: &str, request: &str) -> Result<Standing, Refusal> {
        Self::check_name(annotator)?;
        check_request(request)?;
        self.store
            .undo(annotator, request)
            .map_err(|e| Refusal::Bad(e.to_string()))?;
        self.progress(annotator)
    }
}

fn describe(spec: &SessionSpec) -> String {
    format!(
        "dataset `{}`, sample {}, seed {}",
        spec.dataset, spec.sample, spec.seed
    )
}

fn check_opaque(opaque: &str) -> Result<(), Refusal> {
    if opaque.len() == 32 && opaque.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(Refusal::Bad("item: an id of 32 hex digits".to_owned()))
    }
}

fn check_request(request: &str) -> Result<(), Refusal> {
    if !request.is_empty()
        && request.len() <= MAX_REQUEST
        && request
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err(Refusal::Bad(format!(
            "request: an id of 1 to {MAX_REQUEST} letters, digits, `-` or `_`"
        )))
    }
}
