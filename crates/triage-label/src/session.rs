//! A labelling session: the database, the sample's classes and opaque
//! ids, and the rules every request is checked against.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use triage_data::progress::Progress;

use crate::error::LabelError;
use crate::queue::{Queue, QueueKind};
use crate::sample::{annotator_order, draw, draw_queue, fnv1a};
use crate::store::{Answer, Holder, OwnAnswer, Store};

/// Longest annotator name accepted.
pub const MAX_NAME: usize = 64;
/// Longest request id accepted.
pub const MAX_REQUEST: usize = 64;
/// Reaction times are clamped to this (one hour), in ms.
pub const MAX_REACTION_MS: u64 = 3_600_000;
/// An item outside the overlap stratum handed to an annotator who has not
/// answered it within this many seconds may be handed to another.
pub const CLAIM_SECONDS: i64 = 600;
/// Attention checks: the first repeat comes after this many answers …
pub const ATTENTION_FIRST: usize = 10;
/// … and one more after every this many (one in 20: about 5 %).
pub const ATTENTION_EVERY: usize = 20;
/// A repeat is drawn from the annotator's answers older than their latest
/// this many, so that it does not follow its first showing.
pub const ATTENTION_GAP: usize = 3;

/// What a session was made for: dataset, sample size, seed, overlap
/// stratum and attention checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSpec {
    /// The dataset, as given.
    pub dataset: String,
    /// Items to label.
    pub sample: usize,
    /// Seed of the sample and of every annotator's order.
    pub seed: u64,
    /// Items of the sample shown to every annotator (the first `M` of the
    /// seeded sample); the other items are shared out, each to one
    /// annotator. `None`: every annotator labels the whole sample.
    pub overlap: Option<usize>,
    /// Attention checks: about 5 % of an annotator's answers are repeats
    /// of an item they answered earlier (a class, not "not sure"), chosen
    /// by the server; the browser cannot tell a repeat from a new item.
    pub attention: bool,
    /// A review queue instead of a random sample (`sample` then caps it;
    /// 0: the whole queue).
    pub queue: Option<Queue>,
}

