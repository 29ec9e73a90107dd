//! The sweep's output folder, shared by every worker (local processes,
//! Slurm array tasks, Kubernetes pods):
//!
//! | path | written by | content |
//! |---|---|---|
//! | `tasks.json` | the first `triage sweep` of the plan | [`SweepTasksDoc`]: every task's configuration, seed and options |
//! | `specs/<config>.json` | the same, and any task that misses it | model specs given as tables in the plan |
//! | `tasks/<task>/run/` | the task | its run directory (checkpoints: an interrupted task resumes) |
//! | `tasks/<task>/predictions/` | the task | its predictions of the evaluation items |
//! | `tasks/<task>/done.json` | the task, last | [`Done`]: the task finished |
//! | `tasks/<task>/lock` | the task, while it runs | an advisory lock: one worker per task |
//! | `tasks/<task>/task.log` | the local workers | the task's output |
//! | `results.json`, `report.html` | `triage sweep collect` | the comparison |

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use triage_data::output::write_atomic;
use triage_docs::sweep::SweepTasksDoc;

use crate::error::SweepError;
use crate::plan::{Plan, Task};

/// `done.json`: what a finished task records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Done {
    /// The task's index.
    pub index: u64,
    /// Its configuration.
    pub config: String,
    /// Its seed.
    pub seed: u64,
    /// Items predicted.
    pub items: u64,
    /// Seconds the task took (training and prediction, this attempt).
    pub seconds: f64,
    /// The machine it ran on.
    pub host: String,
}

/// Where a task's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPaths {
    /// The task's folder.
    pub dir: PathBuf,
    /// Its run directory.
    pub run: PathBuf,
    /// Its predictions folder.
    pub predictions: PathBuf,
    /// `predictions/predictions.csv`.
    pub predictions_csv: PathBuf,
    /// `done.json`.
    pub done: PathBuf,
    /// `lock`.
    pub lock: PathBuf,
    /// `task.log`.
    pub log: PathBuf,
}

/// The paths of `task` under the output folder `out`.
pub fn task_paths(out: &Path, task: &Task) -> TaskPaths {
    let dir = out.join(&task.dir);
    TaskPaths {
        run: dir.join("run"),
        predictions: dir.join("predictions"),
        predictions_csv: dir.join("predictions").join("predictions.csv"),
        done: dir.join("done.json"),
        lock: dir.join("lock"),
        log: dir.join("task.log"),
        dir,
    }
}

/// The finished-task record of `task`, if it finished.
///
/// # Errors
/// A `done.json` that cannot be read or is not one.
pub fn read_done(out: &Path, task: &Task) -> Result<Option<Done>, SweepError> {
    let path = task_paths(out, task).done;
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            SweepError::Conflict(format!(
                "{}: not a task record ({e}); delete it to rerun task {}",
                path.display(),
                task.index
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(SweepError::Io { path, source }),
    }
}

/// Record that `task` finished (atomically: a killed writer leaves none).
///
/// # Errors
/// The file cannot be written.
pub fn write_done(out: &Path, task: &Task, done: &Done) -> Result<(), SweepError> {
    let path = task_paths(out, task).done;
    let bytes = serde_json::to_vec_pretty(done).unwrap_or_default();
    write_atomic(&path, &bytes).map_err(|source| SweepError::Io { path, source })
}

/// Prepare the output folder for `plan`: create it, write `tasks.json` and
/// the model specs, or check that the `tasks.json` already there is this
/// plan's (a resumed sweep); another plan's is refused naming the first
/// task that differs.
///
/// # Errors
/// [`SweepError::Conflict`] for another plan's folder, I/O errors.
pub fn prepare(plan: &Plan) -> Result<(), SweepError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SweepError::Io { path, source }
    };
    std::fs::create_dir_all(&plan.out).map_err(io(&plan.out))?;
    let file = plan.out.join("tasks.json");
    let doc = plan.tasks_doc();
    match std::fs::read_to_string(&file) {
        Ok(text) => {
            let old: SweepTasksDoc = triage_docs::read_str(&text).map_err(|e| {
                SweepError::Conflict(format!(
                    "{}: {e}; use another output folder (--out)",
                    file.display()
                ))
            })?;
            check_same_tasks(&old, &doc, &plan.out)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
            write_atomic(&file, &bytes).map_err(io(&file))?;
        }
        Err(e) => return Err(io(&file)(e)),
    }
    write_specs(plan)
}

