//! Whether predictions are in-sample: `predict.json` beside them says the
//! model that made them trained on these very items. Confident learning
//! on such predictions finds too few label issues.

use std::path::Path;

use triage_docs::label_issues::InSample;
use triage_docs::predict::PredictDoc;
use triage_docs::run::RunMeta;

/// Whether `predict.json` beside the predictions says that the model saw
/// these items: it predicted every item, or the train split, of the data
/// its run trained on.
pub fn in_sample(predictions: &Path) -> Option<InSample> {
    let dir = if predictions.is_dir() {
        predictions
    } else {
        predictions.parent()?
    };
    let text = crate::bounded_read::read_document(&dir.join("predict.json")).ok()?;
    let predict: PredictDoc = triage_docs::read_str(&text).ok()?;
    let covers_train = match predict.split.as_deref() {
        None => "every item",
        Some("train") => "the train split",
        Some(_) => return None,
    };
    let run_json = Path::new(&predict.run).join("run.json");
    let trained_on = crate::bounded_read::read_document(&run_json)
        .ok()
        .and_then(|t| triage_docs::read_str::<RunMeta>(&t).ok())
        .map(|m| m.data);
    match trained_on {
        Some(data) if !same_data(&data, &predict.data) => None,
        _ => Some(InSample {
            run: predict.run.clone(),
            reason: format!(
                "predict.json: run `{}` predicted {covers_train} of `{}`, the data it trained on",
                predict.run, predict.data
            ),
        }),
    }
}

/// Whether two spellings of a dataset path name the same data: equal
/// canonical paths when both exist (`ds`, `./ds/`, `/abs/ds`, a link),
/// else equal paths after dropping `.` components and trailing slashes.
pub fn same_data(a: &str, b: &str) -> bool {
    let (pa, pb) = (Path::new(a), Path::new(b));
    if let (Ok(ca), Ok(cb)) = (pa.canonicalize(), pb.canonicalize()) {
        return ca == cb;
    }
    let lexical = |p: &Path| -> std::path::PathBuf {
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    };
    lexical(pa) == lexical(pb)
}
