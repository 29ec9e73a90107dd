//! `triage sweep collect`: every finished task's predictions read, its
//! metrics computed, and the configurations compared
//! ([`triage_stats::compare::configs`]) into the `triage-sweep` document.
//!
//! Which configurations are compared: each with the plan's `baseline`, or
//! every pair without one. Design `seeds`: Welch's t on accuracy and log
//! loss over the runs (at least two a side). Design `5x2cv`: the 5×2cv t
//! and combined F on accuracy (all ten runs a side). Holm's correction
//! runs within each metric and test.

use std::collections::HashMap;

use triage_data::{read_predictions, ReadOptions};
use triage_docs::sweep::{
    Design, SweepComparisonDoc, SweepConfigDoc, SweepDoc, SweepRunDoc, SWEEP_FORMAT, SWEEP_VERSION,
};
use triage_stats::compare::configs::{
    finish, five_by_two_comparisons, summarize, welch_comparison,
};
use triage_stats::compare::paired::{point_metrics, METRICS};

use crate::error::SweepError;
use crate::layout::{read_done, task_paths};
use crate::plan::Plan;

/// The items a task predicted, to check that runs that are compared saw
/// the same ones.
struct Seen {
    task: usize,
    file: String,
    ids: Vec<String>,
    labels: Vec<usize>,
}

