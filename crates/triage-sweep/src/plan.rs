//! A sweep plan (TOML) read, checked and expanded into configurations and
//! tasks.
//!
//! ```toml
//! [sweep]
//! name = "dropout"            # names the results and the cluster job
//! data = "data"               # any dataset triage reads, relative to the plan
//! out = "runs"                # the sweep's output folder (default <plan>-runs)
//! seeds = [0, 1, 2]           # one run per seed and configuration
//! design = "seeds"            # or "5x2cv": Dietterich's 5×2 cross-validation
//! evaluate = "test"           # the split every run predicts (design "seeds")
//! baseline = "plain"          # compare every configuration with this one
//! alpha = 0.05
//! threads = 1                 # threads per run (local workers: cores ÷ threads)
//!
//! [train]                     # `triage train` options shared by every configuration
//! epochs = 10
//! max-train = 2000
//!
//! [[config]]
//! name = "plain"
//! model = { preset = "vgg-like", block_dropout = 0.0 }
//!
//! [[config]]
//! name = "dropout"
//! extends = "plain"           # its options, then these
//! model = { block_dropout = 0.2 }
//!
//! [grid]                      # optional: every combination, for every config
//! optimizer = ["adamw", "nesterov"]
//! ```
//!
//! The options are `triage train`'s long flags (`batch-size` or
//! `batch_size`): a string or number is the flag's value, `true` the bare
//! flag, `false` leaves it out. `model` is a preset, a spec file (relative
//! to the plan) or a table of [`ModelSpec`] fields, starting from the
//! preset named by its `preset` key. The sweep sets the data, the seed and
//! the output of every run itself; a plan that sets them, or a key no
//! `triage train` flag has, is refused naming the key and where it is.

use std::path::{Path, PathBuf};

use toml::{Table, Value};
use triage_docs::model_spec::ModelSpec;
use triage_docs::sweep::{
    Design, SweepTaskDoc, SweepTasksDoc, SWEEP_TASKS_FORMAT, SWEEP_TASKS_VERSION,
};

use crate::error::SweepError;

/// Replications × halves of 5×2 cross-validation.
pub const FIVE_BY_TWO: [(u64, u64); 10] = [
    (0, 0),
    (0, 1),
    (1, 0),
    (1, 1),
    (2, 0),
    (2, 1),
    (3, 0),
    (3, 1),
    (4, 0),
    (4, 1),
];

/// Most tasks a plan may expand into (a grid's combinations multiply).
pub const MAX_TASKS: usize = 100_000;

/// Default significance level.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// `triage train` options the sweep sets for every task, never the plan.
const OWNED_BY_THE_SWEEP: [(&str, &str); 7] = [
    ("data", "set [sweep] data"),
    (
        "out",
        "the sweep gives every task its own folder; set [sweep] out",
    ),
    ("seed", "set [sweep] seeds"),
    ("resume", "the sweep resumes interrupted tasks itself"),
    ("force", "the sweep decides which tasks to rerun"),
    ("folds", "set [sweep] design = \"5x2cv\""),
    ("no-progress", "tasks never draw progress bars"),
];

/// What the caller (the CLI, which knows `triage train`) tells the plan
/// reader.
pub struct PlanRules<'a> {
    /// The long options of `triage train` (without `--`).
    pub train_options: &'a [String],
    /// The model presets: the spec of a name, if it is one.
    pub preset: &'a dyn Fn(&str) -> Option<ModelSpec>,
}

/// One configuration: its name and its `triage train` options.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Its name (unique in the plan).
    pub name: String,
    /// The options, as `--flag value` words (paths absolute).
    pub args: Vec<String>,
    /// The model spec written for it, when the plan gives `model` as a
    /// table: the task's `--model` is `specs/<slug>.json` in the output
    /// folder.
    pub spec: Option<ModelSpec>,
    /// A name that can be a folder's.
    pub slug: String,
}

