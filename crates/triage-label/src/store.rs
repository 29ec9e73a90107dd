//! The labelling database (SQLite, WAL, synchronous = FULL: an answer is
//! on disk before it is acknowledged).
//!
//! Tables: `meta` (what the database was made for), `items` (the sample:
//! an opaque id per item, the dataset's item id and label — never sent to
//! the browser — and the image as re-encoded PNG bytes), `annotators`,
//! `answers` (one row per answer, with the client's request id, unique, so
//! a retried answer is stored once; undone answers are kept, marked;
//! attention-check repeats are marked `repeat`), `claims` (which annotator
//! an item outside the overlap stratum was handed to, and when).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::LabelError;

/// One item of the sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleItem {
    /// The opaque id the browser sees (32 hex digits, random).
    pub opaque: String,
    /// The dataset's id of the item (its path or `file#index`).
    pub item_id: String,
    /// The dataset's label.
    pub label: u32,
    /// The image as PNG.
    pub png: Vec<u8>,
    /// A pair's second item: its id and PNG.
    pub other: Option<(String, Vec<u8>)>,
}

/// An item of the sample as stored, without its images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItem {
    /// The opaque id.
    pub opaque: String,
    /// The dataset's item id.
    pub item_id: String,
    /// The dataset's label.
    pub label: u32,
    /// A pair's second item.
    pub other: Option<String>,
}

/// An answer as the browser sends it, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The annotator's name.
    pub annotator: String,
    /// The item's opaque id.
    pub item: String,
    /// The class chosen (`None`: skipped as "not sure" without a class).
    pub class: Option<u32>,
    /// The annotator flagged it "not sure".
    pub unsure: bool,
    /// Milliseconds from showing the image to the answer.
    pub reaction_ms: u64,
    /// The annotator zoomed in.
    pub zoomed: bool,
    /// The client's id of this request (a retry carries the same).
    pub request: String,
    /// An attention-check repeat of an item the annotator answered before
    /// (decided by the server, never by the browser).
    pub repeat: bool,
}

/// One of an annotator's live answers, in answer order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnAnswer {
    /// The item's opaque id.
    pub item: String,
    /// The class chosen.
    pub class: Option<u32>,
    /// "Not sure".
    pub unsure: bool,
    /// An attention-check repeat.
    pub repeat: bool,
}

/// A stored answer, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The annotator.
    pub annotator: String,
    /// The dataset's item id.
    pub item_id: String,
    /// The dataset's label.
    pub label: u32,
    /// A pair's second item.
    pub other: Option<String>,
    /// The class chosen.
    pub class: Option<u32>,
    /// "Not sure".
    pub unsure: bool,
    /// Reaction time, ms.
    pub reaction_ms: u64,
    /// An attention-check repeat (compared with the annotator's first
    /// answer of the item; counted nowhere else).
    pub repeat: bool,
}

/// Who holds an item outside the overlap stratum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// Answered by this annotator.
    Answered(String),
    /// Handed to this annotator at unix time `at`, not answered yet.
    Claimed {
        /// The annotator.
        annotator: String,
        /// When, unix seconds.
        at: i64,
    },
}

/// The database, behind a mutex (SQLite serialises writers anyway).
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> LabelError + '_ {
    move |source| LabelError::Db {
        path: path.to_path_buf(),
        source,
    }
}