/// Write the model specs the plan gives as tables, where missing.
///
/// # Errors
/// I/O errors.
pub fn write_specs(plan: &Plan) -> Result<(), SweepError> {
    for config in &plan.configs {
        if let (Some(spec), Some(rel)) = (&config.spec, config.spec_file()) {
            let path = plan.out.join(rel);
            if path.is_file() {
                continue;
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| SweepError::Io {
                    path: parent.to_path_buf(),
                    source,
                })?;
            }
            let bytes = serde_json::to_vec_pretty(spec).unwrap_or_default();
            write_atomic(&path, &bytes).map_err(|source| SweepError::Io { path, source })?;
        }
    }
    Ok(())
}

fn check_same_tasks(
    old: &SweepTasksDoc,
    new: &SweepTasksDoc,
    out: &Path,
) -> Result<(), SweepError> {
    let conflict = |what: String| {
        SweepError::Conflict(format!(
            "{} holds the tasks of another plan ({what}); use another output folder (--out), or delete it to start over",
            out.display()
        ))
    };
    if old.name != new.name {
        return Err(conflict(format!("plan {:?}, not {:?}", old.name, new.name)));
    }
    if old.design != new.design {
        return Err(conflict("another design".into()));
    }
    if old.data != new.data {
        return Err(conflict(format!("data {}, not {}", old.data, new.data)));
    }
    if old.tasks.len() != new.tasks.len() {
        return Err(conflict(format!(
            "{} tasks, not {}",
            old.tasks.len(),
            new.tasks.len()
        )));
    }
    for (a, b) in old.tasks.iter().zip(&new.tasks) {
        if a != b {
            return Err(conflict(format!(
                "task {} was {} seed {} with {:?}, now {} seed {} with {:?}",
                a.index, a.config, a.seed, a.args, b.config, b.seed, b.args
            )));
        }
    }
    Ok(())
}

/// An exclusive advisory lock on a task (released when dropped or when
/// the process dies).
#[derive(Debug)]
pub struct TaskLock {
    _file: File,
}

/// Take the lock of `task`; `Ok(None)` when another worker holds it.
///
/// # Errors
/// The lock file cannot be created.
pub fn lock_task(out: &Path, task: &Task) -> Result<Option<TaskLock>, SweepError> {
    let paths = task_paths(out, task);
    std::fs::create_dir_all(&paths.dir).map_err(|source| SweepError::Io {
        path: paths.dir.clone(),
        source,
    })?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&paths.lock)
        .map_err(|source| SweepError::Io {
            path: paths.lock.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(Some(TaskLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(source)) => Err(SweepError::Io {
            path: paths.lock,
            source,
        }),
    }
}

/// How far a sweep is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// Finished tasks.
    pub done: Vec<usize>,
    /// Tasks with a run directory but no `done.json` (running, or
    /// interrupted: they resume from their checkpoint).
    pub started: Vec<usize>,
    /// Tasks not begun.
    pub pending: Vec<usize>,
}

/// The status of every task of `plan`.
///
/// # Errors
/// A `done.json` that is not one.
pub fn status(plan: &Plan) -> Result<Status, SweepError> {
    let mut s = Status::default();
    for task in plan.tasks() {
        if read_done(&plan.out, &task)?.is_some() {
            s.done.push(task.index);
        } else if task_paths(&plan.out, &task).run.exists() {
            s.started.push(task.index);
        } else {
            s.pending.push(task.index);
        }
    }
    Ok(s)
}