impl Config {
    /// The spec file of a table-given model, relative to the output folder.
    pub fn spec_file(&self) -> Option<String> {
        self.spec
            .as_ref()
            .map(|_| format!("specs/{}.json", self.slug))
    }
}

/// Cluster settings of `--emit slurm` (`[slurm]`).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SlurmOptions {
    /// `#SBATCH --partition`.
    pub partition: Option<String>,
    /// `#SBATCH --time` (e.g. `02:00:00`).
    pub time: Option<String>,
    /// `#SBATCH --mem` (e.g. `8G`).
    pub mem: Option<String>,
    /// At most this many tasks at once (`--array=…%N`).
    pub max_parallel: Option<u32>,
    /// Further `#SBATCH` lines, verbatim (e.g. `--gres=gpu:1`).
    #[serde(default)]
    pub extra: Vec<String>,
}

/// Cluster settings of `--emit k8s` (`[k8s]`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct K8sOptions {
    /// The container image holding the `triage` binary.
    #[serde(default = "default_image")]
    pub image: String,
    /// The PersistentVolumeClaim that holds the data, the plan and the
    /// output folder.
    #[serde(default = "default_claim")]
    pub claim: String,
    /// Where the claim is mounted in the container: the plan, data and
    /// output paths must lie under it, at the same paths as here.
    pub mount: Option<String>,
    /// Pods at once.
    pub parallelism: Option<u32>,
    /// Memory each pod requests (e.g. `4Gi`).
    #[serde(default = "default_memory")]
    pub memory: String,
    /// The namespace.
    pub namespace: Option<String>,
}

fn default_image() -> String {
    "triage:latest".into()
}
fn default_claim() -> String {
    "triage-shared".into()
}
fn default_memory() -> String {
    "4Gi".into()
}

impl Default for K8sOptions {
    fn default() -> Self {
        Self {
            image: default_image(),
            claim: default_claim(),
            mount: None,
            parallelism: None,
            memory: default_memory(),
            namespace: None,
        }
    }
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The plan file as given.
    pub path: PathBuf,
    /// Its name.
    pub name: String,
    /// The data (resolved against the plan's folder).
    pub data: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Seeds or 5×2cv.
    pub design: Design,
    /// The split predicted by design `seeds`.
    pub evaluate: String,
    /// Seeds (5×2cv: one, the first replication's; replication r uses
    /// seed + r).
    pub seeds: Vec<u64>,
    /// The configuration compared with every other (else every pair).
    pub baseline: Option<String>,
    /// Significance level.
    pub alpha: f64,
    /// Threads per run.
    pub threads: usize,
    /// The configurations, in order.
    pub configs: Vec<Config>,
    /// `[slurm]`.
    pub slurm: SlurmOptions,
    /// `[k8s]`.
    pub k8s: K8sOptions,
}

/// One run of the sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// Index (0-based, the job-array index).
    pub index: usize,
    /// Index of its configuration in [`Plan::configs`].
    pub config: usize,
    /// Its seed.
    pub seed: u64,
    /// 5×2cv: replication and half trained on.
    pub cv: Option<(u64, u64)>,
    /// Its folder, relative to the output folder.
    pub dir: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepSection {
    name: String,
    data: String,
    out: Option<String>,
    #[serde(default)]
    seeds: Option<Vec<u64>>,
    design: Option<String>,
    evaluate: Option<String>,
    baseline: Option<String>,
    alpha: Option<f64>,
    threads: Option<usize>,
}