impl Store {
    /// Open (or create) the database at `path` with WAL and synchronous =
    /// FULL.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn open(path: &Path) -> Result<Self, LabelError> {
        let e = db_err(path);
        let conn = Connection::open(path).map_err(&e)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&e)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(&e)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(&e)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS items (
                 position INTEGER PRIMARY KEY, opaque TEXT NOT NULL UNIQUE,
                 item_id TEXT NOT NULL, label INTEGER NOT NULL, png BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS annotators (name TEXT PRIMARY KEY, created TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS answers (
                 id INTEGER PRIMARY KEY, annotator TEXT NOT NULL, opaque TEXT NOT NULL,
                 class INTEGER, unsure INTEGER NOT NULL, reaction_ms INTEGER NOT NULL,
                 zoomed INTEGER NOT NULL, request TEXT NOT NULL UNIQUE,
                 at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                 undone INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE IF NOT EXISTS undos (request TEXT PRIMARY KEY, answer INTEGER);
             CREATE TABLE IF NOT EXISTS claims (opaque TEXT PRIMARY KEY, annotator TEXT NOT NULL, at INTEGER NOT NULL);",
        )
        .map_err(&e)?;
        // Columns added after the first layout.
        for (table, column, decl) in [
            ("answers", "repeat", "INTEGER NOT NULL DEFAULT 0"),
            ("items", "other", "TEXT"),
            ("items", "png_other", "BLOB"),
        ] {
            let has: i64 = conn
                .query_row(
                    &format!(
                        "SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'"
                    ),
                    [],
                    |r| r.get(0),
                )
                .map_err(&e)?;
            if has == 0 {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl};"))
                    .map_err(&e)?;
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent
        // (every write is one transaction), so a poisoned lock is usable.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value of a `meta` key.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn meta(&self, key: &str) -> Result<Option<String>, LabelError> {
        self.lock()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(db_err(&self.path))
    }

    /// Write the sample and its description, once, in one transaction.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn create(&self, meta: &[(&str, String)], items: &[SampleItem]) -> Result<(), LabelError> {
        let e = db_err(&self.path);
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(&e)?;
        for (k, v) in meta {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                params![k, v],
            )
            .map_err(&e)?;
        }
        for (i, item) in items.iter().enumerate() {
            tx.execute(
                "INSERT INTO items (position, opaque, item_id, label, png, other, png_other)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    i as i64,
                    item.opaque,
                    item.item_id,
                    item.label,
                    item.png,
                    item.other.as_ref().map(|o| &o.0),
                    item.other.as_ref().map(|o| &o.1)
                ],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)
    }

    /// The opaque ids of the sample, in sample order.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn opaque_ids(&self) -> Result<Vec<String>, LabelError> {
        let e = db_err(&self.path);
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT opaque FROM items ORDER BY position")
            .map_err(&e)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// The sample's items (without their images), in sample order.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn items(&self) -> Result<Vec<StoredItem>, LabelError> {
        let e = db_err(&self.path);
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT opaque, item_id, label, other FROM items ORDER BY position")
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredItem {
                    opaque: r.get(0)?,
                    item_id: r.get(1)?,
                    label: r.get(2)?,
                    other: r.get(3)?,
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// The PNG of an item by opaque id (`second`: a pair's other image).
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn png(&self, opaque: &str, second: bool) -> Result<Option<Vec<u8>>, LabelError> {
        let sql = if second {
            "SELECT png_other FROM items WHERE opaque = ?1"
        } else {
            "SELECT png FROM items WHERE opaque = ?1"
        };
        self.lock()
            .query_row(sql, [opaque], |r| r.get::<_, Option<Vec<u8>>>(0))
            .optional()
            .map(Option::flatten)
            .map_err(db_err(&self.path))
    }

    /// Register an annotator (idempotent).
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn add_annotator(&self, name: &str) -> Result<(), LabelError> {
        self.lock()
            .execute(
                "INSERT OR IGNORE INTO annotators (name, created) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                [name],
            )
            .map(|_| ())
            .map_err(db_err(&self.path))
    }

    /// An annotator's live (not undone) answers, oldest first.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn own_answers(&self, annotator: &str) -> Result<Vec<OwnAnswer>, LabelError> {
        let e = db_err(&self.path);
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT opaque, class, unsure, repeat FROM answers
                 WHERE annotator = ?1 AND undone = 0 ORDER BY id",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([annotator], |r| {
                Ok(OwnAnswer {
                    item: r.get(0)?,
                    class: r.get(1)?,
                    unsure: r.get(2)?,
                    repeat: r.get(3)?,
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// Whether a request id has been stored (as an answer).
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn seen_request(&self, request: &str) -> Result<bool, LabelError> {
        self.lock()
            .query_row(
                "SELECT 1 FROM answers WHERE request = ?1",
                [request],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(db_err(&self.path))
    }

    /// Who holds each item outside the overlap stratum: the annotator
    /// with a live answer, else the claim (annotator, unix seconds).
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn holders(&self) -> Result<std::collections::HashMap<String, Holder>, LabelError> {
        let e = db_err(&self.path);
        let conn = self.lock();
        let mut out = std::collections::HashMap::new();
        let mut stmt = conn
            .prepare("SELECT opaque, annotator, at FROM claims")
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(&e)?;
        for row in rows {
            let (opaque, annotator, at) = row.map_err(&e)?;
            out.insert(opaque, Holder::Claimed { annotator, at });
        }
        let mut stmt = conn
            .prepare(
                "SELECT opaque, annotator FROM answers WHERE undone = 0 AND repeat = 0 ORDER BY id",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(&e)?;
        for row in rows {
            let (opaque, annotator) = row.map_err(&e)?;
            out.entry(opaque.clone())
                .and_modify(|h| {
                    if !matches!(h, Holder::Answered(_)) {
                        *h = Holder::Answered(annotator.clone());
                    }
                })
                .or_insert(Holder::Answered(annotator));
        }
        Ok(out)
    }

    /// Hand an item to an annotator (replacing an older claim), at unix
    /// time `at`.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn claim(&self, opaque: &str, annotator: &str, at: i64) -> Result<(), LabelError> {
        self.lock()
            .execute(
                "INSERT INTO claims (opaque, annotator, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(opaque) DO UPDATE SET annotator = excluded.annotator, at = excluded.at",
                params![opaque, annotator, at],
            )
            .map(|_| ())
            .map_err(db_err(&self.path))
    }

    /// Store an answer, committed before returning. A request id seen
    /// before stores nothing (a retry); `true` when this call stored it.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn answer(&self, a: &Answer) -> Result<bool, LabelError> {
        let e = db_err(&self.path);
        let conn = self.lock();
        let stored = conn
            .execute(
                "INSERT OR IGNORE INTO answers (annotator, opaque, class, unsure, reaction_ms, zoomed, request, repeat)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    a.annotator,
                    a.item,
                    a.class,
                    a.unsure,
                    a.reaction_ms as i64,
                    a.zoomed,
                    a.request,
                    a.repeat
                ],
            )
            .map_err(&e)?;
        Ok(stored == 1)
    }

    /// Undo the annotator's latest live answer (idempotent by request
    /// id); the opaque id of the item undone, if any.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn undo(&self, annotator: &str, request: &str) -> Result<Option<String>, LabelError> {
        let e = db_err(&self.path);
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(&e)?;
        let seen: Option<Option<i64>> = tx
            .query_row(
                "SELECT answer FROM undos WHERE request = ?1",
                [request],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        let answer = match seen {
            Some(answer) => answer,
            None => {
                let latest: Option<i64> = tx
                    .query_row(
                        "SELECT id FROM answers WHERE annotator = ?1 AND undone = 0 ORDER BY id DESC LIMIT 1",
                        [annotator],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(&e)?;
                if let Some(id) = latest {
                    tx.execute("UPDATE answers SET undone = 1 WHERE id = ?1", [id])
                        .map_err(&e)?;
                }
                tx.execute(
                    "INSERT INTO undos (request, answer) VALUES (?1, ?2)",
                    params![request, latest],
                )
                .map_err(&e)?;
                latest
            }
        };
        let item = match answer {
            Some(id) => tx
                .query_row("SELECT opaque FROM answers WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(&e)?,
            None => None,
        };
        tx.commit().map_err(&e)?;
        Ok(item)
    }

    /// Every live answer with its item's dataset id and label.
    ///
    /// # Errors
    /// [`LabelError::Db`].
    pub fn answers(&self) -> Result<Vec<StoredAnswer>, LabelError> {
        let e = db_err(&self.path);
        let conn = self.lock();
        let mut stmt = conn
            .prepare(
                "SELECT a.annotator, i.item_id, i.label, a.class, a.unsure, a.reaction_ms, a.repeat, i.other
                 FROM answers a JOIN items i ON i.opaque = a.opaque
                 WHERE a.undone = 0 ORDER BY a.id",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredAnswer {
                    annotator: r.get(0)?,
                    item_id: r.get(1)?,
                    label: r.get(2)?,
                    class: r.get(3)?,
                    unsure: r.get(4)?,
                    reaction_ms: r.get::<_, i64>(5)? as u64,
                    repeat: r.get(6)?,
                    other: r.get(7)?,
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }
}
