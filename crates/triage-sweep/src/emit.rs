//! Scale-out on the schedulers clusters already run: a Slurm job array
//! (`--emit slurm`) and a Kubernetes Indexed Job (`--emit k8s`). Every
//! array element runs the same binary on one task,
//! `triage sweep run-task PLAN --out OUT` with the index taken from
//! `$SLURM_ARRAY_TASK_ID` or `$JOB_COMPLETION_INDEX`, and writes into the
//! shared output folder; finished tasks are skipped, interrupted ones
//! resume from their checkpoint, and `triage sweep collect` merges.

use std::path::Path;

use crate::plan::Plan;

/// A Slurm batch script for the tasks `indices` (pending ones: a resumed
/// sweep resubmits only what is left) of `plan`, running `triage`.
pub fn slurm_script(plan: &Plan, triage: &Path, indices: &[usize]) -> String {
    let mut s = String::from("#!/bin/bash\n");
    let line = |s: &mut String, v: String| {
        s.push_str("#SBATCH ");
        s.push_str(&v);
        s.push('\n');
    };
    line(&mut s, format!("--job-name=triage-{}", plan.name));
    let mut array = ranges(indices);
    if let Some(n) = plan.slurm.max_parallel {
        array.push_str(&format!("%{n}"));
    }
    line(&mut s, format!("--array={array}"));
    line(&mut s, "--ntasks=1".into());
    line(&mut s, format!("--cpus-per-task={}", plan.threads));
    line(
        &mut s,
        format!("--output={}/logs/%A_%a.out", plan.out.display()),
    );
    if let Some(p) = &plan.slurm.partition {
        line(&mut s, format!("--partition={p}"));
    }
    if let Some(t) = &plan.slurm.time {
        line(&mut s, format!("--time={t}"));
    }
    if let Some(m) = &plan.slurm.mem {
        line(&mut s, format!("--mem={m}"));
    }
    for extra in &plan.slurm.extra {
        line(&mut s, extra.clone());
    }
    s.push_str(&format!(
        "# triage sweep {}: {} tasks ({} configurations); written by `triage sweep --emit slurm`.\n\
         # Submit with `sbatch {}`; then `triage sweep collect {}`.\n\
         set -euo pipefail\n\
         export RAYON_NUM_THREADS=\"${{SLURM_CPUS_PER_TASK:-{}}}\"\n\
         exec {} sweep run-task {} --out {} --index \"$SLURM_ARRAY_TASK_ID\"\n",
        plan.name,
        plan.tasks().len(),
        plan.configs.len(),
        shell(&plan.out.join("sweep.sbatch").display().to_string()),
        shell(&plan.path.display().to_string()),
        plan.threads,
        shell(&triage.display().to_string()),
        shell(&absolute(&plan.path)),
        shell(&plan.out.display().to_string()),
    ));
    s
}

/// A Kubernetes Indexed Job (batch/v1) running every task of `plan`, one
/// pod per completion index, with the claim `[k8s] claim` mounted where
/// the plan, data and output folder are.
pub fn k8s_manifest(plan: &Plan) -> String {
    let tasks = plan.tasks().len();
    let mount = plan.k8s.mount.clone().unwrap_or_else(|| {
        plan.out
            .parent()
            .unwrap_or(Path::new("/"))
            .display()
            .to_string()
    });
    let name = format!("triage-sweep-{}", k8s_name(&plan.name));
    let parallelism = plan
        .k8s
        .parallelism
        .map_or(tasks.min(8), |p| p as usize)
        .max(1);
    let q = |v: &str| serde_json::to_string(v).unwrap_or_default();
    let command = [
        "triage".to_owned(),
        "sweep".into(),
        "run-task".into(),
        absolute(&plan.path),
        "--out".into(),
        plan.out.display().to_string(),
    ]
    .iter()
    .map(|w| q(w))
    .collect::<Vec<_>>()
    .join(", ");
    let namespace = plan
        .k8s
        .namespace
        .as_ref()
        .map_or(String::new(), |n| format!("  namespace: {}\n", q(n)));
    format!(
        "# triage sweep {plan_name}: {tasks} tasks; written by `triage sweep --emit k8s`.\n\
         # Apply with `kubectl apply -f`; each pod runs one task, its index from\n\
         # $JOB_COMPLETION_INDEX; then `triage sweep collect`.\n\
         apiVersion: batch/v1\n\
         kind: Job\n\
         metadata:\n\
         \x20 name: {name}\n\
         {namespace}\
         \x20 labels:\n\
         \x20   app.kubernetes.io/name: triage\n\
         \x20   app.kubernetes.io/component: sweep\n\
         spec:\n\
         \x20 completionMode: Indexed\n\
         \x20 completions: {tasks}\n\
         \x20 parallelism: {parallelism}\n\
         \x20 backoffLimit: {backoff}\n\
         \x20 template:\n\
         \x20   metadata:\n\
         \x20     labels:\n\
         \x20       app.kubernetes.io/name: triage\n\
         \x20   spec:\n\
         \x20     restartPolicy: Never\n\
         \x20     containers:\n\
         \x20       - name: task\n\
         \x20         image: {image}\n\
         \x20         command: [{command}]\n\
         \x20         env:\n\
         \x20           - name: RAYON_NUM_THREADS\n\
         \x20             value: \"{threads}\"\n\
         \x20         resources:\n\
         \x20           requests:\n\
         \x20             cpu: \"{threads}\"\n\
         \x20             memory: {memory}\n\
         \x20           limits:\n\
         \x20             memory: {memory}\n\
         \x20         volumeMounts:\n\
         \x20           - name: shared\n\
         \x20             mountPath: {mount}\n\
         \x20     volumes:\n\
         \x20       - name: shared\n\
         \x20         persistentVolumeClaim:\n\
         \x20           claimName: {claim}\n",
        plan_name = plan.name,
        backoff = 3 * tasks,
        image = q(&plan.k8s.image),
        threads = plan.threads,
        memory = q(&plan.k8s.memory),
        mount = q(&mount),
        claim = q(&plan.k8s.claim),
    )
}

/// `0-3,5,7-9`: Slurm's array syntax.
pub fn ranges(indices: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", indices[i], indices[j])
        } else {
            indices[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

/// A DNS-1123 label: lowercase letters, digits and `-`.
fn k8s_name(name: &str) -> String {
    let s: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(40)
        .collect();
    s.trim_matches('-').to_owned()
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}

/// A word for bash, single-quoted when it needs to be.
fn shell(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[0, 1, 2, 3, 5, 7, 8, 9]), "0-3,5,7-9");
        assert_eq!(ranges(&[4]), "4");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn shell_quotes_what_it_must() {
        assert_eq!(shell("/a/b-c.toml"), "/a/b-c.toml");
        assert_eq!(shell("/a b/it's"), "'/a b/it'\\''s'");
    }

    #[test]
    fn k8s_names_are_dns_labels() {
        assert_eq!(k8s_name("Seed_Ablations.v2"), "seed-ablations-v2");
    }
}