impl Plan {
    /// Read and check the plan at `path`; `out` overrides `[sweep] out`.
    ///
    /// # Errors
    /// [`SweepError::ReadPlan`], and [`SweepError::Plan`] for invalid TOML,
    /// an unknown or sweep-owned key, a bad value, duplicate or unknown
    /// configuration names.
    pub fn load(path: &Path, out: Option<&Path>, rules: &PlanRules) -> Result<Self, SweepError> {
        let text = std::fs::read_to_string(path).map_err(|source| SweepError::ReadPlan {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path, out, rules)
    }

    /// [`Plan::load`] on text already read from `path`.
    ///
    /// # Errors
    /// As [`Plan::load`].
    pub fn parse(
        text: &str,
        path: &Path,
        out: Option<&Path>,
        rules: &PlanRules,
    ) -> Result<Self, SweepError> {
        let bad = |message: String| SweepError::Plan {
            path: path.to_path_buf(),
            message,
        };
        let mut table: Table = text
            .parse()
            .map_err(|e: toml::de::Error| bad(format!("not a valid plan: {e}")))?;
        for key in table.keys() {
            if !["sweep", "train", "config", "grid", "slurm", "k8s"].contains(&key.as_str()) {
                return Err(bad(format!(
                    "unknown section [{key}]; a plan has [sweep], [train], [[config]], [grid], [slurm] and [k8s]"
                )));
            }
        }
        let sweep: SweepSection = table
            .remove("sweep")
            .ok_or_else(|| bad("no [sweep] section (name and data at least)".into()))?
            .try_into()
            .map_err(|e: toml::de::Error| bad(format!("[sweep]: {}", e.message())))?;
        let slurm: SlurmOptions = match table.remove("slurm") {
            Some(v) => v
                .try_into()
                .map_err(|e: toml::de::Error| bad(format!("[slurm]: {}", e.message())))?,
            None => SlurmOptions::default(),
        };
        let k8s: K8sOptions = match table.remove("k8s") {
            Some(v) => v
                .try_into()
                .map_err(|e: toml::de::Error| bad(format!("[k8s]: {}", e.message())))?,
            None => K8sOptions::default(),
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !valid_name(&sweep.name) {
            return Err(bad(format!(
                "[sweep] name {:?}: use letters, digits, `.`, `_` and `-` (it names folders and jobs)",
                sweep.name
            )));
        }
        let design = match sweep.design.as_deref() {
            None | Some("seeds") => Design::Seeds,
            Some("5x2cv") => Design::FiveByTwo,
            Some(other) => {
                return Err(bad(format!(
                    "[sweep] design {other:?}: expected \"seeds\" or \"5x2cv\""
                )))
            }
        };
        let seeds = sweep.seeds.unwrap_or_else(|| vec![0]);
        if seeds.is_empty() {
            return Err(bad("[sweep] seeds is empty; give at least one".into()));
        }
        let mut sorted = seeds.clone();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.len() != seeds.len() {
            return Err(bad(format!("[sweep] seeds {seeds:?} repeats a seed")));
        }
        if design == Design::FiveByTwo && seeds.len() != 1 {
            return Err(bad(format!(
                "[sweep] design \"5x2cv\" takes one seed (replication r uses seed + r), got {seeds:?}"
            )));
        }
        let alpha = sweep.alpha.unwrap_or(DEFAULT_ALPHA);
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(bad(format!("[sweep] alpha {alpha} is not in (0, 1)")));
        }
        let threads = sweep.threads.unwrap_or(1);
        if threads == 0 {
            return Err(bad("[sweep] threads must be at least 1".into()));
        }
        let evaluate = sweep.evaluate.unwrap_or_else(|| "test".into());
        if !["train", "val", "test"].contains(&evaluate.as_str()) {
            return Err(bad(format!(
                "[sweep] evaluate {evaluate:?}: expected \"test\", \"val\" or \"train\""
            )));
        }
        let out = match out {
            Some(o) => std::path::absolute(o).unwrap_or_else(|_| o.to_path_buf()),
            None => match &sweep.out {
                Some(o) => dir.join(o),
                None => {
                    let stem = path
                        .file_stem()
                        .map_or("sweep".into(), |s| s.to_string_lossy());
                    dir.join(format!("{stem}-runs"))
                }
            },
        };

        let shared = match table.remove("train") {
            None => Table::new(),
            Some(Value::Table(t)) => t,
            Some(_) => return Err(bad("[train] must be a table of options".into())),
        };
        let shared = normalize(shared, "[train]", rules, &bad)?;
        let mut bases: Vec<(String, Table)> = Vec::new();
        match table.remove("config") {
            None => {}
            Some(Value::Array(entries)) => {
                for (i, entry) in entries.into_iter().enumerate() {
                    let Value::Table(mut t) = entry else {
                        return Err(bad(format!("[[config]] {}: not a table", i + 1)));
                    };
                    let Some(Value::String(name)) = t.remove("name") else {
                        return Err(bad(format!(
                            "[[config]] {}: needs a name (name = \"…\")",
                            i + 1
                        )));
                    };
                    let at = format!("[[config]] {name:?}");
                    if !valid_name(&name) {
                        return Err(bad(format!(
                            "{at}: use letters, digits, `.`, `_` and `-` in names"
                        )));
                    }
                    if bases.iter().any(|(n, _)| n == &name) {
                        return Err(bad(format!("{at}: a second configuration of that name")));
                    }
                    let mut options = shared.clone();
                    if let Some(parent) = t.remove("extends") {
                        let Value::String(parent) = parent else {
                            return Err(bad(format!(
                                "{at}: extends must be a configuration's name"
                            )));
                        };
                        let Some((_, p)) = bases.iter().find(|(n, _)| n == &parent) else {
                            return Err(bad(format!(
                                "{at}: extends {parent:?}, which is not a configuration above it"
                            )));
                        };
                        options = p.clone();
                    }
                    let own = normalize(t, &at, rules, &bad)?;
                    overlay(&mut options, own);
                    bases.push((name, options));
                }
            }
            Some(_) => return Err(bad("[[config]] must be an array of tables".into())),
        }
        if bases.is_empty() {
            bases.push(("default".into(), shared.clone()));
        }
        let grid = match table.remove("grid") {
            None => Vec::new(),
            Some(Value::Table(t)) => {
                let mut axes = Vec::new();
                for (key, values) in normalize(t, "[grid]", rules, &bad)? {
                    let Value::Array(values) = values else {
                        return Err(bad(format!(
                            "[grid] {key}: expected a list of values, e.g. {key} = [a, b]"
                        )));
                    };
                    if values.is_empty() {
                        return Err(bad(format!("[grid] {key}: the list is empty")));
                    }
                    axes.push((key, values));
                }
                axes
            }
            Some(_) => return Err(bad("[grid] must be a table of lists".into())),
        };
        let per_config = match design {
            Design::Seeds => seeds.len(),
            Design::FiveByTwo => FIVE_BY_TWO.len(),
        };
        let total = grid
            .iter()
            .try_fold(bases.len().checked_mul(per_config), |acc, (_, v)| {
                Some(acc.and_then(|a| a.checked_mul(v.len())))
            })
            .flatten()
            .filter(|&n| n <= MAX_TASKS);
        if total.is_none() {
            return Err(bad(format!(
                "the plan expands into more than {MAX_TASKS} tasks (configurations × grid combinations × seeds); split it into several plans"
            )));
        }
        let single = bases.len() == 1 && bases[0].0 == "default";
        let mut named: Vec<(String, Table)> = Vec::new();
        for (name, options) in &bases {
            for point in product(&grid) {
                let mut options = options.clone();
                let mut label = if single && !grid.is_empty() {
                    String::new()
                } else {
                    name.clone()
                };
                for (key, value) in point {
                    if !label.is_empty() {
                        label.push(',');
                    }
                    label.push_str(&format!("{key}={}", show(&value)));
                    let mut one = Table::new();
                    one.insert(key, value);
                    overlay(&mut options, one);
                }
                named.push((label, options));
            }
        }
        let mut configs = Vec::with_capacity(named.len());
        for (i, (name, options)) in named.into_iter().enumerate() {
            let slug = format!("c{i}-{}", slug(&name));
            configs.push(to_config(name, slug, options, &dir, rules, &bad)?);
        }
        if let Some(b) = &sweep.baseline {
            if !configs.iter().any(|c| &c.name == b) {
                return Err(bad(format!(
                    "[sweep] baseline {b:?} is not a configuration ({})",
                    configs
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        Ok(Plan {
            path: path.to_path_buf(),
            name: sweep.name,
            data: dir.join(&sweep.data),
            out,
            design,
            evaluate,
            seeds,
            baseline: sweep.baseline,
            alpha,
            threads,
            configs,
            slurm,
            k8s,
        })
    }

    /// Every task, in index order: configurations in order, then seeds
    /// (or replications and halves).
    pub fn tasks(&self) -> Vec<Task> {
        let mut tasks = Vec::new();
        for (c, config) in self.configs.iter().enumerate() {
            match self.design {
                Design::Seeds => {
                    for &seed in &self.seeds {
                        let index = tasks.len();
                        tasks.push(Task {
                            index,
                            config: c,
                            seed,
                            cv: None,
                            dir: format!("tasks/{index:04}-{}-seed{seed}", config.slug),
                        });
                    }
                }
                Design::FiveByTwo => {
                    for (r, f) in FIVE_BY_TWO {
                        let index = tasks.len();
                        tasks.push(Task {
                            index,
                            config: c,
                            seed: self.seeds[0] + r,
                            cv: Some((r, f)),
                            dir: format!("tasks/{index:04}-{}-rep{r}-half{f}", config.slug),
                        });
                    }
                }
            }
        }
        tasks
    }

    /// The task list as `tasks.json` records it.
    pub fn tasks_doc(&self) -> SweepTasksDoc {
        SweepTasksDoc {
            format: SWEEP_TASKS_FORMAT.into(),
            version: SWEEP_TASKS_VERSION,
            name: self.name.clone(),
            data: self.data.display().to_string(),
            design: self.design,
            tasks: self
                .tasks()
                .into_iter()
                .map(|t| {
                    let config = &self.configs[t.config];
                    let mut args = config.args.clone();
                    if let Some(spec) = config.spec_file() {
                        args.extend(["--model".into(), spec]);
                    }
                    SweepTaskDoc {
                        index: t.index as u64,
                        config: config.name.clone(),
                        seed: t.seed,
                        replication: t.cv.map(|c| c.0),
                        fold: t.cv.map(|c| c.1),
                        dir: t.dir,
                        args,
                    }
                })
                .collect(),
        }
    }

    /// The configuration of a name.
    pub fn config(&self, name: &str) -> Option<&Config> {
        self.configs.iter().find(|c| c.name == name)
    }
}

/// Names of configurations and plans: they become folder and job names.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !name.starts_with('.')
}

/// A folder-safe form of a configuration name.
fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    s.trim_start_matches('.').to_owned()
}

/// Keys with `_` written as `-`, each checked against the options of
/// `triage train`.
fn normalize(
    table: Table,
    at: &str,
    rules: &PlanRules,
    bad: &dyn Fn(String) -> SweepError,
) -> Result<Table, SweepError> {
    let mut out = Table::new();
    for (key, value) in table {
        let k = key.replace('_', "-");
        if let Some((_, why)) = OWNED_BY_THE_SWEEP.iter().find(|(o, _)| *o == k) {
            return Err(bad(format!("{at}: `{key}` is set by the sweep ({why})")));
        }
        if !rules.train_options.iter().any(|o| o == &k) {
            let near: Vec<&str> = rules
                .train_options
                .iter()
                .filter(|o| o.contains(k.as_str()) || k.contains(o.as_str()))
                .map(String::as_str)
                .collect();
            return Err(bad(format!(
                "{at}: unknown key `{key}`: not an option of `triage train`{}",
                if near.is_empty() {
                    " (see `triage train --help`)".to_owned()
                } else {
                    format!(" (did you mean {}?)", near.join(", "))
                }
            )));
        }
        out.insert(k, value);
    }
    Ok(out)
}

/// `over`'s options replace `base`'s; two `model` tables merge key by key.
fn overlay(base: &mut Table, over: Table) {
    for (key, value) in over {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(old)), Value::Table(new)) if key == "model" => {
                for (k, v) in new {
                    old.insert(k, v);
                }
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Every combination of the grid's values (one empty point without axes).
fn product(axes: &[(String, Vec<Value>)]) -> Vec<Vec<(String, Value)>> {
    let mut points = vec![Vec::new()];
    for (key, values) in axes {
        let mut next = Vec::with_capacity(points.len() * values.len());
        for p in &points {
            for v in values {
                let mut q = p.clone();
                q.push((key.clone(), v.clone()));
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// A value as a configuration name shows it.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Table(t) => t
            .iter()
            .map(|(k, v)| format!("{k}:{}", show(v)))
            .collect::<Vec<_>>()
            .join("+"),
        other => other.to_string(),
    }
}

/// A configuration's options as `triage train` words.
fn to_config(
    name: String,
    slug: String,
    options: Table,
    dir: &Path,
    rules: &PlanRules,
    bad: &dyn Fn(String) -> SweepError,
) -> Result<Config, SweepError> {
    let at = format!("configuration {name:?}");
    let mut args = Vec::new();
    let mut spec = None;
    for (key, value) in options {
        let flag = format!("--{key}");
        match value {
            Value::String(s) if key == "model" => {
                if (rules.preset)(&s).is_some() {
                    args.extend([flag, s]);
                } else {
                    let file = dir.join(&s);
                    if !file.is_file() {
                        return Err(bad(format!(
                            "{at}: model {s:?} is neither a preset nor a spec file (looked for {})",
                            file.display()
                        )));
                    }
                    args.extend([flag, file.display().to_string()]);
                }
            }
            Value::Table(t) if key == "model" => {
                spec = Some(model_table(t, rules).map_err(|e| bad(format!("{at}: model: {e}")))?);
            }
            Value::String(s) => args.extend([flag, s]),
            Value::Integer(i) => args.extend([flag, i.to_string()]),
            Value::Float(f) => args.extend([flag, f.to_string()]),
            Value::Boolean(true) => args.push(flag),
            Value::Boolean(false) => {}
            other => {
                return Err(bad(format!(
                    "{at}: `{key}` = {other}: expected a string, a number or true/false{}",
                    if matches!(other, Value::Array(_)) {
                        " (lists of values go in [grid])"
                    } else {
                        ""
                    }
                )))
            }
        }
    }
    Ok(Config {
        name,
        args,
        spec,
        slug,
    })
}

/// A model given as a table: the preset named by `preset` (if any), its
/// fields replaced by the table's, checked.
fn model_table(mut t: Table, rules: &PlanRules) -> Result<ModelSpec, String> {
    let mut base = match t.remove("preset") {
        Some(Value::String(p)) => match (rules.preset)(&p) {
            Some(spec) => serde_json::to_value(spec).map_err(|e| e.to_string())?,
            None => return Err(format!("unknown preset {p:?}")),
        },
        Some(other) => return Err(format!("preset = {other}: expected a preset's name")),
        None => serde_json::Value::Object(serde_json::Map::new()),
    };
    let over = serde_json::to_value(&t).map_err(|e| e.to_string())?;
    if let (Some(b), Some(o)) = (base.as_object_mut(), over.as_object()) {
        for (k, v) in o {
            b.insert(k.clone(), v.clone());
        }
    }
    let spec: ModelSpec = serde_json::from_value(base).map_err(|e| {
        format!("{e} (a table of model spec fields: preset, kind, widths, blocks, norm, dropout, block_dropout, halve_after_pool, …)")
    })?;
    spec.validate().map_err(|e| e.to_string())?;
    Ok(spec)
}