/// Collect the finished tasks of `plan` into its results.
///
/// # Errors
/// Unreadable predictions of a finished task; runs that should have
/// predicted the same items but did not (both files named).
pub fn collect(plan: &Plan) -> Result<SweepDoc, SweepError> {
    let tasks = plan.tasks();
    let mut runs: Vec<Vec<SweepRunDoc>> = vec![Vec::new(); plan.configs.len()];
    // Reference items: design seeds one set; 5×2cv one per (replication, half).
    let mut reference: HashMap<(u64, u64), Seen> = HashMap::new();
    let mut classes: Option<(Vec<String>, String)> = None;
    let mut done = 0u64;
    let mut missing = Vec::new();
    for task in &tasks {
        if read_done(&plan.out, task)?.is_none() {
            missing.push(task.index);
            continue;
        }
        done += 1;
        let paths = task_paths(&plan.out, task);
        let file = paths.predictions_csv.display().to_string();
        let pred = read_predictions(&paths.predictions_csv, &ReadOptions::default()).map_err(
            |e| {
                SweepError::Results(format!(
                    "task {} finished but its predictions cannot be read: {e}; delete {} to rerun it",
                    task.index,
                    paths.done.display()
                ))
            },
        )?;
        match &classes {
            Some((c, first)) if c != &pred.classes => {
                return Err(SweepError::Results(format!(
                    "{file} has classes {:?}, {first} has {c:?}: the runs of one sweep must share their classes",
                    pred.classes
                )))
            }
            Some(_) => {}
            None => classes = Some((pred.classes.clone(), file.clone())),
        }
        let key = task.cv.unwrap_or((0, 0));
        match reference.get(&key) {
            Some(seen) => {
                if seen.ids != pred.ids || seen.labels != pred.labels {
                    let differ = seen
                        .ids
                        .iter()
                        .zip(&pred.ids)
                        .position(|(a, b)| a != b)
                        .map_or_else(
                            || format!("{} items against {}", pred.ids.len(), seen.ids.len()),
                            |r| {
                                format!(
                                    "row {}: id {:?} against {:?}",
                                    r + 1,
                                    pred.ids[r],
                                    seen.ids[r]
                                )
                            },
                        );
                    return Err(SweepError::Results(format!(
                        "task {} predicted other items than task {} ({differ}): {file} and {} must cover the same items with the same labels; delete the task's done.json to rerun it",
                        task.index, seen.task, seen.file
                    )));
                }
            }
            None => {
                reference.insert(
                    key,
                    Seen {
                        task: task.index,
                        file: file.clone(),
                        ids: pred.ids.clone(),
                        labels: pred.labels.clone(),
                    },
                );
            }
        }
        let m = point_metrics(&pred.labels, &pred.proba)
            .map_err(|e| SweepError::Results(format!("{file}: {e}")))?;
        runs[task.config].push(SweepRunDoc {
            task: task.index as u64,
            seed: task.seed,
            replication: task.cv.map(|c| c.0),
            fold: task.cv.map(|c| c.1),
            dir: task.dir.clone(),
            items: pred.ids.len() as u64,
            accuracy: m[0],
            log_loss: m[1],
            brier: m[2],
            macro_auc: m[3].is_finite().then_some(m[3]),
            ece: m[4],
        });
    }

    let mut notes = Vec::new();
    if !missing.is_empty() {
        notes.push(format!(
            "{} of {} tasks have not finished ({}); the figures use the {done} that have",
            missing.len(),
            tasks.len(),
            list(&missing)
        ));
    }
    let configs: Vec<SweepConfigDoc> = plan
        .configs
        .iter()
        .zip(&runs)
        .map(|(config, runs)| SweepConfigDoc {
            name: config.name.clone(),
            settings: {
                let mut s = config.args.clone();
                if let Some(spec) = &config.spec {
                    s.extend([
                        "--model".into(),
                        serde_json::to_string(spec).unwrap_or_default(),
                    ]);
                }
                s
            },
            tasks: tasks
                .iter()
                .filter(|t| plan.configs[t.config].name == config.name)
                .count() as u64,
            metrics: METRICS
                .iter()
                .map(|&m| {
                    summarize(
                        m,
                        &runs.iter().map(|r| value(r, m)).collect::<Vec<_>>(),
                        plan.alpha,
                    )
                })
                .collect(),
            runs: runs.clone(),
        })
        .collect();

    let pairs: Vec<(usize, usize)> = match &plan.baseline {
        Some(b) => {
            let base = plan.configs.iter().position(|c| &c.name == b).unwrap_or(0);
            (0..plan.configs.len())
                .filter(|&c| c != base)
                .map(|c| (c, base))
                .collect()
        }
        None => (0..plan.configs.len())
            .flat_map(|i| (i + 1..plan.configs.len()).map(move |j| (i, j)))
            .collect(),
    };
    let mut comparisons: Vec<SweepComparisonDoc> = Vec::new();
    let mut skipped = Vec::new();
    for &(i, j) in &pairs {
        let names = (plan.configs[i].name.as_str(), plan.configs[j].name.as_str());
        match plan.design {
            Design::Seeds => {
                for metric in ["accuracy", "log_loss"] {
                    let a: Vec<f64> = runs[i].iter().map(|r| value(r, metric)).collect();
                    let b: Vec<f64> = runs[j].iter().map(|r| value(r, metric)).collect();
                    match welch_comparison(names, metric, &a, &b, plan.alpha) {
                        Ok(c) => comparisons.push(c),
                        Err(_) if metric == "accuracy" => {
                            skipped.push(format!("{} vs {}", names.0, names.1));
                        }
                        Err(_) => {}
                    }
                }
            }
            Design::FiveByTwo => match (grid(&runs[i]), grid(&runs[j])) {
                (Some(a), Some(b)) => {
                    comparisons.extend(five_by_two_comparisons(names, &a, &b));
                }
                _ => skipped.push(format!("{} vs {}", names.0, names.1)),
            },
        }
    }
    if !skipped.is_empty() {
        notes.push(format!(
            "not compared yet ({}): {}",
            match plan.design {
                Design::Seeds => "Welch's test needs at least two finished runs a side",
                Design::FiveByTwo => "the 5×2cv tests need all ten runs a side",
            },
            skipped.join("; ")
        ));
    }
    let runs_each = plan.seeds.len();
    finish(&mut comparisons, plan.alpha, runs_each);
    match plan.design {
        Design::Seeds => notes.push(format!(
            "each configuration was trained once per seed ({}); Welch's t-test compares the means over seeds, so it counts the spread from initialisation, data order, augmentation and dropout, not the sampling of the evaluation items (every run predicted the same ones)",
            plan.seeds.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
        )),
        Design::FiveByTwo => notes.push(
            "5×2cv: five replications of a stratified half/half split of the training items, shared by every configuration; the combined F test (Alpaydın 1999) holds its level better than the 5×2cv t (Dietterich 1998), whose statistic uses only the first fold's difference".into(),
        ),
    }
    let n_items = reference.values().map(|s| s.ids.len()).max().unwrap_or(0);
    let evaluated_on = match plan.design {
        Design::Seeds => format!(
            "the `{}` split of {} ({n_items} items)",
            plan.evaluate,
            plan.data.display()
        ),
        Design::FiveByTwo => format!(
            "the held-out half of each replication of {} (up to {n_items} items)",
            plan.data.display()
        ),
    };
    Ok(SweepDoc {
        format: SWEEP_FORMAT.into(),
        version: SWEEP_VERSION,
        name: plan.name.clone(),
        plan: plan.path.display().to_string(),
        design: plan.design,
        evaluated_on,
        alpha: plan.alpha,
        baseline: plan.baseline.clone(),
        tasks_total: tasks.len() as u64,
        tasks_done: done,
        configs,
        comparisons,
        notes,
    })
}

/// One metric of a run (NaN for an undefined AUC).
fn value(r: &SweepRunDoc, metric: &str) -> f64 {
    match metric {
        "accuracy" => r.accuracy,
        "log_loss" => r.log_loss,
        "brier" => r.brier,
        "macro_auc" => r.macro_auc.unwrap_or(f64::NAN),
        _ => r.ece,
    }
}

/// The accuracies of a configuration's ten 5×2cv runs, if all finished.
fn grid(runs: &[SweepRunDoc]) -> Option<[[f64; 2]; 5]> {
    let mut g = [[f64::NAN; 2]; 5];
    for r in runs {
        let (i, j) = (r.replication? as usize, r.fold? as usize);
        if i < 5 && j < 2 {
            g[i][j] = r.accuracy;
        }
    }
    g.iter().flatten().all(|v| v.is_finite()).then_some(g)
}

/// `0, 3, 5–7`.
fn list(indices: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}–{}", indices[i], indices[j])
        } else if j == i + 1 {
            format!("{}, {}", indices[i], indices[j])
        } else {
            indices[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}
