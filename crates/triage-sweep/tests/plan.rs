//! Plans: expansion into configurations and tasks, and the errors a bad
//! plan gets.

use std::path::Path;

use triage_docs::model_spec::{ModelKind, ModelSpec};
use triage_docs::sweep::Design;
use triage_sweep::{Plan, PlanRules, SweepError};

fn options() -> Vec<String> {
    [
        "model",
        "optimizer",
        "epochs",
        "lr",
        "schedule",
        "batch-size",
        "max-train",
        "no-flip",
        "val-fraction",
        "seed",
        "out",
    ]
    .map(String::from)
    .to_vec()
}

fn preset(name: &str) -> Option<ModelSpec> {
    (name == "vgg-like").then(|| {
        let mut s = ModelSpec::new(ModelKind::Vgg);
        s.block_dropout = 0.2;
        s.dropout = 0.5;
        s
    })
}

fn parse(text: &str) -> Result<Plan, SweepError> {
    let opts = options();
    let rules = PlanRules {
        train_options: &opts,
        preset: &preset,
    };
    Plan::parse(text, Path::new("/plans/p.toml"), None, &rules)
}

fn message(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

const HEAD: &str = "[sweep]\nname = \"t\"\ndata = \"d\"\nseeds = [0, 1]\n";

#[test]
fn configs_times_grid_times_seeds() {
    let plan = parse(&format!(
        "{HEAD}[train]\nepochs = 2\nbatch_size = 16\n\
         [[config]]\nname = \"a\"\nmodel = \"vgg-like\"\n\
         [[config]]\nname = \"b\"\nextends = \"a\"\nno-flip = true\n\
         [grid]\noptimizer = [\"adamw\", \"nesterov\"]\n"
    ))
    .unwrap();
    let names: Vec<&str> = plan.configs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "a,optimizer=adamw",
            "a,optimizer=nesterov",
            "b,optimizer=adamw",
            "b,optimizer=nesterov"
        ]
    );
    assert_eq!(
        plan.configs[2].args,
        [
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--model",
            "vgg-like",
            "--no-flip",
            "--optimizer",
            "adamw"
        ]
    );
    let tasks = plan.tasks();
    assert_eq!(tasks.len(), 8);
    assert_eq!(tasks[3].config, 1);
    assert_eq!(tasks[3].seed, 1);
    assert!(
        tasks[3]
            .dir
            .starts_with("tasks/0003-c1-a_optimizer_nesterov-seed1"),
        "{}",
        tasks[3].dir
    );
    assert_eq!(plan.data, Path::new("/plans/d"));
    assert_eq!(plan.out, Path::new("/plans/p-runs"));
}

#[test]
fn grid_alone_names_configs_by_their_values() {
    let plan = parse(&format!(
        "{HEAD}[grid]\nmodel = [\"vgg-like\"]\nlr = [0.1, 0.01]\n"
    ))
    .unwrap();
    let names: Vec<&str> = plan.configs.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["model=vgg-like,lr=0.1", "model=vgg-like,lr=0.01"]);
}

#[test]
fn model_tables_start_from_the_preset_and_merge_under_extends() {
    let plan = parse(&format!(
        "{HEAD}[[config]]\nname = \"plain\"\nmodel = {{ preset = \"vgg-like\", block_dropout = 0.0 }}\n\
         [[config]]\nname = \"halved\"\nextends = \"plain\"\nmodel = {{ halve_after_pool = true }}\n"
    ))
    .unwrap();
    let plain = plan.configs[0].spec.as_ref().unwrap();
    assert_eq!(plain.block_dropout, 0.0);
    assert_eq!(plain.dropout, 0.5);
    let halved = plan.configs[1].spec.as_ref().unwrap();
    assert!(halved.halve_after_pool);
    assert_eq!(
        halved.block_dropout, 0.0,
        "extends keeps the parent's model fields"
    );
    assert_eq!(plan.configs[1].spec_file().unwrap(), "specs/c1-halved.json");
    let doc = plan.tasks_doc();
    assert_eq!(doc.tasks[2].args[..], ["--model", "specs/c1-halved.json"]);
}