/// An open session.
pub struct Session {
    store: Store,
    classes: Vec<String>,
    queue: Option<QueueKind>,
    seed: u64,
    /// Sample positions below this are the overlap stratum.
    overlap: usize,
    attention: bool,
    opaque: Vec<String>,
    index: HashMap<String, usize>,
    /// Annotators' orders, computed once each.
    orders: Mutex<HashMap<String, Arc<Vec<usize>>>>,
    /// Held while an item is chosen and handed out, and while an answer
    /// is checked and stored, so two annotators never claim one item.
    assign: Mutex<()>,
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
        if spec.sample == 0 && spec.queue.is_none() {
            return Err(LabelError::Setting {
                name: "sample",
                reason: "at least 1 item".to_owned(),
            });
        }
        if let Some(m) = spec
            .overlap
            .filter(|&m| m > spec.sample && spec.queue.is_none())
        {
            return Err(LabelError::Setting {
                name: "overlap",
                reason: format!(
                    "{m} items shown to everyone, but the sample has {}: give at most --overlap {}",
                    spec.sample, spec.sample
                ),
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
                let sample = match &spec.queue {
                    None => draw(data, spec.sample, spec.seed, progress)?,
                    Some(q) => {
                        draw_queue(data, q, (spec.sample > 0).then_some(spec.sample), progress)?
                    }
                };
                store.create(
                    &[
                        ("description", ours),
                        ("dataset", spec.dataset.clone()),
                        ("seed", spec.seed.to_string()),
                        ("sample", spec.sample.to_string()),
                        ("overlap", spec.overlap.unwrap_or(spec.sample).to_string()),
                        ("attention", spec.attention.to_string()),
                        (
                            "queue",
                            spec.queue.as_ref().map_or("", |q| q.kind.name()).to_owned(),
                        ),
                        (
                            "queue_file",
                            spec.queue
                                .as_ref()
                                .map_or(String::new(), |q| q.file.display().to_string()),
                        ),
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
        let queue = store.meta("queue")?.and_then(|q| QueueKind::parse(&q).ok());
        Ok(Self {
            store,
            classes,
            queue,
            seed: spec.seed,
            overlap: spec.overlap.unwrap_or(usize::MAX).min(opaque.len()),
            attention: spec.attention,
            opaque,
            index,
            orders: Mutex::new(HashMap::new()),
            assign: Mutex::new(()),
            skipped,
        })
    }

    /// Class names, in label order (shown as buttons).
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The review queue served, if any.
    pub fn queue(&self) -> Option<QueueKind> {
        self.queue
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

    /// Where `annotator` stands: answered items and the next one — a due
    /// attention-check repeat, else the first item of their order that is
    /// in the overlap stratum or not held by another annotator (it is then
    /// handed to them).
    ///
    /// # Errors
    /// [`Refusal::Bad`] for a bad name; a database error as
    /// [`Refusal::Bad`] with its text.
    pub fn progress(&self, annotator: &str) -> Result<Standing, Refusal> {
        Self::check_name(annotator)?;
        let _held = self.hold();
        self.standing(annotator)
    }

    fn hold(&self) -> MutexGuard<'_, ()> {
        self.assign.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn order(&self, annotator: &str) -> Arc<Vec<usize>> {
        let mut orders = self.orders.lock().unwrap_or_else(PoisonError::into_inner);
        orders
            .entry(annotator.to_owned())
            .or_insert_with(|| Arc::new(annotator_order(self.opaque.len(), self.seed, annotator)))
            .clone()
    }

    fn standing(&self, annotator: &str) -> Result<Standing, Refusal> {
        let db = |e: LabelError| Refusal::Bad(e.to_string());
        let own = self.store.own_answers(annotator).map_err(db)?;
        let firsts: HashSet<&str> = own
            .iter()
            .filter(|a| !a.repeat)
            .map(|a| a.item.as_str())
            .collect();
        let holders = if self.overlap < self.opaque.len() {
            self.store.holders().map_err(db)?
        } else {
            HashMap::new()
        };
        let now = unix_now();
        let mut total = 0;
        let mut next = None;
        for &i in self.order(annotator).iter() {
            let o = self.opaque[i].as_str();
            let eligible = i < self.overlap
                || firsts.contains(o)
                || match holders.get(o) {
                    None => true,
                    Some(Holder::Answered(_)) => false,
                    Some(Holder::Claimed { annotator: a, at }) => {
                        a == annotator || now - at > CLAIM_SECONDS
                    }
                };
            if eligible {
                total += 1;
                if next.is_none() && !firsts.contains(o) {
                    next = Some(i);
                }
            }
        }
        let item = match self.due_repeat(annotator, &own) {
            Some(repeat) => Some(repeat.to_owned()),
            None => {
                if let Some(i) = next.filter(|&i| i >= self.overlap) {
                    self.store
                        .claim(&self.opaque[i], annotator, now)
                        .map_err(db)?;
                }
                next.map(|i| self.opaque[i].clone())
            }
        };
        Ok(Standing {
            total,
            done: firsts.len(),
            item,
        })
    }

    /// The attention-check repeat due now, if any: after
    /// [`ATTENTION_FIRST`] answers and every [`ATTENTION_EVERY`] more, an
    /// item answered with a class (not "not sure"), not repeated yet and
    /// older than the latest [`ATTENTION_GAP`], chosen by a hash of the
    /// seed, the name and the repeats so far (the same after an undo).
    fn due_repeat<'a>(&self, annotator: &str, own: &'a [OwnAnswer]) -> Option<&'a str> {
        if !self.attention {
            return None;
        }
        let firsts: Vec<&OwnAnswer> = own.iter().filter(|a| !a.repeat).collect();
        let repeated: HashSet<&str> = own
            .iter()
            .filter(|a| a.repeat)
            .map(|a| a.item.as_str())
            .collect();
        let repeats = own.iter().filter(|a| a.repeat).count();
        if attention_due(firsts.len()) <= repeats {
            return None;
        }
        let candidates: Vec<&str> = firsts[..firsts.len().saturating_sub(ATTENTION_GAP)]
            .iter()
            .filter(|a| a.class.is_some() && !a.unsure && !repeated.contains(a.item.as_str()))
            .map(|a| a.item.as_str())
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let pick = fnv1a(&[
            &self.seed.to_le_bytes(),
            annotator.as_bytes(),
            &(repeats as u64).to_le_bytes(),
        ]) % candidates.len() as u64;
        Some(candidates[pick as usize])
    }

    /// The PNG of an item (`second`: a pair's other image), looked up by
    /// its opaque id (32 hex digits), never by a path.
    ///
    /// # Errors
    /// [`Refusal::Bad`] for a malformed id, [`Refusal::NotFound`].
    pub fn image(&self, opaque: &str, second: bool) -> Result<Vec<u8>, Refusal> {
        check_opaque(opaque)?;
        if !self.index.contains_key(opaque) {
            return Err(Refusal::NotFound);
        }
        self.store
            .png(opaque, second)
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
        let db = |e: LabelError| Refusal::Bad(e.to_string());
        let _held = self.hold();
        // A retry of a stored answer changes nothing.
        if !self.store.seen_request(&a.request).map_err(db)? {
            let own = self.store.own_answers(&a.annotator).map_err(db)?;
            let answered = own.iter().any(|o| !o.repeat && o.item == a.item);
            a.repeat = answered && self.due_repeat(&a.annotator, &own) == Some(a.item.as_str());
            if answered && !a.repeat {
                return Err(Refusal::Bad(
                    "item: you have answered it already (undo it to change the answer)".to_owned(),
                ));
            }
            self.store
                .add_annotator(&a.annotator)
                .and_then(|()| self.store.answer(&a))
                .map_err(db)?;
        }
        self.standing(&a.annotator)
    }

    /// Undo the annotator's latest answer; their progress after it.
    ///
    /// # Errors
    /// [`Refusal`] for a bad name or request id.
    pub fn undo(&self, annotator: &str, request: &str) -> Result<Standing, Refusal> {
        Self::check_name(annotator)?;
        check_request(request)?;
        let _held = self.hold();
        self.store
            .undo(annotator, request)
            .map_err(|e| Refusal::Bad(e.to_string()))?;
        self.standing(annotator)
    }
}

/// Attention-check repeats due after `answered` first answers.
pub fn attention_due(answered: usize) -> usize {
    if answered < ATTENTION_FIRST {
        0
    } else {
        (answered - ATTENTION_FIRST) / ATTENTION_EVERY + 1
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn describe(spec: &SessionSpec) -> String {
    let mut text = format!(
        "dataset `{}`, sample {}, seed {}",
        spec.dataset, spec.sample, spec.seed
    );
    if let Some(m) = spec.overlap {
        text.push_str(&format!(", overlap {m}"));
    }
    if spec.attention {
        text.push_str(", attention checks");
    }
    if let Some(q) = &spec.queue {
        text.push_str(&format!(", queue {} `{}`", q.kind, q.file.display()));
    }
    text
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
