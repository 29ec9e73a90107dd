//! `triage sweep PLAN.toml`: every task of an ablation plan trained and
//! evaluated by local worker processes (or written out as a Slurm job
//! array / Kubernetes Indexed Job), then collected into one comparison;
//! `triage sweep run-task` is one task, as every worker and array element
//! runs it; `collect` and `status` read the shared output folder
//! ([`triage_sweep::layout`]).

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser};
use triage_data::dataset::{open_dataset, OpenOptions, Split};
use triage_data::escape::terminal_safe as safe;
use triage_data::output::write_atomic;
use triage_data::output_folder::{OutputFolder, Previous};
use triage_docs::sweep::{Design, SweepDoc};
use triage_nn::pipeline::predict_run::{predict_run, PredictPlan};
use triage_nn::pipeline::train_run::TrainDone;
use triage_report::inputs::NamedSweep;
use triage_report::{build_report, render_html, ReportInputs, ReportOptions};
use triage_sweep::layout::{self, lock_task, read_done, task_paths, write_done, Done};
use triage_sweep::{Plan, PlanRules, Task};

use crate::commands::progress::{bar, Bars};
use crate::sweep_args::{
    CollectArgs, Emit, PlanArgs, RunTaskArgs, SweepArgs, SweepCommand, SweepRunArgs,
};
use crate::train_args::TrainArgs;

/// Run `triage sweep`.
///
/// # Errors
/// A bad plan, a task the trainer would reject, a task that failed,
/// unreadable results.
pub fn run(args: &SweepArgs) -> Result<ExitCode> {
    match &args.command {
        Some(SweepCommand::RunTask(a)) => run_task(a),
        Some(SweepCommand::Collect(a)) => collect(a),
        Some(SweepCommand::Status(a)) => status(a),
        None => run_local(&args.run),
    }
}

/// `triage train`'s arguments alone, to parse a task's options.
#[derive(Debug, Parser)]
#[command(name = "triage train", no_binary_name = false)]
struct TrainOnly {
    #[command(flatten)]
    args: TrainArgs,
}

/// The long options of `triage train`.
fn train_options() -> Vec<String> {
    TrainOnly::command()
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_owned))
        .collect()
}

/// Read and check a plan.
fn load(plan: &Path, out: Option<&Path>) -> Result<Plan> {
    let options = train_options();
    let preset = |name: &str| triage_nn::zoo::preset(name);
    let rules = PlanRules {
        train_options: &options,
        preset: &preset,
    };
    Ok(Plan::load(plan, out, &rules)?)
}

/// Where a task is, for messages.
fn describe(plan: &Plan, task: &Task) -> String {
    let mut s = format!(
        "task {} (configuration {:?}, seed {}",
        task.index, plan.configs[task.config].name, task.seed
    );
    if let Some((r, f)) = task.cv {
        s.push_str(&format!(", replication {r}, half {f}"));
    }
    s.push(')');
    s
}

/// The `triage train` arguments of a task (`spec_path`: with `--model`
/// naming the spec file of a table-given model, which exists only once the
/// output folder is prepared).
fn task_train_args(plan: &Plan, task: &Task, spec_path: bool) -> Result<TrainArgs> {
    let config = &plan.configs[task.config];
    let paths = task_paths(&plan.out, task);
    let mut words: Vec<String> = vec![
        "triage train".into(),
        plan.data.display().to_string(),
        "--seed".into(),
        task.seed.to_string(),
        "--out".into(),
        paths.run.display().to_string(),
        "--no-progress".into(),
    ];
    words.extend(config.args.iter().cloned());
    if let Some(spec) = config.spec_file().filter(|_| spec_path) {
        words.extend(["--model".into(), plan.out.join(spec).display().to_string()]);
    }
    match TrainOnly::try_parse_from(&words) {
        Ok(t) => Ok(t.args),
        Err(e) => {
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ")
                .to_owned();
            bail!(
                "{}: {}: `triage train` rejects its options {:?}: {first}",
                plan.path.display(),
                describe(plan, task),
                config.args
            )
        }
    }
}