#[test]
fn five_by_two_gives_ten_tasks_per_config_with_shared_seeds() {
    let plan = parse(
        "[sweep]\nname = \"t\"\ndata = \"d\"\ndesign = \"5x2cv\"\nseeds = [7]\n\
         [[config]]\nname = \"a\"\n[[config]]\nname = \"b\"\nlr = 0.01\n",
    )
    .unwrap();
    assert_eq!(plan.design, Design::FiveByTwo);
    let tasks = plan.tasks();
    assert_eq!(tasks.len(), 20);
    assert_eq!(tasks[13].cv, Some((1, 1)));
    assert_eq!(tasks[13].seed, 8);
    assert_eq!(
        tasks[3].seed, tasks[13].seed,
        "replication r has one seed in every configuration"
    );
}

#[test]
fn unknown_keys_are_named_with_where_they_are() {
    let m = message(&format!("{HEAD}[[config]]\nname = \"a\"\nepoch = 3\n"));
    assert!(m.contains("[[config]] \"a\": unknown key `epoch`"), "{m}");
    assert!(m.contains("did you mean epochs?"), "{m}");
    let m = message(&format!("{HEAD}[train]\nlearning_rate = 3\n"));
    assert!(m.contains("[train]: unknown key `learning_rate`"), "{m}");
    let m = message("[sweep]\nname = \"t\"\ndata = \"d\"\nworkers = 3\n");
    assert!(m.contains("[sweep]") && m.contains("workers"), "{m}");
    let m = message(&format!("{HEAD}[extra]\n"));
    assert!(m.contains("unknown section [extra]"), "{m}");
}

#[test]
fn keys_the_sweep_owns_are_refused() {
    let m = message(&format!("{HEAD}[train]\nseed = 3\n"));
    assert!(m.contains("`seed` is set by the sweep"), "{m}");
    let m = message(&format!("{HEAD}[[config]]\nname = \"a\"\nout = \"x\"\n"));
    assert!(m.contains("`out` is set by the sweep"), "{m}");
}

#[test]
fn bad_values_are_refused() {
    for (text, expect) in [
        (format!("{HEAD}[[config]]\nname = \"a b\"\n"), "letters, digits"),
        (format!("{HEAD}[[config]]\nname = \"a\"\n[[config]]\nname = \"a\"\n"), "a second configuration"),
        (format!("{HEAD}[[config]]\nname = \"b\"\nextends = \"a\"\n"), "not a configuration above it"),
        (format!("{HEAD}[train]\nlr = [0.1, 0.2]\n"), "lists of values go in [grid]"),
        (format!("{HEAD}[grid]\nlr = 0.1\n"), "expected a list of values"),
        (format!("{HEAD}[[config]]\nname = \"a\"\nmodel = \"nope\"\n"), "neither a preset nor a spec file"),
        (format!("{HEAD}[[config]]\nname = \"a\"\nmodel = {{ preset = \"vgg-like\", dropout = 1.5 }}\n"), "dropout"),
        (format!("{HEAD}[[config]]\nname = \"a\"\nmodel = {{ kind = \"vgg\", widthz = [1] }}\n"), "widthz"),
        ("[sweep]\nname = \"t\"\ndata = \"d\"\nseeds = [1, 1]\n".into(), "repeats a seed"),
        ("[sweep]\nname = \"t\"\ndata = \"d\"\ndesign = \"5x2cv\"\nseeds = [1, 2]\n".into(), "takes one seed"),
        ("[sweep]\nname = \"t\"\ndata = \"d\"\ndesign = \"kfold\"\n".into(), "expected \"seeds\" or \"5x2cv\""),
        ("[sweep]\nname = \"t\"\ndata = \"d\"\nalpha = 1.5\n".into(), "alpha"),
        ("[sweep]\nname = \"t\"\ndata = \"d\"\nbaseline = \"x\"\n".into(), "baseline \"x\" is not a configuration"),
        ("[sweep]\nname = \"t\"\n".into(), "data"),
        ("[train]\nepochs = 1\n".into(), "no [sweep] section"),
        ("[sweep\n".into(), "not a valid plan"),
        (
            format!("{HEAD}[grid]\nlr = [{}]\nepochs = [{}]\n", vec!["0.1"; 400].join(","), vec!["1"; 400].join(",")),
            "more than 100000 tasks",
        ),
    ] {
        let m = message(&text);
        assert!(m.contains(expect), "{text}\n→ {m}");
        assert!(m.starts_with("/plans/p.toml: "), "{m}");
    }
}
