//! The JSON Schemas under `docs/schemas/` are those of the current
//! document types; CI fails when a committed schema is out of date.
//!
//! After changing a document type, regenerate them with
//! `TRIAGE_UPDATE_SCHEMAS=1 cargo test -p triage-cli --test it schemas`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::repo_root;

/// Every document triage writes or reads, by schema file name.
fn current_schemas() -> BTreeMap<String, Value> {
    let mut all: BTreeMap<String, Value> = triage_docs::schemas().into_iter().collect();
    all.insert(
        format!("{}.schema.json", triage_report::model::REPORT_FORMAT),
        serde_json::to_value(schemars::schema_for!(triage_report::Report)).unwrap(),
    );
    all
}

#[test]
fn committed_schemas_are_up_to_date() {
    let dir = repo_root().join("docs/schemas");
    let schemas = current_schemas();
    let update = std::env::var_os("TRIAGE_UPDATE_SCHEMAS").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for (name, schema) in &schemas {
        let text = serde_json::to_string_pretty(schema).unwrap() + "\n";
        let path = dir.join(name);
        if update {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let committed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".schema.json"))
        .collect();
    let orphans: Vec<&String> = committed
        .iter()
        .filter(|n| !schemas.contains_key(*n))
        .collect();
    assert!(
        stale.is_empty() && orphans.is_empty(),
        "docs/schemas is out of date (stale: {stale:?}, no longer written: {orphans:?}); \
         run `TRIAGE_UPDATE_SCHEMAS=1 cargo test -p triage-cli --test it schemas` and commit the result"
    );
}

#[test]
fn every_schema_names_its_format_and_version() {
    for (name, schema) in current_schemas() {
        // `log.jsonl` lines are records of the run directory, versioned by
        // its `run.json`.
        if name == "triage-run-log.schema.json" {
            continue;
        }
        let props = &schema["properties"];
        assert!(
            props.get("format").is_some() && props.get("version").is_some(),
            "{name} has no format/version properties"
        );
    }
}