/// Check every task as training would, before anything runs, and the data
/// against the design.
fn check_tasks(plan: &Plan) -> Result<()> {
    for task in plan.tasks() {
        let args = task_train_args(plan, &task, false)?;
        let mut train = args
            .plan()
            .with_context(|| format!("{}: {}", plan.path.display(), describe(plan, &task)))?;
        if let Some(spec) = &plan.configs[task.config].spec {
            train.model = triage_nn::run_dir::ModelRef {
                preset: None,
                spec: spec.clone(),
            };
        }
        train.check().with_context(|| {
            format!(
                "{}: {} would be rejected by the trainer",
                plan.path.display(),
                describe(plan, &task)
            )
        })?;
    }
    let dataset = open_dataset(&plan.data, &OpenOptions::default())
        .with_context(|| format!("{}: [sweep] data", plan.path.display()))?;
    match plan.design {
        Design::Seeds => {
            let split = match plan.evaluate.as_str() {
                "train" => Split::Train,
                "val" => Split::Val,
                _ => Split::Test,
            };
            let n = dataset
                .items
                .iter()
                .filter(|i| i.split == Some(split))
                .count();
            if n == 0 {
                bail!(
                    "{}: [sweep] evaluate = {:?}, but {} has no items in that split; give a dataset with a `{}` split (`triage split`), or use design = \"5x2cv\"",
                    plan.path.display(),
                    plan.evaluate,
                    plan.data.display(),
                    plan.evaluate
                );
            }
        }
        Design::FiveByTwo => {
            triage_sweep::cv::halves(&dataset, plan.seeds[0])
                .with_context(|| format!("{}: [sweep] data", plan.path.display()))?;
        }
    }
    Ok(())
}

/// Claim the output folder and write the task list and specs.
fn prepare(plan: &Plan) -> Result<()> {
    let folder = OutputFolder::claim(&plan.out, "sweep", Previous::Keep)?;
    layout::prepare(plan)?;
    folder.finish()?;
    Ok(())
}

