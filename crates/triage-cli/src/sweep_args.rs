//! Arguments of `triage sweep`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::args::FailOn;

/// `triage sweep PLAN.toml` runs every task locally; the subcommands run
/// one task (a cluster's array element), collect the results, or say
/// where a sweep stands.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    /// What to do other than running the plan locally.
    #[command(subcommand)]
    pub command: Option<SweepCommand>,

    /// Run the plan.
    #[command(flatten)]
    pub run: SweepRunArgs,
}

/// The verbs of `triage sweep`.
#[derive(Debug, Subcommand)]
pub enum SweepCommand {
    /// Train and predict one task (what each Slurm array element or
    /// Kubernetes pod runs); finished tasks are skipped, interrupted ones
    /// resume from their checkpoint.
    RunTask(RunTaskArgs),
    /// Gather the finished tasks into one comparison (`results.json`,
    /// `report.html` in the output folder) and print it.
    Collect(CollectArgs),
    /// How many tasks are done, started and pending.
    Status(PlanArgs),
}

/// The plan and its output folder.
#[derive(Debug, Args, Clone)]
pub struct PlanArgs {
    /// The sweep plan (TOML; see `examples/sweeps/`).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// Output folder (default: the plan's `[sweep] out`, else
    /// `<plan>-runs` next to it).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Where to run a plan's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// A Slurm job-array script (`OUT/sweep.sbatch`) of the pending tasks.
    Slurm,
    /// A Kubernetes Indexed Job manifest (`OUT/sweep-job.yaml`).
    K8s,
}

/// `triage sweep PLAN`.
#[derive(Debug, Args)]
pub struct SweepRunArgs {
    /// The sweep plan (TOML; see `examples/sweeps/`).
    #[arg(value_name = "PLAN", required = true)]
    pub plan: Option<PathBuf>,

    /// Output folder (default: the plan's `[sweep] out`, else
    /// `<plan>-runs` next to it).
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Tasks run at once (default: cores ÷ the plan's threads per run).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,

    /// Write a cluster job for the pending tasks instead of running them
    /// here (then `triage sweep collect`).
    #[arg(long, value_enum)]
    pub emit: Option<Emit>,

    /// Check the plan and every task, print the tasks, run nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Do not draw the progress bar.
    #[arg(long)]
    pub no_progress: bool,

    /// Exit 1 when a comparison's verdict is at or above this severity
    /// (as `triage compare`).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

/// `triage sweep run-task PLAN --index I`.
#[derive(Debug, Args)]
pub struct RunTaskArgs {
    /// The plan and its output folder.
    #[command(flatten)]
    pub plan: PlanArgs,

    /// The task (0-based). Default: `$SLURM_ARRAY_TASK_ID`, else
    /// `$JOB_COMPLETION_INDEX` (Kubernetes Indexed Jobs).
    #[arg(long, value_name = "I")]
    pub index: Option<usize>,
}

/// `triage sweep collect PLAN`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The plan and its output folder.
    #[command(flatten)]
    pub plan: PlanArgs,

    /// Print the results document as JSON instead of the summary.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when a comparison's verdict is at or above this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}
