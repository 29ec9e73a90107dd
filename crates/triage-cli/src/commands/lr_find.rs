//! `triage lr-find DATA --model M --optimizer O --out DIR`: the
//! learning-rate range test (`triage_nn::lr_find`).

use std::fs;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use triage_data::dataset::{open_dataset, OpenOptions};
use triage_nn::lr_find::{lr_find, LrFindConfig};

use crate::commands::train::{choose_items, item_labels};
use crate::image_data::{fit_normalization, load_training, report_skipped, to_image_set};
use crate::train_args::LrFindArgs;

/// Run `triage lr-find`.
///
/// # Errors
///
/// Unreadable data, invalid settings, I/O errors.
pub fn run(args: &LrFindArgs) -> Result<ExitCode> {
    let (spec, _) = args.model.spec()?;
    let dataset = open_dataset(&args.data.data, &OpenOptions::default())
        .with_context(|| format!("opening {}", args.data.data.display()))?;
    let k = dataset.classes.len();
    if k < 2 {
        bail!(
            "{} has {k} class(es); need at least 2",
            args.data.data.display()
        );
    }
    let items = choose_items(&dataset, &args.data, args.model.seed)?;
    let raw = load_training(&dataset, &items.train, args.data.size, !args.json)?;
    report_skipped("training", &raw.skipped);
    let norm = fit_normalization(&raw);
    let set = to_image_set(&raw, &norm, item_labels(&dataset, &raw.items))?;
    let device = triage_nn::device_for(args.model.device.backend())?.autodiff();
    device.seed(args.model.seed);
    let model = spec.init(raw.shape, k, &device)?;
    let config = LrFindConfig {
        start: args.start_lr,
        end: args.end_lr,
        steps: args.steps,
        batch_size: args.model.batch_size,
        seed: args.model.seed,
        ..LrFindConfig::default()
    };
    let result = lr_find(&model, &set, k, &args.model.optimizer(), &config, &device)?;

    fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let csv_path = args.out.join("lr_find.csv");
    let mut w = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    w.write_record(["lr", "loss", "smoothed"])?;
    for p in &result.points {
        w.write_record([p.lr.to_string(), p.loss.to_string(), p.smoothed.to_string()])?;
    }
    w.flush()?;
    let json_path = args.out.join("lr_find.json");
    fs::write(&json_path, serde_json::to_vec_pretty(&result)?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        let fmt = |v: Option<f64>| v.map_or("none".to_string(), |v| format!("{v:.3e}"));
        println!(
            "steps: {} of {}{}",
            result.points.len(),
            config.steps,
            if result.diverged {
                " (stopped: smoothed loss > 4x its minimum)"
            } else {
                ""
            }
        );
        println!("suggested lr (valley):   {}", fmt(result.valley));
        println!("suggested lr (steepest): {}", fmt(result.steepest));
        println!("curve: {}", csv_path.display());
    }
    Ok(ExitCode::SUCCESS)
}