/// `triage sweep PLAN`.
fn run_local(args: &SweepRunArgs) -> Result<ExitCode> {
    let Some(plan_path) = &args.plan else {
        bail!("give the plan: `triage sweep PLAN.toml` (see `triage sweep --help`)");
    };
    let plan = load(plan_path, args.out.as_deref())?;
    check_tasks(&plan)?;
    let tasks = plan.tasks();
    if args.dry_run {
        let mut out = crate::stdout::stdout();
        writeln!(
            out,
            "{}: {} configurations, {} tasks, into {}",
            plan.name,
            plan.configs.len(),
            tasks.len(),
            plan.out.display()
        )?;
        for t in &tasks {
            let c = &plan.configs[t.config];
            writeln!(
                out,
                "{:>4}  {}  seed {}{}  {}",
                t.index,
                safe(&c.name),
                t.seed,
                t.cv.map_or(String::new(), |(r, f)| format!(" rep {r} half {f}")),
                safe(&c.args.join(" "))
            )?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    prepare(&plan)?;
    let state = layout::status(&plan)?;
    let exe = std::env::current_exe().context("cannot find the triage binary to run tasks")?;
    match args.emit {
        Some(Emit::Slurm) => {
            let pending: Vec<usize> = state
                .started
                .iter()
                .chain(&state.pending)
                .copied()
                .collect();
            let mut pending = pending;
            pending.sort_unstable();
            if pending.is_empty() {
                eprintln!("triage: every task is done; run `triage sweep collect`");
                return Ok(ExitCode::SUCCESS);
            }
            let script = triage_sweep::emit::slurm_script(&plan, &exe, &pending);
            let path = plan.out.join("sweep.sbatch");
            std::fs::create_dir_all(plan.out.join("logs"))?;
            write_atomic(&path, script.as_bytes())
                .with_context(|| format!("failed to write `{}`", path.display()))?;
            println!("{}", path.display());
            eprintln!(
                "triage: {} pending task(s); submit with `sbatch {}` (add --wait to block), then `triage sweep collect {}`",
                pending.len(),
                path.display(),
                plan.path.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        Some(Emit::K8s) => {
            let manifest = triage_sweep::emit::k8s_manifest(&plan);
            let path = plan.out.join("sweep-job.yaml");
            write_atomic(&path, manifest.as_bytes())
                .with_context(|| format!("failed to write `{}`", path.display()))?;
            println!("{}", path.display());
            eprintln!(
                "triage: apply with `kubectl apply -f {}`; the image `{}` must hold triage and the claim `{}` the plan, data and output folder at the same paths; then `triage sweep collect {}`",
                path.display(),
                plan.k8s.image,
                plan.k8s.claim,
                plan.path.display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = args.workers.unwrap_or((cores / plan.threads).max(1)).max(1);
    let failures = run_workers(&plan, &exe, workers, !args.no_progress)?;
    let doc = write_results(&plan)?;
    if !failures.is_empty() {
        bail!(
            "{} of {} tasks failed; the results of the others are in {} — fix the cause and run `triage sweep {}` again (finished tasks are kept):\n{}",
            failures.len(),
            tasks.len(),
            plan.out.join("results.json").display(),
            plan.path.display(),
            failures.join("\n")
        );
    }
    finish_output(&doc, false, args.fail_on)
}

/// A running worker process.
struct Running {
    task: Task,
    child: Child,
}

/// Run every unfinished task in `workers` processes; the failures, each as
/// a line naming the task, its exit and its log.
fn run_workers(plan: &Plan, exe: &Path, workers: usize, show: bool) -> Result<Vec<String>> {
    let tasks = plan.tasks();
    let mut queue: std::collections::VecDeque<Task> = std::collections::VecDeque::new();
    let mut finished = 0u64;
    for t in &tasks {
        if read_done(&plan.out, t)?.is_some() {
            finished += 1;
        } else {
            queue.push_back(t.clone());
        }
    }
    eprintln!(
        "triage: sweep {}: {} tasks, {} done already, {} to run with {workers} worker(s) × {} thread(s); logs in {}/tasks/*/task.log",
        plan.name,
        tasks.len(),
        finished,
        queue.len(),
        plan.threads,
        plan.out.display()
    );
    let progress = bar(tasks.len() as u64, "tasks", show);
    progress.set_position(finished);
    let mut running: Vec<Running> = Vec::new();
    let mut busy: Vec<Task> = Vec::new();
    let mut failures = Vec::new();
    while !queue.is_empty() || !running.is_empty() || !busy.is_empty() {
        while running.len() < workers {
            let Some(task) = queue.pop_front() else { break };
            // Another worker (a second `triage sweep`, a cluster) holds it.
            if lock_task(&plan.out, &task)?.is_none() {
                busy.push(task);
                continue;
            }
            let paths = task_paths(&plan.out, &task);
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&paths.log)
                .with_context(|| format!("cannot open `{}`", paths.log.display()))?;
            let child = Command::new(exe)
                .args(["sweep", "run-task"])
                .arg(&plan.path)
                .arg("--out")
                .arg(&plan.out)
                .arg("--index")
                .arg(task.index.to_string())
                .env("RAYON_NUM_THREADS", plan.threads.to_string())
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                .spawn()
                .with_context(|| format!("cannot start `{}`", exe.display()))?;
            running.push(Running { task, child });
        }
        std::thread::sleep(Duration::from_millis(200));
        let mut still = Vec::with_capacity(running.len());
        for mut r in running {
            match r.child.try_wait()? {
                None => still.push(r),
                Some(code) => {
                    progress.inc(u64::from(code.success()));
                    if !code.success() {
                        let log = task_paths(&plan.out, &r.task).log;
                        let last = last_error(&log);
                        let line = format!(
                            "  {}: exit {}, log {}{}",
                            describe(plan, &r.task),
                            code.code().map_or("by signal".into(), |c| c.to_string()),
                            log.display(),
                            last.map_or(String::new(), |l| format!(": {l}"))
                        );
                        progress.suspend(|| eprintln!("triage: {}", line.trim_start()));
                        failures.push(line);
                    }
                }
            }
        }
        running = still;
        // Tasks another worker held: done now, or free to take.
        let mut waiting = Vec::new();
        for task in busy {
            if read_done(&plan.out, &task)?.is_some() {
                progress.inc(1);
            } else if lock_task(&plan.out, &task)?.is_some() {
                queue.push_back(task);
            } else {
                waiting.push(task);
            }
        }
        busy = waiting;
        if !busy.is_empty() && queue.is_empty() && running.is_empty() {
            std::thread::sleep(Duration::from_millis(800));
        }
        let names: Vec<String> = running.iter().map(|r| r.task.index.to_string()).collect();
        progress.set_message(names.join(","));
    }
    progress.finish_and_clear();
    Ok(failures)
}

/// The last line of a task's log that says `error`.
fn last_error(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines()
        .rev()
        .find(|l| l.contains("error"))
        .map(|l| safe(l.trim()).into_owned())
}

/// `triage sweep run-task PLAN --index I`.
fn run_task(args: &RunTaskArgs) -> Result<ExitCode> {
    let plan = load(&args.plan.plan, args.plan.out.as_deref())?;
    let index = match args.index {
        Some(i) => i,
        None => task_index_from_env()?,
    };
    let tasks = plan.tasks();
    let Some(task) = tasks.get(index).cloned() else {
        bail!(
            "--index {index}: the plan {} has {} tasks (0–{})",
            plan.path.display(),
            tasks.len(),
            tasks.len().saturating_sub(1)
        );
    };
    if let Some(done) = read_done(&plan.out, &task)? {
        eprintln!(
            "triage: {} is done already ({} items in {:.0} s on {})",
            describe(&plan, &task),
            done.items,
            done.seconds,
            done.host
        );
        return Ok(ExitCode::SUCCESS);
    }
    if plan.out.join("tasks.json").is_file() {
        layout::prepare(&plan)?;
    } else {
        // The first to touch the folder (`--emit` prepares it first).
        prepare(&plan)?;
    }
    let Some(_lock) = lock_task(&plan.out, &task)? else {
        bail!(
            "{} is running in another worker (its lock {} is held); nothing to do here",
            describe(&plan, &task),
            task_paths(&plan.out, &task).lock.display()
        );
    };
    let started = Instant::now();
    let paths = task_paths(&plan.out, &task);
    let train_args = task_train_args(&plan, &task, true)?;
    let mut train = train_args.plan()?;
    train.provenance.command = std::env::args().collect();
    if paths.run.join("run.json").is_file() {
        train.resume = true;
        eprintln!(
            "triage: {}: resuming from its last checkpoint",
            describe(&plan, &task)
        );
    } else if paths.run.exists() {
        // Killed before its first epoch was written.
        train.force = true;
    }
    let held = match task.cv {
        Some((_, f)) => {
            let dataset = open_dataset(&plan.data, &OpenOptions::default())?;
            let [a, b] = triage_sweep::cv::halves(&dataset, task.seed)?;
            let (_, predict) = if f == 0 { (a, b) } else { (b, a) };
            train.data.held_out.clone_from(&predict);
            Some(predict)
        }
        None => None,
    };
    eprintln!(
        "triage: {}: training into {}",
        describe(&plan, &task),
        paths.run.display()
    );
    let done: TrainDone = crate::commands::train::train_plan(&train, false)
        .with_context(|| describe(&plan, &task))?;
    let bars = Bars::new(false);
    let predicted = predict_run(
        &PredictPlan {
            run: done.dir.path.clone(),
            data: plan.data.clone(),
            out: paths.predictions.clone(),
            split: held.is_none().then(|| plan.evaluate.clone()),
            items: held.map(|items| {
                let (r, f) = task.cv.unwrap_or((0, 0));
                (
                    items,
                    format!("5×2cv replication {r}, half {} (held out)", 1 - f),
                )
            }),
            checkpoint: "best".into(),
            batch_size: 256,
            backend: train_args.model.device.backend(),
        },
        &bars,
    )
    .with_context(|| format!("{}: predicting", describe(&plan, &task)))?;
    write_done(
        &plan.out,
        &task,
        &Done {
            index: task.index as u64,
            config: plan.configs[task.config].name.clone(),
            seed: task.seed,
            items: predicted.n as u64,
            seconds: started.elapsed().as_secs_f64(),
            host: hostname(),
        },
    )?;
    println!("{}", paths.predictions_csv.display());
    eprintln!(
        "triage: {} done: {} items predicted in {:.0} s",
        describe(&plan, &task),
        predicted.n,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The array index of a cluster job: Slurm's, else Kubernetes'.
fn task_index_from_env() -> Result<usize> {
    for var in ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"] {
        if let Ok(v) = std::env::var(var) {
            return v
                .trim()
                .parse()
                .with_context(|| format!("${var} is {v:?}, not a task index"));
        }
    }
    bail!("give --index I (or run as a Slurm array task / Kubernetes Indexed Job, which set $SLURM_ARRAY_TASK_ID / $JOB_COMPLETION_INDEX)")
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// Collect the results and write `results.json` and `report.html`.
fn write_results(plan: &Plan) -> Result<SweepDoc> {
    let doc = triage_sweep::collect::collect(plan)?;
    let json = plan.out.join("results.json");
    write_atomic(&json, serde_json::to_string_pretty(&doc)?.as_bytes())
        .with_context(|| format!("failed to write `{}`", json.display()))?;
    let inputs = ReportInputs {
        sweeps: vec![NamedSweep {
            name: plan.name.clone(),
            path: json.clone(),
            doc: doc.clone(),
        }],
        ..ReportInputs::default()
    };
    let report = build_report(
        &inputs,
        &ReportOptions {
            title: Some(format!("triage sweep {}", plan.name)),
            ..ReportOptions::default()
        },
    )?;
    let html = plan.out.join("report.html");
    write_atomic(&html, render_html(&report).as_bytes())
        .with_context(|| format!("failed to write `{}`", html.display()))?;
    eprintln!("triage: {} and {}", json.display(), html.display());
    Ok(doc)
}

/// Print the results and apply `--fail-on`.
fn finish_output(
    doc: &SweepDoc,
    json: bool,
    fail_on: Option<crate::args::FailOn>,
) -> Result<ExitCode> {
    crate::stdout::print_document(doc, json, true, |out| {
        triage_report::terminal::write_sweep_summary(out, doc)
    })?;
    let findings = triage_report::findings::sweep::sweep_findings(doc, None);
    Ok(crate::commands::fail_on::verdict(&findings, fail_on))
}

/// `triage sweep collect PLAN`.
fn collect(args: &CollectArgs) -> Result<ExitCode> {
    let plan = load(&args.plan.plan, args.plan.out.as_deref())?;
    if !plan.out.join("tasks.json").is_file() {
        bail!(
            "{} holds no sweep (no tasks.json); run `triage sweep {}` first, or give --out",
            plan.out.display(),
            plan.path.display()
        );
    }
    layout::prepare(&plan)?;
    let doc = write_results(&plan)?;
    finish_output(&doc, args.json, args.fail_on)
}

/// `triage sweep status PLAN`.
fn status(args: &PlanArgs) -> Result<ExitCode> {
    let plan = load(&args.plan, args.out.as_deref())?;
    let s = layout::status(&plan)?;
    let mut out = crate::stdout::stdout();
    let list = |v: &[usize]| {
        if v.is_empty() {
            "—".to_owned()
        } else {
            triage_sweep::emit::ranges(v)
        }
    };
    writeln!(out, "sweep {} in {}", plan.name, plan.out.display())?;
    writeln!(out, "done:    {:>4}  {}", s.done.len(), list(&s.done))?;
    writeln!(out, "started: {:>4}  {}", s.started.len(), list(&s.started))?;
    writeln!(out, "pending: {:>4}  {}", s.pending.len(), list(&s.pending))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
